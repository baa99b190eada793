"""The limit gradcalc's streaming is measured against: read problems from standard input, one
per line; parse each with a bare Lark LALR parser (minimal.py's grammar and inline
transformer, the parser built once); one forward loop, one backward loop; write one JSON
object per problem (the value, the inputs' gradients, every node's value and gradient), flushed
as soon as it is computed. Run as `python bench/minimal_lines.py NAME=VALUE... < FILE`
(floats only)."""

import json
import sys

import lark

from minimal import ADD, CALL, DIV, GRAMMAR, LEAF, MUL, NEG, POW, SUB, Tape, sweep

OPERATIONS = {ADD: "add", SUB: "sub", MUL: "mul", DIV: "div", POW: "pow", NEG: "neg", LEAF: "leaf", CALL: "call"}


def inputs(tape, node):
    kind = tape.kind[node]
    if kind == LEAF:
        return []
    return [tape.a[node]] if kind in (NEG, CALL) else [tape.a[node], tape.b[node]]


def main(point):
    tape = Tape()
    parser = lark.Lark(GRAMMAR, parser="lalr", transformer=tape)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        tape.clear()
        root = parser.parse(line)
        values, grads = sweep(tape, root, point)
        nodes = [{"id": i, "op": OPERATIONS[tape.kind[i]], "inputs": inputs(tape, i), "value": values[i],
                  "grad": grads[i]} for i in range(root + 1)]
        gradient = {name: grads[node] for name, node in tape.names.items()}
        sys.stdout.write(json.dumps({"expr": line, "value": values[root], "gradient": gradient, "nodes": nodes}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main({k: float(v) for k, v in (arg.split("=") for arg in sys.argv[1:])})
