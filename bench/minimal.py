"""The limit gradcalc is measured against: the least a tool doing the same job could do.

Import click, rich and lark; parse with Lark's LALR parser and an inline transformer that
appends to a flat tape; one forward loop, one backward loop; print the value and the inputs'
gradients. Run as `python bench/minimal.py FILE NAME=VALUE...` (floats only). `minimal_lines.py`
reuses its grammar, tape and loops for a stream of one-line problems."""

import math
import sys
from fractions import Fraction

import click  # noqa: F401  (the same imports gradcalc's command line pays for)
import lark
import rich.console  # noqa: F401
import rich.tree  # noqa: F401

GRAMMAR = r"""
?start: sum
?sum: product | sum "+" product -> add | sum "-" product -> sub
?product: unary | product "*" unary -> mul | product "/" unary -> div
?unary: power | "-" unary -> neg
?power: atom | atom "^" unary -> pow
?atom: NUMBER -> number | NAME -> name | NAME "(" sum ")" -> call | "(" sum ")"
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/
NAME: /[^\W\d]\w*/
%ignore /[ \t\f\r\n]+/
"""

FUNCTIONS = {
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda x: -math.sin(x)),
    "exp": (math.exp, math.exp),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
}
ADD, SUB, MUL, DIV, POW, NEG, LEAF, CALL = range(8)


class Tape:
    """Lark's inline transformer: each reduction appends a node to flat lists and returns its index.
    With `exact`, number literals are ints and Fractions (gradcalc's default arithmetic), else floats."""

    def __init__(self, exact=False):
        self.exact = exact
        self.kind, self.a, self.b, self.value, self.names = [], [], [], [], {}

    def clear(self):
        self.__init__(self.exact)

    def _push(self, kind, a=-1, b=-1, value=0.0):
        self.kind.append(kind)
        self.a.append(a)
        self.b.append(b)
        self.value.append(value)
        return len(self.kind) - 1

    def add(self, c): return self._push(ADD, c[0], c[1])
    def sub(self, c): return self._push(SUB, c[0], c[1])
    def mul(self, c): return self._push(MUL, c[0], c[1])
    def div(self, c): return self._push(DIV, c[0], c[1])
    def pow(self, c): return self._push(POW, c[0], c[1])
    def neg(self, c): return self._push(NEG, c[0])
    def number(self, c): return self._push(LEAF, value=exact_number(c[0]) if self.exact else float(c[0]))

    def name(self, c):
        if c[0] not in self.names:
            self.names[c[0]] = self._push(LEAF)
        return self.names[c[0]]

    def call(self, c):
        return self._push(CALL, c[1], b=str(c[0]))


def exact_number(text):
    """A literal or an input's value, exactly: an int if it is whole, else a Fraction (0.5 is 1/2)."""
    return int(text) if text.isdigit() else Fraction(text)


def sweep(tape, root, point):
    """Every node's value (one forward loop), then its gradient (one reverse loop)."""
    for name, value in point.items():
        if name in tape.names:
            tape.value[tape.names[name]] = value
    kind, a, b, v = tape.kind, tape.a, tape.b, tape.value
    for i in range(len(kind)):
        k = kind[i]
        if k == ADD: v[i] = v[a[i]] + v[b[i]]
        elif k == SUB: v[i] = v[a[i]] - v[b[i]]
        elif k == MUL: v[i] = v[a[i]] * v[b[i]]
        elif k == DIV: v[i] = v[a[i]] / v[b[i]]
        elif k == POW: v[i] = v[a[i]] ** v[b[i]]
        elif k == NEG: v[i] = -v[a[i]]
        elif k == CALL: v[i] = FUNCTIONS[b[i]][0](v[a[i]])
    g = [0 if tape.exact else 0.0] * len(kind)
    g[root] = 1 if tape.exact else 1.0
    for i in range(root, -1, -1):
        k, gi = kind[i], g[i]
        if k == ADD: g[a[i]] += gi; g[b[i]] += gi
        elif k == SUB: g[a[i]] += gi; g[b[i]] -= gi
        elif k == MUL: g[a[i]] += gi * v[b[i]]; g[b[i]] += gi * v[a[i]]
        elif k == DIV: g[a[i]] += gi / v[b[i]]; g[b[i]] -= gi * v[i] / v[b[i]]
        elif k == POW: g[a[i]] += gi * v[b[i]] * v[a[i]] ** (v[b[i]] - 1); g[b[i]] += gi * v[i] * math.log(v[a[i]]) if v[a[i]] > 0 else 0.0
        elif k == NEG: g[a[i]] -= gi
        elif k == CALL: g[a[i]] += gi * FUNCTIONS[b[i]][1](v[a[i]])
    return v, g


def main(path, point):
    tape = Tape()
    parser = lark.Lark(GRAMMAR, parser="lalr", transformer=tape)
    with open(path, encoding="utf-8") as file:
        root = parser.parse(file.read())
    values, grads = sweep(tape, root, point)
    print(f"value {values[root]!r}")
    for name, node in tape.names.items():
        print(f"d/d{name} {grads[node]!r}")


if __name__ == "__main__":
    main(sys.argv[1], {k: float(v) for k, v in (arg.split("=") for arg in sys.argv[2:])})
