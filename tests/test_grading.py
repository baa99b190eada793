"""The grading rules of `check` (gradcalc.check.Grader): an answer passes when it equals the true
value; or, when the true value has more digits than the answer shows, when it is less than one
unit of its last written digit away and shows at least 3 significant digits (--sig N); or when it
is off only by double-precision noise. `--exact` wants the exact value; `± TOL` and `--tol` are
absolute. Each Verdict names the rule it was judged by."""

import math
from fractions import Fraction

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st

from gradcalc.api import Answers
from gradcalc.check import Grader, Rules
from gradcalc.cli import main


def verdict(program, **grading):
    """The Verdict on a program's last check line."""
    answers = Answers(grading=grading)
    items = [item for number, line in enumerate(program.splitlines(), 1) for item in answers.read(line, number)]
    return items[-1]


def judged(answer_text, true_value, **rules):
    """The Judgement of an answer written as `answer_text` for `true_value`, as `check` makes it."""
    return Grader(answer_text, None, Rules(**rules)).judge(Fraction(answer_text), true_value)


# -- the rules, on the issue's examples -----------------------------------------------------------

SIGMOID = "z = -0.5\ny = sigmoid(z)\n"  # y = 0.37754066879814546


@pytest.mark.parametrize("answer, passed, rule, said", [
    ("0.3775", True, "rounded", "rounded to 4 decimals"),
    ("0.378", True, "rounded", "rounded to 3 decimals"),
    ("0.37754", True, "rounded", "rounded to 5 decimals"),
    ("0.3775406687981", True, "rounded", "rounded to 13 decimals"),
    ("0.37754066879814546", True, "exact", "exact"),
    ("0.38", False, "rounded", "rounded to 2 decimals"),  # 2 significant digits
    ("0.3774", False, "rounded", "rounded to 4 decimals"),  # more than one unit away
    ("0.3776", True, "rounded", "rounded to 4 decimals"),  # less than a unit away
    ("0.3765", False, "rounded", "rounded to 4 decimals"),
    ("3.775e-1", True, "significant", "rounded to 4 significant digits"),
])
def test_a_float_true_value_and_rounded_answers(answer, passed, rule, said):
    """For sigmoid(-0.5) = 0.37754…, 0.3775 and 0.378 pass; 0.38 and 0.3774 do not."""
    v = verdict(SIGMOID + f"check y = {answer}\n")
    assert (v.passed, v.rule, v.rule_text) == (passed, rule, said)


@pytest.mark.parametrize("claim, passed, rule", [
    ("check pi = 3.14", True, "rounded"),
    ("check pi = 3.1", False, "rounded"),  # 2 significant digits
    ("check 108 = 107", False, "exact"),  # 108 has no more digits than 107 shows
    ("check 27/5 = 5", False, "significant"),  # 5.4 has more digits, but 5 shows 1 significant digit
    ("check 27/5 = 5.3", False, "exact"),
    ("check 27/5 = 5.4", True, "exact"),
    ("check 27/5 = 5.40", True, "exact"),
    ("check 1084/10 = 108", True, "significant"),  # 108.4: 108 is it to 3 significant digits
    ("check 7994/10 = 800", False, "significant"),  # 800 shows 1 significant digit: its zeros are places
    ("check 715 = 715.0000000000001", True, "float-noise"),
    ("check 33/10 = 3.3000000000000003", True, "float-noise"),
    ("check 1/3 = 0.333", True, "rounded"),
    ("check 1/3 = 0.3333333333333333", True, "float-noise"),
    ("check 1/8 = 0.125", True, "exact"),
    ("check 1/8 = 0.13", False, "exact"),  # 0.125 has more digits, but 0.13 is 2 significant digits
])
def test_the_issue_examples(claim, passed, rule):
    """107 fails for 108, 5 and 5.3 for 5.4; 3.14 passes for pi; the book's float output passes."""
    v = verdict(claim)
    assert v.passed == passed, (claim, v)
    if rule != "exact" or passed:
        assert v.rule == rule or (not passed and v.rule in ("rounded", "significant", "exact")), (claim, v.rule)


def test_expression_answers_have_no_written_digits():
    """An answer written as an expression passes exactly, by float noise, or with ±."""
    assert verdict("t = pi/4\ny = sin(t)\ncheck d(y)/d(t) = sqrt(2)/2\n").rule in ("exact", "float-noise")
    v = verdict("t = pi/4\ny = sin(t)\ncheck d(y)/d(t) = 707/1000\n")
    assert not v.passed and v.rule == "exact"
    v = verdict("t = pi/4\ny = sin(t)\ncheck d(y)/d(t) = pi*sqrt(2)/8 ± 1e-9\n")  # a constant expression
    assert not v.passed and v.rule == "tolerance"
    v = verdict("t = pi/4\ny = sin(t)\ncheck d(y)/d(t) = sqrt(2)/2 ± 1/1000\n")
    assert v.passed and (v.rule, v.rule_text) == ("tolerance", "within ± 0.001")


def test_exact_option_accepts_only_the_exact_value():
    """--exact: 3.14 for pi and the book's 715.0000000000001 fail; 5.40 for 27/5 passes."""
    v = verdict("check pi = 3.14\n", exact=True)
    assert not v.passed and v.rule == "exact" and v.diagnosis_kind == "rounding"
    assert "--exact" in v.diagnosis
    assert not verdict("check 715 = 715.0000000000001\n", exact=True).passed
    assert verdict("check 27/5 = 5.40\n", exact=True).passed


def test_sig_option_sets_the_fewest_significant_digits():
    """--sig 4: 0.378 fails for 0.37754… (and says why), 0.3775 passes; --sig 2 lets 0.38 pass."""
    v = verdict(SIGMOID + "check y = 0.378\n", significant=4)
    assert not v.passed and v.diagnosis == "a rounding difference: 0.378 shows 3 significant digits; write at least 4"
    assert verdict(SIGMOID + "check y = 0.3775\n", significant=4).passed
    assert verdict(SIGMOID + "check y = 0.38\n", significant=2).passed


def test_arrays_are_judged_element_by_element():
    """An array answer passes when each element does, under the loosest rule any needed."""
    program = "a = [0.5, -0.5]\ny = sum(sigmoid(a))\n"
    v = verdict(program + "check d(y)/d(a) = [0.2350, 0.2350]\n")
    assert v.passed and (v.rule, v.rule_text) == ("rounded", "rounded to 4 decimals")
    assert not verdict(program + "check d(y)/d(a) = [0.2350, 0.23]\n").passed


def test_the_options_on_the_command_line(tmp_path):
    """check and eval take --exact and --sig; the verdict line says which rule passed."""
    path = tmp_path / "hw.gc"
    path.write_text(SIGMOID + "check y = 0.378\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(path)])
    assert run.exit_code == 0, run.output
    assert "✓ line 3: check y = 0.378  (rounded to 3 decimals)" in run.stdout
    run = CliRunner().invoke(main, ["check", str(path), "--sig", "4"])
    assert run.exit_code == 1 and "write at least 4" in run.stdout
    run = CliRunner().invoke(main, ["eval", "-f", str(path), "--exact", "--format", "plain"])
    assert run.exit_code == 1 and "✗ line 3: check y = 0.378" in run.stdout
    run = CliRunner().invoke(main, ["check", str(path), "--sig", "0"])
    assert run.exit_code == 2 and "Traceback" not in run.output


def test_correct_is_shown_at_display_precision_and_exact_values_exactly(tmp_path):
    """'correct:' shows a float to 6 significant digits, an exact value exactly."""
    path = tmp_path / "hw.gc"
    path.write_text(SIGMOID + "check y = 0.5\ncheck 1/8 = 0.13\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(path)])
    assert "    your answer 0.5; correct: 0.377541" in run.stdout
    assert "    your answer 0.13; correct: 0.125" in run.stdout


# -- the law, for any true value --------------------------------------------------------------------


def written(value, decimals):
    """`value` (a multiple of 10^-decimals) as a student writes it to that many decimals:
    0.3775, 108, or 123e2 for a unit of 100."""
    n = value * Fraction(10) ** decimals
    assert n.denominator == 1
    n = int(n)
    sign, digits = "-" if n < 0 else "", str(abs(n))
    if decimals > 0:
        digits = digits.rjust(decimals + 1, "0")
        return f"{sign}{digits[:-decimals]}.{digits[-decimals:]}"
    return f"{sign}{digits}" + (f"e{-decimals}" if decimals < 0 else "")


def significant(text):
    mantissa = text.lstrip("-").split("e")[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits if "." in mantissa or "e" in text else digits.rstrip("0"))


TRUE_VALUES = st.one_of(
    st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**6),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: Fraction(repr(x))),
)
MOST_DIGITS = 14  # past that, one unit of the last digit is float noise (the 16th significant digit)


@given(TRUE_VALUES, st.integers(-3, 12))
@example(Fraction(37754066879814546, 10**17), 4)
@example(Fraction(1084, 10), 0)
def test_rounded_and_truncated_forms_pass(true, decimals):
    """For a true value with more digits than written, its correctly rounded and its truncated
    forms pass when they show at least 3 significant digits."""
    assume((true * Fraction(10) ** decimals).denominator != 1)  # more digits than the answer shows
    unit = Fraction(10) ** -decimals
    forms = [round(true / unit) * unit, math.trunc(true / unit) * unit]
    for form in forms:
        text = written(form, decimals)
        assume(3 <= significant(text) <= MOST_DIGITS)
        judgement = judged(text, true)
        assert judgement.passed, (text, true, judgement)
        assert judgement.rule in ("rounded", "significant", "float-noise")


@given(TRUE_VALUES, st.integers(-3, 12), st.integers(-10**6, 10**6).filter(lambda k: k != 0))
def test_an_answer_a_unit_away_or_more_fails(true, decimals, k):
    """Any answer one unit of its last written digit or more away from the true value fails."""
    unit = Fraction(10) ** -decimals
    answer = math.trunc(true / unit) * unit + k * unit
    assume(abs(answer - true) >= unit)
    text = written(answer, decimals)
    assume(significant(text) <= MOST_DIGITS)
    assert not judged(text, true).passed, (text, true)


@given(TRUE_VALUES, st.integers(0, 8), st.integers(0, 4), st.integers(-10**6, 10**6).filter(lambda k: k != 0))
def test_a_true_value_with_no_more_digits_needs_the_exact_answer(true, places, more, k):
    """A true value with no more digits than the answer shows (5.4 against 5.40) passes only the
    exact answer: any other written to as many digits or more fails, however close."""
    true = round(true, places)  # a value with `places` decimals
    decimals = places + more
    unit = Fraction(10) ** -decimals
    text = written(true, decimals)
    assume(significant(text) <= MOST_DIGITS)
    assert judged(text, true).passed
    other = written(true + k * unit, decimals)
    assume(significant(other) <= MOST_DIGITS)
    judgement = judged(other, true)
    assert not judgement.passed and judgement.rule == "exact", (other, true)
