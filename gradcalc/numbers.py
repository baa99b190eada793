"""The number policy: exact rationals where the maths is rational, floats elsewhere,
and the one function that shows a number to a person.

An exact number is an ``int`` or a ``Fraction``; anything transcendental is a ``float``.
Python's operators already keep ``+ - *`` exact; ``div`` and ``power`` below cover the two
places where they would not (``1/3`` and ``2**-1`` give floats in Python).
"""

import math
import re
from fractions import Fraction

from . import arrays

# Exact values stay below EXACT_LIMIT in size (past it a value becomes a float, which overflows,
# a MathError, when it is out of range), and a fraction's numerator and denominator below
# FRACTION_BITS bits (past that it becomes a float). This is what keeps 10^10^10 instant.
EXACT_LIMIT = 2**1023
FRACTION_BITS = 8192

_LITERAL = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?")


def literal(text):
    """The exact value of a number literal: ``12``, ``3.5``, ``.5``, ``1e-3``, ``2.5E3``."""
    if text.isdigit() and len(text) <= 400:
        return int(text)
    whole, fraction, exponent = _LITERAL.fullmatch(text).groups()
    fraction = fraction or ""
    significant = (whole + fraction).lstrip("0")
    shift = int(exponent or 0) - len(fraction)
    if abs(shift) > 400 or len(significant) > 400:  # far past a float's range or precision
        return fit_exact(float(text))
    digits = int(significant or "0")
    return fit_exact(digits * 10**shift if shift >= 0 else Fraction(digits, 10**-shift))


def fit_gradient(value):
    """fit_exact for a gradient, where out of range means infinite, not an error."""
    if arrays.is_array(value):
        return _fit_gradient_each(value) if value.dtype == object else value
    try:
        return fit_exact(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def is_exact(value):
    if arrays.is_array(value):
        return value.dtype == object
    return type(value) is not float


def fit_exact(value):
    """Keep an exact result small and in float range: an integral Fraction becomes an int,
    and a value past EXACT_LIMIT or FRACTION_BITS becomes a float (OverflowError if out of range)."""
    kind = type(value)
    if kind is int:
        if -EXACT_LIMIT < value < EXACT_LIMIT:
            return value
        return float(value)
    if kind is Fraction:
        numerator, denominator = value.numerator, value.denominator
        if denominator == 1:
            return fit_exact(numerator)
        if denominator.bit_length() <= FRACTION_BITS and abs(numerator).bit_length() <= FRACTION_BITS:
            if -EXACT_LIMIT < numerator // denominator < EXACT_LIMIT:
                return value
        return float(value)
    if kind is float:
        if value in (math.inf, -math.inf):
            raise OverflowError("result too large")
        return value
    if value.dtype == object:  # an exact array: each element kept small
        return _fit_exact_each(value)
    if not arrays.np.isfinite(value).all():
        raise OverflowError("result too large")
    return value



# Exact arrays are kept small element by element (lifted once: the lifted rule keeps its NumPy ufunc).
_fit_exact_each = arrays.lift(fit_exact)
_fit_gradient_each = arrays.lift(fit_gradient)


def div(a, b):
    """a / b, exact when both are exact."""
    if type(a) is int and type(b) is int:
        return Fraction(a, b)
    return a / b


def power(base, exponent):
    """base ** exponent: exact for an exact base and an integer exponent, a float otherwise.

    Raises ValueError for a negative base and a non-integer exponent, ZeroDivisionError for
    0 to a negative power, OverflowError when the result is out of range."""
    if is_exact(exponent) and exponent == int(exponent):
        n = int(exponent)
        if is_exact(base):
            size = max(abs(Fraction(base).numerator), Fraction(base).denominator).bit_length() - 1
            if size * abs(n) > FRACTION_BITS:
                return fit_exact(float(base) ** n)
            return Fraction(base) ** n if n < 0 else base**n
        return base**n
    base, exponent = float(base), float(exponent)
    if base < 0 and not exponent.is_integer():
        raise ValueError("negative base to a non-integer power")
    return base**exponent


def ieee_div(a, b):
    """a / b, but ±inf or nan when b is zero: for local partials, where a non-finite
    gradient is an answer (d/dx sqrt(x) at 0), not an error."""
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return div(a, b)


def is_finite(value):
    if arrays.is_array(value):
        return value.dtype == object or bool(arrays.np.isfinite(value).all())
    return type(value) is not float or math.isfinite(value)


def exact_text(value):
    """'3996/5' for an exact non-integer, None otherwise (the JSON ``*_exact`` fields)."""
    if type(value) is Fraction:
        return f"{value.numerator}/{value.denominator}"
    return None


def json_number(value):
    """A number JSON can carry: ints stay ints, non-finite floats become strings, arrays
    nested lists."""
    kind = type(value)
    if kind is int:
        return value
    if kind is Fraction:  # (numerator / denominator is what float() does, without its lookups)
        numerator, denominator = value.numerator, value.denominator
        return numerator / denominator if denominator != 1 else numerator
    if kind is float and value - value == 0:  # finite (inf - inf and nan - nan are nan)
        return value
    if arrays.is_array(value):
        return [json_number(item) for item in value] if value.ndim else json_number(value[()])
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if value != value else ("inf" if value > 0 else "-inf")


def format_number(value, precision=None, approximate=True):
    """How a person writes the number: 799.2, 1/3 ≈ 0.333333, 0.1 (a float's shortest form).
    ``precision`` rounds what is shown to that many significant digits, never what is computed;
    ``approximate=False`` leaves a fraction's decimal out (1/3). A small array is written as
    nested lists, a big one by its shape."""
    if arrays.is_array(value):
        return format_array(value, precision)
    if type(value) is float:
        if not math.isfinite(value):
            return "nan" if value != value else ("inf" if value > 0 else "-inf")
        if precision is not None:
            return _rounded(value, precision)
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if precision is not None:
        return _approximately(value, precision)
    if type(value) is int or value.denominator == 1:
        text = str(int(value))
        if len(text) <= 30:
            return text
        return ("≈ " if approximate else "") + format_number(float(value))
    decimal = _terminating_decimal(value)
    if decimal is not None:
        return decimal
    fraction = f"{value.numerator}/{value.denominator}"
    if not approximate and len(fraction) <= 24:
        return fraction
    approx = _approximately(value, 6)
    return f"{fraction} ≈ {approx}" if len(fraction) <= 24 else f"≈ {approx}"


ARRAY_SHOWN = 24  # elements of an array written out; a bigger one is summarised


def format_array(value, precision=None):
    """[[0.1, 0.2], [0.3, 0.4]] for a small array; '64×100 matrix' for a big one."""
    if value.size > ARRAY_SHOWN:
        return arrays.describe_shape(value.shape)
    digits = 6 if precision is None else precision
    if value.ndim == 0:
        return format_number(value[()], precision)
    return "[" + ", ".join(format_array(row, precision) if arrays.is_array(row) else _element(row, digits, precision)
                           for row in value) + "]"


def array_lines(value, precision=None):
    """A small matrix as aligned rows, for a view with room for them; None if it is big."""
    if value.size > ARRAY_SHOWN or value.ndim > 2:
        return None
    rows = value.reshape(1, -1) if value.ndim == 1 else value
    digits = 4 if precision is None else precision
    cells = [[_element(x, digits, precision) for x in row] for row in rows]
    width = max((len(c) for row in cells for c in row), default=0)
    lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
    if value.ndim == 1:
        return ["[" + lines[0] + "]"]
    return ["[" + line + "]" for line in lines]


def _element(x, digits, precision):
    """One element: short (an exact fraction as 1/3, a float to `digits` digits)."""
    if isinstance(x, float) or precision is not None:  # NumPy's float64 is a float too
        return _rounded(float(x), digits)
    return format_number(x, approximate=False)


def _approximately(value, digits):
    """An exact value to `digits` significant digits, even one too small or large for a float."""
    if value == 0 or 1e-300 < abs(value) < 1e300:
        return _rounded(float(value), digits)
    import decimal  # only for values beyond a float's range

    with decimal.localcontext() as context:
        context.prec = digits
        approx = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
    return f"{approx.normalize():e}"


def _terminating_decimal(value):
    """The exact decimal of a Fraction whose denominator is 2^a·5^b, if it is short."""
    denominator = value.denominator
    twos = (denominator & -denominator).bit_length() - 1
    rest = denominator >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // denominator).rjust(places + 1, "0")
    if len(digits.lstrip("0")) > 20:
        return None
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _rounded(value, digits):
    """value to `digits` significant digits, but never dropping digits before the point."""
    if not math.isfinite(value):
        return format_number(value)
    digits = max(digits, 1)
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if 1 <= magnitude < 1e16:
        whole_digits = len(str(int(magnitude)))
        text = f"{value:.{max(digits - whole_digits, 0)}f}"
    else:
        text = f"{value:.{digits}g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
