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

from helpers import gc, render_errors, renderer_missing, sample_arguments

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
MERMAID_LINK = re.compile(r'^  (\w+) (-->|-\.-)\|"(.*)"\| (\w+)$')
MERMAID_CLASS_DEF = re.compile(r"^  classDef (\w+) (\S+)$")
MERMAID_CLASS = re.compile(r"^  class ([\w,]+) (\w+)$")
MERMAID_LINK_STYLE = re.compile(r"^  linkStyle ([\d,]+) (\S+)$")


def parse_mermaid(text):
    """Flowcharts as a list of {direction, nodes: {id: (label, shape)}, edges: [(a, b, value, grad)],
    links: [(a, b, kind, label)] in order, class_defs: {name: style}, classes: {id: name},
    link_styles: {link number: style}}. A forward arrow (-->) carries the value; the dotted line
    (-.-) written right after it, between the same nodes, carries the gradient. Every line must be
    a header, a %% comment, a node, a link, or a class or link style."""
    charts = []
    for line in text.splitlines():
        if not line.strip() or line.strip().startswith("%%"):
            continue
        if line.startswith("flowchart "):
            charts.append({"direction": line.split()[1], "nodes": {}, "edges": [], "links": [], "class_defs": {},
                           "classes": {}, "link_styles": {}})
            continue
        chart = charts[-1]
        if m := MERMAID_NODE.match(line):
            label = m.group(2) if m.group(2) is not None else m.group(3)
            chart["nodes"][m.group(1)] = (label, "circle" if m.group(2) is not None else "box")
        elif m := MERMAID_LINK.match(line):
            a, kind, label, b = m.groups()
            chart["links"].append((a, b, kind, label))
            if kind == "-->":
                chart["edges"].append([a, b, label, None])
            else:
                assert chart["edges"][-1][:2] == [a, b] and chart["edges"][-1][3] is None, \
                    f"a gradient line not right after its arrow: {line!r}"
                chart["edges"][-1][3] = label
        elif m := MERMAID_CLASS_DEF.match(line):
            chart["class_defs"][m.group(1)] = m.group(2)
        elif m := MERMAID_CLASS.match(line):
            chart["classes"].update(dict.fromkeys(m.group(1).split(","), m.group(2)))
        elif m := MERMAID_LINK_STYLE.match(line):
            chart["link_styles"].update(dict.fromkeys(map(int, m.group(1).split(",")), m.group(2)))
        else:
            raise AssertionError(f"not a Mermaid line this renderer writes: {line!r}")
    for chart in charts:
        chart["edges"] = [tuple(edge) for edge in chart["edges"]]
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


def test_mermaid_colours_gradients_with_link_styles_not_html():
    """GitHub renders Mermaid in strict mode, which shows inline HTML as text: no label holds < or
    >; every gradient line, and only those, is styled red by a linkStyle line; the node classes
    used are defined by classDef lines."""
    run = gc("x = 3; y = 2*x; f = sqrt(x^2 + y^2)", "--format", "mermaid")
    assert run.exit_code == 0, run.output
    (chart,) = parse_mermaid(run.stdout)
    labels = [label for label, _ in chart["nodes"].values()] + [label for *_, label in chart["links"]]
    assert not [label for label in labels if "<" in label or ">" in label or "span" in label]
    gradient_links = {k for k, (_, _, kind, _) in enumerate(chart["links"]) if kind == "-.-"}
    assert gradient_links and set(chart["link_styles"]) == gradient_links
    assert all("stroke:red" in style and "color:red" in style for style in chart["link_styles"].values())
    assert set(chart["classes"].values()) <= set(chart["class_defs"]) and chart["class_defs"]
    assert chart["classes"]["out"] == "output"
    assert {chart["classes"][node] for node, (_, shape) in chart["nodes"].items() if shape == "circle"} == {"op"}


def test_mermaid_link_styles_count_links_across_subgraphs():
    """Several outputs: one chart with a subgraph each; linkStyle numbers count the links of the
    whole chart, so the second subgraph's gradient lines are styled too."""
    import gradcalc
    from gradcalc.render.mermaid import render

    text = render(gradcalc.evaluate("x*y; x + y", at={"x": 1, "y": 2}))
    links = [line.strip() for line in text.splitlines() if " -->|" in line or " -.-|" in line]
    gradient_links = [k for k, line in enumerate(links) if " -.-|" in line]
    assert len(links) == 12 and gradient_links == [1, 3, 5, 7, 9, 11]
    (style,) = [line for line in text.splitlines() if line.strip().startswith("linkStyle")]
    assert style.split()[1] == "1,3,5,7,9,11"
    assert "<" not in text and ">" not in text.replace("-->", "")


def test_mermaid_labels_escape_quotes_and_angle_brackets():
    """A quote, an angle bracket or a # in a label is written as Mermaid's entity, never raw."""
    from gradcalc.render.mermaid import _escape

    assert _escape('a "b" <c> #d') == "a #quot;b#quot; #lt;c#gt; #35;d"


@pytest.mark.skipif(bool(renderer_missing("mermaid")), reason=f"Mermaid: {renderer_missing('mermaid')}")
def test_mermaid_charts_parse_in_mermaid_strict_mode():
    """Mermaid itself (securityLevel strict, as GitHub) parses every sample's chart and a
    two-output chart with subgraphs; a linkStyle that named a missing link would fail here."""
    import gradcalc
    from gradcalc.render.mermaid import render

    charts = []
    for arguments in sample_arguments():
        text = gc(*arguments, "--format", "mermaid").stdout
        charts += ["flowchart LR" + chart for chart in text.split("flowchart LR")[1:]]
    assert len(charts) > 10
    charts.append(render(gradcalc.evaluate("x*y; x + y", at={"x": 1, "y": 2})))
    errors = render_errors("mermaid", charts)
    assert errors == [None] * len(charts), [(c, e) for c, e in zip(charts, errors) if e]


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
