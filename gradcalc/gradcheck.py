"""The gradient check every deep-learning course teaches: reverse-mode gradients against
finite differences, in floats.

A derivative is measured by Ridders' method: central differences at a first step h, then h/2,
h/4, …, extrapolated to a step of 0 (Richardson) after each halving, until two extrapolations
agree; the function's curvature decides how far the halving goes. The first step is 10⁻³ of the
input's size (so log x at 0.001 moves x by 10⁻⁶), cut tenfold while f is undefined or overflows
on either side (exp x at 709). The measurement's uncertainty is the spread of its last
extrapolations, or what rounding in the forward pass can do to it if that is more; it is added to
TOLERANCE, so a correct gradient passes at awkward points while a wrong one still fails. An
answer that disagrees is measured again from other first steps (_first_steps) before it counts.

Up to PER_INPUT_LIMIT scalars (inputs and array elements) are checked one by one; past that,
∇f·v from backprop is compared with the derivative of f along DIRECTIONS seeded random
directions v, which costs the same whatever the number of inputs."""

import math
import random
import sys
from dataclasses import dataclass

from . import arrays
from .errors import GradcalcError, MathError
from .evaluate import backward, forward

TOLERANCE = 1e-6  # relative error that always passes; the finite difference's own uncertainty is added to it
INCONCLUSIVE = 1e-2  # a pass that needs a tolerance past this says 'inconclusive': the difference is too uncertain
PER_INPUT_LIMIT = 32  # scalars (inputs and array elements) checked one by one; past this, along directions
DIRECTIONS = 8  # random directions v, seeded 0, 1, …: each costs what one input's check costs
DOMAIN_CUTS = 9  # a first step cut tenfold this often with f still undefined (or overflowing) nearby: skipped
SMALLEST_STEP = 64  # units in the last place of x: a step shorter than that is mostly rounding
MIN_HALVINGS, MAX_HALVINGS = 2, 24  # steps h, h/2, h/4 at least; h/2²⁴ at most
AGREED = 1e-9  # extrapolations this close (relative) have converged: far below TOLERANCE
EPSILON = sys.float_info.epsilon
UNDERFLOW = math.ulp(0.0)  # the most a result too small for a float loses (y² at y = 10⁻¹⁷⁰ is 0)

INPUT, DIRECTION = "input", "direction"


@dataclass(frozen=True)
class Comparison:
    name: str  # the input ('x', or 'W[0, 1]' for an array's element), or 'v3' for direction 3
    backprop: object  # ∂f/∂input, or ∇f·v for a direction
    numeric: object  # the finite difference; None when f is undefined next to the point
    relative_error: float | None  # |backprop - numeric| relative to the larger (along v: to Σ|∂f/∂xᵢ·vᵢ|)
    tolerance: float | None = None  # TOLERANCE plus the finite difference's relative uncertainty
    direction: int | None = None  # 1, 2, … for a check along a random direction; None for an input

    @property
    def method(self):
        return INPUT if self.direction is None else DIRECTION

    @property
    def verdict(self):
        """'✓', '✗', 'skipped' (f undefined nearby) or 'inconclusive' (they agree, but only within
        the uncertainty of a finite difference too rough to confirm a gradient)."""
        if self.numeric is None:
            return "skipped"
        if self.relative_error is None or self.relative_error <= TOLERANCE:
            return "✓"
        if self.relative_error > self.tolerance:
            return "✗"
        return "✓" if self.tolerance <= INCONCLUSIVE else "inconclusive"

    @property
    def passed(self):
        return self.verdict != "✗"


def gradcheck(evaluation, output=0, method=None):
    """Backprop's gradient of one output against finite differences: per input (INPUT) when its
    inputs hold at most PER_INPUT_LIMIT scalars, else along DIRECTIONS random directions
    (DIRECTION); `method` forces one. A list of Comparisons, one per scalar or per direction."""
    graph = evaluation.graph.only(output)
    root = graph.outputs[0]
    point = {name: arrays.to_float(evaluation[name]) for name in graph.inputs}
    gradient = {name: evaluation.grad(name, output) for name in graph.inputs}  # exact where the evaluation was

    def f(at):
        """f at a point in floats, and a function of no arguments saying how far rounding can
        have moved it there."""
        values = forward(graph, at, exact=False)
        value = float(values[root])
        if not math.isfinite(value):  # an input moved past the largest float
            raise MathError("out of range")
        return value, lambda: _rounding(values, backward(graph, values, root, exact=False))

    if method is None:
        scalars = sum(value.size if arrays.is_array(value) else 1 for value in point.values())
        method = INPUT if scalars <= PER_INPUT_LIMIT else DIRECTION
    if method == INPUT:
        return [_checked(name, b, moved, x) for name, b, moved, x in _scalars(f, point, gradient)]
    return [_along(f, point, gradient, k) for k in range(DIRECTIONS)]


def _rounding(values, grads):
    """How far rounding can have moved the output of a float forward pass, to first order: each
    node's value rounded (by EPSILON of it, or by an underflow's UNDERFLOW), times |∂output/∂node|.
    (The gradients are backprop's: only the size of the noise depends on them, and a wrong one
    would have to be off by a factor near 1/EPSILON to hide a failure behind it.)"""
    total = 0.0
    for value, grad in zip(values, grads):
        term = abs(grad) * (EPSILON * abs(value) + UNDERFLOW)
        term = float(arrays.np.sum(term)) if arrays.is_array(term) else term
        if math.isfinite(term):
            total += term
    return total


def _scalars(f, point, gradient):
    """For each scalar of the inputs: its name, backprop's ∂f/∂it, f as a function of a shift
    of it alone, and its value."""
    for name, value in point.items():
        if not arrays.is_array(value):
            yield name, gradient[name], lambda t, name=name, value=value: f({**point, name: value + t}), value
            continue
        for index in arrays.np.ndindex(value.shape):
            def moved(t, name=name, value=value, index=index):
                copy = value.copy()
                copy[index] += t
                return f({**point, name: copy})

            label = f"{name}[{', '.join(map(str, index))}]"
            yield label, gradient[name][index], moved, float(value[index])


def _size(x):
    """What a step in x is relative to: |x| (no less than the smallest normal float), or 1 at 0;
    element by element for an array."""
    if arrays.is_array(x):
        np = arrays.np
        return np.where(x == 0, 1.0, np.maximum(abs(x), sys.float_info.min))
    return max(abs(x), sys.float_info.min) if x != 0 else 1.0


def _along(f, point, gradient, k):
    """∇f·v against f's derivative along direction k: v has a random sign (seeded by k) times the
    size of each scalar, so every input moves in proportion to its size. The relative error is
    relative to Σ|∂f/∂xᵢ·vᵢ|, the size of the terms of ∇f·v."""
    draw = random.Random(k)
    direction = {name: _random_direction(draw, value) for name, value in point.items()}
    terms = [arrays.to_float(gradient[name]) * v for name, v in direction.items()]
    slope = sum(float(arrays.np.sum(t)) if arrays.is_array(t) else t for t in terms)
    magnitude = sum(float(arrays.np.sum(abs(t))) if arrays.is_array(t) else abs(t) for t in terms)

    def moved(t):
        return f({name: value + t * direction[name] for name, value in point.items()})

    return _checked(f"v{k + 1}", slope, moved, 1.0, k + 1, magnitude)  # (steps along v are relative)


def _random_direction(draw, value):
    if arrays.is_array(value):
        signs = arrays.np.random.default_rng(draw.getrandbits(64)).choice([-1.0, 1.0], size=value.shape)
        return signs * _size(value)
    return draw.choice((-1.0, 1.0)) * _size(value)


def _checked(name, backprop, moved, x, direction=None, magnitude=0.0):
    """Backprop's number against the derivative of `moved` (f with x moved by a step) at 0,
    measured from each of the _first_steps in turn until one agrees. A later measurement
    overrules one that disagreed only if the two measurements disagree with each other as well
    (the first was fooled: f oscillates within its step), never by merely being rougher. If none
    agrees, the first that disagrees, unless a later inconclusive one overrules every one that
    disagreed (then floats cannot resolve the slope: inconclusive)."""
    tried, refuted, unresolved = [], [], None
    smallest = SMALLEST_STEP * math.ulp(x)
    for h in _first_steps(_size(x), backprop, smallest):
        measured = _derivative(moved, h, smallest)
        comparison = _compare(name, backprop, measured, direction, magnitude)
        if comparison.verdict == "skipped" and not tried:
            return comparison
        if comparison.verdict == "✓" and not any(_consistent(measured, other) for other in refuted):
            return comparison
        if comparison.verdict == "✗":
            refuted.append(measured)
        elif comparison.verdict == "inconclusive" and refuted and not any(_consistent(measured, o) for o in refuted):
            unresolved = comparison
        tried.append(comparison)
    if unresolved is not None:
        return unresolved
    return next((c for c in tried if c.verdict == "✗"), tried[0])


def _consistent(measured, other):
    """Whether two (derivative, uncertainty) measurements agree within their uncertainties."""
    if measured is None or other is None:
        return False
    (a, u), (b, v) = measured, other
    return abs(a - b) <= u + v + TOLERANCE * max(abs(a), abs(b))


def _first_steps(size, backprop, smallest):
    """10⁻³ of the input's size; for an input smaller than 1, also 10⁻³ (rounding can swamp a
    step of 10⁻³|x|: cos x at 10⁻¹⁰), unless x ± 10⁻³ would round x itself away (y² at 10⁻¹⁷⁰);
    then 10⁻⁶ and 10⁻⁹ of its size (f may oscillate within the first step: sin x at 10¹⁰); and,
    where the slope backprop reports is steeper still, a step over which it moves f by 10⁻³
    (sin(exp(2x)) at 12 turns a radian in 10⁻¹¹). A wrong slope only picks the step: what is
    measured there is f's."""
    wider = [1e-3] if size < 1 and EPSILON * 1e-3 <= TOLERANCE / 10 * size else []
    steps = [1e-3 * size, *wider, 1e-6 * size, 1e-9 * size]
    slope = abs(float(backprop))
    if math.isfinite(slope) and slope > 0 and max(1e-3 / slope, smallest) < steps[-1]:
        steps.append(max(1e-3 / slope, smallest))
    return steps


def _compare(name, backprop, measured, direction, magnitude):
    """A Comparison of backprop's number with a measured (derivative, uncertainty); the relative
    error is relative to the larger of the two, or to `magnitude` if that is larger."""
    if measured is None:
        return Comparison(name, backprop, None, None, None, direction)
    numeric, uncertainty = measured
    b = float(backprop)
    if not (math.isfinite(b) and math.isfinite(numeric)):
        relative = None if b == numeric else math.inf
        return Comparison(name, backprop, numeric, relative, TOLERANCE, direction)
    scale = max(abs(b), abs(numeric), magnitude)
    if scale == 0:
        return Comparison(name, backprop, numeric, 0.0, TOLERANCE, direction)
    return Comparison(name, backprop, numeric, abs(b - numeric) / scale, TOLERANCE + uncertainty / scale, direction)


def _derivative(f, h, smallest):
    """(f′(0), its uncertainty) by Ridders' method from a first step h (no step below `smallest`),
    or None if f is undefined on one side or the other at every first step tried. The uncertainty
    is the spread of the extrapolations, or the effect of rounding at the chosen step's probes if
    that is more; it is infinite where rounding can move f further than f's own size there (sin of
    10³⁹: the float function is noise)."""

    def difference(h):
        above, below = f(h), f(-h)
        return (above[0] - below[0]) / (2 * h), (h, above, below)

    for _ in range(DOMAIN_CUTS + 1):
        if h < smallest:
            return None
        try:
            first, probes = difference(h)
            break
        except GradcalcError:  # out of f's domain, or an overflow: a smaller step
            h /= 10
    else:
        return None
    previous = [first]  # the tableau's last row: a central difference, then its extrapolations
    best, spread, best_probes = first, math.inf, probes
    size = abs(first)  # what "close" is relative to: the slopes seen, for a derivative of 0
    for halving in range(1, MAX_HALVINGS + 1):
        h /= 2
        if h < smallest:
            break
        try:
            slope, probes = difference(h)
        except GradcalcError:
            break
        row = [slope]
        size = max(size, abs(slope))
        factor = 4.0  # a central difference's error goes as h², h⁴, …: halving h divides it by 4, 16, …
        for j in range(1, halving + 1):
            # written so that it cannot overflow near the top of the range
            row.append(row[j - 1] + (row[j - 1] - previous[j - 1]) / (factor - 1))
            factor *= 4
            disagreement = max(abs(row[j] - row[j - 1]), abs(row[j] - previous[j - 1]))
            if disagreement < spread:  # (a tie goes to the longer step: less rounding)
                best, spread, best_probes = row[j], disagreement, probes
        drifting = abs(row[-1] - previous[-1]) >= 2 * spread  # rounding now outgrows the truncation error
        previous = row
        if halving >= MIN_HALVINGS and (spread <= AGREED * size or drifting and spread <= TOLERANCE * size):
            break
    h, (above, above_rounding), (below, below_rounding) = best_probes
    rounding = above_rounding(), below_rounding()
    if max(rounding) > max(abs(above), abs(below)):
        return best, math.inf
    return best, max(spread, sum(rounding) / h)  # (an extrapolation at most doubles its differences' noise)
