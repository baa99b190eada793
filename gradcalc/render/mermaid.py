"""Mermaid flowcharts (they render on GitHub and in most Markdown tools), left to right like
the textbook: each arrow carries the forward value and, below it in red, the gradient."""

from ..numbers import format_number
from .layout import output_name


def render(evaluation, precision=None, max_nodes=None):
    return "\n".join(_flowchart(evaluation, k, precision) for k in range(len(evaluation.graph.outputs)))


def _flowchart(evaluation, output, precision):
    graph, values = evaluation.graph, evaluation.values
    root = graph.outputs[output]
    nodes = range(root + 1) if len(graph.outputs) == 1 else graph.ancestors(root)

    def arrow(value, grad):
        shown = format_number(value, precision)
        return f"{shown}<br/><span style='color:red'>{format_number(grad, precision)}</span>"

    lines = ["flowchart LR", f"  %% {graph.sources[output]}"]
    for i in nodes:
        if graph.ops[i] is None:
            lines.append(f'  n{i}["{_escape(graph.names[i] or graph.labels[i])}"]')
            continue
        name = f"{graph.names[i]}: " if graph.names[i] else ""
        lines.append(f'  n{i}(("{_escape(name + graph.labels[i])}"))')
        for k, j in enumerate(graph.args[i]):
            lines.append(f'  n{j} -->|"{_escape(arrow(values[j], evaluation.edge_gradient(output, i, k)))}"| n{i}')
    lines.append(f'  out["{_escape(output_name(graph, output))}"]')
    lines.append(f'  n{root} -->|"{_escape(arrow(values[root], evaluation.gradients[output][root]))}"| out')
    return "\n".join(lines) + "\n"


def _escape(text):
    """Mermaid labels are quoted; a quote inside is written as an entity."""
    return text.replace('"', "#quot;")
