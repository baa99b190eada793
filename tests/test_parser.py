"""The language through the Python API: precedence, aliases, numbers, names, programs, sharing,
exactness; and, through the command line, very deep inputs and the blow-up guards."""

import json
import math
import subprocess
import sys
import time
import weakref
from fractions import Fraction

import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc.cli import main


def value(text, **at):
    """The first output's value of `text` with inputs from keyword arguments."""
    return gradcalc.evaluate(text, at=at).value


def gradient(text, **at):
    return gradcalc.evaluate(text, at=at).gradient


# -- precedence --------------------------------------------------------------------------------


def test_unary_minus_binds_looser_than_power():
    """-x^2 is -(x^2), not (-x)^2: at x=3 it is -9 with slope -6."""
    result = gradcalc.evaluate("-x^2", at={"x": 3})
    assert result.value == -9
    assert result.gradient == {"x": -6}


def test_minus_literal_squared_is_negative():
    """-2^2 is -(2^2) = -4 even though -2 alone is a signed literal."""
    assert value("-2^2") == -4
    assert value("(-2)^2") == 4


def test_power_is_right_associative():
    """2^3^2 is 2^(3^2) = 512, not (2^3)^2 = 64."""
    assert value("2^3^2") == 512


def test_power_with_negative_exponent_is_exact():
    """2^-1 is exactly the rational 1/2, not the float 0.5."""
    result = value("2^-1")
    assert result == Fraction(1, 2)
    assert type(result) is Fraction


def test_implicit_multiplication_binds_like_times_left_to_right():
    """1/2x is (1/2)*x: at x=4 it is 2, with slope 1/2."""
    result = gradcalc.evaluate("1/2x", at={"x": 4})
    assert result.value == 2
    assert result.gradient == {"x": Fraction(1, 2)}


def test_sum_and_product_levels():
    """* binds tighter than + and -, and - is left-associative."""
    assert value("1 + 2*3") == 7
    assert value("10 - 4 - 3") == 3
    assert value("2*3^2") == 18
    assert value("12/3/2") == 2


# -- operator aliases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alias, canonical",
    [
        ("x**3", "x^3"),
        ("2**3**2", "2^3^2"),
        ("x×y", "x*y"),
        ("x·y", "x*y"),
        ("x÷y", "x/y"),
        ("x−y", "x-y"),
        ("−x", "-x"),
    ],
)
def test_operator_aliases_mean_the_same_as_ascii(alias, canonical):
    """** is ^, × and · are *, ÷ is /, and U+2212 − is - (binary and unary): same value and gradient."""
    at = {"x": 5, "y": 2}
    a = gradcalc.evaluate(alias, at=at)
    b = gradcalc.evaluate(canonical, at=at)
    assert a.value == b.value
    assert a.gradient == b.gradient


# -- implicit multiplication and names ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, at, expected_value, expected_gradient",
    [
        ("2x", {"x": 3}, 6, {"x": 2}),
        ("3(x+1)", {"x": 1}, 6, {"x": 3}),
        ("(a+b)(a-b)", {"a": 3, "b": 2}, 5, {"a": 6, "b": -4}),
        ("2x^2", {"x": 3}, 18, {"x": 12}),
    ],
)
def test_implicit_multiplication(text, at, expected_value, expected_gradient):
    """A number before a name or '(' and ')(' multiply: 2x, 3(x+1), (a+b)(a-b); 2x^2 is 2*(x^2)."""
    result = gradcalc.evaluate(text, at=at)
    assert result.value == expected_value
    assert result.gradient == expected_gradient


def test_number_times_constant():
    """2pi is 2*pi."""
    assert value("2pi") == pytest.approx(2 * math.pi, rel=1e-15)


def test_adjacent_letters_are_one_name():
    """xy is a single input called xy, not x*y."""
    graph = gradcalc.parse("xy")
    assert list(graph.inputs) == ["xy"]
    result = gradcalc.evaluate("xy", at={"xy": 5})
    assert result.value == 5
    assert result.gradient == {"xy": 1}


def test_middle_dot_is_never_part_of_a_name():
    """a·b is a times b: two inputs, product rule."""
    graph = gradcalc.parse("a·b")
    assert sorted(graph.inputs) == ["a", "b"]
    result = gradcalc.evaluate("a·b", at={"a": 2, "b": 5})
    assert result.value == 10
    assert result.gradient == {"a": 5, "b": 2}


def test_unicode_names():
    """Japanese identifiers are names: りんご * 消費税 with 100 and 1.08 is 108, exactly."""
    result = gradcalc.evaluate("りんご * 消費税", at={"りんご": 100, "消費税": Fraction("1.08")})
    assert result.value == 108
    assert result.gradient == {"りんご": Fraction("1.08"), "消費税": 100}


def test_unicode_input_names_are_plain_strings():
    """The gradient's keys are plain str for Unicode names too, as they are for ASCII names
    (not parser tokens leaking out of the API)."""
    result = gradcalc.evaluate("りんご * 消費税 + apple", at={"りんご": 1, "消費税": 2, "apple": 3})
    assert sorted(result.gradient) == sorted(["りんご", "消費税", "apple"])
    assert all(type(name) is str for name in result.gradient), [type(n) for n in result.gradient]
    assert all(type(name) is str for name in result.graph.named)


def test_superscript_digits_are_exponents():
    """x² is x^2, never the name x2 (which Unicode's NFKC folding would make of it), x⁻¹ is x^-1,
    and a superscript binds as tightly as ^: -x² is -(x^2), 2x³ is 2*(x^3)."""
    result = gradcalc.evaluate("x = 3; x2 = 5; x² + 1")
    assert result.value == 10 and result.gradient == {"x": 6}
    assert value("x⁻¹", x=4) == Fraction(1, 4)
    assert value("-x²", x=3) == -9 and value("2x³", x=3) == 54
    assert value("(a+b)²", a=1, b=2) == 9 and value("x¹⁰", x=2) == 1024
    graph = gradcalc.parse("x²")
    assert graph.expression(graph.outputs[0]) == "x^2"


def test_subscripts_stay_part_of_the_name_as_typed():
    """x₁ and x₂ are names, reported as typed."""
    result = gradcalc.evaluate("x₁ = 2; x₂ = 3; x₁ * x₂")
    assert result.value == 6 and result.gradient == {"x₁": 3, "x₂": 2}


def test_at_names_are_kept_as_the_program_s_names_are():
    """--at takes subscripted names, and a decomposed é for a composed one (they look the same)."""
    run = CliRunner().invoke(main, ["eval", "x₁ * caf\u00e9", "--at", "x₁=3,cafe\u0301=2", "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["gradient"] == {"x₁": 2, "caf\u00e9": 3}


@pytest.mark.parametrize("program, first, second", [
    ("x₁ = 2; x1 * 3", "x₁", "x1"),
    ("ｘ = 2; x * 3", "ｘ", "x"),
    ("x1 + x₁", "x1", "x₁"),
])
def test_names_that_look_different_are_never_merged(program, first, second):
    """Python folds ｘ into x and x₁ into x1 (NFKC); gradcalc keeps both spellings apart, and
    where the folding would merge them the error names both."""
    with pytest.raises(gradcalc.InputError, match="look different") as caught:
        gradcalc.parse(program)
    assert first in caught.value.message and second in caught.value.message


def test_each_spelling_alone_is_its_own_name():
    assert value("ｘ = 2; ｘ * 3") == 6


@pytest.mark.parametrize("name", ["मूल्य", "விலை", "cafe\u0301", "a‿b", "xₐ"])
def test_names_follow_python_identifier_rules_combining_marks_included(name):
    """Names with combining marks (Devanagari, Tamil, a decomposed é) and connector
    punctuation are Python identifiers, so they are names."""
    assert name.isidentifier()
    result = gradcalc.evaluate(f"{name} = 3; {name} * {name}")
    assert result.value == 9 and list(result.gradient.values()) == [6]


def test_canonically_equivalent_spellings_are_one_name():
    """A decomposed café and a composed café look the same, so they are one name."""
    assert value("cafe\u0301 = 3; caf\u00e9 * 2") == 6


@pytest.mark.parametrize("text", ["x½", "x①", "₁x"])
def test_a_name_python_would_not_accept_is_an_error(text):
    with pytest.raises(gradcalc.InputError, match="not a valid name"):
        gradcalc.parse(text)


def test_any_unicode_space_separates():
    """The ideographic space of Japanese input, and a no-break space, are spaces."""
    assert value("りんご\u3000*\u00a02", りんご=5) == 10


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12", 12),
        ("3.5", Fraction(7, 2)),
        (".5", Fraction(1, 2)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E3", 2500),
        ("1.1", Fraction(11, 10)),
        ("0.1", Fraction(1, 10)),
    ],
)
def test_number_literals_are_exact(text, expected):
    """Literals are exact rationals: 3.5 is 7/2, 1e-3 is 1/1000, 2.5E3 is 2500."""
    result = value(text)
    assert result == expected
    assert type(result) is not float


# -- constants and functions -------------------------------------------------------------------


def test_constants_pi_and_e():
    """pi and e are the usual constants."""
    assert value("pi") == math.pi
    assert value("e") == math.e
    assert value("log(e)") == pytest.approx(1.0)


def test_bound_name_shadows_constant_e():
    """e = 2 makes e an input (value 2) that shadows the constant: e*x at x=3 is 6."""
    result = gradcalc.evaluate("e = 2; e*x", at={"x": 3})
    assert result.value == 6
    assert result.gradient == {"e": 3, "x": 2}


def test_log_and_ln_are_both_natural_log():
    """log and ln are the same function: value ln 2 and slope 1/2 at x=2."""
    log = gradcalc.evaluate("log(x)", at={"x": 2})
    ln = gradcalc.evaluate("ln(x)", at={"x": 2})
    assert log.value == ln.value == math.log(2)
    assert log.gradient == ln.gradient == {"x": Fraction(1, 2)}


# -- programs -----------------------------------------------------------------------------------


def test_program_with_semicolons_newlines_and_comments():
    """Statements split on ';' and newlines; '#' starts a comment (even one holding code)."""
    text = "x = 3   # the input\ny = x*2; # y = 100\ny + 1  # the output\n# z = 1/0\n"
    result = gradcalc.evaluate(text)
    assert result.value == 7
    assert result.gradient == {"x": 2}
    assert result["y"] == 6


def test_every_bare_expression_is_an_output():
    """Two bare expressions are two outputs, each with its own gradient."""
    result = gradcalc.evaluate("x = 3; y = 2\nx*y; x+y")
    assert len(result.graph.outputs) == 2
    assert result.value == 6
    assert result.gradient_of(0) == {"x": 2, "y": 3}
    assert result.values[result.graph.outputs[1]] == 5
    assert result.gradient_of(1) == {"x": 1, "y": 1}


def test_name_bound_to_signed_literal_is_an_overridable_input():
    """x = -3 makes x an input: its gradient is reported, and at= overrides its value."""
    default = gradcalc.evaluate("x = -3; x^2")
    assert "x" in gradcalc.parse("x = -3; x^2").inputs
    assert default.value == 9
    assert default.gradient == {"x": -6}
    overridden = gradcalc.evaluate("x = -3; x^2", at={"x": 5})
    assert overridden.value == 25
    assert overridden.gradient == {"x": 10}


def test_unicode_minus_signed_literal_is_an_input():
    """x = −3 (U+2212) is an input of value -3 like x = -3."""
    result = gradcalc.evaluate("x = −3; x*2")
    assert result.value == -6
    assert result.gradient == {"x": 2}


def test_named_intermediate_value_and_gradient():
    """result['s'] and result.grad('s') give a named node's value and ∂output/∂s."""
    result = gradcalc.evaluate("s = x*y; s + s*s", at={"x": 2, "y": 3})
    assert result["s"] == 6
    assert result.grad("s") == 1 + 2 * 6


def test_shared_node_gradients_sum_over_paths():
    """x*x + x at 3 has gradient exactly 7: one node for x, gradients summed over its three uses."""
    result = gradcalc.evaluate("x*x + x", at={"x": 3})
    assert result.value == 12
    assert result.gradient == {"x": 7}
    assert type(result.gradient["x"]) is int


def test_shared_named_intermediate():
    """s = x*y; s + s*s: s is one node; at x=2, y=3 the value is 42 and ∂/∂x = 13·3, ∂/∂y = 13·2."""
    result = gradcalc.evaluate("s = x*y; s + s*s", at={"x": 2, "y": 3})
    assert result.value == 42
    assert result.gradient == {"x": 39, "y": 26}


def test_parsed_graph_can_be_evaluated_at_several_points():
    """A parsed graph is reusable: gradcalc.evaluate(graph, at=...) twice gives independent answers."""
    graph = gradcalc.parse("x*x + x")
    assert gradcalc.evaluate(graph, at={"x": 3}).gradient == {"x": 7}
    assert gradcalc.evaluate(graph, at={"x": 10}).gradient == {"x": 21}
    assert gradcalc.evaluate(graph, at={"x": 3.0}, exact=False).value == 12.0


def test_last_assignment_is_the_output_without_a_bare_expression():
    """A program with only assignments outputs its last one: b = a*3 with a = 2 is 6."""
    result = gradcalc.evaluate("a = 2\nb = a*3")
    assert result.value == 6
    assert result.gradient == {"a": 3}
    assert result.graph.names[result.graph.outputs[0]] == "b"


# -- exactness ----------------------------------------------------------------------------------


def test_decimal_arithmetic_is_exact():
    """100*2*1.1 is exactly 220 (an int), not 220.00000000000003."""
    result = value("100*2*1.1")
    assert result == 220
    assert type(result) is int


def test_division_stays_rational():
    """1/3 stays Fraction(1, 3)."""
    result = value("1/3")
    assert result == Fraction(1, 3)
    assert type(result) is Fraction


def test_float_mode_uses_doubles():
    """exact=False computes in IEEE doubles: 100*2*1.1 is 220.00000000000003."""
    assert gradcalc.evaluate("100*2*1.1", exact=False).value == 100 * 2 * 1.1 != 220


# -- deep inputs through the command line ------------------------------------------------------

DEPTH = 100_000


def test_hundred_thousand_deep_nesting():
    """((((x+1)+1)...)+1) nested 100,000 deep parses and evaluates: value x+100000, slope 1."""
    text = "(" * DEPTH + "x" + "+1)" * DEPTH
    run = CliRunner().invoke(main, ["eval", text, "--at", "x=1", "--format", "json"])
    assert run.exit_code == 0, run.output[-2000:]
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(records) == 1
    assert records[0]["value"] == DEPTH + 1
    assert records[0]["gradient"] == {"x": 1}
    assert len(records[0]["nodes"]) == 2 * DEPTH + 1


def test_hundred_thousand_term_chain_from_standard_input():
    """x+x+...+x with 100,000 terms, piped to the installed command: value 200000, slope 100000."""
    text = "+".join(["x"] * DEPTH) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "gradcalc", "eval", "--at", "x=2", "--format", "json"],
        input=text, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads(done.stdout)
    assert record["value"] == 2 * DEPTH
    assert record["gradient"] == {"x": DEPTH}


def test_a_stream_of_problems_keeps_nothing_of_the_answered_ones():
    """Reading 2,000 one-line problems keeps the program's tape at its named inputs, and each
    problem's graph is freed once its answer is dropped: a stream runs in bounded memory."""
    program = gradcalc.Program()
    sizes, graphs = set(), []
    for number in range(1, 2001):
        for graph in program.read_line(f"x*y + {number} * sin(x)", number):
            gradcalc.evaluate(graph, at={"x": 1, "y": 2})
            graphs.append(weakref.ref(graph))
        sizes.add(len(program.tape))
    del graph  # the loop's own reference to the last one
    assert sizes == {2}  # x and y
    assert all(ref() is None for ref in graphs)


# -- blow-up guards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "10^10^10",
        "2^(2^40)",
        "a = 10^300; b = a*a*a*a",
        "2^1024",
        "exp(exp(10))",
    ],
)
def test_blow_up_guards_answer_quickly_with_a_math_error(text):
    """Numbers too big for a double are an overflow error (exit 1) instead of filling memory.
    The time limit only catches a hang (exact 10^10^10 would run for ever): speed is the
    benchmark's business."""
    started = time.monotonic()
    run = CliRunner().invoke(main, ["eval", text, "--format", "plain"])
    elapsed = time.monotonic() - started
    assert run.exit_code == 1, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert "overflow" in run.stderr
    assert elapsed < 60


def test_blow_up_guard_through_the_api_raises_math_error():
    """gradcalc.evaluate raises MathError (not OverflowError or MemoryError) for 10^10^10."""
    with pytest.raises(gradcalc.MathError):
        gradcalc.evaluate("10^10^10")


@pytest.mark.parametrize(
    "text, at",
    [
        ("x^1023", {"x": 2}),  # the value 2^1023 fits a double; d/dx = 1023·2^1022 does not
        ("x/y", {"x": 1, "y": Fraction(1, 10**200)}),  # value 1e200; ∂/∂y = -1e400
    ],
)
def test_exact_gradients_obey_the_exact_limit(text, at):
    """"Exact numbers are kept below 2^1023; past that a value becomes a double, and a double out
    of range is an overflow error": a gradient past the limit is a MathError or an inf float,
    never a huge int nor a bare OverflowError."""
    try:
        result = gradcalc.evaluate(text, at=at)
    except gradcalc.MathError:
        return
    for grad in result.gradient.values():
        if type(grad) is float:
            continue
        assert abs(Fraction(grad)) < 2**1023, f"exact gradient past the limit: about 2^{int(grad).bit_length()}"


# -- statements are read one by one -------------------------------------------------------------


def test_a_broken_statement_does_not_drop_the_rest_of_its_line():
    """`check 1 = 1; check 1+ = 2; check 2 = 2`: the middle one is a syntax error (and a check not
    graded) and both others are judged."""
    items = list(gradcalc.run(["check 1 = 1; check 1+ = 2; check 2 = 2"]))
    assert [type(item).__name__ for item in items] == ["Verdict", "Unparsable", "Verdict", "Verdict"]
    assert isinstance(items[1], gradcalc.InputError) and items[2].status == "not graded"
    assert items[0].passed and items[3].passed


def test_the_caret_of_a_statement_that_ends_early_is_at_the_statement_s_end():
    """`x = 1+; y = 2` ends early after `1+`: the caret is there, not at the end of the line."""
    (error, _) = gradcalc.run(["x = 1+; y = 2"])
    assert "ended early" in error.message and error.column == len("x = 1+") + 1


def test_a_math_error_names_the_failing_statement_s_line():
    """b = 1/a fails on line 2, not on line 4 where the output is."""
    (error,) = gradcalc.run(["a = 0", "b = 1/a", "c = b + 1", "c * 2"])
    assert isinstance(error, gradcalc.MathError) and error.line == 2


def test_a_byte_order_mark_at_the_start_of_a_file_is_skipped(tmp_path):
    """Notepad starts a UTF-8 file with a byte-order mark."""
    program = tmp_path / "bill.gc"
    program.write_bytes("\ufeffapple = 100\napple * 2\n".encode("utf-8"))
    run = CliRunner().invoke(main, ["eval", "-f", str(program), "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["gradient"] == {"apple": 2}
