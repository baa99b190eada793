"""Plain text: the rich view's facts with no colour or box-drawing, easy to diff and grep."""

from ..numbers import format_number
from ..textwidth import display_width, pad
from .layout import describe, heading, output_name, shown_inputs, tree


def render(evaluation, precision=None, max_nodes=None):
    """One block per output: its statement, the node tree, then the inputs' gradients."""
    blocks = []
    for output in range(len(evaluation.graph.outputs)):
        blocks.append(_output_block(evaluation, output, precision, max_nodes))
    return "\n\n".join(blocks) + "\n"


def _output_block(evaluation, output, precision, max_nodes):
    graph = evaluation.graph
    values, grads = evaluation.values, evaluation.gradients[output]
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
        table.append((label, format_number(values[row.node], precision), format_number(grads[row.node], precision)))
    lines = [heading(graph, output, full=max_nodes is None), *_columns(table)]
    if not complete:
        lines.append(f"… more nodes not shown (the graph has {len(graph)}; --all shows every node)")
    inputs, hidden = shown_inputs(evaluation, output, max_nodes)
    if inputs:
        table = [("input", "value", f"∂{name}/∂input")]
        for input_name, node in inputs:
            table.append((input_name, format_number(values[node], precision), format_number(grads[node], precision)))
        lines += ["", *_columns(table)]
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
