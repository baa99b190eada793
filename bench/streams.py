"""Streams: a class's worksheet of one-line problems piped through `gradcalc eval --format json`,
against bench/minimal_lines.py (a bare Lark LALR parser per line, two loops, one JSON object
per problem, flushed), each mode against the reference doing the same arithmetic: gradcalc's
default exact mode against `minimal_lines.py --exact` (ints and Fractions), `--float` against
floats. Throughput, peak memory (it should not grow with the stream), and whether the first
answer comes out while the input is still open."""

import json
import math
import select
import subprocess
import time

from . import report, workloads
from .timing import gradcalc_command, python_script, run_checked, side_by_side

POINT = "x=0.5,y=-0.25"


def first_answer(argv, line, timeout=10.0):
    """Seconds from launching `argv` and writing one line to its standard input (left open) to
    its first line of output; None if none comes within `timeout`."""
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        start = time.perf_counter()
        process.stdin.write(line)
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        return time.perf_counter() - start if ready else None
    finally:
        process.stdin.close()
        process.stdout.read()
        process.wait()


def answers(stdout):
    """(problem, value, gradient) of each JSON object of a run's output, one per line."""
    for line in stdout.splitlines():
        answer = json.loads(line)
        yield answer["expr"], answer["value"], answer["gradient"]


def same_answers(mine, theirs, lines):
    """Both answered every problem, with the same values and gradients."""
    count = 0
    for (expr, value, gradient), (_, their_value, their_gradient) in zip(mine, theirs, strict=True):
        count += 1
        pairs = [(value, their_value)] + [(gradient[name], their_gradient.get(name)) for name in gradient]
        if gradient.keys() != their_gradient.keys() or not all(
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in pairs):
            raise RuntimeError(f"{expr}: gradcalc says {value}, {gradient}; "
                               f"the reference {their_value}, {their_gradient}")
    if count != lines:
        raise RuntimeError(f"{lines:,} problems, but {count:,} answers")


def section(quick, workdir):
    lines = 1_000 if quick else 100_000
    repeats = 3
    path = workloads.write(workdir, f"problems-{lines}", workloads.problem_file(lines))
    gradcalc = gradcalc_command() + ["eval", "--format", "json", "--at", POINT]
    reference = python_script("minimal_lines.py")
    point = " ".join(POINT.split(","))
    pipelines = {  # name: (command, as shown, the reference doing the same arithmetic)
        "gradcalc": (gradcalc, f"`gradcalc eval --format json --at {POINT} < problems.gc` (exact)", "minimal exact"),
        "gradcalc --float": (gradcalc + ["--float"], "the same with `--float`", "minimal"),
        "minimal exact": (reference + ["--exact"] + POINT.split(","),
                          f"`python bench/minimal_lines.py --exact {point} < problems.gc`", "minimal exact"),
        "minimal": (reference + POINT.split(","), f"`python bench/minimal_lines.py {point} < problems.gc` (floats)",
                    "minimal"),
    }
    rounds = side_by_side({name: (lambda argv=argv: run_checked(argv, stdin=path))
                           for name, (argv, _, _) in pipelines.items()}, repeats, warmup=quick)
    last = rounds.last
    for name in ("gradcalc", "gradcalc --float", "minimal exact"):
        same_answers(answers(last[name].stdout), answers(last["minimal"].stdout), lines)

    table = report.Table(["pipeline", "median", "problems per second", "vs the reference in the same arithmetic",
                          "vs the float reference", "peak RSS"])
    for name, (_, shown, same) in pipelines.items():
        table.add(shown, report.seconds(rounds.median(name)), f"{lines / rounds.median(name):,.0f}",
                  report.ratio(rounds.ratio(name, same)), report.ratio(rounds.ratio(name, "minimal")),
                  report.memory(last[name].peak_kb))
    latency = first_answer(gradcalc, path.read_bytes().split(b"\n", 1)[0] + b"\n")
    streamed = (f"gradcalc's first answer came {report.seconds(latency)} after launch, the input still open."
                if latency is not None
                else "gradcalc gave no answer within 10 s of its first line, the input still open.")
    return report.Section(
        "Streams",
        f"{lines:,} one-line problems (bench/workloads.problem_file) on standard input from a file, output to a "
        f"file; the pipelines taking turns {repeats} times, medians and the median ratio within a round. Every run "
        "checks that each gives the same values and gradients for every problem as the float reference. Each "
        "mode is held to the reference doing the same arithmetic (the exact reference keeps ints and Fractions, "
        "as gradcalc does, and writes them as floats); the last column shows what exactness costs.",
        [table],
        [report.Target(f"streams, {lines:,} problems, exact: gradcalc / the exact reference",
                       rounds.ratio("gradcalc", "minimal exact"), 1.5),
         report.Target(f"streams, {lines:,} problems, --float: gradcalc / the float reference",
                       rounds.ratio("gradcalc --float", "minimal"), 1.5)],
        [streamed, "gradcalc's default exact mode against the float reference: "
                   f"{report.ratio(rounds.ratio('gradcalc', 'minimal'))}."],
    )
