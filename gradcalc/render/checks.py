"""Check results as lines of (text, role) pieces (see render.text): a ✓ or ✗ line per claim,
the answer and the diagnosis under a wrong one, where the reasoning first broke, and a file's
passed/total. What they say is the judge's (gradcalc.check); this is only how it reads."""

from ..numbers import format_number, is_exact

PASS, FAIL = "✓", "✗"


SHOWN_DIGITS = 6  # significant digits of a float's correct value, unless --precision says otherwise
QUIET_RULES = ("exact", "tolerance")  # a pass by these says nothing more: the claim shows its ±


def verdict_lines(verdict, reveal=True, precision=None):
    """The claim with ✓ or ✗ (and the rule that passed it, unless exact or a tolerance), then for
    a wrong answer what was given, what is right and why; without `reveal`, the rule to revisit
    instead of the diagnosis, which may give the answer away."""
    claim = verdict.claim
    line = [(PASS, "pass") if verdict.passed else (FAIL, "fail"), (f" line {claim.line}: {claim.text}", None)]
    if verdict.passed and verdict.rule_text and verdict.rule not in QUIET_RULES:
        line.append((f"  ({verdict.rule_text})", "note"))
    lines = [line]
    if not verdict.passed:
        answer = claim.answer_text if claim.answer_text and precision is None else _correct(verdict.answer, precision)
        detail = f"    your answer {answer}"
        if reveal:
            detail += f"; correct: {_correct(verdict.correct, precision)}"
        lines.append([(detail, "note")])
        said = verdict.diagnosis if reveal else verdict.revisit
        if said:
            lines.append([(f"    {said}", "note")])
    return lines


def _correct(value, precision):
    """A value at the display precision: a float to SHOWN_DIGITS significant digits, an exact
    value exactly (the JSON keeps every float's digits). An answer written as a number is shown
    as written."""
    if precision is None and not is_exact(value):
        precision = SHOWN_DIGITS
    return format_number(value, precision)


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


def marks_lines(graded, named, reveal=True, precision=None):
    """One file's results: its name (if `named`), each verdict, where the reasoning first broke,
    and passed/total; or why it was not graded."""
    lines = [[(f"{graded.file}:", None)]] if named else []
    report = graded.report
    if report is None:
        return lines + [[(f"not graded: {graded.error}", None)]]
    for verdict in report.verdicts:
        lines += verdict_lines(verdict, reveal, precision)
    lines += first_wrong_lines(report)
    return lines + [[(f"{report.passed}/{report.total} checks passed", None)]]


def gradebook_lines(graded):
    """Passed/total for each file graded (or that it could not be read) and in all."""
    reports = [g.report for g in graded if g.report is not None]
    rows = [(g.file, "unreadable" if g.report is None else f"{g.report.passed}/{g.report.total}") for g in graded]
    rows.append(("total", f"{sum(r.passed for r in reports)}/{sum(r.total for r in reports)}"))
    width = max(len(name) for name, _ in rows)
    return [[(f"{name.ljust(width)}  {score}", None)] for name, score in rows]
