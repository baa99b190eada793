"""The two walks: forward, one loop from the front; backward, one loop from the back.

Neither knows any operation by name: each node's Op supplies its forward rule and its local
partials. Values and gradients are returned in lists indexed by node; the graph is not touched,
so evaluating twice, or at another point, gives independent answers.
"""

import math

from . import numbers
from .errors import InputError, MathError
from .graph import INPUT


class Evaluation:
    """A graph's values at one point, and for each output the gradient of every node."""

    def __init__(self, graph, values, gradients, exact):
        self.graph = graph
        self.values = values
        self.gradients = gradients  # one list per output, indexed by node
        self.exact = exact

    @property
    def value(self):
        """The (first) output's value."""
        return self.values[self.graph.outputs[0]]

    @property
    def gradient(self):
        """{input name: ∂output/∂input} for the (first) output."""
        return self.gradient_of(0)

    def gradient_of(self, output):
        """{input name: ∂output/∂input} for the inputs that output depends on."""
        grads = self.gradients[output]
        return {name: grads[node] for name, node in self.inputs_of(output).items()}

    def inputs_of(self, output):
        return self.graph.inputs_of(output)

    def edge_gradient(self, output, consumer, k):
        """What flows back along one arrow: the consumer's gradient times its local partial
        with respect to its k-th input (a node's gradient is the sum over its arrows)."""
        partial = local_partials(self.graph, self.values, consumer)[k]
        return self.gradients[output][consumer] * partial

    def __getitem__(self, name):
        """The value of the node bound to `name`."""
        return self.values[self._node(name)]

    def grad(self, name, output=0):
        """∂output/∂name, for any named node."""
        return self.gradients[output][self._node(name)]

    def _node(self, name):
        try:
            return self.graph.named[name]
        except KeyError:
            raise KeyError(f"no node is named {name!r}") from None


def evaluate(graph, at=None, exact=True):
    """Values of every node of `graph` with inputs set from `at` (name -> number), then the
    gradient of each output with respect to every node."""
    values = forward(graph, at or {}, exact)
    gradients = [backward(graph, values, output, exact) for output in graph.outputs]
    return Evaluation(graph, values, gradients, exact)


def forward(graph, at, exact):
    values = list(graph.leaf_values)
    for name in at:
        node = graph.named.get(name)
        if node is not None and graph.kinds[node] != INPUT:
            raise InputError(f"{name} is computed by the program ({graph.expression(node)}), so it cannot be given a value")
    for name, node in graph.inputs.items():
        if name in at:
            values[node] = at[name]
        elif values[node] is None:
            raise InputError(f"no value for {name}: give it with --at {name}=VALUE")
    if not exact:
        values = [v if v is None else float(v) for v in values]
    ops, args = graph.ops, graph.args
    fit = numbers.fit_exact if exact else None
    for i in range(len(values)):
        op = ops[i]
        if op is None:
            continue
        inputs = args[i]
        try:
            if len(inputs) == 2:
                value = op.forward(values[inputs[0]], values[inputs[1]])
            else:
                value = op.forward(*[values[j] for j in inputs])
            values[i] = fit(value) if fit else value
        except (ValueError, ZeroDivisionError, TypeError):
            raise _math_error(graph, values, i, op.undefined) from None
        except OverflowError:
            raise _math_error(graph, values, i, "the result is too large (overflow)") from None
    if not exact and not all(map(math.isfinite, values)):
        first = next(i for i, v in enumerate(values) if not math.isfinite(v))
        raise _math_error(graph, values, first, "the result is too large (overflow)")
    return values


def backward(graph, values, output, exact):
    """∂output/∂node for every node: each node, from the output back, adds its gradient times
    each local partial into its inputs' gradients (the `+=` sums over a node's uses)."""
    zero = 0 if exact else 0.0
    grads = [zero] * len(values)
    grads[output] = 1 if exact else 1.0
    ops, args = graph.ops, graph.args
    needed = None if graph.minimal else set(graph.ancestors(output))
    for i in range(output, -1, -1):
        op = ops[i]
        if op is None or (needed is not None and i not in needed):
            continue
        g = grads[i]
        if exact:
            g = numbers.fit_gradient(g)
        for j, partial in zip(args[i], local_partials(graph, values, i)):
            grads[j] += g * partial
    if exact:
        grads = [g if type(g) is int and -numbers.EXACT_LIMIT < g < numbers.EXACT_LIMIT else numbers.fit_gradient(g)
                 for g in grads]
    return grads


def local_partials(graph, values, node):
    """∂node/∂input for each of the node's inputs, at these values."""
    inputs = graph.args[node]
    try:
        return graph.ops[node].partials(values[node], *[values[j] for j in inputs])
    except (ArithmeticError, ValueError):  # no finite derivative here (an edge of a domain)
        return (math.nan,) * len(inputs)


def _math_error(graph, values, node, reason):
    """'log(x - 5) at x = 3: log of -2 is undefined': the sub-expression, the values of the
    names in it, and why it has no value."""
    op = graph.ops[node]
    shown = [numbers.format_number(values[j], approximate=False) for j in graph.args[node]]
    reason = reason.format(*shown, symbol=op.symbol)
    names = []
    for i in graph.ancestors(node):
        if graph.names[i] and i != node and values[i] is not None and graph.names[i] not in names:
            if _mentions(graph, node, i):
                names.append(graph.names[i])
    where = ", ".join(f"{name} = {numbers.format_number(values[graph.named[name]])}" for name in names)
    expression = graph.expression(node)
    return MathError(f"{expression} at {where}: {reason}" if where else f"{expression}: {reason}")


def _mentions(graph, node, named):
    """Whether the printed form of `node` shows the named node `named` (not hidden behind another name)."""
    stack = list(graph.args[node])
    while stack:
        i = stack.pop()
        if i == named:
            return True
        if not graph.names[i]:
            stack.extend(graph.args[i])
    return False
