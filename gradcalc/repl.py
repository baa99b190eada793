"""An interactive session: each line a statement, bindings kept from line to line, and a few
colon commands. Line editing and history come from readline where the platform has it."""

import sys
from pathlib import Path

import click

from .api import read_and_answer
from .errors import GradcalcError
from .evaluate import Evaluation
from .parser import Program

HELP = """\
Type a statement: `x = 3` binds an input, `s = x*y` names a node, a bare expression is
evaluated and its gradients shown, `check d(s)/d(x) = 2` checks an answer.
  :at x=3,y=1/2    set inputs (constant expressions)      :format rich|plain|json|dot|mermaid
  :explain         explain the last output's gradients     :float / :exact   how to compute
  :reset           forget every binding                    :help   :quit (or Ctrl-D)"""

HISTORY = Path.home() / ".gradcalc_history"


def session(display_factory, bindings_type, output_format, stdin=sys.stdin):
    """Read statements until :quit or end of input. `display_factory(format)` makes the CLI's
    display; `bindings_type` parses :at like --at."""
    interactive = stdin.isatty()
    if interactive:
        _enable_line_editing()
        click.echo("gradcalc: type a statement, :help for help, :quit to leave")
    state = _Session(Program(), {}, True, display_factory(output_format), output_format)
    number = 0
    while True:
        try:
            line = input("gc> ") if interactive else stdin.readline()
            if not interactive and line == "":
                break
            number += 1
            if not state.handle(line.rstrip("\n"), number, display_factory, bindings_type):
                break
        except EOFError:
            break
        except KeyboardInterrupt:  # Ctrl-C while typing or computing: back to the prompt
            click.echo()
    if interactive:
        _save_history()


class _Session:
    """What a session remembers: the program so far, the point, the mode, the display, the last output."""

    def __init__(self, program, at, exact, display, output_format):
        self.program, self.at, self.exact = program, at, exact
        self.display, self.format = display, output_format
        self.last = None

    def handle(self, line, number, display_factory, bindings_type):
        """One line: a colon command or a statement. False when the session should end."""
        command, _, argument = line.strip().partition(" ")
        if not command.startswith(":"):
            for item in read_and_answer(self.program, line, number, self.at, self.exact):
                if isinstance(item, GradcalcError):
                    click.echo(f"error: {item}", err=True)
                elif isinstance(item, Evaluation):
                    self.last = item
                    self.display.evaluation(item)
                else:
                    self.display.verdict(item)
            return True
        if command in (":quit", ":q", ":exit"):
            return False
        if command == ":help":
            click.echo(HELP)
        elif command == ":at":
            try:
                self.at.update(bindings_type.convert(argument, None, None))
            except click.BadParameter as error:
                click.echo(f"error: {error.message}", err=True)
        elif command == ":format":
            try:
                self.display, self.format = display_factory(argument.strip()), argument.strip()
            except KeyError:
                click.echo("error: :format takes rich, plain, json, dot or mermaid", err=True)
        elif command in (":float", ":exact"):
            self.exact = command == ":exact"
        elif command == ":reset":
            self.program, self.at, self.last = Program(), {}, None
        elif command == ":explain":
            _explain(self.last, self.format)
        else:
            click.echo(f"error: unknown command {command}; :help lists them", err=True)
        return True


def _explain(evaluation, output_format):
    from .explain import explain
    from .render import explain as shown

    if evaluation is None:
        click.echo("error: nothing to explain yet: evaluate an expression first", err=True)
        return
    explanations = [explain(evaluation, k) for k in range(len(evaluation.graph.outputs))]
    if output_format == "rich":
        from .render import richview

        shown.rich(explanations, richview.console())
    else:
        click.echo(shown.plain(explanations), nl=False)


def _enable_line_editing():
    try:
        import readline
    except ImportError:  # not on every platform; the session works without it
        return
    try:
        readline.read_history_file(HISTORY)
    except OSError:
        pass


def _save_history():
    try:
        import readline

        readline.write_history_file(HISTORY)
    except (ImportError, OSError):
        pass
