"""Files, streams and signals, run as a user runs them: the installed console script in a real
process with real pipes, closed or full streams, odd encodings and a pseudo-terminal. Whatever
goes wrong ends in one message and the documented exit code (0 success, 1 math error or failed
check, 2 bad input, 3 unfinished: out of memory or output not written, 130 interrupted,
141 the reader went away), never a traceback, and never a file lost that the user did not name."""

import json
import os
import signal
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc import streams
from gradcalc.cli import main
from helpers import TRACEBACK, assert_clean_failure, running

TIMEOUT = 60
SAMPLES = Path(__file__).parent.parent / "samples"
SCRIPT = Path(sys.executable).parent / "gradcalc"
GRADCALC = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "gradcalc"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors and signals")
GOOD = "x = 2\ncheck x = 2\n"
# one invocation per command, each with something to print; `{file}` is a program with a check line
COMMANDS = {
    "eval": ["eval", "x*x", "--at", "x=3"],
    "explain": ["explain", "x*x", "--at", "x=3"],
    "check": ["check", "{file}"],
    "repl": ["repl"],
    "gradcalc --help": ["--help"],
    "gradcalc < program": [],
}


def gradcalc(args, tmp_path, input="x = 3\nx*x\n", **options):
    """Run the console script with `input` piped in (bytes or text), HOME in `tmp_path`."""
    program = tmp_path / "hw.gc"
    program.write_text(GOOD, encoding="utf-8")
    args = [arg.format(file=program) for arg in args]
    env = dict(os.environ, HOME=str(tmp_path), COLUMNS="100", **options.pop("env", {}))
    if isinstance(input, str):
        input = input.encode("utf-8")
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run(GRADCALC + args, input=input, env=env, cwd=tmp_path, timeout=TIMEOUT, **streams)


def shell(command, tmp_path, env=None):
    """A shell command line, for redirections a list of arguments cannot express (`>&-`)."""
    program = tmp_path / "hw.gc"
    program.write_text(GOOD, encoding="utf-8")
    env = dict(os.environ, HOME=str(tmp_path), GRADCALC=" ".join(GRADCALC), **(env or {}))
    return subprocess.run(["sh", "-c", command], capture_output=True, env=env, cwd=tmp_path, timeout=TIMEOUT)


def assert_failed_cleanly(done, code, message):
    """Exit `code` (checked first), `message` on stderr, no traceback."""
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, (done.returncode, stderr)
    assert message in stderr, stderr
    assert TRACEBACK not in stderr


# -- files that cannot be read ------------------------------------------------------------------


UNREADABLE = {
    "eval": ["eval", "-f"], "explain": ["explain", "-f"], "check": ["check"],
}


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
@pytest.mark.parametrize("command", UNREADABLE)
def test_a_file_that_fails_to_read_is_bad_input(tmp_path, command):
    """/proc/self/mem opens but fails to read (EIO): exit 2, 'cannot read' and the file's name."""
    done = gradcalc(UNREADABLE[command] + ["/proc/self/mem"], tmp_path)
    assert_failed_cleanly(done, 2, "cannot read /proc/self/mem: Input/output error")


@pytest.mark.parametrize("command", UNREADABLE)
def test_a_folder_given_as_the_program_is_bad_input(tmp_path, command):
    """A folder where a program file belongs: exit 2, the folder named."""
    (tmp_path / "folder").mkdir()
    done = gradcalc(UNREADABLE[command] + ["folder"], tmp_path)
    assert_failed_cleanly(done, 2, "cannot read folder")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a file without read permission")
@pytest.mark.parametrize("command", UNREADABLE)
def test_a_file_without_read_permission_is_bad_input(tmp_path, command):
    secret = tmp_path / "secret.gc"
    secret.write_text("1\n", encoding="utf-8")
    secret.chmod(0)
    done = gradcalc(UNREADABLE[command] + ["secret.gc"], tmp_path)
    assert_failed_cleanly(done, 2, "cannot read secret.gc: Permission denied")


# -- outputs that cannot be written -------------------------------------------------------------


def test_output_into_a_missing_folder_is_bad_input(tmp_path):
    """-o nope/x.dot: exit 2 naming the missing folder, and nothing is created."""
    done = gradcalc(["eval", "x", "--at", "x=1", "-o", "nope/x.dot"], tmp_path)
    assert_failed_cleanly(done, 2, "there is no folder nope")
    assert not (tmp_path / "nope").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("output_format", ["plain", "rich"])
def test_standard_output_on_a_full_disk(tmp_path, command, output_format):
    """Every command writing to a full disk (> /dev/full) exits 3 and says so on stderr."""
    args = COMMANDS[command] + (["--format", output_format] if command != "gradcalc --help" else [])
    with open("/dev/full", "wb") as full:
        done = gradcalc(args, tmp_path, stdout=full)
    assert_failed_cleanly(done, 3, "cannot write the output: No space left on device")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_picture_on_a_full_disk(tmp_path):
    """-o FILE where FILE is on a full disk (a link to /dev/full): exit 3, the file named."""
    (tmp_path / "g.dot").symlink_to("/dev/full")
    done = gradcalc(["eval", "x*x", "--at", "x=1", "-o", "g.dot"], tmp_path)
    assert_failed_cleanly(done, 3, "cannot write g.dot: No space left on device")


@POSIX
@pytest.mark.parametrize("command", COMMANDS)
def test_closed_standard_output(tmp_path, command):
    """`gradcalc … >&-`: exit 3, 'standard output is closed' on stderr."""
    args = " ".join(COMMANDS[command]).format(file="hw.gc")
    done = shell(f"echo '3*3' | $GRADCALC {args} >&-", tmp_path)
    assert_failed_cleanly(done, 3, "cannot write the output: standard output is closed")


@POSIX
def test_closed_standard_output_is_fine_when_the_picture_goes_to_a_file(tmp_path):
    done = shell("$GRADCALC eval x*x --at x=3 -o g.dot >&-", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "digraph" in (tmp_path / "g.dot").read_text(encoding="utf-8")


@POSIX
@pytest.mark.parametrize("args", [["eval"], ["eval", "-"], ["explain"], ["check", "-"], ["repl"]],
                         ids=" ".join)
def test_closed_standard_input(tmp_path, args):
    """`gradcalc eval <&-` and the others reading stdin: exit 2, 'standard input is closed'."""
    done = shell(f"$GRADCALC {' '.join(args)} <&-", tmp_path)
    assert_failed_cleanly(done, 2, "standard input is closed")


@POSIX
def test_closed_standard_input_is_fine_when_it_is_not_read(tmp_path):
    done = shell("$GRADCALC eval x*x --at x=3 <&-", tmp_path)
    assert done.returncode == 0, done.stderr
    bare = shell("$GRADCALC <&-", tmp_path)  # not a terminal: the help, as with a pipe
    assert bare.returncode == 0 and b"Usage:" in bare.stdout


@POSIX
def test_closed_standard_error_keeps_the_exit_code(tmp_path):
    done = shell("$GRADCALC eval 1/0 2>&-", tmp_path)
    assert done.returncode == 1


# -- memory --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["eval", "explain", "check"])
def test_out_of_memory_is_reported_with_exit_3(monkeypatch, tmp_path, command):
    """A MemoryError anywhere in a run: one line on stderr and exit 3, not a traceback."""
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("gradcalc.session.Answers", no_memory)
    program = tmp_path / "p.gc"
    program.write_text(GOOD, encoding="utf-8")
    args = {"eval": ["eval", "x"], "explain": ["explain", "x"], "check": ["check", str(program)]}[command]
    run = CliRunner().invoke(main, args)
    assert_clean_failure(run, 3)
    assert "out of memory" in run.stderr


def test_out_of_memory_in_the_session_goes_on(monkeypatch):
    """In the REPL a line that runs out of memory is an error, and the session goes on."""
    from gradcalc.api import Answers

    answer = Answers.read

    def read(answers, line, number):
        if line == "huge":
            raise MemoryError
        return answer(answers, line, number)

    monkeypatch.setattr(Answers, "read", read)
    run = CliRunner().invoke(main, ["repl"], input="huge\nx = 3\nx*x\n")
    assert run.exit_code == 0, run.output
    assert "line 1: out of memory" in run.stderr
    assert "x*x" in run.stdout


# -- encodings -----------------------------------------------------------------------------------


ASCII_RUNS = {
    "eval": ["eval", "-f", str(SAMPLES / "shopping.gc")],
    "eval rich": ["eval", "-f", str(SAMPLES / "shopping.gc"), "--format", "rich"],
    "explain": ["explain", "-f", str(SAMPLES / "shopping.gc")],
    "check": ["check", str(SAMPLES / "homework.gc")],
    "gradcalc check --help": ["check", "--help"],
    "repl": ["repl"],
    "gradcalc --help": ["--help"],
    "gradcalc < program": [],
}


@pytest.mark.parametrize("run", ASCII_RUNS)
@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}],
                         ids=["PYTHONIOENCODING=ascii", "C locale without UTF-8 mode"])
def test_an_ascii_output_gets_ascii_spellings(tmp_path, run, env):
    """An output that can only take ASCII gets every symbol spelled in ASCII, the exit code the
    run would have anyway (check: 1, the homework has wrong answers), and no traceback."""
    env = {k: v for k, v in {**os.environ, **env}.items() if k != "LANG" or "LC_ALL" not in env}
    done = subprocess.run(GRADCALC + ASCII_RUNS[run], input=b"x = 3\nx*x\n", capture_output=True, env=env,
                          timeout=TIMEOUT)
    assert done.returncode == (1 if run == "check" else 0), done.stderr
    assert done.stdout.isascii() and done.stderr.isascii()
    text = done.stdout.decode("ascii")
    expected = {"repl": "d(f)/d(node)", "gradcalc < program": "d(f)/d(node)", "gradcalc --help": "yen * 5"}
    assert expected.get(run, "d(E)/d(") in text
    if run == "check":
        assert "[ok] line 16: check E = 799.2" in text
        assert "[FAIL] line 21: check d(E)/d(u) = 740" in text
        assert "check d(E)/d(apple_count) = 108 +- 0.5" in text
    if run == "explain":
        assert "d(E)/d(apple) = d(E)/d(u) * d(u)/d(s) * d(s)/d(apple) = 1.08 * 1 * 5 = 5.4" in text


def test_a_c_locale_with_pythons_utf8_mode_keeps_the_symbols(tmp_path):
    """LC_ALL=C alone: Python reads it as UTF-8 (PEP 538/540), so the symbols stay."""
    env = dict(os.environ, LC_ALL="C")
    done = subprocess.run(GRADCALC + ["eval", "x*y", "--at", "x=1,y=2"], capture_output=True, env=env, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "∂f/∂node" in done.stdout.decode("utf-8")


def test_cp1252_keeps_what_it_can_show_and_escapes_names_it_cannot(tmp_path):
    """A cp1252 pipe: × stays (cp1252 has it), ∂ and ≈ are spelled, a Japanese name is a backslash
    escape, on stdout and in messages on stderr alike."""
    done = gradcalc(["eval", "りんご*x + x/3", "--at", "りんご=2,x=1"], tmp_path, env={"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("cp1252")
    assert "\\u308a\\u3093\\u3054 × x" in text
    assert "d(f)/d(node)" in text and "7/3 ~ 2.33333" in text
    warned = gradcalc(["eval", "sqrt(りんご)", "--at", "りんご=0"], tmp_path, env={"PYTHONIOENCODING": "cp1252"})
    assert warned.returncode == 0
    assert "warning: d(f)/d(\\u308a\\u3093\\u3054) is inf" in warned.stderr.decode("cp1252")


def test_spellings_only_for_what_the_encoding_cannot_show():
    assert streams.spelled("∂E/∂apple = 5 × 1.08 ≈ 5.4 ± 0.1 ✓ ✗ …", "ascii") == \
        "d(E)/d(apple) = 5 * 1.08 ~ 5.4 +- 0.1 [ok] [FAIL] ..."
    assert streams.spelled("∂E/∂x × 2", "cp1252") == "d(E)/d(x) × 2"
    assert streams.spelled("x² + x⁻¹", "ascii") == "x^2 + x^-1"
    assert streams.spelled("├── │   └── ∂", "ascii") == "|-- |   `-- d"
    assert streams.spelled("∂E/∂x", "utf-8") == "∂E/∂x"


def test_one_invalid_byte_in_the_session_is_an_error_in_its_line(tmp_path):
    """printf 'x = 3\\n\\xff\\nx*x\\n' | gradcalc repl, stdin decoded strictly as UTF-8: line 2 is
    reported as not UTF-8 and line 3 is answered."""
    done = gradcalc(["repl"], tmp_path, input=b"x = 3\n\xff\nx*x\n", env={"PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    stderr = done.stderr.decode("utf-8")
    assert "line 2" in stderr and "not valid UTF-8" in stderr
    assert "x*x" in done.stdout.decode("utf-8") and "9" in done.stdout.decode("utf-8")


# -- limits --------------------------------------------------------------------------------------


def test_precision_is_capped_at_100(tmp_path):
    """--precision 1000000000 is refused at once (exit 2) with the range; 100 works."""
    run = CliRunner().invoke(main, ["eval", "1/3", "--precision", "1000000000"])
    assert_clean_failure(run, 2)
    assert "from 1 to 100, or full" in run.stderr
    most = CliRunner().invoke(main, ["eval", "1/3", "--precision", "100", "--format", "json"])
    assert most.exit_code == 0, most.output


@pytest.mark.parametrize("tolerance", ["nan", "inf", "-inf"])
def test_tolerance_must_be_finite(tmp_path, tolerance):
    """--tol nan would fail every right answer and --tol inf pass every wrong one: exit 2."""
    program = tmp_path / "p.gc"
    program.write_text(GOOD, encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(program), "--tol", tolerance])
    assert_clean_failure(run, 2)
    assert "--tol" in run.stderr


# -- never overwrite what the user did not name --------------------------------------------------


def test_extra_pictures_never_overwrite_an_existing_file(tmp_path):
    """-o g.dot with two outputs where g-2.dot exists: exit 2 naming g-2.dot, which is unchanged."""
    (tmp_path / "g-2.dot").write_text("precious\n", encoding="utf-8")
    done = gradcalc(["eval", "x; x*x", "--at", "x=1", "-o", "g.dot"], tmp_path)
    assert_failed_cleanly(done, 2, "g-2.dot, which already exists")
    assert (tmp_path / "g-2.dot").read_text(encoding="utf-8") == "precious\n"


@POSIX
def test_extra_pictures_never_follow_a_link(tmp_path):
    """A link planted at g-2.dot is not followed: its target is not created."""
    (tmp_path / "g-2.dot").symlink_to(tmp_path / "victim")
    done = gradcalc(["eval", "x; x*x", "--at", "x=1", "-o", "g.dot"], tmp_path)
    assert_failed_cleanly(done, 2, "g-2.dot")
    assert not (tmp_path / "victim").exists()


def test_extra_pictures_are_created_when_free(tmp_path):
    done = gradcalc(["eval", "x; x*x; x+1", "--at", "x=1", "-o", "g.dot"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert all("digraph" in (tmp_path / name).read_text(encoding="utf-8") for name in ("g.dot", "g-2.dot", "g-3.dot"))


@POSIX
def test_an_extra_picture_graphviz_failed_to_draw_is_not_left_behind(tmp_path, monkeypatch):
    """dot draws g.svg but fails on g-2.svg: exit 1 with Graphviz's message, and no g-2.svg is
    left to block the next run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    dot.write_text(f"#!{sys.executable}\nimport pathlib, sys\nsys.stdin.read()\n"
                   "calls = pathlib.Path(__file__).with_name('calls')\n"
                   "calls.write_text(calls.read_text() + 'x' if calls.exists() else 'x')\n"
                   "if calls.read_text() == 'xx':\n    sys.exit('dot: out of ink')\n"
                   "sys.stdout.write('<svg/>')\n", encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(main, ["eval", "x; x*x", "--at", "x=1", "-o", "g.svg", "--engine", "graphviz"])
    assert_clean_failure(run, 1)
    assert "Graphviz could not draw g-2.svg: dot: out of ink" in run.stderr
    assert (tmp_path / "g.svg").read_text() == "<svg/>"
    assert not (tmp_path / "g-2.svg").exists()


PROGRAM = "x = 2\nx*x\n"


@pytest.mark.parametrize("how", ["-f p.gv", "-f link.gv", "stdin from p.gv", "- with stdin from p.gv"])
def test_the_program_is_never_the_picture(tmp_path, how):
    """-o p.gv when the program is read from p.gv (by name, through a link, or on stdin): exit 2
    before anything is written, and p.gv keeps the program."""
    program = tmp_path / "p.gv"
    program.write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "link.gv").symlink_to(program)
    args = {"-f p.gv": ["-f", "p.gv"], "-f link.gv": ["-f", "link.gv"], "stdin from p.gv": [],
            "- with stdin from p.gv": ["-"]}[how]
    with open(program, "rb") as stdin:
        done = gradcalc(["eval", *args, "-o", "p.gv"], tmp_path, input=None, stdin=stdin)
    assert_failed_cleanly(done, 2, "-o p.gv is the program being read")
    assert program.read_text(encoding="utf-8") == PROGRAM


# -- check: grade what can be read, show it as it is graded -------------------------------------


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize("output_format", ["plain", "rich"])
def test_check_grades_the_files_it_can_read(tmp_path, output_format):
    """gradcalc check a.gc missing.gc b.gc: a and b graded, missing reported on stderr and shown
    as unreadable in the table, exit 2."""
    write(tmp_path, "a.gc", GOOD)
    write(tmp_path, "b.gc", "x = 2\ncheck x = 3\n")
    done = gradcalc(["check", "a.gc", "missing.gc", "b.gc", "--format", output_format], tmp_path)
    assert_failed_cleanly(done, 2, "error: cannot read missing.gc: No such file or directory")
    lines = done.stdout.decode("utf-8").splitlines()
    assert "a.gc: 1/1 checks passed" in lines and "✗ line 2: check x = 3" in lines
    assert "missing.gc: unreadable: cannot read missing.gc: No such file or directory" in lines
    table = lines[lines.index("file        status      passed"):]
    assert [line.split() for line in table[1:table.index("")]] == [
        ["a.gc", "ok", "1/1"], ["missing.gc", "unreadable", "—"], ["b.gc", "ok", "0/1"], ["total", "1/2"]]


def test_check_csv_and_json_show_an_unreadable_file(tmp_path):
    write(tmp_path, "a.gc", GOOD)
    done = gradcalc(["check", "a.gc", "missing.gc", "--format", "csv"], tmp_path)
    assert done.returncode == 2
    assert done.stdout.decode().splitlines()[:3] == ["file,status,passed,total,x", "a.gc,ok,1,1,1", "missing.gc,unreadable,,,"]
    done = gradcalc(["check", "a.gc", "missing.gc", "--format", "json"], tmp_path)
    assert done.returncode == 2
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert records[0]["file"] == "a.gc" and records[0]["passed"] is True
    assert records[1]["file"] == "a.gc" and records[1]["status"] == "ok"
    assert records[2] == {"file": "missing.gc", "status": "unreadable", "error": "cannot read missing.gc: No such file or directory",
                          "line": None, "column": None, "passed": None, "total": None}


MATH_ERROR = "x = 0\ny = 1/x\ny + 1; y * 2\ncheck y = 0; check y = 1\ncheck x = 0\n"


@pytest.mark.parametrize("command", ["check", "eval -f"])
def test_a_math_error_exits_1_and_each_error_is_shown_once(tmp_path, command):
    """The division by zero in y, met by two outputs on line 3 and two checks on line 4: exit 1
    from check as from eval, and no error line shown twice. (Which line a failing node's error
    names is the parser's and evaluator's business: once it names the failing statement's, these
    are one error.)"""
    write(tmp_path, "m.gc", MATH_ERROR)
    done = gradcalc(command.split() + ["m.gc"], tmp_path)
    assert_failed_cleanly(done, 1, "division by zero")
    errors = done.stderr.decode().splitlines()
    assert len(errors) == len(set(errors)), errors


def test_check_exit_code_is_the_worst_of_the_files(tmp_path):
    """A math error in one file (1) and a syntax error in another (2): exit 2."""
    write(tmp_path, "m.gc", MATH_ERROR)
    write(tmp_path, "s.gc", "x = 2\ncheck x = 2 +\n")
    done = gradcalc(["check", "m.gc", "s.gc"], tmp_path)
    assert_failed_cleanly(done, 2, "ended early")


def read_until(stream, token, timeout=TIMEOUT):
    """What a pipe gives until `token` has come, failing (not hanging) if it does not come."""
    deadline, got = time.monotonic() + timeout, b""
    while token not in got:
        ready, _, _ = select.select([stream], [], [], max(deadline - time.monotonic(), 0))
        assert ready, f"no {token!r}; got {got!r}"
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"the output ended before {token!r}: {got!r}"
        got += chunk
    return got.decode("utf-8")


@POSIX
def test_check_shows_each_file_as_soon_as_it_is_graded(tmp_path):
    """gradcalc check a.gc - : a.gc's results arrive while standard input is still open."""
    write(tmp_path, "a.gc", GOOD)
    with running(GRADCALC + ["check", "a.gc", "-"], cwd=tmp_path) as process:
        assert read_until(process.stdout, b"checks passed\n") == "a.gc: 1/1 checks passed\n"
        process.stdin.write(b"y = 1\ncheck y = 2\n")
        process.stdin.close()
        rest = process.stdout.read().decode("utf-8")
        assert process.wait(timeout=TIMEOUT) == 1
        assert "\n-: 0/1 checks passed\n✗ line 2: check y = 2\n" in rest


# -- signals -------------------------------------------------------------------------------------


BIG = "".join(f"x{i} = {i}; x{i}*x{i}\n" for i in range(3000))
PIPED = {
    "eval": (["eval", "-f", "big.gc"], None),
    "eval rich": (["eval", "-f", "big.gc", "--format", "rich"], None),
    "eval json": (["eval", "-f", "big.gc", "--format", "json"], None),
    "explain": (["explain", "-f", "big.gc"], None),
    "check": (["check"] + ["many.gc"] * 20, None),
    "repl": (["repl"], BIG),
    "gradcalc --help": (["--help"], None),
}


@POSIX
@pytest.mark.parametrize("command", PIPED)
def test_a_reader_that_goes_away_ends_the_run_quietly_with_141(tmp_path, command):
    """gradcalc … | head -1: once the reader has gone, exit 141 (128 + SIGPIPE) and nothing on
    stderr, no BrokenPipeError. (--help fits in the pipe: it finishes first, with 0.)"""
    write(tmp_path, "big.gc", BIG)
    write(tmp_path, "many.gc", "x = 2\n" + "check x = 2\n" * 300)
    args, text = PIPED[command]
    with running(GRADCALC + args, cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path))) as process:
        if text:
            process.stdin.write(text.encode())
        process.stdin.close()
        assert read_until(process.stdout, b"\n")
        process.stdout.close()
        code = process.wait(timeout=TIMEOUT)
        stderr = process.stderr.read().decode()
    assert code == (0 if command == "gradcalc --help" else 141), stderr
    assert stderr == ""


@POSIX
@pytest.mark.parametrize("command", ["eval", "explain", "check -", "repl"])
def test_ctrl_c_exits_130_with_a_short_message(tmp_path, command):
    """SIGINT while gradcalc waits for or computes the next problem: exit 130 (128 + SIGINT) and
    'interrupted' on stderr, no traceback. The first answer shows the run is under way. (A
    session on a terminal goes back to its prompt instead: test_repl's terminal test.)"""
    with running(GRADCALC + command.split(), cwd=tmp_path) as process:
        process.stdin.write(b"x = 2\ncheck x = 2\nx*x\n")
        process.stdin.flush()
        if command != "check -":  # check shows a file once it is read to the end
            assert read_until(process.stdout, b"\n")
        process.stdin.write(("+".join(f"y{i}" for i in range(20000)) + "\n").encode())  # a long one
        process.stdin.flush()
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=TIMEOUT)
        stderr = process.stderr.read().decode()
    assert code == 130, stderr
    assert "gradcalc: interrupted" in stderr and TRACEBACK not in stderr


# -- the session's history file ------------------------------------------------------------------


@POSIX
@pytest.mark.parametrize("planted", ["fifo", "link"])
def test_history_file_that_is_not_a_regular_file_is_left_alone(tmp_path, planted):
    """A FIFO at ~/.gradcalc_history does not hang the session; a link there is not followed, so
    its target is neither read nor written; the session works and exits 0."""
    from test_repl import Terminal

    history = tmp_path / ".gradcalc_history"
    target = tmp_path / "target"
    if planted == "fifo":
        os.mkfifo(history)
    else:
        target.write_text("secret line\n", encoding="utf-8")
        history.symlink_to(target)
    terminal = Terminal(GRADCALC + ["repl"], tmp_path)
    try:
        end = terminal.read_until(b"gc> ")
        terminal.write("x = 3; x*x\n")
        end = terminal.read_until(b"gc> ", end)
        assert b"9" in terminal.buffer[:end]
        terminal.write(":quit\n")
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()
    if planted == "fifo":
        assert history.is_fifo()
    else:
        assert history.is_symlink() and target.read_text(encoding="utf-8") == "secret line\n"


@POSIX
def test_history_is_saved_and_read_back(tmp_path):
    """The user's own history file is read at the start and rewritten (mode 0600) at the end."""
    from test_repl import Terminal

    history = tmp_path / ".gradcalc_history"
    history.write_text("y = 41\n", encoding="utf-8")
    terminal = Terminal(GRADCALC + ["repl"], tmp_path)
    try:
        terminal.read_until(b"gc> ")
        terminal.write(":help\n:quit\n")
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()
    assert history.read_text(encoding="utf-8").splitlines() == ["y = 41", ":help", ":quit"]
    assert history.stat().st_mode & 0o777 == 0o600
