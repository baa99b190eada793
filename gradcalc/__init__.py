"""gradcalc: forward values and backpropagated gradients of every node of an expression graph."""

from .api import constant, evaluate, parse, run
from .errors import GradcalcError, InputError, MathError, MissingValues
from .evaluate import Evaluation
from .graph import Graph
from .parser import Program

__version__ = "0.1.0"

__all__ = [
    "Evaluation",
    "GradcalcError",
    "Graph",
    "InputError",
    "MathError",
    "MissingValues",
    "Program",
    "constant",
    "evaluate",
    "parse",
    "run",
]
