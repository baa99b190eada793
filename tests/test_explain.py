"""`gradcalc explain`: the path form (each input-to-output path a product of local partials,
summed) and the sweep form (the backward pass node by node), in every format."""

import json
import re
import math
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcalc
from gradcalc.cli import main
from gradcalc.explain import PATH_LIMIT, explain
from gradcalc.numbers import format_count

SAMPLES = Path(__file__).parent.parent / "samples"
SHOPPING = SAMPLES / "shopping.gc"
SEED_PATH_LINE = "∂E/∂apple = ∂E/∂u × ∂u/∂s × ∂s/∂apple = 1.08 × 1 × 5 = 5.4"


def run_explain(*args, input=None):
    """`gradcalc explain ARGS...` in-process, wide enough that rich never wraps a line."""
    return CliRunner(env={"COLUMNS": "200"}).invoke(main, ["explain", *map(str, args)], input=input)


def path_section(text):
    """The lines between 'paths from each input' and 'backward sweep'."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("paths from each input"))
    end = next(i for i, line in enumerate(lines) if line.startswith("backward sweep"))
    return [line.strip() for line in lines[start + 1:end]]


def sweep_section(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("backward sweep"))
    return [line.strip() for line in lines[start + 1:] if line.strip()]


def chain_program(levels):
    """x, then a1 = x + x, a2 = a1 + a1, …: 2^levels paths from x to the output."""
    lines = ["x = 1", "a1 = x + x"] + [f"a{i} = a{i - 1} + a{i - 1}" for i in range(2, levels + 1)]
    return "\n".join(lines) + "\n"


# -- the seed example ---------------------------------------------------------------------------


def test_seed_path_form_line_plain():
    """The textbook's line, upstream × local as the sweep runs:
    ∂E/∂apple = ∂E/∂u × ∂u/∂s × ∂s/∂apple = 1.08 × 1 × 5 = 5.4."""
    run = run_explain("-f", SHOPPING, "--format", "plain")
    assert run.exit_code == 0, run.output
    assert SEED_PATH_LINE in path_section(run.stdout)


def test_seed_path_form_for_every_input():
    """Every input of the shopping bill gets its one path; tax's path is the single arrow into E,
    written once (not the circular '∂E/∂tax = ∂E/∂tax = 740')."""
    paths = path_section(run_explain("-f", SHOPPING, "--format", "plain").stdout)
    assert paths == [
        SEED_PATH_LINE,
        "∂E/∂apple_count = ∂E/∂u × ∂u/∂s × ∂s/∂apple_count = 1.08 × 1 × 100 = 108",
        "∂E/∂orange = ∂E/∂u × ∂u/∂t × ∂t/∂orange = 1.08 × 1 × 3 = 3.24",
        "∂E/∂orange_count = ∂E/∂u × ∂u/∂t × ∂t/∂orange_count = 1.08 × 1 × 80 = 86.4",
        "∂E/∂tax = 740",  # a direct arrow: its one factor is ∂E/∂tax itself, not written twice
    ]


def test_seed_sweep_form_with_rules_in_words():
    """The sweep runs from E back: ∂E/∂u first, each step 'upstream × local = grad' with its rule
    in words and the local partial written over the node's own operands, with its value."""
    sweep = sweep_section(run_explain("-f", SHOPPING, "--format", "plain").stdout)
    assert sweep[0] == "∂E/∂u = 1.08   (E = u × tax: multiply by the other input, ∂E/∂u = tax = 1.08)"
    assert ("∂E/∂s = ∂E/∂u × ∂u/∂s = 1.08 × 1 = 1.08   (u = s + t: add passes the gradient through, ∂u/∂s = 1)"
            in sweep)
    assert ("∂E/∂apple = ∂E/∂s × ∂s/∂apple = 1.08 × 5 = 5.4   "
            "(s = apple × apple_count: multiply by the other input, ∂s/∂apple = apple_count = 5)") in sweep
    assert len(sweep) == 8  # u, t, s and the five inputs
    # a node comes after every node that consumes it: u before s and t, s before apple
    order = [line.split(" = ")[0] for line in sweep]
    assert order.index("∂E/∂u") < order.index("∂E/∂s") < order.index("∂E/∂apple")


# -- in the learner's words ---------------------------------------------------------------------


def test_rule_notes_name_the_nodes_own_operands_not_x_and_y():
    """a^b and x^y: the power rule over the user's names ('b·a^(b - 1)'), never the table's own
    x and y beside them; a function's note names its input ('cos(w × x)')."""
    sweep = sweep_section(run_explain("p = a^b; p + sin(w*x)", "--at", "a=2,b=3,w=1,x=0", "--format", "plain").stdout)
    (a_line,) = [line for line in sweep if line.startswith("∂f/∂a =")]
    assert a_line.endswith("(p = a^b: the power rule, ∂p/∂a = b·a^(b - 1) = 12)")
    (b_line,) = [line for line in sweep if line.startswith("∂f/∂b =")]
    assert b_line.endswith("(p = a^b: the power rule, ∂p/∂b = a^b·ln a = 5.54518)")
    assert "sin's derivative is cos, ∂(sin(w × x))/∂(w × x) = cos(w × x) = 1" in "\n".join(sweep)
    yx = sweep_section(run_explain("x^y", "--at", "x=2,y=3", "--format", "plain").stdout)
    assert "∂f/∂x = y·x^(y - 1) = 12" in "\n".join(yx)


def test_rule_words_and_templates_use_no_letters_of_their_own():
    """Every op's rule: its words name no variable (no lone x, y, g, A, B, W, t…; 'a' is the
    article), and each
    partial written over operands p, q, r contains no other single letter than those (and e)."""
    from gradcalc.ops import OPS, RuleOperand

    for op in OPS.values():
        assert set(re.findall(r"(?<![\w'])[A-Za-z](?![\w'])", op.rule.says)) <= {"a"}, (op.name, op.rule.says)
        names = [RuleOperand(n) for n in "pqr"[:op.arity]]
        for template in op.rule.partials:
            text = template.format(*names, out=RuleOperand("o"), g="G")
            assert set(re.findall(r"(?<![\w'])[A-Za-z](?![\w'])", text)) <= {"p", "q", "r", "o", "G", "a"}, (op.name, text)


def no_circular_sides(line):
    sides = line.split("   (")[0].split(" = ")
    return all(a != b for a, b in zip(sides, sides[1:]))


def test_no_line_repeats_a_side_in_any_sample():
    """No path line or sweep step writes the same side twice ('∂E/∂tax = ∂E/∂tax = 740')."""
    from helpers import sample_arguments

    for arguments in sample_arguments():
        text = run_explain(*arguments, "--format", "plain").stdout
        lines = [line.strip() for line in text.splitlines() if line.startswith("  ∂")]
        assert lines and all(no_circular_sides(line) for line in lines), [l for l in lines if not no_circular_sides(l)]


def test_path_form_and_sweep_share_one_order_upstream_times_local():
    """A path's factors run from the output back to the input, as the sweep multiplies
    (upstream × local): the first factor's top is the output, the last one's bottom the input."""
    text = run_explain("x = 2; a = x*x; b = sin(a); c = b*a; c", "--format", "plain").stdout
    for line in path_section(text):
        factors = line.split(" = ")[1].split(" + ")[0].split(" × ")
        assert factors[0].startswith("∂c/") and factors[-1].endswith("/∂x"), line
    sweep = sweep_section(text)
    assert "∂c/∂a = ∂c/∂b × ∂b/∂a + ∂c/∂a" in "\n".join(sweep)


def test_array_op_notes_say_what_is_sent_back():
    """An array op's note says what it sends back, over the gradient that reaches it."""
    sweep = sweep_section(run_explain("W = [[1, 2], [3, 4]]; h = W @ v; sum(h)", "--at", "v=[1, 1]",
                                      "--format", "plain").stdout)
    joined = "\n".join(sweep)
    assert "h = W @ v: the matrix product, sends back ∂f/∂h · vᵀ" in joined
    assert "h = W @ v: the matrix product, sends back Wᵀ · ∂f/∂h" in joined
    assert "sum: every element gets the gradient, sends back 1 to every element" in joined


def test_markdown_note_is_in_its_formulas_list_item():
    """In Markdown each sweep step is one list item: the formula, then on the next line, indented,
    its rule in italics; no rule stands alone as a paragraph the next formula could claim."""
    md = run_explain("-f", SHOPPING, "--format", "md").stdout
    lines = md.splitlines()
    items = [i for i, line in enumerate(lines) if line.startswith("- $$")]
    assert len(items) == 8
    for i in items:
        assert lines[i + 1].startswith("  *") and lines[i + 1].endswith("*"), lines[i + 1]
    assert not [line for line in lines if line.startswith("*") and not line.startswith("**")]
    assert r"  *s = apple × apple\_count: multiply by the other input, ∂s/∂apple = apple\_count = 5*" in lines


def test_seed_api_explanation():
    """The API: one path for apple through s, u, E with partials 5, 1, 1.08 and product 5.4."""
    evaluation = gradcalc.evaluate(SHOPPING.read_text(encoding="utf-8"))
    explanation = explain(evaluation)
    graph = evaluation.graph
    (path,) = explanation.paths["apple"]
    assert [graph.names[n] for n in path.nodes] == ["apple", "s", "u", "E"]
    assert path.partials == (5, 1, Fraction("1.08"))
    assert path.product == Fraction("5.4")
    assert explanation.path_counts == {name: 1 for name in graph.inputs}


def test_shared_node_paths_are_summed():
    """x*x + x at 3: three paths (two through x*x, one direct) adding up to 7."""
    explanation = explain(gradcalc.evaluate("x*x + x", at={"x": 3}))
    paths = explanation.paths["x"]
    assert sorted(p.product for p in paths) == [1, 3, 3]
    assert explanation.path_counts["x"] == 3
    plain = run_explain("x*x + x", "--at", "x=3", "--format", "plain").stdout
    assert "= 1 × 3 + 1 × 3 + 1 = 7" in plain


def test_output_that_is_an_input_has_gradient_1():
    """For the program `x` (output = input), the one path is empty and ∂x/∂x = 1: the line must
    not claim '∂x/∂x = 0 = … = 1'.  [bug: an empty product is rendered as '0']"""
    (line,) = path_section(run_explain("x", "--at", "x=2", "--format", "plain").stdout)
    assert line.startswith("∂x/∂x") and line.endswith("= 1")
    assert "= 0" not in line, line
    md = run_explain("x", "--at", "x=2", "--format", "md").stdout
    assert "= 0 =" not in md


# -- property: paths and sweep agree with the gradient --------------------------------------------


FUNCTIONS = ["sin", "cos", "tanh", "sigmoid", "atan"]


def expressions(leaves):
    """Random expression trees over `leaves` with + - * and a few bounded functions."""
    return st.recursive(
        st.sampled_from(leaves),
        lambda children: st.one_of(
            st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})"),
        ),
        max_leaves=6,
    )


@st.composite
def programs(draw):
    """A few named intermediates, each over x, y, a constant and earlier names (so they are
    shared), then an output over all of them."""
    leaves = ["x", "y", "0.5"]
    lines = []
    for k in range(draw(st.integers(0, 3))):
        lines.append(f"a{k} = {draw(expressions(list(leaves)))}")
        leaves.append(f"a{k}")
    lines.append(draw(expressions(leaves)))
    return "\n".join(lines)


def close(a, b, scale):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale + 1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.floats(-2, 2), st.floats(-2, 2))
def test_paths_sum_to_the_gradient_and_sweep_steps_sum_their_terms(program, x, y):
    """For every input, the sum over explain's paths of the product of their partials is the
    gradient; each path's product is the product of its partials; each sweep step's gradient is
    the sum of upstream × local over its terms; a consumer's step comes before its inputs'."""
    evaluation = gradcalc.evaluate(program, at={"x": x, "y": y}, exact=False)
    explanation = explain(evaluation, path_limit=4096)
    gradient = evaluation.gradient
    graph = evaluation.graph
    root = graph.outputs[0]
    assert set(explanation.paths) == set(gradient)
    for name, paths in explanation.paths.items():
        if paths is None:
            assert explanation.path_counts[name] > 4096
            continue
        assert len(paths) == explanation.path_counts[name]
        products = [p.product for p in paths]
        for p in paths:
            assert p.nodes[0] == graph.named[name] and p.nodes[-1] == root
            assert len(p.partials) == len(p.nodes) - 1
            assert close(p.product, math.prod(p.partials), abs(p.product))
        scale = sum(abs(v) for v in products) + abs(gradient[name])
        assert close(sum(products), gradient[name], scale), (name, products, gradient[name])
    done = {root}
    for step in explanation.sweep:
        terms = [t.upstream * t.local for t in step.terms]
        assert close(step.grad, sum(terms), sum(abs(v) for v in terms) + abs(step.grad))
        assert step.grad == evaluation.gradients[0][step.node]
        for t in step.terms:
            assert t.consumer in done, "a consumer's gradient is complete before its input's step"
            assert t.upstream == evaluation.gradients[0][t.consumer]
        done.add(step.node)


# -- too many paths ---------------------------------------------------------------------------


def test_exploding_path_count_is_reported_and_sweep_still_shown():
    """A 30-level doubling chain has 2^30 paths from x: explain says so instead of listing them,
    and still shows the whole sweep (the time limit only catches enumerating 2^30 paths)."""
    started = time.monotonic()
    run = run_explain("-f", "-", "--format", "plain", input=chain_program(30))
    elapsed = time.monotonic() - started
    assert run.exit_code == 0, run.output
    assert elapsed < 60
    paths = path_section(run.stdout)
    assert paths == ["∂a30/∂x: 1,073,741,824 paths, too many or too long to list; the backward sweep below builds it"]
    sweep = sweep_section(run.stdout)
    assert len(sweep) == 30  # a29 … a1, then x
    assert sweep[-1].startswith("∂a30/∂x = ∂a30/∂a1 × ∂a1/∂x + ∂a30/∂a1 × ∂a1/∂x")
    assert "= 1073741824" in sweep[-1]


def test_exploding_path_count_api():
    """The API gives None for the paths and the exact count, just past the limit too."""
    levels = int(math.log2(PATH_LIMIT)) + 1  # 2^levels > PATH_LIMIT
    explanation = explain(gradcalc.evaluate(chain_program(levels)))
    assert explanation.paths["x"] is None
    assert explanation.path_counts["x"] == 2 ** levels
    under = explain(gradcalc.evaluate(chain_program(levels - 1)))
    assert len(under.paths["x"]) == 2 ** (levels - 1) <= PATH_LIMIT


def test_exploding_path_count_in_json_and_markdown():
    """JSON has null paths and the count; Markdown says the paths are too many."""
    record = json.loads(run_explain("-f", "-", "--format", "json", input=chain_program(30)).stdout)
    assert record["paths"] == {"x": None}
    assert record["path_counts"] == {"x": 2 ** 30}
    assert record["sweep"][-1]["grad"] == 2 ** 30
    md = run_explain("-f", "-", "--format", "md", input=chain_program(30)).stdout
    assert "1,073,741,824 paths from x: too many" in md


def test_long_sweep_is_cut_unless_all():
    """A sweep of more than 60 steps shows 60 and says how many more; --all shows every one."""
    program = "x = 1\n" + "".join(f"b{i} = {'x' if i == 1 else f'b{i - 1}'} * 2\n" for i in range(1, 81))
    cut = sweep_section(run_explain("-f", "-", "--format", "plain", input=program).stdout)
    assert len(cut) == 61 and cut[-1] == "… 20 more steps (--all shows them all)"
    full = sweep_section(run_explain("-f", "-", "--format", "plain", "--all", input=program).stdout)
    assert len(full) == 80


# -- formats --------------------------------------------------------------------------------------


def test_json_format():
    """JSON: expr, paths (nodes, partials, product), path_counts and sweep (node, grad, terms)."""
    run = run_explain("-f", SHOPPING, "--format", "json")
    assert run.exit_code == 0
    (record,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert record["expr"] == "E = u * tax"
    assert record["paths"]["apple"] == [{"nodes": ["apple", "s", "u", "E"], "partials": [5, 1, 1.08], "product": 5.4}]
    assert record["path_counts"]["tax"] == 1
    first = record["sweep"][0]
    assert first == {"node": "u", "grad": 1.08, "terms": [
        {"consumer": "E", "upstream": 1, "local": 1.08, "sent": 1.08, "rule": "multiply by the other input"}]}
    assert {step["node"] for step in record["sweep"]} == {"u", "s", "t", "apple", "apple_count", "orange",
                                                          "orange_count", "tax"}


def test_markdown_format():
    """Markdown with LaTeX: $$ … $$ equations using \\frac{\\partial E}{\\partial …}."""
    run = run_explain("-f", SHOPPING, "--format", "md")
    assert run.exit_code == 0
    md = run.stdout
    assert "$$" in md and r"\frac{\partial E}{\partial" in md
    assert (r"$$ \frac{\partial E}{\partial \mathrm{apple}} = \frac{\partial E}{\partial u} \times "
            r"\frac{\partial u}{\partial s} \times \frac{\partial s}{\partial \mathrm{apple}} = 1.08 \times 1 \times 5 = 5.4 $$") in md
    assert md.count("$$") % 2 == 0
    assert "### `E = u * tax`" in md


def test_markdown_fraction_numbers_are_latex_fractions():
    """An exact 1/3 shows as \\frac{1}{3} in Markdown, not '1/3 ≈ 0.333333'."""
    md = run_explain("x/3", "--at", "x=1", "--format", "md").stdout
    assert r"\frac{1}{3}" in md and "≈" not in md


def test_rich_format():
    """Rich (forced here; not a terminal) has the same path line and sweep as plain."""
    run = run_explain("-f", SHOPPING, "--format", "rich")
    assert run.exit_code == 0, run.output
    assert SEED_PATH_LINE in run.stdout
    assert "∂E/∂s = ∂E/∂u × ∂u/∂s = 1.08 × 1 = 1.08" in run.stdout


def test_default_format_when_piped_is_plain():
    """With no --format and stdout not a terminal, the output is plain text (no escape codes)."""
    run = run_explain("-f", SHOPPING)
    assert SEED_PATH_LINE in run.stdout and "\x1b[" not in run.stdout


# -- --wrt ------------------------------------------------------------------------------------------


def test_wrt_restricts_the_path_form():
    """--wrt apple --wrt tax: only those two inputs' path lines."""
    run = run_explain("-f", SHOPPING, "--format", "plain", "--wrt", "apple", "--wrt", "tax")
    assert run.exit_code == 0
    assert path_section(run.stdout) == [SEED_PATH_LINE, "∂E/∂tax = 740"]


def test_wrt_restricts_json_paths():
    """In JSON, --wrt leaves only that name in paths and path_counts."""
    record = json.loads(run_explain("-f", SHOPPING, "--format", "json", "--wrt", "orange").stdout)
    assert list(record["paths"]) == ["orange"] and list(record["path_counts"]) == ["orange"]


def test_wrt_an_intermediate_node():
    """--wrt u explains ∂E/∂u: the one arrow from u into E."""
    run = run_explain("-f", SHOPPING, "--format", "plain", "--wrt", "u")
    assert run.exit_code == 0
    assert path_section(run.stdout) == ["∂E/∂u = 1.08"]


def test_wrt_a_name_the_output_does_not_depend_on_is_zero():
    """--wrt of a name the output does not depend on answers ∂E/∂banana = 0 and says why."""
    run = run_explain("-f", SHOPPING, "--format", "plain", "--wrt", "banana")
    assert run.exit_code == 0
    assert "∂E/∂banana = 0   (E does not depend on banana)" in run.stdout
    assert "Traceback" not in run.output


def test_explain_errors_are_bad_input():
    """A syntax error exits 2; a missing input value exits 2; a math error exits 1."""
    assert run_explain("x +").exit_code == 2
    assert run_explain("x * y", "--at", "x=1").exit_code == 2
    assert run_explain("log(x)", "--at", "x=0").exit_code == 1


def test_explain_several_outputs():
    """A program with two outputs is explained twice, one block each."""
    run = run_explain("x*y; x + y", "--at", "x=2,y=5", "--format", "plain")
    assert run.exit_code == 0
    assert run.stdout.count("paths from each input to the output") == 2
    assert "∂f/∂x = 5" in run.stdout and "∂f/∂x = 1" in run.stdout


def test_markdown_long_sweep_is_cut_and_names_are_latex():
    """Markdown cuts a long sweep with '… N more steps.'; a non-ASCII name is set as \\text{…}."""
    program = "x = 1\n" + "".join(f"b{i} = {'x' if i == 1 else f'b{i - 1}'} * 2\n" for i in range(1, 81))
    md = run_explain("-f", "-", "--format", "md", input=program).stdout
    assert "… 20 more steps." in md
    assert md.count("$$") // 2 == 60  # 60 sweep steps (the one 81-node path is too long to list)
    assert "1 paths from x: too many or too long to list" in md or "1 path from x" in md
    md = run_explain("りんご * 2", "--at", "りんご=3", "--format", "md").stdout
    assert r"\frac{\partial f}{\partial \text{りんご}}" in md


def test_rich_several_outputs_and_precision():
    """Rich shows each output's explanation; --precision rounds the numbers shown."""
    run = run_explain("x/3; x*y", "--at", "x=1,y=2", "--format", "rich", "--precision", "3")
    assert run.exit_code == 0, run.output
    assert run.stdout.count("paths from each input to the output") == 2
    assert "0.333" in run.stdout and "0.3333333" not in run.stdout


# -- path counts past any printable size ---------------------------------------------------------


def halving_chain(levels):
    """x, then a1 = x*0.5 + x*0.5, a2 = a1*0.5 + a1*0.5, …: 2^levels paths, and every value is x."""
    lines = ["x = 2", "a1 = x*0.5 + x*0.5"] + [f"a{i} = a{i - 1}*0.5 + a{i - 1}*0.5" for i in range(2, levels + 1)]
    return "\n".join(lines) + "\n"


def test_a_path_count_past_the_digits_python_prints_is_shown_approximately():
    """2^2200 paths is 663 digits. With Python's limit on printing ints lowered to 640 digits
    (it is 4,300 by default, which a chain of 15,000 doublings passes), explain still answers
    in every format: no number is ever written out digit by digit past a bound."""
    default = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        runs = {f: run_explain("-f", "-", "--format", f, input=halving_chain(2200)) for f in ("plain", "md", "json")}
    finally:
        sys.set_int_max_str_digits(default)
    for run in runs.values():
        assert run.exit_code == 0, run.output
    assert path_section(runs["plain"].stdout) == [
        "∂a2200/∂x: ≈ 1.84497e+662 paths, too many or too long to list; the backward sweep below builds it"]
    assert "- ≈ 1.84497e+662 paths from x: too many or too long to list." in runs["md"].stdout
    record = json.loads(runs["json"].stdout)
    assert record["path_counts"] == {"x": "inf"}  # past a double's range, as JSON numbers go
    assert record["sweep"][-1]["grad"] == 1


def test_path_counts_are_exact_below_10_to_the_20_and_kept_to_20_digits_past_it():
    """Counting 2^levels paths exactly takes a levels-bit number a node (gigabytes for 10^5
    levels); past 10^20 a count is kept to 20 significant digits."""
    small = explain(gradcalc.evaluate(halving_chain(60))).path_counts["x"]
    assert small == 2**60 and type(small) is int
    big = explain(gradcalc.evaluate(halving_chain(3000))).path_counts["x"]
    assert abs(big - Decimal(2) ** 3000) / Decimal(2) ** 3000 < Decimal("1e-18")
    assert format_count(big) == "≈ 1.23023e+903" and format_count(2**60) == "1,152,921,504,606,846,976"
