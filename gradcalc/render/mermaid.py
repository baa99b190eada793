"""Mermaid flowcharts (they render on GitHub and in most Markdown tools), left to right like
the textbook: each arrow carries the forward value and, below it in red, the gradient."""

from ..numbers import format_number
from .layout import output_name


def render(evaluation, precision=None, max_nodes=None):
    """One flowchart; a program with several outputs gets a subgraph for each."""
    outputs = range(len(evaluation.graph.outputs))
    if len(outputs) == 1:
        return "flowchart LR\n" + _body(evaluation, 0, precision, "", "  ")
    parts = ["flowchart LR\n"]
    for k in outputs:
        parts.append(f'  subgraph o{k + 1}["{_escape(evaluation.graph.sources[k])}"]\n')
        parts.append(_body(evaluation, k, precision, f"o{k + 1}", "    "))
        parts.append("  end\n")
    return "".join(parts)


def _body(evaluation, output, precision, prefix, indent):
    graph, values = evaluation.graph, evaluation.values
    root = graph.outputs[output]

    def arrow(value, grad):
        shown = format_number(value, precision)
        return f"{shown}<br/><span style='color:red'>{format_number(grad, precision)}</span>"

    lines = [f"%% {graph.sources[output]}"]
    for i in graph.nodes_of(output):
        if graph.ops[i] is None:
            lines.append(f'{prefix}n{i}["{_escape(graph.names[i] or graph.labels[i])}"]')
            continue
        name = f"{graph.names[i]}: " if graph.names[i] else ""
        lines.append(f'{prefix}n{i}(("{_escape(name + graph.labels[i])}"))')
        for k, j in enumerate(graph.args[i]):
            label = _escape(arrow(values[j], evaluation.edge_gradient(output, i, k)))
            lines.append(f'{prefix}n{j} -->|"{label}"| {prefix}n{i}')
    lines.append(f'{prefix}out["{_escape(output_name(graph, output))}"]')
    label = _escape(arrow(values[root], evaluation.gradients[output][root]))
    lines.append(f'{prefix}n{root} -->|"{label}"| {prefix}out')
    return "".join(f"{indent}{line}\n" for line in lines)


def _escape(text):
    """Mermaid labels are quoted; a quote inside is written as an entity."""
    return text.replace('"', "#quot;")
