"""CSV, a gradebook: `file,passed,total`, a row per file as it is graded (`file,unreadable,` for
one that could not be read), then the total over every file."""

import csv
import io

from .text import write


class Renderer:
    def __init__(self, out, options):
        self.out = out
        self.rows, self.passed, self.total = 0, 0, 0

    def marks(self, graded):
        report = graded.report
        if report is None:
            cells = (graded.file, "unreadable", "")
        else:
            cells = (graded.file, report.passed, report.total)
            self.passed, self.total = self.passed + report.passed, self.total + report.total
        write(self.out, ("" if self.rows else _row(("file", "passed", "total"))) + _row(cells))
        self.rows += 1

    def end(self):
        write(self.out, _row(("total", self.passed, self.total)))


def _row(cells):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
