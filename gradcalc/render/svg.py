"""SVG without Graphviz: the picture of gradcalc/picture.py (the terminal's layout), each grid
cell CELL_WIDTH × CELL_HEIGHT pixels; forward values above the arrows, gradients in red below,
op symbols in circles with their names above. Hand-written XML, every text escaped."""

from html import escape

from .. import picture
from ..textwidth import display_width
from .layout import heading

CELL_WIDTH, CELL_HEIGHT = 8, 18  # pixels of a grid cell: a 13px sans-serif digit is about 7 wide
MARGIN = 12
RED = "#d62728"  # the gradients (the colour of the book's backward arrows)
INK = "#222222"
FONT = "Helvetica, Arial, sans-serif"
RADIUS = 10  # of an op's circle


class TooBig(Exception):
    """The graph would take more than picture.MAX_VERTICES vertices to lay out."""


def render(evaluation, precision=None):
    """The SVG document of an evaluation: each output's picture, one under the other (each under
    its statement when there are several)."""
    graph = evaluation.graph
    outputs = range(len(graph.outputs))
    parts, top, width = [], MARGIN, 0
    for output in outputs:
        drawing = picture.drawing(evaluation, output, precision)
        if drawing is None:
            raise TooBig(graph.sources[output])
        if len(outputs) > 1:
            parts.append(_text(MARGIN, top + 8, heading(graph, output), "heading", weight="bold"))
            top += CELL_HEIGHT
        parts.append(f'<g transform="translate({MARGIN},{top})">')
        parts += _elements(drawing)
        parts.append("</g>")
        top += drawing.height * CELL_HEIGHT + CELL_HEIGHT
        width = max(width, drawing.width * CELL_WIDTH)
    width, height = width + 2 * MARGIN, top - CELL_HEIGHT + MARGIN
    title = escape("; ".join(graph.sources))
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="13">',
        f"<title>{title}</title>",
        "<defs>",
        '<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker>',
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        *parts,
        "</svg>",
    ]) + "\n"


def _x(cells):
    return cells * CELL_WIDTH


def _y(row):
    """The middle of a row."""
    return row * CELL_HEIGHT + CELL_HEIGHT / 2


def _text(x, y, string, kind, anchor="start", fill=INK, weight=None):
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text class="{kind}" x="{x:g}" y="{y:g}" text-anchor="{anchor}" dominant-baseline="central" '
            f'fill="{fill}"{bold}>{escape(string)}</text>')


def _line(points, kind="edge", head=False):
    shown = " ".join(f"{x:g},{y:g}" for x, y in points)
    marker = ' marker-end="url(#head)"' if head else ""
    return f'<polyline class="{kind}" points="{shown}" fill="none" stroke="{INK}" stroke-width="1.2"{marker}/>'


def _elements(drawing):
    parts = []
    for arrow in drawing.arrows:
        (x0, y0), *middle, (x1, y1) = arrow.points
        points = [(_x(x0), _y(y0)), *((_x(x) + CELL_WIDTH / 2, _y(y)) for x, y in middle), (_x(x1 + 1), _y(y1))]
        if arrow.head:
            points[-1] = (points[-1][0] + 2, points[-1][1])  # to the circle's edge
        parts.append(_line(points, head=arrow.head))
    for v in drawing.vertices:
        left, right, middle = _x(v.column), _x(v.column + v.width), _y(v.row)
        if v.kind == picture.LEAF:
            parts.append(_text(right - CELL_WIDTH, middle, v.text, "leaf", anchor="end"))
        elif v.kind == picture.OUT:
            parts.append(_text(left + 4, middle, v.text, "out"))
        elif v.kind == picture.OP:
            box = _x(display_width(v.text) + 2)
            centre = left + box / 2
            if display_width(v.text) == 1:
                parts.append(f'<circle class="op" cx="{centre:g}" cy="{middle:g}" r="{RADIUS}" fill="white" '
                             f'stroke="{INK}" stroke-width="1.2"/>')
                end = centre + RADIUS
            else:
                parts.append(f'<rect class="op" x="{left + 2:g}" y="{middle - RADIUS:g}" width="{box - 4:g}" '
                             f'height="{2 * RADIUS}" rx="{RADIUS}" fill="white" stroke="{INK}" stroke-width="1.2"/>')
                end = left + box - 2
            parts.append(_text(centre, middle, v.text, "symbol", anchor="middle"))
            if v.note:
                parts.append(_text(left + 2, middle - CELL_HEIGHT, v.note, "name", weight="bold"))
            parts.append(_line([(end, middle), (right, middle)], "through"))
        else:
            parts.append(_line([(left, middle), (right, middle)], "through"))
            if v.kind == picture.LABEL:
                centre = (left + right) / 2
                parts.append(_text(centre, middle - CELL_HEIGHT + 3, v.text, "value", anchor="middle"))
                parts.append(_text(centre, middle + CELL_HEIGHT - 3, v.note, "grad", anchor="middle", fill=RED))
    return parts
