"""Every formula `gradcalc explain --format md` writes renders: through KaTeX (renderToString with
throwOnError) and MathJax (TeX input with only the base and AMS packages, errors thrown), run in
node from packages installed into the checkout's .node/ (ignored by git; CI installs them):

    npm install --prefix .node katex mathjax-full
    pytest tests/test_latex.py

(GRADCALC_NODE_PREFIX names another folder.) Without node or the packages those tests are
skipped, saying why; the tests of how a node is named in LaTeX run everywhere."""

import re

import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from helpers import render_errors, renderer_missing, sample_arguments

ARRAYS = "W = [[1, 2], [3, 4]]; v = [1, -1]; c = [0.5, 0.5]; "
HARD = [  # (program, --at): names, literals and operators each format has got wrong
    ("sqrt(x^2 + y^2)", "x=3,y=4"),
    ("r = sqrt(x^2 + y^2); 2*r + sqrt(x^2 + y^2)*3", "x=3,y=4"),
    ("z = w*x + b; sigmoid(z)^2 + sigmoid(w*x)", "w=0.5,x=2,b=-1.5"),
    ("(x^2)^3 + x^y^2 - -x^2 + (-2)^y", "x=3,y=2"),
    ("x/(y/3) + (x/y)^2 + x - -2 + 1/(1 + exp(-x))", "x=3,y=2"),
    ("exp(-x^2/2) + log(1 + exp(x)) + log2(x) + log10(y)", "x=3,y=2"),
    ("abs(x - y) + max(x, y)*min(x, y) + clamp(x, 0, 1) + relu(x) + softplus(y)", "x=3,y=2"),
    ("tanh(atan(asin(x/4))) + acos(y/4)*sinh(x)/cosh(y) + tan(x)", "x=3,y=2"),
    ("1e-3*x + 1.5e20*y + pi*x + 1/3*y", "x=3,y=2"),
    ("apple_count*x1 + y₂*W2 + total_cost_in_yen^2", "apple_count=2,x1=3,y₂=4,W2=5,total_cost_in_yen=6"),
    ("りんご * 2 + りんご_数^2", "りんご=3,りんご_数=2"),
    ("((((x + 1)*2 + 1)*2 + 1)*2 + 1)*2*y + sin(cos(tan(sin(cos(x)))))", "x=0.5,y=2"),
    (ARRAYS + "sum(W.T @ v) + sum(W.T.T @ v)*x + (W @ v)[0]^2 + W[1, 0]*x", "x=2"),
    (ARRAYS + "cross_entropy(softmax(W @ v * x), [0, 1]) + log_softmax(v*x)[1] + mean(v^2*x)", "x=2"),
    (ARRAYS + "sum(affine(v*x, W, c)) + sum(transpose(W) @ [1, 2])*x", "x=2"),
    ("x/3", "x=1"),
    ("x*y; x + y", "x=1e-300,y=1e300"),
    ("x1 = 2; x1 += 3; x1 = x1*x1; x1 + x", "x=1"),
]


def explain_md(*arguments):
    run = CliRunner().invoke(main, ["explain", *map(str, arguments), "--format", "md"])
    assert run.exit_code == 0, run.output
    return run.stdout


def formulas(markdown):
    """The LaTeX of every $$…$$ and $…$ in the Markdown."""
    display = re.findall(r"\$\$ (.+?) \$\$", markdown)
    inline = re.findall(r"(?<!\$)\$([^$]+)\$(?!\$)", re.sub(r"\$\$ .+? \$\$", "", markdown))
    return display + inline


def every_formula():
    """The formulas of explain --format md for every sample and every hard expression."""
    found = []
    for arguments in sample_arguments():
        found += formulas(explain_md(*arguments))
    for program, at in HARD:
        found += formulas(explain_md(program, "--at", at))
    return found


@pytest.fixture(scope="module")
def all_formulas():
    found = every_formula()
    assert len(found) > 300
    return found


@pytest.mark.skipif(bool(renderer_missing("katex")), reason=f"KaTeX: {renderer_missing('katex')}")
def test_every_formula_renders_in_katex(all_formulas):
    errors = render_errors("katex", all_formulas)
    failed = [(tex, error) for tex, error in zip(all_formulas, errors) if error]
    assert not failed, f"{len(failed)} of {len(all_formulas)} formulas fail, e.g. {failed[:3]}"


@pytest.mark.skipif(bool(renderer_missing("mathjax")), reason=f"MathJax: {renderer_missing('mathjax')}")
def test_every_formula_renders_in_mathjax(all_formulas):
    errors = render_errors("mathjax", all_formulas)
    failed = [(tex, error) for tex, error in zip(all_formulas, errors) if error]
    assert not failed, f"{len(failed)} of {len(all_formulas)} formulas fail, e.g. {failed[:3]}"


@pytest.mark.skipif(bool(renderer_missing("katex")), reason=f"KaTeX: {renderer_missing('katex')}")
def test_the_renderer_test_catches_what_katex_rejects():
    """The check itself: KaTeX rejects the old \\text{(x^2)}, and a double superscript."""
    assert render_errors("katex", [r"\text{(x^2)}", "x^{2}^{3}", r"\sqrt{x^{2} + y^{2}}"])[2] is None
    assert all(render_errors("katex", [r"\text{(x^2)}", "x^{2}^{3}"]))


# -- how formulas name nodes (no renderer needed) ---------------------------------------------


def test_no_text_around_superscripts_or_subscripts(all_formulas):
    """Nothing inside \\text{…} is a ^ or an unescaped _: a node's label is math."""
    texts = [t for tex in all_formulas for t in re.findall(r"\\text\{([^}]*)\}", tex)]
    assert texts and not [t for t in texts if "^" in t or re.search(r"(?<!\\)_", t)]


def test_sub_expressions_are_math():
    """x^2 is x^{2}, sqrt(x^2 + y^2) is \\sqrt{x^{2} + y^{2}}, sigmoid(z) is \\sigma(z); the
    output is f, and ∂f/∂(x^2 + y^2) has its parentheses."""
    md = explain_md("2*sqrt(x^2 + y^2) + sigmoid(x)", "--at", "x=3,y=4")
    assert r"\partial \left(x^{2}\right)" in md
    assert r"\frac{\partial f}{\partial \left(x^{2} + y^{2}\right)}" in md
    assert r"\sqrt{x^{2} + y^{2}}" in md and r"\sigma(x)" in md
    assert r"\text{" not in md


def test_names_with_underscores_and_indices():
    """apple_count is \\mathrm{apple\\_count}; x1 and x₁ are x_{1}; W2 is W_{2}; pi is \\pi."""
    md = explain_md("apple_count*x1 + W2*pi", "--at", "apple_count=2,x1=3,W2=4")
    assert r"\partial \mathrm{apple\_count}" in md
    assert r"\partial x_{1}" in md and r"\partial W_{2}" in md and r"W_{2} \cdot \pi" in md
    assert r"\partial x_{1}" in explain_md("x₁^2", "--at", "x₁=3")


def test_a_name_bound_again_has_its_line_as_a_subscript():
    """g += 1 makes a new g, called g@2 after its line: g_{\\text{@2}}, x1@4 {x_{1}}_{\\text{@4}}."""
    md = explain_md("g = x*2\ng += 1\nx1 = g\nx1 *= x\nx1", "--at", "x=3")
    assert r"\partial g_{\text{@2}}" in md and r"\partial {x_{1}}_{\text{@4}}" in md


def test_numbers_are_numbers():
    """A literal 1e-3 is 1 \\times 10^{-3}; an exact third is \\frac{1}{3}."""
    md = explain_md("1e-3*x + x/3", "--at", "x=1")
    assert r"1 \times 10^{-3} \cdot x" in md and r"\frac{1}{3}" in md


def test_a_deep_unnamed_node_is_cut_with_balanced_braces():
    """A long unnamed expression is cut to \\ldots, and its braces and parentheses still balance."""
    md = explain_md("((((((x + 1)*2 + 1)*2 + 1)*2 + 1)*2 + 1)*2 + 1)*y", "--at", "x=1,y=2")
    assert r"\ldots" in md
    for tex in formulas(md):
        assert tex.count("{") == tex.count("}") and tex.count(r"\left(") == tex.count(r"\right)"), tex


def test_powers_of_powers_and_transposes_are_grouped():
    """(x^2)^3, x^y^2 and W.T.T never put two superscripts on one base."""
    md = explain_md("(x^2)^3 + x^y^2", "--at", "x=2,y=3") + explain_md(
        "W = [[1, 2], [3, 4]]; sum(W.T.T @ [1, 1])*x", "--at", "x=1")
    assert r"\left(x^{2}\right)^{3}" in md and "x^{y^{2}}" in md
    assert not re.search(r"\^\{[^{}]*\}\^", md) and r"{W^{\top}}^{\top}" in md
