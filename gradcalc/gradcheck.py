"""The gradient check every deep-learning course teaches: reverse-mode gradients against
central finite differences, in floats."""

import math
import sys
from dataclasses import dataclass

from . import arrays
from .errors import GradcalcError
from .evaluate import forward

TOLERANCE = 1e-6  # largest relative error that passes
STEP = sys.float_info.epsilon ** (1 / 3)  # the step that balances truncation and rounding error
ELEMENTS = 64  # elements of an array input checked (spread evenly): two forward passes each


@dataclass(frozen=True)
class Comparison:
    name: str
    backprop: object  # a number, or an array for an array input
    numeric: object  # None when f is undefined next to the point
    relative_error: float | None  # the largest over the elements checked

    @property
    def passed(self):
        return self.relative_error is None or self.relative_error <= TOLERANCE


def gradcheck(evaluation, output=0):
    """For each input of the output: backprop's gradient, a central difference, their relative error.
    For an array input the elements checked are at most ELEMENTS, spread over the array."""
    graph = evaluation.graph.only(output)
    root = graph.outputs[0]
    point = {name: arrays.to_float(evaluation[name]) for name in graph.inputs}
    results = []
    for name in graph.inputs:
        backprop = evaluation.grad(name, output)
        try:
            numeric = _central_differences(graph, root, point, name)
        except GradcalcError:
            results.append(Comparison(name, backprop, None, None))
            continue
        results.append(Comparison(name, backprop, numeric, _relative_error(backprop, numeric)))
    return results


def _central_differences(graph, root, point, name):
    value = point[name]
    if not arrays.is_array(value):
        return _difference(graph, root, point, name, lambda shift: value + shift, value)
    numeric = arrays.np.full(value.shape, math.nan)
    flat = value.reshape(-1)
    count = min(ELEMENTS, flat.size)
    for k in sorted({round(j * (flat.size - 1) / max(count - 1, 1)) for j in range(count)}):
        def moved(shift, k=k):
            copy = flat.copy()
            copy[k] += shift
            return copy.reshape(value.shape)

        numeric.reshape(-1)[k] = _difference(graph, root, point, name, moved, flat[k])
    return numeric


def _difference(graph, root, point, name, moved, x):
    h = STEP * max(1.0, abs(float(x)))
    above = forward(graph, {**point, name: moved(h)}, exact=False)[root]
    below = forward(graph, {**point, name: moved(-h)}, exact=False)[root]
    return (above - below) / (2 * h)


def _relative_error(backprop, numeric):
    if arrays.is_array(backprop) or arrays.is_array(numeric):
        np = arrays.np
        pairs = [(float(b), float(n)) for b, n in zip(np.ravel(backprop), np.ravel(numeric)) if not math.isnan(n)]
    else:
        pairs = [(float(backprop), float(numeric))]
    errors = [_pair_error(b, n) for b, n in pairs]
    if any(e is None for e in errors):
        return None
    return max(errors, default=0.0)


def _pair_error(backprop, numeric):
    if not (math.isfinite(backprop) and math.isfinite(numeric)):
        return None if backprop == numeric else math.inf
    scale = max(abs(backprop), abs(numeric))
    return abs(backprop - numeric) / scale if scale > 1e-12 else 0.0
