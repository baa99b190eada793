"""End to end: what a user pays for a big problem, launch to last line. `gradcalc eval -f FILE
--float --format plain --precision full` (every digit, as the reference prints) as a subprocess, against bench/minimal.py (the same imports, a bare Lark
LALR parser building a flat tape, two loops) on the same file; and gradcalc's exact arithmetic
against its own --float on a program where every value is a fraction."""

import math
import re

from . import report, workloads
from .timing import gradcalc_command, python_script, run_checked, side_by_side

POINT = "x=0.5,y=-0.25,z=0.75"


def read_plain_gradient(text):
    """{input: ∂f/∂input} from the input table that ends gradcalc's plain output."""
    lines = text.decode().splitlines()
    header = max(i for i, line in enumerate(lines) if line.startswith("input "))
    return {name: float(grad) for name, _, grad in (line.split() for line in lines[header + 1:] if line.strip())}


def read_minimal_gradient(text):
    """{input: ∂f/∂input} from minimal.py's `d/dNAME VALUE` lines."""
    return {match[1]: float(match[2]) for match in re.finditer(r"^d/d(\S+) (\S+)$", text.decode(), re.MULTILINE)}


def agree(mine, theirs, what):
    """gradcalc's gradient is the reference's (a benchmark of wrong answers is worthless)."""
    close = all(math.isclose(mine[k], theirs.get(k, math.nan), rel_tol=1e-9, abs_tol=1e-12) for k in mine)
    if mine.keys() != theirs.keys() or not close:
        raise RuntimeError(f"{what}: gradcalc's gradient {mine} is not the reference's {theirs}")


def section(quick, workdir):
    size = 1_000 if quick else 100_000
    repeats = 3 if quick else 5
    gradcalc = gradcalc_command() + ["eval", "--format", "plain", "--precision", "full", "--at", POINT]
    minimal = python_script("minimal.py")
    table = report.Table(["workload", "gradcalc", "reference", "median", "reference median", "ratio (median of pairs)",
                          "peak RSS", "reference peak RSS"])
    targets = []

    files = {
        f"random expression, {report.count(size)} operations": workloads.write(
            workdir, f"random-{size}", workloads.random_expression(size)),
        f"chain, {report.count(size)} terms": workloads.write(workdir, f"chain-{size}", workloads.chain(size)),
    }
    for what, path in files.items():
        rounds = side_by_side({
            "gradcalc": lambda: run_checked(gradcalc + ["-f", str(path), "--float"]),
            "minimal": lambda: run_checked(minimal + [str(path)] + POINT.split(",")),
        }, repeats)
        mine, theirs = rounds.last["gradcalc"], rounds.last["minimal"]
        agree(read_plain_gradient(mine.stdout), read_minimal_gradient(theirs.stdout), what)
        figure = rounds.ratio("gradcalc", "minimal")
        table.add(what, "--float", "bench/minimal.py", report.seconds(rounds.median("gradcalc")),
                  report.seconds(rounds.median("minimal")), report.ratio(figure), report.memory(mine.peak_kb),
                  report.memory(theirs.peak_kb))
        targets.append(report.Target(f"end to end, {what}: gradcalc / minimal pipeline", figure, 1.3))

    what = f"rational program, {report.count(size)} operations"
    path = workloads.write(workdir, f"rational-{size}", workloads.rational(size))
    rounds = side_by_side({
        "exact": lambda: run_checked(gradcalc + ["-f", str(path)]),
        "float": lambda: run_checked(gradcalc + ["-f", str(path), "--float"]),
    }, repeats)
    exact, floats = rounds.last["exact"], rounds.last["float"]
    figure = rounds.ratio("exact", "float")
    table.add(what, "exact", "gradcalc --float", report.seconds(rounds.median("exact")),
              report.seconds(rounds.median("float")), report.ratio(figure), report.memory(exact.peak_kb),
              report.memory(floats.peak_kb))
    targets.append(report.Target(f"end to end, {what}: exact / --float", figure, 2.0))

    return report.Section(
        "End to end",
        f"`{' '.join(gradcalc_command())} eval -f FILE --format plain --precision full --at {POINT}` as a subprocess, from launch to "
        f"exit, and its reference on the same file, taking turns {repeats} times; medians, and the median over "
        "rounds of the ratio within a round. Every run checks that both give the same gradients.",
        [table],
        targets,
    )
