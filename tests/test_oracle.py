"""SymPy as an oracle: random expression trees differentiated by gradcalc and by SymPy agree.

Hypothesis builds each random tree twice at once, as gradcalc text and as a SymPy expression
(the SymPy side is constructed from the same tree, never by parsing gradcalc's text), so a
parser or precedence mistake shows up as a mismatch too. Every subexpression is parenthesised
in the text, divisions are by something ≥ 1 (1 + u², 2 + sin u), logs and square roots are of
1 + u², and trees are shallow with points in [-2, 2], so no example hits a pole or overflows
except rarely (those few are rejected).
"""

import math
import re
import signal
from fractions import Fraction

import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

sp = pytest.importorskip("sympy")

import gradcalc  # noqa: E402

X, Y, Z = SYMBOLS = sp.symbols("x y z")
NAMES = ("x", "y", "z")

MAX_LEAVES = 20
SETTINGS = settings(max_examples=200, deadline=None)


# -- random trees: (gradcalc text, SymPy expression, whether only rational ops are used) ----------

def _variable(symbol):
    return st.just((str(symbol), symbol, True))


def _integer(n):
    return (str(n), sp.Integer(n), True)


RATIONAL_LEAVES = st.one_of(
    *[_variable(s) for s in SYMBOLS],
    st.integers(min_value=1, max_value=3).map(_integer),
    st.just(("0.5", sp.Rational(1, 2), True)),
)
LEAVES = st.one_of(RATIONAL_LEAVES, st.sampled_from([("pi", sp.pi, False), ("e", sp.E, False)]))


def _binary(a, b, kind):
    """A binary node; `kind` is how it is spelled, including the Unicode operators and
    juxtaposition `(a)(b)` (implicit multiplication)."""
    (ta, ea, ra), (tb, eb, rb) = a, b
    rational = ra and rb
    if kind == "+":
        return f"({ta}) + ({tb})", ea + eb, rational
    if kind in ("-", "−"):
        return f"({ta}) {kind} ({tb})", ea - eb, rational
    if kind in ("*", "×", "·"):
        return f"({ta}) {kind} ({tb})", ea * eb, rational
    if kind == "()()":
        return f"({ta})({tb})", ea * eb, rational
    if kind in ("/", "÷"):  # by 1 + b², never near zero
        return f"({ta}) {kind} (1 + ({tb})^2)", ea / (1 + eb**2), rational
    if kind == "/sin":  # by 2 + sin b, in [1, 3]
        return f"({ta}) / (2 + sin({tb}))", ea / (2 + sp.sin(eb)), False
    raise AssertionError(kind)


def _unary(a, kind):
    ta, ea, ra = a
    if kind == "neg":
        return f"-({ta})", -ea, ra
    if kind == "sin":
        return f"sin({ta})", sp.sin(ea), False
    if kind == "cos":
        return f"cos({ta})", sp.cos(ea), False
    if kind == "exp":
        return f"exp({ta})", sp.exp(ea), False
    if kind == "log":
        return f"log(1 + ({ta})^2)", sp.log(1 + ea**2), False
    if kind == "ln":
        return f"ln(1 + ({ta})^2)", sp.log(1 + ea**2), False
    if kind == "sqrt":
        return f"sqrt(1 + ({ta})^2)", sp.sqrt(1 + ea**2), False
    if kind == "tanh":
        return f"tanh({ta})", sp.tanh(ea), False
    if kind == "sigmoid":
        return f"sigmoid({ta})", 1 / (1 + sp.exp(-ea)), False
    raise AssertionError(kind)


def _power(a, n, spelling):
    ta, ea, ra = a
    return f"({ta}){spelling}{n}", ea**n, ra


def _reciprocal_power(a, n):
    """(1 + a²)^-n: a negative integer exponent on a base ≥ 1."""
    ta, ea, ra = a
    return f"(1 + ({ta})^2)^-{n}", (1 + ea**2) ** -n, ra


def _scaled(a, k):
    """Implicit multiplication: 3(a) means 3·a."""
    ta, ea, ra = a
    return f"{k}({ta})", k * ea, ra


UNARY_KINDS = ["neg", "sin", "cos", "exp", "log", "ln", "sqrt", "tanh", "sigmoid"]
BINARY_KINDS = ["+", "-", "−", "*", "×", "·", "()()", "/", "÷", "/sin"]


def _extend(children):
    return st.one_of(
        st.builds(_binary, children, children, st.sampled_from(BINARY_KINDS)),
        st.builds(_unary, children, st.sampled_from(UNARY_KINDS)),
        st.builds(_power, children, st.integers(min_value=0, max_value=3), st.sampled_from(["^", "**"])),
        st.builds(_reciprocal_power, children, st.integers(min_value=1, max_value=2)),
        st.builds(_scaled, children, st.integers(min_value=2, max_value=5)),
    )


def trees(leaves=LEAVES, rational_only=False):
    """Random expression trees; with rational_only, just + - * / ^ and unary minus over
    variables and rational literals."""
    if rational_only:
        leaves = RATIONAL_LEAVES
        def extend(children):
            return st.one_of(
                st.builds(_binary, children, children, st.sampled_from(["+", "-", "*", "()()", "/"])),
                st.builds(_unary, children, st.just("neg")),
                st.builds(_power, children, st.integers(min_value=0, max_value=3), st.just("^")),
                st.builds(_reciprocal_power, children, st.integers(min_value=1, max_value=2)),
            )
        return st.recursive(leaves, extend, max_leaves=MAX_LEAVES)
    return st.recursive(leaves, _extend, max_leaves=MAX_LEAVES)


coordinates = st.fractions(min_value=-2, max_value=2, max_denominator=12)
points = st.fixed_dictionaries({name: coordinates for name in NAMES})


# -- comparing gradcalc with SymPy ----------------------------------------------------------------

def _exact(value):
    """A SymPy Rational as a Fraction (which compares equal to the int when integral)."""
    assert value.is_Rational, value
    return Fraction(int(value.p), int(value.q))


def _rational(q):
    return sp.Rational(q.numerator, q.denominator)


def _sympy_at(expr, point):
    """expr at the point (xreplace: a plain substitution, without subs's pattern matching)."""
    return expr.xreplace({sp.Symbol(name): _rational(Fraction(v)) for name, v in point.items()})


class _SlowSympy(Exception):
    pass


def _sympy(compute, seconds=5.0):
    """compute() (SymPy's work) within `seconds`, or reject the example: SymPy's assumptions can
    spend minutes on an innocent derivative (seen: d/dy tanh(1/((1 + (16y² + 1)⁻⁴)(16y² + 1)²)),
    which hung the suite)."""
    if not hasattr(signal, "setitimer"):
        return compute()

    def give_up(signum, frame):
        raise _SlowSympy

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return compute()
    except _SlowSympy:
        reject()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _names_in(text):
    """The variables x, y, z that the text mentions as names (not the x inside exp)."""
    return set(re.findall(r"\b[xyz]\b", text))


def _evaluate(text, point, exact):
    """gradcalc's answer, or reject the example if it overflows (a rare deep exp) or passes
    through a value beyond 10⁶ (sin or cos of exp(exp(3)) ≈ 5·10⁸ is off by 10⁻⁷ in any float
    arithmetic: an ulp there is 6·10⁻⁸)."""
    at = point if exact else {name: float(v) for name, v in point.items()}
    try:
        result = gradcalc.evaluate(text, at=at, exact=exact)
    except gradcalc.MathError as error:
        assume("overflow" not in str(error))
        raise
    assume(all(abs(value) < 1e6 for value in result.values))
    return result


def _close(actual, expected):
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def assert_matches_sympy(text, expr, rational, point, mentioned=None):
    """Value and gradient of `text` at `point`, in float and exact mode, equal SymPy's value and
    partial derivatives of `expr` there; exactly (ints/Fractions) when only rational ops occur.
    `mentioned` is the set of inputs the output depends on (default: every x, y, z in text)."""
    mentioned = _names_in(text) if mentioned is None else mentioned

    def expected():
        value = _sympy_at(expr, point)
        grad = {name: _sympy_at(sp.diff(expr, sp.Symbol(name)), point) for name in NAMES}
        return value, float(sp.N(value, 30)), grad, {name: float(sp.N(g, 30)) for name, g in grad.items()}

    expected_value, numeric_value, expected_grad, numeric_grad = _sympy(expected)
    assume(all(math.isfinite(g) and abs(g) < 1e12 for g in numeric_grad.values()))

    for exact in (False, True):
        result = _evaluate(text, point, exact)
        where = f"{text} at {point} ({'exact' if exact else 'float'} mode)"
        # gradcalc reports every input the text names, even one SymPy simplified away (x - x)
        assert set(result.gradient) == mentioned, where
        assert _close(float(result.value), numeric_value), (
            f"{where}: value {result.value!r}, SymPy {expected_value}"
        )
        for name in NAMES:
            got = result.gradient.get(name, 0)
            if name not in mentioned:
                assert expected_grad[name] == 0, where
                continue
            assert _close(float(got), numeric_grad[name]), (
                f"{where}: d/d{name} is {got!r}, SymPy says {numeric_grad[name]!r}"
            )
            if exact and rational:
                assert type(got) in (int, Fraction), f"{where}: d/d{name} = {got!r} is not exact"
                assert got == _exact(expected_grad[name]), f"{where}: d/d{name} = {got!r}, SymPy {expected_grad[name]}"
        if exact and rational:
            assert type(result.value) in (int, Fraction) and result.value == _exact(expected_value), where


@SETTINGS
@given(tree=trees(), point=points)
def test_random_trees_match_sympy(tree, point):
    """Gradients of random trees over x, y, z, pi, e (+ - * / ^ ** and their Unicode spellings,
    implicit multiplication, sin, cos, exp, log, ln, sqrt, tanh, sigmoid) match SymPy's
    symbolic derivatives, in both modes."""
    text, expr, rational = tree
    assert_matches_sympy(text, expr, rational, point)


@settings(max_examples=150, deadline=None)
@given(tree=trees(rational_only=True), point=points)
def test_rational_trees_give_exactly_sympys_gradient(tree, point):
    """Trees of + - * / ^ (integer exponents) at rational points: exact mode's gradient is
    exactly SymPy's rational derivative, as ints and Fractions."""
    text, expr, rational = tree
    assert rational
    assert_matches_sympy(text, expr, rational, point)


S = sp.Symbol("s")
SHARED_LEAVES = st.one_of(LEAVES, st.just(("s", S, True)), st.just(("s", S, True)))


@SETTINGS
@given(inner=trees(), outer=trees(SHARED_LEAVES), point=points)
def test_programs_with_a_shared_named_node_match_sympy(inner, outer, point):
    """`s = <tree>` then an output using s any number of times: the reverse walk adds up the
    gradient over every use of s, as SymPy's derivative after substituting s does."""
    (ti, ei, ri), (to, eo, ro) = inner, outer
    # "+ x" keeps s an operation (s = 2 would make s an input with a default value)
    program = f"s = ({ti}) + x\n{to}"
    # the output's gradient is over the inputs it depends on: s's only if it uses s
    mentioned = _names_in(to) | (_names_in(ti) | {"x"} if re.search(r"\bs\b", to) else set())
    assert_matches_sympy(program, _sympy(lambda: eo.xreplace({S: ei + X})), ri and ro, point, mentioned)


def test_shared_product_node_matches_sympy():
    """s = x*y; s*s + s: d/dx = (2s + 1)·y and d/dy = (2s + 1)·x, both summed over three uses of s."""
    expr = (X * Y) ** 2 + X * Y
    for at in ({"x": 2, "y": 3}, {"x": Fraction(-1, 3), "y": Fraction(7, 4)}):
        result = gradcalc.evaluate("s = x*y; s*s + s", at=at)
        subs = {X: _rational(Fraction(at["x"])), Y: _rational(Fraction(at["y"]))}
        assert result.value == _exact(expr.subs(subs))
        assert result.gradient == {name: _exact(sp.diff(expr, sp.Symbol(name)).subs(subs)) for name in ("x", "y")}
        assert result.grad("s") == 2 * at["x"] * at["y"] + 1  # the named node's own gradient
    assert gradcalc.evaluate("s = x*y; s*s + s", at={"x": 2, "y": 3}).gradient == {"x": 39, "y": 26}


def test_x_times_x_plus_x_at_three_is_exactly_seven():
    """x*x + x: x is used three times and the uses add up to exactly 2·3 + 1 = 7 (an int)."""
    result = gradcalc.evaluate("x*x + x", at={"x": 3})
    assert result.gradient == {"x": 7}
    assert type(result.gradient["x"]) is int
    assert sp.diff(X * X + X, X).subs(X, 3) == 7


@SETTINGS
@given(tree=trees(), point=points)
def test_the_numbers_only_walk_gives_what_the_general_walk_gives(tree, point):
    """The fast reverse loop (flat steps; partials declared as terms, like add's (1, 1) and
    multiply's (y, x), read in place instead of computed) gives exactly the gradients of the
    general per-node walk, which `wrt=` takes, in both modes."""
    text, _, _ = tree
    names = sorted(_names_in(text))
    for exact in (False, True):
        fast = _evaluate(text, point, exact)
        general = gradcalc.evaluate(text, at=point if exact else {n: float(v) for n, v in point.items()},
                                    exact=exact, wrt=names)
        assume(all(not (isinstance(g, float) and math.isnan(g)) for g in fast.gradient.values()))
        assert general.gradient == fast.gradient, f"{text} at {point}"
        assert [type(g) for g in general.gradient.values()] == [type(g) for g in fast.gradient.values()]
