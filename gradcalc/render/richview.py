"""The textbook view in a terminal: each output's graph as a tree, every node with its value
and, in red, its gradient; then the inputs with value and ∂output/∂input.
The only module that imports rich."""

import errno
import re

from rich import box
from rich.console import Console
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .. import arrays
from ..numbers import array_lines, format_number
from ..textwidth import display_width
from .layout import MAX_ROWS, describe, gradient, heading, nan_notes, output_name, shown_inputs, tree

THEME = Theme({"name": "bold cyan", "op": "magenta", "detail": "dim", "value": "bold", "grad": "red", "guide": "dim"})
# the styles of the roles of (text, role) pieces (see render.text)
ROLES = {"head": "bold", "name": "cyan", "op": "magenta", "grad": "red", "rule": "dim", "pass": "green", "fail": "bold red", "note": "yellow"}


def console(file=None, **options):
    return _Console(file=file, theme=THEME, highlight=False, **options)


class Renderer:
    """Every kind of report on a Rich console: evaluations as trees and tables, styled text
    (check results, explanations) with a style per role."""

    def __init__(self, out, options):
        self.console, self.options = console(file=out), options
        self.previous = 0  # how many lines the last file graded took

    def evaluation(self, evaluation, gradchecks=None):
        """Each output as a picture where it fits the terminal (at most graph.DEFAULT_NODES nodes),
        else as a tree; a dim line says which, and how to get the other."""
        from . import graph as pictures

        options, console = self.options, self.console
        max_nodes = None if options.everything else MAX_ROWS
        for output in range(len(evaluation.graph.outputs)):
            nodes, drawn = len(evaluation.graph.nodes_of(output)), None
            why = f"the graph has {nodes} nodes"
            if nodes <= pictures.DEFAULT_NODES:
                plain = console.no_color or console.color_system is None
                drawn = pictures.lines(evaluation, output, options.precision, pictures.needs_ascii(console.file),
                                       marked=plain)
                width = pictures.width(drawn) if drawn else 0
                why = f"the graph takes {width} columns" if drawn else "too big to draw"
                drawn = drawn if width <= console.width else None
            if drawn:
                console.print(Text(heading(evaluation.graph, output, full=max_nodes is None), style="bold"))
                print_lines(console, drawn, wrap=False)
                _note(console, "drawn as a graph; --format tree for the tree")
            else:
                _tree(evaluation, output, console, options.precision, max_nodes)
                _note(console, f"drawn as a tree: {why}; --format graph for the graph")
            _inputs(evaluation, output, console, options.precision, max_nodes)
        if gradchecks:
            render_gradcheck(evaluation, gradchecks, self.console, options.precision)

    def error(self, error):
        """Said on standard error, where a reader of this view looks for it."""

    def verdict(self, verdict):
        from . import checks

        self.lines(checks.verdict_lines(verdict, self.options.reveal, self.options.precision))

    def findings(self, report):
        from . import checks

        self.lines(checks.findings_lines(report, self.options.reveal))

    def explanations(self, explanations):
        from .explain import SWEEP_LIMIT, text_lines

        max_steps = None if self.options.everything else SWEEP_LIMIT
        for k, explanation in enumerate(explanations):
            self.lines(([[]] if k else []) + text_lines(explanation, self.options.precision, max_steps))

    def marks(self, graded):
        options = self.options
        if options.summary:
            return
        from . import checks

        lines = checks.marks_lines(graded, options.several, options.reveal, options.precision)
        self.lines(checks.spaced(lines, self.previous))
        self.previous = len(lines)

    def end(self, book):
        options = self.options
        if options.several or options.summary:
            from . import checks

            self.lines(([[]] if self.previous else []) + checks.gradebook_lines(book, options.reveal))

    def lines(self, lines):
        print_lines(self.console, lines)


class _Console(Console):
    """A Console that leaves a closed pipe to the command line, which reports every failure to
    write in one place (Rich itself would exit with status 1)."""

    def on_broken_pipe(self):
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


def _note(console, text):
    """A dim note, wrapped at the console's width without the trailing spaces rich's wrap leaves."""
    import textwrap

    for line in textwrap.wrap(text, max(console.width, 20)):
        console.print(Text(line, style="detail"), soft_wrap=True)


def print_lines(console, lines, wrap=True):
    """Styled text, each (text, role) piece in its role's style; without `wrap`, a line wider than
    the console is left as it is (a picture cut or folded would be wrong)."""
    for line in lines:
        console.print(Text.assemble(*((text, ROLES.get(role, "")) for text, role in line)), soft_wrap=not wrap)


def render(evaluation, console, precision=None, max_nodes=None):
    for output in range(len(evaluation.graph.outputs)):
        _output(evaluation, output, console, precision, max_nodes)


def _output(evaluation, output, console, precision, max_nodes):
    _tree(evaluation, output, console, precision, max_nodes)
    _inputs(evaluation, output, console, precision, max_nodes)


def _tree(evaluation, output, console, precision, max_nodes):
    graph, values = evaluation.graph, evaluation.values
    name = output_name(graph, output)
    rows, complete = tree(graph, graph.outputs[output], max_nodes)
    title = Text(heading(graph, output, full=max_nodes is None), style="bold")
    cells = []
    for row in rows:
        label = Text(_guide(row), style="guide")
        title_text, detail = describe(graph, row.node)
        label.append(title_text, style="name" if graph.names[row.node] else "op")
        if row.repeat:
            label.append("  shared, shown above", style="detail")
            cells.append((label, "", "", ""))
            continue
        if detail and graph.ops[row.node] is not None:
            label.append(" = " if graph.names[row.node] else "  ", style="detail")
            label.append(detail, style="detail")
        elif detail:
            label.append(f"  {detail}", style="detail")
        more = graph.ops[row.node] is not None and row.depth < len(row.lasts) + 1  # its inputs follow
        cells.append((label, _cell(values[row.node], precision), _cell(gradient(evaluation, output, row.node), precision),
                      _continued(row, more)))
    _table(console, ("node", "value", f"∂{name}/∂node"), cells, title)
    if not complete:
        console.print(Text(f"… more nodes not shown (the graph has {len(graph)}; --all shows every node)", style="detail"))


def _inputs(evaluation, output, console, precision, max_nodes):
    """The inputs with their values and ∂output/∂input."""
    graph, values = evaluation.graph, evaluation.values
    name = output_name(graph, output)
    inputs, hidden = shown_inputs(evaluation, output, max_nodes)
    if inputs:
        cells = [(Text(input_name, style="name"), _cell(values[node], precision),
                  _cell(gradient(evaluation, output, node), precision), "") for input_name, node in inputs]
        _table(console, ("input", "value", f"∂{name}/∂input"), cells)
        for note in nan_notes(evaluation, output, inputs):
            console.print(Text(note, style="yellow"))
    if hidden:
        console.print(Text(f"… {hidden} more inputs not shown (--all shows every input)", style="detail"))


TABLE_EDGES = 8  # columns a three-column SIMPLE_HEAD table takes beyond its cells: edges, padding, gaps
NAME_SHOWN = 8  # columns of a name a table row must have room for after its guide, or the numbers go under it


def _table(console, header, cells, title=None):
    """Rows of (label, value, gradient, the guide that continues the label's tree below it) as
    a table as wide as the terminal allows: the numbers at their full width, never cut, the
    labels cut (…) to what is left; where too little is left for them, each row's numbers under
    its label. A matrix's rows continue the tree's guides; no line ends in spaces."""
    numbers = [max([display_width(header[k])] + [display_width(line) for c in cells for line in c[k].split("\n")])
               for k in (1, 2)]
    room = console.width - TABLE_EDGES - sum(numbers)
    labels = max([display_width(header[0])] + [c[0].cell_len for c in cells])
    guides = max(display_width(c[3]) for c in cells)
    if room < min(labels, guides + NAME_SHOWN):
        _stacked(console, header, cells, title)
        return
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column(header[0], no_wrap=True, overflow="ellipsis", width=min(labels, room))
    table.add_column(header[1], justify="right", style="value", no_wrap=True, min_width=numbers[0])
    table.add_column(header[2], justify="right", style="grad", no_wrap=True, min_width=numbers[1])
    for label, value, grad, guide in cells:
        extra = max(value.count("\n"), grad.count("\n"))
        if extra and guide:
            label = label.copy()
            for _ in range(extra):
                label.append("\n" + guide, style="guide")
        table.add_row(label, value, grad)
    _print_trimmed(console, table)


def _stacked(console, header, cells, title):
    """The rows for a terminal too narrow for a table: each label (cut to fit), then its value
    and its gradient under it, after the label's continuing guide; a matrix row too wide is
    folded between its numbers, never inside one."""
    width = console.width
    if title is not None:
        console.print(title)
    console.print(Text(f"{header[0]}, then = {header[1]} and ∂ {header[2]}", style="detail"))
    for label, value, grad, guide in cells:
        label = label.copy()
        label.truncate(width, overflow="ellipsis")
        console.print(label, soft_wrap=True)
        if display_width(guide) > width - 16:  # a very deep row: its numbers start at the margin
            guide = ""
        for mark, text, style in (("=", value, "value"), ("∂", grad, "grad")):
            if not text:
                continue
            for k, line in enumerate(_folded(text, width - display_width(guide) - 4)):
                printed = Text(guide, style="guide")
                printed.append(f"  {mark} " if k == 0 else "    ", style="detail")
                printed.append(line, style=style)
                console.print(printed, soft_wrap=True)


def _folded(text, width):
    """The lines of `text`, each longer than `width` broken before a number (never inside one),
    what follows indented."""
    lines = []
    for line in text.split("\n"):
        current = ""
        for piece in re.findall(r"\s*\S+", line):
            if current and display_width(current + piece) > width:
                lines.append(current)
                piece = "  " + piece.lstrip()
                current = ""
            current += piece
        lines.append(current)
    return lines


def _print_trimmed(console, renderable):
    """The renderable line by line, without the spaces that would end each line."""
    for line in console.render_lines(renderable, console.options, pad=False):
        while line and not line[-1].control and not line[-1].text.rstrip():
            line.pop()
        if line:
            last = line[-1]
            line[-1] = Segment(last.text.rstrip(), last.style, last.control)
        console.print(Segments(line + [Segment.line()]), soft_wrap=True)


def _continued(row, more):
    """The guide that continues a row's tree on its next lines (a matrix's rows): the lines of
    the levels above that go on, and a line down to its own inputs when they follow."""
    above = "".join("    " if done else "│   " for done in row.lasts)
    deeper = "  " if row.depth > len(row.lasts) else ""
    return deeper + above + ("│" if more else "")


def _cell(value, precision):
    """A number, or a small matrix as aligned rows."""
    lines = array_lines(value, precision) if arrays.is_array(value) else None
    return "\n".join(lines) if lines else format_number(value, precision)


def _guide(row):
    """'│   ├── ' from the row's path of last-child flags."""
    if row.depth == 0:
        return ""
    *above, last = row.lasts
    deeper = "⋯ " if row.depth > len(row.lasts) else ""
    return deeper + "".join("    " if done else "│   " for done in above) + ("└── " if last else "├── ")


def render_gradcheck(evaluation, comparisons, console, precision=None):
    from .gradcheck import rows

    marks = {"✓": "green", "✗": "bold red", "inconclusive": "yellow"}
    for title, cells, below in rows(evaluation, comparisons, precision):
        table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", caption=below,
                      caption_justify="left", caption_style="detail")
        *numbers, verdict = cells[0]
        for k, column in enumerate(numbers):
            table.add_column(column, justify="left" if k == 0 else "right", style="grad" if k == 1 else None)
        table.add_column(verdict, no_wrap=True, min_width=max(len(row[-1]) for row in cells))  # never 'inconclusi…'
        for row in cells[1:]:
            table.add_row(*row[:-1], Text(row[-1], style=marks.get(row[-1], "dim")))
        console.print(table)
