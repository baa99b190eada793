"""Scale: whether gradcalc's cost stays linear and its memory bounded on a million operations,
through the command line with --float. Ten times the operations should take at most twelve
times as long; a million-deep nesting and a million-term chain must work (the parser and both
walks are loops, so no recursion limit applies), at about a kilobyte per node.

Tens of seconds a run: only in the full run."""

from . import report, workloads
from .endtoend import POINT
from .timing import gradcalc_command, run, run_checked, side_by_side

TIMEOUT = 600  # seconds: a run past this has failed the scale test anyway


def section(quick, workdir):
    if quick:
        return report.Section("Scale", "Skipped in --quick (a million operations take tens of seconds).")
    gradcalc = gradcalc_command() + ["eval", "--float", "--format", "plain", "--at", POINT]
    small, big = "random expression, 10⁵ operations", "random expression, 10⁶ operations"
    million = (big, "nesting, 10⁶ deep", "chain, 10⁶ terms")
    texts = {
        small: ("random-100000", workloads.random_expression(100_000)),
        big: ("random-1000000", workloads.random_expression(1_000_000)),
        million[1]: ("nesting-1000000", workloads.nesting(1_000_000)),
        million[2]: ("chain-1000000", workloads.chain(1_000_000)),
    }
    paths = {what: workloads.write(workdir, name, text) for what, (name, text) in texts.items()}
    nodes = {what: workloads.nodes(text) for what, (_, text) in texts.items()}

    rounds = side_by_side({what: (lambda path=paths[what]: run_checked(gradcalc + ["-f", str(path)], timeout=TIMEOUT))
                           for what in (small, big)}, repeats=3, warmup=False)
    runs = dict(rounds.last)
    times = {what: rounds.median(what) for what in (small, big)}
    for what in million[1:]:
        runs[what] = run(gradcalc + ["-f", str(paths[what])], timeout=TIMEOUT)
        times[what] = runs[what].seconds

    table = report.Table(["workload", "nodes", "exit code", "time", "peak RSS", "KB per node"])
    targets = [report.Target("scale, random expression: time at 10⁶ / time at 10⁵ operations",
                             rounds.ratio(big, small), 12.0)]
    for what, done in runs.items():
        kb_per_node = done.peak_kb / nodes[what] if done.ok and done.peak_kb else None
        exit_code = done.failure() if done.timed_out else done.exit_code
        table.add(what, f"{nodes[what]:,}", exit_code, report.seconds(times[what]), report.memory(done.peak_kb),
                  "n/a" if kb_per_node is None else f"{kb_per_node:.2f}")
        if what in million:
            targets.append(report.Target(f"scale, {what}: peak RSS per node", kb_per_node, 1.0, " KB"))
    return report.Section(
        "Scale",
        f"`{' '.join(gradcalc)} -f FILE` as a subprocess; the two random expressions taking turns 3 times "
        "(medians, and the median ratio within a round), the nesting and the chain once. Peak RSS is gradcalc's "
        "maximum resident set (GNU time's %M), interpreter included; nodes are the graph's (operations, literals, "
        "and one per name).",
        [table],
        targets,
        [f"{what}: {done.failure()}" for what, done in runs.items() if not done.ok],
    )
