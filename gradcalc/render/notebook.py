"""What an Evaluation shows of itself in a notebook (and at the Python prompt): a one-line
summary, and the rich view as an HTML fragment with the gradients red."""

import io

from ..numbers import format_number
from ..textwidth import shortened
from .layout import output_name

SUMMARY_INPUTS = 3  # inputs named in the summary; the rest are counted
HTML_WIDTH = 100  # columns of the rich view in HTML: a picture that fits is drawn, else the tree


def summary(evaluation):
    """'<Evaluation E = 799.2 at apple=100, apple_count=5, orange=80, …; 5 inputs>'."""
    graph = evaluation.graph
    outputs = []
    for k in range(len(graph.outputs)):
        value = evaluation.values[graph.outputs[k]]
        outputs.append(f"{shortened(output_name(graph, k))} = {shortened(format_number(value, 6), 30)}")
    inputs = list(graph.inputs.items())
    shown = ", ".join(f"{shortened(name)}={shortened(format_number(evaluation.values[node], 6), 20)}"
                      for name, node in inputs[:SUMMARY_INPUTS])
    more = ", …" if len(inputs) > SUMMARY_INPUTS else ""
    at = f" at {shown}{more}; {len(inputs)} input{'s' if len(inputs) != 1 else ''}" if inputs else ""
    return f"<Evaluation {', '.join(outputs)}{at}>"


def html(evaluation, precision=None):
    """The rich view (the picture where it fits HTML_WIDTH columns, else the tree) as HTML."""
    from . import Options
    from .richview import Renderer, console

    renderer = Renderer(io.StringIO(), Options(precision))
    renderer.console = console(file=io.StringIO(), record=True, width=HTML_WIDTH, force_terminal=True,
                               color_system="truecolor")
    renderer.evaluation(evaluation)
    return renderer.console.export_html(
        inline_styles=True,
        code_format='<pre style="font-family: Menlo, \'DejaVu Sans Mono\', Consolas, monospace; '
                    'line-height: 1.25">{code}</pre>',
    )
