"""Homework checking, the one judge of `check` claims: each claim judged right or wrong, the
likely mistake behind a wrong gradient diagnosed, a wrong answer that follows from an earlier
wrong one said to, and the first wrong node along the backward sweep found.

A program's claims are judged together by a `Judge`: each as it is read (`Judge.verdict`, so a
stream of problems is answered as it arrives), and all of them when the program ends
(`Judge.report`), when answers that later lines explain and the first wrong ones are known.
`gradcalc eval` and `gradcalc check` show the same judgement."""

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import NamedTuple

from . import arrays
from .errors import InputError
from .evaluate import evaluate, local_partials
from .graph import LITERAL
from .numbers import format_number, is_exact

RELATIVE = 1e-9  # how close an answer must be to a float value, without a tolerance


@dataclass(frozen=True)
class Verdict:
    claim: object  # the Claim judged, without its graph (a long stream of claims keeps no graphs)
    answer: object
    correct: object
    passed: bool
    diagnosis: str | None = None
    # For a gradient claim about ∂f/∂u: (consumer's name or None, local partial ∂c/∂u) per use of u.
    uses: tuple = ()
    rule: str | None = None            # how the answer was judged: "exact", "rounded",
                                       # "significant", "float-noise", "tolerance", "formula"
    rule_text: str | None = None       # said to a person: "rounded to 4 decimals", "within ± 0.01",
                                       # "off only by float noise", "exact", "3 significant digits"
    diagnosis_kind: str | None = None  # a stable key for scripts: "sign", "chain-rule",
                                       # "other-input", "one-path", "forward-value", "follows",
                                       # "sigmoid-as-y", "tanh-of-x", "softmax-loss-y",
                                       # "batch-forgotten", "relu-negative", "rounding", "shape"…
    revisit: str | None = None         # for --no-reveal: the rule to revisit, naming no value and
                                       # no node whose value is the answer ("revisit the multiply
                                       # node's backward rule")
    status: str = "judged"             # "judged", or "not graded" (a claim that could not be judged)
    reason: str | None = None          # for "not graded": why ("syntax error at column 9",
                                       # "depends on line 12", "price is not a name the program binds")
    depends_on: int | None = None      # the line of an earlier broken statement this claim depends on


class FirstWrong(NamedTuple):
    """A wrong answer where the reasoning first broke (for one f, or among the values)."""

    verdict: Verdict
    followed: bool  # later wrong answers about the same f (or values) may follow from it


@dataclass(frozen=True)
class Report:
    """A program's claims judged together, once it has ended."""

    verdicts: tuple  # every Verdict in the program's order, with its final diagnosis
    first_wrong: tuple  # FirstWrong for each f (and for the values), in line order
    revised: tuple = ()  # final Verdicts whose diagnosis differs from the one given as they came

    @property
    def passed(self):
        return sum(v.passed for v in self.verdicts)

    @property
    def total(self):
        return len(self.verdicts)


class Judge:
    """Judges a program's claims: each as it comes, in the light of the claims before it, and all
    of them together when the program ends. A wrong ∂f/∂u that is exactly what the student's own
    (wrong) answers for u's consumers give is a consequence, not a new mistake: it says so."""

    def __init__(self):
        self.judged = []  # (the Verdict on the claim alone, the Verdict given as it came)
        self.gradients = {}  # (f, u) -> the Verdict alone on the latest claim about ∂f/∂u

    def verdict(self, claim, at=None, exact=True, tolerance=None):
        """The Verdict on `claim` at the point `at`, given the program's claims so far.
        `tolerance`, when given, is the absolute tolerance of claims written without ±."""
        alone = judge(claim, at, exact, tolerance)
        given = _following(alone, self.gradients)
        self.judged.append((alone, given))
        if claim.is_gradient:
            self.gradients[claim.of, claim.wrt] = alone
        return given

    def report(self):
        """Every claim judged in the light of every other, the first wrong answers, and the
        Verdicts whose diagnosis a later line changed."""
        verdicts, revised = [], []
        for alone, given in self.judged:
            final = _following(alone, self.gradients)
            verdicts.append(final)
            if final.diagnosis != given.diagnosis:
                revised.append(final)
        return Report(tuple(verdicts), tuple(first_wrong(verdicts)), tuple(revised))


def judge(claim, at=None, exact=True, tolerance=None):
    """The Verdict on one claim alone at the point `at`. `tolerance`, when given, is the absolute
    tolerance of claims written without ±."""
    evaluation = evaluate(claim.graph, at, exact, differentiate=[0] if claim.is_gradient else [])
    graph, values = claim.graph, evaluation.values
    subject, answer_node, *tolerance_node = graph.outputs
    answer = values[answer_node]
    limit = values[tolerance_node[0]] if tolerance_node else tolerance
    if limit is not None and (arrays.is_array(limit) or limit < 0):
        shape = arrays.shape(limit)
        problem = f"not {arrays.a_shape(shape)}" if shape else "not negative"
        raise InputError(f"the tolerance must be a number ≥ 0, {problem} (line {claim.line}: {claim.text})")
    if claim.is_gradient:
        correct, uses, diagnosis_of = _gradient(evaluation, claim)
    else:
        correct, uses, diagnosis_of = values[subject], [], None
    passed = _agrees(answer, correct, limit)
    diagnosis = None
    if not passed:
        diagnosis = (
            _wrong_shape(claim, answer, correct)
            or (diagnosis_of and diagnosis_of(answer))
            or _rounding(graph, answer_node, answer, correct, limit)
        )
    return Verdict(claim._replace(graph=None), answer, correct, passed, diagnosis, tuple(uses))


def _wrong_shape(claim, answer, correct):
    """'your answer is a number; the gradient is a 2×2 matrix' (the other diagnoses compare numbers
    of one shape)."""
    if arrays.shape(answer) == arrays.shape(correct):
        return None
    what = "gradient" if claim.is_gradient else "value"
    return f"your answer is {arrays.a_shape(arrays.shape(answer))}; the {what} is {arrays.a_shape(arrays.shape(correct))}"


def _agrees(answer, correct, limit):
    if arrays.shape(answer) != arrays.shape(correct):
        return False
    if limit is not None:
        return bool(_all(abs(answer - correct) <= limit))
    if is_exact(answer) and is_exact(correct):
        return bool(_all(answer == correct))
    return _same(answer, correct)


def _all(truth):
    return truth.all() if arrays.is_array(truth) else truth


def _same(a, b):
    """Equal within the relative tolerance (element by element for arrays of the same shape)."""
    if arrays.is_array(a) or arrays.is_array(b):
        if arrays.shape(a) != arrays.shape(b):
            return False
        np = arrays.np
        return bool(np.allclose(arrays.to_float(a), arrays.to_float(b), rtol=RELATIVE, atol=1e-12, equal_nan=True))
    a, b = float(a), float(b)
    return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))


def _rounding(graph, answer_node, answer, correct, limit):
    """An answer written with fewer decimals than the true value: 3.14 for pi."""
    text = graph.labels[answer_node]
    if limit is not None or graph.kinds[answer_node] != LITERAL or "e" in text.lower() or arrays.is_array(answer):
        return None
    if not math.isfinite(float(correct)):
        return None
    decimals = _decimals(text)
    if decimals >= _decimals_of(correct) or round(Fraction(correct), decimals) != Fraction(answer):
        return None
    half = format_number(Fraction(1, 2 * 10**decimals))
    return (
        f"a rounding difference: {text} is the true value rounded to {decimals} decimals; "
        f"write ± {half} to accept rounded answers"
    )


def _decimals(text):
    return len(text.split(".", 1)[1]) if "." in text else 0


def _decimals_of(value):
    """How many decimals the value has written out: a float's shortest form, an exact value's
    terminating decimal, or unbounded for a fraction like 1/3."""
    if not is_exact(value):
        return _decimals(repr(value)) if "e" not in repr(value) else math.inf
    value = Fraction(value)
    for decimals in range(60):
        if (value * 10**decimals).denominator == 1:
            return decimals
    return math.inf


def _gradient(evaluation, claim):
    """∂f/∂u, each use of u (consumer, local partial), and the diagnoser for a wrong answer."""
    graph, values = evaluation.graph, evaluation.values
    grads = evaluation.gradients[0]
    u = graph.named.get(claim.wrt)
    if u is None:  # only what f depends on is in its graph: f does not depend on u
        return 0, [], None
    edges = graph.consumers()[u]
    with arrays.float_errors("ignore"):
        partials = {c: local_partials(graph, values, c) or (None,) * len(graph.args[c]) for c, _ in edges}
    local = {(c, k): partials[c][k] for c, k in edges}
    uses = [(graph.names[c], local[c, k]) for c, k in edges]
    edges = [(c, k) for c, k in edges if local[c, k] is not None]  # the diagnoses need number partials
    f, u_name = claim.of, claim.wrt
    correct = grads[u]

    def name(c):
        return graph.names[c] or graph.expression(c, limit=24)

    def diagnose(answer):
        if _same(answer, -correct) and not _same(correct, 0 * correct):
            return "the sign is wrong"
        if arrays.is_array(correct):  # the diagnoses below reason about numbers, not Jacobians
            return _forward_value(answer)
        for c, k in edges:
            inputs = graph.args[c]
            if len(inputs) == 2 and inputs[0] != inputs[1]:
                other = inputs[1 - k]
                if graph.ops[c].product and not _same(values[u], values[other]):
                    if _same(answer, grads[c] * values[u]):
                        return (
                            f"at {name(c)}, a multiply node sends back the other input: "
                            f"∂{name(c)}/∂{u_name} is {name(other)}, not {u_name} itself"
                        )
        for c, k in edges:
            if not _same(grads[c], 1) and _same(answer, local[c, k]):
                return (
                    f"that is the local partial ∂{name(c)}/∂{u_name} alone: the chain rule multiplies it "
                    f"by the upstream gradient ∂{f}/∂{name(c)}"
                )
        through = {}  # consumer -> the gradient reaching u through it (x*x counts both uses)
        for c, k in edges:
            through[c] = through.get(c, 0) + grads[c] * local[c, k]
        if len(through) > 1:
            for c, part in through.items():
                if _same(answer, part):
                    others = [name(d) for d in through if d != c]
                    reach = "directly" if others == [f] else "through " + ", ".join(others)
                    return (
                        f"your ∂{f}/∂{u_name} equals the path through {name(c)} only; "
                        f"{u_name} also reaches {f} {reach}, and the paths add up"
                    )
        return _forward_value(answer)

    def _forward_value(answer):
        if _same(answer, values[u]) and not _same(values[u], correct):
            return f"that is {u_name}'s forward value; its gradient is what flows back to it from {f}"
        return None

    return correct, uses, diagnose


def first_wrong(verdicts):
    """The wrong claims where the reasoning first broke: for each f, the wrong ∂f/∂u closest
    to f (the first the backward sweep reaches); and the wrong value earliest in the forward
    sweep. Later wrong answers usually follow from these: each says whether there are any."""
    first = {}
    for v in verdicts:
        if v.passed:
            continue
        key = v.claim.of  # None for value claims
        best = first.get(key)
        if best is None or (v.claim.position > best.claim.position if key else v.claim.position < best.claim.position):
            first[key] = v
    return [FirstWrong(v, any(_later(w, v) for w in verdicts)) for v in sorted(first.values(), key=lambda v: v.claim.line)]


def _later(w, v):
    """Whether the wrong answer w comes after v in its sweep: further from the output for
    gradients, further from the inputs for values."""
    if w.passed or w is v or w.claim.of != v.claim.of:
        return False
    return w.claim.position <= v.claim.position if v.claim.is_gradient else w.claim.position >= v.claim.position


def _following(verdict, gradients):
    """`verdict`, said to follow from an earlier wrong answer when it is exactly what the
    student's own answers about ∂f/∂c for each consumer c of u give (`gradients`: (f, c) ->
    Verdict); otherwise as it is."""
    claim = verdict.claim
    if verdict.passed or not claim.is_gradient or not verdict.uses:
        return verdict
    if any(partial is None or arrays.is_array(partial) for _, partial in verdict.uses):
        return verdict
    implied, wrong = 0, None
    for consumer, partial in verdict.uses:
        if consumer == claim.of:  # ∂f/∂f = 1 needs no claim
            implied += partial
            continue
        upstream = gradients.get((claim.of, consumer))
        if upstream is None:
            return verdict
        implied += upstream.answer * partial
        wrong = wrong or (None if upstream.passed else upstream)
    if wrong is None or not _same(implied, verdict.answer):
        return verdict
    return replace(verdict, diagnosis=(
        f"this follows from your ∂{wrong.claim.of}/∂{wrong.claim.wrt} on line {wrong.claim.line}, "
        f"which is wrong; given that answer, this step is right"
    ))
