"""Timing helpers shared by every measurement: medians of repeated runs, rounds that run the
things compared side by side (so a slow moment of the machine hits both), and subprocesses
timed with their peak memory.

Absolute times on a shared machine are noisy; a ratio taken within each round, then the median
over rounds, is what the targets are judged on."""

import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path


class Rounds:
    """Seconds per round for each of several steps run side by side, and each step's last
    result (only the last: a round's garbage kept would slow the next rounds' collections)."""

    def __init__(self, names):
        self.times = {name: [] for name in names}
        self.last = {}

    def median(self, name):
        return statistics.median(self.times[name])

    def ratio(self, numerator, denominator):
        """The median over rounds of numerator's time / denominator's time in the same round;
        either may be a tuple of names, whose times are added."""
        top, bottom = self._summed(numerator), self._summed(denominator)
        return statistics.median(t / b for t, b in zip(top, bottom))

    def _summed(self, names):
        names = (names,) if isinstance(names, str) else names
        return [sum(round_times) for round_times in zip(*(self.times[name] for name in names))]


def side_by_side(steps, repeats, warmup=True):
    """Run every step (name -> callable) once per round for `repeats` rounds, rotating which
    goes first; keep each call's time and each step's last result. `warmup` runs each once
    untimed first (imports, caches, the first allocation of big lists)."""
    if warmup:
        for step in steps.values():
            step()
    gc.collect()
    rounds = Rounds(steps)
    names = list(steps)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            result = steps[name]()
            rounds.times[name].append(time.perf_counter() - start)
            rounds.last[name] = result
    return rounds


def median_time(step, repeats):
    """The median of `repeats` timed calls of `step`, after one untimed call."""
    return side_by_side({"step": step}, repeats).median("step")


@dataclass
class Completed:
    """A finished subprocess: wall time from start to exit, exit code, peak resident memory."""

    argv: list
    seconds: float
    exit_code: int
    peak_kb: int | None  # the command's maximum resident set size in KB (None: not measured)
    timed_out: bool = False
    stdout: bytes = b""
    stderr: bytes = field(default=b"", repr=False)

    @property
    def ok(self):
        return self.exit_code == 0 and not self.timed_out

    def failure(self):
        """Why it failed, in a few words: the timeout, or the last line of its standard error."""
        if self.timed_out:
            return f"timed out (> {self.seconds:.0f} s)"
        lines = self.stderr.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self.exit_code}"


def run_checked(argv, **options):
    """`run`, for a command that must succeed: a failure raises, with its reason."""
    done = run(argv, **options)
    if not done.ok:
        raise RuntimeError(f"{' '.join(done.argv)} failed: {done.failure()}")
    return done


# GNU time, when installed, reports a command's peak memory. Not os.wait4 or RUSAGE_CHILDREN:
# on Linux a child's maximum RSS starts from its parent's peak at the fork, and the bench's own
# process holds big graphs and PyTorch. GNU time is a small parent, and it reads the command's.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(argv, stdin=None, timeout=None, cwd=None):
    """Run `argv` to its end; its wall time, exit code, peak RSS (None without GNU time) and
    output. `stdin` is a file to read from (else nothing); the output goes through a file, so a
    big one costs the command no pipe waits. Past `timeout` seconds it is killed and reported
    as timed out. `cwd`: where it runs."""
    with (open(stdin, "rb") if stdin else nullcontext(subprocess.DEVNULL)) as source, \
            tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as memory:
        launcher = [GNU_TIME, "-f", "%M", "-o", memory.name] if GNU_TIME else []
        start = time.perf_counter()
        process = subprocess.Popen(launcher + list(argv), stdin=source, stdout=out, stderr=err, cwd=cwd,
                                   start_new_session=True)
        killed = threading.Event()
        watchdog = threading.Timer(timeout or 0, _kill_group, (process.pid, killed))
        if timeout:
            watchdog.start()
        exit_code = process.wait()  # blocking: a wait with a timeout polls, and would add its polling delay
        seconds = time.perf_counter() - start
        watchdog.cancel()
        timed_out = killed.is_set()
        peak = memory.read().split()  # GNU time's lines: "Command exited with …" if it failed, then %M
        out.seek(0)
        err.seek(0)
        return Completed(list(argv), seconds, exit_code, int(peak[-1]) if peak and not timed_out else None,
                         timed_out, out.read(), err.read())


def _kill_group(pid, killed):
    """Kill a command and anything it started (its own session: GNU time and the command)."""
    killed.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:  # it has just exited
        pass


def gradcalc_command():
    """How users run gradcalc: the console script installed beside this Python (that is, in
    this environment), else `python -m gradcalc`."""
    script = Path(sys.executable).parent / "gradcalc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gradcalc"]


BENCH = Path(__file__).parent


def python_script(name):
    """The command that runs one of bench/'s standalone scripts (minimal.py, minimal_lines.py)."""
    return [sys.executable, str(BENCH / name)]
