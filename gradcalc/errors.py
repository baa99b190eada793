"""One family of exceptions; the command line and the session turn each into a message and an exit code."""

from .textwidth import display_width


class GradcalcError(Exception):
    """Something the user should be told about. ``exit_code`` is the CLI's exit status."""

    exit_code = 2

    def __init__(self, message, *, line=None, column=None, source=None, depends_on=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        self.depends_on = depends_on  # the line of an earlier failed statement this error follows from

    def __str__(self):
        """The message, and where the input went wrong: line, column and a caret under the spot."""
        where = ""
        if self.line is not None:
            where = f"line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
            where += ": "
        text = where + self.message
        if self.source is not None and self.column is not None:
            shown, column = _window(self.source.rstrip("\n"), self.column - 1)
            text += f"\n  {shown}\n  {' ' * display_width(shown[:column].expandtabs(1))}^"
        return text


class InputError(GradcalcError):
    """Bad input: a syntax error, an unknown name or function, a wrong number of arguments,
    a missing or malformed value. Exit code 2."""

    exit_code = 2


class MissingValues(InputError):
    """Inputs a program uses that were given no value, all named at once. How a value is given
    depends on where the user types (`--at x=VALUE`, the session's `:at x=VALUE`, the API's
    `at={"x": VALUE}`): `worded` says it in another front end's words."""

    # each front end's way: how values are given, one name's value, and what separates two
    WAYS = {"--at": ("--at {}", "{}=VALUE", ","), ":at": (":at {}", "{}=VALUE", ","),
            "at=": ("at={{{}}}", "{!r}: VALUE", ", ")}

    def __init__(self, names, way="--at", *, line=None):
        self.names, self.way = tuple(names), way
        given, one, separator = self.WAYS[way]
        values = separator.join(one.format(name) for name in self.names)
        listed = " and ".join([", ".join(self.names[:-1]), self.names[-1]] if len(self.names) > 1 else self.names)
        pronoun = "them" if len(self.names) > 1 else "it"
        super().__init__(f"no value for {listed}: give {pronoun} with {given.format(values)}", line=line)

    def worded(self, way):
        return MissingValues(self.names, way, line=self.line)
class Unparsable(InputError):
    """A statement that does not follow the grammar: a syntax error."""


class NotUtf8(Unparsable):
    """A statement holding bytes that are not UTF-8 (read as U+FFFD): the file is not text."""


class InternalError(GradcalcError):
    """A bug in gradcalc, not the user's mistake: a rule of the op table raised something other
    than a domain error. Exit code 70 (EX_SOFTWARE, as BSD's sysexits)."""

    exit_code = 70

    def __init__(self, op_name, error):
        super().__init__(f"internal error in the rule for {op_name}: {type(error).__name__}: {error}; "
                         "please report it")


class MathError(GradcalcError):
    """The input is well formed but its mathematics is not: division by zero, a function
    outside its domain, an overflow. Exit code 1."""

    exit_code = 1


def _window(line, column, width=80):
    """The part of a long line around `column`, cut with "…", and the column within it."""
    if len(line) <= width:
        return line, column
    start = max(0, min(column - width // 2, len(line) - width))
    shown = line[start:start + width]
    if start > 0:
        shown, column = "…" + shown[1:], column - start
    else:
        column -= start
    if start + width < len(line):
        shown = shown[:-1] + "…"
    return shown, column
