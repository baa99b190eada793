"""An interactive session: each line a statement, bindings kept from line to line, and a few
colon commands. Line editing and history come from readline where the platform has it; the
history file is read and written only when it is the user's own regular file."""

import os
import stat
import sys
import tempfile
from pathlib import Path

import click

from . import render
from .api import Answers
from .errors import GradcalcError
from .evaluate import Evaluation

HELP = """\
Type a statement: `x = 3` binds an input, `s = x*y` names a node, a bare expression is
evaluated and its gradients shown, `check d(s)/d(x) = 2` checks an answer.
  :at x=3,y=1/2    set inputs (constant expressions)      :format rich|plain|json|dot|mermaid
  :explain         explain the last output's gradients     :float / :exact   how to compute
  :reset           forget every binding                    :help   :quit (or Ctrl-D)"""

HISTORY = Path.home() / ".gradcalc_history"
HISTORY_LINES = 1000  # the most recent lines kept
HISTORY_BYTES = 1 << 20  # a bigger file is not one gradcalc wrote: it is not read


def session(bindings_type, output_format, lines=None):
    """Read statements until :quit or end of input: from `lines` (an iterator of text lines),
    or when it is None from the terminal, with a prompt and line editing. `bindings_type` parses
    :at like --at."""
    typed, readline = lines is None, None
    if typed:
        sys.stdin.reconfigure(errors="replace")  # a byte that is not UTF-8 is an error in its line
        readline = _line_editing()
        click.echo("gradcalc: type a statement, :help for help, :quit to leave")
    state = _Session(Answers(), render.renderer(output_format, sys.stdout), output_format)
    number = 0
    while True:
        try:
            line = _typed() if typed else next(lines, None)
            if line is None:
                break
            number += 1
            if not state.handle(line, number, bindings_type):
                break
        except KeyboardInterrupt:  # Ctrl-C while typing or computing: back to the prompt
            if not typed:  # a piped session is a batch run: Ctrl-C ends it, as it ends eval
                raise
            click.echo()
        except MemoryError:
            click.echo(f"error: line {number}: out of memory; the session goes on", err=True)
    if readline is not None:
        _save_history(readline)


def _typed():
    """The next line typed at the prompt, or None at Ctrl-D."""
    try:
        return input("gc> ")
    except EOFError:
        return None


class _Session:
    """What a session remembers: the program so far, the point, the mode, the display, the last output."""

    def __init__(self, answers, display, output_format):
        self.answers = answers
        self.display, self.format = display, output_format
        self.last = None

    def handle(self, line, number, bindings_type):
        """One line: a colon command or a statement. False when the session should end."""
        command, _, argument = line.strip().partition(" ")
        if not command.startswith(":"):
            for item in self.answers.read(line, number):
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
                self.answers.at.update(bindings_type.convert(argument, None, None))
            except click.BadParameter as error:
                click.echo(f"error: {error.message}", err=True)
        elif command == ":format":
            try:
                self.display, self.format = render.renderer(argument.strip(), sys.stdout), argument.strip()
            except KeyError:
                *others, last = render.names(render.EVALUATIONS)
                click.echo(f"error: :format takes {', '.join(others)} or {last}", err=True)
        elif command in (":float", ":exact"):
            self.answers.exact = command == ":exact"
        elif command == ":reset":
            self.answers, self.last = Answers(exact=self.answers.exact), None
        elif command == ":explain":
            self._explain()
        else:
            click.echo(f"error: unknown command {command}; :help lists them", err=True)
        return True

    def _explain(self):
        """The last output's explanation, in the session's format if it has one for explanations."""
        from .explain import explain

        evaluation = self.last
        if evaluation is None:
            click.echo("error: nothing to explain yet: evaluate an expression first", err=True)
            return
        shown = self.format if self.format in render.names(render.EXPLANATIONS) else "plain"
        explanations = [explain(evaluation, k) for k in range(len(evaluation.graph.outputs))]
        render.renderer(shown, sys.stdout).explanations(explanations)


def _line_editing():
    """readline with the saved history, or None where the platform has no readline."""
    try:
        import readline
    except ImportError:  # not on every platform; the session works without it
        return None
    try:  # never through a link, never waiting on a FIFO
        fd = os.open(HISTORY, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return readline
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(fd)
        if _users_own_file(status) and status.st_size <= HISTORY_BYTES:
            for line in file.read(HISTORY_BYTES).decode("utf-8", "replace").splitlines()[-HISTORY_LINES:]:
                readline.add_history(line)
    return readline


def _save_history(readline):
    """The most recent lines, written to a new file beside the history file and renamed over it
    (never written through whatever is there, and never lost half-written); a link, a FIFO or
    another user's file there is left alone."""
    try:
        if not _users_own_file(os.lstat(HISTORY)):
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    count = readline.get_current_history_length()
    lines = [readline.get_history_item(i) for i in range(max(1, count - HISTORY_LINES + 1), count + 1)]
    try:
        fd, temporary = tempfile.mkstemp(dir=HISTORY.parent, prefix=HISTORY.name + ".")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write("".join(f"{line}\n" for line in lines if line is not None))
        os.replace(temporary, HISTORY)
    except OSError:
        os.unlink(temporary)


def _users_own_file(status):
    user = os.getuid() if hasattr(os, "getuid") else status.st_uid  # Windows has no owners to compare
    return stat.S_ISREG(status.st_mode) and status.st_uid == user
