"""Vectors and matrices: the array ops' gradients against finite differences and hand-written
NumPy, exact matrix arithmetic, softmax/cross-entropy, broadcasting, shape errors, output
formats, `check` and `explain` with arrays, a two-layer network, and NumPy's lazy import."""

import io
import json
import math
import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradcalc
from gradcalc.cli import main
from gradcalc.render import jsonl, plain, richview
from helpers import SIDE, TRACEBACK, assert_clean_failure, float_array, gc, reals, vector_or_matrix

H = 1e-6
REL, ABS = 1e-5, 1e-6  # central differences with h = 1e-6


# -- helpers --------------------------------------------------------------------------------------


def exact_array(rows):
    """An object array of Fractions from nested lists of numbers or strings ('0.1')."""
    return np.vectorize(Fraction, otypes=[object])(np.array(rows, dtype=object))


def assert_exact_equal(actual, expected):
    """Same shape, every element an int or Fraction, equal to `expected` exactly."""
    assert isinstance(actual, np.ndarray) and actual.dtype == object, repr(actual)
    assert actual.shape == np.shape(expected)
    for a, e in zip(actual.flat, np.asarray(expected, dtype=object).flat):
        assert type(a) in (int, Fraction), f"{a!r} is not exact"
        assert a == e, f"{actual!r} != {expected!r}"


def central_difference(graph, point, name, index):
    """(f(v+h) - f(v-h)) / 2h for one element of input `name` (index () for a scalar)."""
    value = point[name]
    if np.ndim(value) == 0:
        v = float(value)
        h = H * max(1.0, abs(v))
        above, below = v + h, v - h
        step = above - below
    else:
        above, below = value.copy(), value.copy()
        h = H * max(1.0, abs(value[index]))
        above[index] += h
        below[index] -= h
        step = above[index] - below[index]
    f_above = gradcalc.evaluate(graph, at={**point, name: above}, exact=False).value
    f_below = gradcalc.evaluate(graph, at={**point, name: below}, exact=False).value
    return (f_above - f_below) / step


def assert_matches_finite_differences(text, point, names=None):
    """The float-mode gradient of the scalar program `text` at `point` has every input's shape,
    and element by element equals the central difference (for the inputs in `names`, all by
    default). Returns the evaluation."""
    graph = gradcalc.parse(text)
    result = gradcalc.evaluate(graph, at=point, exact=False)
    assert np.ndim(result.value) == 0 and np.isfinite(result.value), result.value
    for name, value in point.items():
        assert np.shape(result.gradient[name]) == np.shape(value), f"∂/∂{name} of {text}"
    for name in names or point:
        analytic = np.asarray(result.gradient[name], dtype=float)
        for index in np.ndindex(np.shape(point[name])):
            numeric = central_difference(graph, point, name, index)
            assert analytic[index] == pytest.approx(numeric, rel=REL, abs=ABS), (
                f"d({text})/d{name}{list(index)}: reverse mode {analytic[index]!r}, finite difference {numeric!r}"
            )
    return result


def softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# -- each array op against finite differences, at random shapes (hypothesis) ----------------------

def array(shape, low=-2.0, high=2.0):
    return float_array(shape, low, high)


@st.composite
def matmul_program(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    a = draw(array(vector_or_matrix(n, k, draw(st.booleans()))))
    b = draw(array((k, m) if draw(st.booleans()) else (k,)))
    r = draw(array(np.shape(a @ b)))
    return "sum(tanh(A @ B) * R)", {"A": a, "B": b, "R": r}


@st.composite
def transpose_program(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    a, b, r = draw(array((k, n))), draw(array((k, m))), draw(array((n, m)))
    spelled = draw(st.sampled_from(["A'", "transpose(A)"]))
    return f"sum(({spelled} @ B) * R)", {"A": a, "B": b, "R": r}


@st.composite
def sum_mean_program(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3))
    a, b = draw(array(shapes.input_shapes[0])), draw(array(shapes.input_shapes[1]))
    return "mean(A * B) + sum(sin(A)) * c", {"A": a, "B": b, "c": draw(reals(-2, 2))}


@st.composite
def softmax_program(draw):
    shape = vector_or_matrix(draw(SIDE), draw(SIDE), draw(st.booleans()))
    point = {"A": draw(array(shape, -4, 4)), "c": draw(reals(0.5, 2)), "R": draw(array(shape))}
    return "sum(softmax(A * c) * R)", point


@st.composite
def log_softmax_program(draw):
    n, k = draw(SIDE), draw(SIDE)
    a, b, r = draw(array((n, k), -4, 4)), draw(array((k,))), draw(array((n, k)))
    return "sum(log_softmax(A + b) * R)", {"A": a, "b": b, "R": r}


@st.composite
def cross_entropy_program(draw):
    shape = vector_or_matrix(draw(SIDE), draw(SIDE), draw(st.booleans()))
    return "cross_entropy(softmax(A), T)", {"A": draw(array(shape, -3, 3)), "T": draw(array(shape, 0, 1))}


@st.composite
def affine_program(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    x = draw(array(vector_or_matrix(n, k, draw(st.booleans()))))
    w, b = draw(array((k, m))), draw(array((m,)))
    r = draw(array(np.shape(x @ w)))
    return "sum(sigmoid(affine(X, W, b)) * R)", {"X": x, "W": w, "b": b, "R": r}


@st.composite
def item_program(draw):
    n = draw(SIDE)
    i, j = (draw(st.integers(-n, n - 1)) for _ in range(2))
    return f"A[{i}] * A[{j}] + sum(A) * A[{i}]", {"A": draw(array((n,)))}


@st.composite
def item2_program(draw):
    n, m = draw(SIDE), draw(SIDE)
    i, k = (draw(st.integers(-n, n - 1)) for _ in range(2))
    j, l = (draw(st.integers(-m, m - 1)) for _ in range(2))  # noqa: E741
    return f"A[{i}, {j}] * exp(A[{k}, {l}])", {"A": draw(array((n, m)))}


PROGRAMS = {
    "matmul": matmul_program(),
    "transpose": transpose_program(),
    "sum_and_mean": sum_mean_program(),
    "softmax": softmax_program(),
    "log_softmax": log_softmax_program(),
    "cross_entropy": cross_entropy_program(),
    "affine": affine_program(),
    "item": item_program(),
    "item2": item2_program(),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_array_op_gradient_matches_finite_differences(name, data):
    """Each array op inside a small program, at NumPy float arrays of random shapes given to
    gradcalc.evaluate(..., exact=False): every input's gradient has the input's shape and
    matches central differences element by element."""
    text, point = data.draw(PROGRAMS[name], label="program")
    assert_matches_finite_differences(text, point)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_cross_entropy_with_class_indices_matches_finite_differences(data):
    """cross_entropy with class indices (one per row of a batch, a scalar for a vector): the
    logits' gradient matches central differences."""
    n, k = data.draw(SIDE), data.draw(SIDE)
    batched = data.draw(st.booleans())
    a = data.draw(array(vector_or_matrix(n, k, batched), -3, 3))
    labels = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    t = labels.astype(float) if batched else float(labels[0])
    assert_matches_finite_differences("cross_entropy(softmax(A), t)", {"A": a, "t": t}, names=["A"])


# -- exact mode ------------------------------------------------------------------------------------


def test_matrix_product_of_decimal_literals_is_exact():
    """sum([[0.1, 0.2], [0.3, 0.4]] @ [1, 2]) is exactly 8/5, a Fraction."""
    result = gradcalc.evaluate("sum([[0.1, 0.2], [0.3, 0.4]] @ [1, 2])")
    assert result.value == Fraction(8, 5) and type(result.value) is Fraction


def test_matrix_product_values_and_gradients_are_exact_fractions():
    """W @ x of decimal literals: the product [1/2, 11/10] and the gradients W: [[1, 2], [1, 2]],
    x: [2/5, 3/5] are exact (object arrays of ints and Fractions)."""
    result = gradcalc.evaluate("W = [[0.1, 0.2], [0.3, 0.4]]\nx = [1, 2]\ny = W @ x\nsum(y)")
    assert_exact_equal(result["y"], [Fraction(1, 2), Fraction(11, 10)])
    assert_exact_equal(result.gradient["W"], [[1, 2], [1, 2]])
    assert_exact_equal(result.gradient["x"], [Fraction(2, 5), Fraction(3, 5)])


def test_exact_affine_layer():
    """affine of decimal literals, loss = sum(out) / 2: out, dx = g·Wᵀ, dW = xᵀ·g, db = Σ g over
    the batch, all exact (g = 1/2 everywhere)."""
    result = gradcalc.evaluate("x = [[1, 2], [3, 4]]\nW = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]\n"
                               "b = [0.1, -0.1, 0]\nout = affine(x, W, b)\nloss = sum(out) / 2")
    x = exact_array([[1, 2], [3, 4]])
    w = exact_array([["0.1", "0.2", "0.3"], ["0.4", "0.5", "0.6"]])
    b = exact_array(["0.1", "-0.1", "0"])
    g = exact_array([["1/2"] * 3] * 2)
    assert_exact_equal(result["out"], x @ w + b)
    assert result.value == (x @ w + b).sum() / 2 == Fraction(57, 10)
    assert_exact_equal(result.gradient["x"], g @ w.T)
    assert_exact_equal(result.gradient["W"], x.T @ g)
    assert_exact_equal(result.gradient["b"], g.sum(axis=0))


def test_exact_mean_transpose_and_indexing():
    """mean, transpose and indexing keep exact values: mean([1, 2, 4]) = 7/3 with gradient 1/3
    each; W'[0, 1] is W[1, 0]; the gradient is 1 at that element and exactly 0 elsewhere."""
    result = gradcalc.evaluate("mean([1, 2, 4])")
    assert result.value == Fraction(7, 3)
    result = gradcalc.evaluate("v = [1, 2, 4]\nmean(v)")
    assert_exact_equal(result.gradient["v"], [Fraction(1, 3)] * 3)
    result = gradcalc.evaluate("W = [[0.1, 0.2], [0.3, 0.4]]\nW'[0, 1] * 3")
    assert result.value == Fraction(9, 10)
    assert_exact_equal(result.gradient["W"], [[0, 0], [3, 0]])
    result = gradcalc.evaluate("W = [[0.1, 0.2], [0.3, 0.4]]\ntranspose(W)[1, 0] + W[-1, -1]")
    assert result.value == Fraction(3, 5)
    assert_exact_equal(result.gradient["W"], [[0, 1], [0, 1]])


def test_float_mode_gives_float64_arrays():
    """exact=False computes the same matrix product in float64."""
    result = gradcalc.evaluate("W = [[0.1, 0.2], [0.3, 0.4]]\nx = [1, 2]\nsum(W @ x)", exact=False)
    assert type(result.value) is float and result.value == pytest.approx(1.6)
    assert result.gradient["W"].dtype == np.float64 and result.gradient["x"].dtype == np.float64
    np.testing.assert_allclose(result.gradient["x"], [0.4, 0.6])


def test_a_name_bound_to_an_array_literal_is_an_input():
    """`W = [[1, 2], [3, 4]]` makes W an input: it has a gradient, and `at` (or --at) replaces it."""
    result = gradcalc.evaluate("W = [[1, 2], [3, 4]]\nsum(W * W)")
    assert_exact_equal(result.gradient["W"], [[2, 4], [6, 8]])
    result = gradcalc.evaluate("W = [[1, 2], [3, 4]]\nsum(W * W)", at={"W": np.array([[1.0, -1.0]])}, exact=False)
    assert result.value == 2.0
    np.testing.assert_array_equal(result.gradient["W"], [[2.0, -2.0]])
    run = gc("W = [[1, 2], [3, 4]]; sum(W * W)", "--at", "W=[[0.5, -1], [2, 3]]", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 14.25 and record["gradient"]["W"] == [[1, -2], [4, 6]]


def test_at_option_takes_array_literals():
    """--at x=[-1, 2.5] (signed elements, commas inside brackets) sets an exact array input next
    to a scalar one; a ragged --at literal is bad input (exit 2)."""
    run = gc("sum(x * x) * s", "--at", "x=[-1, 2.5],s=2", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value_exact"] == "29/2" and record["gradient"] == {"x": [-4, 10], "s": 7.25}
    run = gc("sum(x * x)", "--at", "x=[[1, 2], [3]]")
    assert run.exit_code == 2 and "ragged" in run.output and TRACEBACK not in run.output


def test_ragged_nested_list_in_at_is_an_input_error():
    """A ragged nested list given to the API's `at` is an InputError, not a raw NumPy
    ValueError.  [bug: arrays.adopt makes a 1-D object array of lists, then astype(float)
    raises ValueError: setting an array element with a sequence]"""
    with pytest.raises(gradcalc.InputError):
        gradcalc.evaluate("sum(x)", at={"x": [[1, 2], [3]]})


# -- softmax and cross-entropy ---------------------------------------------------------------------


def one_hot(labels, classes):
    return np.eye(classes)[labels]


@pytest.mark.parametrize("targets", ["one-hot", "indices"])
@pytest.mark.parametrize("batched", [False, True], ids=["vector", "batch"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_softmax_then_cross_entropy_sends_back_y_minus_t(batched, targets, data):
    """∂cross_entropy(softmax(a), t)/∂a is y - t for a vector, (y - t)/batch for a batch, to
    1e-12, with one-hot targets and with class-index targets."""
    n, k = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 6))
    a = data.draw(array((n, k) if batched else (k,), -10, 10))
    labels = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    t_one_hot = one_hot(labels, k) if batched else one_hot(labels[0], k)
    if targets == "one-hot":
        t = t_one_hot
    else:
        t = labels.astype(float) if batched else float(labels[0])
    result = gradcalc.evaluate("y = softmax(a)\nloss = cross_entropy(y, t)", at={"a": a, "t": t}, exact=False)
    y = result["y"]
    np.testing.assert_allclose(y, softmax(a), rtol=1e-12, atol=1e-15)
    expected = (y - t_one_hot) / (n if batched else 1)
    np.testing.assert_allclose(result.gradient["a"], expected, rtol=0, atol=1e-12)
    expected_loss = -np.log(softmax(a)[np.arange(n), labels]).mean() if batched else -np.log(softmax(a)[labels[0]])
    assert result.value == pytest.approx(expected_loss, rel=1e-12, abs=1e-12)


def test_softmax_then_cross_entropy_from_literals_in_exact_mode():
    """The same y - t with the textbook's literals, evaluated in exact mode (the default)."""
    result = gradcalc.evaluate("a = [0.3, 2.9, 4.0]\nt = [0, 0, 1]\ny = softmax(a)\nloss = cross_entropy(y, t)")
    y = softmax(np.array([0.3, 2.9, 4.0]))
    np.testing.assert_allclose(result.gradient["a"].astype(float), y - [0, 0, 1], rtol=0, atol=1e-12)
    assert result.value == pytest.approx(-np.log(y[2]), rel=1e-12)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "float"])
def test_softmax_and_log_softmax_are_stable_at_plus_minus_1000(exact):
    """softmax and log_softmax of logits ±1000 have no nan or inf, no error, and the right
    values: log_softmax([1000, -1000, 0]) = [0, -2000, -1000], log_softmax([1000, 1000]) = -ln 2."""
    at = {"a": np.array([1000.0, -1000.0, 0.0]), "b": np.array([[1000.0, 999.0], [-1000.0, -1000.0]]),
          "R": np.array([1.0, -2.0, 3.0]), "S": np.array([[0.5, 2.0], [1.0, -1.0]])}
    program = "p = softmax(a)\nq = softmax(b)\nl = log_softmax(a)\nm = log_softmax(b)\n" \
              "sum(p * R) + sum(q * S) + sum(l * R) + sum(m * S)"
    result = gradcalc.evaluate(program, at=at, exact=exact)
    for name in "pqlm":
        assert np.isfinite(np.asarray(result[name], dtype=float)).all(), (name, result[name])
    for name in "ab":
        assert np.isfinite(np.asarray(result.gradient[name], dtype=float)).all(), (name, result.gradient[name])
    np.testing.assert_allclose(result["p"], [1.0, 0.0, 0.0], atol=1e-300)
    e = np.exp(-1.0)
    np.testing.assert_allclose(result["q"], [[1 / (1 + e), e / (1 + e)], [0.5, 0.5]], rtol=1e-12)
    np.testing.assert_allclose(result["l"], [0.0, -2000.0, -1000.0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["m"], [[-np.log1p(e), -1 - np.log1p(e)], [-np.log(2), -np.log(2)]], rtol=1e-12)


def test_softmax_is_stable_through_the_cli():
    """eval with logits ±1000 exits 0 and prints no nan."""
    run = gc("a = [1000, -1000, 0]; sum(softmax(a) * [1, 2, 3]) + sum(log_softmax(a))", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == pytest.approx(1 - 3000)
    assert "nan" not in run.stdout


@pytest.mark.parametrize("targets", ["1", "[0, 1, 0]"], ids=["index", "one-hot"])
def test_cross_entropy_of_log_zero_is_a_clear_math_error(targets):
    """cross_entropy(softmax([1000, -1000, 0]), class 1) must take log 0: exit 1 with a message
    naming cross_entropy and log 0, no traceback."""
    run = gc(f"a = [1000, -1000, 0]; cross_entropy(softmax(a), {targets})")
    assert_clean_failure(run, 1)
    assert "cross_entropy(softmax(a)" in run.stderr
    assert "log 0" in run.stderr


# -- affine ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [None, 1, 4])
def test_affine_gradients_match_hand_written_numpy(batch):
    """loss = sum(affine(x, W, b) * R): dx = g·Wᵀ, dW = xᵀ·g, db = g summed over the batch (g = R),
    for a single vector x and for batches."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3,) if batch is None else (batch, 3))
    w, b = rng.normal(size=(3, 5)), rng.normal(size=5)
    g = rng.normal(size=np.shape(x @ w))
    result = gradcalc.evaluate("sum(affine(x, W, b) * R)", at={"x": x, "W": w, "b": b, "R": g}, exact=False)
    assert result.value == pytest.approx(float(((x @ w + b) * g).sum()), rel=1e-12)
    if batch is None:
        dx, dw, db = w @ g, np.outer(x, g), g
    else:
        dx, dw, db = g @ w.T, x.T @ g, g.sum(axis=0)
    np.testing.assert_allclose(result.gradient["x"], dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.gradient["W"], dw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.gradient["b"], db, rtol=1e-12, atol=1e-12)


def summed_to(g, shape):
    """g summed over the axes NumPy broadcasting added or stretched to reach g's shape from `shape`."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    return g.sum(axis=tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1), keepdims=True)


@pytest.mark.parametrize("x_shape, b_shape", [
    ((4, 3), ()), ((4, 3), (5,)), ((4, 3), (4, 5)), ((4, 3), (1, 5)), ((4, 3), (4, 1)),
    ((3,), (1, 5)), ((3,), (2, 5)),
], ids=lambda shape: "x".join(map(str, shape)) or "scalar")
def test_affine_bias_of_any_broadcastable_shape(x_shape, b_shape):
    """b may be any shape that broadcasts against x·W (a scalar, a row, a full matrix, a 1×m row,
    an n×1 column, a batch of rows for a single x): out = x·W + b as NumPy broadcasts it, and
    with g = ∂loss/∂out, b's gradient is g summed back to b's shape, x's and W's are those of x·W
    with g summed back to x·W's shape.  [bug: affine's rules assume g has x·W's shape: a 1×m b
    gets a (1,)-shaped gradient holding Σg, an n×1 b raises IndexError, and a 1-D x with a 2-D b
    raises ValueError from matmul]"""
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=x_shape), rng.normal(size=(3, 5))
    b = rng.normal(size=b_shape) if b_shape else 0.5
    out = x @ w + b
    g = rng.normal(size=out.shape)
    result = gradcalc.evaluate("sum(affine(x, W, b) * R)", at={"x": x, "W": w, "b": b, "R": g}, exact=False)
    assert result.value == pytest.approx(float((out * g).sum()), rel=1e-12)
    g_xw = summed_to(g, (x @ w).shape)
    dx, dw = (g_xw @ w.T, x.T @ g_xw) if x.ndim == 2 else (w @ g_xw, np.outer(x, g_xw))
    for name, expected in (("b", summed_to(g, b_shape)), ("x", dx), ("W", dw)):
        assert np.shape(result.gradient[name]) == np.shape(expected), name
        np.testing.assert_allclose(result.gradient[name], expected, rtol=1e-12, atol=1e-12, err_msg=name)


def test_affine_bias_column_through_the_cli_is_not_a_traceback():
    """An n×1 bias column through the CLI: exit 0 with b's gradient [[3], [3]] (row sums of g = 1).
    [bug: IndexError traceback from arrays.unbroadcast]"""
    run = gc("x = [[1, 2], [3, 4]]; W = [[1, 0, 2], [0, 1, 1]]; b = [[1], [2]]; sum(affine(x, W, b))",
             "--format", "json")
    assert TRACEBACK not in run.output
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["gradient"]["b"] == [[3], [3]]


# -- broadcasting ----------------------------------------------------------------------------------


def test_scalar_added_to_a_matrix_gets_the_summed_gradient():
    """sum(s + W): ∂/∂s is the number of elements; sum(s * W): ∂/∂s = ΣW, ∂/∂W = s everywhere (exact)."""
    result = gradcalc.evaluate("s = 2\nW = [[1, 2, 3], [4, 5, 6]]\nsum(s + W)")
    assert result.gradient["s"] == 6 and type(result.gradient["s"]) is int
    assert_exact_equal(result.gradient["W"], [[1] * 3] * 2)
    result = gradcalc.evaluate("s = 0.5\nW = [[1, 2, 3], [4, 5, 6]]\nsum(s * W)")
    assert result.gradient["s"] == 21
    assert_exact_equal(result.gradient["W"], [[Fraction(1, 2)] * 3] * 2)


def test_vector_broadcast_across_rows_gets_column_sums():
    """sum((W + v) * R) and sum(W * v * R) for a v broadcast across W's rows: ∂/∂v is a column sum
    of the upstream gradient, shaped like v; a column c (n×1) gets row sums, shaped n×1."""
    rng = np.random.default_rng(3)
    w, v, c, r = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(4, 1)), rng.normal(size=(4, 3))
    result = gradcalc.evaluate("sum((W + v) * R) + sum(W * c * R)", at={"W": w, "v": v, "c": c, "R": r}, exact=False)
    np.testing.assert_allclose(result.gradient["v"], r.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(result.gradient["c"], (w * r).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(result.gradient["W"], r + c * r, rtol=1e-12)
    assert result.gradient["v"].shape == (3,) and result.gradient["c"].shape == (4, 1)
    exact = gradcalc.evaluate("W = [[1, 2], [3, 4], [5, 6]]\nv = [0.5, -1]\nsum((W + v) * W)")
    assert_exact_equal(exact.gradient["v"], [9, 12])


def test_a_transposed_node_used_several_times_gets_every_gradient():
    """A = W' used three times (once transposed back): ∂/∂W = Rᵀ + S + Sᵀ, the gradients from
    each use added without one aliasing another (a transpose's gradient is a view)."""
    rng = np.random.default_rng(5)
    w, r, s = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    program = "A = W'\nsum(A * R) + sum(A' * S) + sum(A * S)"
    result = gradcalc.evaluate(program, at={"W": w, "R": r, "S": s}, exact=False)
    np.testing.assert_allclose(result.gradient["W"], r.T + s + s.T, rtol=1e-12)
    np.testing.assert_allclose(result.grad("A"), r + s.T + s, rtol=1e-12)


@pytest.mark.parametrize("operator", ["+", "-", "*", "/", "^"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_broadcast_gradients_have_the_inputs_shapes(operator, data):
    """For mutually broadcastable shapes (a scalar, vectors, matrices, 3-D arrays), each input's
    gradient of sum((A op B) * R) has that input's shape and matches central differences."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    low = 0.5 if operator in "/^" else -2.0  # a positive base and a divisor away from 0

    def draw_input(shape):
        return data.draw(array(shape, low, 2.0)) if shape else data.draw(reals(low, 2.0))

    point = {"A": draw_input(shapes.input_shapes[0]), "B": draw_input(shapes.input_shapes[1])}
    point["R"] = draw_input(shapes.result_shape)
    assert_matches_finite_differences(f"sum((A {operator} B) * R)", point)


# -- shape errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("program, expression, shapes", [
    ("[1, 2] + [1, 2, 3]", "[1, 2] + [1, 2, 3]", ["2", "3"]),
    ("W = [[1, 2, 3], [4, 5, 6]]; x = [1, 2]; sum(W + x)", "W + x", ["2×3", "2"]),
    ("W = [[1, 2, 3], [4, 5, 6]]; x = [1, 2]; sum(W @ x)", "W @ x", ["2×3", "2"]),
    ("x = [[1, 2, 3], [4, 5, 6]]; W = [[1, 2], [3, 4]]; b = [1, 2]; sum(affine(x, W, b))",
     "affine(x, W, b)", ["2×3", "2×2"]),
    ("x = [[1, 2], [3, 4]]; W = [[1, 2, 3], [4, 5, 6]]; b = [1, 2]; sum(affine(x, W, b))",
     "affine(x, W, b)", ["2×3", "2"]),
    ("a = [[1, 2, 3], [4, 5, 6]]; t = [[0, 1], [1, 0]]; cross_entropy(softmax(a), t)",
     "cross_entropy(softmax(a), t)", ["2×2", "2×3"]),
    ("y = [0.5, 0.5]; t = [1, 0, 0]; cross_entropy(y, t)", "cross_entropy(y, t)", ["3", "2"]),
], ids=["literals", "add", "matmul", "affine-W", "affine-b", "cross_entropy-batch", "cross_entropy-vector"])
def test_shape_error_names_both_shapes_and_the_expression(program, expression, shapes):
    """A shape mismatch is bad input: exit 2, the message shows the sub-expression and both
    shapes, no traceback."""
    run = gc(program)
    assert_clean_failure(run, 2)
    message = run.stderr
    assert expression in message
    after = message.split(expression, 1)[1]
    for shape in shapes:
        assert re.search(rf"(?<![\d×]){shape}(?![\d×])", after), f"shape {shape} not in {message!r}"


@pytest.mark.parametrize("program, expression, numbers", [
    ("x = [1, 2, 3]; x[3]", "x[3]", ["3"]),
    ("x = [1, 2, 3]; x[-4]", "x[-4]", ["-4", "3"]),
    ("W = [[1, 2], [3, 4]]; W[0, 2]", "W[0, 2]", ["2"]),
    ("W = [[1, 2], [3, 4]]; W[5]", "W[5]", ["5", "2"]),
])
def test_index_out_of_range_is_an_input_error(program, expression, numbers):
    """An index past the end: exit 2, the expression and the offending index shown, no traceback."""
    run = gc(program)
    assert_clean_failure(run, 2)
    assert expression in run.stderr and "out of range" in run.stderr
    for number in numbers:
        assert re.search(rf"(?<![\d-]){number}(?!\d)", run.stderr.split(expression, 1)[1]), run.stderr


def test_shape_errors_through_the_api_are_input_errors():
    """The same mismatch through gradcalc.evaluate raises InputError (exit code 2)."""
    with pytest.raises(gradcalc.InputError) as error:
        gradcalc.evaluate("sum(W @ x)", at={"W": np.ones((2, 3)), "x": np.ones(2)}, exact=False)
    assert error.value.exit_code == 2 and "W @ x" in str(error.value)


def test_ragged_literal_points_at_the_offending_row():
    """[[1, 2], [3]]: exit 2, 'ragged', the line shown and the caret inside the short row."""
    source = "[[1, 2], [3]]"
    run = gc(source)
    assert_clean_failure(run, 2)
    assert "ragged" in run.stderr
    lines = run.stderr.splitlines()
    shown = lines.index("  " + source)
    caret = lines[shown + 1]
    assert caret.strip() == "^", run.stderr
    column = caret.index("^") - 2
    row = source.index("[3]")
    assert row <= column < row + len("[3]"), f"caret at {column}, the row is at {row}"


@pytest.mark.parametrize("source", ["[[1, 2], 3]", "[1, [2, 3]]", "x = [[[1], [2]], [[3]]]; sum(x)"])
def test_other_ragged_literals_are_input_errors(source):
    """A number where a row belongs, a row where a number belongs, a short inner row: exit 2."""
    run = gc(source)
    assert_clean_failure(run, 2)
    assert "ragged" in run.stderr


def test_non_scalar_output_suggests_sum():
    """An output that is a matrix: exit 2, its shape named and sum(...) suggested."""
    run = gc("W = [[1, 2], [3, 4]]; W * 2")
    assert_clean_failure(run, 2)
    assert "2×2 matrix" in run.stderr
    assert "sum(W × 2)" in run.stderr or "sum(W * 2)" in run.stderr


# -- output formats --------------------------------------------------------------------------------

PROGRAM = ("sum(W @ x)", "--at", "W=[[0.1, 0.2], [0.3, 0.4]],x=[1, 2]")


def test_plain_output_shows_nested_lists():
    """--format plain: values and gradients of arrays as nested lists, on the node and input rows."""
    run = gc(*PROGRAM, "--format", "plain")
    assert run.exit_code == 0, run.output
    rows = {line.split()[0]: line for line in run.stdout.split("input", 1)[1].splitlines()[1:] if line.strip()}
    assert "[[0.1, 0.2], [0.3, 0.4]]" in rows["W"] and "[[1, 2], [1, 2]]" in rows["W"]
    assert "[1, 2]" in rows["x"] and "[0.4, 0.6]" in rows["x"]
    assert "[0.5, 1.1]" in run.stdout  # W @ x


def test_json_output_carries_nested_lists():
    """--format json: value, gradient and every node's value and grad as nested lists."""
    run = gc(*PROGRAM, "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == pytest.approx(1.6)
    assert record["gradient"] == {"W": [[1, 2], [1, 2]], "x": [0.4, 0.6]}
    nodes = {node["label"]: node for node in record["nodes"]}
    assert nodes["W"]["value"] == [[0.1, 0.2], [0.3, 0.4]] and nodes["W"]["grad"] == [[1, 2], [1, 2]]
    assert nodes["@"]["value"] == [0.5, 1.1] and nodes["@"]["grad"] == [1, 1]


def test_rich_output_shows_matrices_as_aligned_rows():
    """The rich view writes a matrix as one bracketed row per line, its columns right-aligned."""
    result = gradcalc.evaluate("W = [[1, -2.5], [30, 0.125]]\nx = [1, 2]\nsum(W @ x)")
    out = io.StringIO()
    richview.render(result, richview.console(file=out, width=120, color_system=None))
    lines = out.getvalue().splitlines()
    first = next(k for k, line in enumerate(lines) if re.search(r"\[\s*1\s+-2\.5\]", line))
    top, bottom = lines[first], lines[first + 1]
    second = re.search(r"\[\s*30\s+0\.125\]", bottom)
    assert second, "\n".join(lines)
    first_cell = re.search(r"\[\s*1\s+-2\.5\]", top)
    assert (first_cell.start(), first_cell.end()) == (second.start(), second.end()), "\n".join(lines[first:first + 2])
    ends = [[first_cell.start() + m.end() for m in re.finditer(r"[^\s\[\]]+", cell.group())]
            for cell in (first_cell, second)]
    assert ends[0] == ends[1], "\n".join(lines[first:first + 2])


def big_matrix():
    return np.arange(600, dtype=float).reshape(20, 30) / 100


def test_big_array_is_summarised_by_its_shape():
    """A 20×30 matrix is shown as '20×30 matrix' in plain and rich (not 600 numbers); JSON
    still carries every number."""
    result = gradcalc.evaluate("sum(W * W)", at={"W": big_matrix()}, exact=False)
    text = plain.render(result)
    assert "20×30 matrix" in text and "5.99" not in text
    out = io.StringIO()
    richview.render(result, richview.console(file=out, width=120, color_system=None))
    assert "20×30 matrix" in out.getvalue() and "5.99" not in out.getvalue()
    record = json.loads(jsonl.render(result))
    assert np.array(record["gradient"]["W"]).shape == (20, 30)
    assert record["gradient"]["W"][19][29] == pytest.approx(2 * 5.99)


def test_big_array_given_with_at_on_the_cli_is_summarised():
    """--at W=<20×30 literal>: the plain output summarises W and its gradient by shape."""
    literal = json.dumps(big_matrix().tolist()).replace(" ", "")
    run = gc("sum(W * W)", "--at", f"W={literal}", "--format", "plain")
    assert run.exit_code == 0, run.output
    w_row = next(line for line in run.stdout.split("input", 1)[1].splitlines() if line.startswith("W "))
    assert w_row.split(None, 1)[1].split() == ["20×30", "matrix", "20×30", "matrix"]


# -- numbers at the edges: exact meets float, tiny and huge values ------------------------------------

EVERY_VIEW = [("eval", f) for f in ("plain", "rich", "json", "dot", "mermaid")] + \
             [("explain", f) for f in ("plain", "md", "json")]


def view(command, program, at, output_format):
    """`gradcalc eval|explain PROGRAM [--at AT] --format F` in-process, wide enough not to wrap."""
    options = ["--at", at] if at else []
    return CliRunner(env={"COLUMNS": "200"}).invoke(main, [command, program, *options, "--format", output_format])


@pytest.mark.parametrize("program, at, code", [
    ("sum(x ^ cos([1, 2]))", "x=1/3", 0),  # np.log on a Fraction
    ("sum(sin([4, 5]) ^ 0.5)", None, 1),  # a negative base to a non-integer power: complex numbers leaked in
    ("mean(ln([1e-310, 0.5]))", None, 0),  # an exact partial 1/x = 10^310 times a float
    ("log(1e-310)", None, 0),
    ("sum([[0.5],[0]] * [[1e308,1e308]])", None, 0),  # exact gradients past a double's range
    ("mean(a)", "a=[1,2,3]", 0),
], ids=["exact-base-float-exponents", "negative-base", "tiny-exact-element", "tiny-literal", "huge-literal", "mean"])
@pytest.mark.parametrize("command, output_format", EVERY_VIEW)
def test_numbers_at_the_edges_in_every_view(program, at, code, command, output_format):
    """Each of these was a traceback in some view; now each exits 0, or 1 for a math error."""
    run = view(command, program, at, output_format)
    if code:
        assert_clean_failure(run, code)
    else:
        assert run.exit_code == 0, run.output
        assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
        assert TRACEBACK not in run.output


def test_an_exact_base_to_float_exponents():
    """x^cos([1, 2]) at x = 1/3: the exact x meets float exponents as a float."""
    result = gradcalc.evaluate("sum(x ^ cos([1, 2]))", at={"x": Fraction(1, 3)})
    exponents = np.cos([1, 2])
    assert result.value == pytest.approx(float(np.sum((1 / 3) ** exponents)))
    assert result.gradient["x"] == pytest.approx(float(np.sum(exponents * (1 / 3) ** (exponents - 1))))


@pytest.mark.parametrize("program", ["sum(sin([4, 5]) ^ 0.5)", "sum(x ^ 0.5)"])
def test_a_negative_float_element_to_a_fractional_power_is_undefined(program):
    """sin(4) < 0, and (-0.75)^0.5 is a math error as it is for a number, not a complex number."""
    with pytest.raises(gradcalc.MathError, match="is undefined"):
        gradcalc.evaluate(program, at={"x": np.array([-0.5, 1.0])})


def test_a_tiny_exact_element_has_an_infinite_log_gradient():
    """mean(ln(a)) at a = [1e-310, 0.5]: ∂/∂a = 1/(2a) = [5e309, 1], past a double's range: inf."""
    result = gradcalc.evaluate("mean(ln(a))", at={"a": [Fraction(1, 10**310), Fraction(1, 2)]})
    assert result.gradient["a"].tolist() == [math.inf, 1.0]


def test_the_arrow_into_log_of_a_tiny_literal_carries_inf():
    """log(1e-310) in dot: the arrow out of 1e-310 carries the gradient 1/x = 10^310, which is inf."""
    run = gc("log(1e-310)", "--format", "dot")
    assert run.exit_code == 0, run.output
    assert '1e-310<br/><font color="red">inf</font>' in run.stdout


@pytest.mark.parametrize("program, at", [
    ("sum(a * [[1e308, 1e308]])", "a=[[0.5],[0]]"),  # a float literal, 1e308 being past the exact limit
    ("sum(a * [[8e307, 8e307, 8e307]])", "a=[[0],[0]]"),  # exact elements whose sum is past a double
])
def test_exact_array_gradients_past_a_double_are_infinite(program, at):
    """∂/∂a sums a row of huge numbers: past a double's range, so inf (an exact int of 309 digits
    crashed every text view), in plain and in JSON."""
    run = gc(program, "--at", at, "--format", "plain")
    assert run.exit_code == 0, run.output
    assert "[[inf], [inf]]" in run.stdout.split("input", 1)[1]
    record = json.loads(gc(program, "--at", at, "--format", "json").stdout)
    assert record["gradient"]["a"] == [["inf"], ["inf"]]


def test_a_literal_past_the_exact_limit_makes_a_float_array():
    """[0.5, 1e308]: 1e308 is past the exact limit, so the array is a float array (as an exact
    array whose element overflows becomes one), not an exact one holding a 309-digit int."""
    value = gradcalc.evaluate("a = [0.5, 1e308]; sum(a)").values[0]
    assert value.dtype == float and value.tolist() == [0.5, 1e308]


def test_explain_in_markdown_writes_arrays_as_matrices():
    """explain "mean(a)" --at a=[1,2,3] --format md: the gradient is a LaTeX row of thirds (it
    was a traceback: '[1/3, 1/3, 1/3]' is not one fraction)."""
    run = view("explain", "mean(a)", "a=[1,2,3]", "md")
    assert run.exit_code == 0, run.output
    assert r"\begin{bmatrix} \frac{1}{3} & \frac{1}{3} & \frac{1}{3} \end{bmatrix}" in run.stdout
    run = view("explain", "sum(W @ x)", "W=[[1,2],[3,4]],x=[1,1]", "md")
    assert r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}" in run.stdout


# -- the size limits -----------------------------------------------------------------------------------


def column_and_row(n):
    """A program binding c, an n×1 column, r, an n-vector, and w, r as a 1×n matrix: c * r,
    c @ w and affine(c, w, 0) make n×n."""
    numbers = ", ".join(str(k % 10) for k in range(n))
    return f"c = [{', '.join(f'[{k % 10}]' for k in range(n))}]\nr = [{numbers}]\nw = [[{numbers}]]\n"


@pytest.mark.parametrize("expression, result", [
    ("sum(c * r)", "c × r: a 10000×10000 matrix"),
    ("sum(c @ w)", "c @ w: a 10000×10000 matrix"),
    ("sum(affine(c, w, 0))", "affine(c, w, 0): a 10000×10000 matrix"),
])
@pytest.mark.parametrize("exact", [True, False], ids=["exact", "float"])
def test_an_array_past_the_size_limit_is_refused_before_it_is_made(expression, result, exact):
    """A 10^4 column and a 10^4 row ask for 10^8 numbers (GBs, then a MemoryError): refused
    before anything is allocated, as bad input naming the sub-expression and the shape."""
    run = gc("-f", "-", *([] if exact else ["--float"]), input=column_and_row(10_000) + expression + "\n")
    assert_clean_failure(run, 2)
    limit = "1,000,000 exact numbers in an array (--float allows 10,000,000)" if exact else "10,000,000 numbers in an array"
    assert f"{result} of 100,000,000 numbers is past the limit of {limit}" in run.stderr


def test_eight_small_arrays_broadcast_along_eight_axes_are_refused():
    """Eight 10-vectors, each along its own axis, add up to 10^8 numbers: refused (an 811-byte
    program used to take GBs and end in a MemoryError traceback)."""
    names = [f"a{k}" for k in range(8)]
    lines = []
    for k, name in enumerate(names):
        elements = [str(i) for i in range(10)]
        for _ in range(k):
            elements = [f"[{e}]" for e in elements]
        lines.append(f"{name} = [{', '.join(elements)}]")
    program = "\n".join(lines) + f"\nsum({' + '.join(names)})\n"
    run = gc("-f", "-", "--float", input=program)
    assert_clean_failure(run, 2)
    assert "a 10×10×10×10×10×10×10×10 array of 100,000,000 numbers is past the limit" in run.stderr


def test_an_exact_matrix_product_is_limited_in_multiplications(monkeypatch):
    """An exact n×n product takes n³ multiplications of fractions: past MAX_EXACT_PRODUCTS it is
    refused with a pointer to --float, which computes it."""
    monkeypatch.setattr(gradcalc.arrays, "MAX_EXACT_PRODUCTS", 100)
    program = "M = [[1, 2, 3, 4, 5]] * [[1], [2], [3], [4], [5]]\nsum(M @ M)\n"  # 5×5 @ 5×5: 125
    run = gc("-f", "-", input=program)
    assert_clean_failure(run, 2)
    assert "M @ M: an exact matrix product of 125 multiplications is past the limit of 100" in run.stderr
    assert gc("-f", "-", "--float", input=program).exit_code == 0


def test_the_arrays_of_one_evaluation_are_limited_in_all(monkeypatch):
    """Each array may be small enough and their sum still too big: the evaluation stops at the
    node that goes past MAX_TOTAL_ELEMENTS."""
    monkeypatch.setattr(gradcalc.arrays, "MAX_TOTAL_ELEMENTS", 10)
    run = gc("a = [1, 2, 3, 4]; b = a * 2; c = b * 2; sum(c)")
    assert_clean_failure(run, 2)
    assert "b × 2: the arrays so far hold 12 numbers; one evaluation holds at most 10" in run.stderr
    assert gc("a = [1, 2, 3]; b = a * 2; c = b * 2; sum(c)").exit_code == 0


def test_literals_and_given_arrays_are_limited_too(monkeypatch):
    """An array literal, an --at array and an API caller's array are held to the same limits."""
    monkeypatch.setattr(gradcalc.arrays, "MAX_EXACT_ELEMENTS", 3)
    monkeypatch.setattr(gradcalc.arrays, "MAX_ELEMENTS", 4)
    for run in (gc("sum([1, 2, 3, 4])"), gc("sum(a)", "--at", "a=[1,2,3,4]")):
        assert_clean_failure(run, 2)
        assert "a 4-vector of 4 numbers is past the limit of 3 exact numbers in an array" in run.stderr
    with pytest.raises(gradcalc.InputError, match="a 5-vector of 5 numbers is past the limit of 4 numbers"):
        gradcalc.evaluate("sum(a)", at={"a": np.ones(5)}, exact=False)
    with pytest.raises(gradcalc.InputError, match="past the limit of 3 exact numbers"):
        gradcalc.evaluate("sum(a)", at={"a": [1, 2, 3, 4]})


# -- check with array answers ----------------------------------------------------------------------

NETWORK_CHECK = """\
W = [[0.1, 0.2], [0.3, 0.4]]
x = [1, 2]
loss = sum(W @ x)
"""


def run_check(tmp_path, text):
    path = tmp_path / "hw.gc"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["check", str(path), "--format", "plain"])


def test_check_with_right_array_answers_passes(tmp_path):
    """check d(loss)/d(W) = [[1, 2], [1, 2]] and d(loss)/d(x) = [0.4, 0.6]: ✓ both, exit 0."""
    run = run_check(tmp_path, NETWORK_CHECK + "check d(loss)/d(W) = [[1, 2], [1, 2]]\n"
                                              "check d(loss)/d(x) = [0.4, 0.6]\ncheck loss = 1.6\n")
    assert run.exit_code == 0, run.output
    assert run.stdout.count("✓") == 3 and "✗" not in run.stdout


def test_check_with_wrong_array_answer_fails(tmp_path):
    """A wrong element, or the wrong shape: ✗, the correct answer shown, exit 1."""
    run = run_check(tmp_path, NETWORK_CHECK + "check d(loss)/d(x) = [0.4, 0.7]\n"
                                              "check d(loss)/d(W) = [[1, 2]]\n")
    assert run.exit_code == 1, run.output
    assert run.stdout.count("✗") == 2 and "✓" not in run.stdout
    assert "correct: [0.4, 0.6]" in run.stdout and "correct: [[1, 2], [1, 2]]" in run.stdout


def test_check_with_negated_array_answer_says_the_sign_is_wrong(tmp_path):
    """The negated gradient matrix fails with the diagnosis 'the sign is wrong'."""
    run = run_check(tmp_path, NETWORK_CHECK + "check d(loss)/d(W) = [[-1, -2], [-1, -2]]\n")
    assert run.exit_code == 1
    assert "✗" in run.stdout and "the sign is wrong" in run.stdout


def test_check_with_array_answer_and_tolerance(tmp_path):
    """An array answer within ± of every element passes; outside it fails."""
    run = run_check(tmp_path, NETWORK_CHECK + "check d(loss)/d(x) = [0.41, 0.59] ± 0.02\n")
    assert run.exit_code == 0, run.output
    run = run_check(tmp_path, NETWORK_CHECK + "check d(loss)/d(x) = [0.41, 0.59] ± 0.001\n")
    assert run.exit_code == 1, run.output


# -- explain ---------------------------------------------------------------------------------------


def test_explain_on_an_array_program_shows_the_array_gradients():
    """explain on W @ x: exit 0, and the backward sweep gives each input's gradient array."""
    program = "W = [[0.1, 0.2], [0.3, 0.4]]; x = [1, 2]; loss = sum(W @ x)"
    run = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["explain", program, "--format", "plain"])
    assert run.exit_code == 0, run.output
    sweep = run.stdout.split("\nbackward sweep", 1)[1]
    w_line = next(line for line in sweep.splitlines() if line.strip().startswith("∂loss/∂W"))
    x_line = next(line for line in sweep.splitlines() if line.strip().startswith("∂loss/∂x"))
    assert "[[1, 2], [1, 2]]" in w_line and "[0.4, 0.6]" in x_line
    run = CliRunner().invoke(main, ["explain", program, "--format", "json"])
    assert run.exit_code == 0, run.output
    steps = {step["node"]: step for step in json.loads(run.stdout)["sweep"]}
    assert steps["W"]["grad"] == [[1, 2], [1, 2]] and steps["x"]["grad"] == [0.4, 0.6]


def test_explain_on_the_network_runs_in_every_format():
    """explain on a softmax/cross-entropy layer exits 0 in plain, json and md."""
    program = "x = [[1, 2], [3, 4]]; W = [[0.1, -0.2], [0.3, 0.4]]; b = [0, 0.1]; t = [[1, 0], [0, 1]]; " \
              "loss = cross_entropy(softmax(affine(x, W, b)), t)"
    for output_format in ("plain", "json", "md"):
        run = CliRunner().invoke(main, ["explain", program, "--format", output_format])
        assert run.exit_code == 0, run.output
        assert TRACEBACK not in run.output
        assert "W" in run.stdout and "loss" in run.stdout


# -- a two-layer network ---------------------------------------------------------------------------

NETWORK = """\
h = sigmoid(affine(x, W1, b1))
y = softmax(affine(h, W2, b2))
loss = cross_entropy(y, t)
"""


def network_point():
    rng = np.random.default_rng(2024)
    return {
        "x": rng.normal(size=(4, 3)),
        "W1": rng.normal(size=(3, 5)),
        "b1": rng.normal(size=5),
        "W2": rng.normal(size=(5, 2)),
        "b2": rng.normal(size=2),
        "t": np.eye(2)[[0, 1, 1, 0]],
    }


def numpy_backprop(p):
    """The textbook's backward pass, written out by hand."""
    a1 = p["x"] @ p["W1"] + p["b1"]
    h = sigmoid(a1)
    y = softmax(h @ p["W2"] + p["b2"])
    n = len(p["x"])
    loss = -(p["t"] * np.log(y)).sum() / n
    da2 = (y - p["t"]) / n
    dh = da2 @ p["W2"].T
    da1 = dh * h * (1 - h)
    grads = {"W2": h.T @ da2, "b2": da2.sum(axis=0), "W1": p["x"].T @ da1, "b1": da1.sum(axis=0),
             "x": da1 @ p["W1"].T, "t": -np.log(y) / n}
    return loss, grads


def test_two_layer_network_matches_hand_written_backprop():
    """Every parameter's (and x's and t's) gradient of the two-layer network equals the
    hand-derived NumPy backprop, and has the parameter's shape."""
    point = network_point()
    result = gradcalc.evaluate(NETWORK, at=point, exact=False)
    loss, grads = numpy_backprop(point)
    assert result.value == pytest.approx(loss, rel=1e-12)
    assert set(result.gradient) == set(point)
    for name, expected in grads.items():
        assert result.gradient[name].shape == point[name].shape, name
        np.testing.assert_allclose(result.gradient[name], expected, rtol=1e-10, atol=1e-12, err_msg=name)


def test_two_layer_network_matches_finite_differences():
    """The network's parameter gradients also match central differences element by element."""
    point = network_point()
    assert_matches_finite_differences(NETWORK, point, names=["W1", "b1", "W2", "b2"])


def test_two_layer_network_matches_pytorch():
    """The same network in PyTorch (float64, autograd): the same loss and parameter gradients."""
    torch = pytest.importorskip("torch")
    point = network_point()
    tensors = {name: torch.tensor(value, dtype=torch.float64, requires_grad=name != "t")
               for name, value in point.items()}
    h = torch.sigmoid(tensors["x"] @ tensors["W1"] + tensors["b1"])
    y = torch.softmax(h @ tensors["W2"] + tensors["b2"], dim=-1)
    loss = -(tensors["t"] * torch.log(y)).sum() / y.shape[0]
    loss.backward()
    result = gradcalc.evaluate(NETWORK, at=point, exact=False)
    assert result.value == pytest.approx(loss.item(), rel=1e-12)
    for name in ("W1", "b1", "W2", "b2", "x"):
        np.testing.assert_allclose(result.gradient[name], tensors[name].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_two_layer_network_from_literals_on_the_cli():
    """The network written with array literals runs through `gradcalc eval` (exit 0) and its
    JSON gradients equal the NumPy backprop at the same point."""
    point = network_point()
    literals = "; ".join(f"{name} = {json.dumps(value.tolist())}" for name, value in point.items())
    run = gc(literals + "; " + NETWORK.replace("\n", "; ").strip("; "), "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    _, grads = numpy_backprop(point)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(record["gradient"][name], grads[name], rtol=1e-9, err_msg=name)


# -- NumPy is imported only when a program has an array --------------------------------------------


def test_numpy_is_not_imported_for_scalar_programs():
    """Evaluating x*y through the API does not import NumPy."""
    code = "import gradcalc, sys; gradcalc.evaluate('x*y', at={'x': 2, 'y': 3}); print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_numpy_is_imported_once_a_program_has_an_array():
    """The same check with an array literal prints True: the test above can tell the difference."""
    code = "import gradcalc, sys; gradcalc.evaluate('sum([1, 2] * x)', at={'x': 2}); print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_numpy_is_a_dependency_of_the_plain_install():
    """Arrays work after `pip install .` with no extra: NumPy is required without an extra marker."""
    from importlib.metadata import requires

    plain = [r for r in requires("gradcalc") if "extra ==" not in r]
    assert any(r.replace(" ", "").startswith("numpy") for r in plain), plain
