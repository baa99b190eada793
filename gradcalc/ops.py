"""THE op table: each operation declared once, its forward rule and its local partials side by side.

Vocabulary of the table (as in PyTorch's derivatives.yaml):
- ``forward(x[, y])`` computes the node's value from its inputs' values;
- ``partials(out, x[, y])`` returns one local partial derivative per input, ∂out/∂input,
  given the node's own value ``out`` and its inputs; the reverse walk multiplies each by the
  upstream gradient and adds it into that input's gradient. Where every partial is a constant
  or one of the operands, they are declared as those terms instead: ``(1, -1)`` for subtract,
  ``(Y, X)`` for multiply. The rule is made from the terms, and the reverse walk reads the
  terms where they are (no call per node);
- ``vjp`` replaces ``partials`` for an array op (a matrix product, a sum, softmax…), whose
  local derivative is a Jacobian: one rule per input, ``(g, out, x[, y...])`` → the gradient
  for that input given the upstream gradient ``g`` (one per input, so an input whose
  gradient nobody wants costs nothing);
- ``numpy_forward`` / ``numpy_partials`` are the same rules for float arrays, written with NumPy
  (``arrays.np``); without them an elementwise op is applied to arrays element by element.
  ``vectorized`` says the scalar rules already work on arrays as they are;
- ``shapes(*inputs)`` says why inputs of these shapes do not fit, or None;
- ``rule`` says the backward rule in words, the way the textbook does;
- ``undefined`` is the message when ``forward`` has no value there (formatted with the inputs).

Nothing outside this module knows an operation by name: adding an op is adding one row.
At a kink the partials follow PyTorch: relu'(0) = 0, abs'(0) = 0, and max/min at a tie split
the gradient evenly between both inputs.
"""

import math
import operator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from . import arrays
from .numbers import div, ieee_div, power

INFIX, PREFIX, POSTFIX, INDEX, CALL = "infix", "prefix", "postfix", "index", "call"

# Binding strength for printing expressions back; matches the grammar's layers.
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap in a set of a million nodes
class Op:
    name: str
    symbol: str
    arity: int
    forward: Callable
    partials: Callable | tuple | None
    rule: str
    undefined: str = "{symbol} of {0} is undefined"
    form: str = CALL
    precedence: int = ATOM
    right_assoc: bool = False
    numpy_forward: Callable | None = None
    numpy_partials: Callable | None = None
    vectorized: bool = False
    vjp: Callable | None = None
    shapes: Callable | None = None
    lifted: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    terms: tuple | None = field(default=None, init=False, compare=False)  # partials declared as terms
    # where the reverse walk finds the terms: 0-2 in (node, x, y), 3 + c for PARTIAL_CONSTANTS[c]
    term_places: tuple | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self):
        if isinstance(self.partials, tuple):
            object.__setattr__(self, "terms", self.partials)
            object.__setattr__(self, "partials", _rule_of(self.partials))
            object.__setattr__(self, "term_places", _places_of(self.terms))

    @property
    def product(self):
        """Whether the partial for each input is the other input (for diagnosing mistakes)."""
        return self.terms == (Y, X)

    @property
    def array_forward(self):
        """`forward` for values that may be arrays."""
        if self.vectorized or self.vjp is not None:
            return self.forward
        if "forward" not in self.lifted:
            self.lifted["forward"] = arrays.lift(self.forward, self.numpy_forward)
        return self.lifted["forward"]

    @property
    def array_partials(self):
        """`partials` for values that may be arrays."""
        if self.vectorized:
            return self.partials
        if "partials" not in self.lifted:
            self.lifted["partials"] = arrays.lift(self.partials, self.numpy_partials, outputs=self.arity)
        return self.lifted["partials"]


class Operand:
    """A partial that is one of the node's operands, by its place in ``partials(out, x, y)``."""

    def __init__(self, position):
        self.position = position


OUT, X, Y = Operand(0), Operand(1), Operand(2)


PARTIAL_CONSTANTS = []  # every constant declared as a partial, each once; the walks put them after the values


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
    def partials(*operands):
        return tuple(operands[term.position] if type(term) is Operand else term for term in terms)
    return partials


def _sigmoid(x):
    x = float(x)
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)  # for very negative x, exp(-x) would overflow
    return z / (1 + z)


def _numpy_sigmoid(x):
    return 0.5 + 0.5 * arrays.np.tanh(0.5 * x)  # the same function, and tanh never overflows


def _softplus(x):
    x = float(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sign(x):
    return (x > 0) - (x < 0)


def _pow_partials(out, x, y):
    if y == 0:
        dx = 0  # as PyTorch: the constant function x^0 has slope 0 everywhere, 0 included
    else:
        try:
            dx = y * power(x, y - 1)
        except ZeroDivisionError:
            dx = math.inf
        except OverflowError:
            dx = math.copysign(math.inf, y)
    if x > 0:
        dy = out * math.log(x)
    elif x == 0:
        dy = 0  # PyTorch's choice at 0^y for y ≥ 0
    else:
        dy = math.nan  # log of a negative base: the exponent has no derivative here
    return dx, dy


def _numpy_pow_partials(out, x, y):
    np = arrays.np
    dx = np.where(y == 0, 0.0, y * np.power(x, y - 1))
    dy = np.where(x > 0, out * np.log(np.where(x > 0, x, 1.0)), np.where(x == 0, 0.0, np.nan))
    return dx, dy


def _max_partials(out, x, y):
    if x == y:
        return Fraction(1, 2), Fraction(1, 2)
    return (1, 0) if x > y else (0, 1)


def _min_partials(out, x, y):
    if x == y:
        return Fraction(1, 2), Fraction(1, 2)
    return (1, 0) if x < y else (0, 1)


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


def _binary(name, symbol, forward, partials, rule, precedence, undefined="{0} {symbol} {1} is undefined", **more):
    return Op(name, symbol, 2, forward, partials, rule, undefined, INFIX, precedence,
              shapes=lambda x, y: arrays.broadcast_error([x, y]), **more)


def _function(name, forward, partials, rule, undefined="{symbol} of {0} is undefined", arity=1, **more):
    if arity > 1:
        more.setdefault("shapes", lambda *xs: arrays.broadcast_error(xs))
    return Op(name, name, arity, forward, partials, rule, undefined, **more)


def _array_function(name, arity, forward, vjp, rule, shapes=None, undefined="{symbol} of {0} is undefined"):
    return Op(name, name, arity, forward, None, rule, undefined, vjp=vjp, shapes=shapes)


def _numpy(name):
    """A NumPy function looked up when first used (NumPy is imported only with arrays)."""
    return lambda *args: getattr(arrays.np, name)(*args)


_TABLE = [
    _binary("add", "+", operator.add, (1, 1),
            "add passes the gradient through", SUM, vectorized=True),
    _binary("sub", "-", operator.sub, (1, -1),
            "subtract passes the gradient to the left input and its negative to the right", SUM, vectorized=True),
    _binary("mul", "×", operator.mul, (Y, X), "multiply by the other input", PRODUCT, vectorized=True),
    _binary("div", "/", div, lambda out, x, y: (div(1, y), -div(out, y)),
            "divide: 1/y for x, -x/y² for y", PRODUCT, "division by zero", vectorized=True),
    _binary("pow", "^", power, _pow_partials,
            "power: y·x^(y-1) for x, x^y·ln x for y", POWER,
            "{0} ^ {1} is undefined (a negative base needs an integer exponent, and 0 a positive one)",
            right_assoc=True, numpy_forward=_numpy("power"), numpy_partials=_numpy_pow_partials),
    Op("neg", "-", 1, operator.neg, (-1,), "negate: flip the gradient's sign",
       form=PREFIX, precedence=UNARY, vectorized=True),
    _function("sin", math.sin, lambda out, x: (math.cos(x),), "sin: cos x",
              numpy_forward=_numpy("sin"), numpy_partials=lambda out, x: (arrays.np.cos(x),)),
    _function("cos", math.cos, lambda out, x: (-math.sin(x),), "cos: -sin x",
              numpy_forward=_numpy("cos"), numpy_partials=lambda out, x: (-arrays.np.sin(x),)),
    _function("tan", math.tan, lambda out, x: (1 + out * out,), "tan: 1 + tan² x", numpy_forward=_numpy("tan"),
              numpy_partials=lambda out, x: (1 + out * out,)),
    _function("asin", math.asin, lambda out, x: (ieee_div(1, math.sqrt(1 - x * x)),), "asin: 1/√(1-x²)",
              "asin of {0} is undefined (asin needs a number from -1 to 1)", numpy_forward=_numpy("arcsin"),
              numpy_partials=lambda out, x: (1 / arrays.np.sqrt(1 - x * x),)),
    _function("acos", math.acos, lambda out, x: (-ieee_div(1, math.sqrt(1 - x * x)),), "acos: -1/√(1-x²)",
              "acos of {0} is undefined (acos needs a number from -1 to 1)", numpy_forward=_numpy("arccos"),
              numpy_partials=lambda out, x: (-1 / arrays.np.sqrt(1 - x * x),)),
    _function("atan", math.atan, lambda out, x: (div(1, 1 + x * x),), "atan: 1/(1+x²)",
              numpy_forward=_numpy("arctan"), numpy_partials=lambda out, x: (1 / (1 + x * x),)),
    _function("sinh", math.sinh, lambda out, x: (math.cosh(x),), "sinh: cosh x",
              numpy_forward=_numpy("sinh"), numpy_partials=lambda out, x: (arrays.np.cosh(x),)),
    _function("cosh", math.cosh, lambda out, x: (math.sinh(x),), "cosh: sinh x",
              numpy_forward=_numpy("cosh"), numpy_partials=lambda out, x: (arrays.np.sinh(x),)),
    _function("tanh", math.tanh, lambda out, x: (1 - out * out,), "tanh: 1 - y²",
              numpy_forward=_numpy("tanh"), numpy_partials=lambda out, x: (1 - out * out,)),
    _function("exp", math.exp, (OUT,), "exp: the output itself",
              numpy_forward=_numpy("exp"), numpy_partials=lambda out, x: (out,)),
    _function("log", math.log, lambda out, x: (div(1, x),), "log: 1/x",
              "log of {0} is undefined (log needs a positive number)",
              numpy_forward=_numpy("log"), numpy_partials=lambda out, x: (1 / x,)),
    _function("log2", math.log2, lambda out, x: (1 / (x * math.log(2)),), "log2: 1/(x ln 2)",
              "log2 of {0} is undefined (log2 needs a positive number)", numpy_forward=_numpy("log2"),
              numpy_partials=lambda out, x: (1 / (x * math.log(2)),)),
    _function("log10", math.log10, lambda out, x: (1 / (x * math.log(10)),), "log10: 1/(x ln 10)",
              "log10 of {0} is undefined (log10 needs a positive number)", numpy_forward=_numpy("log10"),
              numpy_partials=lambda out, x: (1 / (x * math.log(10)),)),
    _function("sqrt", math.sqrt, lambda out, x: (ieee_div(1, 2 * out),), "sqrt: 1/(2√x)",
              "sqrt of {0} is undefined (sqrt needs a number ≥ 0)", numpy_forward=_numpy("sqrt"),
              numpy_partials=lambda out, x: (0.5 / out,)),
    _function("abs", abs, lambda out, x: (_sign(x),), "abs: the sign of x (0 at 0)",
              numpy_forward=_numpy("abs"), numpy_partials=lambda out, x: (arrays.np.sign(x),)),
    _function("sigmoid", _sigmoid, lambda out, x: (out * (1 - out),), "sigmoid: y(1-y)",
              numpy_forward=_numpy_sigmoid, numpy_partials=lambda out, x: (out * (1 - out),)),
    _function("relu", lambda x: x if x > 0 else x - x, lambda out, x: (1 if x > 0 else 0,),
              "relu: 1 where x > 0, else 0 (0 at 0)", numpy_forward=lambda x: arrays.np.maximum(x, 0.0),
              numpy_partials=lambda out, x: ((x > 0).astype(float),)),
    _function("softplus", _softplus, lambda out, x: (_sigmoid(x),), "softplus: sigmoid x",
              numpy_forward=lambda x: arrays.np.logaddexp(0.0, x), numpy_partials=lambda out, x: (_numpy_sigmoid(x),)),
    _function("max", lambda x, y: x if x >= y else y, _max_partials,
              "max: the gradient goes to the larger input (split evenly at a tie)", arity=2),
    _function("min", lambda x, y: x if x <= y else y, _min_partials,
              "min: the gradient goes to the smaller input (split evenly at a tie)", arity=2),
    Op("matmul", "@", 2, _matmul, None, "matrix product: g·Bᵀ for A, Aᵀ·g for B", form=INFIX,
       precedence=PRODUCT, vjp=(_matmul_left, _matmul_right), shapes=_matmul_shapes),
    Op("transpose", "'", 1, _transpose, None, "transpose: the gradient transposed back", form=POSTFIX,
       vjp=(lambda g, out, a: _transpose(g),)),
    _array_function("sum", 1, _sum, (lambda g, out, a: arrays.filled(a, g) if arrays.is_array(a) else g,),
                    "sum: every element gets the gradient"),
    _array_function("mean", 1, _mean,
                    (lambda g, out, a: arrays.filled(a, div(g, a.size)) if arrays.is_array(a) else g,),
                    "mean: every element gets the gradient over the count"),
    _array_function("softmax", 1, _softmax, (_softmax_vjp,), "softmax: y·(g - Σ g·y)"),
    _array_function("log_softmax", 1, _log_softmax, (_log_softmax_vjp,), "log_softmax: g - softmax·Σ g"),
    _array_function("cross_entropy", 2, _cross_entropy, (_cross_entropy_probabilities, _cross_entropy_targets),
                    "cross-entropy: -t/y, averaged over the batch (after softmax: y - t)", _cross_entropy_shapes,
                    "cross_entropy is undefined here (a true class has probability 0: log 0)"),
    _array_function("affine", 3, _affine, _AFFINE_VJP,
                    "affine: g·Wᵀ for x, xᵀ·g for W, g summed over the batch for b", _affine_shapes),
    Op("item", "[]", 2, _item, None, "an element: the gradient goes to that element", form=INDEX,
       vjp=(_item_vjp, _no_gradient), shapes=_item_shapes),
    Op("item2", "[]", 3, _item, None, "an element: the gradient goes to that element", form=INDEX,
       vjp=(_item_vjp, _no_gradient, _no_gradient), shapes=_item_shapes),
]

OPS = {op.name: op for op in _TABLE}

# What a call may name: every function-form op, the binary ops callable as functions, aliases.
FUNCTIONS = {op.name: op for op in _TABLE if op.form == CALL}
FUNCTIONS["ln"] = OPS["log"]
FUNCTIONS["pow"] = OPS["pow"]
FUNCTIONS["transpose"] = OPS["transpose"]

CONSTANTS = {"pi": math.pi, "e": math.e}
