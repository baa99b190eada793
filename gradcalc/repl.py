"""An interactive session at the terminal: each line a statement, bindings kept from line to line,
and a few colon commands (what a session remembers and does is session.Session). Line editing
and history come from readline where the platform has it; the history file is read and written
only when it is the user's own regular file."""

import os
import stat
import sys
import tempfile
from pathlib import Path

from .session import Session, say

HISTORY = Path.home() / ".gradcalc_history"
HISTORY_LINES = 1000  # the most recent lines kept
HISTORY_BYTES = 1 << 20  # a bigger file is not one gradcalc wrote: it is not read


def interact(output_format, lines=None):
    """Read statements until :quit or end of input: from `lines` (an iterator of text lines),
    or when it is None from the terminal, with a prompt and line editing."""
    typed, readline = lines is None, None
    if typed:
        sys.stdin.reconfigure(errors="replace")  # a byte that is not UTF-8 is an error in its line
        readline = _line_editing()
        print("gradcalc: type a statement; help for help, quit or Ctrl-D to leave")
    state = Session(output_format)
    number = 0
    while True:
        try:
            line = _typed() if typed else next(lines, None)
            if line is None:
                break
            number += 1
            if not state.handle(line, number):
                break
        except KeyboardInterrupt:  # Ctrl-C while typing or computing: back to the prompt
            if not typed:  # a piped session is a batch run: Ctrl-C ends it, as it ends eval
                raise
            print()
        except MemoryError:
            say(f"error: line {number}: out of memory; the session goes on")
    if readline is not None:
        _save_history(readline)


def _typed():
    """The next line typed at the prompt, or None at Ctrl-D (after a new line, so that the shell's
    prompt starts on a line of its own)."""
    try:
        return input("gc> ")
    except EOFError:
        print()
        return None


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
