"""Run gradcalc's benchmarks and print (and write as Markdown) a table of medians and ratios
against references and peers measured in the same run.

    python -m bench                    # the full run (several minutes)
    python -m bench --quick            # a smoke test: small sizes, few repeats (what CI runs)
    python -m bench --only engine      # some families alone (repeatable), into results/latest-engine.md
"""

import argparse
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import endtoend, engine, network, peers, report, scale, startup, streams

RESULTS = Path(__file__).parent / "results"

# Each family: a module whose section(quick, workdir) measures and returns a report.Section.
FAMILIES = {
    "startup": startup,
    "endtoend": endtoend,
    "engine": engine,
    "streams": streams,
    "scale": scale,
    "peers": peers,
    "network": network,
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats, to check the bench runs")
    parser.add_argument("--only", action="append", choices=FAMILIES, metavar="FAMILY",
                        help=f"run only this family ({', '.join(FAMILIES)}); repeatable")
    options = parser.parse_args(argv)

    started = time.perf_counter()
    sections, failed = [], []
    with tempfile.TemporaryDirectory(prefix="gradcalc-bench-") as workdir:
        for name in options.only or FAMILIES:
            print(f"bench: {name} …", file=sys.stderr, flush=True)
            began = time.perf_counter()
            try:
                section = FAMILIES[name].section(options.quick, Path(workdir))
            except Exception:  # one broken family is reported, and the others still run
                failed.append(name)
                section = report.Section(name, f"**Failed:**\n\n```\n{traceback.format_exc()}```")
            section.notes.append(f"This section took {time.perf_counter() - began:.0f} s.")
            sections.append(section)

    kind = "quick" if options.quick else "full"
    text = "\n\n".join([
        f"# gradcalc benchmarks ({kind} run)",
        f"{time.strftime('%Y-%m-%d %H:%M')}, {_revision()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.processor() or platform.system()}; the whole run took "
        f"{time.perf_counter() - started:.0f} s.",
        "## Targets",
        report.targets_table(sections).markdown(),
        *(section.markdown() for section in sections),
    ])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = "-".join(["quick" if options.quick else "latest", *(options.only or [])])  # latest-engine.md: a part
    (RESULTS / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _revision():
    """The commit measured, marked + when the work tree differs from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=RESULTS.parent, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=RESULTS.parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {commit}{'+' if dirty else ''}"


if __name__ == "__main__":
    sys.exit(main())
