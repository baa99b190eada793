"""The gradient check every deep-learning course teaches: reverse-mode gradients against
central finite differences, in floats."""

import math
import sys
from dataclasses import dataclass

from .errors import GradcalcError
from .evaluate import forward

TOLERANCE = 1e-6  # largest relative error that passes
STEP = sys.float_info.epsilon ** (1 / 3)  # the step that balances truncation and rounding error


@dataclass(frozen=True)
class Comparison:
    name: str
    backprop: float
    numeric: float | None  # None when f is undefined next to the point
    relative_error: float | None

    @property
    def passed(self):
        return self.relative_error is None or self.relative_error <= TOLERANCE


def gradcheck(evaluation, output=0):
    """For each input of the output: backprop's gradient, a central difference, their relative error."""
    graph = evaluation.graph.only(output)
    root = graph.outputs[0]
    point = {name: float(evaluation[name]) for name in graph.inputs}
    results = []
    for name in graph.inputs:
        backprop = float(evaluation.grad(name, output))
        x = point[name]
        h = STEP * max(1.0, abs(x))
        try:
            above = forward(graph, {**point, name: x + h}, exact=False)[root]
            below = forward(graph, {**point, name: x - h}, exact=False)[root]
        except GradcalcError:
            results.append(Comparison(name, backprop, None, None))
            continue
        numeric = (above - below) / (2 * h)
        if not (math.isfinite(backprop) and math.isfinite(numeric)):
            error = None if backprop == numeric else math.inf
        else:
            scale = max(abs(backprop), abs(numeric))
            error = abs(backprop - numeric) / scale if scale > 1e-12 else 0.0
        results.append(Comparison(name, backprop, numeric, error))
    return results
