"""Engine: gradcalc's forward and backward walks alone, in-process, the graph already parsed,
in floats, against the flat tape (bench/tape.py: the same graph as op codes and index lists,
one loop each way). Parsing and printing are left out, so this is the cost per operation of
the walks themselves, and how much dearer the backward walk is than the forward one."""

import importlib

import gradcalc

from . import report, workloads
from .endtoend import agree
from .tape import FlatTape
from .timing import side_by_side

# `gradcalc.evaluate` is the API function; the module of the two walks is reached by name.
walks = importlib.import_module("gradcalc.evaluate")


def measure(graph, repeats, what):
    """Rounds of gradcalc.evaluate, gradcalc's forward and backward walks, and the flat tape's,
    on `graph` at workloads.AT, after checking that both give the same gradient."""
    at = {name: value for name, value in workloads.AT.items() if name in graph.inputs}
    output = graph.outputs[0]
    tape = FlatTape(graph)
    agree(gradcalc.evaluate(graph, at=at, exact=False).gradient, tape.gradient(tape.backward(tape.forward(at))), what)
    values, tape_values = walks.forward(graph, at, False), tape.forward(at)
    rounds = side_by_side({
        "evaluate": lambda: gradcalc.evaluate(graph, at=at, exact=False),
        "forward": lambda: walks.forward(graph, at, False),
        "backward": lambda: walks.backward(graph, values, output, False),
        "tape forward": lambda: tape.forward(at),
        "tape backward": lambda: tape.backward(tape_values),
    }, repeats)
    return rounds


def section(quick, workdir):
    size = 1_000 if quick else 100_000
    base_repeats = 5 if quick else 10
    cases = {
        "the seed problem (shopping bill)": workloads.SEED,
        f"random expression, {report.count(size)} operations": workloads.random_expression(size),
        f"chain, {report.count(size)} operations": workloads.chain(size // 2 + 1),
        f"nesting, {report.count(size)} deep": workloads.nesting(size),
    }
    table = report.Table(["workload", "operations", "evaluate", "forward", "backward", "flat tape forward",
                          "flat tape backward", "fwd + bwd vs flat tape", "backward / forward",
                          "flat tape backward / forward"])
    targets = []
    for what, text in cases.items():
        graph = gradcalc.parse(text)
        rounds = measure(graph, max(base_repeats, min(200, 100_000 // len(graph))), what)
        operations = sum(op is not None for op in graph.ops)
        versus_tape = rounds.ratio(("forward", "backward"), ("tape forward", "tape backward"))
        backward_share = rounds.ratio("backward", "forward")
        table.add(what, f"{operations:,}",
                  *(report.per_operation(rounds.median(step), operations)
                    for step in ("evaluate", "forward", "backward", "tape forward", "tape backward")),
                  report.ratio(versus_tape), report.ratio(backward_share),
                  report.ratio(rounds.ratio("tape backward", "tape forward")))
        if operations >= 1000:  # the seed problem's 4 operations measure the per-call overhead, not the walks
            targets.append(report.Target(f"engine, {what}: forward + backward / flat tape", versus_tape, 1.5))
            targets.append(report.Target(f"engine, {what}: backward / forward", backward_share, 1.6))
    return report.Section(
        "Engine",
        "In-process, graph parsed once, floats: `gradcalc.evaluate(graph, at=…, exact=False)`, and its two walks "
        "`forward(graph, at, False)` and `backward(graph, values, output, False)` from `gradcalc/evaluate.py`, "
        "against the flat tape's loops on the same graph, taking turns; medians in µs per operation (node that "
        "is not a leaf), ratios as medians over rounds. Every run checks that both give the same gradient.",
        [table],
        targets,
    )
