"""A class's check results as data, what `gradcalc check` shows of several files: each file's
status and Report, its mark on each check (a column per claim: the same claim in different files
is one column), and the item analysis a teacher reads after grading: for each check, how many
files passed it and the most common mistake. The renderers only show these."""

from collections import Counter
from typing import NamedTuple

from .errors import NotUtf8, Unparsable
from .parser import written_claim

# a file's status, the first that applies
UNREADABLE = "unreadable"  # missing, a folder, no permission, or not UTF-8
SYNTAX_ERROR = "syntax error"  # a statement that does not parse
ERROR = "error"  # another statement that failed: an unknown name or function, a math error
NO_CHECKS = "no checks"
OK = "ok"

# a file's mark on a check
PASSED, WRONG, NOT_GRADED = "passed", "wrong", "not graded"
# the diagnosis kind of a wrong answer that follows from an earlier wrong one: not a mistake on its check
CONSEQUENCE = "follows"


class Graded(NamedTuple):
    """A file graded: its status, its Report (None when it could not be read), and the first
    error met in it (its message, line and column), which the status is about."""

    file: str
    status: str
    report: object
    error: str | None = None
    line: int | None = None
    column: int | None = None


def graded(file, report, errors):
    """A file's Graded, from its Report (None: the file could not be read) and the errors met
    reading it (the one that kept it from being read, or those of its statements, in order)."""
    first = next((e for e in errors if isinstance(e, NotUtf8)), None)
    if report is None or first is not None:
        status = UNREADABLE
    else:
        first = next((e for e in errors if isinstance(e, Unparsable)), None)
        if first is not None:
            status = SYNTAX_ERROR
        elif errors:
            status, first = ERROR, errors[0]
        else:
            status = NO_CHECKS if not report.total else OK
    if report is None:
        first = errors[0]
    if first is None:
        return Graded(file, status, report)
    return Graded(file, status, report, first.message, first.line, first.column)


def item(claim):
    """The check a claim is about, its gradebook column: d(f)/d(u) for a gradient however
    written (∂f/∂u too), the subject as written for a value (spaces collapsed)."""
    if claim.of is not None:
        return f"d({claim.of})/d({claim.wrt})"
    return written_claim(claim.text)[0]


def mark(verdict):
    return NOT_GRADED if verdict.status == NOT_GRADED else PASSED if verdict.passed else WRONG


def marks(report):
    """{check: (mark, the verdict behind it)} for one file. A check written on several lines is
    passed when every one of them is; otherwise it is marked by its first wrong line, or else its
    first line not graded."""
    rank = {WRONG: 0, NOT_GRADED: 1, PASSED: 2}
    found = {}
    for verdict in report.verdicts if report is not None else ():
        key, now = item(verdict.claim), mark(verdict)
        if key not in found or rank[now] < rank[found[key][0]]:
            found[key] = (now, verdict)
    return found


class Item(NamedTuple):
    """A check across the class: how many files have it, passed it, could not be graded on it,
    and its most common mistake (one wrong Verdict showing it, and in how many files; a wrong
    answer that only follows from an earlier one is not a mistake on this check)."""

    check: str
    files: int
    passed: int
    not_graded: int
    mistake: object = None  # a Verdict with the most common diagnosis, or None
    mistakes: int = 0  # the files that made it


class Gradebook(NamedTuple):
    """The class: each file's Graded, each check's Item in the order the checks first appear, and
    passed/total over every check line of every file."""

    files: tuple
    items: tuple
    passed: int
    total: int


def gradebook(files):
    """The class's Gradebook from its files' Graded, in the order they were graded."""
    per_file = [marks(g.report) for g in files]
    order = list(dict.fromkeys(key for found in per_file for key in found))
    items = []
    for key in order:
        found = [f[key] for f in per_file if key in f]
        wrong = [verdict for m, verdict in found
                 if m == WRONG and verdict.diagnosis and verdict.diagnosis_kind != CONSEQUENCE]
        kinds = Counter(_mistake(v) for v in wrong)
        mistake, mistakes = None, 0
        if kinds:
            kind, mistakes = kinds.most_common(1)[0]
            mistake = next(v for v in wrong if _mistake(v) == kind)
        items.append(Item(key, len(found), sum(m == PASSED for m, _ in found), sum(m == NOT_GRADED for m, _ in found),
                          mistake, mistakes))
    reports = [g.report for g in files if g.report is not None]
    return Gradebook(tuple(files), tuple(items), sum(r.passed for r in reports), sum(r.total for r in reports))


def _mistake(verdict):
    """What makes two wrong answers the same mistake: the diagnosis's kind, or its text when the
    judge gives no kind."""
    return verdict.diagnosis_kind or verdict.diagnosis
