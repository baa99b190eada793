"""Issue 12, points 4-6, across the views: gradients only where they mean something (no
gradient, a dash, for x^2's 2, an index, a target written out; an input's nan with its reason),
numbers for people (6 significant digits by default, --precision N and full, JSON in full, one
formatter), and the tree using the terminal's width (no number cut, no trailing spaces)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc import picture
from gradcalc.cli import main
from gradcalc.numbers import FULL, NO_NUMBER, format_number
from gradcalc.ops import OPS

SAMPLES = Path(__file__).parent.parent / "samples"
NEURON = str(SAMPLES / "neuron.gc")
PICTURE_FORMATS = ("graph", "dot", "mermaid")


def run(*args, command="eval", env=None):
    """`gradcalc COMMAND ARGS` in-process (not a terminal), colour and width settings cleared."""
    settings = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm", "COLUMNS": "120", **(env or {})}
    return CliRunner(env=settings).invoke(main, [command, *map(str, args)])


def nodes(record):
    """{(label, the labels of its consumers' ops): grad} of a JSON output record's nodes."""
    by_id = {n["id"]: n for n in record["nodes"]}
    consumers = {n["id"]: [] for n in record["nodes"]}
    for n in record["nodes"]:
        for i in n["inputs"]:
            consumers[i].append(n["op"])
    return [(n["label"], tuple(consumers[n["id"]]), n["grad"]) for n in by_id.values()]


def json_record(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])


# -- point 6: gradients only where they mean something -----------------------------------------


def test_the_op_table_declares_the_settings_of_an_op():
    """Which operands are not differentiated when constant is a column of the op's row."""
    assert OPS["pow"].constant_operands == (1,)
    assert OPS["item"].constant_operands == (1,) and OPS["item"].is_constant_operand(3)  # a[i, j, k]
    assert OPS["cross_entropy"].constant_operands == (1,)
    assert not OPS["mul"].constant_operands and not OPS["pow"].is_constant_operand(0)


def test_an_exponent_literal_has_no_gradient_and_a_factor_keeps_its_own():
    """x^2's 2 has none (null in JSON); 2*x's 2 has ∂f/∂2 = x, as the book's ∂/∂2 = 110."""
    record = json_record("2*x + x^2", "--at", "x=3")
    assert ("2", ("mul",), 3) in nodes(record)
    assert ("2", ("pow",), None) in nodes(record)
    assert record["gradient"] == {"x": 8}


def test_an_exponent_that_is_an_input_keeps_its_gradient():
    record = json_record("x^n", "--at", "x=2,n=3", "--float")
    assert record["gradient"]["n"] == pytest.approx(8 * 0.6931471805599453)


def test_a_constant_exponent_expression_has_none_inside_either():
    """x^(1/2): the 1/2 and its 1 and 2 are all settings of the power."""
    record = json_record("x^(1/2)", "--at", "x=4")
    assert [grad for label, _, grad in nodes(record) if label in ("1", "2", "/")] == [None, None, None]


def test_an_index_and_a_target_written_out_have_none():
    program = "a = [1, 2, 3]\nv = [0.2, 0.8]\nf = a[1]*x + cross_entropy(softmax(v), [0, 1]) + cross_entropy(softmax(v), 1)"
    record = json_record(program, "--at", "x=4")
    shown = nodes(record)
    assert ("1", ("item",), None) in shown
    assert ("[0, 1]", ("cross_entropy",), None) in shown
    assert ("1", ("cross_entropy",), None) in shown
    assert all(grad is not None for label, _, grad in shown if label in ("a", "v", "x"))


def test_a_target_given_as_an_input_keeps_its_gradient():
    record = json_record("t = [0, 1]\nf = cross_entropy(softmax(v), t)", "--at", "v=[0.2,0.8]")
    assert record["gradient"]["t"] is not None


@pytest.mark.parametrize("output_format", ("plain", "tree", "rich") + PICTURE_FORMATS)
def test_no_view_shows_a_nan_for_the_constant_of_the_neuron(output_format):
    """samples/neuron.gc squares a negative number: its exponent 2 shows a dash, never nan."""
    result = run("-f", NEURON, "--format", output_format)
    assert result.exit_code == 0, result.output
    assert "nan" not in result.stdout
    if output_format == "mermaid":  # a gradient is a dotted line of its own there: the exponent's arrow has none
        assert result.stdout.count(" -.-|") == result.stdout.count(" -->|") - 1
    else:
        assert NO_NUMBER in result.stdout
    assert result.stderr == ""


def test_the_svg_picture_shows_no_nan(tmp_path):
    target = tmp_path / "neuron.svg"
    assert run("-f", NEURON, "-o", target).exit_code == 0
    svg = target.read_text()
    assert "nan" not in re.findall(r">([^<]*)</text>", svg)
    assert re.search(rf'class="grad"[^>]*>{NO_NUMBER}</text>', svg)


def test_the_plain_tree_shows_a_dash_where_the_gradient_means_nothing():
    result = run("-f", NEURON, "--format", "plain")
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:13]}
    assert [line.split()[-2:] for line in result.stdout.splitlines() if line.strip().startswith("2 ")] == \
        [["2", NO_NUMBER], ["2", "-0.0968639"]]  # the exponent, then the divisor
    assert rows["loss"][-1] == "1"


def test_an_inputs_nan_gradient_says_why_in_the_views_and_on_stderr():
    reason = "no derivative for the exponent: log of a negative base (-2)"
    for exact in ((), ("--float",)):
        result = run("x^y", "--at", "x=-2,y=2", *exact, "--format", "plain")
        assert result.exit_code == 0, result.output
        assert f"∂f/∂y is nan: {reason}" in result.stdout
        assert result.stderr == f"warning: ∂f/∂y is nan at y = 2: {reason}\n"
    rich = run("x^y", "--at", "x=-2,y=2", "--format", "tree")
    assert f"∂f/∂y is nan: {reason}" in rich.stdout


def test_a_nan_from_an_infinite_slope_times_zero_names_where():
    result = run("sqrt(x)*0", "--at", "x=0", "--format", "plain")
    assert "∂f/∂x is nan: no derivative: sqrt(x) has no finite slope here" in result.stdout


def test_the_api_says_which_gradients_mean_something():
    evaluation = gradcalc.evaluate("f = x^2 * 3", at={"x": 2})
    graph = evaluation.graph
    meaningful = {graph.label(i): evaluation.has_gradient(i) for i in range(len(graph))}
    assert meaningful == {"x": True, "2": False, "^": True, "3": True, "f": True}


# -- point 4: numbers for people ------------------------------------------------------------------


def test_one_formatter_shows_floats_to_six_digits_and_exact_values_exactly():
    assert format_number(0.6224593312018546) == "0.622459"
    assert format_number(0.6224593312018546, FULL) == "0.6224593312018546"
    assert format_number(0.6224593312018546, 3) == "0.622"
    assert format_number(gradcalc.constant("1/3")) == "1/3 ≈ 0.333333"
    assert format_number(gradcalc.constant("3996/5")) == "799.2"
    assert format_number(None) == NO_NUMBER
    assert picture.number_text(0.6224593312018546) == format_number(0.6224593312018546)


@pytest.mark.parametrize("output_format", ("plain", "tree", "graph", "dot", "mermaid"))
def test_every_view_shows_six_digits_unless_asked(output_format):
    default = run("-f", NEURON, "--format", output_format)
    assert "-0.622459" in default.stdout and "0.6224593312018545" not in default.stdout
    full = run("-f", NEURON, "--format", output_format, "--precision", "full")
    assert "0.6224593312018545" in full.stdout
    three = run("-f", NEURON, "--format", output_format, "--precision", "3")
    assert "-0.622" in three.stdout and "-0.6224" not in three.stdout


def test_json_keeps_every_digit_whatever_the_precision():
    record = json_record("-f", NEURON, "--precision", "2")
    assert record["gradient"]["target"] == 0.6224593312018545


def test_the_check_and_gradcheck_views_use_six_digits():
    result = run("y = sigmoid(x)\ncheck y = 0.5", "--at", "x=0.5", "--gradcheck", "--format", "plain")
    assert result.exit_code == 1, result.output
    assert "correct: 0.622459" in result.stdout
    assert re.search(r"\bx\s+0\.235004\s+0\.235004\s", result.stdout), result.stdout


def test_explain_shows_six_digits():
    result = run("y = sigmoid(x)", "--at", "x=0.5", "--format", "plain", command="explain")
    assert result.exit_code == 0, result.output
    assert "0.235004" in result.stdout and "0.2350037122015945" not in result.stdout


def test_precision_says_what_it_takes():
    result = run("x", "--at", "x=1", "--precision", "0")
    assert result.exit_code == 2
    assert "from 1 to 100, or full" in result.stderr


def test_the_sessions_precision():
    result = CliRunner().invoke(main, ["repl", "--format", "plain"],
                                input="y = sigmoid(0.5)\n:precision full\ny\n:precision 2\ny\n:precision x\n")
    assert "0.6224593312018546" in result.stdout and "0.62 " in result.stdout + " "
    assert "error: :precision x: give a number" in result.stderr


def test_dot_shows_a_big_array_on_an_edge_by_its_shape():
    result = run("-f", SAMPLES / "two-layer.gc", "--format", "dot")
    assert '<4×2<br/><font color="red">4×2</font>>' in result.stdout
    assert "[[" not in result.stdout


# -- point 5: the tree uses the room ----------------------------------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def tree_at(sample, columns):
    """`gradcalc eval -f SAMPLE --format tree` in a process whose terminal is COLUMNS wide."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "gradcalc", "eval", "-f", str(SAMPLES / sample), "--format", "tree"],
                          capture_output=True, text=True, env=env, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("sample", ["shopping.gc", "neuron.gc", "two-layer.gc"])
@pytest.mark.parametrize("columns", [40, 80, 160])
def test_the_tree_fits_the_width_and_never_cuts_a_number(sample, columns):
    text = tree_at(sample, columns)
    lines = text.splitlines()
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    assert not [line for line in lines if line != line.rstrip()]
    assert not re.search(r"\d…|…\d", text)  # no number cut short
    shown = set(NUMBER.findall(text))
    values = json_record("-f", SAMPLES / sample)
    for node in values["nodes"]:
        for number in (node["value"], node["grad"]):
            flat = json.dumps(number)
            for x in re.findall(r"-?[\d.]+(?:e[-+]?\d+)?", flat):
                assert format_number(float(x)) in shown, (format_number(float(x)), text)


@pytest.mark.parametrize("sample", ["shopping.gc", "neuron.gc", "two-layer.gc"])
@pytest.mark.parametrize("columns", [40, 80, 160])
def test_the_default_view_fits_the_width_with_no_trailing_spaces(sample, columns):
    """The rich view a terminal gets (a picture or a tree, and the note saying which) fits."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "gradcalc", "eval", "-f", str(SAMPLES / sample), "--float",
                           "--format", "rich"], capture_output=True, text=True, env=env, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    assert [line for line in lines if line != line.rstrip()] == []
    assert "--format" in done.stdout  # the note saying which view, and how to get the other


def test_the_table_takes_the_whole_width_before_cutting_a_name():
    """At 80 columns shopping's tree fits without an ellipsis (the bug: t = orange × orange_cou…)."""
    text = tree_at("shopping.gc", 80)
    assert "t = orange × orange_count" in text and "…" not in text


def test_tree_guides_continue_across_a_matrix_rows():
    """Each continuation line of a matrix row keeps the guides of the levels that go on."""
    lines = tree_at("two-layer.gc", 160).splitlines()
    start = next(k for k, line in enumerate(lines) if "├── y = softmax" in line)
    for line in lines[start + 1:start + 4]:
        assert line.lstrip().startswith("│   │"), line
