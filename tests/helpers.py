"""What several test modules share: running `gradcalc eval` in-process, checking a clean
failure, and hypothesis strategies for numbers and float arrays."""

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradcalc.cli import main

TRACEBACK = "Traceback (most recent call last)"

SIDE = st.integers(min_value=1, max_value=4)


def gc(*args, input=None):
    """`gradcalc eval ARGS...` in-process (CliRunner: stdout is not a terminal, so plain)."""
    return CliRunner().invoke(main, ["eval", *map(str, args)], input=input)


@contextlib.contextmanager
def running(args, **options):
    """A process started with pipes to its standard streams (bytes unless `text=True` is among
    `options`), killed at the end if it is still running, its pipes closed."""
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


def assert_clean_failure(run, code):
    """Exit `code`, a message on stderr, no Python exception escaped and no traceback shown."""
    assert run.exit_code == code, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert TRACEBACK not in run.output
    assert run.stderr.strip(), "an error must say something on stderr"


def reals(low, high):
    """Finite floats in [low, high]."""
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def float_array(shape, low, high):
    """A float64 array of this shape with elements in [low, high]."""
    return hnp.arrays("float64", shape, elements=reals(low, high))


def vector_or_matrix(rows, cols, is_matrix):
    """The shape of a rows×cols matrix, or of one row (a cols-vector)."""
    return (rows, cols) if is_matrix else (cols,)


# The real renderers (KaTeX, MathJax, Mermaid) run in node from packages installed outside the
# repository: npm install --prefix "$GRADCALC_NODE_PREFIX" katex mathjax-full mermaid jsdom
# The checkout's own (ignored by git), not a shared folder such as /tmp, where another user could
# plant the JavaScript these tests run.
NODE_PREFIX = Path(os.environ.get("GRADCALC_NODE_PREFIX", Path(__file__).resolve().parent.parent / ".node"))
NODE_PACKAGES = {"katex": ["katex"], "mathjax": ["mathjax-full"], "mermaid": ["mermaid", "jsdom"]}
RENDERERS = Path(__file__).parent / "renderers.mjs"


def renderer_missing(which):
    """Why `which` (katex, mathjax, mermaid) cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    missing = [p for p in NODE_PACKAGES[which] if not (NODE_PREFIX / "node_modules" / p / "package.json").exists()]
    if missing:
        return (f"{', '.join(missing)} not in {NODE_PREFIX}/node_modules: npm install --prefix {NODE_PREFIX} "
                f"{' '.join(missing)} (or set GRADCALC_NODE_PREFIX)")
    return None


def render_errors(which, texts):
    """For each text, None if the renderer `which` takes it, else its error message."""
    run = subprocess.run(["node", str(RENDERERS), which, str(NODE_PREFIX)], input=json.dumps(list(texts)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


SAMPLES = Path(__file__).parent.parent / "samples"


def sample_arguments():
    """For every samples/*.gc, the arguments that read it (problems.gc wants its inputs given, as
    its first line says)."""
    return [["-f", path] + (["--at", "x=3,y=2"] if path.name == "problems.gc" else [])
            for path in sorted(SAMPLES.glob("*.gc"))]
