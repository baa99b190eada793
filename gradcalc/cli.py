"""The command line: a thin click layer over the API. The only module that imports click.

Exit codes: 0 success; 1 a math error (division by zero, a function outside its domain,
overflow); 2 bad input (syntax, unknown name or function, wrong arguments, missing value,
malformed --at).
"""

import importlib
import io
import math
import sys
import time

import click

from . import __version__
from .api import constant, run
from .errors import GradcalcError
from .evaluate import Evaluation
from .numbers import format_number, is_finite

EXAMPLE = """\b
Example, the textbook's shopping bill (apples 100 yen × 5, oranges 80 × 3, tax 1.08):
  gradcalc eval "(apple*5 + orange*3) * 1.08" --at apple=100,orange=80
"""

FORMATS = ("rich", "plain", "json", "dot", "mermaid")


class Bindings(click.ParamType):
    """NAME=VALUE[,NAME=VALUE...], each VALUE a constant expression such as 1/3 or pi/4."""

    name = "NAME=VALUE[,...]"

    def convert(self, value, param, ctx):
        if isinstance(value, dict):
            return value
        bindings = {}
        for item in _split_top_level(value):
            name, equals, text = item.partition("=")
            name = name.strip()
            if not equals or not name.isidentifier() or not text.strip():
                self.fail(f"{item.strip()!r} is not NAME=VALUE (for example x=100 or t=pi/4)", param, ctx)
            try:
                bindings[name] = constant(text)
            except GradcalcError as error:
                self.fail(f"{name}={text.strip()}: {error.message}", param, ctx)
        return bindings


def _split_top_level(text):
    """Split at commas outside brackets, so x=pow(2,3),W=[[1,2],[3,4]] is two items."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


@click.group(invoke_without_command=True, epilog=EXAMPLE)
@click.version_option(__version__, prog_name="gradcalc")
@click.pass_context
def main(ctx):
    """gradcalc: the value and the gradient of every node of an expression graph.

    With no command on a terminal, gradcalc starts an interactive session (gradcalc repl)."""
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(repl_command)
        else:
            click.echo(ctx.get_help())


def _point_options(command):
    """--at, --float and --precision: where to evaluate, how to compute, how to show numbers."""
    command = click.option("--precision", type=click.IntRange(min=1), metavar="N",
                           help="Round what is shown to N significant digits (never what is computed).")(command)
    command = click.option("--float", "use_float", is_flag=True,
                           help="Compute in IEEE doubles instead of exact rationals.")(command)
    return click.option("--at", "bindings", type=Bindings(), multiple=True,
                        help="Set inputs, e.g. --at x=100,y=1/3 (repeatable; values may be constant expressions).")(
        command
    )


def _merged(bindings):
    at = {}
    for binding in bindings:
        at.update(binding)
    return at


# A leading minus starts an expression, not an option: gradcalc eval "-x^2" --at x=3
EXPRESSION_COMMAND = {"ignore_unknown_options": True}


@main.command("eval", epilog=EXAMPLE, context_settings=EXPRESSION_COMMAND)
@click.argument("expr", required=False)
@click.option("-f", "--file", "path", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
              help="Read the program from FILE ('-' for standard input).")
@_point_options
@click.option("--format", "output_format", type=click.Choice(FORMATS),
              help="Output format [default: rich on a terminal, plain otherwise].")
@click.option("--all", "show_all", is_flag=True, help="Show every node of big graphs instead of a summary.")
@click.option("--gradcheck", is_flag=True,
              help="Compare each gradient with a central finite difference; exit 1 if one disagrees.")
@click.option("-o", "--output", "picture", type=click.Path(dir_okay=False),
              help="Draw the graph into FILE: .svg, .png or .pdf (needs Graphviz), .dot or .mmd (text).")
def eval_command(expr, path, bindings, use_float, precision, output_format, show_all, gradcheck, picture):
    """Evaluate EXPR (or a program from -f FILE or standard input): every node's value and
    its gradient, backpropagated from each output.

    Statements are separated by newlines or ';'. `name = 3` makes an input, `name = expr`
    names a node, and every bare expression is an output. `check` lines are judged too."""
    at = _merged(bindings)
    lines = _program_lines(expr, path)
    output_format = output_format or ("rich" if sys.stdout.isatty() else "plain")
    pictures = _Pictures(picture) if picture else None
    show = _Display(output_format, precision, None if show_all else 40)
    seen_inputs = set()
    exit_code, evaluated = 0, 0
    with _Progress(enabled=output_format != "json" and sys.stderr.isatty()) as progress:
        for item in run(progress.count(lines), at, exact=not use_float):
            progress.clear()
            if isinstance(item, GradcalcError):
                click.echo(f"error: {item}", err=True)
                exit_code = max(exit_code, item.exit_code)
                continue
            evaluated += 1
            if not isinstance(item, Evaluation):  # a check's verdict
                show.verdict(item)
                exit_code = max(exit_code, 0 if item.passed else 1)
                continue
            seen_inputs.update(item.graph.inputs)
            comparisons = _gradchecks(item) if gradcheck else None
            if pictures:
                pictures.draw(item)
            else:
                show.evaluation(item, comparisons)
            _warn_non_finite(item)
            if comparisons and not all(c.passed for per_output in comparisons for c in per_output):
                exit_code = max(exit_code, 1)
    unused = [name for name in at if name not in seen_inputs]
    if unused and evaluated:
        click.echo(f"warning: --at {', '.join(unused)}: no input of that name was used", err=True)
    if not evaluated and not exit_code:
        click.echo("error: nothing to evaluate: the program has no statements", err=True)
        exit_code = 2
    sys.exit(exit_code)


def _gradchecks(evaluation):
    from .gradcheck import gradcheck

    return [gradcheck(evaluation, k) for k in range(len(evaluation.graph.outputs))]


def _program_lines(expr, path):
    """The program's lines, read lazily so that a piped stream is answered as it arrives."""
    if expr is not None and path is not None:
        raise click.UsageError("give either EXPR or -f FILE, not both")
    if path is not None and path != "-":
        return _lines_of(_text_file(path))
    if expr is not None and expr != "-":
        return expr.splitlines() or [""]
    stdin = _stdin()
    if stdin.isatty():
        raise click.UsageError(
            'no expression given. Try: gradcalc eval "x*y + x" --at x=3,y=2\n'
            "or pipe a program in: cat problems.gc | gradcalc eval"
        )
    return _lines_of(stdin)


def _lines_of(stream):
    for line in stream:
        yield line.rstrip("\n")


def _text_file(path):
    """UTF-8 text; bytes that are not UTF-8 become U+FFFD, which the parser reports at their
    line and column, so one bad line does not stop the rest."""
    return open(path, encoding="utf-8", errors="replace")


def _stdin():
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")


class _Display:
    """Shows each Evaluation and Verdict in the chosen format as soon as it comes, flushed."""

    COMMENT = {"dot": "// ", "mermaid": "%% "}  # check lines and gradchecks inside a picture's text

    def __init__(self, output_format, precision, max_nodes):
        self.format, self.precision, self.max_nodes = output_format, precision, max_nodes
        self.blocks = 0
        if output_format == "rich":
            from .render import richview

            self.richview = richview
            self.console = richview.console()
        else:  # only the chosen format's module is imported
            module = {"plain": "plain", "json": "jsonl", "dot": "dot", "mermaid": "mermaid"}[output_format]
            self.render = importlib.import_module(f"{__package__}.render.{module}").render

    def evaluation(self, evaluation, comparisons=None):
        if self.format == "rich":
            self.richview.render(evaluation, self.console, self.precision, self.max_nodes)
            if comparisons:
                self.richview.render_gradcheck(evaluation, comparisons, self.console, self.precision)
            return
        text = self.render(evaluation, self.precision, self.max_nodes)
        if comparisons:
            text = self._with_gradcheck(text, evaluation, comparisons)
        if self.blocks and self.format == "plain":
            text = "\n" + text
        self.blocks += 1
        self._write(text)

    def _with_gradcheck(self, text, evaluation, comparisons):
        from .render import gradcheck

        if self.format == "json":
            return gradcheck.json_merged(text, comparisons)
        table = gradcheck.plain(evaluation, comparisons, self.precision)
        return text + self._commented([""] + table.splitlines())

    def verdict(self, verdict):
        from .render import checks  # only programs with check lines need it

        lines = checks.verdict_lines(verdict, precision=self.precision)
        if self.format == "rich":
            self.richview.render_check_text("\n".join(lines), self.console)
        elif self.format == "json":
            self._write(checks.json_lines([(None, [verdict])]))
        else:
            self._write(self._commented(lines))

    def _commented(self, lines):
        prefix = self.COMMENT.get(self.format, "")
        return "".join(f"{prefix}{line}\n" if line else "\n" for line in lines)

    @staticmethod
    def _write(text):
        sys.stdout.write(text)
        sys.stdout.flush()


class _Pictures:
    """-o FILE: the graph as .dot or .mmd text, or drawn by Graphviz's dot as .svg, .png, .pdf.
    A program with several outputs gets FILE, FILE-2, FILE-3, …"""

    DRAWN = (".svg", ".png", ".pdf")

    def __init__(self, path):
        import shutil
        from pathlib import Path

        self.path = Path(path)
        self.count = 0
        suffix = self.path.suffix.lower()
        if suffix not in self.DRAWN + (".dot", ".gv", ".mmd"):
            raise click.UsageError(f"-o {path}: the file must end in .svg, .png, .pdf, .dot, .gv or .mmd")
        if suffix in self.DRAWN and shutil.which("dot") is None:
            raise click.ClickException(
                f"-o {path} needs Graphviz's dot program, which is not installed. Install Graphviz "
                "(apt install graphviz, brew install graphviz, or see graphviz.org), or write the graph "
                "as text with --format dot (or -o FILE.dot) and draw it elsewhere."
            )

    def draw(self, evaluation):
        import subprocess

        from .render import dot, mermaid

        self.count += 1
        target = self.path
        if self.count > 1:
            target = self.path.with_name(f"{self.path.stem}-{self.count}{self.path.suffix}")
        suffix = target.suffix.lower()
        text = (mermaid if suffix == ".mmd" else dot).render(evaluation)
        if suffix in self.DRAWN:
            done = subprocess.run(["dot", f"-T{suffix[1:]}", "-o", str(target)], input=text, text=True,
                                  capture_output=True)
            if done.returncode != 0:
                raise click.ClickException(f"Graphviz could not draw {target}: {done.stderr.strip()}")
        else:
            target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}", err=True)


@main.command("explain", epilog=EXAMPLE, context_settings=EXPRESSION_COMMAND)
@click.argument("expr", required=False)
@click.option("-f", "--file", "path", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
              help="Read the program from FILE ('-' for standard input).")
@_point_options
@click.option("--wrt", multiple=True, metavar="NAME", help="Explain ∂output/∂NAME only (repeatable).")
@click.option("--format", "output_format", type=click.Choice(("rich", "plain", "json", "md")),
              help="Output format [default: rich on a terminal, plain otherwise]; md is Markdown with LaTeX.")
@click.option("--all", "show_all", is_flag=True, help="Show every step of a big graph's backward sweep.")
def explain_command(expr, path, bindings, use_float, precision, wrt, output_format, show_all):
    """Show how each gradient is built: every path from an input to the output as a product
    of local partials (the chain rule), then the backward sweep node by node, each gradient
    the sum over the node's consumers of their gradient times the local partial."""
    from .explain import explain
    from .render import explain as shown

    at = _merged(bindings)
    output_format = output_format or ("rich" if sys.stdout.isatty() else "plain")
    max_steps = None if show_all else shown.SWEEP_LIMIT
    console = None
    exit_code = 0
    for item in run(_program_lines(expr, path), at, exact=not use_float):
        if isinstance(item, GradcalcError):
            click.echo(f"error: {item}", err=True)
            exit_code = max(exit_code, item.exit_code)
            continue
        if not isinstance(item, Evaluation):  # a check's verdict: explain shows gradients
            continue
        explanations = [explain(item, k, wrt or None) for k in range(len(item.graph.outputs))]
        if output_format == "rich":
            from .render import richview

            console = console or richview.console()
            shown.rich(explanations, console, precision, max_steps)
        elif output_format == "json":
            click.echo(shown.json_lines(explanations), nl=False)
        elif output_format == "md":
            click.echo(shown.markdown(explanations, precision, max_steps))
        else:
            click.echo(shown.plain(explanations, precision, max_steps))
    sys.exit(exit_code)


@main.command("repl")
@click.option("--format", "output_format", type=click.Choice(FORMATS),
              help="Output format [default: rich on a terminal, plain otherwise].")
def repl_command(output_format=None):
    """An interactive session: one statement per line, bindings kept between lines;
    :at, :format, :explain, :help, :quit."""
    from .repl import session

    output_format = output_format or ("rich" if sys.stdout.isatty() else "plain")
    session(lambda chosen: _Display(chosen, None, 40), Bindings(), output_format)


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@_point_options
@click.option("--format", "output_format", type=click.Choice(("rich", "plain", "json", "csv")),
              help="Output format [default: rich on a terminal, plain otherwise]; csv is a gradebook.")
@click.option("--no-reveal", is_flag=True, help="Do not show the correct answers (for published feedback).")
@click.option("--tol", "tolerance", type=click.FloatRange(min=0), metavar="X",
              help="Accept answers within X of the true value when a check gives no ± tolerance.")
def check_command(files, bindings, use_float, precision, output_format, no_reveal, tolerance):
    """Judge every `check` line of each FILE: ✓ or ✗, the answer given, the correct one, and
    for a wrong gradient the likely mistake and where the reasoning first broke.

    \b
    check E = 799.2                  a node's value
    check d(E)/d(apple) = 5.4        a gradient (also written ∂E/∂apple)
    check d(E)/d(u) = 1.08 ± 0.01    with an absolute tolerance (also +-)

    Exit code 0 when every check passes, 1 when one fails, 2 on bad input."""
    from .check import trace_consequences
    from .render import checks

    at = _merged(bindings)
    results, exit_code = [], 0
    for path in files:
        verdicts = []
        lines = _lines_of(_stdin() if path == "-" else _text_file(path))
        for item in run(lines, at, exact=not use_float, tolerance=tolerance):
            if isinstance(item, GradcalcError):
                click.echo(f"error: {path}: {item}", err=True)
                exit_code = 2
            elif not isinstance(item, Evaluation):
                verdicts.append(item)
        trace_consequences(verdicts)
        if not verdicts and not exit_code:
            click.echo(f"warning: {path} has no check lines", err=True)
        results.append((path, verdicts))
    output_format = output_format or ("rich" if sys.stdout.isatty() else "plain")
    reveal = not no_reveal
    if output_format == "json":
        click.echo(checks.json_lines(results, reveal), nl=False)
    elif output_format == "csv":
        click.echo(checks.csv_table(results), nl=False)
    elif output_format == "plain":
        click.echo(checks.plain(results, reveal, precision), nl=False)
    else:
        from .render import richview

        richview.render_check_text(checks.plain(results, reveal, precision), richview.console())
    if exit_code == 0 and not all(v.passed for _, verdicts in results for v in verdicts):
        exit_code = 1
    sys.exit(exit_code)


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
                click.echo(f"warning: ∂{name}/∂{input_name} is {format_number(grad)} at {input_name} = {value}", err=True)


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
