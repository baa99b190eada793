"""Lecture code pasted as is (issue 13, point 4): compound assignment and rebinding with Python's
meaning, method calls, W.T, np./math./torch. before a function, (x+y)z, micrograd's README
example, and for the Python gradcalc does not take, an error that says what to write instead."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcalc
from gradcalc.api import Answers
from gradcalc.ops import FUNCTIONS
from gradcalc.parser import Program
from helpers import assert_clean_failure, gc

SAMPLES = Path(__file__).parent.parent / "samples"


def record(*args):
    """The one JSON record of `gradcalc eval ARGS --format json`, after asserting exit 0."""
    run = gc(*args, "--format", "json")
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert len(lines) == 1, run.stdout
    return json.loads(lines[0])


def caret(stderr, source):
    """The index into `source` of the character the error's caret points at."""
    lines = stderr.splitlines()
    shown = lines.index("  " + source)
    return lines[shown + 1].index("^") - 2


# -- micrograd's README -----------------------------------------------------------------------------


def test_micrograd_readme_example_gives_its_published_numbers():
    """samples/micrograd.gc is micrograd's README example (c += c + 1, (b + a).relu(), e**2, …):
    g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773, as micrograd prints them."""
    result = record("-f", SAMPLES / "micrograd.gc")
    assert f"{result['value']:.4f}" == "24.7041"
    assert {name: f"{grad:.4f}" for name, grad in result["gradient"].items()} == {"a": "138.8338", "b": "645.5773"}


def test_micrograd_sample_keeps_the_readme_lines():
    """The sample's statements are micrograd's lines as written, but for Value(…) and the Python
    gradcalc does not need."""
    lines = [line for line in (SAMPLES / "micrograd.gc").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert lines[:2] == ["a = -4.0", "b = 2.0"]
    assert "c += 1 + c + (-a)" in lines and "d += d * 2 + (b + a).relu()" in lines
    assert "f = e**2" in lines and lines[-1] == "g += 10.0 / f"


# -- compound assignment and rebinding ---------------------------------------------------------------


@pytest.mark.parametrize("statement, expected", [
    ("c += 2", 8), ("c -= 2", 4), ("c *= 2", 12), ("c /= 4", 1.5), ("c **= 2", 36), ("c ^= 2", 36),
])
def test_compound_assignment_is_the_operation_then_the_binding(statement, expected):
    """c OP= e is c = c OP (e), for + - * / and the power."""
    assert gradcalc.evaluate(f"c = 6\n{statement}\nc").value == expected


def test_compound_assignment_takes_the_whole_right_side():
    """c *= 1 + 2 is c * (1 + 2), not c * 1 + 2."""
    assert gradcalc.evaluate("c = 5\nc *= 1 + 2\nc").value == 15


def test_matrix_product_assignment():
    """v @= W is v = v @ W."""
    result = gradcalc.evaluate("v = [1, 2]\nv @= [[1, 0], [0, 3]]\nsum(v)")
    assert result.value == 7


def test_rebinding_means_the_latest_binding_from_that_line_on():
    """Each binding is a new node and earlier uses keep the old one: y = x^2 uses x = 3 even after
    x = 5, so x + y is 5 + 9 (Python's meaning)."""
    result = gradcalc.evaluate("x = 3\ny = x^2\nx = 5\nx + y")
    assert result.value == 14
    assert result.gradient == {"x": 6, "x@3": 1}


def test_a_rebound_names_nodes_are_labelled_by_line():
    """The first binding keeps the name; a later one is NAME@LINE, or NAME@LINE:COLUMN where its
    line binds the name more than once; the JSON nodes carry the labels."""
    nodes = record("c = 2\nc += 1\nc *= c; c -= 1\nc")["nodes"]
    assert [node["name"] for node in nodes if node["name"]] == ["c", "c@2", "c@3", "c@3:9"]


def test_the_output_of_a_program_without_one_is_the_last_binding():
    """A program that only binds has its last assignment as its output, rebound or not."""
    result = record("g = 2\ng += 10 / g")
    assert result["value"] == 7 and result["gradient"] == {"g": -1.5}


def test_at_sets_the_first_binding():
    """--at x=4 sets x's first binding (an input); later bindings are the program's own."""
    assert record("x = 3\ny = x^2\nx = 5\nx + y", "--at", "x=4")["value"] == 21


def test_at_on_a_computed_first_binding_is_an_error():
    """--at c=1 where c's first binding is computed is the usual error: it cannot be set."""
    run = gc("a = 2\nc = a*3\nc += 1\nc", "--at", "c=1")
    assert_clean_failure(run, 2)
    assert "c is computed by the program" in run.stderr


def test_check_is_with_respect_to_the_binding_current_at_its_line():
    """check d(g)/d(c) means the c of that line: with c = 6 then c *= 2, g = c*c is 144 and
    ∂g/∂c is 24 (through the first c it would be 48)."""
    run = gc("a = 2\nc = a*3\nc *= 2\ng = c*c\ncheck d(g)/d(c) = 24\ncheck g = 144")
    assert run.exit_code == 0, run.output
    assert run.stdout.count("✓") == 2


def test_updating_a_name_never_bound_is_an_error():
    """c += 1 with no c before it: exit 2, the caret at c, and what to write."""
    run = gc("x = 1; c += 1")
    assert_clean_failure(run, 2)
    assert "c has no value to update yet: bind it first (c = …)" in run.stderr
    assert caret(run.stderr, "x = 1; c += 1") == 7


def test_a_failed_rebinding_makes_later_uses_an_error():
    """x = 2 + fails: x no longer means the first binding, and a later use says which line failed."""
    run = gc("x = 1\nx = 2 +\nx*3")
    assert_clean_failure(run, 2)
    assert "x has no value: its definition on line 2 failed" in run.stderr


def test_binding_a_used_input_is_still_an_error():
    """Using a free input and binding it afterwards stays an error: y would not see the binding."""
    run = gc("y = x + 1\nx = 2\ny")
    assert_clean_failure(run, 2)
    assert "assigned after its use on line 1" in run.stderr


# -- method calls, attributes, modules ---------------------------------------------------------------

ONE_ARGUMENT = sorted(name for name, op in FUNCTIONS.items() if op.arity == 1)


@pytest.mark.parametrize("function", ONE_ARGUMENT)
def test_a_method_is_the_function_of_the_value_before_the_dot(function):
    """x.f() is f(x) for every one-argument function of the table: same value, same gradient."""
    method = gradcalc.evaluate(f"x = 0.5\n(x*0.5).{function}()")
    call = gradcalc.evaluate(f"x = 0.5\n{function}(x*0.5)")
    assert method.value == call.value and method.gradient == call.gradient


def test_methods_take_the_functions_other_arguments():
    """x.pow(3) is pow(x, 3), x.clamp(0, 1) is clamp(x, 0, 1), x.max(y) is max(x, y)."""
    assert gradcalc.evaluate("x = 2\nx.pow(3)").value == 8
    assert gradcalc.evaluate("x = 2\nx.clamp(0, 1)").value == 1
    assert gradcalc.evaluate("x = 2; y = 5\nx.max(y)").value == 5


def test_methods_chain_and_bind_tighter_than_minus_and_power():
    """-x.exp() is -(exp(x)); x.exp().log() is log(exp(x)); (a*b).tanh() applies to the product."""
    assert gradcalc.evaluate("x = 0\n-x.exp()").value == -1
    assert gradcalc.evaluate("x = 1\nx.exp().log()").value == pytest.approx(1)
    assert gradcalc.evaluate("a = 1; b = 2\n(a*b).tanh()").value == pytest.approx(math.tanh(2))


def test_sum_and_mean_methods_on_an_array():
    """a.sum() and a.mean() as NumPy writes them."""
    assert gradcalc.evaluate("a = [1, 2, 3]\na.sum()").value == 6
    assert gradcalc.evaluate("a = [1, 2, 3]\na.mean()").value == 2


def test_dot_t_is_the_transpose():
    """W.T is transpose(W): W.T @ x and its gradient."""
    result = gradcalc.evaluate("W = [[1, 2], [3, 4]]\nsum(W.T @ [1, 0])")
    expected = gradcalc.evaluate("W = [[1, 2], [3, 4]]\nsum(transpose(W) @ [1, 0])")
    assert result.value == expected.value == 3
    assert (result.gradient["W"] == expected.gradient["W"]).all()


@pytest.mark.parametrize("text, expected", [
    ("np.exp(x)", math.exp(2)), ("numpy.log(x)", math.log(2)), ("math.sin(x)", math.sin(2)),
    ("torch.relu(x)", 2), ("torch.tanh(x)", math.tanh(2)), ("np.pi*x", 2 * math.pi), ("math.e", math.e),
    ("2np.exp(x)", 2 * math.exp(2)),
])
def test_a_module_name_before_a_function_or_constant(text, expected):
    """np., numpy., math. and torch. before a table function or a constant are read as without."""
    assert gradcalc.evaluate(f"x = 2\n{text}").value == pytest.approx(expected)


def test_names_that_start_like_a_module_are_names():
    """np and mathx are ordinary names where no dot follows them."""
    assert gradcalc.evaluate("np = 3; mathx = 2\nnp*mathx").value == 6


@pytest.mark.parametrize("text, expected", [
    ("(x+y)z", 15), ("(x+y) z", 15), ("sin(0)z + (y)(z)", 5), ("2(x)z", 20),
])
def test_a_closing_parenthesis_before_a_name_is_a_product(text, expected):
    """(x+y)z is (x+y)*z, as 2x and (a+b)(a-b) are products."""
    assert gradcalc.evaluate(text, at={"x": 2, "y": 1, "z": 5}).value == expected


# -- what cannot be pasted, and what to write instead -------------------------------------------------


@pytest.mark.parametrize("source, message, column", [
    ("for k in range(10):", "loops are not part of gradcalc: write each step on a line of its own", 0),
    ("while x < 1:", "loops are not part of gradcalc", 0),
    ("import numpy as np", "gradcalc needs no import", 0),
    ("from micrograd.engine import Value", "gradcalc needs no import", 0),
    ("def f(x): return x", "gradcalc has no functions of your own", 0),
    ("print(f'{g.data:.4f}') ", "print(…) is not needed: write the expression on a line of its own", 0),
    ("x = 1; print(x)", "print(…) is not needed", 7),
    ("a = Value(-4.0)", "Value(-4.0): a number needs no Value(…) here: write a = -4.0", 4),
    ("a = Value(-4.0, label='a')", "a number needs no Value(…) here: write a = -4.0, label='a'", 4),
    ("x = 2; x.backward()", ".backward() is not needed: gradcalc computes every gradient", 9),
    ("x = 2; x.data", ".data is not needed: write the expression itself", 9),
    ("x = 2; x.grad", ".grad is not needed: every input's gradient is shown", 9),
    ("x = 2; x.item()", ".item() is not needed", 9),
    ("W = np.array([1, 2])", "np.array([1, 2]): write W = [1, 2]", 4),
    ("x = torch.tensor(2.0)", "torch.tensor(2.0): write x = 2.0", 4),
])
def test_python_that_cannot_be_pasted_says_what_to_write(source, message, column):
    """Loops, import, print, Value(…), .backward(), .data, .grad…: exit 2, a message that says what
    to write instead, and the caret at the word."""
    run = gc(source)
    assert_clean_failure(run, 2)
    assert message in run.stderr
    assert caret(run.stderr, source) == column


@pytest.mark.parametrize("source, message", [
    ("x = 1; x.reluu()", "unknown method .reluu(); did you mean .relu()?"),
    ("x = 1; x.relu", ".relu is a method: write .relu()"),
    ("x = 1; x.Q", "unknown attribute .Q (gradcalc knows .T, and methods such as .exp())"),
    ("x = 1; x.relu(2)", ".relu(…) takes no arguments, got 1"),
    ("x = 1; x.pow()", ".pow(…) takes 1 argument, got 0"),
    ("x = 1; np.expp(x)", "unknown function np.expp; did you mean np.exp?"),
    ("x = 1; np.exp", "np.exp is a function: write np.exp(…)"),
    ("x = 1; np.zz", "np.zz: gradcalc knows the functions and the constants pi e after np."),
])
def test_a_wrong_method_attribute_or_module_function_is_an_error(source, message):
    """Mistyped methods, attributes and module functions: exit 2 with a did-you-mean where one is near."""
    run = gc(source)
    assert_clean_failure(run, 2)
    assert message in run.stderr


def test_an_ordinary_syntax_error_keeps_its_message():
    """A name that happens to be a Python word elsewhere (data, grad, array) gets no Python hint."""
    run = gc("data = 1 +")
    assert_clean_failure(run, 2)
    assert "the statement ended early" in run.stderr


# -- laws ----------------------------------------------------------------------------------------------

SMALL = st.integers(min_value=-9, max_value=9)
UPDATES = st.sampled_from([("+=", "+"), ("-=", "-"), ("*=", "*"), ("/=", "/")])


@settings(max_examples=60, deadline=None)
@given(start=SMALL.filter(bool), steps=st.lists(st.tuples(UPDATES, SMALL.filter(bool), SMALL), min_size=1, max_size=5))
def test_compound_assignment_is_rebinding_to_the_operation(start, steps):
    """Any chain of c OP= k*a + m gives the value and gradients of c = c OP (k*a + m) written out
    (exact arithmetic: equal, not close)."""
    compound = ["a = 2", f"c = {start} * a"] + [f"c {update} {k}*a + {m}" for (update, _), k, m in steps]
    written = ["a = 2", f"c = {start} * a"] + [f"c = c {op} ({k}*a + {m})" for (_, op), k, m in steps]
    try:
        expected = gradcalc.evaluate("\n".join(written + ["c"]))
    except gradcalc.GradcalcError:  # a division by zero on the way: the compound form says so too
        with pytest.raises(gradcalc.GradcalcError):
            gradcalc.evaluate("\n".join(compound + ["c"]))
        return
    result = gradcalc.evaluate("\n".join(compound + ["c"]))
    assert result.value == expected.value and result.gradient == expected.gradient


@settings(max_examples=40, deadline=None)
@given(values=st.lists(SMALL, min_size=1, max_size=4), factors=st.lists(SMALL, min_size=1, max_size=4))
def test_the_session_reads_a_program_without_rebinding_as_the_program_does(values, factors):
    """Where each name is bound once, after what it uses, the session's definitions and the
    program's bindings are the same: the same answer for the last name."""
    lines = [f"x{k} = {v}" for k, v in enumerate(values)]
    lines += [f"y{k} = {f}*x{k % len(values)} + " + (f"y{k - 1}" if k else "0") for k, f in enumerate(factors)]
    lines.append(f"y{len(factors) - 1}*1")
    session = Answers()
    session.program = Program(redefine=True)
    answers = [item for n, line in enumerate(lines, 1) for item in session.read(line, n)]
    program = list(gradcalc.run(lines))
    assert [(a.value, a.gradient) for a in answers] == [(p.value, p.gradient) for p in program]


def test_a_module_constant_is_the_constant_even_where_the_name_is_bound():
    """micrograd binds e = c - d; math.e is still Euler's number."""
    assert gradcalc.evaluate("e = 3\nmath.e * e").value == pytest.approx(3 * math.e)
