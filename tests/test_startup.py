"""Start-up: the parser cache is safe wherever it lives, and a scalar one-liner imports
neither Rich nor NumPy nor the renderers it does not use."""

import os
import stat
import subprocess
import sys

import pytest

ONE_LINER = ["eval", "x*y", "--at", "x=2,y=3", "--format", "plain"]


def gradcalc(*args, cache_home):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-m", "gradcalc", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60)


def test_the_parser_is_cached_and_the_cache_is_reused(tmp_path):
    """The first run writes the built parser to the cache folder; the next run answers the same."""
    first = gradcalc(*ONE_LINER, cache_home=tmp_path)
    cache = tmp_path / "gradcalc" / "parser.lark-cache"
    assert first.returncode == 0 and cache.is_file()
    second = gradcalc(*ONE_LINER, cache_home=tmp_path)
    assert second.returncode == 0 and second.stdout == first.stdout and second.stderr == ""


@pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0, reason="root can write to a read-only folder")
def test_a_read_only_cache_folder_costs_nothing_but_time(tmp_path):
    """A cache folder that cannot be written to: the parser is built each time, silently."""
    folder = tmp_path / "gradcalc"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        run = gradcalc(*ONE_LINER, cache_home=tmp_path)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert run.returncode == 0 and "6" in run.stdout and run.stderr == ""


def test_an_unusable_cache_location_is_ignored(tmp_path):
    """XDG_CACHE_HOME pointing at a file (no folder can be made there): gradcalc still works."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    run = gradcalc(*ONE_LINER, cache_home=blocker)
    assert run.returncode == 0 and "6" in run.stdout and run.stderr == ""


def test_a_corrupt_cache_file_is_rebuilt(tmp_path):
    """A cache file cut short (another process writing it, a full disk) is rebuilt, silently."""
    cache = tmp_path / "gradcalc" / "parser.lark-cache"
    cache.parent.mkdir()
    cache.write_bytes(b"\x80\x04garbage")
    run = gradcalc(*ONE_LINER, cache_home=tmp_path)
    assert run.returncode == 0 and "6" in run.stdout and run.stderr == ""
    assert cache.read_bytes() != b"\x80\x04garbage"


def test_a_scalar_one_liner_imports_neither_rich_nor_numpy(tmp_path):
    """Rich is imported only for the rich view, NumPy only for arrays, and of the renderers
    only the chosen one: plain output of a scalar expression starts without the others."""
    unwanted = ["rich", "numpy", "gradcalc.render.jsonl", "gradcalc.render.dot", "gradcalc.render.mermaid"]
    code = (
        "import sys\n"
        "from gradcalc.cli import main\n"
        f"sys.argv = ['gradcalc', *{ONE_LINER!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([name for name in {unwanted!r} if name in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert "∂f/∂input" in run.stdout  # the answer was printed, by the plain renderer
    assert run.stdout.splitlines()[-1] == "[]"
