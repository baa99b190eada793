"""The command line: the click commands and their options, each calling what session.py does
for it. The only module that imports click.

Exit codes: 0 success; 1 a math error (division by zero, a function outside its domain,
overflow) or a failed check; 2 bad input (syntax, unknown name or function, wrong arguments,
missing value, malformed --at, a file that cannot be read); 3 unfinished (out of memory, or the
output could not be written); 70 an internal error (a rule of the op table failed: gradcalc's
bug); 130 interrupted (SIGINT); 141 the reader of the output went away (SIGPIPE). Every failure becomes a message and its exit code in one place, `_reported_failures`.
"""

import contextlib
import errno
import math
import os
import sys

import click

from . import __version__, render, session, streams
from .errors import GradcalcError, InputError
from .numbers import FULL, MAX_PRECISION, precision_of

EXIT_UNFINISHED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 3, 128 + 2, 128 + 13

EXAMPLE = """\b
Example, the textbook's shopping bill (apples 100 yen × 5, oranges 80 × 3, tax 1.08):
  gradcalc eval "(apple*5 + orange*3) * 1.08" --at apple=100,orange=80
"""
EXPLAIN_EXAMPLE = """\b
Example, how ∂E/∂apple = 5.4 is built along the graph of the shopping bill:
  gradcalc explain "(apple*5 + orange*3) * 1.08" --at apple=100,orange=80 --wrt apple
"""
CHECK_EXAMPLE = """\b
Example, a homework file and a class's folder as a gradebook:
  gradcalc check samples/homework.gc
  gradcalc check homework/*.gc --format csv > grades.csv
"""
REPL_EXAMPLE = """\b
Example session:
  > x = 3
  > x^2 + 2*x
  > :at x=5
"""


@contextlib.contextmanager
def _reported_failures():
    """Whatever stops a run, from any command: a GradcalcError, Ctrl-C, memory running out, an
    output that cannot be written. Each becomes one message on stderr and its exit code; a reader
    that went away (`gradcalc … | head -1`) ends the run quietly, as it does other Unix tools."""
    try:
        yield
    except GradcalcError as error:
        _fail(f"error: {error}", error.exit_code)
    except KeyboardInterrupt:
        _fail("gradcalc: interrupted", EXIT_INTERRUPTED)
    except MemoryError:
        _fail("error: out of memory: the program needs more memory than there is", EXIT_UNFINISHED)
    except OSError as error:  # reading is reported as bad input where it happens: this is writing
        _discard_output()
        if error.errno == errno.EPIPE:
            sys.exit(EXIT_BROKEN_PIPE)
        _fail(f"error: cannot write {error.filename or 'the output'}: {error.strerror}", EXIT_UNFINISHED)


def _fail(message, exit_code):
    try:
        click.echo(message, err=True)
    except OSError:  # stderr cannot take it either: the exit code still tells
        pass
    sys.exit(exit_code)


def _discard_output():
    """Point stdout at the null device, so the text still buffered cannot fail again at exit."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's capture)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


class _Gradcalc(click.Group):
    """The gradcalc command group: streams prepared before any command runs, and every failure
    reported by `_reported_failures` before click would turn Ctrl-C and SIGPIPE into exit 1.
    A first argument that is not a command is an expression for `eval` (`gradcalc "x*y" --at
    x=2,y=3`), as is standard input when nothing else is given and it is not a terminal."""

    def main(self, *args, **kwargs):
        with _reported_failures():
            streams.prepare()
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()  # a full disk shows here at the latest, while it can be reported

    def make_context(self, *args, **kwargs):
        with _reported_failures():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _reported_failures():
            return super().invoke(ctx)

    def parse_args(self, ctx, args):
        if not ctx.resilient_parsing and self._evaluates(ctx, args):
            args = ["eval", *args]
        return super().parse_args(ctx, args)

    def _evaluates(self, ctx, args):
        """Whether these arguments are eval's: an expression (or eval's options) first, or nothing
        at all with a program coming in on standard input."""
        if not args:
            return sys.stdin is not None and not sys.stdin.isatty()
        first = args[0]
        if first in self.commands or first in _option_names(self, ctx):
            return False
        if first.isalpha() and first.islower():  # `chek` is more likely a command mistyped than a name
            import difflib

            if difflib.get_close_matches(first, self.commands, n=1, cutoff=0.75):
                raise click.NoSuchCommand(first, possibilities=self.commands, ctx=ctx)
        return True


def _option_names(command, ctx):
    """Every spelling of every option `command` takes (--format, -f, --help, -h …)."""
    return {name for param in command.get_params(ctx) for name in (*param.opts, *param.secondary_opts)}


class _ExpressionCommand(click.Command):
    """A command whose EXPR may start with a minus (`gradcalc eval "-x^2" --at x=3`): an argument
    with one leading dash that is not an option is the expression. A mistyped long option is still
    an error, with click's did-you-mean, not an extra argument."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.context_settings = {**self.context_settings, "ignore_unknown_options": True}

    def parse_args(self, ctx, args):
        if not ctx.resilient_parsing:
            known = _option_names(self, ctx)
            for arg in args:
                if arg == "--":
                    break
                name = arg.split("=", 1)[0]
                if name.startswith("--") and len(name) > 2 and name not in known:
                    raise click.NoSuchOption(name, possibilities=sorted(known), ctx=ctx)
        return super().parse_args(ctx, args)


@click.group(cls=_Gradcalc, invoke_without_command=True, epilog=EXAMPLE,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="gradcalc")
@click.pass_context
def main(ctx):
    """gradcalc: the value and the gradient of every node of an expression graph.

    `gradcalc EXPR [options]` is `gradcalc eval EXPR [options]`, and a program piped in
    (`echo "x*y" | gradcalc --at x=2,y=3`) is evaluated too. With nothing given on a terminal,
    gradcalc starts an interactive session (gradcalc repl)."""
    if ctx.invoked_subcommand is None:
        if sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(repl_command)
        else:
            click.echo(ctx.get_help())


class _Precision(click.ParamType):
    """--precision N (significant digits, 1 to MAX_PRECISION) or --precision full."""

    name = "precision"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or value == FULL:
            return value
        try:
            return precision_of(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


def _point_options(command):
    """--at, --float and --precision: where to evaluate, how to compute, how to show numbers."""
    command = click.option("--precision", type=_Precision(), metavar="N|full",
                           help=f"Show floats to N significant digits, 1 to {MAX_PRECISION} (6 by default), "
                                "or every digit with 'full' (never changes what is computed).")(command)
    command = click.option("--float", "use_float", is_flag=True,
                           help="Compute in IEEE doubles instead of exact rationals.")(command)
    return click.option("--at", "bindings", multiple=True, metavar="NAME=VALUE[,...]",
                        help="Set inputs, e.g. --at x=100,y=1/3 (repeatable; values may be constant expressions).")(
        command
    )


def _grading_options(command):
    """--exact, --sig, --points, --seed: how check lines' answers are judged (check.Rules)."""
    command = click.option("--seed", type=int, default=0, show_default=True, metavar="S",
                           help="Seed of the random points of --points.")(command)
    command = click.option("--points", type=click.IntRange(0, 1000), default=0, metavar="N",
                           help="Also check each formula answer at N random points near the inputs.")(command)
    command = click.option("--sig", "significant", type=click.IntRange(1, 17), default=3, show_default=True,
                           metavar="N", help="The fewest significant digits a rounded answer must show.")(command)
    return click.option("--exact", "exact_answers", is_flag=True,
                        help="Accept only answers equal to the true value: no rounding, no float noise.")(command)


def _grading(exact_answers, significant, points, seed):
    return {"exact": exact_answers, "significant": significant, "points": points, "seed": seed}


def _finite(ctx, param, value):
    """A tolerance of nan would fail every right answer, one of inf pass every wrong one."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a tolerance: give a finite number, such as 0.01")
    return value


@main.command("eval", cls=_ExpressionCommand, epilog=EXAMPLE)
@click.argument("expr", required=False)
@click.option("-f", "--file", "path", metavar="FILE", help="Read the program from FILE ('-' for standard input).")
@_point_options
@click.option("--format", "output_format", type=click.Choice(render.names(render.EVALUATIONS)),
              help="Output format [default: rich on a terminal, plain otherwise].")
@click.option("--all", "show_all", is_flag=True, help="Show every node of big graphs instead of a summary.")
@click.option("--gradcheck", is_flag=True,
              help="Compare each gradient with a central finite difference; exit 1 if one disagrees.")
@click.option("-o", "--output", "picture", type=click.Path(dir_okay=False),
              help="Draw the graph into FILE: .svg (drawn by gradcalc), .png or .pdf (need Graphviz), "
                   ".dot or .mmd (text).")
@click.option("--engine", type=click.Choice(["gradcalc", "graphviz"]),
              help="Who draws -o FILE.svg: gradcalc itself (the default) or Graphviz's dot.")
@_grading_options
def eval_command(expr, path, bindings, use_float, precision, output_format, show_all, gradcheck, picture, engine,
                 exact_answers, significant, points, seed):
    """Evaluate EXPR (or a program from -f FILE or standard input): every node's value and
    its gradient, backpropagated from each output.

    Statements are separated by newlines or ';'. `name = 3` makes an input, `name = expr`
    names a node, and every bare expression is an output. `check` lines are judged too."""
    at = session.point(bindings)
    lines = _program_lines(expr, path, at)
    output_format = _format(output_format)
    source = path or "-" if expr in (None, "-") else None  # the file the program is read from
    if engine and not picture:
        raise click.UsageError("--engine says who draws -o FILE: give -o FILE.svg too")
    draw = _Pictures(picture, source, engine, precision).draw if picture else None
    options = render.Options(precision, show_all, source=path if path not in (None, "-") else None)
    show = render.renderer(output_format, sys.stdout, options)
    sys.exit(session.evaluate(lines, at, not use_float, show, gradcheck, draw,
                              progress=output_format != "json" and sys.stderr.isatty(),
                              grading=_grading(exact_answers, significant, points, seed)))


def _format(chosen):
    """The --format given, or the default: rich on a terminal, plain otherwise."""
    return chosen or ("rich" if sys.stdout.isatty() else "plain")


def _program_lines(expr, path, at):
    """The program's lines, read lazily so that a piped stream is answered as it arrives. An
    EXPR, whole at once, must use every name given with --at."""
    if expr is not None and path is not None:
        raise click.UsageError("give either EXPR or -f FILE, not both")
    if expr is not None and expr != "-":
        lines = expr.splitlines() or [""]
        session.require_used(at, lines)
        return lines
    if path in (None, "-") and sys.stdin is not None and sys.stdin.isatty():
        raise click.UsageError(
            'no expression given. Try: gradcalc eval "x*y + x" --at x=3,y=2\n'
            "or pipe a program in: cat problems.gc | gradcalc eval"
        )
    return session.file_lines(path or "-")


class _Pictures:
    """-o FILE: the graph as .dot or .mmd text, drawn as .svg by gradcalc (or, with --engine
    graphviz, by Graphviz's dot), or as .png or .pdf by dot. A program with several outputs
    gets FILE, FILE-2, FILE-3, …; those extra files are created new, never over an existing file
    (or through a link), and FILE may not be the program read."""

    DRAWN = (".svg", ".png", ".pdf")

    def __init__(self, path, source, engine=None, precision=None):
        """`source` is the program's file, '-' for standard input, or None for an EXPR."""
        import shutil
        from pathlib import Path

        self.path, self.precision = Path(path), precision
        self.count = 0
        suffix = self.path.suffix.lower()
        if suffix not in self.DRAWN + (".dot", ".gv", ".mmd"):
            raise click.UsageError(f"-o {path}: the file must end in .svg, .png, .pdf, .dot, .gv or .mmd")
        if engine == "gradcalc" and suffix != ".svg" or engine == "graphviz" and suffix not in self.DRAWN:
            raise click.UsageError(f"--engine {engine} does not draw {suffix} files: gradcalc draws .svg, "
                                   "Graphviz .svg, .png and .pdf")
        self.graphviz = suffix in self.DRAWN and (suffix != ".svg" or engine == "graphviz")
        if not self.path.parent.is_dir():
            raise click.UsageError(f"-o {path}: there is no folder {self.path.parent}")
        if source is not None and _same_file(path, source):
            raise click.UsageError(f"-o {path} is the program being read; write the picture to another file")
        if self.graphviz and shutil.which("dot") is None:
            raise click.ClickException(
                f"-o {path} needs Graphviz's dot program, which is not installed. Install Graphviz "
                "(apt install graphviz, brew install graphviz, or see graphviz.org), or write the graph "
                "as text with --format dot (or -o FILE.dot) and draw it elsewhere; gradcalc draws "
                "-o FILE.svg itself."
            )

    def draw(self, evaluation):
        import subprocess

        from .render import dot, mermaid, svg

        self.count += 1
        target = self.path
        if self.count > 1:
            target = self.path.with_name(f"{self.path.stem}-{self.count}{self.path.suffix}")
        suffix = target.suffix.lower()
        if suffix == ".svg" and not self.graphviz:
            try:
                text = svg.render(evaluation, self.precision)
            except svg.TooBig:
                raise click.ClickException(
                    f"-o {target}: the graph is too big for gradcalc to draw (its layout would take more "
                    f"than {svg.picture.MAX_VERTICES:,} vertices); --engine graphviz draws it with Graphviz"
                ) from None
        else:
            text = (mermaid if suffix == ".mmd" else dot).render(evaluation)
        file = self._created(target)
        try:
            with file:
                if self.graphviz:  # dot writes into the file opened here, never by name
                    done = subprocess.run(["dot", f"-T{suffix[1:]}"], input=text.encode("utf-8"), stdout=file,
                                          stderr=subprocess.PIPE)
                    if done.returncode != 0:
                        message = done.stderr.decode("utf-8", "replace").strip()
                        raise click.ClickException(f"Graphviz could not draw {target}: {message}")
                else:
                    file.write(text.encode("utf-8"))
        except (OSError, click.ClickException) as error:
            if target != self.path:  # a FILE-2 made here and left unfinished would block the next run
                with contextlib.suppress(OSError):
                    os.unlink(target)
            if isinstance(error, OSError):
                raise OSError(error.errno, error.strerror, str(target)) from None
            raise
        click.echo(f"wrote {target}", err=True)

    def _created(self, target):
        """FILE itself is opened as given (replacing it is what -o asks for); FILE-2, FILE-3, …
        only if nothing of that name exists."""
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        if target == self.path:
            flags |= os.O_TRUNC
        else:
            flags |= os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            return os.fdopen(os.open(target, flags, 0o666), "wb")
        except FileExistsError:
            raise InputError(f"-o {self.path}: the output number {self.count} would go to {target}, which "
                             "already exists; gradcalc never overwrites a file it was not given: move that "
                             "away or choose another name") from None
        except OSError as error:
            raise InputError(f"cannot create {target}: {error.strerror}") from None


def _same_file(path, source):
    """Whether the file at `path` is `source` ('-': whatever standard input reads), by device and inode."""
    try:
        output = os.stat(path)
        program = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
    except (AttributeError, OSError, ValueError):  # not there yet, or no file behind stdin
        return False
    return (output.st_dev, output.st_ino) == (program.st_dev, program.st_ino)


@main.command("explain", cls=_ExpressionCommand, epilog=EXPLAIN_EXAMPLE)
@click.argument("expr", required=False)
@click.option("-f", "--file", "path", metavar="FILE", help="Read the program from FILE ('-' for standard input).")
@_point_options
@click.option("--wrt", multiple=True, metavar="NAME", help="Explain ∂output/∂NAME only (repeatable).")
@click.option("--format", "output_format", type=click.Choice(render.names(render.EXPLANATIONS)),
              help="Output format [default: rich on a terminal, plain otherwise]; md is Markdown with LaTeX.")
@click.option("--all", "show_all", is_flag=True, help="Show every step of a big graph's backward sweep.")
def explain_command(expr, path, bindings, use_float, precision, wrt, output_format, show_all):
    """Show how each gradient is built: every path from an input to the output as a product
    of local partials (the chain rule), then the backward sweep node by node, each gradient
    the sum over the node's consumers of their gradient times the local partial."""
    at = session.point(bindings)
    options = render.Options(precision, show_all, source=path if path not in (None, "-") else None)
    show = render.renderer(_format(output_format), sys.stdout, options)
    sys.exit(session.explain(_program_lines(expr, path, at), at, not use_float, show, wrt))


@main.command("repl", epilog=REPL_EXAMPLE)
@click.option("--format", "output_format", type=click.Choice(render.names(render.EVALUATIONS)),
              help="Output format [default: rich on a terminal, plain otherwise].")
def repl_command(output_format=None):
    """An interactive session: one statement per line, bindings kept between lines;
    :at, :format, :explain, :help, :quit."""
    from .repl import interact

    typed = sys.stdin is not None and sys.stdin.isatty()
    interact(_format(output_format), None if typed else session.file_lines("-"))


@main.command("check", epilog=CHECK_EXAMPLE)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_point_options
@click.option("--format", "output_format", type=click.Choice(render.names(render.CHECKS)),
              help="Output format [default: rich on a terminal, plain otherwise]; csv is a gradebook.")
@click.option("--no-reveal", is_flag=True, help="Do not show the correct answers (for published feedback).")
@click.option("--summary", is_flag=True, help="Show only the class table and the item analysis, not each file's checks.")
@click.option("--tol", "tolerance", type=click.FloatRange(min=0), metavar="X", callback=_finite,
              help="Accept answers within X of the true value when a check gives no ± tolerance.")
@_grading_options
def check_command(files, bindings, use_float, precision, output_format, no_reveal, summary, tolerance, exact_answers,
                  significant, points, seed):
    """Judge every `check` line of each FILE ('-' for standard input): ✓ or ✗, the answer given,
    the correct one, and for a wrong gradient the likely mistake and where the reasoning first broke.
    Each file is shown as soon as it is graded, with its status (ok, syntax error, error,
    unreadable, no checks); after several files, the class table and the item analysis.

    \b
    check E = 799.2                  a node's value
    check d(E)/d(apple) = 5.4        a gradient (also written ∂E/∂apple)
    check d(E)/d(u) = 1.08 ± 0.01    with an absolute tolerance (also +-)
    check y = 0.3775                 rounded: to the digits written, 3 significant at least
    check d(s)/d(x) = s*(1 - s)      a formula over the program's names

    Exit code 0 when every check passes, 1 when one fails (or on a math error), 2 on bad input."""
    at = session.point(bindings)
    options = render.Options(precision, reveal=not no_reveal, several=len(files) > 1, summary=summary)
    sys.exit(session.check(files, at, not use_float, tolerance, render.renderer(_format(output_format), sys.stdout, options),
                           grading=_grading(exact_answers, significant, points, seed)))
