"""Start-up: the parser comes from tables shipped in the package, never from a file another user,
a download or a flipped bit can reach; and a scalar one-liner imports neither Rich nor NumPy nor
the renderers it does not use."""

import hashlib
import os
import pickle
import subprocess
import sys

import pytest

from gradcalc import parser

ONE_LINER = ["eval", "2x + 3(x+1)", "--at", "x=3", "--format", "json"]
PLANTED = ("gradcalc", "parser.lark-cache")  # where earlier versions kept a pickled parser


def gradcalc(*args, cwd=None, **environment):
    env = {**os.environ, **environment}
    return subprocess.run([sys.executable, "-m", "gradcalc", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd, timeout=60)


def answered_right(run):
    """The one-liner's answer: 2x + 3(x+1) at x = 3 is 18, its slope 5."""
    return run.returncode == 0 and '"value": 18,' in run.stdout and '"gradient": {"x": 5}' in run.stdout


class Payload:
    """A pickle that creates `marker` when it is loaded: what a planted cache file would run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def plant(folder, marker):
    cache = folder.joinpath(*PLANTED)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(Payload(marker)))
    return cache


@pytest.mark.parametrize("where", ["XDG_CACHE_HOME", "relative XDG_CACHE_HOME", "HOME"])
def test_a_planted_cache_file_is_never_loaded_nor_rewritten(tmp_path, where):
    """A pickled payload where a cache used to be read (the XDG folder, a relative XDG folder in
    the current directory, as with a folder of downloaded homework, another user's HOME):
    nothing runs, the file is left as it was, and nothing new is written anywhere."""
    marker = tmp_path / "payload-ran"
    home = tmp_path / "home"
    cwd = None
    if where == "XDG_CACHE_HOME":
        cache = plant(tmp_path / "xdg", marker)
        environment = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    elif where == "relative XDG_CACHE_HOME":
        cwd = tmp_path / "homework"
        cache = plant(cwd / "cache", marker)
        environment = {"XDG_CACHE_HOME": "cache"}
    else:
        cache = plant(home / ".cache", marker)
        environment = {"HOME": str(home), "XDG_CACHE_HOME": ""}
    before = sorted(tmp_path.rglob("*"))
    run = gradcalc(*ONE_LINER, cwd=cwd, **environment)
    assert answered_right(run), run.stderr
    assert not marker.exists()
    assert cache.read_bytes() == pickle.dumps(Payload(marker))
    assert sorted(tmp_path.rglob("*")) == before


def test_a_link_fifo_or_device_at_the_old_cache_path_is_left_alone(tmp_path):
    """A symlink to a file of the user's, a FIFO and a link to /dev/zero where the cache was:
    the target keeps its bytes, no run hangs, and the answer is right."""
    precious = tmp_path / "thesis.tex"
    precious.write_text("my thesis", encoding="utf-8")
    for name, make in [("link", lambda path: path.symlink_to(precious)), ("fifo", os.mkfifo),
                       ("zero", lambda path: path.symlink_to("/dev/zero"))]:
        cache = tmp_path.joinpath(name, *PLANTED)
        cache.parent.mkdir(parents=True)
        make(cache)
        assert answered_right(gradcalc(*ONE_LINER, XDG_CACHE_HOME=str(tmp_path / name))), name
    assert precious.read_text(encoding="utf-8") == "my thesis"


def test_the_shipped_tables_are_the_grammar_s():
    """The tables in the package were built from the grammar as it is now: its SHA-256 is in
    their header, and the parser loads from them (write_tables() rebuilds them after an edit)."""
    with open(parser.GRAMMAR, "rb") as grammar:
        grammar_sha256 = hashlib.sha256(grammar.read()).hexdigest()
    assert parser._load_tables(grammar_sha256) is not None, (
        "grammars/gradcalc.tables is stale: run "
        "python -c 'from gradcalc.parser import write_tables; write_tables()'")


def test_damaged_or_stale_tables_are_not_used(tmp_path, monkeypatch):
    """Every single flipped byte of the tables file, and tables made for another grammar, are
    noticed: the parser is built from the grammar instead, and answers the same."""
    shipped = open(parser.TABLES, "rb").read()
    with open(parser.GRAMMAR, "rb") as grammar:
        grammar_sha256 = hashlib.sha256(grammar.read()).hexdigest()
    damaged = tmp_path / "gradcalc.tables"
    monkeypatch.setattr(parser, "TABLES", str(damaged))
    for position in range(0, len(shipped), max(1, len(shipped) // 400)):
        damaged.write_bytes(shipped[:position] + bytes([shipped[position] ^ 0x01]) + shipped[position + 1:])
        assert parser._load_tables(grammar_sha256) is None, position
    damaged.write_bytes(shipped)
    assert parser._load_tables(grammar_sha256) is not None
    assert parser._load_tables("0" * 64) is None
    monkeypatch.setattr(parser, "_parser", None)
    damaged.write_bytes(b"")
    from gradcalc import evaluate

    assert evaluate("2x + 3(x+1)", at={"x": 3}).value == 18


def test_a_scalar_one_liner_imports_neither_rich_nor_numpy():
    """Rich is imported only for the rich view, NumPy only for arrays, and of the renderers
    only the chosen one: JSON output of a scalar expression starts without the others."""
    unwanted = ["rich", "numpy", "gradcalc.render.plain", "gradcalc.render.dot", "gradcalc.render.mermaid"]
    code = (
        "import sys\n"
        "from gradcalc.cli import main\n"
        f"sys.argv = ['gradcalc', *{ONE_LINER!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([name for name in {unwanted!r} if name in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=os.environ)
    assert run.returncode == 0, run.stderr
    assert '"gradient": {"x": 5}' in run.stdout  # the answer was printed, by the JSON renderer  # the answer was printed, by the plain renderer
    assert run.stdout.splitlines()[-1] == "[]"
