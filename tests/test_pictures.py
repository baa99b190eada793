"""Pictures of the graph: Mermaid flowcharts and Graphviz dot, parsed back structurally, and
`-o FILE` writing .dot/.mmd text or drawing .svg through Graphviz (or saying clearly that it
is missing)."""

import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from helpers import gc

SHOPPING = Path(__file__).parent.parent / "samples" / "shopping.gc"
SHOPPING_EDGES = {  # (from, to): (forward value, gradient) on the arrow, as the textbook draws it
    ("apple", "s"): ("100", "5.4"),
    ("apple_count", "s"): ("5", "108"),
    ("orange", "t"): ("80", "3.24"),
    ("orange_count", "t"): ("3", "86.4"),
    ("s", "u"): ("500", "1.08"),
    ("t", "u"): ("240", "1.08"),
    ("u", "E"): ("740", "1.08"),
    ("tax", "E"): ("1.08", "740"),
    ("E", "out"): ("799.2", "1"),
}


# -- parsing the pictures back ------------------------------------------------------------------

MERMAID_NODE = re.compile(r'^  (\w+)(?:\(\("(.*)"\)\)|\["(.*)"\])$')
MERMAID_EDGE = re.compile(r'^  (\w+) -->\|"(.*)"\| (\w+)$')
MERMAID_ARROW = re.compile(r"^(.*)<br/><span style='color:red'>(.*)</span>$")


def parse_mermaid(text):
    """Flowcharts as a list of {direction, nodes: {id: (label, shape)}, edges: [(a, b, value, grad)]};
    every line must be a header, a %% comment, a node or an edge."""
    charts = []
    for line in text.splitlines():
        if not line.strip() or line.strip().startswith("%%"):
            continue
        if line.startswith("flowchart "):
            charts.append({"direction": line.split()[1], "nodes": {}, "edges": []})
            continue
        node, edge = MERMAID_NODE.match(line), MERMAID_EDGE.match(line)
        if node:
            label = node.group(2) if node.group(2) is not None else node.group(3)
            charts[-1]["nodes"][node.group(1)] = (label, "circle" if node.group(2) is not None else "box")
        elif edge:
            arrow = MERMAID_ARROW.match(edge.group(2))
            assert arrow, f"edge label without value and red gradient: {line!r}"
            charts[-1]["edges"].append((edge.group(1), edge.group(3), arrow.group(1), arrow.group(2)))
        else:
            raise AssertionError(f"not a Mermaid line this renderer writes: {line!r}")
    return charts


DOT_NODE = re.compile(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)", shape=(\w+)(?:, xlabel="((?:[^"\\]|\\.)*)")?\];$')
DOT_EDGE = re.compile(r'^  (\w+) -> (\w+) \[label=<(.*)<br/><font color="red">(.*)</font>>\];$')


def parse_dot(text):
    """Digraphs as a list of {rankdir, nodes: {id: (label, shape, xlabel)}, edges: [(a, b, value, grad)]}."""
    graphs, current = [], None
    for line in text.splitlines():
        if not line.strip() or line.strip().startswith("//"):
            continue
        if line.startswith("digraph "):
            assert line.endswith("{") and current is None
            current = {"rankdir": None, "nodes": {}, "edges": [], "closed": False}
            graphs.append(current)
        elif line == "}":
            current["closed"], current = True, None
        elif line.strip().startswith("rankdir="):
            current["rankdir"] = line.strip().removeprefix("rankdir=").rstrip(";")
        elif line.strip().startswith(("node [", "edge [")):
            continue
        elif m := DOT_NODE.match(line):
            current["nodes"][m.group(1)] = (m.group(2), m.group(3), m.group(4))
        elif m := DOT_EDGE.match(line):
            current["edges"].append(m.groups())
        else:
            raise AssertionError(f"not a dot line this renderer writes: {line!r}")
    assert current is None, "a digraph was not closed"
    return graphs


def named_edges(chart, name_of):
    """{(from name, to name): (value, grad)} with each node id replaced by its name."""
    return {(name_of(a), name_of(b)): (value, grad) for a, b, value, grad in chart["edges"]}


# -- Mermaid ------------------------------------------------------------------------------------


def test_mermaid_shopping_structure():
    """The shopping bill as Mermaid: flowchart LR, 10 nodes (5 inputs, 4 operations, the output),
    9 arrows, each referencing declared nodes and labelled with value and red gradient."""
    run = gc("-f", SHOPPING, "--format", "mermaid")
    assert run.exit_code == 0, run.output
    (chart,) = parse_mermaid(run.stdout)
    assert chart["direction"] == "LR"
    assert len(chart["nodes"]) == 10 and len(chart["edges"]) == 9
    for a, b, _, _ in chart["edges"]:
        assert a in chart["nodes"] and b in chart["nodes"]
    circles = [label for label, shape in chart["nodes"].values() if shape == "circle"]
    assert sorted(circles) == ["E: ×", "s: ×", "t: ×", "u: +"]

    def name(node_id):
        label = chart["nodes"][node_id][0]
        return "out" if node_id == "out" else label.split(":")[0]

    assert named_edges(chart, name) == SHOPPING_EDGES


def test_mermaid_shared_node_has_one_arrow_per_use():
    """x*x + x: x is one node with three arrows out (3, 3 and 1 flowing back: ∂f/∂x = 7)."""
    (chart,) = parse_mermaid(gc("x*x + x", "--at", "x=3", "--format", "mermaid").stdout)
    x = next(i for i, (label, _) in chart["nodes"].items() if label == "x")
    out_of_x = sorted(grad for a, _, _, grad in chart["edges"] if a == x)
    assert out_of_x == ["1", "3", "3"]


def test_mermaid_one_flowchart_per_output():
    """Two outputs give two flowcharts, each self-contained."""
    charts = parse_mermaid(gc("x*y; x + y", "--at", "x=1,y=2", "--format", "mermaid").stdout)
    assert len(charts) == 2
    for chart in charts:
        assert chart["direction"] == "LR"
        for a, b, _, _ in chart["edges"]:
            assert a in chart["nodes"] and b in chart["nodes"]


def test_mermaid_check_lines_are_comments():
    """Check verdicts inside Mermaid output are %% comments, so the chart still parses."""
    run = gc("x = 3; f = x*x; check d(f)/d(x) = 6", "--format", "mermaid")
    assert run.exit_code == 0
    assert "%% ✓ line 1: check d(f)/d(x) = 6" in run.stdout
    (chart,) = parse_mermaid(run.stdout)
    assert len(chart["edges"]) == 3


# -- dot ----------------------------------------------------------------------------------------


def test_dot_shopping_structure():
    """The shopping bill as dot: rankdir=LR, 10 nodes, 9 edges between declared nodes, each edge
    labelled with its value and, in red, its gradient; operations are circles with the name as xlabel."""
    run = gc("-f", SHOPPING, "--format", "dot")
    assert run.exit_code == 0, run.output
    (graph,) = parse_dot(run.stdout)
    assert graph["closed"] and graph["rankdir"] == "LR"
    assert len(graph["nodes"]) == 10 and len(graph["edges"]) == 9
    for a, b, _, _ in graph["edges"]:
        assert a in graph["nodes"] and b in graph["nodes"]
    ops = {xlabel: label for label, shape, xlabel in graph["nodes"].values() if shape == "circle"}
    assert ops == {"s": "×", "t": "×", "u": "+", "E": "×"}

    def name(node_id):
        label, shape, xlabel = graph["nodes"][node_id]
        return "out" if node_id == "out" else xlabel or label

    assert named_edges(graph, name) == SHOPPING_EDGES


def test_dot_one_digraph_per_output():
    """Two outputs give two closed digraphs."""
    graphs = parse_dot(gc("x*y; x + y", "--at", "x=1,y=2", "--format", "dot").stdout)
    assert len(graphs) == 2 and all(g["closed"] and g["rankdir"] == "LR" for g in graphs)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_output_is_accepted_by_graphviz(tmp_path):
    """Real Graphviz reads the text without complaint."""
    import subprocess

    text = gc("-f", SHOPPING, "--format", "dot").stdout
    done = subprocess.run(["dot", "-Tcanon"], input=text, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


# -- -o FILE ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix, output_format", [(".dot", "dot"), (".mmd", "mermaid")])
def test_output_file_text_matches_format(tmp_path, suffix, output_format):
    """-o x.dot / -o x.mmd write exactly the text --format dot / mermaid prints."""
    target = tmp_path / f"x{suffix}"
    run = gc("-f", SHOPPING, "-o", target)
    assert run.exit_code == 0, run.output
    assert f"wrote {target}" in run.stderr
    assert run.stdout == ""
    assert target.read_text(encoding="utf-8") == gc("-f", SHOPPING, "--format", output_format).stdout


def test_output_file_per_output(tmp_path):
    """Several outputs: x.dot, x-2.dot, each one digraph."""
    run = gc("x*y; x + y", "--at", "x=1,y=2", "-o", tmp_path / "x.dot")
    assert run.exit_code == 0
    assert len(parse_dot((tmp_path / "x.dot").read_text(encoding="utf-8"))) == 1
    assert len(parse_dot((tmp_path / "x-2.dot").read_text(encoding="utf-8"))) == 1


def test_output_file_bad_suffix_is_a_usage_error(tmp_path):
    """-o x.txt is refused with the suffixes it accepts, exit 2, nothing written."""
    run = gc("x", "--at", "x=1", "-o", tmp_path / "x.txt")
    assert run.exit_code == 2
    assert ".svg" in run.stderr and ".dot" in run.stderr and ".mmd" in run.stderr
    assert not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize("suffix, engine", [(".svg", ["--engine", "graphviz"]), (".png", []), (".pdf", [])])
def test_drawing_without_graphviz_says_so(tmp_path, monkeypatch, suffix, engine):
    """With no `dot` on the machine, -o x.png (or .pdf, or .svg with --engine graphviz) exits
    non-zero with a clear message naming Graphviz and the --format dot alternative, and writes nothing."""
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    target = tmp_path / f"x{suffix}"
    run = gc("-f", SHOPPING, "-o", target, *engine)
    assert run.exit_code != 0
    assert "Graphviz" in run.stderr and "--format dot" in run.stderr
    assert "Traceback" not in run.output
    assert not target.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_drawing_an_svg_with_graphviz(tmp_path):
    """With Graphviz installed, -o x.svg --engine graphviz draws an SVG of the graph."""
    target = tmp_path / "x.svg"
    run = gc("-f", SHOPPING, "-o", target, "--engine", "graphviz")
    assert run.exit_code == 0, run.output
    svg = target.read_text(encoding="utf-8")
    assert "<svg" in svg and "799.2" in svg and "apple" in svg


def fake_dot(tmp_path, monkeypatch, exit_code=0):
    """A stand-in `dot` first on PATH that records its arguments and standard input."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "dot"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "here = pathlib.Path(__file__).parent\n"
        "(here / 'args').write_text(' '.join(sys.argv[1:]))\n"
        "(here / 'stdin').write_text(sys.stdin.read(), encoding='utf-8')\n"
        f"if {exit_code}:\n"
        "    sys.stderr.write('syntax error in line 1')\n"
        f"    sys.exit({exit_code})\n"
        "sys.stdout.write('<svg/>')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return bin_dir


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for dot")
def test_drawing_hands_graphviz_the_dot_text(tmp_path, monkeypatch):
    """-o x.png runs `dot -Tpng` with the same dot text --format dot prints, its output going into
    x.png as gradcalc opened it (dot is never given a file name to open)."""
    bin_dir = fake_dot(tmp_path, monkeypatch)
    target = tmp_path / "x.png"
    run = gc("-f", SHOPPING, "-o", target)
    assert run.exit_code == 0, run.output
    assert (bin_dir / "args").read_text() == "-Tpng"
    assert (bin_dir / "stdin").read_text(encoding="utf-8") == gc("-f", SHOPPING, "--format", "dot").stdout
    assert target.read_text() == "<svg/>"


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for dot")
def test_graphviz_failure_is_reported(tmp_path, monkeypatch):
    """When dot itself fails, the error says Graphviz could not draw the file, with dot's message."""
    fake_dot(tmp_path, monkeypatch, exit_code=1)
    run = gc("-f", SHOPPING, "-o", tmp_path / "x.png")
    assert run.exit_code != 0
    assert "Graphviz could not draw" in run.stderr and "syntax error in line 1" in run.stderr
