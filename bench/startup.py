"""Start-up: how long a user waits for the smallest answer. `gradcalc eval "x*y"` through the
console script, against a bare Python that imports what gradcalc's command line is built on
(click, rich, lark) and does nothing else: gradcalc should cost no more than its imports."""

import sys

from . import report
from .endtoend import read_plain_gradient
from .timing import gradcalc_command, run_checked, side_by_side

BARE_IMPORTS = "import click, rich.console, rich.tree, lark"


def section(quick, workdir):
    repeats = 5 if quick else 20
    point = ["--at", "x=2,y=3"]
    commands = {
        "gradcalc": gradcalc_command() + ["eval", "x*y", *point, "--format", "plain"],
        "gradcalc, rich": gradcalc_command() + ["eval", "x*y", *point, "--format", "rich"],
        "imports": [sys.executable, "-c", BARE_IMPORTS],
        "python": [sys.executable, "-c", "pass"],
    }
    rounds = side_by_side({name: (lambda argv=argv: run_checked(argv)) for name, argv in commands.items()}, repeats)
    last = rounds.last
    if read_plain_gradient(last["gradcalc"].stdout) != {"x": 3, "y": 2}:
        raise RuntimeError(f"gradcalc eval x*y at x=2, y=3 did not answer ∂/∂x = 3, ∂/∂y = 2: "
                           f"{last['gradcalc'].stdout!r}")

    shown = {
        "gradcalc": 'gradcalc eval "x*y" --at x=2,y=3 --format plain',
        "gradcalc, rich": 'gradcalc eval "x*y" --at x=2,y=3 --format rich (what a terminal gets)',
        "imports": f'python -c "{BARE_IMPORTS}"',
        "python": 'python -c "pass" (the interpreter alone)',
    }
    table = report.Table(["command", "median", "peak RSS", "vs bare imports (median of pairs)"])
    for name in commands:
        table.add(shown[name], report.seconds(rounds.median(name)), report.memory(last[name].peak_kb),
                  report.ratio(rounds.ratio(name, "imports")))
    return report.Section(
        "Start-up",
        f"Each command run {repeats} times, the commands taking turns; medians, and the median over rounds of "
        f"each one's time over the bare imports' time in the same round. gradcalc is `{' '.join(gradcalc_command())}`.",
        [table],
        [report.Target("start-up: gradcalc eval x*y / bare imports", rounds.ratio("gradcalc", "imports"), 1.0)],
    )
