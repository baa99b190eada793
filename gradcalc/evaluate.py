"""The two walks: forward, one loop from the front; backward, one loop from the back.

Neither knows any operation by name: each node's Op supplies its forward rule and its
derivative. What each walk loops over is a layout, data made once per graph and kept here: for
numbers, each step holds its node's rule with the Numbers backend bound and where the partials
declared as terms are found; when arrays flow through (or the graph has an array op), each step
holds a rule that picks a backend by its inputs' kind and checks their shapes. Values and
gradients are returned in lists indexed by node; the graph is not touched, so evaluating twice,
or at another point, gives independent answers.
"""

import math
import weakref
from fractions import Fraction

from . import arrays, numbers
from .errors import GradcalcError, InputError, InternalError, MathError, MissingValues
from .graph import INPUT
from .numbers import IEEENumbers, Numbers
from .ops import PARTIAL_CONSTANTS

# Where the maths has no value: the user's math error in the forward walk. Any other exception
# from a rule is a bug in the op table.
DOMAIN_ERRORS = (ArithmeticError, ValueError, FloatingPointError)


class Evaluation:
    """A graph's values at one point, and for each output the gradient of every node."""

    def __init__(self, graph, values, gradients, wrt=None):
        self.graph = graph
        self.values = values
        self.gradients = gradients  # one list per output, indexed by node
        self.wrt = wrt  # the names whose gradients were asked for; None for all
        self._varies, self._flags = None, {}  # has_gradient's flags, made when first asked

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
        return contributions(self.graph, self.values, consumer, self.gradients[output][consumer])[k]

    def has_gradient(self, node, output=0):
        """Whether the node's gradient means something: not for a constant that reaches the output
        only as a setting of an op (x^2's 2, a[0]'s 0, a target written out; an Op's
        constant_operands), nor for a node the output does not use. Found once per output."""
        return bool(self._meaningful(output)[node])

    def arrow_has_gradient(self, output, consumer, k):
        """Whether what flows back along the arrow into the consumer's k-th input means something."""
        graph = self.graph
        return bool(self._meaningful(output)[consumer]) and _differentiated(graph, consumer, k, self._varying())

    def no_derivative(self, node, output=0):
        """Why the node's gradient is nan ("no derivative for the exponent: log of a negative base
        (-2)"), or None where it is not nan."""
        if not _has_nan(self.gradients[output][node]):
            return None
        return _nan_reason(self, output, node)

    def _varying(self):
        if self._varies is None:
            self._varies = _varying(self.graph)
        return self._varies

    def _meaningful(self, output):
        if output not in self._flags:
            self._flags[output] = _meaningful(self.graph, self.graph.outputs[output], self._varying)
        return self._flags[output]

    def __getitem__(self, name):
        """The value of the node bound to `name`."""
        return self.values[self._node(name)]

    def grad(self, name, output=0):
        """∂output/∂name, for any named node."""
        return self.gradients[output][self._node(name)]

    # In a notebook: a short summary, the rich view as HTML (gradients red), the picture as SVG.
    # (Each loads its renderer when called: evaluating never does.)

    def __repr__(self):
        from .render.notebook import summary

        return summary(self)

    def _repr_html_(self):
        from .render.notebook import html

        return html(self)

    def _repr_svg_(self):
        return self.to_svg()

    def to_svg(self, precision=None):
        """The picture (as `gradcalc eval -o FILE.svg` draws it), an SVG document."""
        from .render import svg

        return svg.render(self, precision)

    def to_dot(self, precision=None):
        """The graph as Graphviz dot text (`--format dot`)."""
        from .render import dot

        return dot.render(self, precision)

    def to_mermaid(self, precision=None):
        """The graph as a Mermaid flowchart (`--format mermaid`)."""
        from .render import mermaid

        return mermaid.render(self, precision)

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
    needed = None if wrt is None else graph.descendants([graph.named[n] for n in wrt if n in graph.named])
    gradients = [backward(graph, values, output, exact, needed) if k in wanted else None
                 for k, output in enumerate(graph.outputs)]
    return Evaluation(graph, values, gradients, None if wrt is None else set(wrt))


# -- the layout the walks read ----------------------------------------------------------------------


class _Layout:
    """What the walks read of a graph, made once per graph: whether an array can come in through
    a leaf or an op, the leaves' values in floats, and the steps of the walks."""

    def __init__(self, graph):
        self.leaf_values = graph.leaf_values  # (not the graph: the layouts are kept while it lives)
        self.array_leaves = arrays.np is not None and any(map(arrays.is_array, graph.leaf_values))
        self.array_ops = False
        self._float_leaves = None
        # One step per operation, for both walks: (node, its forward rule with the Numbers
        # backend bound, first input, second input or -1, the others or None, its op, where its
        # partials are: the places of terms in the node values followed by PARTIAL_CONSTANTS, or
        # -1, -1 and its partials rule with Numbers bound).
        self.steps = steps = []
        constants = len(graph) - 3
        rules = {}  # op -> its rules with Numbers bound
        for i, (op, inputs) in enumerate(zip(graph.ops, graph.args)):
            if op is None:
                continue
            j, k, more = inputs[0], inputs[1] if len(inputs) > 1 else -1, inputs[2:] or None
            bound = rules.get(op)
            if bound is None:
                bound = rules[op] = op.forward_in(Numbers), op.partials_in(Numbers)
                self.array_ops = self.array_ops or not op.elementwise
            places = op.term_places
            if places is None:
                steps.append((i, bound[0], j, k, more, op, -1, -1, bound[1]))
            else:
                first, second = places
                steps.append((i, bound[0], j, k, more, op, (i, j, k)[first] if first < 3 else constants + first,
                              (i, j, k)[second] if second < 3 else constants + second, None))

    @property
    def float_leaves(self):
        """The leaves' values in floats (None where an input has no value), for float mode."""
        if self._float_leaves is None:
            self._float_leaves = [v if v is None else arrays.to_float(v) for v in self.leaf_values]
        return self._float_leaves


_layouts = weakref.WeakKeyDictionary()


def _layout(graph):
    layout = _layouts.get(graph)
    if layout is None:
        layout = _layouts[graph] = _Layout(graph)
    return layout


def _holds_arrays(graph, layout, values):
    """Whether some of the values are arrays: only the leaves can bring them in, and only the
    inputs' values differ from the graph's own."""
    if arrays.np is None:  # nothing has asked for NumPy, so nothing can be an array
        return False
    return layout.array_leaves or any(arrays.is_array(values[node]) for node in graph.inputs.values())


def _backend(operands, ieee=False):
    """The backend an elementwise rule runs in for these operands, and the operands as it takes
    them: Python numbers; float arrays, where an array or a number is a float (exact ones
    converted); or exact arrays. With `ieee`, one that answers inf or nan where numbers would raise."""
    if not arrays.any_array(operands):
        return (IEEENumbers if ieee else Numbers), operands
    if any(type(v) is float or (arrays.is_array(v) and v.dtype != object) for v in operands):
        return arrays.float_backend(), [arrays.to_float(v) for v in operands]
    return arrays.exact_backend(IEEENumbers if ieee else Numbers), operands


# -- forward ----------------------------------------------------------------------------------------


def forward(graph, at, exact):
    layout = _layout(graph)
    values = list(graph.leaf_values if exact else layout.float_leaves)
    for name in at:
        node = graph.named.get(name)
        if node is not None and graph.kinds[node] != INPUT:
            raise InputError(f"{name} is computed by the program ({graph.expression(node)}), so it cannot be given a value")
    missing = []
    for name, node in graph.inputs.items():
        if name in at:
            value = arrays.adopt(at[name])
            values[node] = value if exact else arrays.to_float(value)
        elif values[node] is None:
            missing.append(name)
    if missing:
        raise MissingValues(missing)
    with_arrays = _holds_arrays(graph, layout, values)
    if with_arrays or layout.array_ops:
        with arrays.float_errors("raise"):
            _forward_loop(graph, values, exact, _array_steps(graph, layout, values))
    else:
        _forward_loop(graph, values, exact, layout.steps)
    if not exact:  # a float operation that overflowed gave inf without raising: find it
        finite = numbers.is_finite if with_arrays else math.isfinite
        computed = [v for v, op in zip(values, graph.ops) if op is not None] if with_arrays else values
        if not all(map(finite, computed)):
            first = next((i for i, v in enumerate(values) if graph.ops[i] is not None and not finite(v)
                          and all(finite(values[j]) for j in graph.args[i])), None)
            if first is not None:  # (an inf that came in through an input is not an overflow)
                raise _math_error(graph, values, first, "the result is too large (overflow)")
    return values


def _forward_loop(graph, values, exact, steps):
    """Each step's rule on its inputs' values, in order; exact values kept small (numbers.fit_exact)."""
    fit, limit = numbers.fit_exact, numbers.EXACT_LIMIT
    node = -1
    try:
        for node, rule, j, k, more, _, _, _, _ in steps:
            if k < 0:
                value = rule(values[j])
            elif more is None:
                value = rule(values[j], values[k])
            else:
                value = rule(values[j], values[k], *[values[n] for n in more])
            if exact and (type(value) is not int or not -limit < value < limit):  # a small int needs no fitting
                value = fit(value)
            values[node] = value
    except GradcalcError:
        raise
    except OverflowError:
        raise _math_error(graph, values, node, "the result is too large (overflow)") from None
    except FloatingPointError as error:  # NumPy's, for arrays
        reason = "the result is too large (overflow)" if "overflow" in str(error) else graph.ops[node].undefined
        raise _math_error(graph, values, node, reason) from None
    except DOMAIN_ERRORS:
        raise _math_error(graph, values, node, graph.ops[node].undefined) from None
    except Exception as error:
        raise InternalError(graph.ops[node].name, error) from error


def _array_steps(graph, layout, values):
    """The forward steps when arrays may flow: each rule checks its inputs' shapes, runs in the
    backend their kind asks for, and counts the numbers the arrays hold (made per evaluation)."""
    held = [sum(v.size for v in values if arrays.is_array(v))]  # the leaves' first

    def step(node, op):
        def rule(*inputs):
            if op.shapes is not None:
                problem = op.shapes(*inputs)
                if problem:
                    raise InputError(f"{graph.expression(node)}: {problem}", line=graph.node_lines[node])
            if op.elementwise:
                m, operands = _backend(inputs)
                value = arrays.tidy(op.forward_in(m)(*operands))
            else:
                value = op.forward(*inputs)
            if arrays.is_array(value):  # each array is checked before it is made; all of them here
                held[0] += value.size
                problem = arrays.total_error(held[0])
                if problem:
                    raise InputError(f"{graph.expression(node)}: {problem}", line=graph.node_lines[node])
            return value

        return rule

    return [(i, step(i, op), j, k, more, op, -1, -1, None) for i, _, j, k, more, op, _, _, _ in layout.steps]


# -- backward ---------------------------------------------------------------------------------------


def backward(graph, values, output, exact, needed=None):
    """∂output/∂node for every node: each node, from the output back, adds its gradient times
    each local partial into its inputs' gradients (the `+=` sums over a node's uses).
    With `needed` (a flag per node), only those nodes' gradients are computed."""
    if arrays.is_array(values[output]):
        shape = arrays.describe_shape(values[output].shape)
        expression = graph.expression(output, limit=40)
        raise InputError(f"the output {expression} is a {shape}; gradients are taken of a scalar: "
                         f"try sum({expression})")
    layout = _layout(graph)
    zero = 0 if exact else 0.0
    grads = [zero] * len(values)
    grads[output] = 1 if exact else 1.0
    ancestors = None if graph.minimal else set(graph.ancestors(output))
    general = needed is not None or layout.array_ops or _holds_arrays(graph, layout, values)
    steps = layout.steps
    if general or ancestors is not None or (steps and steps[-1][0] != output):
        steps = [step for step in steps if step[0] <= output and (ancestors is None or step[0] in ancestors)
                 and (needed is None or needed[step[0]])]
    constants = PARTIAL_CONSTANTS if exact else [float(c) for c in PARTIAL_CONSTANTS]
    try:
        with arrays.float_errors("ignore"):
            _backward_loop(graph, values, grads, values + constants, exact, steps, general, needed, zero)
    except OverflowError:  # an exact gradient past a double's range met a float: again, fitting each sum
        grads = [zero] * len(values)
        grads[output] = 1
        _backward_loop(graph, values, grads, values + constants, exact, steps, True, needed, zero)
    return _fitted(grads) if exact else grads


def _backward_loop(graph, values, grads, operands, exact, steps, general, needed, zero):
    """Each step, from the last, adds its node's gradient times each local partial into its
    inputs' gradients: read in place where the partials are terms (`operands` holds them), from
    the partials rule otherwise, and when `general` (arrays, or sums to keep small) through
    `contributions`, which knows shapes and array ops. `zero` is the gradient nothing reached yet."""
    fit, limit = numbers.fit_gradient, numbers.EXACT_LIMIT
    for node, _, j, k, more, op, first, second, partials in reversed(steps):
        g = grads[node]
        if exact and (type(g) is Fraction or (type(g) is int and not -limit < g < limit)):
            g = fit(g)
        if general:
            for n, sent in zip(graph.args[node], contributions(graph, values, node, g, needed)):
                if sent is not None:  # never in place: a contribution may be a view of another gradient
                    summed = sent if grads[n] is zero else grads[n] + sent
                    grads[n] = fit(summed) if exact else summed
        elif first >= 0:  # partials that are operands or constants: read, not computed
            grads[j] += g * operands[first]
            if k >= 0:
                grads[k] += g * operands[second]
        else:
            out = values[node]
            try:
                if k < 0:
                    (dj,) = partials(out, values[j])
                    grads[j] += g * dj
                elif more is None:
                    dj, dk = partials(out, values[j], values[k])
                    grads[j] += g * dj
                    grads[k] += g * dk
                else:
                    inputs = (j, k, *more)
                    for n, d in zip(inputs, partials(out, *[values[n] for n in inputs])):
                        grads[n] += g * d
            except DOMAIN_ERRORS:  # an edge of a domain: the partials are inf or nan there
                for n, d in zip(graph.args[node], local_partials(graph, values, node)):
                    grads[n] += g * d
            except Exception as error:
                raise InternalError(op.name, error) from error


def _fitted(grads):
    """Exact gradients kept small (an integral Fraction an int) and in range."""
    limit, fit = numbers.EXACT_LIMIT, numbers.fit_gradient
    return [fit(g) if type(g) is Fraction or (type(g) is int and not -limit < g < limit) else g for g in grads]


def contributions(graph, values, node, g, needed=None, mistake=None):
    """What `node`, whose gradient is `g`, sends back to each of its inputs: g times the local
    partial, or for an array op its vector-Jacobian product, summed back to the input's shape;
    None for an input whose gradient is not `needed`. With `mistake` (an ops.Mistake of the
    node's op), what that wrong rule would send back (None for an input it does not touch)."""
    op, inputs = graph.ops[node], graph.args[node]
    wanted = [needed is None or needed[j] for j in inputs]
    with arrays.float_errors("ignore"):
        if op.elementwise:
            partials = local_partials(graph, values, node, mistake.partials if mistake else None)
            sent = [g * p if w and p is not None else None for p, w in zip(partials, wanted)]
        else:
            if arrays.is_array(values[node]) and not arrays.is_array(g):
                g = arrays.filled(values[node], g)
            operands = [values[j] for j in inputs]
            rules = mistake.vjp if mistake else op.vjp
            rules = rules + rules[-1:] * (len(inputs) - len(rules))  # a variadic op's last rule repeats
            try:
                sent = [rule(g, values[node], *operands) if w and rule else None for rule, w in zip(rules, wanted)]
            except Exception as error:
                raise InternalError(op.name, error) from error
        return [None if c is None else numbers.fit_gradient(arrays.unbroadcast(c, values[j]))
                for c, j in zip(sent, inputs)]


def local_partials(graph, values, node, rule=None):
    """∂node/∂input for each of the node's inputs, at these values (inf or nan at the edge of a
    domain); None for an array op, whose local derivative is a Jacobian rather than a number.
    `rule`, a partials rule (m, out, *inputs) other than the op's own (a Mistake's), replaces it."""
    op = graph.ops[node]
    if not op.elementwise:
        return None
    m, operands = _backend([values[j] for j in graph.args[node]], ieee=True)
    try:
        with arrays.float_errors("ignore"):
            partials = op.partials_in(m)(values[node], *operands) if rule is None else rule(m, values[node], *operands)
        if len(partials) != len(operands):
            raise ValueError(f"{len(partials)} partials for {len(operands)} inputs")
    except Exception as error:  # the IEEE backend raises nothing for a domain: this is a bug
        raise InternalError(op.name, error) from error
    # 1/x at 1e-310 is past a double
    return tuple(None if p is None else numbers.fit_gradient(arrays.tidy(p)) for p in partials)


# -- which gradients mean something, and why one is nan (for the views; never in the walks) ----------


def _varying(graph):
    """A flag per node: whether it depends on an input (else it is a constant of the program)."""
    varies, kinds, args = bytearray(len(graph)), graph.kinds, graph.args
    for i in range(len(graph)):
        if kinds[i] == INPUT or any(varies[j] for j in args[i]):
            varies[i] = 1
    return varies


def _differentiated(graph, consumer, k, varies):
    """Whether the consumer's k-th operand is differentiated: always, unless it is a constant in a
    place the op declares a setting."""
    return bool(varies[graph.args[consumer][k]]) or not graph.ops[consumer].is_constant_operand(k)


def _meaningful(graph, root, varying):
    """A flag per node: whether some arrow that is differentiated leads from it to `root`.
    `varying()` gives _varying's flags, asked for only where an op declares constant operands
    (a stream of one-line problems mostly has none)."""
    flags, ops, args = bytearray(len(graph)), graph.ops, graph.args
    flags[root] = 1
    varies = None
    for i in range(root, -1, -1):
        op = ops[i]
        if flags[i] and op is not None:
            for k, j in enumerate(args[i]):
                if flags[j]:
                    continue
                if op.constant_operands:
                    varies = varies or varying()
                    if not _differentiated(graph, i, k, varies):
                        continue
                flags[j] = 1
    return flags


def _has_nan(value):
    if arrays.is_array(value):
        return value.dtype != object and bool(arrays.np.isnan(value).any())
    return type(value) is float and value != value


def _nan_reason(evaluation, output, node):
    """Where the nan in the node's gradient comes from: the arrow nearest the output, on a path
    from the node, that sends back nan while its consumer's gradient has none; worded by the op's
    no_derivative column, else by where the slope is not finite."""
    graph, values, grads = evaluation.graph, evaluation.values, evaluation.gradients[output]
    reached = graph.descendants([node])
    for i in range(graph.outputs[output], node, -1):
        if not reached[i] or graph.ops[i] is None or _has_nan(grads[i]) or not evaluation.has_gradient(i, output):
            continue
        sent = contributions(graph, values, i, grads[i])
        for k, j in enumerate(graph.args[i]):
            if reached[j] and _has_nan(sent[k]):
                op = graph.ops[i]
                shown = [numbers.format_number(values[n], approximate=False) for n in graph.args[i]]
                reason = op.no_derivative[k] if k < len(op.no_derivative) else None
                if reason:
                    return reason.format(*shown, symbol=op.symbol)
                return f"no derivative: {graph.expression(i, limit=40)} has no finite slope here"
    return None


def _math_error(graph, values, node, reason):
    """'log(x - 5) at x = 3: log of -2 is undefined': the sub-expression, the values of the
    names in it, and why it has no value."""
    op = graph.ops[node]
    # the values that broke it, every digit (a number rounded for reading could look harmless)
    shown = [numbers.format_number(values[j], numbers.FULL, approximate=False) for j in graph.args[node]]
    reason = reason.format(*shown, symbol=op.symbol)
    named = {}  # name -> node, for the names the printed sub-expression shows
    for i in graph.ancestors(node):
        if graph.names[i] and i != node and values[i] is not None and graph.names[i] not in named:
            if _mentions(graph, node, i):
                named[graph.names[i]] = i
    where = ", ".join(f"{name} = {numbers.format_number(values[i], numbers.FULL)}" for name, i in named.items())
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
