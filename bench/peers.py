"""Peers: the same expressions differentiated by other tools. gradcalc's API, the flat tape,
micrograd, PyTorch on scalar tensors and SymPy each build the expression (from gradcalc's parsed
graph, replayed with the peer's own operations), evaluate it and take the gradient of every
input; each peer absent is skipped. Sizes go up by tens until a peer crashes (micrograd
recurses once per level of depth) or passes the time cap.

Every attempt runs in its own subprocess (`python -m bench.peers PEER WORKLOAD OPERATIONS`,
which prints one JSON object), so a crash, a runaway recursion or a timeout costs only that
attempt."""

import importlib
import importlib.util
import json
import math
import operator
import statistics
import sys
import time

from . import report, workloads
from .tape import FlatTape
from .timing import BENCH, run

ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
TIME_CAP = 10.0  # seconds for one attempt, start-up included
KINDS = {"random": "random expression", "chain": "chain"}


def workload(kind, operations):
    """The text of a workload every peer can build: + - * / only (micrograd has no sin)."""
    if kind == "random":
        return workloads.random_expression(operations, functions=False)
    return workloads.chain(operations // 2 + 1)


def replay(graph, leaf, inputs):
    """The graph's output built with a peer's numbers: `leaf(value)` for a literal, `inputs[name]`
    for an input, and Python's operators for the operations."""
    values = []
    for op, args, value, name in zip(graph.ops, graph.args, graph.leaf_values, graph.names):
        if op is None:
            values.append(inputs[name] if name in inputs else leaf(value))
        else:
            values.append(ARITHMETIC[op.name](*(values[j] for j in args)))
    return values[graph.outputs[0]]


class Peer:
    """One tool's way through a workload, given as gradcalc source `text`, its parsed `graph` and
    the point `at`: build() makes the tool's expression, forward() returns the output's value,
    backward() {input: gradient}. An `eager` tool computes values while it builds, so its
    forward only reads the result."""

    module = None  # what must be importable for the peer to run
    eager = False

    def __init__(self, text, graph, at):
        self.text, self.graph, self.at = text, graph, at


class Gradcalc(Peer):
    """gradcalc's API: parse the text, then its forward and backward walks in floats."""

    module = "gradcalc"

    def build(self):
        import gradcalc

        self.walks = importlib.import_module("gradcalc.evaluate")  # `gradcalc.evaluate` is the API function
        self.parsed = gradcalc.parse(self.text)

    def forward(self):
        self.values = self.walks.forward(self.parsed, self.at, False)
        return self.values[self.parsed.outputs[0]]

    def backward(self):
        grads = self.walks.backward(self.parsed, self.values, self.parsed.outputs[0], False)
        return {name: grads[node] for name, node in self.parsed.inputs.items()}


class Tape(Peer):
    """The flat tape (bench/tape.py), built from gradcalc's graph."""

    def build(self):
        self.tape = FlatTape(self.graph)

    def forward(self):
        self.values = self.tape.forward(self.at)
        return self.values[self.tape.output]

    def backward(self):
        return self.tape.gradient(self.tape.backward(self.values))


class Micrograd(Peer):
    """Karpathy's micrograd: a Value object per node, a closure per backward rule, and a
    recursive topological sort in backward()."""

    module = "micrograd"
    eager = True

    def build(self):
        from micrograd.engine import Value

        self.inputs = {name: Value(value) for name, value in self.at.items()}
        self.output = replay(self.graph, lambda value: Value(float(value)), self.inputs)

    def forward(self):
        return self.output.data

    def backward(self):
        self.output.backward()
        return {name: value.grad for name, value in self.inputs.items()}


class Torch(Peer):
    """PyTorch's autograd on 0-dimensional float64 tensors, one tensor per node."""

    module = "torch"
    eager = True

    def build(self):
        import torch

        self.inputs = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
                       for name, value in self.at.items()}
        self.output = replay(self.graph, lambda value: torch.tensor(float(value), dtype=torch.float64), self.inputs)

    def forward(self):
        return self.output.item()

    def backward(self):
        self.output.backward()
        return {name: value.grad.item() for name, value in self.inputs.items()}


class Sympy(Peer):
    """SymPy: the expression as a symbolic one (exact literals), its value by substitution, each
    gradient by symbolic differentiation, then substitution."""

    module = "sympy"

    def build(self):
        import sympy

        self.symbols = {name: sympy.Symbol(name) for name in self.at}
        self.expression = replay(self.graph, lambda value: sympy.Rational(value.numerator, value.denominator),
                                 self.symbols)

    def forward(self):
        self.point = {self.symbols[name]: value for name, value in self.at.items()}
        return float(self.expression.subs(self.point))

    def backward(self):
        return {name: float(self.expression.diff(symbol).subs(self.point)) for name, symbol in self.symbols.items()}


PEERS = {"gradcalc": Gradcalc, "flat tape": Tape, "micrograd": Micrograd, "PyTorch (scalar tensors)": Torch,
         "SymPy": Sympy}


def attempt(peer, kind, operations):
    """Build, forward and backward of one peer on one workload, each timed: medians of up to 5
    repeats, fewer once a second has gone (one for a slow peer), after a warm-up on a small
    expression (imports, PyTorch's first-call set-up)."""
    import gradcalc

    def prepared(text):
        graph = gradcalc.parse(text)
        return PEERS[peer](text, graph, {name: value for name, value in workloads.AT.items() if name in graph.inputs})

    warmup = prepared(workload(kind, 10))
    warmup.build()
    warmup.forward()
    warmup.backward()
    tool = prepared(workload(kind, operations))
    samples = {"build": [], "forward": [], "backward": []}
    while len(samples["build"]) < 5 and sum(map(sum, samples.values())) < 1.0:
        times = [time.perf_counter()]
        tool.build()
        times.append(time.perf_counter())
        value = tool.forward()
        times.append(time.perf_counter())
        gradient = tool.backward()
        times.append(time.perf_counter())
        for step, (before, after) in zip(samples, zip(times, times[1:])):
            samples[step].append(after - before)
    return {"operations": sum(op is not None for op in tool.graph.ops), "value": value, "gradient": gradient,
            **{step: statistics.median(seconds) for step, seconds in samples.items()}}


def agrees(found, reference):
    """Whether an attempt's value and gradient are the flat tape's (to 1e-6: SymPy is exact)."""
    pairs = [(found["value"], reference["value"])] + [(found["gradient"].get(name), grad)
                                                       for name, grad in reference["gradient"].items()]
    return all(x is not None and math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-12) for x, y in pairs)


def outcomes(peer, kinds, sizes):
    """{(kind, size): the attempt's figures, or why it failed}, trying sizes in increasing order
    and stopping at the first failure."""
    found = {}
    for kind in kinds:
        for size in sizes:
            done = run([sys.executable, "-m", "bench.peers", peer, kind, str(size)], timeout=TIME_CAP, cwd=BENCH.parent)
            found[kind, size] = json.loads(done.stdout) if done.ok else done.failure()
            if not done.ok:
                break
    return found


def section(quick, workdir):
    sizes = (100,) if quick else (1_000, 10_000, 100_000)
    timed = sizes[:2]
    kinds = ("random",) if quick else ("random", "chain")
    results, missing = {}, []
    for peer, tool in PEERS.items():
        if tool.module and importlib.util.find_spec(tool.module) is None:
            missing.append(peer)
        else:
            results[peer] = outcomes(peer, kinds, sizes)
    reference = results["flat tape"]
    for found in results.values():
        for key, figures in found.items():
            expected = reference.get(key)
            if isinstance(figures, dict) and isinstance(expected, dict) and not agrees(figures, expected):
                found[key] = f"wrong answer: {figures['value']}, {figures['gradient']}"

    timings = report.Table(["peer", "operations", "build", "forward", "backward", "total", "total vs flat tape",
                            "forward + backward vs flat tape"])
    for peer, found in results.items():
        for size in timed:
            figures = found.get(("random", size), "not tried (a smaller size failed)")
            if isinstance(figures, str):
                timings.add(peer, report.count(size), figures, *[""] * 5)
                continue
            n, tape = figures["operations"], reference["random", size]
            total = figures["build"] + figures["forward"] + figures["backward"]
            walks = figures["forward"] + figures["backward"]
            eager = PEERS[peer].eager
            timings.add(peer, report.count(size), report.per_operation(figures["build"], n),
                        "in build" if eager else report.per_operation(figures["forward"], n),
                        report.per_operation(figures["backward"], n), report.per_operation(total, n),
                        report.ratio(total / (tape["build"] + tape["forward"] + tape["backward"])),
                        "—" if eager else report.ratio(walks / (tape["forward"] + tape["backward"])))
    for peer in missing:
        timings.add(peer, "", "not installed", *[""] * 5)
    tables = [timings]

    if not quick:
        limits = report.Table(["peer"] + [f"largest {KINDS[kind]} handled" for kind in kinds])
        for peer, found in results.items():
            limits.add(peer, *(largest(found, kind, sizes) for kind in kinds))
        tables.append(limits)
    return report.Section(
        "Peers",
        f"Each peer builds the workload (a random expression of + - * / over x, y, z, which every peer can "
        f"express; and a chain x + x·c + …, as deep as it is long) from gradcalc's parsed graph with its own "
        f"operations, computes the value, then every input's gradient. Each attempt in its own subprocess, capped "
        f"at {TIME_CAP:.0f} s (start-up and parsing included); times are the attempt's own medians over up to 5 "
        f"repeats, in µs per operation. gradcalc's build is parsing the text, the others' is replaying the parsed "
        f"graph; an eager peer (micrograd, PyTorch) computes the values while it builds, so only its total "
        f"compares. Sizes go up by ×10 until one fails. Answers are checked against the flat tape's. SymPy "
        f"collapses the chain into one term (c·x) as it builds it, so the chain costs it little.",
        tables,
    )


def largest(found, kind, sizes):
    """The largest size a peer handled on one workload, and what happened at the next."""
    handled = [size for size in sizes if isinstance(found.get((kind, size)), dict)]
    failed = [(size, found[kind, size]) for size in sizes if isinstance(found.get((kind, size)), str)]
    text = report.count(handled[-1]) if handled else "none"
    if failed:
        size, why = failed[0]
        text += f" ({report.count(size)}: {why})"
    else:
        text += " (every size tried)"
    return text


if __name__ == "__main__":
    peer, kind, operations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(attempt(peer, kind, operations)))
