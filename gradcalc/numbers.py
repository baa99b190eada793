"""The number policy: exact rationals where the maths is rational, floats elsewhere,
and the one function that shows a number to a person.

An exact number is an ``int`` or a ``Fraction``; anything transcendental is a ``float``.
Python's operators already keep ``+ - *`` exact; ``div`` and ``power`` below cover the two
places where they would not (``1/3`` and ``2**-1`` give floats in Python).
"""

import math
import operator
import re
from fractions import Fraction

from . import arrays

# Exact values stay below EXACT_LIMIT in size (past it a value becomes a float, which overflows,
# a MathError, when it is out of range), and a fraction's numerator and denominator below
# FRACTION_BITS bits (past that it becomes a float). This is what keeps 10^10^10 instant.
EXACT_LIMIT = 2**1023
FRACTION_BITS = 8192
EXACT_DIGITS = 307  # every whole number of at most this many digits is below EXACT_LIMIT (2^1023 ≈ 8.99e307)

_LITERAL = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?")


def literal(text):
    """The exact value of a number literal: ``12``, ``3.5``, ``.5``, ``1e-3``, ``2.5E3``."""
    if text.isdigit() and len(text) <= EXACT_DIGITS:
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



# Exact arrays are kept small element by element.
_fit_exact_each = arrays.each(fit_exact)
_fit_gradient_each = arrays.each(fit_gradient)


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


def _sign(x):
    return (x > 0) - (x < 0)


def _sigmoid(x):
    x = float(x)
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)  # for very negative x, exp(-x) would overflow
    return z / (1 + z)


class Numbers:
    """The backend for Python numbers: the primitives the op table's rules are written in
    (gradcalc/ops.py), exact where the maths is rational (``div``, ``power``). The NumPy
    backends in gradcalc/arrays.py have the same names. A primitive raises where the maths has
    no value (``log(-1)``); `IEEENumbers` answers inf or nan there instead."""

    add, sub, mul, neg = operator.add, operator.sub, operator.mul, operator.neg
    div, power = div, power
    sin, cos, tan, asin, acos, atan = math.sin, math.cos, math.tan, math.asin, math.acos, math.atan
    sinh, cosh, tanh, exp, log1p = math.sinh, math.cosh, math.tanh, math.exp, math.log1p
    log, log2, log10, sqrt = math.log, math.log2, math.log10, math.sqrt
    abs, sign, sigmoid = abs, _sign, _sigmoid
    nan = math.nan

    def where(condition, x, y):
        return x if condition else y

    def maximum(x, y):
        return x if x >= y else y

    def minimum(x, y):
        return x if x <= y else y


def _ieee(primitive):
    """A primitive that answers where the maths has no finite value instead of raising: an
    overflow or a pole is inf, anything undefined is nan. For local partials, where a non-finite
    gradient is an answer (d/dx sqrt(x) at 0), not an error."""

    def answered(*args):
        try:
            return primitive(*args)
        except (ZeroDivisionError, OverflowError):  # 0 to a negative power, exp(1000)
            return math.inf
        except ValueError:
            return math.nan

    return answered


def _ieee_div(a, b):
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return div(a, b)


class IEEENumbers(Numbers):
    """`Numbers` whose every primitive answers inf or nan rather than raising (see `_ieee`)."""


for _name, _primitive in list(vars(Numbers).items()):
    if callable(_primitive) and not _name.startswith("_"):
        setattr(IEEENumbers, _name, _ieee(_primitive))
IEEENumbers.div = _ieee_div


def is_finite(value):
    if arrays.is_array(value):
        return value.dtype == object or bool(arrays.np.isfinite(value).all())
    return type(value) is not float or math.isfinite(value)


def exact_text(value):
    """'3996/5' for an exact non-integer, None otherwise (the JSON ``*_exact`` fields). Fitted
    values have at most FRACTION_BITS bits a side (2,467 digits); past that (an intermediate
    product in an explanation) there is no exact text, rather than megabytes of digits."""
    if type(value) is not Fraction:
        return None
    numerator, denominator = value.numerator, value.denominator
    if abs(numerator).bit_length() > FRACTION_BITS or denominator.bit_length() > FRACTION_BITS:
        return None
    return f"{numerator}/{denominator}"


def json_number(value):
    """A number JSON can carry: ints stay ints (below EXACT_LIMIT, as exact values are),
    non-finite floats become strings, arrays nested lists. An exact value past a double's
    range is "inf" or "-inf", as the double it would be."""
    kind = type(value)
    if kind is int and -EXACT_LIMIT < value < EXACT_LIMIT:
        return value
    if kind is int or kind is Fraction:
        numerator, denominator = value.numerator, value.denominator
        if denominator == 1 and -EXACT_LIMIT < numerator < EXACT_LIMIT:
            return numerator
        try:  # (numerator / denominator is what float() does, without its lookups)
            return numerator / denominator
        except OverflowError:  # past a double's range (a division never gives inf)
            return "inf" if numerator > 0 else "-inf"
    if kind is float and value - value == 0:  # finite (inf - inf and nan - nan are nan)
        return value
    if arrays.is_array(value):
        return [json_number(item) for item in value] if value.ndim else json_number(value[()])
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if value != value else ("inf" if value > 0 else "-inf")


SHOWN_DIGITS = 6  # significant digits of a float shown to a person, unless --precision says otherwise
FULL = "full"  # --precision full: every float's digits (its shortest exact spelling)
NO_NUMBER = "—"  # where there is no number to show: a constant's gradient (x^2's 2)
MAX_PRECISION = 100  # a double has 17 meaningful digits; an exact value may show more, within reason


def precision_of(text):
    """--precision's (and :precision's) value: N significant digits, 1 to MAX_PRECISION, or FULL.
    ValueError for anything else."""
    text = text.strip().lower()
    if text == FULL:
        return FULL
    if text.isdigit() and 1 <= int(text) <= MAX_PRECISION:
        return int(text)
    raise ValueError(f"{text or 'nothing'}: give a number of significant digits from 1 to {MAX_PRECISION}, "
                     "or full (every digit of a float)")


def format_number(value, precision=None, approximate=True):
    """How a person reads the number, in every view: a float to SHOWN_DIGITS significant digits
    (0.622459), an exact value exactly (799.2, 1/3 ≈ 0.333333), None as NO_NUMBER.
    ``precision`` N rounds what is shown to N significant digits (exact values too), never what
    is computed, and FULL shows a float's shortest exact spelling (0.6224593312018546);
    ``approximate=False`` leaves a fraction's decimal out (1/3). A small array is written as
    nested lists, a big one by its shape."""
    if value is None:
        return NO_NUMBER
    if arrays.is_array(value):
        return format_array(value, precision)
    if type(value) is float:
        if not math.isfinite(value):
            return "nan" if value != value else ("inf" if value > 0 else "-inf")
        if precision == FULL:
            text = repr(value)
            return text[:-2] if text.endswith(".0") else text
        return _rounded(value, SHOWN_DIGITS if precision is None else precision)
    if precision is not None and precision != FULL:
        return _approximately(value, precision)
    if type(value) is int or value.denominator == 1:
        value = int(value)
        if -10**29 < value < 10**30:  # at most 30 characters
            return str(value)
        shown = format_number(float(value), FULL) if abs(value) < 1e300 else _approximately(value, 17)
        return ("≈ " if approximate else "") + shown
    decimal = _terminating_decimal(value)
    if decimal is not None:
        return decimal
    fraction = _fraction_text(value)
    if not approximate and fraction is not None:
        return fraction
    approx = _approximately(value, SHOWN_DIGITS)
    return f"{fraction} ≈ {approx}" if fraction is not None else f"≈ {approx}"


def format_count(count):
    """A count such as a number of paths: 1,024, or an approximate one (an int past 30 digits,
    or a Decimal) to 6 digits: ≈ 2.81796e+4515."""
    if type(count) is int and count < 10**30:
        return f"{count:,}"
    import decimal  # only for counts this big

    with decimal.localcontext(decimal.Context(prec=6, Emax=decimal.MAX_EMAX)):
        return f"≈ {(+decimal.Decimal(count)).normalize():e}"


FRACTION_SHOWN = 24  # characters of a fraction written out (1/3); a longer one is shown by its decimal


def _fraction_text(value):
    """'1/3', or None when it is longer than FRACTION_SHOWN characters (decided from the bit
    lengths before any digits are made: a 7000-bit denominator is never written out)."""
    numerator, denominator = value.numerator, value.denominator
    if abs(numerator).bit_length() + denominator.bit_length() > FRACTION_SHOWN * 10 // 3:
        return None
    text = f"{numerator}/{denominator}"
    return text if len(text) <= FRACTION_SHOWN else None


ARRAY_SHOWN = 24  # elements of an array written out; a bigger one is summarised


def format_array(value, precision=None):
    """[[0.1, 0.2], [0.3, 0.4]] for a small array; '64×100 matrix' for a big one."""
    if value.size > ARRAY_SHOWN:
        return arrays.describe_shape(value.shape)
    if value.ndim == 0:
        return format_number(value[()], precision)
    return "[" + ", ".join(format_array(row, precision) if arrays.is_array(row) else _element(row, precision)
                           for row in value) + "]"


def array_cells(value, precision=None):
    """A small vector or matrix as rows of its elements' text (a vector is one row); None if
    it is big or has more than two dimensions."""
    if value.size > ARRAY_SHOWN or value.ndim > 2:
        return None
    rows = value.reshape(1, -1) if value.ndim == 1 else value
    return [[_element(x, precision) for x in row] for row in rows]


def array_lines(value, precision=None):
    """A small matrix as aligned rows, for a view with room for them; None if it is big."""
    cells = array_cells(value, precision)
    if cells is None:
        return None
    width = max((len(c) for row in cells for c in row), default=0)
    lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
    if value.ndim == 1:
        return ["[" + lines[0] + "]"]
    return ["[" + line + "]" for line in lines]


def _element(x, precision):
    """One element: short (an exact fraction as 1/3, not 1/3 ≈ 0.333333)."""
    if isinstance(x, float):  # NumPy's float64 is a float too
        x = float(x)
    return format_number(x, precision, approximate=False)


def _approximately(value, digits):
    """An exact value to `digits` significant digits, even one too small or large for a float."""
    if value == 0 or 1e-300 < abs(value) < 1e300:
        return _rounded(float(value), digits)
    import decimal  # only for values beyond a float's range

    with decimal.localcontext() as context:
        context.prec = digits
        approx = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
    return f"{approx.normalize():e}"


SIGNIFICANT_SHOWN = 20  # digits of an exact decimal written out (a longer one is a fraction or approximate)
PLACES_SHOWN = 24  # decimal places written out: past them an exact decimal is in scientific form (1e-400)


def _terminating_decimal(value):
    """The exact decimal of a Fraction whose denominator is 2^a·5^b and that has at most
    SIGNIFICANT_SHOWN significant digits: 0.25, 0.000001, or 1.5e-400 past PLACES_SHOWN places.
    Decided from the factors before any digits are made, so its size never matters."""
    numerator, denominator = abs(value.numerator), value.denominator
    if numerator >= 10**SIGNIFICANT_SHOWN:
        return None
    twos = (denominator & -denominator).bit_length() - 1
    fives = _power_of_five(denominator >> twos)
    # n / (2^a·5^b) = n·2^(p-a)·5^(p-b) / 10^p with p = max(a, b); the scaled numerator has no
    # trailing zero (n is prime to 10 where it matters), so its digits are the significant ones
    if fives is None or abs(twos - fives) > SIGNIFICANT_SHOWN * 10 // 3:
        return None
    places = max(twos, fives)
    digits = str(numerator * 2 ** (places - twos) * 5 ** (places - fives))
    if len(digits) > SIGNIFICANT_SHOWN:
        return None
    sign = "-" if value < 0 else ""
    if places > PLACES_SHOWN:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{sign}{mantissa}e-{places - len(digits) + 1:02d}"
    digits = digits.rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _power_of_five(n):
    """b when n is 5^b, else None; from n's length, so it costs one power however big n is."""
    if n == 1:
        return 0
    guess = math.ceil((n.bit_length() - 1) / math.log2(5))  # 5^b has floor(b·log2 5) + 1 bits
    for b in (guess - 1, guess, guess + 1):
        if b > 0 and 5**b == n:
            return b
    return None


def _rounded(value, digits):
    """value to `digits` significant digits, but never dropping digits before the point."""
    if not math.isfinite(value):
        return format_number(value, FULL)
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
