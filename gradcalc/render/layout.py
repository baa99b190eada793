"""What every renderer shows of a node, and the tree of an output's graph, computed once."""

from typing import NamedTuple

from ..graph import CONSTANT, INPUT, LITERAL

# Deeper than this, a tree stops indenting (a 100,000-deep chain would be all indentation).
MAX_INDENT = 12
MAX_ROWS = 40  # rows of a tree, and inputs listed, unless everything is asked for (--all)


class Row(NamedTuple):
    node: int
    depth: int
    lasts: tuple  # for each shown level, whether this branch is its parent's last child
    repeat: bool  # a shared node already shown above


def output_name(graph, output):
    """The name ∂ is taken of: the output node's name, or f."""
    return graph.names[graph.outputs[output]] or "f"


def describe(graph, node):
    """(title, detail): 's', 'apple × n'; '×', '(100 × x + 80 × y) × 1.08'; 'apple', 'input'."""
    kind = graph.kinds[node]
    if kind == INPUT:
        return graph.names[node], "input"
    if kind == CONSTANT:
        return graph.names[node], "constant"
    if kind == LITERAL:
        return graph.label(node), ""
    if graph.names[node]:
        return graph.names[node], graph.expression(node, limit=40)
    return graph.labels[node], graph.expression(node, limit=40)


def tree(graph, root, limit=None):
    """The rows of the tree rooted at `root`, preorder; at most `limit` rows.
    Returns (rows, complete)."""
    rows, seen = [], set()
    stack = [(root, 0, ())]
    while stack:
        if limit is not None and len(rows) >= limit:
            return rows, False
        node, depth, lasts = stack.pop()
        inputs = graph.args[node]
        repeat = node in seen
        seen.add(node)
        rows.append(Row(node, depth, lasts, repeat))
        if not repeat:
            for k in range(len(inputs) - 1, -1, -1):
                stack.append((inputs[k], depth + 1, (lasts + (k == len(inputs) - 1,))[-MAX_INDENT:]))
    return rows, True


def shown_inputs(evaluation, output, limit=None):
    """The inputs to list for an output, at most `limit` of them, and how many are left out."""
    inputs = list(evaluation.inputs_of(output).items())
    if limit is None or len(inputs) <= limit:
        return inputs, 0
    return inputs[:limit], len(inputs) - limit


def gradient(evaluation, output, node):
    """The node's gradient, or None where it means nothing (x^2's 2: Evaluation.has_gradient)."""
    return evaluation.gradients[output][node] if evaluation.has_gradient(node, output) else None


def nan_notes(evaluation, output, inputs):
    """'∂f/∂y is nan: no derivative for the exponent: log of a negative base (-2)' for each of
    the listed inputs (name, node) whose gradient is nan."""
    name = output_name(evaluation.graph, output)
    notes = []
    for input_name, node in inputs:
        reason = evaluation.no_derivative(node, output)
        if reason:
            notes.append(f"∂{name}/∂{input_name} is nan: {reason}")
    return notes


def heading(graph, output, full=False):
    """The output's statement, cut short unless `full` (a generated statement can be huge)."""
    text = graph.sources[output]
    return text if full or len(text) <= 80 else text[:79] + "…"


def picture(evaluation, output):
    """What a drawing of one output's graph shows, in drawing order: ("leaf", node, label),
    ("op", node, symbol, name or None), ("arrow", from, to, value, gradient) for each input of
    an op (gradient None where it means nothing), and last ("out", root, name, value, gradient)
    for the arrow leaving the output."""
    graph, values = evaluation.graph, evaluation.values
    for i in graph.nodes_of(output):
        if graph.ops[i] is None:
            yield "leaf", i, graph.names[i] or graph.labels[i]
            continue
        yield "op", i, graph.labels[i], graph.names[i]
        for k, j in enumerate(graph.args[i]):
            meaningful = evaluation.arrow_has_gradient(output, i, k)
            yield "arrow", j, i, values[j], evaluation.edge_gradient(output, i, k) if meaningful else None
    root = graph.outputs[output]
    yield "out", root, output_name(graph, output), values[root], evaluation.gradients[output][root]
