"""The flat tape: the reference gradcalc's engine is measured against in-process.

The same graph as gradcalc's, copied into parallel lists of small-integer op codes and input
indices; one forward loop and one reverse loop of if/elif on the code, as bench/minimal.py does
after parsing, in floats. It knows only the scalar operations the workloads use: enough to be
the least a Python engine doing the same job could do, not a second engine."""

import math

from . import workloads

ADD, SUB, MUL, DIV, POW, NEG, CALL = range(1, 8)
LEAF = 0

CODES = {"add": ADD, "sub": SUB, "mul": MUL, "div": DIV, "pow": POW, "neg": NEG}


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# name -> (f(x), f'(x) given x and f(x))
FUNCTIONS = {
    "sin": (math.sin, lambda x, out: math.cos(x)),
    "cos": (math.cos, lambda x, out: -math.sin(x)),
    "exp": (math.exp, lambda x, out: out),
    "tanh": (math.tanh, lambda x, out: 1 - out * out),
    "sigmoid": (_sigmoid, lambda x, out: out * (1 - out)),
}
assert set(workloads.FUNCTIONS) <= set(FUNCTIONS)


class FlatTape:
    """A gradcalc Graph as flat lists: `code[i]`, inputs `a[i]` and `b[i]` (-1 when absent),
    `leaf[i]` (a leaf's value as a float), and for a call its function and derivative."""

    def __init__(self, graph):
        self.inputs = dict(graph.inputs)
        self.output = graph.outputs[0]
        self.code, self.a, self.b, self.leaf, self.function, self.derivative = [], [], [], [], [], []
        for op, args, value in zip(graph.ops, graph.args, graph.leaf_values):
            name = None if op is None else op.name
            if name is None:
                code = LEAF
            elif name in CODES:
                code = CODES[name]
            elif name in FUNCTIONS:
                code = CALL
            else:
                raise ValueError(f"the flat tape has no {name}")
            function, derivative = FUNCTIONS.get(name, (None, None))
            self.code.append(code)
            self.a.append(args[0] if args else -1)
            self.b.append(args[1] if len(args) > 1 else -1)
            self.leaf.append(float(value) if value is not None else 0.0)
            self.function.append(function)
            self.derivative.append(derivative)

    def __len__(self):
        return len(self.code)

    def forward(self, at):
        """Every node's value, inputs from `at` (name -> float) or the program's own values."""
        v = list(self.leaf)
        for name, node in self.inputs.items():
            if name in at:
                v[node] = float(at[name])
        code, a, b, function = self.code, self.a, self.b, self.function
        for i in range(len(v)):
            k = code[i]
            if k == LEAF: continue
            elif k == ADD: v[i] = v[a[i]] + v[b[i]]
            elif k == MUL: v[i] = v[a[i]] * v[b[i]]
            elif k == SUB: v[i] = v[a[i]] - v[b[i]]
            elif k == DIV: v[i] = v[a[i]] / v[b[i]]
            elif k == CALL: v[i] = function[i](v[a[i]])
            elif k == NEG: v[i] = -v[a[i]]
            else: v[i] = v[a[i]] ** v[b[i]]
        return v

    def backward(self, v):
        """Every node's gradient ∂output/∂node, given the forward values `v`."""
        g = [0.0] * len(v)
        g[self.output] = 1.0
        code, a, b, derivative = self.code, self.a, self.b, self.derivative
        for i in range(self.output, -1, -1):
            k, gi = code[i], g[i]
            if k == LEAF: continue
            elif k == ADD: g[a[i]] += gi; g[b[i]] += gi
            elif k == MUL: g[a[i]] += gi * v[b[i]]; g[b[i]] += gi * v[a[i]]
            elif k == SUB: g[a[i]] += gi; g[b[i]] -= gi
            elif k == DIV: g[a[i]] += gi / v[b[i]]; g[b[i]] -= gi * v[i] / v[b[i]]
            elif k == CALL: g[a[i]] += gi * derivative[i](v[a[i]], v[i])
            elif k == NEG: g[a[i]] -= gi
            else:
                x, y = v[a[i]], v[b[i]]
                g[a[i]] += gi * (0.0 if y == 0 else y * x ** (y - 1))
                g[b[i]] += gi * (v[i] * math.log(x) if x > 0 else 0.0)
        return g

    def gradient(self, g):
        """{input name: ∂output/∂input}."""
        return {name: g[node] for name, node in self.inputs.items()}
