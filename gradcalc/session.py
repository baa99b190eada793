"""What gradcalc's commands do, without click: reading --at and :at bindings, running programs
(eval, explain, check: errors said once each, the worst exit code kept), and the interactive
session's state. cli.py declares the commands and their options and calls these; repl.py reads
the terminal. Reports go to the chosen renderer, messages to standard error."""

import io
import math
import os
import sys
import time
import traceback

from . import render
from .api import Answers, constant
from .errors import GradcalcError, InputError
from .evaluate import Evaluation, forward
from .graph import INPUT
from .numbers import format_number, is_finite, precision_of
from .parser import Program, canonical_name, nearest_name
from .textwidth import shortened

# -- bindings ------------------------------------------------------------------------------------


def bindings(text, option="--at"):
    """{name: value} from NAME=VALUE[,NAME=VALUE...], each VALUE a constant expression (x=1/3,
    t=pi/4, W=[[1, 2], [3, 4]]). Whatever is wrong is an InputError naming `option`, with a
    caret under the spot in `text`."""
    values = {}
    for start, item in _items(text):
        written, equals, value = item.partition("=")
        name = canonical_name(written.strip())
        if not equals or name is None or not value.strip():
            if not equals:  # NAME=VALUE wants an = after the name
                column = start + len(item.rstrip())
            elif name is None:
                column = start + len(written) - len(written.lstrip())
            else:
                column = start + len(item)
            raise InputError(f"{option}: {item.strip()!r} is not NAME=VALUE (for example x=100 or t=pi/4)",
                             source=text, column=column + 1)
        at = start + len(written) + 1 + len(value) - len(value.lstrip())  # where the value starts
        try:
            values[name] = constant(value)
        except GradcalcError as error:  # a math error in a value is bad input too
            if error.column is not None and error.line in (None, 1):
                at += error.column - 1
            raise InputError(f"{option} {name}={shortened(value.strip(), 40)}: {error.message}", source=text,
                             column=at + 1) from None
    return values


def _items(text):
    """(start, item) for each comma-separated item outside brackets: x=pow(2,3),W=[[1,2],[3,4]]
    is two items."""
    depth, start = 0, 0
    for i, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            yield start, text[start:i]
            start = i + 1
    yield start, text[start:]


def point(texts, option="--at"):
    """The point given by several --at options, later ones over earlier ones."""
    at = {}
    for text in texts:
        at.update(bindings(text, option))
    return at


def require_used(at, lines, option="--at"):
    """A whole program given at once (an EXPR): an --at naming nothing in it is bad input, said
    before anything is evaluated (`--at aple=90` where the program has apple)."""
    if not at:
        return
    program = Program(given=at)
    for number, line in enumerate(lines, 1):
        if any(isinstance(item, GradcalcError) for item in program.read_line(line, number)):
            return  # a statement that cannot be read may hold the name: its error is said when it runs
    for name in at:
        if name not in program.scope:
            raise InputError(f"{option} {name}: the program has no name {name}{_did_you_mean(name, program.scope)}")


def _did_you_mean(name, names):
    near = nearest_name(name, list(names))
    return f" (did you mean {near}?)" if near else ""


# -- reading programs ----------------------------------------------------------------------------


class Unreadable(InputError):
    """A program file (or standard input) that cannot be read: bad input, exit 2."""


def file_lines(path):
    """The lines of FILE ('-': standard input) as UTF-8 text, read one at a time, so that a piped
    stream is answered as it arrives. Bytes that are not UTF-8 become U+FFFD, which the parser
    reports at their line and column, so one bad line does not stop the rest; a file that cannot
    be read is Unreadable, naming it."""
    name = "standard input" if path == "-" else path
    try:
        stream = _stdin() if path == "-" else open(path, encoding="utf-8", errors="replace")
        try:
            for line in stream:
                yield line.rstrip("\n")
        finally:
            if path == "-":
                stream.detach()  # leaves sys.stdin open: `gradcalc check - -` reads it again
            else:
                stream.close()
    except OSError as error:
        raise Unreadable(f"cannot read {name}: {error.strerror or error}") from None


def _stdin():
    """Standard input as UTF-8 text (bytes that are not UTF-8 become U+FFFD)."""
    if sys.stdin is None:
        raise Unreadable("standard input is closed: give the program as EXPR or with -f FILE")
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")


def say(message):
    """A message on standard error: an error, a warning."""
    print(message, file=sys.stderr, flush=True)


# -- running programs ----------------------------------------------------------------------------


class Outcome:
    """A command's run over its programs: each error said once on stderr (a node that fails is
    met again by every output and check that uses it), and the worst exit code seen."""

    def __init__(self, show=None):
        self.exit_code, self.said = 0, set()
        self.errors = []  # every GradcalcError reported, in order
        self.show = show  # the renderer, which may show an error in its place among the answers

    def error(self, error, where=""):
        """Report a GradcalcError (`where`: the file it is in, when several are read)."""
        self.failed(error.exit_code)
        self.errors.append(error)
        message = f"error: {where}{error}"
        if message not in self.said:
            self.said.add(message)
            say(message)
            if self.show is not None:
                self.show.error(error)
            if error.__cause__ is not None and os.environ.get("GRADCALC_DEBUG"):  # an internal error's origin
                say("".join(traceback.format_exception(error.__cause__)).rstrip())

    def failed(self, exit_code=1):
        """Something went wrong without an error to show (a wrong answer, a failed gradient check)."""
        self.exit_code = max(self.exit_code, exit_code)

    def answers(self, lines, at=None, exact=True, tolerance=None, where="", grading=None):
        """A program's Evaluations and Verdicts, each as soon as its line is read; then, if it has
        check lines, their Report; then the output of a program without one (its last
        assignment). Errors are reported here, and reading goes on after them."""
        answers = Answers(at, exact, tolerance, grading)
        for number, line in enumerate(lines, 1):
            yield from self._reported(answers.read(line, number), where)
        report = answers.report()
        if report is not None:
            yield report
        yield from self._reported(answers.end(), where)

    def _reported(self, items, where):
        for item in items:
            if isinstance(item, GradcalcError):
                self.error(item, where)
            else:
                yield item


def evaluate(lines, at, exact, show, gradcheck=False, draw=None, progress=False, grading=None):
    """gradcalc eval: each output shown (or given to `draw`) as soon as it is computed, with its
    gradient check when asked; each check line's verdict as it is judged, and when the program
    ends what later lines found. `progress`: a line count on stderr while a long run works.
    Returns the exit code."""
    outcome, seen_inputs, answered = Outcome(show), set(), 0
    with _Progress(progress) as shown:
        for item in outcome.answers(shown.count(lines), at, exact, grading=grading):
            shown.clear()
            if isinstance(item, Evaluation):
                answered += 1
                seen_inputs.update(item.graph.inputs)
                gradchecks = _gradchecks(item) if gradcheck else None
                if draw:
                    draw(item)
                else:
                    show.evaluation(item, gradchecks)
                _warn_non_finite(item)
                if gradchecks and not all(c.passed for per_output in gradchecks for c in per_output):
                    outcome.failed()
                continue
            from .check import Report  # only a program with check lines gets here

            if isinstance(item, Report):
                show.findings(item)
                continue
            answered += 1
            show.verdict(item)
            if not item.passed:
                outcome.failed()
    if answered:  # a stream of programs: a name may be used by only some of them
        for name in at:
            if name not in seen_inputs:
                say(f"warning: --at {name}: no program used that name{_did_you_mean(name, seen_inputs)}")
    if not answered and not outcome.exit_code:
        outcome.error(InputError("nothing to evaluate: the program has no statements"))
    return outcome.exit_code


def _gradchecks(evaluation):
    from .gradcheck import gradcheck

    return [gradcheck(evaluation, k) for k in range(len(evaluation.graph.outputs))]


def _warn_non_finite(evaluation):
    """A gradient that is inf or nan at a valid point (d/dx sqrt(x) at 0) is an answer, with a warning."""
    graph = evaluation.graph
    for output in range(len(graph.outputs)):
        gradient = evaluation.gradient_of(output)
        if all(map(is_finite, gradient.values())):
            continue
        name = graph.names[graph.outputs[output]] or "f"
        for input_name, grad in gradient.items():
            if not is_finite(grad):
                value = format_number(evaluation[input_name])
                reason = evaluation.no_derivative(graph.inputs[input_name], output)
                say(f"warning: ∂{name}/∂{input_name} is {format_number(grad)} at {input_name} = {value}"
                    + (f": {reason}" if reason else ""))


def explain(lines, at, exact, show, wrt=()):
    """gradcalc explain: for each output, as soon as it is computed, how its gradients are built
    (with respect to the names in `wrt`, or every input). Returns the exit code."""
    from .explain import explain as explained

    outcome = Outcome(show)
    for item in outcome.answers(lines, at, exact):
        if isinstance(item, Evaluation):  # not a check's verdict: explain shows gradients
            show.explanations([explained(item, k, wrt or None) for k in range(len(item.graph.outputs))])
    return outcome.exit_code


def check(paths, at, exact, tolerance, show, grading=None):
    """gradcalc check: each file's check lines judged, and shown as soon as the file is graded
    with its status (a file that cannot be read is reported and the others graded); then the
    class's gradebook. Returns the exit code: 1 when a check fails, unless an error is worse."""
    from .check import Report
    from .grades import gradebook, graded

    outcome, files = Outcome(), []
    for path in paths:
        report, start = None, len(outcome.errors)
        try:
            for item in outcome.answers(file_lines(path), at, exact, tolerance, f"{path}: ", grading):
                if isinstance(item, Report):
                    report = item
        except Unreadable as error:
            outcome.error(error)
            files.append(graded(path, None, outcome.errors[start:]))
            show.marks(files[-1])
            continue
        if report is None:
            report = Report((), ())
            if len(outcome.errors) == start:
                say(f"warning: {path} has no check lines")
        files.append(graded(path, report, outcome.errors[start:]))
        show.marks(files[-1])
        if report.passed < report.total:
            outcome.failed()
    show.end(gradebook(files))
    return outcome.exit_code


class _Progress:
    """After a second of work, a line count and the time on stderr, redrawn a few times a second."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.lines = 0
        self.shown = False
        self.lock = self.done = None

    def count(self, lines):
        for line in lines:
            self.lines += 1
            yield line

    def __enter__(self):
        if self.enabled:
            import threading  # only on a terminal

            self.lock, self.done = threading.Lock(), threading.Event()
            self.started = time.monotonic()
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.done.set()
            self.clear()

    def _tick(self):
        if self.done.wait(1.0):
            return
        while not self.done.wait(0.2):
            with self.lock:
                elapsed = time.monotonic() - self.started
                sys.stderr.write(f"\rgradcalc: line {self.lines:,}, {math.floor(elapsed)} s …")
                sys.stderr.flush()
                self.shown = True

    def clear(self):
        if self.shown:
            with self.lock:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
                self.shown = False


# -- the interactive session ---------------------------------------------------------------------

HELP = """\
Type a statement: `x = 3` binds an input, `s = x*y` names a node, a bare expression is
evaluated and its gradients shown, `check d(s)/d(x) = 2` checks an answer. Binding a name
again redefines it and what is defined from it follows (`x = 5`, then s is 5*y); `x += 1`
builds on x's definition. `ans` is the last answer's value.
  :at x=3,y=1/2    set inputs (constant expressions)      :format {formats}
  :explain         explain the last output's gradients     :float / :exact   how to compute
  :vars            the bindings and their values           :reset   forget every binding
  :precision N     significant digits shown (full: every digit; 6 by default)
  :help or help    this help                               :quit, quit, exit or Ctrl-D   leave"""

# Bare words that are commands, as at Python's prompt (in an expression they are still names).
WORDS = {"quit": ":quit", "exit": ":quit", "help": ":help"}
ANS = "ans"  # the last answer's value, an input the session gives, until the session defines the name


class Session:
    """What an interactive session remembers from line to line: the program so far and how its
    lines are answered (the point, exact or float), the output format, the last output."""

    def __init__(self, output_format, out=None):
        self.out = out or sys.stdout
        self.answers = self._answers()
        self.options = render.Options()
        self.format, self.show = output_format, render.renderer(output_format, self.out, self.options)
        self.last = None

    @staticmethod
    def _answers(exact=True):
        """A program read as the session reads it: a name bound again is redefined."""
        answers = Answers(exact=exact, way=":at")
        answers.program = Program(redefine=True)
        return answers

    def handle(self, line, number):
        """One line: a statement or a colon command. False when the session should end."""
        command, _, argument = WORDS.get(line.strip(), line.strip()).partition(" ")
        if not command.startswith(":"):
            self._answer_is_given()
            for item in self.answers.read(line, number):
                if isinstance(item, GradcalcError):
                    say(f"error: {item}")
                elif isinstance(item, Evaluation):
                    self.last = item
                    self.show.evaluation(item)
                else:
                    self.show.verdict(item)
            self._answer_is_given()
            return True
        if command in (":quit", ":q", ":exit"):
            return False
        if command == ":help":
            print(HELP.format(formats="|".join(render.names(render.EVALUATIONS))), file=self.out)
        elif command == ":at":
            try:
                self.answers.at.update(bindings(argument, ":at"))
            except InputError as error:
                say(f"error: {error}")
        elif command == ":format":
            self._format(argument.strip())
        elif command in (":float", ":exact"):
            self.answers.exact = command == ":exact"
        elif command == ":reset":
            self.answers, self.last = self._answers(self.answers.exact), None
        elif command == ":explain":
            self._explain()
        elif command == ":vars":
            self._vars()
        elif command == ":precision":
            self._precision(argument)
        else:
            say(f"error: unknown command {command}; :help lists them")
        return True

    def _answer_is_given(self):
        """ans is the last answer's value, given as :at gives a value, unless the session defines ans."""
        if ANS in self.answers.program.definitions:
            self.answers.at.pop(ANS, None)
        elif self.last is not None:
            self.answers.at[ANS] = self.last.value

    def _vars(self):
        """Each name the session knows, its value and where the value comes from."""
        program, at = self.answers.program, self.answers.at
        rows = []
        for name, node in program.scope.items():
            if name in program.definitions:
                source = "; ".join(record[3] for record in program.definitions[name])
            elif name in at:
                source = "the last answer" if name == ANS else ":at"
            else:
                source = f"no value yet: give it with :at {name}=VALUE"
            value, note = self._value(program.tape.graph([node], [name], program.named))
            rows.append((name if value is None else f"{name} = {value}", source + (f" ({note})" if note else "")))
        rows += [(f"{name} = {format_number(value)}", "the last answer" if name == ANS else ":at")
                 for name, value in at.items() if name not in program.scope]
        if not rows:
            print("nothing is bound yet", file=self.out)
        width = max((len(left) for left, _ in rows), default=0)
        for left, source in rows:
            print(f"{left.ljust(width)}   {source}", file=self.out)

    def _value(self, graph):
        """(The output's value as shown, None) or (None, why it has none)."""
        missing = [name for name, node in graph.inputs.items() if name not in self.answers.at and
                   graph.leaf_values[node] is None]
        if missing:
            return None, None if graph.kinds[graph.outputs[0]] == INPUT else f"no value yet: needs {', '.join(missing)}"
        try:
            return format_number(forward(graph, self.answers.at, self.answers.exact)[graph.outputs[0]]), None
        except GradcalcError as error:
            return None, error.message

    def _format(self, name):
        formats = render.names(render.EVALUATIONS)
        if name not in formats:
            say(f"error: :format takes {', '.join(formats[:-1])} or {formats[-1]}")
            return
        self.format, self.show = name, render.renderer(name, self.out, self.options)

    def _precision(self, text):
        try:
            self.options = self.options._replace(precision=precision_of(text))
        except ValueError as error:
            say(f"error: :precision {error}")
            return
        self.show = render.renderer(self.format, self.out, self.options)

    def _explain(self):
        """The last output's explanation, in the session's format where it has one for them."""
        from .explain import explain as explained

        if self.last is None:
            say("error: nothing to explain yet: evaluate an expression first")
            return
        shown = self.format if self.format in render.names(render.EXPLANATIONS) else "plain"
        explanations = [explained(self.last, k) for k in range(len(self.last.graph.outputs))]
        render.renderer(shown, self.out, self.options).explanations(explanations)
