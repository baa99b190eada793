"""Graphviz dot, laid out left to right like the textbook's figures: each arrow carries the
forward value above and, in red below it, the gradient flowing back along it."""

from html import escape

from ..picture import number_text
from .layout import picture
from .text import Picture


class Renderer(Picture):
    COMMENT = "// "

    def draw(self, evaluation):
        return render(evaluation, self.precision)


def render(evaluation, precision=None):
    graphs = [_digraph(evaluation, k, precision) for k in range(len(evaluation.graph.outputs))]
    return "\n".join(graphs)


def _digraph(evaluation, output, precision):
    def arrow(value, grad):
        shown_value = escape(number_text(value, precision, approximate=True))
        shown_grad = escape(number_text(grad, precision, approximate=True))
        return f'[label=<{shown_value}<br/><font color="red">{shown_grad}</font>>]'

    lines = [
        f"digraph {_quote(evaluation.graph.sources[output])} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=11];',
    ]
    for kind, *item in picture(evaluation, output):
        if kind == "leaf":
            node, label = item
            lines.append(f"  n{node} [label={_quote(label)}, shape=plaintext];")
        elif kind == "op":
            node, symbol, name = item
            named = f", xlabel={_quote(name)}" if name else ""
            lines.append(f"  n{node} [label={_quote(symbol)}, shape=circle{named}];")
        elif kind == "arrow":
            source, target, value, grad = item
            lines.append(f"  n{source} -> n{target} {arrow(value, grad)};")
        else:
            root, name, value, grad = item
            lines.append(f"  out [label={_quote(name)}, shape=plaintext];")
            lines.append(f"  n{root} -> out {arrow(value, grad)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
