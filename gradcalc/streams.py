"""The process's standard streams, made safe to write. Every renderer writes Unicode; this is the
one place that adapts it to a stream that cannot show it (PYTHONIOENCODING=ascii, a cp1252 pipe):
gradcalc's symbols get ASCII spellings (∂E/∂x is d(E)/d(x), the spelling `check` lines accept) and
anything else, such as a user's name, a backslash escape. A closed standard stream gets a stand-in."""

import errno
import os
import re
import sys

# What each symbol becomes where the output's encoding cannot show it.
SPELLINGS = {
    "×": "*", "·": "*", "÷": "/", "−": "-", "≈": "~", "±": "+-", "≠": "!=", "≥": ">=", "≤": "<=",
    "→": "->", "√": "sqrt", "Σ": "sum ", "ᵀ": "'", "…": "...", "⋯": "...", "✓": "[ok]", "✗": "[FAIL]",
    "│": "|", "├": "|", "└": "`", "─": "-", "∂": "d",
}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SYMBOL = re.compile(r"∂(\w+)/∂(\w+)|[%s]+|[%s]" % ("".join(SUPERSCRIPTS), "".join(SPELLINGS)))


def prepare():
    """Give a closed stdout a stand-in that fails on the first write, a closed stderr one that
    discards (messages have nowhere to go; the exit code still tells), and an output that cannot
    encode the symbols the ASCII fallback."""
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    elif _needs_fallback(sys.stdout):
        sys.stdout = AsciiFallback(sys.stdout)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    elif _needs_fallback(sys.stderr):
        sys.stderr = AsciiFallback(sys.stderr)


def _needs_fallback(stream):
    if isinstance(stream, (AsciiFallback, ClosedOutput)) or not hasattr(stream, "reconfigure"):
        return False
    try:
        "".join(SPELLINGS).encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def spelled(text, encoding):
    """`text` with each symbol `encoding` cannot show spelled in ASCII (other characters are left
    to the stream's backslash escapes)."""
    def spell(match):
        symbol = match.group()
        if _encodable(symbol, encoding):
            return symbol
        if match.group(1) is not None:
            return f"d({match.group(1)})/d({match.group(2)})"
        if symbol[0] in SUPERSCRIPTS:
            return "^" + "".join(SUPERSCRIPTS[ch] for ch in symbol)
        return SPELLINGS[symbol]

    return _SYMBOL.sub(spell, text)


def _encodable(text, encoding):
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


class AsciiFallback:
    """A text stream whose encoding cannot show gradcalc's symbols, writing them spelled in ASCII.
    It keeps the stream's encoding and has no `buffer`, so click writes through it too instead of
    going around it to the bytes."""

    def __init__(self, stream):
        stream.reconfigure(errors="backslashreplace")
        self.stream, self.encoding, self.errors = stream, stream.encoding, "backslashreplace"

    def write(self, text):
        return self.stream.write(spelled(text, self.encoding))

    def flush(self):
        self.stream.flush()

    def isatty(self):
        return self.stream.isatty()

    def fileno(self):
        return self.stream.fileno()

    def writable(self):
        return True

    @property
    def closed(self):
        return self.stream.closed


class ClosedOutput:
    """Stands in for a standard output the process was started without (`gradcalc … >&-`)."""

    encoding, errors, closed = "utf-8", "strict", False

    def write(self, text):
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True
