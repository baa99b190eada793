"""The Python API speaks its own language: values as the command line reads them, errors that
say `at=`, never an exception from inside gradcalc (issue 13, point 7)."""

from fractions import Fraction

import numpy as np
import pytest

import gradcalc
from gradcalc.errors import InputError, MissingValues


@pytest.mark.parametrize("text, value", [("3", 3), ("1/3", Fraction(1, 3)), ("2^10", 1024)])
def test_a_string_value_is_read_as_the_command_line_reads_it(text, value):
    result = gradcalc.evaluate("x*x", at={"x": text})
    assert result["x"] == value and result.value == value * value


@pytest.mark.parametrize("value, message", [
    (None, "at['x']: None is not a number or an array"),
    ("1/0", "at['x']: 1 / 0: division by zero"),
    ("y + 1", "at['x']: 'y + 1' is not a constant: it uses y"),
    ([[1, 2], [3]], "at['x']: an array must be rectangular and hold numbers"),
    (object, "at['x']: <class 'object'> is not a number or an array"),
])
def test_a_value_that_is_not_one_is_an_input_error_naming_it(value, message):
    with pytest.raises(InputError) as raised:
        gradcalc.evaluate("x*x", at={"x": value})
    assert raised.value.message == message


def test_nested_lists_become_arrays():
    floats = gradcalc.evaluate("sum(x*x)", at={"x": [[0.5, 2], [3, 4]]})
    assert floats["x"].dtype == np.float64 and floats.gradient["x"].tolist() == [[1, 4], [6, 8]]
    exact = gradcalc.evaluate("sum(x*x)", at={"x": [[1, 2], [3, 4]]})  # exact, as the same literal in a program
    assert exact.value == 30 and exact.gradient["x"].tolist() == [[2, 4], [6, 8]]
    assert gradcalc.evaluate("sum(x*x)", at={"x": [[1, 2], [3, 4]]}, exact=False)["x"].dtype == np.float64


def test_missing_values_are_named_at_once_in_the_api_s_words():
    with pytest.raises(MissingValues) as raised:
        gradcalc.evaluate("x*y + z", at={"y": 1})
    assert str(raised.value) == "no value for x and z: give them with at={'x': VALUE, 'z': VALUE}"


def test_run_words_its_errors_for_the_api_too():
    (error,) = gradcalc.run(["x*y"])
    assert isinstance(error, MissingValues)
    assert "at={'x': VALUE, 'y': VALUE}" in str(error) and "--at" not in str(error)


def test_a_name_given_in_at_is_an_input_even_a_constant_s():
    result = gradcalc.evaluate("e^2 + e", at={"e": 3})
    assert result.value == 12 and result.gradient == {"e": 7}
    assert gradcalc.evaluate("e^0").value == 1 and gradcalc.evaluate("e").gradient == {}
