"""An interactive session: each line a statement, bindings kept from line to line, and a few
colon commands. Line editing and history come from readline where the platform has it."""

import sys
from pathlib import Path

import click

from .api import read_and_answer
from .check import Verdict
from .errors import GradcalcError
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
    program, at, exact = Program(), {}, True
    display = display_factory(output_format)
    last = None
    number = 0
    while True:
        try:
            line = input("gc> ") if interactive else stdin.readline()
        except EOFError:
            break
        except KeyboardInterrupt:
            click.echo()
            continue
        if not interactive and line == "":
            break
        line = line.rstrip("\n")
        command, _, argument = line.strip().partition(" ")
        if command.startswith(":"):
            if command in (":quit", ":q", ":exit"):
                break
            if command == ":help":
                click.echo(HELP)
            elif command == ":at":
                try:
                    at.update(bindings_type.convert(argument, None, None))
                except click.BadParameter as error:
                    click.echo(f"error: {error.message}", err=True)
            elif command == ":format":
                try:
                    display = display_factory(argument.strip())
                    output_format = argument.strip()
                except KeyError:
                    click.echo("error: :format takes rich, plain, json, dot or mermaid", err=True)
            elif command in (":float", ":exact"):
                exact = command == ":exact"
            elif command == ":reset":
                program, at, last = Program(), {}, None
            elif command == ":explain":
                _explain(last, output_format)
            else:
                click.echo(f"error: unknown command {command}; :help lists them", err=True)
            continue
        number += 1
        for item in read_and_answer(program, line, number, at, exact):
            if isinstance(item, GradcalcError):
                click.echo(f"error: {item}", err=True)
            elif isinstance(item, Verdict):
                display.verdict(item)
            else:
                last = item
                display.evaluation(item)
    if interactive:
        _save_history()


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
