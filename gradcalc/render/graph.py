"""--format graph: the computational graph drawn in the terminal as the textbook draws it, left to
right, each arrow with the forward value above it and the gradient below (red where the terminal
has colour, marked ← where it has not), in box-drawing characters or, where the output cannot
show them (TERM=dumb, an encoding without them), in ASCII. The layout is gradcalc/picture.py's."""

import os

from .. import picture
from ..textwidth import display_width
from .layout import heading
from .text import joined, write

LEFT, RIGHT, UP, DOWN = 1, 2, 4, 8
BOX = {  # the line through a cell, from the directions it goes out to
    LEFT: "─", RIGHT: "─", LEFT | RIGHT: "─", UP: "│", DOWN: "│", UP | DOWN: "│",
    RIGHT | DOWN: "╭", LEFT | DOWN: "╮", RIGHT | UP: "╰", LEFT | UP: "╯",
    LEFT | RIGHT | DOWN: "┬", LEFT | RIGHT | UP: "┴", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤",
    LEFT | RIGHT | UP | DOWN: "┼",
}
ASCII_BOX = {dirs: "-" if dirs in (LEFT, RIGHT, LEFT | RIGHT) else "|" if dirs in (UP, DOWN, UP | DOWN) else "+"
             for dirs in BOX}
HEAD, ASCII_HEAD = "→", ">"
MARK, ASCII_MARK = "← ", "<- "  # before a gradient where colour cannot tell it from the value
DEFAULT_NODES = 30  # the default (rich) view draws a picture of at most this many nodes, else a tree


class Renderer:
    """Evaluations as pictures, a blank line between outputs; check lines and gradient checks as
    plain text. Colour where the output is a terminal that has it (as rich decides: NO_COLOR,
    FORCE_COLOR, TERM=dumb)."""

    def __init__(self, out, options):
        from . import plain

        self.out, self.options = out, options
        self.text = plain.Renderer(out, options)  # for what is not a picture
        self.ascii = needs_ascii(out)
        self.coloured = _coloured(out)

    def evaluation(self, evaluation, gradchecks=None):
        lines = []
        for output in range(len(evaluation.graph.outputs)):
            lines += [[]] if output else []
            lines += self.picture(evaluation, output)
        if gradchecks:
            from . import gradcheck

            lines += [[]] + gradcheck.lines(evaluation, gradchecks, self.options.precision)
        self.lines(([[]] if self.text.blocks else []) + lines)
        self.text.blocks += 1

    def picture(self, evaluation, output):
        """An output's heading and picture, or its tree (plain) where it is too big to draw."""
        graph = evaluation.graph
        title = [[(heading(graph, output, full=self.options.everything), "head")]]
        drawn = lines(evaluation, output, self.options.precision, self.ascii, marked=not self.coloured)
        if drawn is not None:
            return title + drawn
        from . import plain

        note = (f"(too big to draw: past {picture.MAX_VERTICES:,} vertices laid out; "
                "shown as a tree, and --format dot draws it with Graphviz)")
        tree = plain.output_block(evaluation, output, self.options.precision,
                                  None if self.options.everything else plain.MAX_ROWS)
        return title + [[(note, "note")]] + [[(line, "")] for line in tree.splitlines()[1:]]

    def error(self, error):
        """Said on standard error: a picture holds what could be drawn."""

    def verdict(self, verdict):
        self.text.verdict(verdict)

    def findings(self, report):
        self.text.findings(report)

    def lines(self, lines):
        if self.coloured:
            from .richview import console, print_lines

            print_lines(console(file=self.out, force_terminal=True), lines, wrap=False)
            self.out.flush()
        else:
            write(self.out, joined(lines))


def needs_ascii(out):
    """Whether the picture is drawn in ASCII: on a dumb terminal, or where the output's encoding
    cannot show the box-drawing characters."""
    if os.environ.get("TERM") == "dumb":
        return True
    try:
        ("".join(BOX.values()) + HEAD + MARK).encode(getattr(out, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def _coloured(out):
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return os.environ.get("TERM") != "dumb" and out.isatty()


def lines(evaluation, output, precision=None, ascii=False, marked=True):
    """The picture of one output as lines of (text, role) pieces (roles: name, op, grad); None if
    it is too big to draw."""
    drawing = picture.drawing(evaluation, output, precision, (ASCII_MARK if ascii else MARK) if marked else "")
    return None if drawing is None else grid_lines(drawing, ascii)


def width(lines):
    """The columns the widest of these lines takes."""
    return max((sum(display_width(text) for text, _ in line) for line in lines), default=0)


def grid_lines(drawing, ascii=False):
    """A Drawing as lines of (text, role) pieces, without trailing spaces."""
    box, head = (ASCII_BOX, ASCII_HEAD) if ascii else (BOX, HEAD)
    directions = {}  # (x, y) -> the directions a line goes out of that cell

    def line(a, b):
        (x0, y0), (x1, y1) = a, b
        dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
        out, back = (RIGHT, LEFT) if dx > 0 else (LEFT, RIGHT) if dx < 0 else (DOWN, UP) if dy > 0 else (UP, DOWN)
        x, y = x0, y0
        directions.setdefault((x, y), 0)
        while (x, y) != (x1, y1):
            directions[x, y] |= out
            x, y = x + dx, y + dy
            directions[x, y] = directions.get((x, y), 0) | back

    def through(x0, x1, y):
        for x in range(x0, x1 + 1):
            directions[x, y] = directions.get((x, y), 0) | LEFT | RIGHT

    for arrow in drawing.arrows:
        for a, b in zip(arrow.points, arrow.points[1:]):
            line(a, b)
        (x0, y0), (x1, y1) = arrow.points[0], arrow.points[-1]
        directions[x0, y0] |= LEFT  # from the source
        directions[x1, y1] |= RIGHT  # into the target
    cells = {}  # (x, y) -> (character, role); a wide character's second cell is ""

    def text(x, y, string, role):
        for ch in string:
            cells[x, y] = (ch, role)
            if display_width(ch) == 2:
                x += 1
                cells[x, y] = ("", role)
            x += 1

    for v in drawing.vertices:
        end = v.column + v.width - 1
        if v.kind == picture.LEAF:
            text(end - display_width(v.text), v.row, v.text, "name")
        elif v.kind == picture.OP:
            symbol = f"({v.text})"
            text(v.column, v.row, symbol, "op")
            text(v.column, v.row - 1, v.note, "name")
            through(v.column + display_width(symbol), end, v.row)
        elif v.kind == picture.OUT:
            text(v.column, v.row, v.text, "name")
        else:
            through(v.column, end, v.row)
            if v.kind == picture.LABEL:
                for y, string, role in ((v.row - 1, v.text, ""), (v.row + 1, v.note, "grad")):
                    text(v.column + (v.width - display_width(string) + 1) // 2, y, string, role)
    for (x, y), dirs in directions.items():
        cells.setdefault((x, y), (box[dirs], ""))
    for arrow in drawing.arrows:
        if arrow.head:
            cells[arrow.points[-1]] = (head, "")
    rows = [[] for _ in range(drawing.height)]
    for (x, y), cell in cells.items():
        rows[y].append((x, cell))
    result = []
    for row in rows:
        pieces, at = [], 0
        for x, (ch, role) in sorted(row):
            if x > at:
                pieces.append((" " * (x - at), ""))
            at = x + 1
            if pieces and pieces[-1][1] == role:
                pieces[-1] = (pieces[-1][0] + ch, role)
            else:
                pieces.append((ch, role))
        result.append(pieces)
    while result and not result[-1]:
        result.pop()
    while result and not result[0]:
        result.pop(0)
    return result
