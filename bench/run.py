"""Run gradcalc's benchmarks and print (and write as Markdown) a table of medians and ratios
against peers measured in the same run.

    python -m bench            # the full run
    python -m bench --quick    # a smoke test: small sizes, few repeats (what CI runs)
"""

import argparse
import platform
import sys
import time
from pathlib import Path

from . import network

RESULTS = Path(__file__).parent / "results"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats, to check the bench runs")
    options = parser.parse_args(argv)

    lines = [f"# gradcalc benchmarks ({'quick' if options.quick else 'full'} run)", "",
             f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {platform.machine()}, "
             f"{platform.processor() or platform.system()}", ""]

    batch = "8" if options.quick else "64"
    lines += [f"## Two-layer network, forward + backward (batch {batch}, 784 → 100 → 10, float64)", "",
              "| implementation | median | vs PyTorch float64, same gradients |", "|---|---|---|"]
    for what, seconds, reference in network.run(options.quick):
        ratio = f"{seconds / reference:.2f}×" if reference else "(PyTorch not installed)"
        lines.append(f"| {what} | {seconds * 1e3:.3f} ms | {ratio} |")
    lines.append("")

    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("quick.md" if options.quick else "latest.md")).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
