"""`gradcalc repl`: a session of statements with bindings that persist, and colon commands,
driven through piped standard input and once through a pseudo-terminal."""

import json
import os
import select
import subprocess
import sys
import time

import pytest

TIMEOUT = 20


def repl(text, tmp_path, *args):
    """Run `gradcalc repl ARGS` in a real process with `text` piped in (stdout is not a terminal,
    so the default format is plain). HOME is a temporary folder, so no history file is touched."""
    env = dict(os.environ, HOME=str(tmp_path), COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "gradcalc", "repl", *args], input=text, capture_output=True, text=True,
        encoding="utf-8", timeout=TIMEOUT, env=env,
    )


def value_row(stdout, expression):
    """The root row of the block for `expression` in plain output: its cells split on spaces."""
    lines = stdout.splitlines()
    start = lines.index(expression)
    return lines[start + 2].split()


def test_bindings_persist_between_lines(tmp_path):
    """x bound on line 1 and y on line 2 are both known on line 3: y + x at x = 3 is 9, and
    ∂/∂x counts both uses (1 + 2 = 3)."""
    run = repl("x = 3\ny = x*2\ny + x\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "9" in value_row(run.stdout, "y + x")
    inputs = run.stdout.split("∂f/∂input", 1)[1]
    assert ["x", "3", "3"] in [line.split() for line in inputs.splitlines()], run.stdout


def test_at_changes_the_point(tmp_path):
    """:at x=4 sets x for the lines after it (over a bound value too); values may be constant expressions."""
    run = repl("x = 3\nx*x\n:at x=4\nx*x\n:at x=1/2\nx*x\n", tmp_path)
    assert run.returncode == 0, run.stderr
    roots = [line.split() for line in run.stdout.splitlines() if line.startswith("×  x × x")]
    assert [row[4] for row in roots] == ["9", "16", "0.25"]


def test_at_gives_a_free_input_its_value(tmp_path):
    """A name never bound needs :at; before it the line is an error, after it the answer."""
    run = repl("x*y\n:at x=2,y=5\nx*y\n", tmp_path)
    assert "no value for x and y: give them with :at x=VALUE,y=VALUE" in run.stderr  # the session's words
    assert "--at" not in run.stderr
    assert "10" in value_row(run.stdout, "x*y")


def test_bad_at_is_an_error_and_the_session_goes_on(tmp_path):
    """:at with something that is not NAME=VALUE says so and changes nothing."""
    run = repl(":at x\n:at x=2\nx+1\n", tmp_path)
    assert "error:" in run.stderr and "NAME=VALUE" in run.stderr
    assert "3" in value_row(run.stdout, "x+1")


def test_bad_at_says_where_like_the_at_option(tmp_path):
    """:at reads bindings as --at does: the message names :at and a caret points at the bad spot."""
    run = repl(":at y=1,x=1/\n", tmp_path)
    assert run.returncode == 0
    assert run.stderr.splitlines() == [
        "error: :at x=1/: the statement ended early; expected a number, a name, an operator, '(' or '['",
        "  y=1,x=1/",
        "          ^",
    ]


def test_format_switches_between_plain_and_json(tmp_path):
    """:format json makes the next answers JSON lines; :format plain switches back."""
    run = repl("x = 2\n:format json\nx*x\n:format plain\nx + 1\n", tmp_path)
    assert run.returncode == 0, run.stderr
    json_lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(json_lines) == 1
    record = json.loads(json_lines[0])
    assert record["expr"] == "x*x" and record["value"] == 4 and record["gradient"] == {"x": 4}
    assert "3" in value_row(run.stdout, "x + 1")


def test_format_unknown_is_an_error(tmp_path):
    """:format nope is refused with the list of formats; the current format stays."""
    run = repl(":format nope\n1+1\n", tmp_path)
    assert "error: :format takes rich, plain, graph, tree, json, value, dot or mermaid" in run.stderr
    assert "2" in value_row(run.stdout, "1+1")


def test_format_dot_and_mermaid(tmp_path):
    """:format dot and :format mermaid draw the next answer as a picture."""
    run = repl(":at x=1\n:format dot\nx*2\n:format mermaid\nx*3\n", tmp_path)
    assert "digraph" in run.stdout and "rankdir=LR;" in run.stdout
    assert "flowchart LR" in run.stdout


def test_explain_the_last_output(tmp_path):
    """:explain explains the last evaluated expression: paths and the backward sweep."""
    run = repl("x = 3\nx*x + x\n:explain\n", tmp_path)
    assert run.returncode == 0, run.stderr
    explanation = run.stdout.split("paths from each input to the output", 1)[1]
    assert "∂f/∂x = " in explanation and "= 7" in explanation
    assert "backward sweep" in explanation


def test_explain_before_anything_is_an_error(tmp_path):
    """:explain with nothing evaluated yet says so; the session continues."""
    run = repl(":explain\n2*3\n", tmp_path)
    assert "nothing to explain yet" in run.stderr
    assert "6" in value_row(run.stdout, "2*3")


def test_help_lists_the_commands(tmp_path):
    """:help prints the commands."""
    run = repl(":help\n", tmp_path)
    for command in (":at", ":format", ":explain", ":float", ":exact", ":reset", ":help", ":quit"):
        assert command in run.stdout


def test_unknown_command_is_an_error_and_the_session_goes_on(tmp_path):
    """:bogus is an error pointing at :help; the next line is still answered."""
    run = repl(":bogus\n2+2\n", tmp_path)
    assert "unknown command :bogus" in run.stderr and ":help" in run.stderr
    assert "4" in value_row(run.stdout, "2+2")


def test_errors_are_shown_and_the_session_continues(tmp_path):
    """A syntax error, a math error and an unknown function each print an error (no traceback),
    and the lines after them are still answered; the session ends normally."""
    run = repl("1 +\nlog(0)\nsinn(1)\n5*5\n", tmp_path)
    assert run.returncode == 0
    assert "ended early" in run.stderr
    assert "log" in run.stderr and "undefined" in run.stderr
    assert "did you mean sin?" in run.stderr
    assert "Traceback" not in run.stderr
    assert "25" in value_row(run.stdout, "5*5")


def test_a_failed_assignment_does_not_poison_later_lines(tmp_path):
    """After `z = 1 +` fails, other names still work and z says its definition failed."""
    run = repl("z = 1 +\nw = 2\nw*3\nz\n", tmp_path)
    assert "6" in value_row(run.stdout, "w*3")
    assert "z has no value" in run.stderr


def test_quit_stops_and_later_lines_are_ignored(tmp_path):
    """:quit ends the session: the line after it is never evaluated."""
    run = repl("1+1\n:quit\n40+2\n", tmp_path)
    assert run.returncode == 0
    assert "1+1" in run.stdout.splitlines()
    assert "40+2" not in run.stdout and "42" not in run.stdout


@pytest.mark.parametrize("command", [":q", ":exit"])
def test_quit_aliases(tmp_path, command):
    """:q and :exit end the session like :quit."""
    run = repl(f"{command}\n40+2\n", tmp_path)
    assert run.returncode == 0 and "42" not in run.stdout


def test_end_of_input_ends_the_session(tmp_path):
    """With no :quit, the end of input ends the session normally; the last line without a
    newline is still read."""
    run = repl("3*4", tmp_path)
    assert run.returncode == 0
    assert "12" in value_row(run.stdout, "3*4")
    assert repl("", tmp_path).returncode == 0


def test_float_and_exact(tmp_path):
    """:float computes in doubles (1/3 is 0.3333333333333333); :exact goes back to 1/3."""
    run = repl(":precision full\n:float\n1/3\n:exact\n1/3\n", tmp_path)
    lines = [line for line in run.stdout.splitlines() if line.startswith("/  1 / 3")]
    assert len(lines) == 2
    assert "0.3333333333333333" in lines[0]
    assert "1/3 ≈ 0.333333" in lines[1]


def test_reset_forgets_bindings(tmp_path):
    """:reset forgets the program: x may be bound again without 'already assigned'."""
    run = repl("x = 3\n:reset\nx = 5\nx*x\n", tmp_path)
    assert "already assigned" not in run.stderr
    assert "25" in value_row(run.stdout, "x*x")


def test_reset_also_forgets_at_values(tmp_path):
    """:reset forgets every binding, :at ones included: after a mistaken `:at s=5` (s is computed),
    :reset and a fresh `s = x*2` let `s + 1` be evaluated again.  [bug: the :at values survive
    :reset and nothing can clear them, so every later use of s fails with '--at cannot set it']"""
    run = repl("x = 1\ns = x*2\n:at s=5\ns + 1\n:reset\nx = 1\ns = x*2\ns + 1\n", tmp_path)
    assert run.stderr.count("cannot set it") <= 1, run.stderr  # at most line 3, before :reset
    assert "3" in value_row(run.stdout, "s + 1")


def test_rebinding_without_reset(tmp_path):
    """Without :reset, x may be bound again: x*x uses the new value."""
    run = repl("x = 3\nx = 5\nx*x\n", tmp_path)
    assert run.stderr == ""
    assert "25" in value_row(run.stdout, "x*x")


# -- the session as a calculator --------------------------------------------------------------------


def test_rebinding_recomputes_what_depends_on_the_name(tmp_path):
    """x = 3, y = x^2, x = 5: y follows x (a spreadsheet, not a Python program), so y is 25."""
    run = repl("x = 3\ny = x^2\nx = 5\ny\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "25" in value_row(run.stdout, "y")


def test_a_definition_that_uses_its_name_builds_on_it(tmp_path):
    """x += 1 (or x = 2*x) builds on x's definition, and y = x^2 follows: 16, then 64 (x's
    definitions after the first are labelled by their lines, as in a program)."""
    run = repl("x = 3\ny = x^2\nx += 1\ny\nx = 2*x\ny\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith("y = ")]
    assert [row[:4] for row in rows] == [["y", "=", "x@3^2", "16"], ["y", "=", "x@5^2", "64"]]


def test_defining_a_name_used_before_makes_its_users_follow(tmp_path):
    """z = w*2 with w not yet bound, then w = 4: z is 8 (the program file would say "assign it
    before using it"); a constant's name too: e2 = e, then e = 2."""
    run = repl("z = w*2\nw = 4\nz\ne2 = e\ne = 2\ne2 + 0\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "8" in value_row(run.stdout, "z")
    assert "2" in value_row(run.stdout, "e2 + 0")


def test_a_circular_definition_is_refused_and_the_old_one_kept(tmp_path):
    """x = y*2 where y is defined from x: an error naming the circle; x keeps its definition."""
    run = repl("x = 3\ny = x + 1\nx = y*2\nx*1\n", tmp_path)
    assert "error: line 3, column 1: x would depend on itself (x → y → x)" in run.stderr
    assert "3" in value_row(run.stdout, "x*1")


def test_a_failed_definition_keeps_the_earlier_one(tmp_path):
    """x = 2 + is an error; x is still 3."""
    run = repl("x = 3\nx = 2 +\nx*1\n", tmp_path)
    assert "ended early" in run.stderr
    assert "3" in value_row(run.stdout, "x*1")


def test_several_statements_on_a_line_see_the_new_definition(tmp_path):
    """x = 3; y = x^2 then x = 5; y on one line: 25."""
    run = repl("x = 3; y = x^2\nx = 5; y\n", tmp_path)
    assert run.stderr == ""
    assert "25" in value_row(run.stdout, "y")


def test_ans_is_the_last_answer(tmp_path):
    """ans is the last output's value: 2*3, ans + 1 (7), ans*2 (14)."""
    run = repl("2*3\nans + 1\nans*2\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "7" in value_row(run.stdout, "ans + 1")
    assert "14" in value_row(run.stdout, "ans*2")


def test_ans_before_any_answer_has_no_value_and_a_bound_ans_is_yours(tmp_path):
    """Before any answer ans is an input with no value; once you bind ans, it is your ans."""
    run = repl("ans\n1+1\nans = 10\nans*1\n", tmp_path)
    assert "no value for ans" in run.stderr
    assert "10" in value_row(run.stdout, "ans*1")


@pytest.mark.parametrize("word", ["quit", "exit", " quit "])
def test_quit_and_exit_as_bare_words(tmp_path, word):
    """quit and exit alone on a line end the session, as at Python's prompt."""
    run = repl(f"1+1\n{word}\n40+2\n", tmp_path)
    assert run.returncode == 0 and run.stderr == ""
    assert "42" not in run.stdout


def test_help_as_a_bare_word_and_the_words_as_names(tmp_path):
    """help alone prints the help; inside an expression help and quit are still names."""
    run = repl("help\nhelp = 2\nhelp*3\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert ":vars" in run.stdout and "ans" in run.stdout
    assert "6" in value_row(run.stdout, "help*3")


def test_vars_lists_the_bindings_and_their_values(tmp_path):
    """:vars: each name with its value and where it comes from (its definition, :at, the last
    answer), and a name still without a value says how to give one, in the session's words."""
    run = repl(":vars\nx = 3\ny = x^2\nc = 1; c += c\n:at z=2\nq = z + v\nx*1\n:vars\n", tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    listing = run.stdout.split("x*1", 1)[1]
    rows = [" ".join(line.split()) for line in listing.splitlines()[-7:]]
    assert rows == [
        "x = 3 x = 3",
        "y = 9 y = x^2",
        "c = 2 c = 1; c += c",
        "z = 2 :at",
        "v no value yet: give it with :at v=VALUE",
        "q q = z + v (no value yet: needs v)",
        "ans = 3 the last answer",
    ]
    assert run.stdout.startswith("nothing is bound yet")


def test_check_lines_in_the_session(tmp_path):
    """`check` works in the REPL: ✓ for a right answer, ✗ with the correct one for a wrong one."""
    run = repl("x = 3\nf = x*x + x\ncheck d(f)/d(x) = 7\ncheck d(f)/d(x) = 6\n", tmp_path)
    assert "✓ line 3: check d(f)/d(x) = 7" in run.stdout
    assert "✗ line 4: check d(f)/d(x) = 6" in run.stdout
    assert "correct: 7" in run.stdout


def test_bare_gradcalc_with_a_program_piped_in_evaluates_it():
    """`echo 1+1 | gradcalc`: standard input that is not a terminal is a program for eval."""
    from click.testing import CliRunner

    from gradcalc.cli import main

    run = CliRunner().invoke(main, ["--format", "plain"], input="x = 3\nx*x\n")
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines()[0] == "x*x" and "x      3      6" in run.stdout


# -- through a pseudo-terminal --------------------------------------------------------------------


class Terminal:
    """A process whose stdin, stdout and stderr are a pseudo-terminal, read with a deadline."""

    def __init__(self, args, home):
        import pty

        self.master, slave = pty.openpty()
        env = dict(os.environ, HOME=str(home), TERM="dumb", COLUMNS="100", LINES="40")
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.buffer = b""

    def read_until(self, token, start=0, timeout=TIMEOUT):
        """Read until `token` appears in the output after byte `start`; return where it ends."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.buffer.find(token, start)
            if found >= 0:
                return found + len(token)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {token!r} within {timeout} s; got {self.buffer.decode(errors='replace')!r}")
            ready, _, _ = select.select([self.master], [], [], min(remaining, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the terminal closed before {token!r}: {self.buffer!r}")
                self.buffer += chunk

    def write(self, text):
        os.write(self.master, text.encode("utf-8"))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        os.close(self.master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("args", [["repl"], []], ids=["gradcalc repl", "gradcalc with no arguments"])
def test_terminal_session_shows_the_prompt_and_answers(tmp_path, args):
    """On a terminal (`gradcalc repl`, or bare `gradcalc`): a greeting, the `gc> ` prompt, an
    answer with the value and gradient, the prompt again, and :quit ends it with exit 0."""
    terminal = Terminal([sys.executable, "-m", "gradcalc", *args], tmp_path)
    try:
        end = terminal.read_until(b"gc> ")
        assert b"help for help" in terminal.buffer[:end]  # the greeting says how to get help
        terminal.write("x = 3; x*x + x\n")
        answer_end = terminal.read_until(b"gc> ", end)
        answer = terminal.buffer[end:answer_end].decode("utf-8", errors="replace")
        assert "12" in answer and "7" in answer  # f = 12 and ∂f/∂x = 7
        terminal.write(":quit\n")
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_terminal_ctrl_c_explain_ctrl_d_and_history(tmp_path):
    """With the pseudo-terminal as controlling terminal (pty.fork): Ctrl-C abandons the line being
    typed and prompts again, :explain shows the explanation, Ctrl-D ends the session with exit 0,
    and the lines typed are saved to ~/.gradcalc_history."""
    import pty

    pid, master = pty.fork()
    if pid == 0:  # the child: become gradcalc at once
        try:
            os.environ.update(HOME=str(tmp_path), TERM="dumb", COLUMNS="100", LINES="40")
            os.execv(sys.executable, [sys.executable, "-m", "gradcalc", "repl"])
        finally:
            os._exit(127)
    terminal = Terminal.__new__(Terminal)
    terminal.master, terminal.buffer = master, b""
    reaped = False
    try:
        end = terminal.read_until(b"gc> ")
        time.sleep(0.5)  # let readline set the terminal up, as a person's typing would
        terminal.write("1000+337\x03")  # typed, then Ctrl-C: never evaluated
        end = terminal.read_until(b"gc> ", end)
        terminal.write("x = 3; x*x + x\n")
        end = terminal.read_until(b"gc> ", end)
        terminal.write(":explain\n")
        explain_end = terminal.read_until(b"gc> ", end)
        explanation = terminal.buffer[end:explain_end].decode("utf-8", errors="replace")
        assert "paths from each input to the output" in explanation and "∂f/∂x" in explanation
        terminal.write("\x04")  # Ctrl-D at an empty prompt
        deadline = time.monotonic() + TIMEOUT
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                reaped = True
                break
            assert time.monotonic() < deadline, "the session did not end on Ctrl-D"
            try:  # keep draining so the child never blocks on a full terminal
                if select.select([master], [], [], 0.1)[0]:
                    terminal.buffer += os.read(master, 4096)
            except OSError:
                time.sleep(0.05)
        assert os.waitstatus_to_exitcode(status) == 0
        assert b"1337" not in terminal.buffer
        history = (tmp_path / ".gradcalc_history").read_text(encoding="utf-8")
        assert "x = 3; x*x + x" in history and ":explain" in history
    finally:
        if not reaped:  # only our own child, and only while it is still ours to reap
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_terminal_calculator_session_and_ctrl_d(tmp_path):
    """At a terminal: y follows a rebound x, ans is the last answer, :vars lists the bindings,
    and Ctrl-D at the prompt ends the session with exit 0 on a line of its own."""
    terminal = Terminal([sys.executable, "-m", "gradcalc", "repl", "--format", "plain"], tmp_path)
    try:
        end = terminal.read_until(b"gc> ")
        answers = []
        for line in ["x = 3", "y = x^2", "x = 5", "y", "ans*2", ":vars"]:
            terminal.write(line + "\n")
            start, end = end, terminal.read_until(b"gc> ", end)
            answers.append(terminal.buffer[start:end].decode("utf-8", errors="replace"))
        assert "y = x^2  25" in answers[3]
        assert "×  ans × 2  50" in answers[4]
        assert "ans = 50" in answers[5] and "y = 25" in answers[5]
        terminal.write("\x04")  # Ctrl-D at an empty prompt
        assert terminal.process.wait(timeout=TIMEOUT) == 0
        try:  # what the session wrote after the prompt: a new line, so the shell's prompt starts clean
            while select.select([terminal.master], [], [], 0.5)[0]:
                terminal.buffer += os.read(terminal.master, 4096)
        except OSError:  # the terminal's other end is closed
            pass
        assert terminal.buffer[end:].strip(b"\x04") in (b"\r\n", b"\n", b"^D\r\n"), terminal.buffer[end:]
    finally:
        terminal.close()
