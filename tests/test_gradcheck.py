"""`gradcalc eval --gradcheck`: every reverse-mode gradient against a central finite difference.
Every op in the table passes at a safe point; a deliberately broken rule is caught.

An array op's safe point is a small program (ARRAY_PROGRAMS) in which scalar inputs scale
fixed arrays that flow through the op, so each input's check runs through the op's
vector-Jacobian product and through the broadcasting that sums gradients back to a scalar.
Array-valued inputs are checked separately (test_gradcheck_with_array_inputs_*)."""

import dataclasses
import json
import math

import numpy as np
import pytest

import gradcalc
import gradcalc.gradcheck
import gradcalc.ops
import gradcalc.parser
from gradcalc.gradcheck import TOLERANCE, gradcheck
from gradcalc.ops import CALL, INFIX, OPS, PREFIX
from helpers import TRACEBACK, gc


# A point inside each op's domain, away from kinks and ties. A new op in gradcalc.ops.OPS needs
# an entry here (test_every_op_has_a_safe_point fails until it has one).
SAFE_POINTS = {
    "add": {"x": "0.7", "y": "1.3"},
    "sub": {"x": "0.7", "y": "1.3"},
    "mul": {"x": "0.7", "y": "1.3"},
    "div": {"x": "0.7", "y": "1.3"},
    "pow": {"x": "1.5", "y": "2.5"},  # a positive base, a non-integer exponent: both partials
    "neg": {"x": "0.7"},
    "sin": {"x": "0.7"},
    "cos": {"x": "0.7"},
    "tan": {"x": "0.7"},
    "asin": {"x": "0.3"},
    "acos": {"x": "0.3"},
    "atan": {"x": "0.7"},
    "sinh": {"x": "0.7"},
    "cosh": {"x": "0.7"},
    "tanh": {"x": "0.7"},
    "exp": {"x": "0.7"},
    "log": {"x": "1.7"},
    "log2": {"x": "1.7"},
    "log10": {"x": "1.7"},
    "sqrt": {"x": "1.7"},
    "abs": {"x": "-0.7"},
    "sigmoid": {"x": "0.7"},
    "relu": {"x": "0.7"},
    "softplus": {"x": "0.7"},
    "max": {"x": "0.7", "y": "1.3"},
    "min": {"x": "0.7", "y": "1.3"},
    # array ops: the scalar inputs of ARRAY_PROGRAMS
    "matmul": {"x": "0.7", "y": "1.3"},
    "transpose": {"x": "0.7", "y": "1.3"},
    "sum": {"x": "0.7", "y": "1.3"},
    "mean": {"x": "0.7", "y": "1.3"},
    "softmax": {"x": "0.7", "y": "1.3"},
    "log_softmax": {"x": "0.7", "y": "1.3"},
    "cross_entropy": {"x": "0.7", "y": "1.3"},
    "affine": {"x": "0.7", "y": "1.3", "z": "-0.4"},
    "item": {"x": "0.7", "y": "1.3"},
    "item2": {"x": "0.7", "y": "1.3"},
}

# For each array op, a program taking the scalar inputs of its safe point through the op.
ARRAY_PROGRAMS = {
    "matmul": "sum(([[0.7, -0.3], [1.1, 0.2]] * x) @ ([0.5, -1.5] * y))",
    "transpose": "sum(([[0.7, -0.3, 0.4], [1.1, 0.2, -0.5]] * x)' @ ([1.5, -2] * y))",
    "sum": "sum([[0.7, -0.3], [1.1, 0.2]] * x + y)",
    "mean": "mean([[0.7, -0.3], [1.1, 0.2]] * x * y)",
    "softmax": "sum(softmax([0.7, -0.3, 1.1] * x + [0.2, 0.5, -0.4] * y) * [1, -2, 3])",
    "log_softmax": "sum(log_softmax([[0.7, -0.3, 1.1], [0.1, 0.4, -0.2]] * x + [0.2, 0.5, -0.4] * y) "
                   "* [[1, -2, 3], [0.5, 2, -1]])",
    "cross_entropy": "cross_entropy(softmax([[0.7, -0.3, 1.1], [0.1, 0.4, -0.2]] * x), "
                     "[[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]] * y)",
    "affine": "sum(affine([[0.7, -0.3], [1.1, 0.2]] * x, [[0.5, -1, 0.3], [0.2, 0.8, -0.6]] * y, "
              "[0.1, -0.2, 0.3] * z) * [[1, -2, 3], [0.5, 2, -1]])",
    "item": "([0.7, -0.3, 1.1] * x)[1] * y",
    "item2": "([[0.7, -0.3], [1.1, 0.2]] * x)[1, 0] * y",
}


def expression(op):
    """The op applied to x (and y), written the way the language spells it; for an array op,
    its program from ARRAY_PROGRAMS."""
    if op.name in ARRAY_PROGRAMS:
        return ARRAY_PROGRAMS[op.name]
    if op.form == INFIX:
        return f"x {op.symbol} y"
    if op.form == PREFIX:
        return f"{op.symbol}x"
    assert op.form == CALL
    return f"{op.name}(x, y)" if op.arity == 2 else f"{op.name}(x)"


def at_option(point):
    return ",".join(f"{name}={value}" for name, value in point.items())


def broken_sin():
    """sin with its derivative doubled: 2 cos x instead of cos x."""
    return dataclasses.replace(OPS["sin"], partials=lambda out, x: (2 * math.cos(x),))


@pytest.fixture
def broken_sin_table(monkeypatch):
    """The op table with a broken sin rule, patched in the dict the parser reads at parse time."""
    assert gradcalc.parser.FUNCTIONS is gradcalc.ops.FUNCTIONS  # the parser uses this very dict
    op = broken_sin()
    monkeypatch.setitem(gradcalc.ops.FUNCTIONS, "sin", op)
    monkeypatch.setitem(gradcalc.ops.OPS, "sin", op)
    return op


def test_every_op_has_a_safe_point():
    """Every op in the table has a safe point here, so a new op cannot skip the gradient check."""
    assert set(OPS) <= set(SAFE_POINTS), f"add a safe point for {sorted(set(OPS) - set(SAFE_POINTS))}"
    assert set(SAFE_POINTS) == set(OPS), f"safe points for ops not in the table: {sorted(set(SAFE_POINTS) - set(OPS))}"


@pytest.mark.parametrize("name", sorted(ARRAY_PROGRAMS))
def test_array_program_uses_its_op_and_safe_point(name):
    """Each array op's program really applies that op, and its inputs are its safe point's names."""
    graph = gradcalc.parse(ARRAY_PROGRAMS[name])
    assert OPS[name] in [op for op in graph.ops if op is not None], ARRAY_PROGRAMS[name]
    assert set(graph.inputs) == set(SAFE_POINTS[name])


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_passes_gradcheck_cli(name):
    """`eval OP(x[, y]) --gradcheck` at a safe point: exit 0, a ✓ for each input and no ✗."""
    op = OPS[name]
    point = SAFE_POINTS.get(name)
    if point is None:
        pytest.fail(f"no safe point for op {name!r}: add one to SAFE_POINTS")
    # "--" first: an expression such as "-x" is not an option
    run = gc("--at", at_option(point), "--gradcheck", "--format", "plain", "--", expression(op))
    assert run.exit_code == 0, run.output
    assert "gradient check (central differences" in run.stdout
    table = run.stdout.split("gradient check", 1)[1]
    assert table.count("✓") == len(point) and "✗" not in table


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("exact", [True, False], ids=["exact", "float"])
def test_every_op_passes_gradcheck_api(name, exact):
    """gradcheck() on each op's evaluation (exact and float): every input within TOLERANCE, and the
    numeric derivative really is close to the backprop one."""
    op = OPS[name]
    point = {k: gradcalc.constant(v) for k, v in SAFE_POINTS[name].items()}
    evaluation = gradcalc.evaluate(expression(op), at=point, exact=exact)
    results = gradcheck(evaluation)
    assert [c.name for c in results] == list(point)
    for c in results:
        assert c.passed and c.relative_error is not None and c.relative_error <= TOLERANCE, c
        assert math.isclose(c.backprop, c.numeric, rel_tol=1e-5)


def test_gradcheck_on_a_composite_program():
    """The shopping bill and a neuron pass the check: every input ✓, exit 0."""
    run = gc("(apple*5 + orange*3) * 1.08", "--at", "apple=100,orange=80", "--gradcheck")
    assert run.exit_code == 0, run.output
    run = gc("sigmoid(w1*x1 + w2*x2 + b)", "--at", "w1=0.5,x1=1,w2=-1.5,x2=2,b=0.1", "--gradcheck")
    assert run.exit_code == 0, run.output
    assert run.stdout.split("gradient check", 1)[1].count("✓") == 5


def test_broken_rule_fails_through_the_api(broken_sin_table):
    """With sin's rule doubled, gradcheck reports the input failing with relative error 1/2."""
    evaluation = gradcalc.evaluate("sin(x)", at={"x": 1.0}, exact=False)
    assert evaluation.gradient["x"] == pytest.approx(2 * math.cos(1.0))
    (result,) = gradcheck(evaluation)
    assert not result.passed
    assert result.numeric == pytest.approx(math.cos(1.0), rel=1e-7)
    assert result.relative_error == pytest.approx(0.5, rel=1e-6)


def test_broken_rule_fails_through_the_cli(broken_sin_table):
    """`eval sin(x)*y --gradcheck` with the broken rule: exit 1 and ✗ against x (y is still fine)."""
    run = gc("sin(x)*y", "--at", "x=1,y=2", "--gradcheck", "--format", "plain")
    assert run.exit_code == 1, run.output
    table = run.stdout.split("gradient check", 1)[1].splitlines()
    x_row = next(line for line in table if line.startswith("x "))
    y_row = next(line for line in table if line.startswith("y "))
    assert x_row.endswith("✗") and y_row.endswith("✓")
    assert "5.0e-01" in x_row  # the relative error


def test_broken_rule_fails_in_json_and_rich(broken_sin_table):
    """The failure is in the JSON record (passed false) and on the rich table (✗), exit 1 both."""
    run = gc("sin(x)", "--at", "x=1", "--gradcheck", "--format", "json")
    assert run.exit_code == 1
    (check,) = json.loads(run.stdout)["gradcheck"]
    assert check["passed"] is False and check["relative_error"] == pytest.approx(0.5, rel=1e-6)
    run = gc("sin(x)", "--at", "x=1", "--gradcheck", "--format", "rich")
    assert run.exit_code == 1 and "✗" in run.stdout


def test_without_gradcheck_a_broken_rule_goes_unnoticed(broken_sin_table):
    """The check is what catches it: plain eval of the same program exits 0."""
    assert gc("sin(x)", "--at", "x=1").exit_code == 0


def test_tolerance_decides(broken_sin_table, monkeypatch):
    """A relative error of 1/2 passes once TOLERANCE is raised above it: the verdict is
    'relative error ≤ gradcalc.gradcheck.TOLERANCE'."""
    monkeypatch.setattr(gradcalc.gradcheck, "TOLERANCE", 0.6)
    (result,) = gradcheck(gradcalc.evaluate("sin(x)", at={"x": 1.0}))
    assert result.passed
    assert gc("sin(x)", "--at", "x=1", "--gradcheck").exit_code == 0


def test_json_carries_a_gradcheck_list():
    """--format json --gradcheck: each output's record gets a "gradcheck" list of
    {input, backprop, numeric, relative_error, passed}."""
    run = gc("x*y + sin(x); x - y", "--at", "x=1,y=2", "--gradcheck", "--format", "json")
    assert run.exit_code == 0
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(records) == 2
    for record in records:
        assert [c["input"] for c in record["gradcheck"]] == ["x", "y"]
        for c in record["gradcheck"]:
            assert set(c) == {"input", "backprop", "numeric", "relative_error", "passed"}
            assert c["passed"] is True
            assert c["backprop"] == pytest.approx(record["gradient"][c["input"]])
            assert c["numeric"] == pytest.approx(c["backprop"], rel=1e-6)
    assert records[1]["gradcheck"][1]["backprop"] == -1


def test_plain_table_shows_both_numbers_and_the_error():
    """The plain table has the backprop gradient, the finite difference and the relative error."""
    run = gc("x^3", "--at", "x=2", "--gradcheck", "--format", "plain")
    table = run.stdout.split("gradient check", 1)[1]
    assert f"tolerance {TOLERANCE:g}" in run.stdout
    assert "backprop ∂f/∂input" in table and "finite difference" in table and "relative error" in table
    row = next(line for line in table.splitlines() if line.startswith("x "))
    cells = row.split()
    assert cells[1] == "12" and float(cells[2]) == pytest.approx(12, rel=1e-7)
    assert float(cells[3]) < TOLERANCE and cells[4] == "✓"


def test_undefined_nearby_is_skipped_not_failed():
    """sqrt(x) at 0: f is undefined just left of 0, so the input is 'skipped' and the exit is 0."""
    run = gc("sqrt(x)", "--at", "x=0", "--gradcheck", "--format", "plain")
    assert run.exit_code == 0
    assert "undefined nearby" in run.stdout and "skipped" in run.stdout
    (result,) = gradcheck(gradcalc.evaluate("sqrt(x)", at={"x": 0}))
    assert result.numeric is None and result.passed


def test_gradcheck_checks_every_output():
    """A program with two outputs gets a check per output."""
    run = gc("x*y; x + y", "--at", "x=1,y=2", "--gradcheck", "--format", "plain")
    assert run.exit_code == 0
    assert run.stdout.count("gradient check (central differences") == 2


def test_non_finite_backprop_gradient_fails():
    """sqrt(x^2) at 0: backprop gives nan (inf × 0) while the finite difference is 0, so the check
    fails with an infinite relative error and exit 1."""
    run = gc("sqrt(x^2)", "--at", "x=0", "--gradcheck", "--format", "plain")
    assert run.exit_code == 1
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split() == ["x", "nan", "0", "inf", "✗"]


def test_api_gradient_ignores_a_named_node_the_output_does_not_use():
    """Through the API a program keeps every named node. `a = sqrt(x)` is not used by the output
    x*3, so at x = 0 the gradient is 3 and the check passes.  [bug: the backward walk visits a,
    whose gradient 0 times its infinite local partial adds nan into ∂f/∂x]"""
    evaluation = gradcalc.evaluate("a = sqrt(x)\nx*3", at={"x": 0})
    assert evaluation.gradient == {"x": 3}
    (result,) = gradcheck(evaluation)
    assert result.backprop == 3


def test_api_gradcheck_is_not_skipped_for_an_unused_named_node():
    """`a = log(x - 1)` is outside its domain just left of x = 1.0000001, but the output x*3 does
    not use it: the finite difference must still be computed (3), not 'undefined nearby'.
    [bug: gradcheck's forward pass evaluates every node of the graph, not only the output's]"""
    evaluation = gradcalc.evaluate("a = log(x - 1)\nx*3", at={"x": 1.0000001})
    (result,) = gradcheck(evaluation)
    assert result.numeric is not None and result.numeric == pytest.approx(3, rel=1e-6)
    assert result.passed


# -- array-valued inputs -------------------------------------------------------------------------


def test_gradcheck_with_array_inputs_cli():
    """`eval --gradcheck` with matrix and vector inputs: exit 0, a gradient check table naming
    both inputs with no ✗, and no traceback.  [bug: gradcheck calls float() on each input's
    value, so an array input raises TypeError and the CLI shows a traceback]"""
    run = gc("sum(W @ x)", "--at", "W=[[0.1, 0.2], [0.3, 0.4]],x=[1, 2]", "--gradcheck", "--format", "plain")
    assert TRACEBACK not in run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert run.exit_code == 0, run.output
    table = run.stdout.split("gradient check", 1)[1]
    assert "✓" in table and "✗" not in table
    names = {line.split()[0].split("[")[0] for line in table.splitlines()[2:] if line.strip()}
    assert {"W", "x"} <= names


def test_gradcheck_with_array_inputs_api():
    """gradcheck() on an evaluation at NumPy arrays compares every input (each by name, or each
    element as name[...]) and every comparison passes.  [bug: TypeError from float(array)]"""
    at = {"W": np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), "x": np.array([1.5, -2.0])}
    evaluation = gradcalc.evaluate("sum(softmax(x @ W) * [1, -2, 3])", at=at, exact=False)
    results = gradcheck(evaluation)
    assert {c.name.split("[")[0] for c in results} == {"W", "x"}
    assert all(c.passed and c.numeric is not None for c in results), results
