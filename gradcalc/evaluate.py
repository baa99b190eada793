"""The two walks: forward, one loop from the front; backward, one loop from the back.

Neither knows any operation by name: each node's Op supplies its forward rule and its local
partials. Values and gradients are returned in lists indexed by node; the graph is not touched,
so evaluating twice, or at another point, gives independent answers.
"""

import math
from contextlib import nullcontext
from fractions import Fraction

from . import arrays, numbers
from .errors import InputError, MathError
from .graph import INPUT
from .ops import PARTIAL_CONSTANTS


class Evaluation:
    """A graph's values at one point, and for each output the gradient of every node."""

    def __init__(self, graph, values, gradients, exact, wrt=None):
        self.graph = graph
        self.values = values
        self.gradients = gradients  # one list per output, indexed by node
        self.exact = exact
        self.wrt = wrt  # the names whose gradients were asked for; None for all

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
        inputs = self.graph.inputs_of(output)
        return inputs if self.wrt is None else {name: node for name, node in inputs.items() if name in self.wrt}

    def edge_gradient(self, output, consumer, k):
        """What flows back along one arrow: the consumer's gradient times its local partial
        with respect to its k-th input (a node's gradient is the sum over its arrows)."""
        with arrays.float_errors("ignore"):
            return contributions(self.graph, self.values, consumer, self.gradients[output][consumer])[k]

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


def evaluate(graph, at=None, exact=True, differentiate=None, wrt=None):
    """Values of every node of `graph` with inputs set from `at` (name -> number), then the
    gradient of each output (or of the outputs numbered in `differentiate`) with respect to
    every node, or only to the names in `wrt` and what lies between them and the output (as
    PyTorch's requires_grad: the rest costs nothing)."""
    values = forward(graph, at or {}, exact)
    wanted = range(len(graph.outputs)) if differentiate is None else differentiate
    needed = None if wrt is None else depends_on(graph, [graph.named[n] for n in wrt if n in graph.named])
    gradients = [backward(graph, values, output, exact, needed) if k in wanted else None
                 for k, output in enumerate(graph.outputs)]
    return Evaluation(graph, values, gradients, exact, None if wrt is None else set(wrt))


def depends_on(graph, starts):
    """The nodes that depend on one of `starts` (and those): the only ones whose gradient
    can reach them."""
    reached = bytearray(len(graph))
    for node in starts:
        reached[node] = 1
    for node in range(min(starts, default=len(graph)), len(graph)):
        if not reached[node] and any(reached[j] for j in graph.args[node]):
            reached[node] = 1
    return reached


def forward(graph, at, exact):
    values = list(graph.leaf_values if exact else graph.float_leaf_values)
    for name in at:
        node = graph.named.get(name)
        if node is not None and graph.kinds[node] != INPUT:
            raise InputError(f"{name} is computed by the program ({graph.expression(node)}), so it cannot be given a value")
    for name, node in graph.inputs.items():
        if name in at:
            value = arrays.adopt(at[name])
            values[node] = value if exact else arrays.to_float(value)
        elif values[node] is None:
            raise InputError(f"no value for {name}: give it with --at {name}=VALUE")
    with_arrays = _holds_arrays(graph, values)
    if with_arrays or graph.has_array_ops:
        with arrays.float_errors("raise") if with_arrays else nullcontext():
            _forward_loop(graph, values, exact, with_arrays)
    else:
        _scalar_forward_loop(graph, values, exact)
    if not exact:  # a float operation that overflowed gave inf without raising: find it
        finite = numbers.is_finite if with_arrays else math.isfinite
        computed = [v for v, op in zip(values, graph.ops) if op is not None] if with_arrays else values
        if not all(map(finite, computed)):
            first = next((i for i, v in enumerate(values) if graph.ops[i] is not None and not finite(v)
                          and all(finite(values[j]) for j in graph.args[i])), None)
            if first is not None:  # (an inf that came in through an input is not an overflow)
                raise _math_error(graph, values, first, "the result is too large (overflow)")
    return values


def _holds_arrays(graph, values):
    """Whether some of the values are arrays: only the leaves can bring them in, and only the
    inputs' values differ from the graph's own."""
    if arrays.np is None:  # nothing has asked for NumPy, so nothing can be an array
        return False
    return graph.has_array_leaves or any(arrays.is_array(values[node]) for node in graph.inputs.values())


def _scalar_forward_loop(graph, values, exact):
    """The forward loop for numbers only: no shapes to check, no arrays to lift."""
    fit, limit = numbers.fit_exact, numbers.EXACT_LIMIT
    i = 0
    try:
        if not exact:
            for i, op, j, k, _, _ in graph.steps:  # numbers-only ops have one or two inputs
                values[i] = op.forward(values[j], values[k]) if k >= 0 else op.forward(values[j])
            return
        for i, op, j, k, _, _ in graph.steps:
            value = op.forward(values[j], values[k]) if k >= 0 else op.forward(values[j])
            if type(value) is not int or not -limit < value < limit:  # a small int needs no fitting
                value = fit(value)
            values[i] = value
    except (ValueError, ZeroDivisionError, TypeError):
        raise _math_error(graph, values, i, graph.ops[i].undefined) from None
    except OverflowError:
        raise _math_error(graph, values, i, "the result is too large (overflow)") from None


def _forward_loop(graph, values, exact, with_arrays):
    """The forward loop for any values: shapes checked, arrays lifted, NumPy's errors mapped."""
    ops, args = graph.ops, graph.args
    fit = numbers.fit_exact if exact else None
    total = sum(v.size for v in values if arrays.is_array(v))  # numbers held in arrays, the leaves' first
    for i in range(len(values)):
        op = ops[i]
        if op is None:
            continue
        inputs = args[i]
        rule = op.array_forward if with_arrays else op.forward
        try:
            if op.shapes is not None and (with_arrays or op.vjp is not None):
                problem = op.shapes(*[values[j] for j in inputs])
                if problem:
                    raise InputError(f"{graph.expression(i)}: {problem}", line=graph.node_lines[i])
            if len(inputs) == 2:
                value = rule(values[inputs[0]], values[inputs[1]])
            else:
                value = rule(*[values[j] for j in inputs])
            values[i] = fit(value) if fit else value
            if arrays.is_array(value):  # each array is checked before it is made; all of them here
                total += value.size
                problem = arrays.total_error(total)
                if problem:
                    raise InputError(f"{graph.expression(i)}: {problem}")
        except (ValueError, ZeroDivisionError, TypeError):
            raise _math_error(graph, values, i, op.undefined) from None
        except OverflowError:
            raise _math_error(graph, values, i, "the result is too large (overflow)") from None
        except FloatingPointError as error:  # NumPy's, for arrays
            reason = "the result is too large (overflow)" if "overflow" in str(error) else op.undefined
            raise _math_error(graph, values, i, reason) from None


def backward(graph, values, output, exact, needed=None):
    """∂output/∂node for every node: each node, from the output back, adds its gradient times
    each local partial into its inputs' gradients (the `+=` sums over a node's uses).
    With `needed` (a flag per node), only those nodes' gradients are computed."""
    if arrays.is_array(values[output]):
        shape = arrays.describe_shape(values[output].shape)
        expression = graph.expression(output, limit=40)
        raise InputError(f"the output {expression} is a {shape}; gradients are taken of a scalar: "
                         f"try sum({expression})")
    zero = 0 if exact else 0.0
    grads = [zero] * len(values)
    grads[output] = 1 if exact else 1.0
    ops, args = graph.ops, graph.args
    ancestors = None if graph.minimal else set(graph.ancestors(output))
    with_arrays = _holds_arrays(graph, values)
    if not with_arrays and not graph.has_array_ops and needed is None:
        try:
            _scalar_backward_loop(graph, values, grads, output, exact, ancestors)
            return _fitted(grads) if exact else grads
        except OverflowError:  # an exact gradient past a double's range met a float: the loop below fits each sum
            grads = [zero] * len(values)
            grads[output] = 1
    with arrays.float_errors("ignore") if with_arrays else nullcontext():
        for i in range(output, -1, -1):
            op = ops[i]
            if op is None or (ancestors is not None and i not in ancestors) or (needed is not None and not needed[i]):
                continue
            for j, contribution in zip(args[i], contributions(graph, values, i, grads[i], with_arrays, needed)):
                if contribution is None:
                    continue
                # never in place: a contribution may be a view of another gradient (a transpose)
                summed = contribution if grads[j] is zero else grads[j] + contribution
                grads[j] = numbers.fit_gradient(summed) if exact else summed
    return grads


def _fitted(grads):
    """Exact gradients kept small (an integral Fraction an int) and in range."""
    limit, fit = numbers.EXACT_LIMIT, numbers.fit_gradient
    return [fit(g) if type(g) is Fraction or (type(g) is int and not -limit < g < limit) else g for g in grads]


def _scalar_backward_loop(graph, values, grads, output, exact, ancestors=None):
    """The reverse loop for numbers only: each node adds its gradient times each local partial
    into its inputs' gradients (only the output's `ancestors`, when the graph has more)."""
    nan, fit, limit = math.nan, numbers.fit_gradient, numbers.EXACT_LIMIT
    steps = graph.steps
    if steps and (ancestors is not None or steps[-1][0] != output):
        steps = [step for step in steps if step[0] <= output and (ancestors is None or step[0] in ancestors)]
    constants = PARTIAL_CONSTANTS if exact else [float(c) for c in PARTIAL_CONSTANTS]
    operands = values + constants  # where the steps find the partials declared as terms
    for i, op, j, k, first_partial, second_partial in reversed(steps):
        g = grads[i]
        if exact and (type(g) is Fraction or (type(g) is int and not -limit < g < limit)):
            g = fit(g)
        if first_partial >= 0:  # partials that are operands or constants: read, not computed
            grads[j] += g * operands[first_partial]
            if k >= 0:
                grads[k] += g * operands[second_partial]
        elif k >= 0:
            try:
                dj, dk = op.partials(values[i], values[j], values[k])
            except (ArithmeticError, ValueError):  # no finite derivative here (an edge of a domain)
                dj = dk = nan
            grads[j] += g * dj
            grads[k] += g * dk
        else:
            try:
                (dj,) = op.partials(values[i], values[j])
            except (ArithmeticError, ValueError):
                dj = nan
            grads[j] += g * dj


def contributions(graph, values, node, g, with_arrays=True, needed=None):
    """What `node`, whose gradient is `g`, sends back to each of its inputs: g times the local
    partial, or for an array op its vector-Jacobian product, summed back to the input's shape;
    None for an input whose gradient is not `needed`."""
    op, inputs = graph.ops[node], graph.args[node]
    wanted = [needed is None or needed[j] for j in inputs]
    if op.vjp is None:
        partials = local_partials(graph, values, node, with_arrays)
        sent = [g * p if w else None for p, w in zip(partials, wanted)]
    else:
        if arrays.is_array(values[node]) and not arrays.is_array(g):
            g = arrays.filled(values[node], g)
        operands = [values[j] for j in inputs]
        sent = [rule(g, values[node], *operands) if w else None for rule, w in zip(op.vjp, wanted)]
    if with_arrays:
        sent = [None if c is None else arrays.unbroadcast(c, values[j]) for c, j in zip(sent, inputs)]
    return [None if c is None else numbers.fit_gradient(c) for c in sent]


def local_partials(graph, values, node, with_arrays=True):
    """∂node/∂input for each of the node's inputs, at these values; None for an array op,
    whose local derivative is a Jacobian rather than a number."""
    op, inputs = graph.ops[node], graph.args[node]
    if op.partials is None:
        return None
    rule = op.array_partials if with_arrays else op.partials
    try:
        partials = rule(values[node], *[values[j] for j in inputs])
    except (ArithmeticError, ValueError):  # no finite derivative here (an edge of a domain)
        return (math.nan,) * len(inputs)
    return tuple(numbers.fit_gradient(p) for p in partials)  # 1/x at x = 1e-310 is past a double's range


def _math_error(graph, values, node, reason):
    """'log(x - 5) at x = 3: log of -2 is undefined': the sub-expression, the values of the
    names in it, and why it has no value."""
    op = graph.ops[node]
    shown = [numbers.format_number(values[j], approximate=False) for j in graph.args[node]]
    reason = reason.format(*shown, symbol=op.symbol)
    named = {}  # name -> node, for the names the printed sub-expression shows
    for i in graph.ancestors(node):
        if graph.names[i] and i != node and values[i] is not None and graph.names[i] not in named:
            if _mentions(graph, node, i):
                named[graph.names[i]] = i
    where = ", ".join(f"{name} = {numbers.format_number(values[i])}" for name, i in named.items())
    expression = graph.expression(node)
    return MathError(f"{expression} at {where}: {reason}" if where else f"{expression}: {reason}",
                     line=graph.node_lines[node])


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
