"""Plain text: the rich view's facts with no colour or box-drawing, easy to diff and grep."""

from ..numbers import format_number
from ..textwidth import display_width, pad
from .layout import MAX_ROWS, describe, gradient, heading, nan_notes, output_name, shown_inputs, tree
from .text import joined, write


class Renderer:
    """Every kind of report as plain text: evaluations a block each, a blank line between them."""

    def __init__(self, out, options):
        self.out, self.options = out, options
        self.blocks = 0  # evaluations shown
        self.previous = 0  # how many lines the last file graded took

    def evaluation(self, evaluation, gradchecks=None):
        options = self.options
        text = render(evaluation, options.precision, None if options.everything else MAX_ROWS)
        if gradchecks:
            from . import gradcheck

            text += joined([[]] + gradcheck.lines(evaluation, gradchecks, options.precision))
        write(self.out, "\n" + text if self.blocks else text)
        self.blocks += 1

    def error(self, error):
        """Said on standard error, where a reader of this view looks for it."""

    def verdict(self, verdict):
        from . import checks

        write(self.out, joined(checks.verdict_lines(verdict, self.options.reveal, self.options.precision)))

    def findings(self, report):
        from . import checks

        write(self.out, joined(checks.findings_lines(report, self.options.reveal)))

    def explanations(self, explanations):
        from .explain import SWEEP_LIMIT, text_lines

        max_steps = None if self.options.everything else SWEEP_LIMIT
        blocks = [joined(text_lines(e, self.options.precision, max_steps)) for e in explanations]
        write(self.out, "\n".join(blocks) + "\n")

    def marks(self, graded):
        options = self.options
        if options.summary:
            return
        from . import checks

        lines = checks.marks_lines(graded, options.several, options.reveal, options.precision)
        write(self.out, joined(checks.spaced(lines, self.previous)))
        self.previous = len(lines)

    def end(self, book):
        options = self.options
        if options.several or options.summary:
            from . import checks

            write(self.out, joined(([[]] if self.previous else []) + checks.gradebook_lines(book, options.reveal)))


def render(evaluation, precision=None, max_nodes=None):
    """One block per output: its statement, the node tree, then the inputs' gradients."""
    blocks = []
    for output in range(len(evaluation.graph.outputs)):
        blocks.append(output_block(evaluation, output, precision, max_nodes))
    return "\n\n".join(blocks) + "\n"


def output_block(evaluation, output, precision, max_nodes):
    graph = evaluation.graph
    values = evaluation.values
    name = output_name(graph, output)
    rows, complete = tree(graph, graph.outputs[output], max_nodes)
    table = [("node", "value", f"∂{name}/∂node")]
    for row in rows:
        title, detail = describe(graph, row.node)
        indent = "  " * min(row.depth, len(row.lasts))
        if row.repeat:
            table.append((f"{indent}{title} (shared, shown above)", "", ""))
            continue
        label = f"{indent}{_label(graph, row.node, title, detail)}"
        table.append((label, format_number(values[row.node], precision),
                      format_number(gradient(evaluation, output, row.node), precision)))
    lines = [heading(graph, output, full=max_nodes is None), *_columns(table)]
    if not complete:
        lines.append(f"… more nodes not shown (the graph has {len(graph)}; --all shows every node)")
    inputs, hidden = shown_inputs(evaluation, output, max_nodes)
    if inputs:
        table = [("input", "value", f"∂{name}/∂input")]
        for input_name, node in inputs:
            table.append((input_name, format_number(values[node], precision),
                          format_number(gradient(evaluation, output, node), precision)))
        lines += ["", *_columns(table), *nan_notes(evaluation, output, inputs)]
    if hidden:
        lines.append(f"… {hidden} more inputs not shown (--all shows every input)")
    return "\n".join(lines)


def _label(graph, node, title, detail):
    """'s = apple × n' for a named node, '×  100 × x' for an unnamed one, 'x' for a leaf."""
    if graph.ops[node] is None:
        return title
    return f"{title} = {detail}" if graph.names[node] else f"{title}  {detail}"


def _columns(rows):
    """Rows of cells as lines with aligned columns (wide characters count double)."""
    widths = [max(display_width(row[k]) for row in rows) for k in range(len(rows[0]))]
    return [("  ".join(pad(cell, width) for cell, width in zip(row, widths))).rstrip() for row in rows]
