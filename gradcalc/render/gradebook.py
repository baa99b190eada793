"""CSV, a gradebook: a header `file,status,passed,total` and a column per check (named by its
claim: `E`, `d(E)/d(apple)`; the same claim in every file is one column), a row per file (1
passed, 0 wrong, "not graded", blank where the file has no such check), then the class:
`total` (passed and total, and per check the files that passed it), `files with the check`,
`not graded` and `most common mistake` (the rule to revisit under --no-reveal). The columns are
known only once every file is graded, so the table is written at the end."""

import csv
import io

from .text import write


class Renderer:
    def __init__(self, out, options):
        self.out, self.reveal = out, options.reveal

    def marks(self, graded):
        """Written with the others at the end, when every check's column is known."""

    def end(self, book):
        from ..grades import NOT_GRADED, PASSED, WRONG, marks
        from .checks import mistake_text, status_text

        cell = {PASSED: 1, WRONG: 0, NOT_GRADED: NOT_GRADED}
        checks = [item.check for item in book.items]
        rows = [["file", "status", "passed", "total", *checks]]
        for graded in book.files:
            report, found = graded.report, marks(graded.report)
            counts = ["", ""] if report is None else [report.passed, report.total]
            rows.append([graded.file, status_text(graded), *counts,
                         *(cell[found[check][0]] if check in found else "" for check in checks)])
        rows.append(["total", "", book.passed, book.total, *(item.passed for item in book.items)])
        rows.append(["files with the check", "", "", "", *(item.files for item in book.items)])
        rows.append(["not graded", "", "", "", *(item.not_graded for item in book.items)])
        rows.append(["most common mistake", "", "", "", *(mistake_text(item, self.reveal) for item in book.items)])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        write(self.out, buffer.getvalue())
