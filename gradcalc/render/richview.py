"""The textbook view in a terminal: each output's graph as a tree, every node with its value
and, in red, its gradient; then the inputs with value and ∂output/∂input.
The only module that imports rich."""

import errno

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .. import arrays
from ..numbers import array_lines, format_number
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
                console.print(Text("drawn as a graph; --format tree for the tree", style="detail"))
            else:
                _tree(evaluation, output, console, options.precision, max_nodes)
                console.print(Text(f"drawn as a tree: {why}; --format graph for the graph", style="detail"))
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
    nodes = Table(box=box.SIMPLE_HEAD, title=Text(heading(graph, output, full=max_nodes is None), style="bold"), title_justify="left")
    # the node column gives way first: the numbers are what a row is for
    nodes.add_column("node", no_wrap=True, overflow="ellipsis", max_width=max(30, console.width * 2 // 5))
    nodes.add_column("value", justify="right", style="value", no_wrap=True)
    nodes.add_column(f"∂{name}/∂node", justify="right", style="grad", no_wrap=True)
    for row in rows:
        label = Text(_guide(row), style="guide")
        title, detail = describe(graph, row.node)
        label.append(title, style="name" if graph.names[row.node] else "op")
        if row.repeat:
            label.append("  shared, shown above", style="detail")
            nodes.add_row(label, "", "")
            continue
        if detail and graph.ops[row.node] is not None:
            label.append(" = " if graph.names[row.node] else "  ", style="detail")
            label.append(detail, style="detail")
        elif detail:
            label.append(f"  {detail}", style="detail")
        nodes.add_row(label, _cell(values[row.node], precision), _cell(gradient(evaluation, output, row.node), precision))
    console.print(nodes)
    if not complete:
        console.print(Text(f"… more nodes not shown (the graph has {len(graph)}; --all shows every node)", style="detail"))


def _inputs(evaluation, output, console, precision, max_nodes):
    """The inputs with their values and ∂output/∂input."""
    graph, values = evaluation.graph, evaluation.values
    name = output_name(graph, output)
    inputs, hidden = shown_inputs(evaluation, output, max_nodes)
    if inputs:
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("input", style="name")
        table.add_column("value", justify="right", style="value")
        table.add_column(f"∂{name}/∂input", justify="right", style="grad")
        for input_name, node in inputs:
            table.add_row(input_name, _cell(values[node], precision), _cell(gradient(evaluation, output, node), precision))
        console.print(table)
        for note in nan_notes(evaluation, output, inputs):
            console.print(Text(note, style="yellow"))
    if hidden:
        console.print(Text(f"… {hidden} more inputs not shown (--all shows every input)", style="detail"))


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
