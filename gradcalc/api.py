"""The public Python API: parse a program, evaluate it at a point, read values and gradients.

    >>> import gradcalc
    >>> result = gradcalc.evaluate("(apple*5 + orange*3) * 1.08", at={"apple": 100, "orange": 80})
    >>> result.value, result.gradient["apple"]
    (Fraction(3996, 5), Fraction(27, 5))
"""

from dataclasses import replace

from . import arrays
from .errors import GradcalcError, InputError, MissingValues, NotUtf8, Unparsable
from .evaluate import evaluate as _evaluate
from .evaluate import forward
from .graph import Claim, Graph
from .parser import Program, parse, plain_number, written_claim


def evaluate(program, at=None, exact=True, wrt=None):
    """Evaluate a program (its text or a parsed Graph) with inputs from `at` (name -> a number,
    an array, nested lists, or a string read as the command line reads a value: "1/3", "pi/4");
    gradients with respect to every node, or only to the names in `wrt`. A name given in `at`
    is an input even where it is a constant's name (at={"e": 3})."""
    at = point(at)
    graph = program if isinstance(program, Graph) else parse(program, inputs=at)
    try:
        return _evaluate(graph, at, exact, wrt=wrt)
    except MissingValues as error:
        raise error.worded("at=") from None


def point(at):
    """The API's `at`: each string read as the command line reads a value, nested lists made
    arrays, anything else that is not a number or an array an InputError naming it."""
    values = {}
    for name, value in (at or {}).items():
        try:
            values[name] = constant(value) if isinstance(value, str) else arrays.adopt(value)
        except GradcalcError as error:
            raise InputError(f"at[{name!r}]: {error.message}") from None
    return values


def constant(text):
    """The value of a constant expression such as '3', '1/3' or 'pi/4' (exact where it can be)."""
    value = plain_number(text.strip())  # a plain number, read as the parser reads one, without a program
    if value is not None:
        return value
    graph = parse(text)
    if graph.inputs:
        raise InputError(f"{text!r} is not a constant: it uses {', '.join(graph.inputs)}")
    if len(graph.outputs) != 1 or graph.named:
        raise InputError(f"{text!r} is not a single expression")
    return forward(graph, {}, exact=True)[graph.outputs[0]]


def run(lines, at=None, exact=True, tolerance=None):
    """Read a program line by line and evaluate each output and check as soon as it is read.

    Yields an Evaluation per output, a Verdict per check (`tolerance` is the absolute tolerance
    of checks written without ±; one that cannot be judged is "not graded"), or the
    GradcalcError that stopped a line or an output;
    reading goes on after an error, so one bad problem in a file does not hide the rest.
    `Answers` gives the judgement of all the program's checks at its end too."""
    answers = Answers(point(at), exact, tolerance, way="at=")
    for number, line in enumerate(lines, 1):
        yield from answers.read(line, number)
    yield from answers.end()


class Answers:
    """A program read line by line and answered as it goes: each output evaluated, each check
    judged together with the program's earlier checks (one `check.Judge` for the program).
    `at`, `exact` and `tolerance` may change between lines, as the interactive session's do;
    `grading` holds check.Rules' fields (exact, significant, points, seed) as keywords.

    A check line that cannot be judged (it does not parse, names what the program does not bind,
    depends on a statement that failed, or its maths fails) is a Verdict too, "not graded", so
    that every check line counts. The error behind it is yielded first, unless it only follows
    from an earlier error (said once, where it happened)."""

    def __init__(self, at=None, exact=True, tolerance=None, grading=None, way="--at"):
        self.program = Program()
        self.at, self.exact, self.tolerance = dict(at or {}), exact, tolerance
        self.grading = grading or {}  # check.Rules' fields: exact, significant, points, seed
        self.way = way  # how the user gives a value, for the errors: "--at", ":at" or "at="
        self.judge = None  # made at the first check: a program without one never loads the judge
        self.not_graded = []  # for each check line in order: its not-graded Verdict, or None (the judge has it)

    def read(self, line, number):
        """One line: an Evaluation or Verdict per statement that has one, or the error that
        stopped a statement (and the not-graded Verdict of a check it stopped)."""
        self.program.given = self.at  # a name given a value is an input, even a constant's (e)
        for item in self.program.read_line(line, number):
            if not isinstance(item, GradcalcError):
                yield from self._answered(item)
            elif written_claim(self.program.statement) is not None:
                yield from self._not_graded(item, self.program.statement, number)
            else:
                yield item

    def end(self):
        """After the last line: the output of a program without one (its last assignment)."""
        for graph in self.program.read_end():
            yield self.answer(graph)

    def report(self):
        """The program's checks judged together (a `check.Report`, not-graded ones in their
        place), or None if it has none."""
        if not self.not_graded:
            return None
        from .check import Report

        report = Report((), ()) if self.judge is None else self.judge.report()
        judged = iter(report.verdicts)
        return replace(report, verdicts=tuple(v or next(judged) for v in self.not_graded))

    def answer(self, item):
        """Evaluate an output's Graph or judge a Claim; a GradcalcError is returned, not raised."""
        try:
            if isinstance(item, Claim):
                if self.judge is None:
                    from .check import Judge, Rules

                    self.judge = Judge(Rules(**self.grading))
                return self.judge.verdict(item, self.at, self.exact, self.tolerance)
            return _evaluate(item, self.at, self.exact)
        except GradcalcError as error:
            if isinstance(error, MissingValues) and self.way != error.way:
                error = error.worded(self.way)
            if error.line is None:  # an error about the statement as a whole, not about one of its nodes
                error.line = item.line if isinstance(item, Claim) else item.lines[0]
            return error

    def _answered(self, item):
        answer = self.answer(item)
        if not isinstance(item, Claim):
            yield answer
        elif isinstance(answer, GradcalcError):
            yield from self._not_graded(answer, item.text, item.line, error_line=answer.line)
        else:
            self.not_graded.append(None)
            yield answer

    def _not_graded(self, error, statement, line, error_line=None):
        """The error that stopped the check line `statement` (unless it follows from an earlier
        one), then the check's not-graded Verdict. An error met on another line than the check's
        (a node defined earlier that fails at this point) is what the check depends on."""
        from .check import Verdict

        depends_on = error.depends_on or (error_line if error_line not in (None, line) else None)
        if error.depends_on is None:
            yield error
        if depends_on is not None:
            reason = f"depends on line {depends_on}"
        elif isinstance(error, NotUtf8):
            reason = f"not UTF-8 at column {error.column}"
        elif isinstance(error, Unparsable):
            reason = f"syntax error at column {error.column}: {error.message}" if error.column else error.message
        else:
            reason = error.message
        _, of, wrt = written_claim(statement)
        claim = Claim(None, statement, line, of, wrt, None)
        verdict = Verdict(claim, None, None, False, status="not graded", reason=reason, depends_on=depends_on)
        self.not_graded.append(verdict)
        yield verdict
