"""The seed's and the book's shopping problems: the numbers the textbook prints, exactly."""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc.cli import main

SAMPLES = Path(__file__).parent.parent / "samples"

SEED = {
    "value": Fraction("799.2"),
    "gradient": {"apple": Fraction("5.4"), "apple_count": 108, "orange": Fraction("3.24"),
                 "orange_count": Fraction("86.4"), "tax": 740},
}
BOOK = {
    "value": 715,
    "gradient": {"apple": Fraction("2.2"), "apple_num": 110, "orange": Fraction("3.3"),
                 "orange_num": 165, "tax": 650},
}
CASES = [("shopping.gc", SEED), ("shopping-book.gc", BOOK)]
# the gradients as the textbook prints them, written out here rather than by the formatter under test
SEED_TEXT = {"apple": "5.4", "apple_count": "108", "orange": "3.24", "orange_count": "86.4", "tax": "740"}
BOOK_TEXT = {"apple": "2.2", "apple_num": "110", "orange": "3.3", "orange_num": "165", "tax": "650"}


@pytest.mark.parametrize("sample, expected", CASES)
def test_api_gives_the_textbook_numbers_exactly(sample, expected):
    result = gradcalc.evaluate((SAMPLES / sample).read_text(encoding="utf-8"))
    assert result.value == expected["value"]
    assert result.gradient == expected["gradient"]


def test_named_nodes_carry_the_textbook_gradients():
    result = gradcalc.evaluate((SAMPLES / "shopping.gc").read_text(encoding="utf-8"))
    assert (result["s"], result["t"], result["u"]) == (500, 240, 740)
    assert result.grad("u") == Fraction("1.08")  # multiply node: the other input, tax
    assert result.grad("s") == result.grad("t") == Fraction("1.08")  # add node passes it through


@pytest.mark.parametrize("sample, expected", CASES)
def test_json_output_has_the_numbers(sample, expected):
    run = CliRunner().invoke(main, ["eval", "-f", str(SAMPLES / sample), "--format", "json"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.output)
    assert Fraction(str(record["value"])) == expected["value"]
    assert {k: Fraction(str(v)) for k, v in record["gradient"].items()} == expected["gradient"]


@pytest.mark.parametrize("sample, expected", [("shopping.gc", SEED_TEXT), ("shopping-book.gc", BOOK_TEXT)])
@pytest.mark.parametrize("output_format", ["plain", "rich"])
def test_text_output_shows_the_numbers(sample, expected, output_format):
    """Each input's row in the inputs table ends with its gradient as the book prints it (5.4,
    not 27/5 or 5.4000000000000004)."""
    run = CliRunner().invoke(main, ["eval", "-f", str(SAMPLES / sample), "--format", output_format])
    assert run.exit_code == 0, run.output
    for name, grad in expected.items():  # (the last row of the name: the inputs table's, after any picture)
        line = [line for line in run.output.splitlines() if line.split() and line.split()[0] == name][-1]
        assert line.split()[-1] == grad


def test_dot_output_labels_the_apple_arrow_with_value_and_red_gradient():
    run = CliRunner().invoke(main, ["eval", "-f", str(SAMPLES / "shopping.gc"), "--format", "dot"])
    assert run.exit_code == 0
    assert '<100<br/><font color="red">5.4</font>>' in run.output


def test_installed_command_runs_the_quick_start():
    done = subprocess.run([sys.executable, "-m", "gradcalc", "eval", "-f", str(SAMPLES / "shopping.gc")],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "799.2" in done.stdout and "5.4" in done.stdout
