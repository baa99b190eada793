"""Check results: a ✓ or ✗ line per claim, the diagnosis under a wrong one, where the
reasoning first broke, and a passed/total summary per file (plain, JSON lines or CSV).
Each file's part is made on its own, so that it can be shown as soon as the file is graded;
a file that could not be read has None for its verdicts and is shown as unreadable."""

import csv
import io
import json

from ..numbers import format_number, json_number

PASS, FAIL = "✓", "✗"


def verdict_lines(verdict, reveal=True, precision=None):
    """The claim with ✓ or ✗, then for a wrong answer what was given, what is right and why."""
    claim = verdict.claim
    mark = PASS if verdict.passed else FAIL
    lines = [f"{mark} line {claim.line}: {claim.text}"]
    if not verdict.passed:
        detail = f"    your answer {format_number(verdict.answer, precision)}"
        if reveal:
            detail += f"; correct: {format_number(verdict.correct, precision)}"
        lines.append(detail)
        if verdict.diagnosis:
            lines.append(f"    {verdict.diagnosis}")
    return lines


def first_wrong_lines(report):
    """Where the reasoning first broke, for each f (and for the forward values)."""
    lines = []
    for v, followed in report.first_wrong:
        what = f"∂{v.claim.of}/∂{v.claim.wrt}" if v.claim.is_gradient else "value"
        line = f"first wrong {what}: line {v.claim.line} ({v.claim.text})"
        lines.append(line + ("; the later wrong answers may follow from it" if followed else ""))
    return lines


def findings_lines(report, precision=None):
    """What the end of a program adds to the verdicts shown as they came: the diagnoses later
    lines changed, and where the reasoning first broke."""
    lines = []
    for verdict in report.revised:
        lines += [verdict_lines(verdict, precision=precision)[0], f"    {verdict.diagnosis}"]
    return lines + first_wrong_lines(report)


def plain(name, report, reveal=True, precision=None):
    """One file's results: its name (unless None), each verdict, where the reasoning first broke,
    and passed/total."""
    out = [f"{name}:"] if name is not None else []
    if report is None:
        return "\n".join(out + ["not graded: the file could not be read"]) + "\n"
    for verdict in report.verdicts:
        out += verdict_lines(verdict, reveal, precision)
    out += first_wrong_lines(report)
    out.append(f"{report.passed}/{report.total} checks passed")
    return "\n".join(out) + "\n"


def summary_table(results):
    """Passed/total for each (file name, Report) and in all."""
    rows = [(name, "unreadable" if report is None else f"{report.passed}/{report.total}") for name, report in results]
    reports = [report for _, report in results if report is not None]
    rows.append(("total", f"{sum(r.passed for r in reports)}/{sum(r.total for r in reports)}"))
    width = max(len(name) for name, _ in rows)
    return "".join(f"{name.ljust(width)}  {score}\n" for name, score in rows)


def json_lines(name, verdicts, reveal=True, error=None):
    """One object per check: file (unless None), line, check, answer, correct (unless not
    revealed), passed, diagnosis; for a file that could not be read, file and error."""
    if verdicts is None:
        return json.dumps({"file": name, "error": error}, ensure_ascii=False) + "\n"
    out = []
    for v in verdicts:
        record = {"file": name} if name is not None else {}
        record.update(line=v.claim.line, check=v.claim.text, answer=json_number(v.answer))
        if reveal:
            record["correct"] = json_number(v.correct)
        record["passed"] = v.passed
        record["diagnosis"] = v.diagnosis
        out.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(out)


def csv_header():
    """The gradebook's first line."""
    return _csv_line(("file", "passed", "total"))


def csv_row(name, report):
    """A gradebook row: the file with passed and total, or `unreadable`."""
    return _csv_line((name, "unreadable", "") if report is None else (name, report.passed, report.total))


def csv_total(reports):
    """The gradebook's last row: every file's checks together."""
    return _csv_line(("total", sum(r.passed for r in reports), sum(r.total for r in reports)))


def _csv_line(cells):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
