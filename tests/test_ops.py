"""Every op of the table against a central finite difference, plus exactness and kink conventions.

Each op's reverse-mode partials (gradcalc/ops.py) are checked through the public API: the
expression is built as text (``sin(x)``, ``x ^ y``, ``max(x, y)``), evaluated in float mode,
and each input's gradient is compared with (f(x+h) - f(x-h)) / 2h, f being gradcalc's own
forward value. The forward value itself is also checked against a reference from ``math``, so
an op whose forward rule and partials were wrong in the same way could not pass.

An array op (``x @ y``, ``softmax(x)``, ``x[1]``…) is checked at NumPy arrays of random shapes:
its value against a NumPy reference, and the gradient of the scalar ``sum(op(...) * R)`` (R a
random weight array of the op's output shape; just ``op(...)`` when that is already a scalar)
against a central difference taken element by element.

``CASES`` has one row per op; ``test_every_op_has_a_case`` fails as soon as an op is added to
the table without a row here.
"""

import importlib
import math
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradcalc
from gradcalc.ops import CALL, INDEX, INFIX, OPS, POSTFIX, PREFIX
from helpers import SIDE, TRACEBACK, assert_clean_failure, float_array, gc, reals, vector_or_matrix

walks = importlib.import_module("gradcalc.evaluate")  # the module; `gradcalc.evaluate` is the API function

VARIABLES = ("x", "y", "z")

# How the language spells each infix op (the table's mul symbol is "×"; "*" is the usual spelling).
INFIX_SPELLING = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^", "matmul": "@"}

# The positions an indexing op's spelling reads (literals, not inputs: an index has no gradient).
INDEX_SPELLING = {"item": "x[1]"}


def input_names(op):
    """The inputs the spelled expression uses: x, y, z up to the arity; only x for an index op."""
    return VARIABLES[:1] if op.form == INDEX else VARIABLES[: op.arity]


def spell(op):
    """The expression text applying `op` to the inputs x (and y, z): `x + y`, `-x`, `max(x, y)`,
    `x'`, `x[1]`."""
    names = input_names(op)
    if op.form == INFIX:
        return f"x {INFIX_SPELLING.get(op.name, op.symbol)} y"
    if op.form == PREFIX:
        return f"{op.symbol}x"
    if op.form == POSTFIX:
        return f"x{op.symbol}"
    if op.form == INDEX:
        return INDEX_SPELLING[op.name]
    assert op.form == CALL
    return f"{op.name}({', '.join(names)})"


def away_from(kink, margin, low=-10.0, high=10.0):
    """A float in [low, high] at least `margin` from `kink` (so x ± h stays on one side)."""
    return reals(low, high).filter(lambda v: abs(v - kink) >= margin)


def apart(margin, low=-10.0, high=10.0):
    """A pair (x, y) with |x - y| ≥ margin: away from the tie where max/min have a kink."""
    return st.tuples(reals(low, high), reals(low, high)).filter(lambda p: abs(p[0] - p[1]) >= margin)


@dataclass(frozen=True)
class Case:
    points: st.SearchStrategy  # a tuple of floats (arrays for an array op), one per input, inside the op's domain
    reference: Callable  # the op's value from the math module (NumPy for an array op), for the forward check
    arrays: bool = False  # an array op: checked element by element at NumPy arrays


def _unary(low, high, reference):
    return Case(st.tuples(reals(low, high)), reference)


CASES = {
    "add": Case(st.tuples(reals(-100, 100), reals(-100, 100)), lambda x, y: x + y),
    "sub": Case(st.tuples(reals(-100, 100), reals(-100, 100)), lambda x, y: x - y),
    "mul": Case(st.tuples(reals(-100, 100), reals(-100, 100)), lambda x, y: x * y),
    "div": Case(st.tuples(reals(-100, 100), away_from(0, 0.1)), lambda x, y: x / y),
    "pow": Case(st.tuples(reals(0.1, 5), reals(-3, 3)), lambda x, y: x**y),  # positive base
    "neg": _unary(-100, 100, lambda x: -x),
    "sin": _unary(-10, 10, math.sin),
    "cos": _unary(-10, 10, math.cos),
    "tan": _unary(-1.4, 1.4, math.tan),  # away from the poles at ±pi/2
    "asin": _unary(-0.95, 0.95, math.asin),  # |x| < 1 with a margin
    "acos": _unary(-0.95, 0.95, math.acos),
    "atan": _unary(-10, 10, math.atan),
    "sinh": _unary(-5, 5, math.sinh),
    "cosh": _unary(-5, 5, math.cosh),
    "tanh": _unary(-5, 5, math.tanh),
    "exp": _unary(-5, 5, math.exp),
    "log": _unary(0.01, 100, math.log),  # x > 0
    "log2": _unary(0.01, 100, math.log2),
    "log10": _unary(0.01, 100, math.log10),
    "sqrt": _unary(0.01, 100, math.sqrt),  # x > 0: the slope is infinite at 0
    "abs": Case(st.tuples(away_from(0, 1e-3)), abs),
    "sigmoid": _unary(-10, 10, lambda x: 1 / (1 + math.exp(-x))),
    "relu": Case(st.tuples(away_from(0, 1e-3)), lambda x: max(x, 0.0)),
    "softplus": _unary(-10, 10, lambda x: math.log1p(math.exp(x))),
    "max": Case(apart(1e-3), max),
    "min": Case(apart(1e-3), min),
    "clamp": Case(st.tuples(reals(-10, 10), reals(-10, -1), reals(1, 10)).filter(
        lambda p: min(abs(p[0] - p[1]), abs(p[0] - p[2])) >= 1e-3), lambda x, lo, hi: min(max(x, lo), hi)),
}


# -- array ops: random shapes and values ----------------------------------------------------------

def array(shape, low=-3.0, high=3.0):
    return float_array(shape, low, high)


def any_array(min_dims=1, max_dims=2, low=-3.0, high=3.0, min_first=1):
    """An array of a random shape (each side 1 to 4; the first at least `min_first`)."""
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4)
    return shapes.filter(lambda s: s[0] >= min_first).flatmap(lambda s: array(s, low, high))


@st.composite
def matmul_points(draw):
    """A @ B with A a vector or n×k matrix and B a k-vector or k×m matrix."""
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    a = draw(array(vector_or_matrix(n, k, draw(st.booleans()))))
    b = draw(array((k, m) if draw(st.booleans()) else (k,)))
    return a, b


@st.composite
def affine_points(draw):
    """x (a k-vector or a batch n×k), W k×m, b an m-vector."""
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    return (draw(array(vector_or_matrix(n, k, draw(st.booleans())))), draw(array((k, m))), draw(array((m,))))


@st.composite
def cross_entropy_points(draw):
    """Probabilities y (a vector or a batch of rows, kept away from 0) and weights t of y's shape."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4))
    return draw(array(shape, 0.05, 1.0)), draw(array(shape, 0.0, 1.0))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _cross_entropy(y, t):
    return -(t * np.log(y)).sum() / (y.shape[0] if y.ndim == 2 else 1)


def _array_case(points, reference):
    return Case(points, reference, arrays=True)


ARRAY_CASES = {
    "matmul": _array_case(matmul_points(), np.matmul),
    "transpose": _array_case(st.tuples(any_array(max_dims=3)), np.transpose),
    "sum": _array_case(st.tuples(any_array(max_dims=3)), np.sum),
    "mean": _array_case(st.tuples(any_array(max_dims=3)), np.mean),
    "softmax": _array_case(st.tuples(any_array(low=-5, high=5)), _softmax),
    "log_softmax": _array_case(st.tuples(any_array(low=-5, high=5)), _log_softmax),
    "cross_entropy": _array_case(cross_entropy_points(), _cross_entropy),
    "affine": _array_case(affine_points(), lambda x, w, b: x @ w + b),
    "item": _array_case(st.tuples(any_array(min_first=2)), lambda x: x[1]),
}
CASES.update(ARRAY_CASES)

H = 1e-6
REL, ABS = 1e-5, 1e-6  # central differences with h = 1e-6: ~h² truncation, ~eps·|f|/h rounding


def value_at(text, point):
    return gradcalc.evaluate(text, at=point, exact=False).value


def central_difference(text, point, name):
    """(f(v+h) - f(v-h)) / 2h for the input `name`, all other inputs held at `point`."""
    h = H * max(1.0, abs(point[name]))
    above = dict(point, **{name: point[name] + h})
    below = dict(point, **{name: point[name] - h})
    return (value_at(text, above) - value_at(text, below)) / ((point[name] + h) - (point[name] - h))


def assert_gradient_matches_finite_difference(text, point):
    """gradcalc's float-mode reverse-mode gradient of `text` at `point` equals the central
    finite difference for every input, within REL/ABS."""
    result = gradcalc.evaluate(text, at=point, exact=False)
    assert set(result.gradient) == set(point), f"{text}: gradient is over {set(result.gradient)}"
    for name in point:
        analytic = result.gradient[name]
        numeric = central_difference(text, point, name)
        assert isinstance(analytic, float), f"{text}: float mode gave {type(analytic).__name__}"
        assert math.isclose(analytic, numeric, rel_tol=REL, abs_tol=ABS), (
            f"d({text})/d{name} at {point}: reverse mode {analytic!r}, finite difference {numeric!r}"
        )


def element_central_difference(graph, point, name, index):
    """(f(v+h) - f(v-h)) / 2h for one element of the array input `name`, f a parsed graph's value."""
    above, below = point[name].copy(), point[name].copy()
    h = H * max(1.0, abs(point[name][index]))
    above[index] += h
    below[index] -= h
    f_above = gradcalc.evaluate(graph, at={**point, name: above}, exact=False).value
    f_below = gradcalc.evaluate(graph, at={**point, name: below}, exact=False).value
    return (f_above - f_below) / (above[index] - below[index])


def assert_array_gradient_matches_finite_difference(text, point, names):
    """gradcalc's float-mode gradient of the scalar `text` has each array input's shape, and
    each of its elements, for the inputs in `names`, equals the element's central difference."""
    graph = gradcalc.parse(text)
    result = gradcalc.evaluate(graph, at=point, exact=False)
    assert set(result.gradient) == set(point), f"{text}: gradient is over {set(result.gradient)}"
    for name in point:
        assert np.shape(result.gradient[name]) == np.shape(point[name]), f"{text}: ∂/∂{name} has the wrong shape"
    for name in names:
        analytic = np.asarray(result.gradient[name], dtype=float)
        for index in np.ndindex(point[name].shape):
            numeric = element_central_difference(graph, point, name, index)
            assert math.isclose(analytic[index], numeric, rel_tol=REL, abs_tol=ABS), (
                f"d({text})/d{name}{list(index)} at {point}: reverse mode {analytic[index]!r}, "
                f"finite difference {numeric!r}"
            )


def check_array_op(op, args, data):
    """An array op at NumPy arrays: its value against the NumPy reference, then the gradient of
    sum(op(...) * R) (or of op(...) itself, when that is a scalar) element by element."""
    names = input_names(op)
    point = dict(zip(names, args))
    expected = np.asarray(CASES[op.name].reference(*args))
    if expected.ndim == 0:
        text = spell(op)
        value = gradcalc.evaluate(text, at=point, exact=False).value
    else:
        weights = data.draw(array(expected.shape), label="R")
        text = f"out = {spell(op)}\nsum(out * R)"
        point["R"] = weights
        value = gradcalc.evaluate(text, at=point, exact=False)["out"]
        assert np.shape(value) == expected.shape, f"{spell(op)} has shape {np.shape(value)}"
    np.testing.assert_allclose(np.asarray(value, dtype=float), expected, rtol=1e-12, atol=1e-12,
                               err_msg=f"{spell(op)} at {point}")
    assert_array_gradient_matches_finite_difference(text, point, names)


def test_every_op_has_a_case():
    """Adding an op to the table without a test case here fails this test (and vice versa)."""
    assert set(CASES) == set(OPS)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_op_gradient_matches_central_difference(name, data):
    """Each op's local partials (or vector-Jacobian product), reached through parse/evaluate,
    agree with a central finite difference of its forward value at random points inside its
    domain (random shapes for an array op), and its forward value agrees with the math module
    (NumPy for an array op)."""
    op = OPS[name]
    text = spell(op)
    args = data.draw(CASES[name].points, label="point")
    assert len(args) == len(input_names(op))
    if CASES[name].arrays:
        check_array_op(op, args, data)
        return
    assert len(args) == op.arity
    point = dict(zip(VARIABLES, args))
    value = value_at(text, point)
    assert math.isclose(value, CASES[name].reference(*args), rel_tol=1e-12, abs_tol=1e-12), (
        f"{text} at {point} is {value!r}"
    )
    assert_gradient_matches_finite_difference(text, point)


def test_spelling_reaches_the_intended_op():
    """The text each case builds parses to a graph whose single operation is that very op,
    so the finite-difference test above really tests the op named in its id."""
    for name, op in OPS.items():
        graph = gradcalc.parse(spell(op))
        operations = [o for o in graph.ops if o is not None]
        assert operations == [op], f"{spell(op)!r} parsed to {[o.name for o in operations]}"


# A point for each elementwise op of more than one input, inside its domain, away from kinks.
SAFE = {1: (0.3,), 2: (1.5, 0.5), 3: (0.7, 0.2, 1.3)}


@pytest.mark.parametrize("name", sorted(name for name, op in OPS.items() if op.elementwise))
def test_every_elementwise_op_is_one_rule_for_numbers_and_arrays(name):
    """An elementwise op's rule is written once: at numbers, at float arrays and at exact arrays
    it gives the same gradients, element by element (exactly, where the op is rational)."""
    op = OPS[name]
    text = spell(op)
    points = [SAFE[op.arity], tuple(-v for v in SAFE[op.arity])] if name not in ("log", "log2", "log10", "sqrt",
                                                                                    "asin", "acos", "pow") \
        else [SAFE[op.arity], tuple(v / 3 for v in SAFE[op.arity])]
    names = input_names(op)
    at_numbers = [gradcalc.evaluate(text, at=dict(zip(names, p)), exact=False) for p in points]
    columns = {n: np.array([p[k] for p in points]) for k, n in enumerate(names)}
    at_floats = gradcalc.evaluate(f"sum({text})", at=columns, exact=False)
    exact_columns = {n: [Fraction(v).limit_denominator(1000) for v in column] for n, column in columns.items()}
    at_exact = gradcalc.evaluate(f"sum({text})", at=exact_columns)
    for n in names:
        expected = [result.gradient[n] for result in at_numbers]
        np.testing.assert_allclose(np.asarray(at_floats.gradient[n], dtype=float), expected, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(at_exact.gradient[n], dtype=float), expected, rtol=1e-12)
    exact_at_numbers = [gradcalc.evaluate(text, at={n: column[k] for n, column in exact_columns.items()})
                        for k in range(len(points))]
    if all(type(result.value) is not float for result in exact_at_numbers):  # rational: exact everywhere
        for n in names:
            assert list(at_exact.gradient[n]) == [result.gradient[n] for result in exact_at_numbers]


def test_one_row_indexes_with_any_number_of_indices():
    """x[1, 0] and x[0][1] are one op, with two indices and with one, and each sends the
    gradient to its element."""
    graph = gradcalc.parse("x[1, 0] * x[0][1]")
    assert len({op for op in graph.ops if op is not None and op.form == INDEX}) == 1
    gradient = gradcalc.evaluate(graph, at={"x": [[1, 2], [3, 4]]}).gradient["x"]
    assert gradient.tolist() == [[0, 3], [2, 0]]


def test_a_graph_evaluated_in_float_mode_stays_exact_in_exact_mode():
    """Float mode converts the literals once per graph; exact mode still sees the exact ones,
    and an array given later to a graph first evaluated at numbers is taken as an array."""
    graph = gradcalc.parse("1.1 * x * y")
    assert gradcalc.evaluate(graph, at={"x": 100, "y": 2}, exact=False).value == pytest.approx(220)
    exact = gradcalc.evaluate(graph, at={"x": 100, "y": 2})
    assert exact.value == 220 and type(exact.value) is int
    assert exact.gradient == {"x": Fraction(11, 5), "y": 110}
    values = walks.forward(graph, {"x": np.array([1.0, 2.0]), "y": 2}, exact=False)
    assert values[graph.outputs[0]].tolist() == pytest.approx([2.2, 4.4])


# -- exact mode -----------------------------------------------------------------------------------

rationals = st.fractions(min_value=-10, max_value=10, max_denominator=50)
nonzero_rationals = rationals.filter(lambda q: q != 0)


def assert_exact(value):
    assert type(value) in (int, Fraction), f"{value!r} is a {type(value).__name__}, not exact"


def test_gradient_of_product_at_a_third_is_an_exact_fraction():
    """d(x*y)/dy at x = 1/3 is the Fraction 1/3, not the float 0.333…"""
    result = gradcalc.evaluate("x*y", at={"x": Fraction(1, 3), "y": Fraction(2, 7)})
    assert result.value == Fraction(2, 21) and type(result.value) is Fraction
    assert result.gradient == {"x": Fraction(2, 7), "y": Fraction(1, 3)}
    assert all(type(g) is Fraction for g in result.gradient.values())


@settings(max_examples=60, deadline=None)
@given(x=rationals, y=nonzero_rationals)
def test_rational_ops_give_exact_gradients(x, y):
    """In exact mode (the default) + - * / and unary minus give exactly the textbook partials,
    as ints or Fractions, at rational points."""
    expected = {
        "x + y": (x + y, 1, 1),
        "x - y": (x - y, 1, -1),
        "x * y": (x * y, y, x),
        "x / y": (x / y, 1 / y, -x / y**2),
    }
    for text, (value, dx, dy) in expected.items():
        result = gradcalc.evaluate(text, at={"x": x, "y": y})
        assert result.value == value, text
        assert result.gradient == {"x": dx, "y": dy}, text
        for number in (result.value, *result.gradient.values()):
            assert_exact(number)
    result = gradcalc.evaluate("-x", at={"x": x})
    assert result.value == -x and result.gradient == {"x": -1}
    assert_exact(result.value)
    assert_exact(result.gradient["x"])


@settings(max_examples=60, deadline=None)
@given(x=nonzero_rationals, n=st.integers(min_value=-4, max_value=5))
def test_integer_powers_give_exact_gradients(x, n):
    """x ^ n and pow(x, n) with an integer literal n are exact: value x^n, slope n·x^(n-1)."""
    for text in (f"x ^ {n}", f"x ** {n}", f"pow(x, {n})"):
        result = gradcalc.evaluate(text, at={"x": x})
        assert result.value == x**n, text
        assert result.gradient == {"x": n * x ** (n - 1) if n else 0}, text
        assert_exact(result.value)
        assert_exact(result.gradient["x"])


def test_a_fraction_stays_exact_up_to_8192_bits_a_side():
    """A fraction whose denominator takes at most 8192 bits stays exact; one more power of 3
    and it is a double (here 0.0: 3^-5169 is far below the smallest double), whether the power
    is computed at once or by products. Changing the limit fails this test."""
    assert (3**5168).bit_length() == 8192
    assert gradcalc.evaluate("(1/3)^5168").value == Fraction(1, 3**5168)
    assert gradcalc.evaluate("(1/3)^5169").value == 0.0
    third = Fraction(1, 3)
    assert gradcalc.evaluate("x^5168 * x", at={"x": third}).value == 0.0
    assert gradcalc.evaluate("x^5167 * x", at={"x": third}).value == Fraction(1, 3**5168)


def test_exact_results_of_integers_are_ints():
    """An integral exact result is an int, not Fraction(n, 1): x*x + x at 3 has slope 7."""
    result = gradcalc.evaluate("x*x + x", at={"x": 3})
    assert result.value == 12 and type(result.value) is int
    assert result.gradient == {"x": 7} and type(result.gradient["x"]) is int


# -- kinks and edges: PyTorch's conventions -------------------------------------------------------


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("x, lo, hi, expected", [
    (0.5, 0, 1, (1, 0, 0)),  # inside: x gets it
    (-1, 0, 1, (0, 1, 0)),  # below: lo
    (2, 0, 1, (0, 0, 1)),  # above: hi
    (0, 0, 1, (1, 0, 0)),  # on a bound: x (bounds included)
    (1, 0, 1, (1, 0, 0)),
    (0.5, 1, 0, (0, 0, 1)),  # lo > hi: the result is hi, and so is the gradient
])
def test_clamp_sends_the_gradient_as_pytorch_does(x, lo, hi, expected, exact):
    """clamp(x, lo, hi) = min(max(x, lo), hi), with torch.clamp's gradients (checked against
    torch 2.13): to x inside [lo, hi], bounds included; to lo below; to hi above, or whenever
    lo > hi."""
    at = {"x": Fraction(x) if exact else float(x), "lo": lo, "hi": hi}
    result = gradcalc.evaluate("clamp(x, lo, hi)", at=at, exact=exact)
    assert result.value == min(max(x, lo), hi)
    assert tuple(result.gradient[name] for name in ("x", "lo", "hi")) == expected


# -- a bug in a rule is not the user's mistake -------------------------------------------------------


@pytest.fixture
def broken_op(monkeypatch):
    """Puts a row in the table's place of sin, as a bug in the table would: `broken_op(**columns)`."""
    import dataclasses

    def put(**columns):
        op = dataclasses.replace(OPS["sin"], **columns)
        monkeypatch.setitem(gradcalc.ops.FUNCTIONS, "sin", op)
        return op

    return put


@pytest.mark.parametrize("columns", [
    {"forward": lambda m, x: m.no_such_primitive(x)},  # in the forward walk
    {"partials": lambda m, out, x: (m.cos(x) if out == 0.5 else [][0],)},  # in the backward walk (the
])                                                                          # table's own check passes it)
def test_an_exception_from_a_rule_is_an_internal_error_naming_the_op(broken_op, columns):
    """A TypeError or an AttributeError in a rule is gradcalc's bug: exit 70, a message naming
    the op and asking for a report, no traceback (and not "sin of 0.5 is undefined")."""
    broken_op(**columns)
    run = gc("sin(x)", "--at", "x=0.5")
    assert_clean_failure(run, 70)
    assert "internal error in the rule for sin" in run.stderr and "please report it" in run.stderr
    assert "undefined" not in run.stderr


def test_gradcalc_debug_shows_where_an_internal_error_came_from(broken_op, monkeypatch):
    broken_op(forward=lambda m, x: m.no_such_primitive(x))
    monkeypatch.setenv("GRADCALC_DEBUG", "1")
    run = gc("sin(x)", "--at", "x=0.5")
    assert run.exit_code == 70
    assert TRACEBACK in run.stderr and "no_such_primitive" in run.stderr


def test_the_table_checks_itself():
    """A row whose partials do not match its inputs, or that gives no derivative, is refused
    when the table is built."""
    import dataclasses

    with pytest.raises(TypeError, match="2 partials for 1 inputs"):
        dataclasses.replace(OPS["sin"], partials=lambda m, out, x: (m.cos(x), 1))
    with pytest.raises(TypeError, match="give partials or vjp"):
        dataclasses.replace(OPS["sin"], partials=None)
    with pytest.raises(TypeError, match="no primitive"):
        dataclasses.replace(OPS["sin"], forward="sine")


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("text", ["relu(x)", "abs(x)"])
def test_relu_and_abs_have_slope_zero_at_zero(text, exact):
    """relu'(0) = 0 and abs'(0) = 0, as in PyTorch."""
    result = gradcalc.evaluate(text, at={"x": 0}, exact=exact)
    assert result.value == 0
    assert result.gradient == {"x": 0}


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_and_min_split_the_gradient_at_a_tie(fn, exact):
    """max/min at a tie give 1/2 to each input (exactly 1/2 in exact mode)."""
    result = gradcalc.evaluate(f"{fn}(x, y)", at={"x": Fraction(5, 3), "y": Fraction(5, 3)}, exact=exact)
    assert result.value == (Fraction(5, 3) if exact else 5 / 3)
    assert result.gradient == {"x": Fraction(1, 2), "y": Fraction(1, 2)}
    assert all(type(g) is (Fraction if exact else float) for g in result.gradient.values())


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_and_min_of_a_value_with_itself_have_slope_one(fn, exact):
    """max(x, x) = x: the two halves of the tie add back up to slope 1."""
    result = gradcalc.evaluate(f"{fn}(x, x)", at={"x": 2}, exact=exact)
    assert result.gradient == {"x": 1}


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("x", [0, Fraction(1, 3), -2, 5])
def test_slope_of_x_to_the_zero_is_zero(x, exact):
    """d/dx x^0 = 0 everywhere, at x = 0 too (PyTorch's convention), and x^0 = 1."""
    for text, at in (("x ^ 0", {"x": x}), ("x ^ y", {"x": x, "y": 0})):
        result = gradcalc.evaluate(text, at=at, exact=exact)
        assert result.value == 1, text
        assert result.gradient["x"] == 0, text


@pytest.mark.parametrize("exact", [True, False])
def test_sqrt_at_zero_has_an_infinite_gradient(exact):
    """sqrt(x) at x = 0 is 0 with gradient +inf: an answer, not a MathError."""
    result = gradcalc.evaluate("sqrt(x)", at={"x": 0}, exact=exact)
    assert result.value == 0
    assert result.gradient["x"] == math.inf


@pytest.mark.parametrize("text", ["x ^ 1022", "(x + 0) ^ 1022", "u = x ^ 1022; u"])
def test_exact_gradient_past_the_float_range_is_infinite_as_in_float_mode(text):
    """x^1022 at x = 2 is 2^1022, still exact, but its slope 1022·2^1021 is past the float
    range. The exact number policy (numbers.EXACT_LIMIT: past it a value becomes a float) and
    pow's own partial (OverflowError → inf) say the gradient is then +inf, as float mode gives;
    it must be neither an int too large to be a float nor a raw OverflowError."""
    assert gradcalc.evaluate(text, at={"x": 2}, exact=False).gradient == {"x": math.inf}
    result = gradcalc.evaluate(text, at={"x": 2})
    assert result.value == 2**1022
    assert result.gradient == {"x": math.inf}


# -- the exact limit: number literals and --at values -------------------------------------------

FORMATS = ["plain", "rich", "json", "dot", "mermaid"]


@pytest.mark.parametrize("digits", [309, 350, 400])
@pytest.mark.parametrize("output_format", FORMATS)
def test_a_whole_number_literal_past_a_double_is_an_overflow_error(digits, output_format):
    """A literal of 309–400 digits is past a double's range: an overflow error (exit 1) that shows
    the literal shortened, in every format (it used to pass the exact limit unfitted: a traceback,
    or a 400-digit "value" in JSON)."""
    run = gc("9" * digits + " * x", "--at", "x=2", "--format", output_format)
    assert_clean_failure(run, 1)
    assert "999999999999…999999 is too large for a number" in run.stderr


def test_a_whole_number_literal_past_the_exact_limit_becomes_a_double():
    """Exact values stay below 2^1023: a 308-digit literal (about 10^308) is a double."""
    value = gradcalc.evaluate("9" * 308).value
    assert type(value) is float and value == float("9" * 308)
    assert gradcalc.evaluate("9" * 307).value == int("9" * 307)


@pytest.mark.parametrize("text, message", [
    ("9" * 400, "too large for a number"),
    ("9" * 5000, "too large for a number"),  # past Python's 4,300-digit limit on reading an int
    ("²", "x=²"),  # '²'.isdigit() is True, int('²') a ValueError
])
def test_at_values_that_are_not_plain_numbers_are_clean_errors(text, message):
    """--at x=<400 digits>, x=<5000 digits> and x=² are bad --at values (exit 2), not tracebacks."""
    run = gc("x * 2", "--at", f"x={text}")
    assert_clean_failure(run, 2)
    assert message in run.stderr


def test_constant_knows_the_exact_limit_and_superscripts():
    """api.constant reads an --at value as the parser reads a literal: exact up to the exact
    limit, a double past it, an overflow error past a double; a superscript alone is no number."""
    assert gradcalc.api.constant(" 12 ") == 12
    assert gradcalc.api.constant("9" * 307) == int("9" * 307)
    assert gradcalc.api.constant("9" * 308) == float("9" * 308)
    with pytest.raises(gradcalc.GradcalcError):
        gradcalc.api.constant("²")
    with pytest.raises(gradcalc.MathError, match="too large"):
        gradcalc.api.constant("9" * 5000)


def test_at_with_a_superscript_does_not_end_a_repl_session():
    """:at x=² is an error the session reports and goes on from (it ended the REPL)."""
    run = subprocess.run([sys.executable, "-m", "gradcalc", "repl"], input=":at x=²\nx = 3\nx*x\n",
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    assert TRACEBACK not in run.stderr
    assert "x=²" in run.stderr
    assert ["×", "x", "×", "x", "9", "1"] in [line.split() for line in run.stdout.splitlines()]


# -- exact gradients past a double's range, meeting floats ----------------------------------------


@pytest.mark.parametrize("text", [
    "x*1e300*1e300 + sin(x)",  # 10^600 through one path, a float through the other
    "sin(x) + x*1e300*1e300",
    "sin(1) * log(x)",  # log's partial 1/x is 10^310 exactly, times a float
])
def test_an_exact_gradient_past_a_double_meeting_a_float_is_infinite(text):
    """At x = 1e-310 these gradients are past a double's range: +inf, as in float mode, not an
    OverflowError from adding a 600-digit int to a float."""
    assert gradcalc.evaluate(text, at={"x": Fraction(1, 10**310)}).gradient == {"x": math.inf}
    for output_format in FORMATS:
        run = gc(text, "--at", "x=1e-310", "--format", output_format)
        assert run.exit_code == 0, run.output
        assert "is inf at x = 1e-310" in run.stderr
