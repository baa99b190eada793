"""Mermaid flowcharts (they render on GitHub and in most Markdown tools), left to right like
the textbook: each arrow carries the forward value and, below it in red, the gradient."""

from ..numbers import format_number
from .layout import picture
from .text import Picture


class Renderer(Picture):
    COMMENT = "%% "

    def draw(self, evaluation):
        return render(evaluation, self.precision)


def render(evaluation, precision=None):
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
    def arrow(value, grad):
        shown = format_number(value, precision)
        return _escape(f"{shown}<br/><span style='color:red'>{format_number(grad, precision)}</span>")

    lines = [f"%% {evaluation.graph.sources[output]}"]
    for kind, *item in picture(evaluation, output):
        if kind == "leaf":
            node, label = item
            lines.append(f'{prefix}n{node}["{_escape(label)}"]')
        elif kind == "op":
            node, symbol, name = item
            lines.append(f'{prefix}n{node}(("{_escape(f"{name}: {symbol}" if name else symbol)}"))')
        elif kind == "arrow":
            source, target, value, grad = item
            lines.append(f'{prefix}n{source} -->|"{arrow(value, grad)}"| {prefix}n{target}')
        else:
            root, name, value, grad = item
            lines.append(f'{prefix}out["{_escape(name)}"]')
            lines.append(f'{prefix}n{root} -->|"{arrow(value, grad)}"| {prefix}out')
    return "".join(f"{indent}{line}\n" for line in lines)


def _escape(text):
    """Mermaid labels are quoted; a quote inside is written as an entity."""
    return text.replace('"', "#quot;")
