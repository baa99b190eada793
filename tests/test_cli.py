"""The command line: exit codes first, then what the messages say, and never a traceback."""

import json
from fractions import Fraction
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcalc
from gradcalc import render
from gradcalc.cli import main
from helpers import TRACEBACK, assert_clean_failure, gc, running

SAMPLES = Path(__file__).parent.parent / "samples"


def gc_process(*args, input=None, timeout=30):
    """Run the installed command in a real process, stdin piped."""
    return subprocess.run(
        [sys.executable, "-m", "gradcalc", "eval", *args],
        input=input, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )


def caret_column(stderr, source_line):
    """The index into `source_line` of the character the caret points at (the message shows the
    line indented by two spaces, and the caret on the next line)."""
    lines = stderr.splitlines()
    shown = lines.index("  " + source_line)
    caret = lines[shown + 1]
    assert caret.strip() == "^", stderr
    return caret.index("^") - 2


# -- the layers ----------------------------------------------------------------------------------

PACKAGE = Path(__file__).parent.parent / "gradcalc"
ONLY_IMPORTED_BY = {"click": {"cli.py"}, "rich": {"render/richview.py"}, "lark": {"parser.py"}}


def imported_modules(path):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_only_the_command_line_imports_click_only_renderers_rich_only_the_parser_lark():
    """The layers, one way: the session (repl.py, session.py) and everything under it are plain
    Python; click belongs to cli.py, rich to the rich renderer, lark to the parser.
    [bug: repl.py imported click and was handed a click parameter type]"""
    for library, allowed in ONLY_IMPORTED_BY.items():
        importers = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if library in set(imported_modules(path))}
        assert importers == allowed, library


def test_the_session_runs_without_click():
    """gradcalc.session and gradcalc.repl import, and a session answers, with click not loaded."""
    code = ("import io, sys\nfrom gradcalc import repl, session\n"
            "s = session.Session('plain', io.StringIO())\ns.handle(':at x=4', 1)\ns.handle('x*x', 2)\n"
            "assert '16' in s.out.getvalue()\nprint('click' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False\n"


# -- syntax errors: exit 2, line, column, source, caret, expectation ---------------------------


def test_syntax_error_exit_code_and_message():
    """'1 + * 2' exits 2 and says line 1, column 5, shows the line, puts a caret under '*' and says
    what was expected."""
    run = gc("1 + * 2")
    assert_clean_failure(run, 2)
    assert "line 1, column 5" in run.stderr
    assert "expected a number, a name" in run.stderr
    assert "'('" in run.stderr
    assert caret_column(run.stderr, "1 + * 2") == "1 + * 2".index("*")


def test_statement_ending_early_points_past_the_end():
    """'1 +' ends early: the caret sits just after the '+' and the message says so."""
    run = gc("1 +")
    assert_clean_failure(run, 2)
    assert "line 1, column 4" in run.stderr
    assert "ended early" in run.stderr
    assert "expected a number, a name" in run.stderr
    assert caret_column(run.stderr, "1 +") == 3


def test_syntax_error_on_a_later_line_reports_that_line():
    """In a three-line program the error names line 3 and shows line 3."""
    run = gc("x = 1\ny = 2\nx + * y")
    assert_clean_failure(run, 2)
    assert "line 3, column 5" in run.stderr
    assert "  x + * y" in run.stderr
    assert caret_column(run.stderr, "x + * y") == 4


def test_syntax_error_after_semicolon_counts_columns_on_the_whole_line():
    """A bad second statement on a line is located by its column in the whole line."""
    run = gc("y = 2; z = y +* 3")
    assert_clean_failure(run, 2)
    assert "line 1, column 15" in run.stderr
    assert caret_column(run.stderr, "y = 2; z = y +* 3") == 14


def test_caret_under_wide_characters():
    """After Japanese names (two columns each) the caret still lands under the bad '*'."""
    run = gc("りんご + * 2")
    assert_clean_failure(run, 2)
    lines = run.stderr.splitlines()
    echo = next(i for i, line in enumerate(lines) if "りんご + * 2" in line)
    # the caret is under '*': 2 spaces of indent + 'りんご' (6 columns) + ' + ' (3 columns)
    assert lines[echo + 1] == " " * (2 + 6 + 3) + "^"


def test_unexpected_character():
    """A character outside the language ('$') is a syntax error naming it."""
    run = gc("x $ y")
    assert_clean_failure(run, 2)
    assert "unexpected character '$'" in run.stderr
    assert caret_column(run.stderr, "x $ y") == 2


# -- unknown functions, arguments, names -------------------------------------------------------


@pytest.mark.parametrize("text, suggestion", [("sinn(x)", "sin"), ("expp(x)", "exp"), ("sqr(x)", "sqrt")])
def test_unknown_function_suggests_the_nearest(text, suggestion):
    """An unknown function exits 2 and suggests the nearest known one."""
    run = gc(text, "--at", "x=1")
    assert_clean_failure(run, 2)
    name = text.split("(")[0]
    assert f"unknown function {name}" in run.stderr
    assert f"did you mean {suggestion}?" in run.stderr


@pytest.mark.parametrize("text, message", [
    ("sin(x, y)", "sin takes 1 argument, got 2"),
    ("pow(x)", "pow takes 2 arguments, got 1"),
    ("max(x, y, x)", "max takes 2 arguments, got 3"),
])
def test_wrong_number_of_arguments(text, message):
    """A function called with the wrong number of arguments exits 2 and says how many it takes."""
    run = gc(text, "--at", "x=1,y=2")
    assert_clean_failure(run, 2)
    assert message in run.stderr


def test_function_name_used_as_a_value():
    """A bare function name (sin) exits 2 and says it is a function."""
    run = gc("sin + 1")
    assert_clean_failure(run, 2)
    assert "sin is a function" in run.stderr


def test_missing_input_value():
    """x*y --at x=1 exits 2 and says y needs a value from --at."""
    run = gc("x*y", "--at", "x=1")
    assert_clean_failure(run, 2)
    assert "y" in run.stderr
    assert "--at y=" in run.stderr
    assert run.stdout == ""


def test_empty_program():
    """An empty program or only a comment exits 2: nothing to evaluate."""
    for text in ["", "   ", "# only a comment"]:
        run = gc(text)
        assert_clean_failure(run, 2)
        assert "nothing to evaluate" in run.stderr


# -- malformed --at ------------------------------------------------------------------------------


@pytest.mark.parametrize("binding", ["x", "1x=2", "x=1/", "=2", "x=", "x=(1,2)"])
def test_malformed_at_exits_2(binding):
    """--at x, --at 1x=2, --at x=1/ and the like are bad input: exit 2, naming --at."""
    run = gc("x + 1", "--at", binding)
    assert_clean_failure(run, 2)
    assert "--at" in run.stderr
    assert run.stdout == ""


def test_malformed_at_messages():
    """The --at messages say what is wrong: not NAME=VALUE, or where the value's syntax breaks."""
    assert "is not NAME=VALUE" in gc("x", "--at", "x").stderr
    assert "'1x=2' is not NAME=VALUE" in gc("x", "--at", "1x=2").stderr
    assert "ended early" in gc("x", "--at", "x=1/").stderr


@pytest.mark.parametrize("binding, message, spot", [
    ("x", "--at: 'x' is not NAME=VALUE", 1),  # where the = should be
    ("y=2,1x=2", "--at: '1x=2' is not NAME=VALUE", 4),  # the name
    ("x=1,,y=2", "--at: '' is not NAME=VALUE", 4),  # the empty item, between the commas
    ("x=", "--at: 'x=' is not NAME=VALUE", 2),  # where the value should be
    ("y=1, x = 1/", "--at x=1/: the statement ended early", 11),  # the end of the value
    ("x=(1,2)", "--at x=(1,2): unexpected ','", 4),
    ("x=²", "--at x=²: unexpected '²'", 2),
    ("x=[1,2", "--at x=[1,2: the statement ended early", 6),
    ("y=3,x=log(0)", "--at x=log(0): log(0): log of 0 is undefined", 6),  # a math error in a value is bad input
])
def test_a_malformed_at_is_bad_input_with_a_caret_under_the_spot(binding, message, spot):
    """Every --at failure is one message naming --at, the --at text, and a caret under the bad
    spot (index `spot` into the text): exit 2."""
    run = gc("x + 1", "--at", binding)
    assert_clean_failure(run, 2)
    lines = run.stderr.splitlines()
    assert lines[0].startswith(f"error: {message}"), run.stderr
    assert lines[1:] == ["  " + binding, "  " + " " * spot + "^"]


def test_bindings_without_the_command_line():
    """session.bindings reads NAME=VALUE,... for --at and :at alike, and raises InputError."""
    from gradcalc import session

    assert session.bindings("x=1/3, y = pi/4,W=[[1, 2], [3, 4]]")["x"] == Fraction(1, 3)
    assert session.point(["x=1,y=2", "x=3"]) == {"x": 3, "y": 2}
    with pytest.raises(gradcalc.InputError) as raised:
        session.bindings("x=2,y=2*z", ":at")
    assert raised.value.message == ":at y=2*z: '2*z' is not a constant: it uses z"
    assert raised.value.column == len("x=2,y=") + 1 and raised.value.exit_code == 2


def test_at_value_using_an_input_is_not_a_constant():
    """--at x=2*y exits 2 and says the value is not a constant because it uses y
    (it *is* a single expression, so saying otherwise is wrong)."""
    run = gc("x", "--at", "x=2*y")
    assert_clean_failure(run, 2)
    assert "not a constant" in run.stderr
    assert "y" in run.stderr


def test_at_cannot_set_a_computed_node():
    """--at s=3 when s = x*2 is computed: exit 2, saying s is computed by the program."""
    run = gc("s = x*2; s", "--at", "s=3,x=1")
    assert_clean_failure(run, 2)
    assert "s is computed by the program" in run.stderr
    assert "cannot be given a value" in run.stderr


def test_an_at_naming_nothing_in_an_expression_is_an_error_with_did_you_mean():
    """`--at aple=90` beside a program that has apple: exit 2 before anything is evaluated."""
    run = gc("apple = 100; apple*2", "--at", "aple=90")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == "error: --at aple: the program has no name aple (did you mean apple?)\n"


def test_an_expression_that_cannot_be_read_reports_its_error_not_the_at():
    run = gc("x +", "--at", "x=3")
    assert run.exit_code == 2
    assert "the statement ended early" in run.stderr and "no name" not in run.stderr


def test_an_at_no_program_of_a_stream_used_is_a_warning_at_the_end():
    """A stream of problems may use a name in only some of them: the names none used are named
    at the end, with did-you-mean, and the answers stand."""
    run = gc("--at", "x=1,aple=2", input="x*2\napple = 3; apple + 1\n")
    assert run.exit_code == 0, run.output
    assert run.stderr == "warning: --at aple: no program used that name (did you mean apple?)\n"
    assert "x      1      2" in run.stdout


@pytest.mark.parametrize("expression, value", [("e^2 + e", 12), ("pi*2", 6)])
def test_an_at_for_a_constant_name_makes_it_an_input(expression, value):
    """--at e=3 shadows the constant e, as binding e in the program does."""
    name = expression[0] if expression[0] == "e" else "pi"
    run = gc(expression, "--at", f"{name}=3", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == value and name in record["gradient"]


def test_every_missing_input_is_named_at_once():
    run = gc("x*y + z")
    assert run.exit_code == 2
    assert "no value for x, y and z: give them with --at x=VALUE,y=VALUE,z=VALUE" in run.stderr


# -- binding rules -------------------------------------------------------------------------------


def test_rebinding_a_name():
    """x = 1; x = 2 binds x again, as Python does (tests/test_paste.py has the rules): exit 0 and
    the later binding's value."""
    run = gc("x = 1; x = 2; x*3")
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines()[2].split()[-2:] == ["6", "1"], run.stdout


def test_binding_after_use():
    """Using x and binding it afterwards exits 2 and says to assign it before using it."""
    run = gc("y = x + 1\nx = 2")
    assert_clean_failure(run, 2)
    assert "assigned after its use on line 1" in run.stderr


def test_use_after_a_failed_definition():
    """A name whose definition failed is reported as such, not as a missing input."""
    run = gc("s = 1 +\ns * 2")
    assert_clean_failure(run, 2)
    assert "s has no value: its definition on line 1 failed" in run.stderr


# -- math errors: exit 1 ------------------------------------------------------------------------


def test_division_by_zero_names_the_sub_expression():
    """1/(x-3) at x=3 exits 1 and names the division and the value of x."""
    run = gc("1/(x-3) + x", "--at", "x=3")
    assert_clean_failure(run, 1)
    assert "division by zero" in run.stderr
    assert "1 / (x - 3) at x = 3" in run.stderr


def test_log_outside_domain_names_expression_and_value():
    """log(x - 5) at x=3: exit 1, message names 'log(x - 5) at x = 3' and the bad argument -2."""
    run = gc("log(x - 5)", "--at", "x=3")
    assert_clean_failure(run, 1)
    assert "line 1: log(x - 5) at x = 3: log of -2 is undefined" in run.stderr


@pytest.mark.parametrize("text, at, expected", [
    ("sqrt(x)", "x=-1", "sqrt of -1 is undefined"),
    ("asin(x)", "x=2", "asin of 2 is undefined"),
    ("acos(x)", "x=-2", "acos of -2 is undefined"),
    ("log(x)", "x=0", "log of 0 is undefined"),
    ("log10(x)", "x=-1", "log10 of -1 is undefined"),
    ("x^(1/2)", "x=-4", "-4 ^ 0.5 is undefined"),
    ("0^x", "x=-1", "0 ^ -1 is undefined"),
])
def test_functions_outside_their_domain(text, at, expected):
    """sqrt, asin, acos, log, log10 and non-integer powers outside their domain exit 1 with a reason."""
    run = gc(text, "--at", at)
    assert_clean_failure(run, 1)
    assert expected in run.stderr


@pytest.mark.parametrize("text", ["exp(1000)", "cosh(1000)", "1e308*10", "exp(x)"])
def test_overflow_is_a_math_error(text):
    """A result too large for a double exits 1 with an overflow message."""
    run = gc(text, *(["--at", "x=1000"] if text == "exp(x)" else []))
    assert_clean_failure(run, 1)
    assert "overflow" in run.stderr


def test_math_error_in_float_mode():
    """--float has the same errors: 1/x at 0 still exits 1 with division by zero."""
    run = gc("1/x", "--at", "x=0", "--float")
    assert_clean_failure(run, 1)
    assert "division by zero" in run.stderr


@pytest.mark.parametrize("args", [
    ("x^1023", "--at", "x=2"),  # value 2^1023 fits a double; d/dx = 1023·2^1022 does not
    ("x/y", "--at", "x=1,y=10^-200"),  # value 1e200, ∂/∂y = -1e400
])
def test_gradient_too_large_is_reported_not_a_traceback(args):
    """An exact gradient beyond the double range is an overflow error (exit 1) or an inf with a
    warning (exit 0), as --float reports it: never an uncaught OverflowError and a traceback."""
    run = gc(*args, "--format", "plain")
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert TRACEBACK not in run.output
    assert run.exit_code in (0, 1)
    assert "overflow" in run.stderr or "inf" in run.stderr


# -- non-finite gradients at valid points --------------------------------------------------------


def test_infinite_gradient_is_an_answer_with_a_warning():
    """sqrt(x) at x=0 has value 0 and an infinite slope: exit 0, inf shown, warning on stderr."""
    run = gc("sqrt(x)", "--at", "x=0", "--format", "plain")
    assert run.exit_code == 0, run.output
    assert "inf" in run.stdout
    assert "warning: ∂f/∂x is inf at x = 0" in run.stderr


def test_undefined_gradient_is_an_answer_with_a_warning():
    """(-2)^x at x=2 is 4, but its slope in x is undefined: exit 0, nan, warning."""
    run = gc("(-2)^x", "--at", "x=2")
    assert run.exit_code == 0, run.output
    assert "nan" in run.stdout
    assert "warning" in run.stderr and "nan" in run.stderr


# -- --at ----------------------------------------------------------------------------------------


def test_at_takes_a_fraction():
    """--at x=1/3 sets an exact third: x*3 is exactly 1."""
    run = gc("x*3", "--at", "x=1/3", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 1
    assert record["nodes"][0]["value_exact"] == "1/3"


def test_at_takes_pi_over_four():
    """--at t=pi/4: sin(t)^2 is one half."""
    run = gc("sin(t)^2", "--at", "t=pi/4", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == pytest.approx(0.5)
    assert record["gradient"]["t"] == pytest.approx(1.0)  # 2 sin t cos t = sin 2t = 1


def test_at_splits_on_commas_outside_parentheses():
    """--at x=pow(2,3),y=1 is two bindings: x = 8 and y = 1."""
    run = gc("x*y", "--at", "x=pow(2,3),y=1", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 8
    assert record["gradient"] == {"x": 1, "y": 8}


def test_at_may_repeat():
    """--at x=2 --at y=5 sets both."""
    run = gc("x*y", "--at", "x=2", "--at", "y=5", "--format", "json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["gradient"] == {"x": 5, "y": 2}


def test_at_overrides_a_program_input():
    """--at overrides an input bound in the program (x = -3)."""
    run = gc("x = -3; x^2", "--at", "x=5", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 25
    assert record["gradient"] == {"x": 10}


# -- --float and --precision ---------------------------------------------------------------------


def test_exact_by_default_float_on_request():
    """100*2*1.1 shows 220 by default and 220.00000000000003 with --float (in full)."""
    exact = gc("100*2*1.1", "--format", "plain", "--precision", "full")
    floating = gc("100*2*1.1", "--float", "--format", "plain", "--precision", "full")
    assert exact.exit_code == floating.exit_code == 0
    assert exact.stdout.splitlines()[2].split()[-2] == "220"
    assert "220.00000000000003" not in exact.stdout
    assert "220.00000000000003" in floating.stdout


def test_precision_rounds_what_is_shown():
    """--precision 3 shows 1/3 as 0.333 and the shopping bill as 799 (never fewer digits before the point)."""
    third = gc("x/3", "--at", "x=1", "--precision", "3", "--format", "plain")
    assert third.exit_code == 0
    assert "0.333" in third.stdout and "0.3333" not in third.stdout
    bill = gc("-f", str(SAMPLES / "shopping.gc"), "--precision", "3", "--format", "plain")
    assert bill.exit_code == 0
    assert bill.stdout.splitlines()[2].split()[-2:] == ["799", "1"]


def test_precision_must_be_positive():
    """--precision 0 is refused with exit 2."""
    run = gc("1", "--precision", "0")
    assert run.exit_code == 2
    assert TRACEBACK not in run.output


# -- reading programs ----------------------------------------------------------------------------


def test_stdin_when_expr_is_omitted():
    """With no EXPR the program is read from standard input."""
    done = gc_process("--at", "x=3,y=2", "--format", "json", input="x*y + x\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == {"x": 3, "y": 3}


def test_stdin_when_expr_is_dash():
    """EXPR '-' reads standard input too."""
    done = gc_process("-", "--format", "json", input="a = 2\nb = a*a\n")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["value"] == 4 and record["gradient"] == {"a": 4}


def test_several_piped_expressions_each_produce_an_output_in_order():
    """Every line of problems.gc piped in gives one JSON record, in order."""
    problems = (SAMPLES / "problems.gc").read_text(encoding="utf-8")
    done = gc_process("--at", "x=3,y=2", "--format", "json", input=problems)
    assert done.returncode == 0, done.stderr
    exprs = [json.loads(line)["expr"] for line in done.stdout.splitlines()]
    expected = [line.strip() for line in problems.splitlines() if line.strip() and not line.startswith("#")]
    assert exprs == expected


def test_piped_lines_are_answered_as_they_arrive():
    """An output is printed as soon as its line is read, before standard input is closed."""
    with running([sys.executable, "-m", "gradcalc", "eval", "--at", "x=3,y=2", "--format", "json"], text=True,
                 encoding="utf-8") as process:
        process.stdin.write("x*y\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 15)
        assert ready, "no output before standard input was closed"
        assert json.loads(process.stdout.readline())["value"] == 6
        process.stdin.write("x+y\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline())["value"] == 5
        assert process.wait(timeout=15) == 0


def test_bad_line_in_a_piped_file_does_not_hide_the_others():
    """A math error on line 2 is reported with its line number; lines 1 and 3 are still answered;
    the exit code is 1."""
    done = gc_process("--at", "x=3,y=2", "--format", "json", input="x*y\nlog(x - 5)\nx+y\n")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("value", r.get("error", "")[:36]) for r in records] == [6, "log(x - 5) at x = 3: log of -2 is un", 5]
    assert "line 2: log(x - 5) at x = 3" in done.stderr
    assert TRACEBACK not in done.stderr


@pytest.mark.parametrize("program, math_line, syntax_line", [
    ("x*2\n1/(x-3)\nx +\nx*4\n", 2, 3),
    ("x*2\nx +\n1/(x-3)\nx*4\n", 3, 2),  # the 2 before the 1: the worst, not the last
])
def test_exit_code_is_the_worst_seen(program, math_line, syntax_line):
    """A math error (1) and a syntax error (2) in one stream exit 2, in either order; both are
    reported, the good lines answered."""
    done = gc_process("--at", "x=3", "--format", "json", input=program)
    assert done.returncode == 2
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("value", r.get("exit")) for r in records] == [6, *(1, 2)[:: 1 if math_line < syntax_line else -1], 12]
    assert f"line {math_line}" in done.stderr and "division by zero" in done.stderr
    assert f"line {syntax_line}, column 4" in done.stderr


@pytest.mark.parametrize("command", ["eval", "explain", "check"])
def test_a_bad_line_before_a_wrong_answer_or_a_math_error_still_exits_2(command):
    """Bad input (2) and then a failed check and a math error (1): every command exits 2."""
    program = "x = 3\nx +\ncheck x = 4\ny = 1/(x-3)\ny\n"
    args = {"eval": ["eval", "-"], "explain": ["explain", "-"], "check": ["check", "-"]}[command]
    run = CliRunner().invoke(main, args, input=program)
    assert run.exit_code == 2, run.output
    assert "line 2, column 4" in run.stderr and "division by zero" in run.stderr


def test_file_option(tmp_path):
    """-f FILE reads the program from a file."""
    program = tmp_path / "p.gc"
    program.write_text("# a file\nx = 4\ny = x^2  # sixteen\n", encoding="utf-8")
    run = gc("-f", str(program), "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 16 and record["gradient"] == {"x": 8}


def test_file_and_expr_together_is_a_usage_error(tmp_path):
    """EXPR and -f FILE together exit 2."""
    program = tmp_path / "p.gc"
    program.write_text("1\n", encoding="utf-8")
    run = gc("1", "-f", str(program))
    assert run.exit_code == 2
    assert "either EXPR or -f FILE" in run.output


def test_missing_file_is_exit_2(tmp_path):
    """-f with a file that does not exist exits 2."""
    run = gc("-f", str(tmp_path / "nope.gc"))
    assert run.exit_code == 2
    assert TRACEBACK not in run.output


def test_non_utf8_input_is_bad_input():
    """Bytes that are not UTF-8 on stdin are bad input: exit 2 (exit 1 means a math error) with a
    message, not a traceback."""
    done = subprocess.run([sys.executable, "-m", "gradcalc", "eval"], input=b"x\xff\n",
                          capture_output=True, timeout=30)
    assert done.returncode == 2
    assert b"UTF-8" in done.stderr
    assert TRACEBACK.encode() not in done.stderr


def test_terminal_stdin_without_expr_prints_a_hint_instead_of_waiting():
    """With a terminal on stdin and no EXPR, gradcalc exits 2 at once with a usage hint."""
    controller, terminal = pty.openpty()
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "gradcalc", "eval"], stdin=terminal,
                              capture_output=True, text=True, timeout=20)
        elapsed = time.monotonic() - started
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 2
    assert elapsed < 20  # it did not wait for input (subprocess's timeout would have fired)
    assert "no expression given" in done.stderr
    assert 'gradcalc eval "' in done.stderr
    assert "pipe" in done.stderr


# -- version and help ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["eval", "--help"]])
def test_help_contains_an_example(args):
    """Both help screens end with a runnable example."""
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0
    assert "Example" in run.output
    assert 'gradcalc eval "(apple*5 + orange*3) * 1.08" --at apple=100,orange=80' in run.output


def test_help_example_runs():
    """The example in the help text works: the bill is 799.2 and ∂/∂apple is 5.4."""
    run = gc("(apple*5 + orange*3) * 1.08", "--at", "apple=100,orange=80", "--format", "json")
    assert run.exit_code == 0
    record = json.loads(run.stdout)
    assert record["value_exact"] == "3996/5"
    assert record["gradient"]["apple"] == 5.4


def test_eval_help_lists_the_options():
    """gradcalc eval --help documents every option."""
    run = CliRunner().invoke(main, ["eval", "--help"])
    for option in ["--file", "--at", "--format", "--float", "--precision", "--all"]:
        assert option in run.output


# -- property: no traceback, exit code in {0, 1, 2} ---------------------------------------------

PIECES = list("xyz0123456789.eE+-*/^()=,;# \n\t×·÷−²√∂") + [
    "**", "sin(", "log(", "sqrt(", "asin(", "exp(", "pow(", "max(", "e", "pi", "check ", "1e999",
    "d(f)/d(x)", "りんご", "0/0", "10^", "x = ", "y = -",
]
TEXTS = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(PIECES), max_size=20).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, output_format=st.sampled_from(["plain", "json", "rich", "dot"]), use_float=st.booleans())
def test_any_text_gives_a_clean_exit_code(text, output_format, use_float):
    """Whatever the text, gradcalc exits 0, 1 or 2 and no Python exception escapes."""
    args = ["eval", "--at", "x=3,y=2,z=1/2", "--format", output_format]
    if use_float:
        args.append("--float")
    run = CliRunner().invoke(main, [*args, "--", text])
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert run.exit_code in (0, 1, 2)
    assert TRACEBACK not in run.output


def test_a_math_error_under_a_constant_names_the_constant_with_its_value():
    """`e/0`: the constant e is named in the message with its value (it is not a bound name)."""
    run = gc("e/0")
    assert run.exit_code == 1
    assert "e / 0 at e = 2.718281828459045: division by zero" in run.stderr
    assert "Traceback" not in run.output


# -- calculator and click habits (issue 13) ---------------------------------------------------------


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, prog_name="gradcalc")


def test_an_expression_without_a_command_is_evaluated():
    run = invoke("x*y", "--at", "x=2,y=3", "--format", "json")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["value"] == 6 and record["gradient"] == {"x": 3, "y": 2}


def test_an_expression_starting_with_a_minus_without_a_command():
    run = invoke("-x^2", "--at", "x=3", "--format", "json")
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["value"] == -9


def test_an_expression_that_looks_like_an_option_goes_after_the_double_dash():
    run = invoke("eval", "--at", "h=2", "--format", "json", "--", "-h")
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["value"] == -2


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["eval", "-h"], ["check", "-h"], ["explain", "-h"], ["repl", "-h"]])
def test_dash_h_is_help_everywhere(args):
    run = invoke(*args)
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("Usage: gradcalc")


@pytest.mark.parametrize("command, example", [("eval", 'gradcalc eval "(apple*5'), ("explain", "gradcalc explain"),
                                              ("check", "gradcalc check samples/homework.gc"),
                                              ("repl", ":at x=5")])
def test_each_command_shows_its_own_example(command, example):
    run = invoke(command, "--help")
    assert run.exit_code == 0, run.output
    assert example in run.stdout


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    run = invoke(flag)
    assert run.exit_code == 0
    assert run.stdout == f"gradcalc, version {gradcalc.__version__}\n"


@pytest.mark.parametrize("args", [["eval", "x", "--formt", "json"], ["x", "--formt", "json"], ["--formt", "json", "x"]])
def test_a_mistyped_option_gets_did_you_mean(args):
    run = invoke(*args, "--at", "x=1")
    assert run.exit_code == 2
    assert "No such option '--formt'" in run.stderr and "'--format'" in run.stderr


def test_a_mistyped_command_gets_did_you_mean():
    run = invoke("chek", "hw.gc")
    assert run.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in run.stderr


def test_a_name_that_is_no_command_is_an_expression():
    """`gradcalc apple` evaluates apple (and asks for its value): only near-misses of a command
    are taken for mistyped commands."""
    run = invoke("apple")
    assert run.exit_code == 2
    assert "no value for apple" in run.stderr


def test_an_empty_standard_input_is_nothing_to_evaluate():
    run = invoke(input="")
    assert run.exit_code == 2
    assert "nothing to evaluate" in run.stderr


def test_shell_completion_completes_commands_and_options():
    """The README's completion set-up: click's bash protocol answers commands and options."""
    script = Path(sys.executable).parent / "gradcalc"
    if not script.exists():
        pytest.skip("completion is keyed to the installed gradcalc script's name")

    def complete(words):
        env = {**os.environ, "_GRADCALC_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - 1)}
        done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert "plain,check" in complete("gradcalc ch")
    assert "plain,--format" in complete("gradcalc eval --fo")


# -- streams stay aligned (issue 13, point 6) ---------------------------------------------------------


def test_a_json_stream_has_a_record_for_every_line_in_its_place():
    """Three problems, the second broken: three records, each with its line, the error in its
    place with the exit code it gives; the run's exit code is the worst seen."""
    run = gc("--at", "x=3,y=2", "--format", "json", input="x*y\nx+\nx/y\n")
    assert run.exit_code == 2
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert records[1] == {"line": 2, "column": 3, "exit": 2, "error": records[1]["error"]}
    assert records[1]["error"].startswith("the statement ended early")
    assert records[0]["value"] == 6 and records[2]["value"] == 1.5
    assert "line 2, column 3" in run.stderr  # still said to a person too


def test_json_records_name_the_file_read_with_f(tmp_path):
    program = tmp_path / "p.gc"
    program.write_text("x*y\n1/(x-3)\ncheck x*y = 6\n")
    run = gc("-f", str(program), "--at", "x=3,y=2", "--format", "json")
    assert run.exit_code == 1  # the math error on line 2
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["file"], r["line"]) for r in records] == [(str(program), 1), (str(program), 2), (str(program), 3)]
    assert records[1]["exit"] == 1 and "division by zero" in records[1]["error"]


def test_explain_json_records_carry_their_line():
    run = CliRunner().invoke(main, ["explain", "--at", "x=3", "--format", "json"], input="x*x\n\nx+1\n")
    assert run.exit_code == 0, run.output
    assert [json.loads(line)["line"] for line in run.stdout.splitlines()] == [1, 3]


def test_the_value_format_prints_a_line_per_thing_asked():
    run = gc("--at", "x=3,y=2", "--format", "value", input="x*y\nx+\nx/y\ncheck x*y = 6\ncheck x*y = 7\n1/(x-3)\n")
    assert run.exit_code == 2
    assert run.stdout == "6 x=2 y=3\nerror\n1.5 x=0.5 y=-0.75\nok\nwrong\nerror\n"


def test_the_value_format_with_precision_and_arrays():
    assert gc("x/3", "--at", "x=1", "--format", "value", "--precision", "3").stdout == "0.333 x=0.333\n"
    assert gc("sum(x*[1, 2])", "--at", "x=[3, 4]", "--format", "value").stdout == "11 x=[1, 2]\n"


@pytest.mark.parametrize("output_format", render.names(render.EVALUATIONS))
def test_every_format_takes_a_failing_line_in_its_stride(output_format):
    """Whatever the format, a line that fails is said on stderr and the next line is answered
    (x+1 at 3 is 4, which nothing before it shows)."""
    run = gc("--at", "x=3", "--format", output_format, input="x*x\n1/(x-3)\nx+1\n")
    assert run.exit_code == 1, run.output
    assert "division by zero" in run.stderr and TRACEBACK not in run.stderr
    assert "4" in run.stdout
    assert "4" not in gc("--at", "x=3", "--format", output_format, input="x*x\n1/(x-3)\n").stdout
