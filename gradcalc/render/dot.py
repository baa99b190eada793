"""Graphviz dot, laid out left to right like the textbook's figures: each arrow carries the
forward value above and, in red below it, the gradient flowing back along it."""

from html import escape

from ..numbers import format_number
from .layout import output_name


def render(evaluation, precision=None, max_nodes=None):
    graphs = [_digraph(evaluation, k, precision) for k in range(len(evaluation.graph.outputs))]
    return "\n".join(graphs)


def _digraph(evaluation, output, precision):
    graph, values = evaluation.graph, evaluation.values
    root = graph.outputs[output]
    nodes = graph.nodes_of(output)

    def arrow(value, grad):
        shown_value = escape(format_number(value, precision))
        shown_grad = escape(format_number(grad, precision))
        return f'[label=<{shown_value}<br/><font color="red">{shown_grad}</font>>]'

    lines = [
        f"digraph {_quote(graph.sources[output])} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=11];',
    ]
    for i in nodes:
        label = _quote(graph.labels[i])
        if graph.ops[i] is None:
            lines.append(f"  n{i} [label={_quote(graph.names[i] or graph.labels[i])}, shape=plaintext];")
            continue
        name = f", xlabel={_quote(graph.names[i])}" if graph.names[i] else ""
        lines.append(f"  n{i} [label={label}, shape=circle{name}];")
        for k, j in enumerate(graph.args[i]):
            lines.append(f"  n{j} -> n{i} {arrow(values[j], evaluation.edge_gradient(output, i, k))};")
    lines.append(f"  out [label={_quote(output_name(graph, output))}, shape=plaintext];")
    lines.append(f"  n{root} -> out {arrow(values[root], evaluation.gradients[output][root])};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
