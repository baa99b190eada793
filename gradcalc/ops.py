"""THE op table: each operation declared once, its forward rule and its local partials side by side.

Vocabulary of the table (as in PyTorch's derivatives.yaml):
- ``forward(x[, y])`` computes the node's value from its inputs' values;
- ``partials(out, x[, y])`` returns one local partial derivative per input, ∂out/∂input,
  given the node's own value ``out`` and its inputs; the reverse walk multiplies each by the
  upstream gradient and adds it into that input's gradient;
- ``rule`` says the backward rule in words, the way the textbook does;
- ``undefined`` is the message when ``forward`` has no value there (formatted with the inputs).

Nothing outside this module knows an operation by name: adding an op is adding one row.
At a kink the partials follow PyTorch: relu'(0) = 0, abs'(0) = 0, and max/min at a tie split
the gradient evenly between both inputs.
"""

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from .numbers import div, ieee_div, power

INFIX, PREFIX, CALL = "infix", "prefix", "call"

# Binding strength for printing expressions back; matches the grammar's layers.
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Op:
    name: str
    symbol: str
    arity: int
    forward: Callable
    partials: Callable
    rule: str
    undefined: str = "{symbol} of {0} is undefined"
    form: str = CALL
    precedence: int = ATOM
    right_assoc: bool = False
    product: bool = False  # the partial for each input is the other input (for diagnosing mistakes)


def _sigmoid(x):
    x = float(x)
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)  # for very negative x, exp(-x) would overflow
    return z / (1 + z)


def _softplus(x):
    x = float(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sign(x):
    return (x > 0) - (x < 0)


def _pow_partials(out, x, y):
    if y == 0:
        dx = 0  # as PyTorch: the constant function x^0 has slope 0 everywhere, 0 included
    else:
        try:
            dx = y * power(x, y - 1)
        except ZeroDivisionError:
            dx = math.inf
        except OverflowError:
            dx = math.copysign(math.inf, y)
    if x > 0:
        dy = out * math.log(x)
    elif x == 0:
        dy = 0  # PyTorch's choice at 0^y for y ≥ 0
    else:
        dy = math.nan  # log of a negative base: the exponent has no derivative here
    return dx, dy


def _max_partials(out, x, y):
    if x == y:
        return Fraction(1, 2), Fraction(1, 2)
    return (1, 0) if x > y else (0, 1)


def _min_partials(out, x, y):
    if x == y:
        return Fraction(1, 2), Fraction(1, 2)
    return (1, 0) if x < y else (0, 1)


def _binary(name, symbol, forward, partials, rule, precedence, undefined="{0} {symbol} {1} is undefined",
            right_assoc=False, product=False):
    return Op(name, symbol, 2, forward, partials, rule, undefined, INFIX, precedence, right_assoc, product)


def _function(name, forward, partials, rule, undefined="{symbol} of {0} is undefined", arity=1):
    return Op(name, name, arity, forward, partials, rule, undefined)


_TABLE = [
    _binary("add", "+", lambda x, y: x + y, lambda out, x, y: (1, 1),
            "add passes the gradient through", SUM),
    _binary("sub", "-", lambda x, y: x - y, lambda out, x, y: (1, -1),
            "subtract passes the gradient to the left input and its negative to the right", SUM),
    _binary("mul", "×", lambda x, y: x * y, lambda out, x, y: (y, x),
            "multiply by the other input", PRODUCT, product=True),
    _binary("div", "/", div, lambda out, x, y: (div(1, y), -div(out, y)),
            "divide: 1/y for x, -x/y² for y", PRODUCT, "division by zero"),
    _binary("pow", "^", power, _pow_partials,
            "power: y·x^(y-1) for x, x^y·ln x for y", POWER,
            "{0} ^ {1} is undefined (a negative base needs an integer exponent, and 0 a positive one)",
            right_assoc=True),
    Op("neg", "-", 1, lambda x: -x, lambda out, x: (-1,), "negate: flip the gradient's sign",
       form=PREFIX, precedence=UNARY),
    _function("sin", math.sin, lambda out, x: (math.cos(x),), "sin: cos x"),
    _function("cos", math.cos, lambda out, x: (-math.sin(x),), "cos: -sin x"),
    _function("tan", math.tan, lambda out, x: (1 + out * out,), "tan: 1 + tan² x"),
    _function("asin", math.asin, lambda out, x: (ieee_div(1, math.sqrt(1 - x * x)),), "asin: 1/√(1-x²)",
              "asin of {0} is undefined (asin needs a number from -1 to 1)"),
    _function("acos", math.acos, lambda out, x: (-ieee_div(1, math.sqrt(1 - x * x)),), "acos: -1/√(1-x²)",
              "acos of {0} is undefined (acos needs a number from -1 to 1)"),
    _function("atan", math.atan, lambda out, x: (div(1, 1 + x * x),), "atan: 1/(1+x²)"),
    _function("sinh", math.sinh, lambda out, x: (math.cosh(x),), "sinh: cosh x"),
    _function("cosh", math.cosh, lambda out, x: (math.sinh(x),), "cosh: sinh x"),
    _function("tanh", math.tanh, lambda out, x: (1 - out * out,), "tanh: 1 - y²"),
    _function("exp", math.exp, lambda out, x: (out,), "exp: the output itself"),
    _function("log", math.log, lambda out, x: (div(1, x),), "log: 1/x",
              "log of {0} is undefined (log needs a positive number)"),
    _function("log2", math.log2, lambda out, x: (1 / (x * math.log(2)),), "log2: 1/(x ln 2)",
              "log2 of {0} is undefined (log2 needs a positive number)"),
    _function("log10", math.log10, lambda out, x: (1 / (x * math.log(10)),), "log10: 1/(x ln 10)",
              "log10 of {0} is undefined (log10 needs a positive number)"),
    _function("sqrt", math.sqrt, lambda out, x: (ieee_div(1, 2 * out),), "sqrt: 1/(2√x)",
              "sqrt of {0} is undefined (sqrt needs a number ≥ 0)"),
    _function("abs", abs, lambda out, x: (_sign(x),), "abs: the sign of x (0 at 0)"),
    _function("sigmoid", _sigmoid, lambda out, x: (out * (1 - out),), "sigmoid: y(1-y)"),
    _function("relu", lambda x: x if x > 0 else x - x, lambda out, x: (1 if x > 0 else 0,),
              "relu: 1 where x > 0, else 0 (0 at 0)"),
    _function("softplus", _softplus, lambda out, x: (_sigmoid(x),), "softplus: sigmoid x"),
    _function("max", lambda x, y: x if x >= y else y, _max_partials,
              "max: the gradient goes to the larger input (split evenly at a tie)", arity=2),
    _function("min", lambda x, y: x if x <= y else y, _min_partials,
              "min: the gradient goes to the smaller input (split evenly at a tie)", arity=2),
]

OPS = {op.name: op for op in _TABLE}

# What a call may name: every function-form op, the binary ops callable as functions, aliases.
FUNCTIONS = {op.name: op for op in _TABLE if op.form == CALL}
FUNCTIONS["ln"] = OPS["log"]
FUNCTIONS["pow"] = OPS["pow"]

CONSTANTS = {"pi": math.pi, "e": math.e}
