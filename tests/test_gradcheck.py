"""`gradcalc eval --gradcheck`: every reverse-mode gradient against a central finite difference.
Every op in the table passes at a safe point; a deliberately broken rule is caught.

An array op's safe point is a small program (ARRAY_PROGRAMS) in which scalar inputs scale
fixed arrays that flow through the op, so each input's check runs through the op's
vector-Jacobian product and through the broadcasting that sums gradients back to a scalar.
Array-valued inputs are checked separately (test_gradcheck_with_array_inputs_*)."""

import dataclasses
import json
import math
import sys

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import gradcalc
import gradcalc.api
import gradcalc.gradcheck
import gradcalc.ops
import gradcalc.parser
from gradcalc.errors import GradcalcError
from gradcalc.gradcheck import DIRECTION, DIRECTIONS, INCONCLUSIVE, INPUT, PER_INPUT_LIMIT, TOLERANCE, gradcheck
from gradcalc.ops import CALL, INFIX, OPS, PREFIX
from helpers import TRACEBACK, gc, reals


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
    "clamp": {"x": "0.7", "y": "0.2", "z": "1.3"},
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
    "item": "([0.7, -0.3, 1.1] * x)[1] * ([[0.7, -0.3], [1.1, 0.2]] * y)[1, 0]",
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
    return f"{op.name}({', '.join('xyz'[:op.arity])})"


def at_option(point):
    return ",".join(f"{name}={value}" for name, value in point.items())


def broken_sin():
    """sin with its derivative doubled: 2 cos x instead of cos x."""
    return dataclasses.replace(OPS["sin"], partials=lambda m, out, x: (2 * m.cos(x),))


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
    assert "gradient check per input (central differences" in run.stdout
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
    {method, input, backprop, numeric, relative_error, tolerance, passed, verdict}."""
    run = gc("x*y + sin(x); x - y", "--at", "x=1,y=2", "--gradcheck", "--format", "json")
    assert run.exit_code == 0
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(records) == 2
    for record in records:
        assert [c["input"] for c in record["gradcheck"]] == ["x", "y"]
        for c in record["gradcheck"]:
            assert set(c) == {"method", "input", "backprop", "numeric", "relative_error", "tolerance", "passed",
                              "verdict"}
            assert c["method"] == "input" and c["passed"] is True and c["verdict"] == "✓"
            assert TOLERANCE <= c["tolerance"] < 2 * TOLERANCE and c["relative_error"] <= c["tolerance"]
            assert c["backprop"] == pytest.approx(record["gradient"][c["input"]])
            assert c["numeric"] == pytest.approx(c["backprop"], rel=1e-6)
    assert records[1]["gradcheck"][1]["backprop"] == -1


def test_plain_table_shows_both_numbers_and_the_error():
    """The plain table has the backprop gradient, the finite difference, the relative error and
    the tolerance it was judged by (TOLERANCE plus the finite difference's own uncertainty)."""
    run = gc("x^3", "--at", "x=2", "--gradcheck", "--format", "plain")
    table = run.stdout.split("gradient check", 1)[1]
    assert f"tolerance {TOLERANCE:g} + the finite difference's own uncertainty" in table
    assert "backprop ∂f/∂input" in table and "finite difference" in table and "relative error" in table
    assert "tolerance" in table.splitlines()[1]
    row = next(line for line in table.splitlines() if line.startswith("x "))
    cells = row.split()
    assert cells[1] == "12" and float(cells[2]) == pytest.approx(12, rel=1e-10)
    assert float(cells[3]) < TOLERANCE <= float(cells[4]) and cells[5] == "✓"


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
    assert run.stdout.count("gradient check per input (central differences") == 2


def test_non_finite_backprop_gradient_fails():
    """sqrt(x^2) at 0: backprop gives nan (inf × 0) while the finite difference is 0, so the check
    fails with an infinite relative error and exit 1."""
    run = gc("sqrt(x^2)", "--at", "x=0", "--gradcheck", "--format", "plain")
    assert run.exit_code == 1
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split() == ["x", "nan", "0", "inf", f"{TOLERANCE:.1e}", "✗"]


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


# -- awkward points: the step follows the input's size and f's curvature ----------------------------

# Correct gradients at points where a fixed step of 6e-6 × max(1, |x|) failed them: a step too large
# for x (log x at 0.001), a truncation error above 1e-6 (sin x at 1000), a probe past overflow
# (exp x at 709.7 + 0.7), f oscillating within the first step (sin x at 10¹⁰), rounding that
# swamps a step of 10⁻¹³ (cos x at 10⁻¹⁰).
AWKWARD_POINTS = [
    ("log(x)", {"x": "0.001"}),
    ("1/x", {"x": "0.001"}),
    ("sqrt(x)", {"x": "1e-4"}),
    ("sin(x)", {"x": "1000"}),
    ("exp(x)", {"x": "709"}),
    ("exp(x)", {"x": "709.7"}),
    ("x^10", {"x": "1e3"}),
    ("tanh(x)", {"x": "20"}),
    ("sigmoid(x)", {"x": "-30"}),
    ("x*y", {"x": "1e8", "y": "1e-8"}),
    ("log(x)", {"x": "1e-300"}),
    ("1/(x + 0.001)", {"x": "0"}),
    ("tan(x)", {"x": "1.5707"}),
    ("sin(x)", {"x": "1e10"}),
    ("sin(1000000 x)", {"x": "1"}),
    ("cos(x)", {"x": "1e-10"}),
    ("x - tanh(x)", {"x": "0"}),  # a slope of 0, and gradients of 0 at the point but not at the probes
    ("x * log(1 + x^2)", {"x": "0"}),
]


def awkward_id(case):
    expr, point = case
    return f"{expr} at {at_option(point)}"


@pytest.mark.parametrize("expr,point", AWKWARD_POINTS, ids=map(awkward_id, AWKWARD_POINTS))
def test_correct_gradient_passes_at_an_awkward_point_cli(expr, point):
    """`eval EXPR --at … --gradcheck`: exit 0 and a ✓ (not 'inconclusive', not 'skipped') for each
    input.  [bug: ✗ for log(x) and 1/x at 0.001, sqrt(x) at 1e-4, sin(x) at 1000, exp(x) at 709]"""
    run = gc(expr, "--at", at_option(point), "--gradcheck", "--format", "plain")
    assert run.exit_code == 0, run.output
    table = run.stdout.split("gradient check", 1)[1].splitlines()
    marks = [line.split()[-1] for line in table[2:] if line.split()[0] in point]
    assert marks == ["✓"] * len(point), "\n".join(table)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "float"])
@pytest.mark.parametrize("expr,point", AWKWARD_POINTS, ids=map(awkward_id, AWKWARD_POINTS))
def test_correct_gradient_passes_at_an_awkward_point_api(expr, point, exact):
    """gradcheck() at the same points: every input ✓, the finite difference close to backprop."""
    at = {name: gradcalc.constant(value) for name, value in point.items()}
    for c in gradcheck(gradcalc.evaluate(expr, at=at, exact=exact)):
        assert c.verdict == "✓" and c.method == INPUT, c
        assert c.relative_error <= c.tolerance <= INCONCLUSIVE, c


def corrupt(evaluation, name, wrong, output=0):
    """Replace backprop's ∂output/∂name in the Evaluation by wrong(correct): a wrong gradient
    without a wrong rule."""
    grads = evaluation.gradients[output]
    node = evaluation.graph.named[name]
    grads[node] = wrong(float(grads[node]))


@pytest.mark.parametrize("expr,point", AWKWARD_POINTS, ids=map(awkward_id, AWKWARD_POINTS))
def test_wrong_gradient_fails_at_an_awkward_point(expr, point):
    """At the same points, a gradient 5% off fails (✗): the tolerance grew only by what the finite
    difference is really unsure of. (tanh at 20 has gradient 0 in floats: 0.001 is wrong there.)"""
    at = {name: gradcalc.constant(value) for name, value in point.items()}
    for name in point:
        evaluation = gradcalc.evaluate(expr, at=at, exact=False)
        corrupt(evaluation, name, lambda g: 1.05 * g if g else 0.001)
        (c,) = [c for c in gradcheck(evaluation) if c.name == name]
        assert c.verdict == "✗" and c.relative_error > c.tolerance, c


@pytest.mark.parametrize("expr,point", [("log(x)", {"x": 0.001}), ("sin(x)", {"x": 1000.0}), ("exp(x)", {"x": 709.0}),
                                        ("x^10", {"x": 1000.0}), ("sigmoid(x)", {"x": -30.0})])
def test_a_gradient_ten_times_tolerance_off_fails_at_an_awkward_point(expr, point):
    """Where the finite difference is precise, a gradient off by 10 × TOLERANCE fails: a rougher
    second measurement (from a smaller first step) never overrules a precise one."""
    evaluation = gradcalc.evaluate(expr, at=point, exact=False)
    corrupt(evaluation, "x", lambda g: g * (1 + 10 * TOLERANCE))
    (c,) = gradcheck(evaluation)
    assert c.verdict == "✗" and c.tolerance < 2 * TOLERANCE, c


def test_wrong_gradient_fails_through_the_cli(monkeypatch):
    """A wrong gradient reaching the CLI's check (the evaluation it is handed has ∂f/∂x × 1.001,
    log x at 0.001): ✗ with the relative error 1e-3, and exit 1."""
    evaluate = gradcalc.api._evaluate

    def evaluate_wrongly(graph, at, exact, **options):
        evaluation = evaluate(graph, at, exact, **options)
        corrupt(evaluation, "x", lambda g: g * 1.001)
        return evaluation

    monkeypatch.setattr(gradcalc.api, "_evaluate", evaluate_wrongly)
    run = gc("log(x)", "--at", "x=0.001", "--gradcheck", "--format", "plain")
    assert run.exit_code == 1, run.output
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split()[0] == "x" and row.split()[-1] == "✗" and "1.0e-03" in row


# -- many inputs: along random directions ----------------------------------------------------------


def chain(n):
    """A program of n inputs x1…xn (values 1 to 1.6): sin(x1) + x1*x2 + x2*x3 + … + x(n-1)*xn."""
    lines = [f"x{i} = {1 + (i % 7) / 10}" for i in range(1, n + 1)]
    lines.append("sin(x1) + " + " + ".join(f"x{i}*x{i + 1}" for i in range(1, n)))
    return "\n".join(lines)


def test_directions_past_the_limit():
    """PER_INPUT_LIMIT inputs are checked one by one; one more, and the check runs along DIRECTIONS
    random directions v1, v2, …, each comparing ∇f·v with a finite difference along v."""
    per_input = gradcheck(gradcalc.evaluate(chain(PER_INPUT_LIMIT)))
    assert [c.name for c in per_input] == [f"x{i}" for i in range(1, PER_INPUT_LIMIT + 1)]
    assert {c.method for c in per_input} == {INPUT}
    along = gradcheck(gradcalc.evaluate(chain(PER_INPUT_LIMIT + 1)))
    assert [c.name for c in along] == [f"v{k}" for k in range(1, DIRECTIONS + 1)]
    assert [c.direction for c in along] == list(range(1, DIRECTIONS + 1))
    assert all(c.method == DIRECTION and c.verdict == "✓" for c in along), along


def test_array_elements_count_towards_the_limit():
    """The limit counts numbers, not names: a 6×6 matrix is 36 of them, so its check runs along
    directions, and the table says how many numbers the inputs hold."""
    run = gc("sum(W @ x)", "--at", f"W={np.arange(36).reshape(6, 6).tolist()},x={list(range(6))}",
             "--gradcheck", "--format", "plain")
    assert run.exit_code == 0, run.output
    assert "gradient check along 8 random directions v over 2 inputs holding 42 numbers" in run.stdout


def test_directions_are_said_in_plain_output():
    """The plain table says what was done, has a row per direction and says what the relative
    error is relative to; exit 0."""
    run = gc("-f", "-", "--gradcheck", "--format", "plain", input=chain(40))
    assert run.exit_code == 0, run.output
    text = run.stdout.split("gradient check", 1)[1]
    assert text.startswith(" along 8 random directions v over 40 inputs (∇f·v against central differences along v)")
    lines = text.splitlines()
    assert lines[1].split()[:3] == ["direction", "backprop", "∇f·v"]
    assert [line.split()[0] for line in lines[2:2 + DIRECTIONS]] == [f"v{k}" for k in range(1, DIRECTIONS + 1)]
    assert all(line.split()[-1] == "✓" for line in lines[2:2 + DIRECTIONS])
    assert lines[2 + DIRECTIONS].startswith("relative error to Σ|∂f/∂xᵢ·vᵢ|")


def test_directions_are_said_in_json_and_rich():
    """JSON: each entry has method "direction", input null and direction 1…8; rich says it too."""
    run = gc("-f", "-", "--gradcheck", "--format", "json", input=chain(40))
    assert run.exit_code == 0, run.output
    entries = json.loads(run.stdout)["gradcheck"]
    assert [e["direction"] for e in entries] == list(range(1, DIRECTIONS + 1))
    for e in entries:
        assert e["method"] == "direction" and e["input"] is None and e["passed"] is True and e["verdict"] == "✓"
        assert e["numeric"] == pytest.approx(e["backprop"], rel=1e-6)
    run = gc("-f", "-", "--gradcheck", "--format", "rich", input=chain(40))
    assert run.exit_code == 0, run.output
    assert "along 8 random directions" in run.stdout and "✓" in run.stdout


@pytest.mark.parametrize("victim", ["x1", "x77", "x200"])
def test_directions_catch_one_wrong_gradient_among_many(victim):
    """One input's gradient 0.1% off among 200: every direction fails (the error is about 7e-6
    of Σ|∂f/∂xᵢ·vᵢ|, seven times the tolerance)."""
    evaluation = gradcalc.evaluate(chain(200), exact=False)
    corrupt(evaluation, victim, lambda g: g * 1.001)
    results = gradcheck(evaluation)
    assert len(results) == DIRECTIONS and all(c.verdict == "✗" for c in results), results


def test_directions_catch_a_broken_rule_through_the_cli(broken_sin_table):
    """With sin's rule doubled, a 40-input program using sin once: ✗ along every direction, exit 1."""
    run = gc("-f", "-", "--gradcheck", "--format", "plain", input=chain(40))
    assert run.exit_code == 1, run.output
    rows = run.stdout.split("gradient check", 1)[1].splitlines()[2:2 + DIRECTIONS]
    assert all(row.split()[-1] == "✗" for row in rows), rows


def test_directions_are_deterministic():
    """The directions are seeded: two checks of the same evaluation give the same numbers."""
    evaluation = gradcalc.evaluate(chain(50), exact=False)
    assert gradcheck(evaluation) == gradcheck(evaluation)


def test_directions_cost_the_same_whatever_the_number_of_inputs(monkeypatch):
    """Forward passes along directions do not grow with the inputs (the per-input check needs at
    least two per input)."""
    calls = []
    forward = gradcalc.gradcheck.forward
    monkeypatch.setattr(gradcalc.gradcheck, "forward", lambda *args, **kw: calls.append(1) or forward(*args, **kw))
    counts = []
    for n in (40, 400):
        calls.clear()
        assert all(c.passed for c in gradcheck(gradcalc.evaluate(chain(n), exact=False)))
        counts.append(len(calls))
    assert counts[0] == counts[1] < 2 * 40


def test_method_can_be_chosen_through_the_api():
    """gradcheck(…, method=INPUT) checks every input however many; method=DIRECTION checks a few."""
    evaluation = gradcalc.evaluate(chain(40))
    assert len(gradcheck(evaluation, method=INPUT)) == 40
    small = gradcalc.evaluate("x*y", at={"x": 2, "y": 3})
    assert [c.method for c in gradcheck(small, method=DIRECTION)] == [DIRECTION] * DIRECTIONS


# -- verdicts: kinks, noise, overflow ----------------------------------------------------------------


def test_kink_still_disagrees():
    """relu at 0: backprop says 0 (PyTorch's convention), the finite difference 0.5: ✗, exit 1,
    as the README says."""
    run = gc("relu(x)", "--at", "x=0", "--gradcheck", "--format", "plain")
    assert run.exit_code == 1
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split()[:3] == ["x", "0", "0.5"] and row.split()[-1] == "✗"


@pytest.mark.parametrize("expr,at", [("(x + 1e15) - 1e15", "x=1"), ("sin(sinh(x))", "x=54")])
def test_a_finite_difference_swamped_by_rounding_is_inconclusive(expr, at):
    """Where rounding in the forward pass hides the slope ((x + 10¹⁵) - 10¹⁵ moves in steps of
    1/8; sin of 10²³ is noise in floats), the verdict is 'inconclusive', not ✗, and the exit 0."""
    run = gc(expr, "--at", at, "--gradcheck", "--format", "plain")
    assert run.exit_code == 0, run.output
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split()[-1] == "inconclusive"
    run = gc(expr, "--at", at, "--gradcheck", "--format", "rich")  # (80 columns: the verdict is not cut)
    assert run.exit_code == 0 and "inconclusive" in run.stdout, run.output
    (c,) = gradcheck(gradcalc.evaluate(expr, at={"x": gradcalc.constant(at[2:])}))
    assert c.passed and c.verdict == "inconclusive" and c.tolerance > INCONCLUSIVE


def test_an_overflowing_probe_is_not_a_failure():
    """exp(x) at 709.7: a first step of 0.71 overflows above; the step is cut and the check passes
    on both sides' probes (no ✗, no skip)."""
    (c,) = gradcheck(gradcalc.evaluate("exp(x)", at={"x": 709.7}, exact=False))
    assert c.verdict == "✓" and c.numeric == pytest.approx(math.exp(709.7), rel=1e-9)


# -- random smooth programs (hypothesis) -------------------------------------------------------------

SMOOTH = ["sin", "cos", "tanh", "exp", "sigmoid", "softplus", "atan", "sinh"]
smooth_programs = st.recursive(
    st.sampled_from(["x", "y", "0.7", "-1.3", "2"]),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(SMOOTH), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from("+-*"), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda a: f"log(1 + ({a})^2)"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}) / (1 + ({t[1]})^2)"),
    ),
    max_leaves=8,
)
points = st.fixed_dictionaries({"x": reals(-20, 20), "y": reals(-20, 20)})


def evaluated(expr, point):
    try:
        return gradcalc.evaluate(expr, at=point, exact=False)
    except GradcalcError:  # an overflow such as exp(exp(exp(20)))
        assume(False)


@settings(max_examples=150, deadline=None)
@given(expr=smooth_programs, point=points)
@example(expr="(x - tanh(x))", point={"x": 0.0, "y": 0.0})  # found by hypothesis: rounding at the probes
@example(expr="log(1 + (y)^2)", point={"x": 0.0, "y": 1e-170})  # y² underflows: f is flat in floats
@example(expr="sin(exp(x + x))", point={"x": 12.0, "y": 0.0})  # found by hypothesis: a radian per 10⁻¹¹
def test_smooth_programs_pass_at_random_points(expr, point):
    """A correct gradient of a smooth program never fails, wherever it is checked (at worst the
    finite difference is 'inconclusive' where floats cannot resolve the slope)."""
    for c in gradcheck(evaluated(expr, point)):
        assert c.passed, (expr, point, c)


@settings(max_examples=150, deadline=None)
@given(expr=smooth_programs, point=points, data=st.data(),
       factor=st.one_of(reals(1.05, 3), reals(0.05, 0.95), reals(-3, -0.05)))
def test_wrong_gradients_of_smooth_programs_never_pass(expr, point, factor, data):
    """One input's gradient scaled by a factor at least 5% from 1 (and from 0, which a slope lost
    to underflow would match): never ✓ (✗, or 'inconclusive' where floats cannot resolve it)."""
    evaluation = evaluated(expr, point)
    assume(evaluation.graph.inputs)
    name = data.draw(st.sampled_from(sorted(evaluation.graph.inputs)), label="input")
    assume(abs(evaluation.grad(name)) >= sys.float_info.min)  # (a tiny one scaled could round to itself)
    corrupt(evaluation, name, lambda g: g * factor)
    (c,) = [c for c in gradcheck(evaluation) if c.name == name]
    assert c.verdict != "✓", (expr, point, c)


def test_a_slope_too_steep_for_the_fixed_steps_is_measured_at_its_own_scale():
    """sin(exp(2x)) at 12 turns a radian in 10⁻¹¹: every fixed step averages over its oscillations
    (the first measures -2.4e6 for 3.6e10). Measured again at the scale of the slope, the right
    gradient is not refuted, and the same gradient tripled still is."""
    evaluation = evaluated("sin(exp(x + x))", {"x": 12.0})
    (right,) = gradcheck(evaluation)
    assert right.verdict != "✗", right
    corrupt(evaluation, "x", lambda g: g * 3)
    (wrong,) = gradcheck(evaluation)
    assert wrong.verdict == "✗", wrong


def test_backprop_is_shown_exactly():
    """An exact gradient is shown as exactly as the rest of the output (1/3, not 0.3333333333333333);
    the comparison is in floats."""
    run = gc("x/3", "--at", "x=1", "--gradcheck", "--format", "plain")
    assert run.exit_code == 0, run.output
    row = next(line for line in run.stdout.split("gradient check", 1)[1].splitlines() if line.startswith("x "))
    assert row.split()[1:4] == ["1/3", "≈", "0.333333"] and row.split()[-1] == "✓"
