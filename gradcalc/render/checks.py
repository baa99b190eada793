"""Check results as lines of (text, role) pieces (see render.text): a ✓ or ✗ line per claim,
the answer and the diagnosis under a wrong one (under --no-reveal the rule to revisit instead),
why a check was not graded, where the reasoning first broke, a file's passed/total and status;
and a class's table and item analysis (gradcalc.grades). What they say is the judge's
(gradcalc.check) and the gradebook's; this is only how it reads."""

from ..numbers import format_number
from ..textwidth import display_width, pad

PASS, FAIL = "✓", "✗"


QUIET_RULES = ("exact", "tolerance")  # a pass by these says nothing more: the claim shows its ±


def verdict_lines(verdict, reveal=True, precision=None):
    """The claim with ✓ or ✗ (and the rule that passed it, unless exact or a tolerance), then for
    a wrong answer what was given, what is right and why; without `reveal`, the rule to revisit
    instead of the diagnosis, which may give the answer away; for a check not graded, why not."""
    claim = verdict.claim
    line = [(PASS, "pass") if verdict.passed else (FAIL, "fail"), (f" line {claim.line}: {claim.text}", None)]
    if verdict.passed and verdict.rule_text and verdict.rule not in QUIET_RULES:
        line.append((f"  ({verdict.rule_text})", "note"))
    lines = [line]
    if verdict.status == "not graded":
        return lines + [[(f"    not graded: {verdict.reason}", "note")]]
    if not verdict.passed:
        # an answer written as a number is shown as written
        answer = claim.answer_text if claim.answer_text and precision is None else format_number(verdict.answer, precision)
        detail = f"    your answer {answer}"
        if reveal:
            detail += f"; correct: {format_number(verdict.correct, precision)}"
        lines.append([(detail, "note")])
        said = verdict.diagnosis if reveal else verdict.revisit
        if said:
            lines.append([(f"    {said}", "note")])
    return lines


def first_wrong_lines(report):
    """Where the reasoning first broke, for each f (and for the forward values)."""
    lines = []
    for v, followed in report.first_wrong:
        what = f"∂{v.claim.of}/∂{v.claim.wrt}" if v.claim.is_gradient else "value"
        line = f"first wrong {what}: line {v.claim.line} ({v.claim.text})"
        lines.append([(line + ("; the later wrong answers may follow from it" if followed else ""), "head")])
    return lines


def findings_lines(report, reveal=True):
    """What the end of a program adds to the verdicts shown as they came: the diagnoses later
    lines changed, and where the reasoning first broke."""
    lines = []
    for verdict in report.revised:
        lines += [verdict_lines(verdict)[0], [(f"    {verdict.diagnosis if reveal else verdict.revisit}", "note")]]
    return lines + first_wrong_lines(report)


def status_text(graded):
    """'ok', 'no checks', 'syntax error at line 3, column 9', 'error at line 14', 'unreadable'
    (with why, when the file was read but is not UTF-8)."""
    from ..grades import UNREADABLE

    if graded.line is None:
        return graded.status
    where = f"line {graded.line}" + (f", column {graded.column}" if graded.column is not None else "")
    return f"{graded.status}: not UTF-8 at {where}" if graded.status == UNREADABLE else f"{graded.status} at {where}"


def score(graded):
    report = graded.report
    return "—" if report is None else f"{report.passed}/{report.total}"


def marks_lines(graded, named, reveal=True, precision=None):
    """One file's results. Alone (not `named`): each verdict, where the reasoning first broke and
    passed/total (with the status when it is not ok). Among several (`named`): a line with its
    name, passed/total and status, then only what a teacher has to read: the wrong answers and the
    checks not graded, and where the reasoning first broke."""
    from ..grades import NO_CHECKS, OK

    report = graded.report
    if report is None:
        summary, lines = f"{graded.status}: {graded.error}", []
    else:
        shown = [v for v in report.verdicts if not (named and v.passed)]
        lines = [line for verdict in shown for line in verdict_lines(verdict, reveal, precision)]
        lines += first_wrong_lines(report)
        summary = NO_CHECKS if graded.status == NO_CHECKS else f"{report.passed}/{report.total} checks passed"
        if graded.status not in (OK, NO_CHECKS):
            summary += f" ({status_text(graded)})"
    return [[(f"{graded.file}: {summary}", None)]] + lines if named else lines + [[(summary, None)]]


def spaced(lines, previous):
    """A file's lines after the `previous` file's (how many lines it took, 0 for none): a blank
    line between them unless both are one line."""
    return [[]] + lines if previous and (previous > 1 or len(lines) > 1) else lines


def gradebook_lines(book, reveal=True):
    """The class table (each file's status and passed/total, then the total) and the item
    analysis (each check: how many files passed it, how many could not be graded on it, and the
    most common mistake, under --no-reveal the rule to revisit)."""
    rows = [("file", "status", "passed")]
    rows += [(g.file, status_text(g), score(g)) for g in book.files]
    rows.append(("total", "", f"{book.passed}/{book.total}"))
    lines = [[(line, "head" if k == 0 else None)] for k, line in enumerate(_table(rows))]
    if not book.items:
        return lines
    rows = [("check", "passed", "not graded", "most common mistake")]
    for item in book.items:
        rows.append((item.check, f"{item.passed}/{item.files}", str(item.not_graded or ""), mistake_text(item, reveal)))
    return lines + [[]] + [[(line, "head" if k == 0 else None)] for k, line in enumerate(_table(rows))]


def mistake_text(item, reveal):
    if item.mistake is None:
        return ""
    said = item.mistake.diagnosis if reveal else item.mistake.revisit
    files = f"{item.mistakes} file{'s' if item.mistakes != 1 else ''}"
    return f"{files}: {said}" if said else files


def _table(rows):
    """Rows of cells as lines with aligned columns (wide characters count double)."""
    widths = [max(display_width(row[k]) for row in rows) for k in range(len(rows[0]))]
    return [("  ".join(pad(cell, width) for cell, width in zip(row, widths))).rstrip() for row in rows]
