"""Homework checking, the one judge of `check` claims: each claim judged right or wrong under
one rule (a Grader: exact, float noise, rounded to the digits written, a tolerance, a formula),
the likely mistake behind a wrong gradient diagnosed under that same rule (the op table's
`mistakes` among the candidates), a wrong answer that follows from an earlier wrong one said to,
and the first wrong answers along the graph found. Every diagnosis has a stable kind and a
`revisit` text that gives nothing away, for --no-reveal.

A program's claims are judged together by a `Judge`: each as it is read (`Judge.verdict`, so a
stream of problems is answered as it arrives), and all of them when the program ends
(`Judge.report`), when answers that later lines explain and the first wrong ones are known.
`gradcalc eval` and `gradcalc check` show the same judgement."""

import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import NamedTuple

from . import arrays
from .errors import InputError
from .errors import GradcalcError
from .evaluate import contributions, evaluate, local_partials
from .numbers import format_number, is_exact, is_finite

FLOAT_NOISE = Fraction(1, 10**15)  # relative: a few units in a double's 16th significant digit
SIGNIFICANT = 3  # the fewest significant digits a rounded answer shows, unless --sig says otherwise
_NUMBER = re.compile(r"[-−+]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?")
_NUMBERS = re.compile(r"[-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


class Rules(NamedTuple):
    """How answers written without ± are judged (the check and eval commands' options)."""

    exact: bool = False  # --exact: only an answer equal to the true value passes
    significant: int = SIGNIFICANT  # --sig N: the fewest significant digits of a rounded answer
    points: int = 0  # --points N: formula answers also checked at N random points near the inputs
    seed: int = 0  # the seed of those points


class Written(NamedTuple):
    """The digits an answer shows: its value exactly, one unit of its last written digit, its
    significant digits, and whether it is written with a decimal point (and no exponent)."""

    value: Fraction
    unit: Fraction
    significant: int
    point: bool

    @classmethod
    def of(cls, text):
        whole, fraction, exponent = _NUMBER.fullmatch(text.strip()).groups()
        fraction = fraction or ""
        shift = int(exponent or 0) - len(fraction)
        unit = Fraction(10) ** shift
        digits = (whole + fraction).lstrip("0")
        if not fraction and not exponent:  # 800: trailing zeros of a whole number show no digits
            digits = digits.rstrip("0")
        value = int(whole + fraction or "0") * unit
        return cls(-value if text.strip()[0] in "-−" else value, unit, len(digits), "." in text and not exponent)

    def said(self):
        """'rounded to 4 decimals', or for an answer without a decimal point (108, 1.2e-3)
        'rounded to 3 significant digits'."""
        if self.point:
            decimals = -int(math.log10(self.unit))
            return f"rounded to {decimals} decimal{'s' if decimals != 1 else ''}"
        return f"rounded to {self.significant} significant digit{'s' if self.significant != 1 else ''}"


class Judgement(NamedTuple):
    passed: bool
    rule: str
    rule_text: str
    close: bool = False  # failed only for too few significant digits, or under --exact, though rounded right
    written: Written | None = None  # the digits of the (element of the) answer that was close


class Grader:
    """The one rule a claim is judged by, applied alike to the true value and to each candidate
    mistake (so a wrong answer is diagnosed under the rule that judged it):
    - with a tolerance (± TOL, --tol): within it, absolutely ("tolerance");
    - otherwise equal to the true value ("exact"; a float true value is met by any answer that
      reads as the same double); then, unless --exact: off by a relative FLOAT_NOISE at most
      ("float-noise"); then, for an answer written as a number when the true value has more
      digits than it shows: less than one unit of its last written digit away, with at least
      `significant` significant digits ("rounded", "significant")."""

    def __init__(self, text, limit, rules=Rules(), formula=False):
        self.limit, self.rules, self.formula = limit, rules, formula
        self.written = None
        if text is not None and not formula:
            self.written = [Written.of(t) for t in _NUMBERS.findall(text)] if text.startswith("[") else Written.of(text)

    def matches(self, answer, value):
        """Whether `answer` passes for the true value `value` under this rule."""
        return self.judge(answer, value).passed

    def judge(self, answer, value):
        if arrays.shape(answer) != arrays.shape(value):
            return Judgement(False, *self._general())
        if arrays.is_array(answer):
            return self._array(answer, value)
        return self._scalar(answer, value, self.written)

    def _general(self):
        if self.limit is not None:
            return "tolerance", f"within ± {format_number(self.limit)}"
        if self.formula:
            return "formula", "the formula at the program's point"
        return "exact", "exact"

    def _array(self, answer, value):
        texts = self.written if isinstance(self.written, list) and len(self.written) == answer.size else None
        judged = [self._scalar(a, c, texts[k] if texts else None)
                  for k, (a, c) in enumerate(zip(answer.reshape(-1).tolist(), value.reshape(-1).tolist()))]
        failed = next((j for j in judged if not j.passed), None)
        if failed is not None:
            return failed
        loosest = {j.rule: j for j in judged}  # the rule that passed the answer: the loosest one any element needed
        for rule in ("rounded", "significant", "float-noise"):
            if rule in loosest:
                said = {j.rule_text for j in judged if j.rule == rule}
                return Judgement(True, rule, said.pop() if len(said) == 1 else "rounded to the digits written")
        return Judgement(True, *self._general())

    def _scalar(self, answer, value, written):
        if self.limit is not None:
            return Judgement(bool(abs(answer - value) <= self.limit), *self._general())
        general = self._general()
        if _equal(answer, value):
            return Judgement(True, *general)
        if not (is_finite(answer) and is_finite(value)):
            return Judgement(False, *general)
        given = written.value if isinstance(written, Written) else Fraction(answer)
        true = _decimal(value)
        distance = abs(given - true)
        if self.rules.exact:
            close = isinstance(written, Written) and distance < written.unit
            return Judgement(False, *general, close=close, written=written)
        if distance <= FLOAT_NOISE * max(abs(given), abs(true)):
            return Judgement(True, "float-noise", "off only by float noise")
        if not isinstance(written, Written) or (true / written.unit).denominator == 1:
            return Judgement(False, *general)  # the true value has no more digits than the answer shows
        rule = "rounded" if written.point else "significant"
        if distance >= written.unit:
            return Judgement(False, rule, written.said())
        return Judgement(written.significant >= self.rules.significant, rule, written.said(), True, written)


def _equal(answer, value):
    """The same number: equal exactly, or reading as the same double when either is a float."""
    if is_exact(answer) and is_exact(value):
        return answer == value
    a, b = float(answer), float(value)
    return a == b or (a != a and b != b)


def _same_value(a, b):
    """Whether two true values (numbers or arrays) are the same: a mistake that gives the right
    value cannot be told from a right answer."""
    if arrays.is_array(a) or arrays.is_array(b):
        return arrays.shape(a) == arrays.shape(b) and bool(arrays.np.array_equal(arrays.to_float(a), arrays.to_float(b)))
    return _equal(a, b)


def _decimal(value):
    """The true value as gradcalc writes it: exact, or a float's shortest decimal form."""
    return Fraction(value) if is_exact(value) else Fraction(repr(float(value)))


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


class Diagnosis(NamedTuple):
    """The likely mistake behind a wrong answer: a stable key, what to say, and what to say when
    the answer must not be revealed (the rule to revisit, naming no value and no node whose value
    is the answer)."""

    kind: str
    text: str
    revisit: str


class Judge:
    """Judges a program's claims: each as it comes, in the light of the claims before it, and all
    of them together when the program ends. A wrong ∂f/∂u that is exactly what the student's own
    (wrong) answers for u's consumers give is a consequence, not a new mistake: it says so."""

    def __init__(self, rules=Rules()):
        self.rules = rules
        self.judged = []  # (the Verdict on the claim alone, the Verdict given as it came, its Grader)
        self.gradients = {}  # (f, u) -> the Verdict alone on the latest claim about ∂f/∂u
        self.reach = {}  # (line, text) -> Reach of the claimed node

    def verdict(self, claim, at=None, exact=True, tolerance=None):
        """The Verdict on `claim` at the point `at`, given the program's claims so far.
        `tolerance`, when given, is the absolute tolerance of claims written without ±."""
        alone, grader = _judged(claim, at, exact, tolerance, self.rules)
        self.reach[claim.line, claim.text] = _reach(claim)
        given = _following(alone, self.gradients, grader)
        self.judged.append((alone, given, grader))
        if claim.is_gradient:
            self.gradients[claim.of, claim.wrt] = alone
        return given

    def report(self):
        """Every claim judged in the light of every other, the first wrong answers, and the
        Verdicts whose diagnosis a later line changed."""
        verdicts, revised = [], []
        for alone, given, grader in self.judged:
            final = _following(alone, self.gradients, grader)
            verdicts.append(final)
            if final.diagnosis != given.diagnosis:
                revised.append(final)
        return Report(tuple(verdicts), tuple(first_wrong(verdicts, self.reach)), tuple(revised))


def judge(claim, at=None, exact=True, tolerance=None, rules=Rules()):
    """The Verdict on one claim alone at the point `at`. `tolerance`, when given, is the absolute
    tolerance of claims written without ±."""
    return _judged(claim, at, exact, tolerance, rules)[0]


def _judged(claim, at, exact, tolerance, rules):
    """The Verdict on one claim alone, and the Grader that judged it."""
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
    grader = Grader(claim.answer_text, limit, rules, claim.formula)
    judgement = grader.judge(answer, correct)
    diagnosis = None
    if claim.formula and limit is None:
        judgement = judgement._replace(rule="formula", rule_text=_formula_said(rules))
    if judgement.passed and claim.formula and rules.points:
        diagnosis = _formula_elsewhere(claim, at, rules)
        judgement = judgement._replace(passed=diagnosis is None)
    elif not judgement.passed:
        diagnosis = (
            _wrong_shape(claim, answer, correct)
            or (diagnosis_of and diagnosis_of(answer, grader))
            or _rounding(claim, grader, judgement)
        )
    return Verdict(claim._replace(graph=None), answer, correct, judgement.passed, diagnosis and diagnosis.text,
                   tuple(uses), judgement.rule, judgement.rule_text, diagnosis and diagnosis.kind,
                   diagnosis and diagnosis.revisit), grader


def _wrong_shape(claim, answer, correct):
    """'your answer is a number; the gradient is a 2×2 matrix' (the other diagnoses compare numbers
    of one shape)."""
    if arrays.shape(answer) == arrays.shape(correct):
        return None
    what = "gradient" if claim.is_gradient else "value"
    text = f"your answer is {arrays.a_shape(arrays.shape(answer))}; the {what} is {arrays.a_shape(arrays.shape(correct))}"
    return Diagnosis("shape", text, text)


def _rounding(claim, grader, judgement):
    """An answer the true value rounds to, but with too few significant digits (0.38 for
    0.37754…), or any rounded answer under --exact (3.14 for pi)."""
    if not judgement.close:
        return None
    written, wanted = judgement.written, grader.rules.significant
    text = claim.answer_text if not claim.answer_text.startswith("[") else "an element"
    if grader.rules.exact:
        return Diagnosis("rounding", f"a rounding difference: {text} is the true value rounded; --exact accepts "
                         "only the exact value", "revisit the exact value: --exact accepts no rounding")
    return Diagnosis("rounding", f"a rounding difference: {text} shows {written.significant} significant "
                     f"digit{'s' if written.significant != 1 else ''}; write at least {wanted}",
                     f"write at least {wanted} significant digits")


def _nonzero(value):
    return bool((value != 0).any()) if arrays.is_array(value) else value != 0


MISTAKEN_NODES = 8  # the nodes nearest u whose ops' typical mistakes a wrong ∂f/∂u is compared with


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

    def diagnose(answer, grader):
        if grader.matches(answer, -correct) and _nonzero(correct):
            return Diagnosis("sign", "the sign is wrong", f"revisit the backward rules from {f} to {u_name}")
        mistaken = _mistaken(answer, grader)
        if mistaken or arrays.is_array(correct):  # the diagnoses below reason about numbers, not Jacobians
            return mistaken or _forward_value(answer, grader)
        for c, k in edges:
            if grads[c] != 1 and grader.matches(answer, local[c, k]):
                return Diagnosis("chain-rule", (
                    f"that is the local partial ∂{name(c)}/∂{u_name} alone: the chain rule multiplies it "
                    f"by the upstream gradient ∂{f}/∂{name(c)}"),
                    "revisit the chain rule: a local partial times the upstream gradient")
        through = {}  # consumer -> the gradient reaching u through it (x*x counts both uses)
        for c, k in edges:
            through[c] = through.get(c, 0) + grads[c] * local[c, k]
        if len(through) > 1:
            for c, part in through.items():
                if grader.matches(answer, part):
                    others = [name(d) for d in through if d != c]
                    reach = "directly" if others == [f] else "through " + ", ".join(others)
                    return Diagnosis("one-path", (
                        f"your ∂{f}/∂{u_name} equals the path through {name(c)} only; "
                        f"{u_name} also reaches {f} {reach}, and the paths add up"),
                        "revisit how the gradients of a node used more than once add up")
        return _forward_value(answer, grader)

    def _mistaken(answer, grader):
        """A typical mistake of an op between u and f, as its row declares it: the gradient that
        wrong rule would give, compared with the answer under the claim's rule."""
        between = graph.descendants([u])
        needed = _reaching_flags(graph, graph.outputs[0])
        nodes = [c for c in range(u + 1, graph.outputs[0] + 1)
                 if between[c] and needed[c] and graph.ops[c] and graph.ops[c].mistakes][:MISTAKEN_NODES]
        for c in nodes:
            for mistake in graph.ops[c].mistakes:
                wrong = _gradient_with(graph, values, grads, c, u, between, mistake)
                if wrong is None or not grader.matches(answer, wrong):
                    continue
                inputs = graph.args[c]
                k = next(k for k, j in enumerate(inputs) if between[j])  # the input the gradient flows through
                other = name(inputs[1 - k]) if len(inputs) == 2 else ""
                node = graph.names[c] or f"({name(c)})"  # ∂(w × x)/∂w
                said = mistake.says.format(node=node, input=name(inputs[k]), other=other, f=f)
                return Diagnosis(mistake.kind, said, mistake.revisit)
        return None

    def _forward_value(answer, grader):
        if grader.matches(answer, values[u]) and not _same_value(correct, values[u]):
            return Diagnosis("forward-value",
                             f"that is {u_name}'s forward value; its gradient is what flows back to it from {f}",
                             f"revisit what a gradient is: what flows back from {f}, not a forward value")
        return None

    return correct, uses, diagnose


def _reaching_flags(graph, root):
    flags = bytearray(len(graph))
    for node in graph.ancestors(root):
        flags[node] = 1
    return flags


def _gradient_with(graph, values, grads, c, u, between, mistake):
    """∂f/∂u as it would be if node c's op used the wrong rule `mistake` (every other rule
    right), or None when that changes nothing: the difference c sends back, carried down to u
    by one loop from c back to u (no recursion)."""
    right = contributions(graph, values, c, grads[c])
    wrong = contributions(graph, values, c, grads[c], mistake=mistake)
    carried = {}  # node -> the change in its gradient
    for j, r, w in zip(graph.args[c], right, wrong):
        if w is not None and r is not None and between[j] and arrays.shape(w) == arrays.shape(r):
            change = w - r
            carried[j] = carried[j] + change if j in carried else change
    for node in range(c - 1, u, -1):
        change = carried.pop(node, None)
        if change is None or graph.ops[node] is None or not _nonzero(change):
            continue
        for j, sent in zip(graph.args[node], contributions(graph, values, node, change)):
            if sent is not None and between[j]:
                carried[j] = carried[j] + sent if j in carried else sent
    change = carried.get(u)
    if change is None or arrays.shape(change) != arrays.shape(grads[u]) or not _nonzero(change):
        return None
    return grads[u] + change


def _formula_said(rules):
    if not rules.points:
        return "the formula, at the program's point"
    return f"the formula, at the program's point and {rules.points} random points near it, seed {rules.seed}"


def _formula_elsewhere(claim, at, rules):
    """A formula answer (y - t) checked at `rules.points` random points near the program's
    inputs (whole-number inputs, such as counts, class indices and one-hot targets, kept as
    they are): the Diagnosis at the first point where it differs from the true value, or None."""
    import random

    graph = claim.graph
    subject, answer_node = graph.outputs[:2]
    base = evaluate(graph, at, False, differentiate=[])
    inputs = {name: base.values[node] for name, node in graph.inputs.items()}
    chance = random.Random(f"{rules.seed}:{claim.line}")
    found, tries = 0, 0
    while found < rules.points and tries < 4 * rules.points:
        tries += 1
        point = {name: value if _whole(value) else _near(value, chance) for name, value in inputs.items()}
        try:
            moved = evaluate(graph, point, False, differentiate=[0] if claim.is_gradient else [])
        except GradcalcError:  # outside a domain (log of a negative): another point
            continue
        found += 1
        answer = moved.values[answer_node]
        if claim.is_gradient:
            u = graph.named.get(claim.wrt)
            correct = 0 if u is None else moved.gradients[0][u]
        else:
            correct = moved.values[subject]
        if not _close(answer, correct):
            where = ", ".join(f"{name} = {format_number(value, 6)}" for name, value in point.items())
            return Diagnosis("formula", f"your formula differs at {where}: it gives {format_number(answer, 6)}, "
                             f"the true value is {format_number(correct, 6)}",
                             f"revisit your formula: it differs from the true value at {where}")
    return None


FORMULA_AGREEMENT = 1e-9  # relative: two different float computations of one value agree this well


def _near(value, chance):
    """A random point near `value`: within 10% of its size (or of 1)."""
    if arrays.is_array(value):
        noise = arrays.np.array([chance.uniform(-0.1, 0.1) for _ in range(value.size)]).reshape(value.shape)
        return arrays.to_float(value) + noise * arrays.np.maximum(abs(arrays.to_float(value)), 1)
    value = float(value)
    return value + chance.uniform(-0.1, 0.1) * max(abs(value), 1)


def _whole(value):
    if arrays.is_array(value):
        floats = arrays.to_float(value)
        return bool((floats == arrays.np.round(floats)).all())
    return float(value) == round(float(value))


def _close(a, b):
    if arrays.shape(a) != arrays.shape(b):
        return False
    if arrays.is_array(a) or arrays.is_array(b):
        np = arrays.np
        return bool(np.allclose(arrays.to_float(a), arrays.to_float(b), rtol=FORMULA_AGREEMENT, atol=1e-12))
    return math.isclose(float(a), float(b), rel_tol=FORMULA_AGREEMENT, abs_tol=1e-12)


class Reach(NamedTuple):
    """A claimed node (u in ∂f/∂u, or a checked value) by name, and the names it depends on
    (itself included): what its answer can follow from."""

    name: str | None
    ancestors: frozenset


def _reach(claim):
    graph = claim.graph
    node = graph.named.get(claim.wrt) if claim.is_gradient else graph.outputs[0]
    if node is None:
        return Reach(claim.wrt, frozenset())
    names = frozenset(graph.names[i] for i in graph.ancestors(node) if graph.names[i])
    return Reach(graph.names[node], names)


def first_wrong(verdicts, reach):
    """The wrong claims where the reasoning first broke: for each f (and for the values), every
    wrong answer that follows from no other wrong one along the graph (`reach`: (line, text) ->
    Reach). A wrong ∂f/∂u may follow from a wrong ∂f/∂v only when v depends on u (the backward
    sweep reaches u through v); a wrong value at w from a wrong value at v only when w depends on
    v. Independent wrong answers are separate first mistakes; each says whether later wrong
    answers may follow from it."""
    wrong = [v for v in verdicts if not v.passed and v.status == "judged"]

    def follows(w, v):  # whether the wrong answer w may follow from the wrong answer v
        if w is v or w.claim.of != v.claim.of:
            return False
        rw, rv = reach[w.claim.line, w.claim.text], reach[v.claim.line, v.claim.text]
        if rw.name is not None and rw.name == rv.name:  # the same node: the earlier line is first
            return (v.claim.line, v.claim.text) < (w.claim.line, w.claim.text)
        if w.claim.is_gradient:
            return rw.name is not None and rw.name in rv.ancestors
        return rv.name is not None and rv.name in rw.ancestors

    firsts = [v for v in wrong if not any(follows(v, other) for other in wrong)]
    return [FirstWrong(v, any(follows(w, v) for w in wrong)) for v in firsts]


def _following(verdict, gradients, grader):
    """`verdict`, said to follow from an earlier wrong answer when it is what the student's own
    answers about ∂f/∂c for each consumer c of u give, under the claim's rule (`gradients`:
    (f, c) -> Verdict); otherwise as it is."""
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
        if upstream is None or upstream.answer is None or arrays.is_array(upstream.answer):
            return verdict
        implied += upstream.answer * partial
        wrong = wrong or (None if upstream.passed else upstream)
    if wrong is None or not grader.matches(verdict.answer, implied):
        return verdict
    return replace(verdict, diagnosis=(
        f"this follows from your ∂{wrong.claim.of}/∂{wrong.claim.wrt} on line {wrong.claim.line}, "
        f"which is wrong; given that answer, this step is right"
    ), diagnosis_kind="follows", revisit=(
        f"this follows from your wrong answer on line {wrong.claim.line}; revisit that one first"))
