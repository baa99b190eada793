"""What `gradcalc check` shows of a class (issue 11): every file with its status in every format,
every check line counted (one that cannot be judged as "not graded", with its reason, an error
said once and what depends on it saying so), the CSV gradebook with a column per check,
--summary, the item analysis, the JSON fields, and --no-reveal in every format."""

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcalc.check
from gradcalc.api import Answers
from gradcalc.cli import main
from helpers import TRACEBACK

PROGRAM = "apple = 100\nn = 2\nprice = apple * n\ntax = 1.1\ntotal = price * tax\n"
BROKEN = PROGRAM.replace("price = apple * n", "price = apple * n *")  # a syntax error on line 3, column 20
RIGHT = {
    "price": "check price = 200",
    "total": "check total = 220",
    "d(total)/d(price)": "check d(total)/d(price) = 1.1",
    "d(total)/d(apple)": "check d(total)/d(apple) = 2.2",
    "d(total)/d(tax)": "check ∂total/∂tax = 200",
}


def homework(**answers):
    """The program and its five check lines, the right answers unless given (by check)."""
    lines = {**RIGHT, **{key.replace("__", "/"): value for key, value in answers.items()}}
    return "\n".join(lines.values()) + "\n"


# a class where the check lines can be counted: 5 + 5 + 5 + 0 + 1 (+ the folder and the missing file)
CLASS = {
    "alice.gc": PROGRAM + homework(),
    "bob.gc": PROGRAM + homework(**{"d(total)__d(price)": "check d(total)/d(price) = 200",  # price itself
                                    "d(total)__d(apple)": "check d(total)/d(apple) = 2"}),  # chain rule forgotten
    "carol.gc": BROKEN + homework(),
    "dan.gc": PROGRAM,
    "eve.gc": "x = 2\ncheck x = 2\xff\n",
}
CHECK_LINES = 16


def a_class(tmp_path):
    """The class's files (written in tmp_path, which becomes the working folder), a folder and a
    missing file, in order."""
    for name, text in CLASS.items():
        (tmp_path / name).write_bytes(text.encode("utf-8").replace("\xff".encode("utf-8"), b"\xff"))
    (tmp_path / "folder.gc").mkdir()
    return [*CLASS, "folder.gc", "missing.gc"]


def check(*args, **options):
    return CliRunner().invoke(main, ["check", *map(str, args)], **options)


@pytest.fixture
def in_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return a_class(tmp_path)


@pytest.fixture
def judge_says(monkeypatch):
    """The judge with a diagnosis kind and a rule to revisit on each diagnosed answer (issue 11's
    JUDGE helper fills them; these tests render whatever it says)."""
    judged, following = gradcalc.check.judge, gradcalc.check._following

    def said(verdict):
        if verdict.diagnosis is None:
            return verdict
        kind = ("follows" if "follows from" in verdict.diagnosis else
                "other-input" if "multiply node" in verdict.diagnosis else "chain-rule")
        return replace(verdict, diagnosis_kind=kind, revisit=f"revisit the {kind} rule")

    monkeypatch.setattr(gradcalc.check, "judge", lambda *args, **kwargs: said(judged(*args, **kwargs)))
    monkeypatch.setattr(gradcalc.check, "_following", lambda *args: said(following(*args)))


def records(run):
    return [json.loads(line) for line in run.stdout.splitlines()]


# -- every check line counts; an error is said once ---------------------------------------------


def test_every_check_line_counts_and_a_broken_one_is_not_graded(in_class):
    """The class total counts every check line of the files that could be read; in carol.gc the
    syntax error on the line binding price is said once on stderr, and each check that depends on
    it is not graded, "depends on line 3" (not "price is not a name the program binds")."""
    run = check(*in_class)
    assert run.exit_code == 2, run.output
    assert TRACEBACK not in run.output
    lines = run.stdout.splitlines()
    assert ["total", "8/16"] in [line.split() for line in lines]
    assert run.stderr.count("carol.gc: line 3, column 20: the statement ended early") == 1
    assert run.stderr.count("has no value") == 1  # line 5, total = price * tax; none for the five checks
    assert "not a name the program binds" not in run.output
    carol = lines[lines.index("carol.gc: 0/5 checks passed (syntax error at line 3, column 20)"):]
    assert carol[1:3] == ["✗ line 6: check price = 200", "    not graded: depends on line 3"]
    assert carol[1:11:2] == [f"✗ line {6 + k}: {text}" for k, text in enumerate(RIGHT.values())]
    assert carol[2:12:2] == ["    not graded: depends on line 3"] * 5
    assert CHECK_LINES == sum(text.count("check ") for text in CLASS.values())
    assert "✗ line 2: check x = 2\ufffd\n    not graded: not UTF-8 at column 12\n" in run.stdout


def test_a_dependency_is_traced_to_the_line_that_broke():
    """total uses price, whose line has a syntax error: a check on total depends on line 3 (where
    to look), not on line 5, which failed only because of it."""
    answers = Answers()
    items = [item for number, line in enumerate((BROKEN + "check total = 220\n").splitlines(), 1)
             for item in answers.read(line, number)]
    (verdict,) = answers.report().verdicts
    assert (verdict.status, verdict.passed, verdict.reason, verdict.depends_on) == ("not graded", False,
                                                                                     "depends on line 3", 3)
    assert (verdict.answer, verdict.correct, verdict.claim.line) == (None, None, 6)
    assert verdict in items  # given as it comes, as judged verdicts are
    assert [e.depends_on for e in items if isinstance(e, gradcalc.GradcalcError)] == [None, 3]  # line 3, line 5


def test_not_graded_checks_keep_their_place_and_say_why():
    """A check with its own syntax error, one naming what the program does not bind and one whose
    maths fails at an earlier line are not graded in their place among the judged ones, each with
    its reason; the first two errors are yielded too (the third is the earlier line's)."""
    program = ("x = -1\ny = log(x)\ncheck x = -1\ncheck x = 2 +\ncheck d(x)/d(banana) = 1\n"
               "check y = 0\ncheck x = 5; check x = -1 +\n")
    answers = Answers()
    errors = [item for number, line in enumerate(program.splitlines(), 1) for item in answers.read(line, number)
              if isinstance(item, gradcalc.GradcalcError)]
    report = answers.report()
    assert [(v.claim.line, v.status, v.passed) for v in report.verdicts] == [
        (3, "judged", True), (4, "not graded", False), (5, "not graded", False), (6, "not graded", False),
        (7, "judged", False), (7, "not graded", False)]
    assert report.verdicts[1].reason.startswith("syntax error at column 14: the statement ended early")
    assert "banana is not a name the program binds" in report.verdicts[2].reason
    assert (report.verdicts[3].reason, report.verdicts[3].depends_on) == ("depends on line 2", 2)
    assert (report.passed, report.total) == (1, 6)
    assert [e.line for e in errors] == [4, 5, 2, 7]
    assert [v.claim.line for v in report.first_wrong and [f.verdict for f in report.first_wrong]] == [7]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    "x = 2", "y = x * 3", "check y = 6", "check d(y)/d(x) = 3", "check y = 7 +", "z = y *", "check z = 1",
    "check d(z)/d(x) = 1", "check ∂y/∂x = 2", "w = log(x - 2)", "check w = 0", "check q = 1", "check x = 2; y",
    "check x = )", "u = z + 1", "check u = 3",
]), max_size=12))
def test_the_total_is_the_number_of_check_lines(lines):
    """Whatever breaks, every check statement of a program is one verdict, in the order written."""
    answers = Answers()
    for number, line in enumerate(lines, 1):
        list(answers.read(line, number))
    written = [number for number, line in enumerate(lines, 1) for s in line.split(";") if s.strip().startswith("check")]
    report = answers.report()
    assert [v.claim.line for v in (report.verdicts if report else ())] == written


def test_eval_shows_a_check_that_is_not_graded():
    """gradcalc eval shows the not-graded verdict where the check is; the syntax error behind it
    makes the exit code 2."""
    run = CliRunner().invoke(main, ["eval", BROKEN + "check total = 220"])
    assert run.exit_code == 2
    assert "✗ line 6: check total = 220\n    not graded: depends on line 3\n" in run.stdout


# -- statuses in every format ------------------------------------------------------------------

STATUSES = [
    ("alice.gc", "ok", "5/5"),
    ("bob.gc", "ok", "3/5"),
    ("carol.gc", "syntax error at line 3, column 20", "0/5"),
    ("dan.gc", "no checks", "0/0"),
    ("eve.gc", "unreadable: not UTF-8 at line 2, column 12", "0/1"),
    ("folder.gc", "unreadable", "—"),
    ("missing.gc", "unreadable", "—"),
]


@pytest.mark.parametrize("output_format", ["plain", "rich"])
def test_the_class_table_shows_every_file_with_its_status(in_class, output_format):
    """plain and rich: the class table at the end has a row per file (status and passed/total)
    and the total; a file with every check right took one line above it."""
    run = check(*in_class, "--format", output_format, env={"COLUMNS": "200"})
    assert run.exit_code == 2
    lines = run.stdout.splitlines()
    start = next(k for k, line in enumerate(lines) if line.split() == ["file", "status", "passed"])
    table = lines[start + 1:start + 2 + len(STATUSES)]
    assert [(row[:12].strip(), row[12:56].strip(), row[56:].strip()) for row in table] == [
        *STATUSES, ("total", "", "8/16")]
    assert "alice.gc: 5/5 checks passed" in lines and "✓ line 6" not in run.stdout
    assert lines[lines.index("alice.gc: 5/5 checks passed") + 1] == ""
    assert "folder.gc: unreadable: cannot read folder.gc: Is a directory" in lines


def test_csv_has_a_row_per_file_and_a_column_per_check(in_class):
    """--format csv: file, status, passed, total, then a column per check named by its claim as
    written (∂total/∂tax and d(total)/d(tax) are one column): 1, 0, blank, or "not graded"."""
    run = check(*in_class, "--format", "csv")
    assert run.exit_code == 2
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert rows[0] == ["file", "status", "passed", "total", *RIGHT, "x"]
    assert rows[1:8] == [
        ["alice.gc", "ok", "5", "5", "1", "1", "1", "1", "1", ""],
        ["bob.gc", "ok", "3", "5", "1", "1", "0", "0", "1", ""],
        ["carol.gc", "syntax error at line 3, column 20", "0", "5", *["not graded"] * 5, ""],
        ["dan.gc", "no checks", "0", "0", "", "", "", "", "", ""],
        ["eve.gc", "unreadable: not UTF-8 at line 2, column 12", "0", "1", "", "", "", "", "", "not graded"],
        ["folder.gc", "unreadable", "", "", "", "", "", "", "", ""],
        ["missing.gc", "unreadable", "", "", "", "", "", "", "", ""],
    ]
    assert rows[8] == ["total", "", "8", "16", "2", "2", "1", "1", "2", "0"]
    assert rows[9] == ["files with the check", "", "", "", "3", "3", "3", "3", "3", "1"]
    assert rows[10] == ["not graded", "", "", "", "1", "1", "1", "1", "1", "1"]
    assert rows[11][0] == "most common mistake" and "multiply node sends back the other input" in rows[11][6]


def test_csv_is_quoted_properly(tmp_path, monkeypatch):
    """A file name with a comma and a claim with a comma and quotes survive a CSV reader."""
    monkeypatch.chdir(tmp_path)
    name = 'smith, "j".gc'
    (tmp_path / name).write_text("a = 2; b = 3\ncheck max(a, b) = 3\n", encoding="utf-8")
    run = check(name, "--format", "csv")
    assert run.exit_code == 0, run.output
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert rows[:2] == [["file", "status", "passed", "total", "max(a, b)"], [name, "ok", "1", "1", "1"]]


def test_json_has_a_record_per_check_per_file_and_for_the_class(in_class):
    """--format json: each check (with status, rule, diagnosis_kind, depends_on, reason), then
    each file's record with its status, then the item analysis and the class total."""
    run = check(*in_class, "--format", "json")
    assert run.exit_code == 2
    found = records(run)
    files = [r for r in found if "status" in r and "check" not in r]
    assert [(r["file"], r["status"], r["passed"], r["total"]) for r in files] == [
        ("alice.gc", "ok", 5, 5), ("bob.gc", "ok", 3, 5), ("carol.gc", "syntax error", 0, 5),
        ("dan.gc", "no checks", 0, 0), ("eve.gc", "unreadable", 0, 1), ("folder.gc", "unreadable", None, None),
        ("missing.gc", "unreadable", None, None)]
    assert (files[2]["line"], files[2]["column"]) == (3, 20) and "ended early" in files[2]["error"]
    assert files[5]["error"] == "cannot read folder.gc: Is a directory"
    carol = [r for r in found if r.get("file") == "carol.gc" and "check" in r]
    assert len(carol) == 5
    assert all(r["status"] == "not graded" and r["depends_on"] == 3 and r["reason"] == "depends on line 3"
               and r["answer"] is None and r["passed"] is False for r in carol)
    items = [r for r in found if "item" in r]
    assert [r["item"] for r in items] == [*RIGHT, "x"]
    assert items[2] == {"item": "d(total)/d(price)", "files": 3, "passed": 1, "not_graded": 1,
                        "mistake": items[2]["mistake"], "mistake_kind": "other-input", "mistake_files": 1}
    assert found[-1] == {"files": 7, "passed": 8, "total": 16}


def test_json_carries_full_precision():
    """A float's correct value is the double itself, not the display precision."""
    run = CliRunner().invoke(main, ["check", "-", "--format", "json", "--precision", "3"],
                             input="z = -0.5\ny = sigmoid(z)\ncheck y = 0.3775\n")
    (verdict,) = [r for r in records(run) if "check" in r]
    assert verdict["correct"] == 0.37754066879814546


# -- --summary and the item analysis -------------------------------------------------------------


def test_summary_prints_only_the_class_table(in_class):
    """--summary: no file's verdicts, only the class table and the item analysis, in plain, json
    and csv (which is a class table already)."""
    run = check(*in_class, "--summary")
    assert run.exit_code == 2
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["file", "status", "passed"]
    assert "✗" not in run.stdout and "checks passed" not in run.stdout
    assert lines[len(STATUSES) + 3].split() == ["check", "passed", "not", "graded", "most", "common", "mistake"]
    json_run = check(*in_class, "--summary", "--format", "json")
    assert not [r for r in records(json_run) if "check" in r]
    assert len(records(json_run)) == len(STATUSES) + len(RIGHT) + 1 + 1
    assert check(*in_class, "--summary", "--format", "csv").stdout == check(*in_class, "--format", "csv").stdout


def test_summary_of_one_file_is_its_table():
    run = CliRunner().invoke(main, ["check", "-", "--summary"], input=PROGRAM + homework())
    assert run.exit_code == 0
    assert run.stdout.splitlines()[:3] == ["file   status  passed", "-      ok      5/5", "total          5/5"]


def test_item_analysis_counts_passes_and_the_most_common_mistake(tmp_path, monkeypatch, judge_says):
    """For each check: how many of the files that have it passed it, how many could not be graded,
    and the most common mistake by diagnosis kind (shown by its text) with how many files made it."""
    monkeypatch.chdir(tmp_path)
    price_itself = {"d(total)__d(price)": "check d(total)/d(price) = 200"}
    one_path = {"d(total)__d(price)": "check d(total)/d(price) = 1"}  # the local partial: chain rule
    texts = [homework(**price_itself), homework(**price_itself), homework(**one_path), homework()]
    for k, text in enumerate(texts):
        (tmp_path / f"s{k}.gc").write_text(PROGRAM + text, encoding="utf-8")
    run = check(*(f"s{k}.gc" for k in range(4)), "--summary")
    assert run.exit_code == 1
    row = next(line for line in run.stdout.splitlines() if line.startswith("d(total)/d(price)"))
    assert row.split("  ")[0] == "d(total)/d(price)" and " 1/4 " in row
    assert row.endswith("2 files: at total, a multiply node sends back the other input: "
                        "∂total/∂price is tax, not price itself")
    items = [r for r in records(check(*(f"s{k}.gc" for k in range(4)), "--summary", "--format", "json"))
             if "item" in r]
    assert items[2]["mistake_kind"] == "other-input" and items[2]["mistake_files"] == 2
    assert items[0] == {"item": "price", "files": 4, "passed": 4, "not_graded": 0, "mistake": None,
                        "mistake_kind": None, "mistake_files": 0}


# -- --no-reveal in every format ------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["plain", "rich", "json", "csv"])
def test_no_reveal_shows_the_rule_to_revisit_never_the_diagnosis(in_class, judge_says, output_format):
    """Under --no-reveal every format (the verdicts, the item analysis) gives the rule to revisit
    where a diagnosis would be, and neither the correct values (1.1 and 2.2 for bob's two wrong
    answers) nor the diagnoses nor their kinds."""
    graded = ["bob.gc", "carol.gc", "missing.gc"]
    run = check(*graded, "--no-reveal", "--format", output_format, env={"COLUMNS": "300"})
    assert run.exit_code == 2
    assert "revisit the other-input rule" in run.stdout and "revisit the chain-rule rule" in run.stdout
    for leak in ("multiply node", "chain rule", '"other-input"', "1.1", "2.2", "correct"):
        assert leak not in run.stdout.replace("check d(total)/d(price) = 1.1", "").replace("= 2.2", "")
    revealed = check(*graded, "--format", output_format, env={"COLUMNS": "300"})
    assert "multiply node sends back the other input" in revealed.stdout


# -- the samples and the README ------------------------------------------------------------------

SAMPLES = Path(__file__).parent.parent / "samples"
README = Path(__file__).parent.parent / "README.md"


def summary_of_the_class(monkeypatch):
    monkeypatch.chdir(SAMPLES / "class")
    return check(*sorted(p.name for p in (SAMPLES / "class").glob("*.gc")), "--summary")


def test_the_class_sample_counts_every_check_line(monkeypatch):
    """samples/class: six files, one with a syntax error, one with no checks; the total is the
    number of check lines the files hold."""
    run = summary_of_the_class(monkeypatch)
    assert run.exit_code == 2
    lines = [line.split("  ") for line in run.stdout.splitlines()]
    statuses = {cells[0]: " ".join(c.strip() for c in cells[1:] if c.strip()) for cells in lines[1:7]}
    assert statuses == {"aiko.gc": "ok 10/10", "ben.gc": "ok 7/10", "chen.gc": "ok 8/10",
                        "dara.gc": "syntax error at line 10, column 12 1/10", "emil.gc": "no checks 0/0",
                        "fumi.gc": "ok 7/10"}
    written = sum(len(re.findall(r"^check ", p.read_text(encoding="utf-8"), re.M)) for p in (SAMPLES / "class").glob("*.gc"))
    assert lines[7][0] == "total" and lines[7][-1] == f"33/{written}"


def test_the_readme_shows_the_class_as_gradcalc_does(monkeypatch):
    """The README's class table is gradcalc's output for samples/class, and its item analysis has
    the same checks, passes and not-graded counts (the mistakes' words are the judge's)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("$ cd samples/class; gradcalc check *.gc --summary\n")
    shown = text[start:text.index("```", start)].splitlines()[1:]
    run = summary_of_the_class(monkeypatch).stdout.splitlines()
    assert shown[:shown.index("")] == run[:run.index("")]
    width = run[run.index("") + 1].index("most common mistake")
    assert [line[:width] for line in shown[shown.index(""):]] == [line[:width] for line in run[run.index(""):]]


def test_the_sigmoid_homework_is_right_to_4_decimals():
    """samples/sigmoid-homework.gc: every answer is the true value correctly rounded to 4
    decimals (checked here against the full-precision values gradcalc gives, whatever the rule
    that judges them)."""
    path = SAMPLES / "sigmoid-homework.gc"
    run = check(path, "--format", "json")
    verdicts = [r for r in records(run) if "check" in r]
    assert len(verdicts) == 9 and all(r["status"] == "judged" for r in verdicts)
    for r in verdicts:
        written = r["check"].split("=")[1].strip()
        decimals = len(written.split(".")[1])
        assert decimals == 4 or r["answer"] == r["correct"], r
        assert round(r["correct"], 4) == r["answer"], r
    assert "sigmoid(z)" in path.read_text(encoding="utf-8")


def test_item_analysis_does_not_count_a_consequence_as_a_mistake(monkeypatch, judge_says):
    """In samples/class, ben's wrong ∂E/∂s and ∂E/∂apple only follow from his ∂E/∂u: ∂E/∂s has
    no mistake of its own, and ∂E/∂apple's is chen's (the chain rule), not ben's consequence."""
    rows = {line.split("  ")[0]: line for line in summary_of_the_class(monkeypatch).stdout.splitlines()}
    assert rows["d(E)/d(s)"].split() == ["d(E)/d(s)", "3/5", "1"]
    assert rows["d(E)/d(apple)"].endswith("1 file: that is the local partial ∂s/∂apple alone: the chain rule "
                                           "multiplies it by the upstream gradient ∂E/∂s")


def test_a_file_whose_maths_fails_has_the_status_error(tmp_path):
    """A division by zero on line 2, met by the check of line 3: status "error at line 2" and the
    check not graded, depending on line 2; exit 1 (a math error)."""
    path = tmp_path / "m.gc"
    path.write_text("x = 0\ny = 1/x\ncheck y = 1\n", encoding="utf-8")
    run = check(path, "--format", "json")
    assert run.exit_code == 1
    (verdict, file) = records(run)
    assert (verdict["status"], verdict["depends_on"], verdict["reason"]) == ("not graded", 2, "depends on line 2")
    assert (file["status"], file["line"], file["passed"], file["total"]) == ("error", 2, 0, 1)
    assert "m.gc: 0/1 checks passed (error at line 2)" in check(path, path).stdout


def test_a_pass_says_the_rule_that_passed_it_unless_it_is_equality():
    """'✓ line 2: check y = 0.3775  (rounded to 4 decimals)': the judge's rule_text beside a pass
    by any rule but exact equality; JSON gives the rule's key."""
    from gradcalc.render.checks import verdict_lines

    (verdict,) = _verdicts("y = 0.5\ncheck y = 0.5\n")
    rounded = replace(verdict, rule="rounded", rule_text="rounded to 4 decimals")
    assert "".join(text for text, _ in verdict_lines(rounded)[0]) == "✓ line 2: check y = 0.5  (rounded to 4 decimals)"
    exact = replace(verdict, rule="exact", rule_text="exact")
    assert "".join(text for text, _ in verdict_lines(exact)[0]) == "✓ line 2: check y = 0.5"


def _verdicts(program):
    answers = Answers()
    for number, line in enumerate(program.splitlines(), 1):
        list(answers.read(line, number))
    return answers.report().verdicts
