"""The limit gradcalc's streaming is measured against: read problems from standard input, one
per line; parse each with a bare Lark LALR parser (minimal.py's grammar and inline
transformer, the parser built once); one forward loop, one backward loop; write one JSON
object per problem (the value, the inputs' gradients, every node's value and gradient), flushed
as soon as it is computed. Run as `python bench/minimal_lines.py [--exact] NAME=VALUE... < FILE`:
floats, or with --exact gradcalc's default arithmetic (ints and Fractions, floats only out of
sin, exp…), written to JSON as floats."""

import json
import sys
from fractions import Fraction

import lark

from minimal import ADD, CALL, DIV, GRAMMAR, LEAF, MUL, NEG, POW, SUB, Tape, exact_number, sweep

OPERATIONS = {ADD: "add", SUB: "sub", MUL: "mul", DIV: "div", POW: "pow", NEG: "neg", LEAF: "leaf", CALL: "call"}


def inputs(tape, node):
    kind = tape.kind[node]
    if kind == LEAF:
        return []
    return [tape.a[node]] if kind in (NEG, CALL) else [tape.a[node], tape.b[node]]


def plain(number):
    """What JSON can carry: a Fraction as a float."""
    return number.numerator / number.denominator if type(number) is Fraction else number


def main(point, exact):
    tape = Tape(exact)
    parser = lark.Lark(GRAMMAR, parser="lalr", transformer=tape)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        tape.clear()
        root = parser.parse(line)
        values, grads = sweep(tape, root, point)
        nodes = [{"id": i, "op": OPERATIONS[tape.kind[i]], "inputs": inputs(tape, i), "value": plain(values[i]),
                  "grad": plain(grads[i])} for i in range(root + 1)]
        gradient = {name: plain(grads[node]) for name, node in tape.names.items()}
        record = {"expr": line, "value": plain(values[root]), "gradient": gradient, "nodes": nodes}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    exact = "--exact" in sys.argv[1:]
    bindings = (arg.split("=") for arg in sys.argv[1:] if arg != "--exact")
    main({name: exact_number(value) if exact else float(value) for name, value in bindings}, exact)
