"""Mermaid flowcharts (they render on GitHub and in most Markdown tools), left to right like
the textbook. Each arrow carries its forward value; beside it a dotted red line carries the
gradient flowing back. The colours are `linkStyle` and `classDef` lines, never inline HTML:
GitHub renders Mermaid in strict mode, which shows HTML in a label as text."""

from ..numbers import format_number
from .layout import picture
from .text import Picture

GRADIENT_STYLE = "stroke:red,color:red"
NODE_CLASSES = {"op": "fill:whitesmoke,stroke:gray", "output": "fill:white,stroke:black,stroke-width:2px"}


class Renderer(Picture):
    COMMENT = "%% "

    def draw(self, evaluation):
        return render(evaluation, self.precision)


def render(evaluation, precision=None):
    """One flowchart; a program with several outputs gets a subgraph for each. Links are
    numbered in the order they are written across the whole chart, which `linkStyle` refers to."""
    chart = _Chart(precision)
    outputs = range(len(evaluation.graph.outputs))
    if len(outputs) == 1:
        chart.body(evaluation, 0, "", "  ")
    else:
        for k in outputs:
            chart.lines.append(f'  subgraph o{k + 1}["{_escape(evaluation.graph.sources[k])}"]')
            chart.body(evaluation, k, f"o{k + 1}", "    ")
            chart.lines.append("  end")
    return chart.text()


class _Chart:
    def __init__(self, precision):
        self.precision = precision
        self.lines = ["flowchart LR"]
        self.links = 0  # links written so far
        self.gradient_links = []
        self.classes = {name: [] for name in NODE_CLASSES}

    def link(self, indent, source, target, value, grad):
        """The forward arrow with its value, and the gradient's dotted line with its number (none
        where the arrow carries no gradient)."""
        self.lines.append(f'{indent}{source} -->|"{_escape(format_number(value, self.precision))}"| {target}')
        self.links += 1
        if grad is not None:
            self.lines.append(f'{indent}{source} -.-|"{_escape(format_number(grad, self.precision))}"| {target}')
            self.gradient_links.append(self.links)
            self.links += 1

    def body(self, evaluation, output, prefix, indent):
        self.lines.append(f"{indent}%% {evaluation.graph.sources[output]}")
        for kind, *item in picture(evaluation, output):
            if kind == "leaf":
                node, label = item
                self.lines.append(f'{indent}{prefix}n{node}["{_escape(label)}"]')
            elif kind == "op":
                node, symbol, name = item
                self.lines.append(f'{indent}{prefix}n{node}(("{_escape(f"{name}: {symbol}" if name else symbol)}"))')
                self.classes["op"].append(f"{prefix}n{node}")
            elif kind == "arrow":
                source, target, value, grad = item
                self.link(indent, f"{prefix}n{source}", f"{prefix}n{target}", value, grad)
            else:
                root, name, value, grad = item
                self.lines.append(f'{indent}{prefix}out["{_escape(name)}"]')
                self.classes["output"].append(f"{prefix}out")
                self.link(indent, f"{prefix}n{root}", f"{prefix}out", value, grad)

    def text(self):
        lines = self.lines + [f"  classDef {name} {style}" for name, style in NODE_CLASSES.items()]
        lines += [f"  class {','.join(nodes)} {name}" for name, nodes in self.classes.items() if nodes]
        if self.gradient_links:
            lines.append(f"  linkStyle {','.join(map(str, self.gradient_links))} {GRADIENT_STYLE}")
        return "\n".join(lines) + "\n"


def _escape(text):
    """Mermaid labels are quoted; a quote, and < and > (which would read as HTML), are written
    as Mermaid's entities."""
    return text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
