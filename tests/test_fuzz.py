"""Fuzzing the command line the red team's way: random programs built from the grammar, run
through `eval`, `explain` and `check` with random options, must end with a documented exit code
(0, 1 or 2), a message on stderr when it is not 0, no traceback, and JSON that parses.

The programs are text made from grammars/gradcalc.lark's pieces: numbers from 0 to 5,000 digits
and from 1e-400 to 1e999, names in several scripts (subscripts, combining marks, a full-width
letter NFKC folds into `x`), the constants, every operator and spelling, implicit
multiplication, superscripts, transposes and indexing, every function of the op table with the
right and now and then a wrong number of arguments, array literals (now and then ragged), and
programs of a few statements: inputs, named nodes, outputs and `check` lines, separated by
newlines or `;`, with comments. Some are mutated by a character or two. Each example picks one
command line: the format, --float, --gradcheck, --precision, --at for the names the program
uses, and whether the program comes as EXPR, a file or standard input.

The number of examples comes from the hypothesis profile (tests/conftest.py): "ci" by default,
`HYPOTHESIS_PROFILE=release pytest tests/test_fuzz.py` for the long run before a release.
"""

import csv
import functools
import io
import json
import math
import re
import sys
import traceback

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

import gradcalc
from gradcalc.cli import main
from gradcalc.errors import GradcalcError
from gradcalc.ops import FUNCTIONS

from helpers import TRACEBACK

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- the language -------------------------------------------------------------------------------

DIGITS = [308, 309, 310, 400, 4300, 5000]  # an integer literal's digits around the limits
COMMON_NUMBERS = st.sampled_from(["0", "1", "2", "3", "10", "0.5", ".5", "1.", "0.1", "2.5E3", "1e-3", "0.000001"])
RARE_NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1e308", "1e309", "1e-320", "1e-400", "1e999", "1e400", "4.9e-324", "1023", "1024", "7000"]),
    st.sampled_from(DIGITS).flatmap(lambda n: st.sampled_from(["9" * n, "1" + "0" * (n - 1)])),
)
NUMBERS = st.one_of(
    *[COMMON_NUMBERS] * 10,
    st.integers(min_value=0, max_value=1000).map(str),
    st.floats(min_value=0, max_value=1000).map(lambda v: repr(round(v, 3))),
    RARE_NUMBERS,
)
SCALAR_NAMES = ["x", "y", "apple", "xy", "りんご", "消費税", "x₁", "x1", "मूल्य", "விலை", "cafe\u0301", "café",
                "ｘ", "d", "sin"]
ARRAY_NAMES = ["W", "v", "b", "t"]
NAMES = SCALAR_NAMES + ARRAY_NAMES
CONSTANTS = ["pi", "e"]
BINARY = ["+", "-", "−", "*", "×", "·", "/", "÷", "^", "**", "@"]
SUPERSCRIPTS = ["²", "³", "⁻¹", "⁰", "¹⁰", "⁺²", "⁻²", "¹"]
INDICES = ["0", "1", "-1", "2", "1.5", "10"]
SPACE = st.sampled_from(["", " ", " ", "  ", "\t", "\u3000"])
FUNCTION_NAMES = sorted(FUNCTIONS)  # every function of the op table, aliases included
ARRAY_FUNCTIONS = {name for name in FUNCTION_NAMES if FUNCTIONS[name].vjp is not None}
SCALAR_FUNCTIONS = [name for name in FUNCTION_NAMES if name not in ARRAY_FUNCTIONS or FUNCTIONS[name].arity == 1]
_SIMPLE = re.compile(r"-?[\w.]+")  # a name or a number: no parentheses needed around it


def _join(parts, separator=st.just("")):
    """The texts drawn from each strategy in `parts`, with a separator drawn between each two."""
    count = len(parts)

    def joined(drawn):
        texts, gaps = drawn[:count], drawn[count:]
        return texts[0] + "".join(gap + text for gap, text in zip(gaps, texts[1:]))

    return st.tuples(*parts, *[separator] * (count - 1)).map(joined)


def _spaced(*strategies):
    return _join([s if isinstance(s, st.SearchStrategy) else st.just(s) for s in strategies], SPACE)


def _operand(expressions):
    """An operand: parenthesised unless it is a name or a number (and now and then not at all,
    so precedence gets fuzzed too)."""
    return st.tuples(expressions, st.integers(0, 9)).map(
        lambda drawn: drawn[0] if drawn[1] == 0 or _SIMPLE.fullmatch(drawn[0]) else f"({drawn[0]})")


SIGNED_NUMBERS = st.tuples(st.sampled_from(["", "", "", "-", "−"]), NUMBERS).map("".join)
ELEMENTS = st.tuples(st.sampled_from(["", "", "", "-", "−"]), st.one_of(
    *[COMMON_NUMBERS] * 4, st.integers(0, 1000).map(str), RARE_NUMBERS)).map("".join)  # fewer extremes in a row


@st.composite
def _array_literals(draw):
    """[1, 2] and [[1, 2], [3, 4]]: small, rectangular, now and then ragged or not numbers."""
    kind = draw(st.sampled_from(["vector"] * 5 + ["matrix"] * 5 + ["ragged", "odd"]))
    if kind == "odd":
        return draw(st.sampled_from(["[]", "[[]]", "[[1], 2]", "[[[1]]]", "[x, 1]", "[1,]"]))
    if kind == "vector":
        return "[" + ", ".join(draw(st.lists(ELEMENTS, min_size=1, max_size=3))) + "]"
    columns = draw(st.integers(1, 3))
    rows = []
    for _ in range(draw(st.integers(1 if kind == "matrix" else 2, 3))):
        width = columns if kind == "matrix" else draw(st.integers(1, 3))
        rows.append("[" + ", ".join(draw(st.lists(ELEMENTS, min_size=width, max_size=width))) + "]")
    return "[" + ", ".join(rows) + "]"


ARRAY_LITERALS = _array_literals()


def _calls(expressions, functions):
    """f(a) for each function, with the right number of arguments mostly, one more or one
    fewer now and then."""
    def call(name):
        arity = FUNCTIONS[name].arity
        wrong = sorted({max(arity - 1, 1), arity + 1} - {arity})
        arguments = st.one_of(*[st.lists(expressions, min_size=n, max_size=n) for n in wrong],
                              *[st.lists(expressions, min_size=arity, max_size=arity)] * 12)
        return _join([st.just(name + "("), SPACE, arguments.map(", ".join), st.just(")")])
    return st.one_of(*map(call, functions))


@functools.lru_cache(maxsize=None)  # building the strategy costs more than drawing from it
def expressions(with_arrays=True, depth=6, names=tuple(SCALAR_NAMES)):
    """Expression text of nesting depth ≤ `depth` in these scalar names (and the array names
    `with_arrays`): a leaf at each level about half the time."""
    names = list(names)
    leaves = [NUMBERS, NUMBERS, st.sampled_from(names), *[st.sampled_from(["x", "y"])] * 2, st.sampled_from(CONSTANTS)]
    if with_arrays:
        leaves += [ARRAY_LITERALS, *[st.sampled_from(ARRAY_NAMES)] * 2]
    leaf = st.one_of(*leaves)
    level = leaf
    functions = FUNCTION_NAMES if with_arrays else SCALAR_FUNCTIONS
    operators = BINARY if with_arrays else [op for op in BINARY if op != "@"]
    for _ in range(depth):
        inner, operand = level, _operand(level)
        atom = inner.map(lambda text: text if _SIMPLE.fullmatch(text) else f"({text})")
        compound = st.one_of(
            _spaced(operand, st.sampled_from(operators), operand),
            _spaced(st.sampled_from(["-", "+", "−"]), operand),
            _join([NUMBERS, st.sampled_from(names + CONSTANTS)]),  # 2x, 2pi, 2e
            _join([NUMBERS, atom.map(lambda text: text if text.startswith("(") else f"({text})")]),  # 3(x+1)
            _join([inner.map(lambda text: f"({text})"), inner.map(lambda text: f"({text})")]),  # (a)(b)
            _join([atom, st.sampled_from(SUPERSCRIPTS)]),
            atom.map(lambda text: text + "'"),
            _join([atom, st.lists(st.one_of(st.sampled_from(INDICES), inner), min_size=1, max_size=2).map(
                lambda indices: "[" + ", ".join(indices) + "]")]),
            _calls(inner, functions),
            inner.map(lambda text: f"({text})"),
        )
        level = st.one_of(leaf, compound)
    return st.deferred(lambda: level)  # a short repr: the one_of tree's own repr grows exponentially


def _pick(draw, choices):
    """One of `choices` (a list made while drawing: no new strategy to build and validate)."""
    return choices[draw(st.integers(0, len(choices) - 1))]


def _spaced_text(draw, *pieces):
    """The pieces with random spaces between them."""
    return "".join(piece + (draw(SPACE) if k < len(pieces) - 1 else "") for k, piece in enumerate(pieces))


TOLERANCE_SIGNS = st.sampled_from(["", "", "±", "+-"])
TOLERANCES = st.one_of(SIGNED_NUMBERS, st.sampled_from(["pi/100", "1/3", "2^-10", "e"]))
DERIVATIVES = st.sampled_from(["d({f})/d({u})", "d( {f} ) / d( {u} )", "∂{f}/∂{u}", "∂ {f} / ∂ {u}"])
STATEMENT_KINDS = st.sampled_from(["input", "node", "output", "output", "check", "gradient"])
SEPARATORS = st.sampled_from(["\n", "\n", "; ", ";", "\n\n", "\r\n"])
COMMENTS = st.sampled_from(["", "", "", "", "  # a comment", "# ∂E/∂x ±", " #"])


@st.composite
def programs(draw, with_arrays=True):
    """A program of one to five statements: inputs, named nodes, outputs and checks, the
    checks of values and of gradients (of a bound name, mostly), with or without a tolerance."""
    expression = expressions(with_arrays, draw(st.integers(1, 6)))
    names = NAMES if with_arrays else SCALAR_NAMES

    def value():
        kind = draw(st.integers(0, 5))
        return draw(expression if kind == 0 else ARRAY_LITERALS if with_arrays and kind == 1 else SIGNED_NUMBERS)

    def claim(subject):
        sign = draw(TOLERANCE_SIGNS)
        tolerance = value() if draw(st.integers(0, 5)) == 0 else draw(TOLERANCES)
        return "check " + (_spaced_text(draw, subject, "=", value(), sign, tolerance) if sign
                           else _spaced_text(draw, subject, "=", value()))

    statements, bound = [], []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(STATEMENT_KINDS)
        if kind in ("input", "node"):
            name = _pick(draw, names)
            bound.append(name)
            if kind == "node":
                statement = _spaced_text(draw, name, "=", draw(expression))
            else:
                literal = ARRAY_LITERALS if with_arrays and draw(st.booleans()) else SIGNED_NUMBERS
                statement = _spaced_text(draw, name, "=", draw(literal))
        elif kind == "output":
            statement = draw(expression)
            if with_arrays and draw(st.booleans()):
                statement = f"sum({statement})"  # an array output is an error: most get summed
        elif kind == "check":
            statement = claim(draw(expression))
        else:
            of = _pick(draw, bound if bound and draw(st.booleans()) else names)
            statement = claim(draw(DERIVATIVES).format(f=of, u=_pick(draw, names)))
        statements.append(statement + draw(COMMENTS))
    text = statements[0]
    for statement in statements[1:]:
        text += draw(SEPARATORS) + statement
    return text


JUNK = st.one_of(st.sampled_from(list("()[]{},;=#'@^*/+-−×·÷²⁻₁∂±.eE09 \t\n\r\x00\ufeff\u3000\u0301\u200b\\\"") + [
    "check ", "d(", "**", "+-", "sum(", "[[", "x=", "9" * 400]), st.characters(exclude_categories=("Cs",)))


@st.composite
def mutated(draw, programs):
    """A program with, once or twice, up to three characters deleted, junk inserted, or up to
    three characters replaced by junk."""
    text = draw(programs)
    for _ in range(draw(st.integers(1, 2))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 3)))
        edit = _pick(draw, ["delete", "insert", "replace"])
        junk = "" if edit == "delete" else draw(JUNK)
        text = text[:start] + junk + text[start if edit == "insert" else end:]
    return text


# -- command lines ------------------------------------------------------------------------------

SCALAR_VALUES = st.one_of(
    st.sampled_from(["0", "1", "-1", "3", "1/3", "pi/4", "-2.5", "0.001", "1000", "2^0.5", "-0", "e", "0.5"]),
    st.integers(-1000, 1000).map(str),
    st.floats(-1000, 1000).map(lambda v: repr(round(v, 3))),
    st.one_of(  # now and then an extreme value, or text that is not a value and must be refused
        st.sampled_from(["1e308", "1e-320", "709", "1e-4", "²", "x", "1/0", "(", ""]),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(DIGITS).map(lambda n: "9" * n),
    ),
)
PRECISIONS = st.sampled_from([None] * 20 + list(range(1, 21)) + [0, 50])
VIA = st.sampled_from(["arg", "arg", "file", "stdin"])


def names_in(program):
    """The names of the pool that the program's text mentions (a superset of its inputs)."""
    return [name for name in NAMES if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", program)]


def _one_in(draw, chance):
    return draw(st.integers(0, chance - 1)) == 0


def _flag(draw, name, chance):
    """[name] with a chance of 1 in `chance`, else []."""
    return [name] if _one_in(draw, chance) else []


def _bindings(draw, program):
    """--at options: for every name the program uses mostly, for some of them now and then, and
    now and then for a name it does not use; array values for the array names, scalars for the
    rest (now and then the other way round)."""
    names = names_in(program)
    if _one_in(draw, 4):
        names = list(dict.fromkeys(_pick(draw, names or ["x"]) for _ in range(draw(st.integers(0, 3)))))
    if _one_in(draw, 10):
        names.append(_pick(draw, NAMES))
    pairs = []
    for name in names:
        array_like = (name in ARRAY_NAMES) != _one_in(draw, 10)
        pairs.append(f"{name}={draw(ARRAY_LITERALS if array_like else SCALAR_VALUES)}")
    if pairs and draw(st.booleans()):
        return ["--at", ",".join(pairs)]
    return [word for pair in pairs for word in ("--at", pair)]


def _common_options(draw, program, formats):
    precision = draw(PRECISIONS)
    return (["--format", _pick(draw, formats)] + _flag(draw, "--float", 2) +
            ([] if precision is None else ["--precision", str(precision)]) + _bindings(draw, program))


def eval_options(draw, program):
    return (_common_options(draw, program, ["plain", "json", "dot", "mermaid", "rich"]) +
            _flag(draw, "--gradcheck", 3) + _flag(draw, "--all", 8))


def explain_options(draw, program):
    wrt = [_pick(draw, names_in(program) or NAMES) for _ in range(draw(st.integers(0, 2)))]
    return (_common_options(draw, program, ["plain", "json", "md", "rich"]) + _flag(draw, "--all", 8) +
            [word for name in wrt for word in ("--wrt", name)])


def check_options(draw, program):
    tolerance = _pick(draw, [None, None, "0", "0.5", "1e-9", "1e308", "inf"])
    return (_common_options(draw, program, ["plain", "json", "csv", "rich"]) + _flag(draw, "--no-reveal", 4) +
            ([] if tolerance is None else ["--tol", tolerance]))


@st.composite
def cases(draw, options, program_texts):
    """(program, options for the command, how the program is given: "arg", "file" or "stdin")."""
    program = draw(program_texts)
    return program, options(draw, program), draw(VIA)


# -- running and judging ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def program_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "program.gc"


def invoke(command, program, options, via, program_file):
    """`gradcalc COMMAND OPTIONS...` in-process with the program as EXPR, a file or stdin
    (`check` takes files only: "arg" gives it the file twice)."""
    program_file.write_text(program, encoding="utf-8")
    if command == "check":
        sources = {"arg": [program_file, program_file], "file": [program_file], "stdin": ["-"]}[via]
    else:
        sources = {"arg": ["--", program], "file": ["-f", program_file], "stdin": ["-"]}[via]
    argv = [command, *options, *map(str, sources)]
    return CliRunner().invoke(main, argv, input=program if via == "stdin" else None)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON (non-finite numbers are the strings 'inf', '-inf', 'nan')")


def _reports_a_failed_check(output):
    """Whether the output shows a failed check or gradient check (exit 1 with nothing on stderr)."""
    if "✗" in output or '"passed": false' in output:
        return True
    rows = list(csv.reader(io.StringIO(output)))  # the gradebook: file,status,passed,total,…
    return bool(rows) and rows[0][:4] == ["file", "status", "passed", "total"] and any(
        row[2] != row[3] for row in rows[1:])


def assert_documented_outcome(run, output_format):
    """No exception escaped, no traceback shown, exit code 0, 1 or 2, a message on stderr for an
    error (exit 1 without one only for a failed check), and JSON lines that parse."""
    if run.exception is not None and not isinstance(run.exception, SystemExit):
        raise AssertionError("an exception escaped:\n" + "".join(traceback.format_exception(*run.exc_info)))
    assert TRACEBACK not in run.output, run.output
    assert run.exit_code in (0, 1, 2), (run.exit_code, run.output)
    if run.exit_code == 2 or (run.exit_code == 1 and not _reports_a_failed_check(run.stdout)):
        assert run.stderr.strip(), f"exit {run.exit_code} with nothing on stderr"
    if output_format == "json":
        for line in run.stdout.splitlines():
            if line.strip():
                json.loads(line, parse_constant=_reject_constant)


def _format_of(options):
    return options[options.index("--format") + 1]


def _run_and_judge(command, case, program_file):
    program, options, via = case
    note(f"gradcalc {command} {' '.join(map(repr, options))} with the program {program!r} given as {via}")
    run = invoke(command, program, options, via, program_file)
    assert_documented_outcome(run, _format_of(options))


# -- the fuzz tests -----------------------------------------------------------------------------
#
# The @example cases are the minimal reproducers of the failures the fuzz tests found (each one of
# issue 9's crash sites) and the issue's own examples.

BIG = "9" * 400  # an integer literal past a double's range


@FUZZ
@given(case=cases(eval_options, programs()))
@example(case=(BIG, ["--format", "plain"], "arg"))
@example(case=("1" + "0" * 309, ["--format", "plain", "--float"], "arg"))
@example(case=(f"sum([[{BIG}]])", ["--format", "mermaid"], "arg"))
@example(case=(f"check 5 = [[{BIG}]]", ["--format", "mermaid", "--precision", "2"], "arg"))
@example(case=("x", ["--format", "plain", "--at", f"x={BIG}"], "arg"))
@example(case=("x", ["--format", "plain", "--at", "x=²"], "arg"))
@example(case=("x", ["--format", "json", "--at", "x=" + "9" * 5000], "arg"))
@example(case=("(1/2)^7000", ["--format", "plain"], "arg"))
@example(case=("log(1e-310)", ["--format", "dot"], "arg"))
@example(case=("mean(ln([1e-310, 0.5]))", ["--format", "plain"], "arg"))
@example(case=("sum([[0.5],[0]] * [[1e308,1e308]])", ["--format", "plain"], "arg"))
@example(case=("sum(x ^ cos([1, 2]))", ["--format", "plain", "--at", "x=1/3"], "arg"))
@example(case=("sum(sin([4, 5]) ^ 0.5)", ["--format", "plain"], "arg"))
@example(case=("check [0] = 0", ["--format", "json"], "arg"))
@example(case=("check b = 1", ["--format", "mermaid", "--at", "b=[2]"], "arg"))
@example(case=("W = [[1, 2], [3, 4]]; L = sum(W); check d(L)/d(W) = 1", ["--format", "plain"], "arg"))
def test_eval_fuzz(case, program_file):
    """gradcalc eval: any program, any format and options, a documented outcome."""
    _run_and_judge("eval", case, program_file)


@FUZZ
@given(case=cases(explain_options, programs()))
@example(case=(f"sum({BIG})", ["--format", "plain"], "arg"))
@example(case=("1" + "0" * 309, ["--format", "json", "--float"], "arg"))
@example(case=("x", ["--format", "plain", "--at", "x=²"], "arg"))
@example(case=("check [0] = 0", ["--format", "plain"], "arg"))
@example(case=("mean(a)", ["--format", "md", "--at", "a=[1,2,3]"], "arg"))
def test_explain_fuzz(case, program_file):
    """gradcalc explain: any program, plain, json, md or rich, a documented outcome."""
    _run_and_judge("explain", case, program_file)


@FUZZ
@given(case=cases(check_options, programs()))
@example(case=(f"check {BIG} = 1", ["--format", "json"], "file"))
@example(case=(f"[{BIG}]", ["--format", "rich", "--float"], "file"))
@example(case=("0", ["--format", "plain", "--at", "x=²"], "file"))
@example(case=("check [0] = 0", ["--format", "csv"], "stdin"))
def test_check_fuzz(case, program_file):
    """gradcalc check: any program as a homework file, every format, a documented outcome."""
    _run_and_judge("check", case, program_file)


@FUZZ
@given(command=st.sampled_from(["eval", "eval", "explain", "check"]), data=st.data())
def test_mutated_programs_fuzz(command, data, program_file):
    """A valid-looking program with a character or two deleted or junk put in: still a
    documented outcome, whatever the command."""
    options = {"eval": eval_options, "explain": explain_options, "check": check_options}[command]
    case = data.draw(cases(options, mutated(programs())), label="case")
    _run_and_judge(command, case, program_file)


# -- what the fuzz tests found beyond issue 9's list -------------------------------------------------

FOUND = [
    pytest.param("eval", "check 1 = 1 ± [1, 2]", [], id="array-tolerance-eval"),
    pytest.param("check", "check pi = 7 ± [[0], [1]]", [], id="array-tolerance-check"),
    pytest.param("explain", "check 4 = 6 ± [4, 4]", [], id="array-tolerance-explain"),
    pytest.param("eval", "x₁^2", ["--at", "x₁=3"], id="at-subscript"),
    pytest.param("eval", "café^2", ["--at", "cafe\u0301=3"], id="at-decomposed"),
]


@pytest.mark.parametrize("command, program, options", FOUND)
def test_what_the_fuzz_found(command, program, options, program_file):
    """A tolerance that is an array is bad input (it was a traceback); --at takes x₁ and a
    decomposed é as the program's names (it refused one and missed the other)."""
    run = invoke(command, program, ["--format", "plain", *options], "file" if command == "check" else "arg",
                 program_file)
    assert_documented_outcome(run, "plain")
    assert run.exit_code == (0 if options else 2), run.output


# -- gradients against finite differences -------------------------------------------------------

POINT = st.floats(min_value=-3, max_value=3, allow_nan=False).map(lambda v: round(v, 3))


def _value_at(program, point):
    try:
        value = gradcalc.evaluate(program, at=point, exact=False).value
    except (GradcalcError, ArithmeticError, ValueError):
        return math.nan
    return float(value)


def _numeric_derivative(program, point, name):
    """A Richardson-extrapolated central difference, or None where it cannot be trusted: at a
    kink (the one-sided differences disagree), near a pole or cliff (two steps disagree), or
    where rounding error could swamp it."""
    at = point[name]
    step = 1e-3 * max(1.0, abs(at))

    def f(value):
        return _value_at(program, {**point, name: value})

    middle = f(at)
    steps = (step, step / 2, step / 4)
    sides = [(f(at + h), f(at - h)) for h in steps]
    central = [(up - down) / (2 * h) for (up, down), h in zip(sides, steps)]
    first, second = ((4 * central[k + 1] - central[k]) / 3 for k in (0, 1))
    (up, down), h = sides[-1], steps[-1]
    forward, backward = (up - middle) / h, (middle - down) / h
    rounding = 4 * sys.float_info.epsilon * max(abs(middle), abs(up), abs(down)) / h
    if not all(map(math.isfinite, [middle, up, down, *central, first, second])):
        return None
    trusted = (rounding <= 1e-8 * (1 + abs(second))
               and math.isclose(forward, backward, rel_tol=1e-2, abs_tol=1e-2)
               and math.isclose(first, second, rel_tol=1e-6, abs_tol=1e-9))
    return second if trusted else None


FD_EXPRESSIONS = st.tuples(expressions(with_arrays=False, depth=4, names=("x", "y")),
                           st.sampled_from(["x + ", "y * ", "x / "])).map(
    lambda drawn: drawn[0] if names_in(drawn[0]) else f"{drawn[1]}({drawn[0]})")  # every one uses x or y


@FUZZ
@given(expression=FD_EXPRESSIONS, x=POINT, y=POINT, use_float=st.booleans())
@example(expression="relu(x)", x=0.0, y=0.0, use_float=False)  # a kink: not compared
def test_gradient_agrees_with_finite_differences(expression, x, y, use_float):
    """For a scalar expression in x and y that gradcalc answers (exit 0), each reported
    ∂f/∂input agrees with a central difference wherever the function is smooth there."""
    args = ["eval", "--format", "json", "--at", f"x={x},y={y}"] + (["--float"] if use_float else [])
    note(f"gradcalc {' '.join(map(repr, args))} -- {expression!r}")
    run = CliRunner().invoke(main, [*args, "--", expression])
    assert_documented_outcome(run, "json")
    if run.exit_code != 0 or run.exception is not None:
        return
    record = json.loads(run.stdout.splitlines()[0])
    point = {"x": float(x), "y": float(y)}
    for name, reported in record["gradient"].items():
        if name not in point or isinstance(reported, str):
            continue
        numeric = _numeric_derivative(expression, point, name)
        if numeric is not None:
            assert math.isclose(reported, numeric, rel_tol=1e-5, abs_tol=1e-7), (name, reported, numeric)
