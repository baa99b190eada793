"""Vectors and matrices: NumPy arrays as values, imported only when a program has one.

In exact mode an array holds Fractions (a NumPy object array), so a matrix product of decimal
literals stays exact; in float mode, and after any transcendental function, it holds float64.
The op table's rules are written once in the primitives of numbers.Numbers; here are the same
primitives for float arrays (NumPy's) and for exact arrays (the exact primitive element by
element), and the shapes and sizes arrays may have.
"""

import contextlib
import math
import operator
from fractions import Fraction

from .errors import InputError

np = None  # numpy, once an array has been made

# Arrays are refused before they are made when they would be too big: a few small arrays
# broadcast together can ask for gigabytes (eight 10-vectors along 8 axes are 10^8 numbers).
MAX_ELEMENTS = 10**7  # numbers in one float array (80 MB)
MAX_EXACT_ELEMENTS = 10**6  # numbers in one exact array: each is a Python object (100+ bytes), and slow
MAX_EXACT_PRODUCTS = 10**7  # multiplications in one exact matrix product (about as many seconds / 10^6)
MAX_TOTAL_ELEMENTS = 3 * 10**7  # numbers in all the arrays of one evaluation


def numpy():
    global np
    if np is None:
        try:
            import numpy
        except ImportError:
            raise InputError("vectors and matrices need NumPy, a dependency of gradcalc that is missing "
                             "from this installation: pip install numpy") from None
        np = numpy
    return np


def adopt(value):
    """A value given from outside (an API caller's `at`): NumPy arrays and nested lists become
    arrays (a list of exact numbers an exact array); numbers stay as they are."""
    if isinstance(value, (int, float, Fraction)):
        return value
    if hasattr(value, "__array_interface__") and numpy().asarray(value).dtype.kind in "fiub":
        problem = size_error(np.shape(value), exact=False)
        if problem:
            raise InputError(problem)
        array = np.asarray(value, dtype=float)  # float64 already: no copy
        return array if array.ndim else float(array)
    if isinstance(value, (list, tuple)) or hasattr(value, "__array_interface__"):
        try:
            array = numpy().array(value, dtype=object)
            if any(isinstance(x, (list, tuple)) for x in array.flat):
                raise ValueError("ragged")
            problem = size_error(array.shape, exact=True)
            if problem:
                raise InputError(problem)
            if all(type(x) in (int, Fraction) for x in array.flat):
                return each(Fraction)(array) if array.ndim else Fraction(array[()])
            return array.astype(float) if array.ndim else float(array[()])
        except (ValueError, TypeError):
            raise InputError("an array must be rectangular and hold numbers") from None
    raise InputError(f"{value!r} is not a number or an array" if len(repr(value)) <= 40
                     else f"a {type(value).__name__} is not a number or an array")


def float_errors(mode):
    """A context in which NumPy's floating-point errors are raised (mode "raise": the forward
    pass, where they are math errors) or ignored ("ignore": where an infinite gradient is an
    answer); nothing to do when NumPy is not loaded."""
    if np is None:
        return contextlib.nullcontext()
    return np.errstate(divide=mode, over=mode, invalid=mode, under="ignore")


def is_array(value):
    return np is not None and isinstance(value, np.ndarray)


def any_array(values):
    return np is not None and any(isinstance(v, np.ndarray) for v in values)


def exact_array(nested):
    """An exact array from nested lists of numbers: Fractions in an object array, or a float
    array when one number is a float (a literal past the exact limit, as 1e308 is)."""
    numpy()
    problem = size_error(_shape(nested), exact=True)
    if problem:
        raise InputError(problem)
    array = np.empty(_shape(nested), dtype=object)
    flat = array.reshape(-1)
    for k, item in enumerate(_flatten(nested)):
        flat[k] = item if type(item) is float else Fraction(item)
    return tidy(array)


def _shape(nested):
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0]
    return tuple(shape)


def _flatten(nested):
    stack = [nested]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            yield item


def shape(value):
    """An array's shape; () for a scalar."""
    return value.shape if is_array(value) else ()


def shape_text(shape):
    """'2×3', '3', or 'scalar'."""
    return "×".join(map(str, shape)) or "scalar"


def describe_shape(shape):
    """'2×3 matrix', '3-vector', 'scalar'."""
    kind = {0: "", 1: "-vector", 2: " matrix"}.get(len(shape), " array")
    return shape_text(shape) + kind


def a_shape(shape):
    """'a 2×3 matrix', 'an 8-vector', 'an 11×2 matrix', 'a number'."""
    if not shape:
        return "a number"
    first = str(shape[0])  # said aloud: an 8, an 11, an 18, an 80…, an 11,000
    vowel = first.startswith("8") or (first[:2] in ("11", "18") and len(first) % 3 == 2)
    return ("an " if vowel else "a ") + describe_shape(shape)


def tidy(value):
    """Arrays of floats as float64, numpy scalars as Python numbers."""
    if is_array(value):
        if value.dtype == object and value.size and any(type(x) is float for x in value.flat):
            return value.astype(float)
        if value.ndim == 0:
            return tidy(value[()])
        return value
    if np is not None and isinstance(value, np.generic):
        return value.item()
    return value


def to_float(value):
    return value.astype(float, copy=False) if is_array(value) else float(value)


def each(function):
    """`function` of numbers applied element by element to exact (object) arrays, the result
    tidied (floats as a float64 array): how an exact array meets a transcendental function."""
    ufuncs = {}  # one NumPy ufunc per number of arguments, made once

    def applied(*args):
        count = len(args)
        if count not in ufuncs:
            ufuncs[count] = np.frompyfunc(function, count, 1)
        return tidy(ufuncs[count](*args))

    return applied


# The NumPy backends: the primitives of numbers.Numbers, for arrays (see gradcalc/ops.py).
# Operators work on both kinds of array as they are; the rest is NumPy's for float arrays, and
# the exact primitive applied element by element for exact arrays.
_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "neg": operator.neg}
_FLOAT_NAMES = {"div": "divide", "asin": "arcsin", "acos": "arccos", "atan": "arctan"}
_backends = {}


def float_backend():
    """The backend for float64 arrays: NumPy's functions."""
    if "float" not in _backends:
        numpy()
        backend = type("FloatArrays", (), dict(_OPERATORS, where=np.where, nan=np.nan))
        for name in ("div", "power", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
                     "log1p", "log", "log2", "log10", "sqrt", "abs", "sign", "maximum", "minimum"):
            setattr(backend, name, getattr(np, _FLOAT_NAMES.get(name, name)))
        backend.sigmoid = lambda x: 0.5 + 0.5 * np.tanh(0.5 * x)  # the same function, and tanh never overflows
        _backends["float"] = backend
    return _backends["float"]


def exact_backend(scalar):
    """The backend for exact (object) arrays: each primitive of `scalar` (numbers.Numbers or
    numbers.IEEENumbers) applied element by element."""
    if scalar not in _backends:
        numpy()
        backend = type("ExactArrays", (), dict(_OPERATORS, where=np.where, nan=scalar.nan))
        for name, primitive in vars(scalar).items():
            if callable(primitive) and not name.startswith("_") and name not in _OPERATORS and name != "where":
                setattr(backend, name, each(primitive))
        _backends[scalar] = backend
    return _backends[scalar]


def unbroadcast(gradient, target):
    """Sum a gradient back to the shape of the input it belongs to (NumPy broadcasting in reverse)."""
    return sum_to_shape(gradient, target.shape if is_array(target) else ())


def sum_to_shape(gradient, shape):
    """A gradient of a broadcast result summed back to `shape`."""
    if not is_array(gradient):
        return gradient
    if gradient.shape == shape:
        return gradient
    extra = gradient.ndim - len(shape)
    summed = gradient.sum(axis=tuple(range(extra))) if extra > 0 else gradient
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and summed.shape[k] != 1)
    if axes:
        summed = summed.sum(axis=axes, keepdims=True)
    return tidy(summed) if shape == () else summed


def broadcast_error(values):
    """Why these values' shapes do not broadcast together, or why the result would be too big;
    None when neither."""
    return broadcast_shapes_error([shape(v) for v in values], makes_exact(values))


def broadcast_shapes_error(shapes, exact):
    """broadcast_error for the shapes of values (exact ones when `exact`)."""
    try:
        result = np.broadcast_shapes(*shapes)
    except ValueError:
        return f"shapes {' and '.join(shape_text(s) for s in shapes)} do not match"
    return size_error(result, exact)


def makes_exact(values):
    """Whether NumPy makes an exact (object) array of these operands: an exact array is among
    them, or an exact fraction meets a float array."""
    return any(type(v) is Fraction or (is_array(v) and v.dtype == object) for v in values)


def size_error(shape, exact):
    """Why an array of this shape would be too big to make, or None."""
    size = math.prod(shape)
    limit = MAX_EXACT_ELEMENTS if exact else MAX_ELEMENTS
    if size <= limit:
        return None
    kind = " exact" if exact else ""
    more = f" (--float allows {MAX_ELEMENTS:,})" if exact else ""
    return f"{a_shape(shape)} of {size:,} numbers is past the limit of {limit:,}{kind} numbers in an array{more}"


def products_error(count, exact):
    """Why a matrix product of `count` multiplications would take too long, or None."""
    if not exact or count <= MAX_EXACT_PRODUCTS:
        return None
    return (f"an exact matrix product of {count:,} multiplications is past the limit of {MAX_EXACT_PRODUCTS:,} "
            "(--float computes it in floats)")


def total_error(total):
    """Why an evaluation's arrays hold too many numbers in all, or None."""
    if total <= MAX_TOTAL_ELEMENTS:
        return None
    return f"the arrays so far hold {total:,} numbers; one evaluation holds at most {MAX_TOTAL_ELEMENTS:,}"


def filled(like, value):
    """An array shaped like `like`, every element `value` (object dtype when `value` is exact)."""
    result = np.empty(like.shape, dtype=object if like.dtype == object else float)
    result.fill(value)
    return result


def zeros_like(value):
    return filled(value, Fraction(0) if value.dtype == object else 0.0)
