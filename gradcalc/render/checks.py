"""Check results: a ✓ or ✗ line per claim, the diagnosis under a wrong one, where the
reasoning first broke, and a passed/total summary per file (plain, JSON lines or CSV)."""

import csv
import io
import json

from ..check import first_wrong
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


def first_wrong_lines(verdicts):
    """Where the reasoning first broke, for each f (and for the forward values)."""
    lines = []
    for v in first_wrong(verdicts):
        what = f"∂{v.claim.of}/∂{v.claim.wrt}" if v.claim.is_gradient else "value"
        line = f"first wrong {what}: line {v.claim.line} ({v.claim.text})"
        # later in the sweep: further from the output for gradients, further from the inputs for values
        later = [w for w in verdicts if not w.passed and w.claim.of == v.claim.of and w is not v
                 and (w.claim.position <= v.claim.position if v.claim.is_gradient else w.claim.position >= v.claim.position)]
        lines.append(line + ("; the later wrong answers may follow from it" if later else ""))
    return lines


def plain(results, reveal=True, precision=None):
    """`results` is a list of (file name, verdicts)."""
    out = []
    for name, verdicts in results:
        if len(results) > 1:
            out.append(f"{name}:")
        for verdict in verdicts:
            out += verdict_lines(verdict, reveal, precision)
        out += first_wrong_lines(verdicts)
        passed = sum(v.passed for v in verdicts)
        out.append(f"{passed}/{len(verdicts)} checks passed")
        out.append("")
    if len(results) > 1:
        out += _summary_table(results)
    return "\n".join(out).rstrip("\n") + "\n"


def _summary_table(results):
    rows = [(name, f"{sum(v.passed for v in verdicts)}/{len(verdicts)}") for name, verdicts in results]
    passed = sum(sum(v.passed for v in verdicts) for _, verdicts in results)
    total = sum(len(verdicts) for _, verdicts in results)
    rows.append(("total", f"{passed}/{total}"))
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)}  {score}" for name, score in rows]


def json_lines(results, reveal=True):
    """One object per check: file, line, check, answer, correct (unless not revealed), passed, diagnosis."""
    out = []
    for name, verdicts in results:
        for v in verdicts:
            record = {"file": name} if name is not None else {}
            record.update(line=v.claim.line, check=v.claim.text, answer=json_number(v.answer))
            if reveal:
                record["correct"] = json_number(v.correct)
            record["passed"] = v.passed
            record["diagnosis"] = v.diagnosis
            out.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(out)


def csv_table(results):
    """A gradebook: one row per file with passed and total, then the total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "passed", "total"])
    for name, verdicts in results:
        writer.writerow([name, sum(v.passed for v in verdicts), len(verdicts)])
    writer.writerow(
        ["total", sum(sum(v.passed for v in vs) for _, vs in results), sum(len(vs) for _, vs in results)]
    )
    return buffer.getvalue()
