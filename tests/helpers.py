"""What several test modules share: running `gradcalc eval` in-process, checking a clean
failure, and hypothesis strategies for numbers and float arrays."""

import contextlib
import subprocess

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
