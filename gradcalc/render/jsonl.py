"""JSON lines: one object per output, for scripts.

{"expr", "value", "gradient": {input: number}, "nodes": [{"id", "op", "label", "name",
"inputs", "value", "grad"}]}; non-finite numbers are "inf", "-inf", "nan"; exact non-integers
also carry "value_exact" (and "grad_exact", "gradient_exact") as "3996/5"-style strings.
"""

import json
from fractions import Fraction

from ..graph import OPERATION
from ..numbers import exact_text, json_number

# made once (json.dumps with options makes one per call); a record is a tree, so no cycle check
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def render(evaluation, precision=None, max_nodes=None):
    """Every node is always included: a script wants all of them (precision and max_nodes are
    for people, not for JSON)."""
    return "".join(_ENCODER.encode(_output(evaluation, k)) + "\n" for k in range(len(evaluation.graph.outputs)))


def _output(evaluation, output):
    graph, values, grads = evaluation.graph, evaluation.values, evaluation.gradients[output]
    root = graph.outputs[output]
    inputs = evaluation.inputs_of(output)
    record = {"expr": graph.sources[output], "value": json_number(values[root])}
    if type(values[root]) is Fraction:
        record["value_exact"] = exact_text(values[root])
    record["gradient"] = {name: json_number(grads[node]) for name, node in inputs.items()}
    exact_gradient = {name: exact_text(grads[node]) for name, node in inputs.items() if type(grads[node]) is Fraction}
    if exact_gradient:
        record["gradient_exact"] = exact_gradient
    record["nodes"] = _nodes(graph, values, grads, graph.nodes_of(output))
    return record


def _nodes(graph, values, grads, nodes):
    ops, kinds, labels, names, args = graph.ops, graph.kinds, graph.labels, graph.names, graph.args
    entries = []
    for i in nodes:
        value, grad = values[i], grads[i]
        entry = {
            "id": i,
            "op": ops[i].name if kinds[i] == OPERATION else kinds[i],
            "label": labels[i],
            "name": names[i],
            "inputs": list(args[i]),
            "value": json_number(value),
            "grad": json_number(grad),
        }
        if type(value) is Fraction:
            entry["value_exact"] = exact_text(value)
        if type(grad) is Fraction:
            entry["grad_exact"] = exact_text(grad)
        entries.append(entry)
    return entries
