"""THE op table: one row per operation, its forward rule and its derivative side by side.

Vocabulary of a row (as in PyTorch's derivatives.yaml; the rules are written once, in the
primitives of a backend ``m``, the way JAX writes its rules in lax primitives):
- ``forward`` computes the node's value: the name of a backend primitive (``"sin"`` is
  ``m.sin``), or a rule ``(m, x, ...)``; an array op's forward rule is ``(x, ...)``;
- ``partials(m, out, x, ...)`` returns one local partial derivative per input, ∂out/∂input,
  given the node's own value ``out`` and its inputs; the backward walk multiplies each by the
  upstream gradient and adds it into that input's gradient. Where every partial is a constant
  or one of the operands, they are declared as those terms instead: ``(1, -1)`` for subtract,
  ``(Y, X)`` for multiply (the walk reads them where they are, with no call per node);
- ``vjp`` replaces ``partials`` for an array op (a matrix product, a sum, softmax…), whose
  local derivative is a Jacobian: one rule per input, ``(g, out, x, ...)`` → the gradient for
  that input given the upstream gradient ``g`` (an input whose gradient nobody wants costs
  nothing). Array ops take their inputs as they are; their rules use NumPy (``arrays.np``)
  and have no ``m``.

The backend ``m`` is numbers.Numbers for Python numbers (exact where the maths is rational),
or NumPy's for float or exact arrays (gradcalc/arrays.py): the same primitive names, so one
rule serves numbers and arrays alike. A primitive may raise where the maths has no value; the
forward walk reports that as the user's math error, the backward walk asks again in a backend
that answers inf or nan. Any other exception from a rule is a bug in this table, reported as such.

The other columns say all that other modules need to know of an op: ``symbol`` (how it is
printed), ``calls`` (the names a call may use, and a method: ``x.exp()`` is ``exp(x)``),
``attributes`` (the attributes that apply it: ``W.T``), ``tex`` (how LaTeX writes it, its inputs
``#0``, ``#1``…: ``\\frac{#0}{#1}``; an input in braces needs no parentheses; without it, an operator
as printed and a call as ``\\operatorname{name}(…)``), ``form`` and ``precedence`` (the grammar's
alias for an operator is the op's name, and the parser makes its callbacks from the table),
``mistakes`` (the wrong backward rules students typically write for it, each a ``Mistake``:
the homework judge recognises a wrong gradient as one of them without knowing the op), ``shapes(*inputs)`` (why inputs of these shapes do not fit, or None), ``rule`` (the
backward rule in words, the way the textbook says it, and each local partial as a template over
the node's own operands: ``rule("multiply by the other input", "{1}", "{0}")``, a ``Rule``),
``undefined`` (the message when the forward rule has no value, formatted with the inputs),
``constant_operands`` (the positions of operands that are settings of the op rather than
quantities flowing through it: power's exponent, an index, cross_entropy's target; where such an
operand is a constant, written in the program, its gradient means nothing and no view shows one)
and ``no_derivative`` (for each input, why its local partial can be nan where the op has a value,
formatted as ``undefined``). The table checks itself when it is built.

Adding an op is adding one row (and its test case in tests/test_ops.py). At a kink the partials
follow PyTorch: relu'(0) = 0, abs'(0) = 0, max/min at a tie split the gradient evenly between
both inputs, and clamp's gradient goes to x inside [lo, hi], bounds included.
"""

import functools
import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from . import arrays
from .numbers import IEEENumbers, Numbers, div

INFIX, PREFIX, POSTFIX, INDEX, CALL = "infix", "prefix", "postfix", "index", "call"

# Binding strength for printing expressions back; matches the grammar's layers.
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5


class Operand:
    """A partial that is one of the node's operands, by its place in ``partials(m, out, x, y)``."""

    def __init__(self, position):
        self.position = position


OUT, X, Y = Operand(0), Operand(1), Operand(2)


class Mistake(NamedTuple):
    """A wrong backward rule students write for an op, as its row declares it: the wrong local
    partial for each input, ``partials(m, out, x, ...)`` (None for an input it does not touch),
    or for an array op one wrong vector-Jacobian product per input, ``vjp`` (None entries
    likewise). The judge compares a wrong answer with the gradient this rule would give.
    ``says`` explains it, formatted with {node} (the op's node), {input} (the input the gradient
    is about), {other} (a two-input op's other input) and {f}; ``revisit`` names only the rule,
    for feedback that must not give the answer away."""

    kind: str
    says: str
    revisit: str
    partials: Callable | None = None
    vjp: tuple | None = None

class Rule(NamedTuple):
    """The backward rule in the learner's words: what the op does to the gradient (``says``, no
    symbols of its own), and for each input its local partial ∂node/∂input written over the
    node's own operands (``partials``): ``{0}``, ``{1}``… its inputs, ``{out}`` the node itself,
    each a name, a number or a parenthesised expression (``{0.bare}`` without the parentheses, for
    a template that encloses it: ``cos({0.bare})``). An array op's entries say what it sends back
    to each input, over ``{g}``, the gradient that reaches the node. A variadic op's last entry
    serves its extra inputs."""

    says: str
    partials: tuple

    def partial(self, k):
        return self.partials[min(k, len(self.partials) - 1)]


def rule(says, *partials):
    return Rule(says, partials)


PARTIAL_CONSTANTS = []  # every constant declared as a partial, each once; the walks put them after the values


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap in a set of a million nodes
class Op:
    name: str
    arity: int  # inputs; a `variadic` op takes at least this many
    forward: str | Callable
    rule: Rule
    partials: tuple | Callable | None = None
    vjp: tuple | None = None
    symbol: str | None = None  # how it is printed; its name if None
    tex: str | None = None  # how LaTeX writes it, over its inputs #0, #1, …; None: from form and symbol
    calls: tuple | None = None  # the names a call may use; (name,) for a function, () for an operator
    attributes: tuple = ()  # the attributes that apply it, as Python's a.T
    form: str = CALL
    precedence: int = ATOM
    right_assoc: bool = False
    variadic: bool = False  # more inputs than `arity` are allowed; the last vjp rule serves the extra ones
    mistakes: tuple = ()  # Mistake rows: the wrong backward rules the homework diagnoses recognise
    shapes: Callable | None = None
    undefined: str = "{symbol} of {0} is undefined"
    constant_operands: tuple = ()  # positions not differentiated when a constant is there (a variadic op's last repeats)
    no_derivative: tuple = ()  # per input, why its partial can be nan at a valid point (None: it cannot)
    terms: tuple | None = field(default=None, init=False)  # the partials, when declared as terms
    # where the backward walk finds the terms: 0-2 in (node, x, y), 3 + c for PARTIAL_CONSTANTS[c]
    term_places: tuple | None = field(default=None, init=False, repr=False)
    elementwise: bool = field(default=True, init=False)  # applied to arrays element by element (partials)
    _bound: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        if self.symbol is None:
            object.__setattr__(self, "symbol", self.name)
        if self.calls is None:
            object.__setattr__(self, "calls", (self.name,) if self.form == CALL else ())
        if isinstance(self.partials, tuple):
            object.__setattr__(self, "terms", self.partials)
            object.__setattr__(self, "partials", _rule_of(self.partials))
            object.__setattr__(self, "term_places", _places_of(self.terms))
        object.__setattr__(self, "elementwise", self.vjp is None)
        _check(self)

    def is_constant_operand(self, k):
        """Whether the k-th operand is a setting of the op (x^2's 2, a[0]'s 0), not differentiated
        when it is a constant."""
        last = self.arity - 1
        return k in self.constant_operands or (self.variadic and k > last and last in self.constant_operands)

    def forward_in(self, m):
        """The forward rule with the backend `m` bound: m's own primitive where the row names one
        (an array op's rule takes no backend)."""
        key = ("forward", m)
        if key not in self._bound:
            if isinstance(self.forward, str):
                self._bound[key] = getattr(m, self.forward)
            else:
                self._bound[key] = functools.partial(self.forward, m) if self.elementwise else self.forward
        return self._bound[key]

    def partials_in(self, m):
        """The partials rule with the backend `m` bound; None for an array op."""
        key = ("partials", m)
        if key not in self._bound:
            self._bound[key] = functools.partial(self.partials, m) if self.elementwise else None
        return self._bound[key]


def _places_of(terms):
    """Each term's place in (node, x, y, *PARTIAL_CONSTANTS), padded to two with y's (a unary
    op has none: its second input is -1)."""
    places = []
    for term in terms:
        if type(term) is Operand:
            places.append(term.position)
        else:
            if term not in PARTIAL_CONSTANTS:
                PARTIAL_CONSTANTS.append(term)
            places.append(3 + PARTIAL_CONSTANTS.index(term))
    return tuple(places + [Y.position] * (2 - len(places)))


def _rule_of(terms):
    """The partials rule that gives `terms`: each an Operand's value or a constant."""
    def partials(m, *operands):
        return tuple(operands[term.position] if type(term) is Operand else term for term in terms)
    return partials


def _check(op):
    """A row's own consistency: one derivative, one rule per input, forward a primitive that exists."""
    if (op.partials is None) == (op.vjp is None):
        raise TypeError(f"op {op.name}: give partials or vjp, one of them")
    if isinstance(op.forward, str) and not hasattr(Numbers, op.forward):
        raise TypeError(f"op {op.name}: no primitive {op.forward}")
    count = len(op.terms or op.vjp or op.partials(IEEENumbers, 0.5, *(0.5,) * op.arity))
    if count != op.arity:
        raise TypeError(f"op {op.name}: {count} partials for {op.arity} inputs")
    if any(not 0 <= k < op.arity for k in op.constant_operands) or len(op.no_derivative) not in (0, op.arity):
        raise TypeError(f"op {op.name}: constant_operands are places among {op.arity} inputs, "
                        f"and no_derivative gives a reason (or None) for each")
    if len(op.rule.partials) != op.arity:
        raise TypeError(f"op {op.name}: the rule's words give {len(op.rule.partials)} partials for {op.arity} inputs")
    operands = [RuleOperand(f"(a{k} + 1)") for k in range(op.arity)]
    for template in op.rule.partials:  # a misspelt placeholder fails here, not in a student's explanation
        template.format(*operands, out=RuleOperand("(o + 1)"), g="g")
    for mistake in op.mistakes:  # written as the op's own derivative is: partials, or one vjp per input
        rules = mistake.vjp if op.vjp else mistake.partials and mistake.partials(IEEENumbers, 0.5, *(0.5,) * op.arity)
        if (mistake.vjp is None) != (op.vjp is None) or rules is None or len(rules) != op.arity:
            raise TypeError(f"op {op.name}: mistake {mistake.kind} needs a wrong rule for each of {op.arity} inputs, "
                            f"written as {'vjp' if op.vjp else 'partials'}")


class RuleOperand(str):
    """An operand as a rule's templates get it, ``(a + b)``; ``.bare`` is ``a + b``."""

    @property
    def bare(self):
        return self[1:-1] if self.startswith("(") and self.endswith(")") else str(self)


def _max_share(m, x, y):
    """How much of the gradient max sends to x: all of it where x is larger, half at a tie."""
    return m.div(m.where(x == y, 1, m.where(x > y, 2, 0)), 2)


# -- array ops: forward rules and vector-Jacobian products --------------------------------


def _matmul(a, b):
    if not (arrays.is_array(a) and arrays.is_array(b)):
        return a * b
    return arrays.tidy(a @ b)


def _matmul_left(g, out, a, b):
    if not (arrays.is_array(a) and arrays.is_array(b)) or a.ndim == b.ndim == 1:
        return g * b
    if b.ndim == 1:
        return arrays.np.outer(g, b)
    return b @ g if a.ndim == 1 else g @ b.T


def _matmul_right(g, out, a, b):
    if not (arrays.is_array(a) and arrays.is_array(b)) or a.ndim == b.ndim == 1:
        return g * a
    return arrays.np.outer(a, g) if a.ndim == 1 else a.T @ g


def _matmul_shapes(a, b):
    if not (arrays.is_array(a) and arrays.is_array(b)):
        return arrays.broadcast_error([a, b])  # a number times an array
    if a.ndim > 2 or b.ndim > 2:
        return "a matrix product takes vectors and matrices"
    if a.shape[-1] != b.shape[0]:
        return f"shapes {_shape(a)} and {_shape(b)} do not fit a matrix product ({a.shape[-1]} ≠ {b.shape[0]})"
    result, exact = a.shape[:-1] + b.shape[1:], arrays.makes_exact([a, b])
    return arrays.size_error(result, exact) or arrays.products_error(math.prod(result) * a.shape[-1], exact)


def _shape(value):
    return arrays.shape_text(arrays.shape(value))


def _sum(a):
    return arrays.tidy(a.sum()) if arrays.is_array(a) else a


def _mean(a):
    return div(_sum(a), a.size) if arrays.is_array(a) else a


def _transpose(a):
    return a.T if arrays.is_array(a) else a


def _softmax(a):
    if not arrays.is_array(a):
        return 1.0
    np = arrays.np
    x = arrays.to_float(a)
    e = np.exp(x - x.max(axis=-1, keepdims=True))  # shifted by the max: exp never overflows
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_vjp(g, out, a):
    if not arrays.is_array(out):
        return 0.0
    return out * (g - (g * out).sum(axis=-1, keepdims=True))


def _log_softmax(a):
    if not arrays.is_array(a):
        return 0.0
    np = arrays.np
    x = arrays.to_float(a)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _log_softmax_vjp(g, out, a):
    if not arrays.is_array(out):
        return 0.0
    return g - arrays.np.exp(out) * g.sum(axis=-1, keepdims=True)


def _class_indices(y, t):
    """For targets given as class indices: (rows, classes) to pick from y; None for one-hot targets."""
    np = arrays.np
    if arrays.shape(t) == arrays.shape(y):
        return None
    classes = np.asarray(t).astype(int).reshape(-1)
    rows = np.arange(len(classes)) if y.ndim == 2 else np.zeros(1, dtype=int)
    return rows, classes


def _cross_entropy_setup(y, t):
    """(probabilities as floats, the batch size, the picked (rows, classes) for class-index
    targets or None, the one-hot weights or None)."""
    probabilities = arrays.to_float(y)
    batch = probabilities.shape[0] if probabilities.ndim == 2 else 1
    picked = _class_indices(probabilities, t)
    weights = None if picked is not None else (arrays.to_float(t) if arrays.is_array(t) else float(t))
    return probabilities, batch, picked, weights


def _batch(y):
    return y.shape[0] if arrays.is_array(y) and y.ndim == 2 else 1


def _cross_entropy(y, t):
    """-Σ t·log y over the classes, averaged over a batch (a 2-D y), as the book's
    cross_entropy_error; t is one-hot (y's shape) or the class indices."""
    np = arrays.np
    probabilities, batch, picked, weights = _cross_entropy_setup(y, t)
    if picked is None:
        terms = np.where(weights != 0, weights * np.log(np.where(weights != 0, probabilities, 1)), 0)
        return -float(terms.sum()) / batch
    chosen = probabilities.reshape(-1, probabilities.shape[-1])[picked]
    return -float(np.log(chosen).sum()) / batch


def _cross_entropy_probabilities(g, out, y, t):
    np = arrays.np
    probabilities, batch, picked, weights = _cross_entropy_setup(y, t)
    if picked is None:
        return np.where(weights != 0, -weights / probabilities, 0.0) * (g / batch)
    rows = probabilities.reshape(-1, probabilities.shape[-1])
    dy = np.zeros_like(rows)
    dy[picked] = -(g / batch) / rows[picked]
    return dy.reshape(probabilities.shape)


def _cross_entropy_targets(g, out, y, t):
    probabilities, batch, picked, _ = _cross_entropy_setup(y, t)
    if picked is not None:  # class indices have no gradient
        return arrays.np.zeros(arrays.shape(t)) if arrays.is_array(t) else 0
    return -arrays.np.log(probabilities) * (g / batch)


def _cross_entropy_shapes(y, t):
    if not arrays.is_array(y) or y.ndim > 2:
        return f"cross_entropy takes a vector or a matrix of probabilities, not {_shape(y)}"
    if arrays.shape(t) == y.shape:
        return None
    expected = (y.shape[0],) if y.ndim == 2 else ()
    if arrays.shape(t) != expected:
        return (f"the targets {_shape(t)} fit neither the probabilities {_shape(y)} (one-hot) "
                f"nor one class index per row ({'×'.join(map(str, expected)) or 'scalar'})")
    indices = arrays.np.asarray(t, dtype=float).reshape(-1)
    if any(i != int(i) or not 0 <= i < y.shape[-1] for i in indices):
        return f"class indices must be whole numbers from 0 to {y.shape[-1] - 1}"
    return None


def _affine(x, w, b):
    return arrays.tidy(x @ w + b)


def _product_gradient(g, x, w):
    """The part of affine's gradient that reaches x @ W (b may have broadcast it wider)."""
    return arrays.sum_to_shape(g, x.shape[:-1] + w.shape[1:])


_AFFINE_VJP = (
    lambda g, out, x, w, b: _product_gradient(g, x, w) @ w.T if x.ndim == 2 else w @ _product_gradient(g, x, w),
    lambda g, out, x, w, b: x.T @ _product_gradient(g, x, w) if x.ndim == 2 else arrays.np.outer(x, _product_gradient(g, x, w)),
    lambda g, out, x, w, b: g,  # summed over the batch (and any broadcast) back to b's shape
)


def _affine_shapes(x, w, b):
    if not (arrays.is_array(x) and arrays.is_array(w)) or w.ndim != 2:
        return "affine(x, W, b) takes a vector or matrix x and a matrix W"
    problem = _matmul_shapes(x, w)
    if problem:
        return problem
    product = x.shape[:-1] + w.shape[1:]
    return arrays.broadcast_shapes_error([product, arrays.shape(b)], arrays.makes_exact([x, w, b]))


def _item(a, *indices):
    return arrays.tidy(a[tuple(int(i) for i in indices)])


def _item_vjp(g, out, a, *indices):
    gradient = arrays.zeros_like(a)
    gradient[tuple(int(i) for i in indices)] = g
    return gradient


def _no_gradient(g, out, *inputs):
    return 0  # an index is a position, not a quantity


def _item_shapes(a, *indices):
    if not arrays.is_array(a) or a.ndim < len(indices):
        return f"{_shape(a)} cannot be indexed with {len(indices)} index{'es' if len(indices) > 1 else ''}"
    for k, i in enumerate(indices):
        if arrays.is_array(i) or i != int(i):
            return "an index must be a whole number"
        if not -a.shape[k] <= int(i) < a.shape[k]:
            return f"index {int(i)} is out of range for a length of {a.shape[k]}"
    return None


# -- the table --------------------------------------------------------------------------------


def _broadcast(*inputs):
    """Why elementwise inputs do not broadcast together (or would make too big an array), or None."""
    return arrays.broadcast_error(inputs)


_TABLE = [
    Op("add", 2, "add",
       rule("add passes the gradient through", "1", "1"), (1, 1), symbol="+", form=INFIX, precedence=SUM,
       shapes=_broadcast, undefined="{0} {symbol} {1} is undefined"),
    Op("sub", 2, "sub",
       rule("subtract passes the gradient to the left input and its negative to the right", "1", "-1"), (1, -1),
       symbol="-", form=INFIX, precedence=SUM, shapes=_broadcast, undefined="{0} {symbol} {1} is undefined"),
    Op("mul", 2, "mul",
       rule("multiply by the other input", "{1}", "{0}"), (Y, X), symbol="×", form=INFIX, precedence=PRODUCT,
       mistakes=(Mistake("other-input", "at {node}, a multiply node sends back the other input: "
                         "∂{node}/∂{input} is {other}, not {input} itself",
                         "revisit the multiply node's backward rule", lambda m, out, x, y: (x, y)),),
       shapes=_broadcast, undefined="{0} {symbol} {1} is undefined", tex=r"#0 \cdot #1"),
    Op("div", 2, "div",
       rule("the quotient rule", "1/{1}", "-{0}/{1}²"), lambda m, out, x, y: (m.div(1, y), -m.div(out, y)),
       symbol="/", form=INFIX, precedence=PRODUCT, shapes=_broadcast, undefined="division by zero",
       tex=r"\frac{#0}{#1}"),
    Op("pow", 2, "power", rule("the power rule", "{1}·{0}^({1} - 1)", "{0}^{1}·ln {0}"),
       # as PyTorch: x^0 has slope 0 everywhere, 0 included, and the exponent of 0^y gets 0
       lambda m, out, x, y: (m.where(y == 0, 0, y * m.power(x, y - 1)),
                             m.where(x > 0, out * m.log(m.where(x > 0, x, 1)), m.where(x == 0, 0, m.nan))),
       symbol="^", calls=("pow",), form=INFIX, precedence=POWER, right_assoc=True, shapes=_broadcast,
       constant_operands=(1,), no_derivative=(None, "no derivative for the exponent: log of a negative base ({0})"),
       undefined="{0} ^ {1} is undefined (a negative base needs an integer exponent, and 0 a positive one)",
       tex="#0^{#1}"),
    Op("neg", 1, "neg",
       rule("negate: flip the gradient's sign", "-1"), (-1,), symbol="-", form=PREFIX, precedence=UNARY),
    Op("sin", 1, "sin",
       rule("sin's derivative is cos", "cos({0.bare})"), lambda m, out, x: (m.cos(x),), tex=r"\sin(#0)"),
    Op("cos", 1, "cos",
       rule("cos's derivative is minus sin", "-sin({0.bare})"), lambda m, out, x: (-m.sin(x),), tex=r"\cos(#0)"),
    Op("tan", 1, "tan",
       rule("tan's derivative is 1 + tan²", "1 + tan²({0.bare})"),
       lambda m, out, x: (1 + out * out,), tex=r"\tan(#0)"),
    Op("asin", 1, "asin",
       rule("the derivative of asin", "1/√(1 - {0}²)"), lambda m, out, x: (m.div(1, m.sqrt(1 - x * x)),),
       undefined="asin of {0} is undefined (asin needs a number from -1 to 1)", tex=r"\arcsin(#0)"),
    Op("acos", 1, "acos",
       rule("the derivative of acos", "-1/√(1 - {0}²)"), lambda m, out, x: (-m.div(1, m.sqrt(1 - x * x)),),
       undefined="acos of {0} is undefined (acos needs a number from -1 to 1)", tex=r"\arccos(#0)"),
    Op("atan", 1, "atan",
       rule("the derivative of atan", "1/(1 + {0}²)"), lambda m, out, x: (m.div(1, 1 + x * x),), tex=r"\arctan(#0)"),
    Op("sinh", 1, "sinh",
       rule("sinh's derivative is cosh", "cosh({0.bare})"), lambda m, out, x: (m.cosh(x),), tex=r"\sinh(#0)"),
    Op("cosh", 1, "cosh",
       rule("cosh's derivative is sinh", "sinh({0.bare})"), lambda m, out, x: (m.sinh(x),), tex=r"\cosh(#0)"),
    Op("tanh", 1, "tanh",
       rule("tanh's derivative is 1 minus its output squared", "1 - {out}²"), lambda m, out, x: (1 - out * out,),
       mistakes=(Mistake("tanh-of-x", "at {node}, tanh's local derivative is 1 − y² with y its output, "
                         "not 1 − x² with x its input", "revisit tanh's backward rule",
                         lambda m, out, x: (1 - x * x,)),), tex=r"\tanh(#0)"),
    Op("exp", 1, "exp", rule("exp is its own derivative: the output itself", "{out}"), (OUT,), tex=r"\exp(#0)"),
    Op("log", 1, "log",
       rule("log's derivative is one over its input", "1/{0}"), lambda m, out, x: (m.div(1, x),), calls=("log", "ln"),
       undefined="log of {0} is undefined (log needs a positive number)", tex=r"\log(#0)"),
    Op("log2", 1, "log2",
       rule("the derivative of log2", "1/({0}·ln 2)"), lambda m, out, x: (m.div(1, x * math.log(2)),),
       undefined="log2 of {0} is undefined (log2 needs a positive number)", tex=r"\log_{2}(#0)"),
    Op("log10", 1, "log10",
       rule("the derivative of log10", "1/({0}·ln 10)"), lambda m, out, x: (m.div(1, x * math.log(10)),),
       undefined="log10 of {0} is undefined (log10 needs a positive number)", tex=r"\log_{10}(#0)"),
    Op("sqrt", 1, "sqrt",
       rule("sqrt's derivative is one over twice the root", "1/(2√{0})"), lambda m, out, x: (m.div(1, 2 * out),),
       undefined="sqrt of {0} is undefined (sqrt needs a number ≥ 0)", tex=r"\sqrt{#0}"),
    Op("abs", 1, "abs",
       rule("abs passes the sign of its input (0 at 0)", "sign({0.bare})"),
       lambda m, out, x: (m.sign(x),), tex=r"\left|#0\right|"),
    Op("sigmoid", 1, "sigmoid",
       rule("sigmoid's derivative is its output times one minus it", "{out}·(1 - {out})"),
       lambda m, out, x: (out * (1 - out),),
       mistakes=(Mistake("sigmoid-as-y", "at {node}, sigmoid's local derivative is y(1 − y) with y its "
                         "output, not y alone", "revisit sigmoid's backward rule", lambda m, out, x: (out,)),),
       tex=r"\sigma(#0)"),
    Op("relu", 1, lambda m, x: m.where(x > 0, x, x - x),
       rule("relu passes the gradient where its input is positive (not at 0)", "(1 if {0.bare} > 0, else 0)"),
       lambda m, out, x: (m.where(x > 0, 1, 0),),
       mistakes=(Mistake("relu-negative", "at {node}, relu sends back nothing where its input is not "
                         "positive: the gradient stops there", "revisit relu's backward rule",
                         lambda m, out, x: (m.where(x > 0, 1, 1),)),)),
    Op("softplus", 1, lambda m, x: m.maximum(x, 0.0) + m.log1p(m.exp(-m.abs(x))),
       rule("softplus's derivative is the sigmoid of its input", "sigmoid({0.bare})"),
       lambda m, out, x: (m.sigmoid(x),)),
    Op("max", 2, "maximum", rule("max: the gradient goes to the larger input (split evenly at a tie)",
            "(1 if {0.bare} > {1.bare}, 1/2 if equal, else 0)", "(1 if {1.bare} > {0.bare}, 1/2 if equal, else 0)"),
       lambda m, out, x, y: (_max_share(m, x, y), _max_share(m, y, x)), shapes=_broadcast, tex=r"\max(#0, #1)"),
    Op("min", 2, "minimum", rule("min: the gradient goes to the smaller input (split evenly at a tie)",
            "(1 if {0.bare} < {1.bare}, 1/2 if equal, else 0)", "(1 if {1.bare} < {0.bare}, 1/2 if equal, else 0)"),
       lambda m, out, x, y: (_max_share(m, y, x), _max_share(m, x, y)), shapes=_broadcast, tex=r"\min(#0, #1)"),
    Op("clamp", 3, lambda m, x, lo, hi: m.minimum(m.maximum(x, lo), hi),
       rule("clamp: the gradient goes to the input between the bounds (bounds included), else to the bound that holds",
            "(1 if {1.bare} ≤ {0.bare} ≤ {2.bare}, else 0)", "(1 if {0.bare} < {1.bare} < {2.bare}, else 0)",
            "(1 if {0.bare} > {2.bare} or {2.bare} < {1.bare}, else 0)"),
       # as PyTorch: x gets it inside [lo, hi]; lo where x < lo (unless lo ≥ hi); hi where x > hi or hi < lo
       lambda m, out, x, lo, hi: (m.where(x < lo, 0, m.where(x > hi, 0, 1)), m.where(lo < hi, m.where(x < lo, 1, 0), 0),
                                  m.where(hi < lo, 1, m.where(x > hi, 1, 0))),
       shapes=_broadcast),
    Op("matmul", 2, _matmul, rule("the matrix product", "{g} · {1}ᵀ", "{0}ᵀ · {g}"),
       vjp=(_matmul_left, _matmul_right), symbol="@", form=INFIX, precedence=PRODUCT, shapes=_matmul_shapes,
       tex="#0 #1"),
    Op("transpose", 1, _transpose, rule("transpose: the gradient transposed back", "{g}ᵀ"),
       vjp=(lambda g, out, a: _transpose(g),), symbol="'", calls=("transpose",), attributes=("T",),
       form=POSTFIX, tex=r"#0^{\top}"),
    Op("sum", 1, _sum, rule("sum: every element gets the gradient", "{g} to every element"),
       vjp=(lambda g, out, a: arrays.filled(a, g) if arrays.is_array(a) else g,)),
    Op("mean", 1, _mean,
       rule("mean: every element gets the gradient over the count", "{g} / (the count of {0}) to every element"),
       vjp=(lambda g, out, a: arrays.filled(a, div(g, a.size)) if arrays.is_array(a) else g,)),
    Op("softmax", 1, _softmax, rule("softmax", "{out} · ({g} - Σ {g} · {out})"), vjp=(_softmax_vjp,),
       mistakes=(Mistake("softmax-loss-y", "softmax followed by cross-entropy sends back y − t (over the batch "
                         "size), not y, the softmax's output", "revisit the backward rule of softmax with "
                         "cross-entropy", vjp=(lambda g, out, a: out,)),)),
    Op("log_softmax", 1, _log_softmax,
       rule("log_softmax", "{g} - softmax({0.bare}) · Σ {g}"), vjp=(_log_softmax_vjp,)),
    Op("cross_entropy", 2, _cross_entropy,
       rule("cross-entropy, averaged over the batch (after softmax it sends back the probabilities minus the targets)",
            "-{1}/{0} · {g} over the batch size", "-log {0} · {g} over the batch size (nothing to class indices)"),
       vjp=(_cross_entropy_probabilities, _cross_entropy_targets), shapes=_cross_entropy_shapes, constant_operands=(1,),
       mistakes=(Mistake("batch-forgotten", "cross-entropy over a batch is the mean over its rows: its gradient "
                         "is divided by the batch size, which your answer leaves out",
                         "revisit cross-entropy's backward rule over a batch",
                         vjp=(lambda g, out, y, t: _cross_entropy_probabilities(g * _batch(y), out, y, t), None)),),
       undefined="cross_entropy is undefined here (a true class has probability 0: log 0)"),
    Op("affine", 3, _affine, rule("affine", "{g} · {1}ᵀ", "{0}ᵀ · {g}", "{g} summed over the batch"),
       vjp=_AFFINE_VJP, shapes=_affine_shapes),
    Op("item", 2, _item,
       rule("an element: the gradient goes to that element", "{g} to that element, 0 elsewhere",
            "nothing: an index is a position"),
       vjp=(_item_vjp, _no_gradient), symbol="[]", form=INDEX, variadic=True, shapes=_item_shapes,
       constant_operands=(1,)),
]

OPS = {op.name: op for op in _TABLE}
FUNCTIONS = {name: op for op in _TABLE for name in op.calls}  # what a call, or a method (x.exp()), may name
ATTRIBUTES = {name: op for op in _TABLE for name in op.attributes}  # W.T
CONSTANTS = {"pi": math.pi, "e": math.e}
