"""The four output formats (plain, rich, JSON lines, dot) and the samples' key numbers."""

import importlib
import io
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

import gradcalc
from gradcalc import render
from gradcalc.render import dot, plain, richview
from helpers import gc

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"


def sample(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


def rich_text(evaluation, width=100, color_system=None, max_nodes=40):
    """What the rich view prints for `evaluation` on a console of this width and colour system."""
    buffer = io.StringIO()
    console = richview.console(file=buffer, width=width, color_system=color_system)
    richview.render(evaluation, console, None, max_nodes)
    return buffer.getvalue()


# -- the table of formats --------------------------------------------------------------------------

KIND_METHODS = {
    render.EVALUATIONS: ("evaluation", "verdict", "findings"),
    render.EXPLANATIONS: ("explanations",),
    render.CHECKS: ("marks", "end"),
}


@pytest.mark.parametrize("name", list(render.FORMATS))
def test_every_format_in_the_table_renders_the_reports_it_says(name):
    """Each entry's module has a Renderer with a method for each report of the kinds the table
    lists (and no other kind's): adding a format is its module and its entry."""
    cls = importlib.import_module(f"gradcalc.render.{render.FORMATS[name][0]}").Renderer
    for kind, methods in KIND_METHODS.items():
        for method in methods:
            assert hasattr(cls, method) == (kind in render.FORMATS[name][1]), (name, method)


@pytest.mark.parametrize("command, kind", [("eval", render.EVALUATIONS), ("explain", render.EXPLANATIONS),
                                           ("check", render.CHECKS), ("repl", render.EVALUATIONS)])
def test_each_command_offers_the_formats_the_table_gives_it(command, kind):
    """--format's choices come from the table: eval rich|plain|graph|tree|json|value|dot|mermaid, explain
    rich|plain|json|md, check rich|plain|json|csv."""
    from click.testing import CliRunner

    from gradcalc.cli import main

    help_text = CliRunner().invoke(main, [command, "--help"]).stdout
    assert "[" + "|".join(render.names(kind)) + "]" in "".join(help_text.split())
    assert render.names(render.EVALUATIONS) == ("rich", "plain", "graph", "tree", "json", "value", "dot", "mermaid")
    assert render.names(render.EXPLANATIONS) == ("rich", "plain", "json", "md")
    assert render.names(render.CHECKS) == ("rich", "plain", "json", "csv")


def test_plain_and_pictures_show_the_gradient_check_table_alike():
    """--gradcheck's table is the same lines in plain text and, as comments, in dot and mermaid."""
    table = {}
    for output_format, comment in [("plain", ""), ("dot", "// "), ("mermaid", "%% ")]:
        run = gc("x*y", "--at", "x=2,y=3", "--gradcheck", "--format", output_format)
        assert run.exit_code == 0, run.output
        lines = run.stdout.splitlines()
        start = lines.index(comment + "gradient check per input (central differences extrapolated to step 0)")
        table[output_format] = [line.removeprefix(comment) for line in lines[start:start + 5]]
    assert table["plain"] == table["dot"] == table["mermaid"]
    assert table["plain"][2].split()[:2] == ["x", "3"] and table["plain"][2].split()[-1] == "✓"


# -- plain ---------------------------------------------------------------------------------------

SHOPPING_PLAIN = """\
E = u * tax
node                           value  ∂E/∂node
E = u × tax                    799.2  1
  u = s + t                    740    1.08
    s = apple × apple_count    500    1.08
      apple                    100    5.4
      apple_count              5      108
    t = orange × orange_count  240    1.08
      orange                   80     3.24
      orange_count             3      86.4
  tax                          1.08   740

input         value  ∂E/∂input
apple         100    5.4
apple_count   5      108
orange        80     3.24
orange_count  3      86.4
tax           1.08   740
"""


def test_shopping_plain_output_is_exactly_the_textbook_table():
    """The whole plain output of the shopping sample: the tree (E 799.2, u 740, s 500, t 240) with
    ∂E/∂node, then the inputs with ∂E/∂apple 5.4, apple_count 108, orange 3.24, orange_count 86.4,
    tax 740. Pinned character for character."""
    run = gc("-f", str(SAMPLES / "shopping.gc"), "--format", "plain")
    assert run.exit_code == 0, run.output
    assert run.stderr == ""
    assert run.stdout == SHOPPING_PLAIN


def test_plain_is_the_default_when_output_is_not_a_terminal():
    """Without --format, piped output is plain."""
    run = gc("-f", str(SAMPLES / "shopping.gc"))
    assert run.stdout == SHOPPING_PLAIN


def test_plain_separates_outputs_with_a_blank_line():
    """Two outputs are two blocks, each starting with its statement, separated by one blank line."""
    run = gc("x*y; x+y", "--at", "x=3,y=2", "--format", "plain")
    assert run.exit_code == 0
    blocks = run.stdout.split("\n\nx+y\n")
    assert len(blocks) == 2
    assert blocks[0].startswith("x*y\n")
    assert "\n\n\n" not in run.stdout


def test_plain_marks_shared_nodes_instead_of_expanding_them_twice():
    """In s + s*s the named node s is expanded once and marked shared at its two other uses."""
    evaluation = gradcalc.evaluate("s = x*y; s + s*s", at={"x": 2, "y": 3})
    text = plain.render(evaluation)
    rows = text.split("\n\n")[0].splitlines()
    assert sum("s = x × y" in row for row in rows) == 1
    assert sum(row.strip() == "s (shared, shown above)" for row in rows) == 2
    assert sum(row.strip().startswith("x ") for row in rows) == 1  # x under s, once
    s_row = next(row for row in rows if "s = x × y" in row)
    assert s_row.split()[-2:] == ["6", "13"]


# -- rich ----------------------------------------------------------------------------------------


def test_rich_shopping_tree_without_colour():
    """The rich view draws the tree with ├──/└──/│ guides and shows each node's value and gradient."""
    text = rich_text(gradcalc.evaluate(sample("shopping.gc")))
    assert "\x1b[" not in text
    for guide in ("├──", "└──", "│"):
        assert guide in text
    lines = text.splitlines()

    def row(start):
        return next(line for line in lines if line.strip().startswith(start)).split()

    assert row("E = u × tax")[-2:] == ["799.2", "1"]
    assert row("├── u = s + t")[-2:] == ["740", "1.08"]
    assert row("│   │   ├── apple")[-2:] == ["100", "5.4"]
    assert row("│   │   └── apple_count")[-2:] == ["5", "108"]
    assert row("│       ├── orange")[-2:] == ["80", "3.24"]
    assert row("│       └── orange_count")[-2:] == ["3", "86.4"]
    assert row("└── tax")[-2:] == ["1.08", "740"]


def test_rich_shopping_output_matches_the_readme_picture():
    """The tree of the shopping sample is the one the README shows (ignoring trailing spaces
    and blank lines)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("`--format tree` (or a graph too wide for the terminal) shows it as a tree:")
    block = readme[start:].split("```", 2)[1]

    def meaningful(text):
        return [line.rstrip() for line in text.splitlines() if line.strip()]

    assert meaningful(rich_text(gradcalc.evaluate(sample("shopping.gc")))) == meaningful(block)


@pytest.mark.parametrize("color_system", ["standard", "256", "truecolor"])
def test_rich_gradient_column_is_red(color_system):
    """On a colour console every gradient cell is red (SGR 31) and the value cells are not."""
    text = rich_text(gradcalc.evaluate(sample("shopping.gc")), color_system=color_system)

    def styles_of(number):
        """The SGR parameters of each styled span whose text is just `number` (padded)."""
        return [set(params.split(";")) for params in re.findall(r"\x1b\[([\d;]+)m\s*" + re.escape(number) + r"\s*\x1b\[0m", text)]

    for gradient in ("5.4", "108", "3.24", "86.4"):
        spans = styles_of(gradient)
        assert spans, f"{gradient} not found as a styled cell"
        assert all("31" in params for params in spans), (gradient, spans)
    for value_only in ("799.2", "500", "240"):
        spans = styles_of(value_only)
        assert spans, f"{value_only} not found as a styled cell"
        assert not any("31" in params for params in spans), (value_only, spans)


def test_rich_marks_shared_nodes():
    """In the rich view a node used again is marked 'shared, shown above' under a tree guide."""
    text = rich_text(gradcalc.evaluate("s = x*y; s + s*s", at={"x": 2, "y": 3}))
    lines = text.splitlines()
    assert sum("s = x × y" in line for line in lines) == 1
    shared = [line for line in lines if "shared, shown above" in line]
    assert len(shared) == 2
    assert all(re.search(r"[├└]── s  shared", line) for line in shared)


@pytest.mark.parametrize("output_format", ["rich", "tree"])
def test_rich_format_through_the_command_line(output_format):
    """--format rich (or tree) works off a terminal too, without escape codes when not a terminal."""
    run = gc("-f", str(SAMPLES / "shopping.gc"), "--format", output_format)
    assert run.exit_code == 0
    if output_format == "rich":  # the graph fits 80 columns: drawn as a picture
        assert "drawn as a graph" in run.stdout and "\x1b[" not in run.stdout
        return
    assert "└── tax" in run.stdout and "799.2" in run.stdout
    assert "\x1b[" not in run.stdout


# -- big graphs: a summary by default, everything with --all -------------------------------------

TERMS = 10_000
BIG_SUM = "+".join(["x"] * TERMS)  # 9,999 additions and one shared x: 10,000 nodes


def test_big_graph_is_summarised_in_plain():
    """A 10,000-node graph in plain is a short summary that says how to see every node."""
    run = gc(BIG_SUM, "--at", "x=2", "--format", "plain")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert len(lines) < 60
    assert "more nodes not shown (the graph has 10000; --all shows every node)" in run.stdout
    assert lines[-1].split() == ["x", "2", "10000"]


def test_big_graph_is_summarised_in_rich():
    """A 10,000-node graph in the rich view (100 columns) is a short summary — fewer than 60 lines
    — that says how to see every node."""
    text = rich_text(gradcalc.evaluate(BIG_SUM, at={"x": 2}), width=100)
    assert "--all shows every node" in text
    assert "10000" in text
    lines = text.splitlines()
    count = len(lines)
    echoed = sum(line.startswith("x+x") for line in lines)
    assert count < 60, f"{count} lines, {echoed} of them the 20,000-character statement echoed as the title"


def all_rows(text):
    """The node rows of the first plain block (between the header and the blank line)."""
    return text.split("\n\n")[0].splitlines()[2:]


def test_all_shows_every_node_in_plain():
    """--all on a 9,999-node graph (1+2+...+5000) shows every node: 5,000 literals and 4,999 sums."""
    n = 5000
    run = gc("+".join(str(i) for i in range(1, n + 1)), "--format", "plain", "--all")
    assert run.exit_code == 0
    assert "more nodes not shown" not in run.stdout
    rows = all_rows(run.stdout)
    assert len(rows) == 2 * n - 1
    leaves = sorted(int(row.split()[0]) for row in rows if not row.strip().startswith("+"))
    assert leaves == list(range(1, n + 1))
    assert rows[0].split()[-2:] == [str(n * (n + 1) // 2), "1"]


def test_all_shows_every_node_in_rich():
    """--all in the rich view shows every node of a 1,999-node graph, and no summary line."""
    n = 1000
    evaluation = gradcalc.evaluate("+".join(str(i) for i in range(1, n + 1)))
    text = rich_text(evaluation, width=200, max_nodes=None)
    assert "more nodes not shown" not in text
    leaves = {int(m) for m in re.findall(r"[├└]── (\d+) ", text)}
    assert leaves == set(range(1, n + 1))


def test_summary_limit_is_forty_rows():
    """By default a tree stops after 40 rows; --all removes the limit."""
    expr = "+".join(str(i) for i in range(1, 31))  # 59 nodes
    summary = gc(expr, "--format", "plain")
    full = gc(expr, "--format", "plain", "--all")
    assert len(all_rows(summary.stdout)) == 40 + 1  # 40 rows and the "… more nodes" line
    assert len(all_rows(full.stdout)) == 59


# -- JSON lines ----------------------------------------------------------------------------------

NODE_FIELDS = {"id", "op", "label", "name", "inputs", "value", "grad"}


def test_json_one_object_per_output_per_line():
    """problems.gc (10 outputs) gives 10 lines, each one JSON object with expr/value/gradient/nodes."""
    run = gc("-f", str(SAMPLES / "problems.gc"), "--at", "x=3,y=2", "--format", "json")
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert len(lines) == 10
    for line in lines:
        record = json.loads(line)
        assert {"expr", "value", "gradient", "nodes"} <= set(record)
        ids = [node["id"] for node in record["nodes"]]
        assert ids == list(range(len(ids)))
        for node in record["nodes"]:
            assert NODE_FIELDS <= set(node)
            assert all(0 <= i < node["id"] for i in node["inputs"])  # topological order


def test_json_shopping_fields_and_exact_values():
    """The shopping bill: value 799.2 with value_exact '3996/5'; gradients with exact fractions;
    node entries name their op, label, name and inputs."""
    run = gc("-f", str(SAMPLES / "shopping.gc"), "--format", "json")
    record = json.loads(run.stdout)
    assert record["expr"] == "E = u * tax"
    assert record["value"] == 799.2
    assert record["value_exact"] == "3996/5"
    assert record["gradient"] == {"apple": 5.4, "apple_count": 108, "orange": 3.24, "orange_count": 86.4, "tax": 740}
    assert record["gradient_exact"]["apple"] == "27/5"
    nodes = {node["name"]: node for node in record["nodes"]}
    assert nodes["apple"]["op"] == "input" and nodes["apple"]["inputs"] == []
    assert nodes["s"]["op"] == "mul" and nodes["s"]["label"] == "×"
    assert [nodes_by_id["name"] for nodes_by_id in (record["nodes"][i] for i in nodes["s"]["inputs"])] == ["apple", "apple_count"]
    assert nodes["u"]["op"] == "add" and nodes["u"]["grad_exact"] == "27/25"
    assert nodes["E"]["value_exact"] == "3996/5" and nodes["E"]["grad"] == 1
    assert "value_exact" not in nodes["apple"]  # integers carry no exact string


def test_json_integers_stay_integers():
    """Integer values and gradients are JSON integers, not 6.0."""
    record = json.loads(gc("x*y", "--at", "x=3,y=2", "--format", "json").stdout)
    assert record["value"] == 6 and isinstance(record["value"], int)
    assert all(isinstance(g, int) for g in record["gradient"].values())


@pytest.mark.parametrize("text, at, expected", [
    ("sqrt(x)", "x=0", "inf"),
    ("acos(x)", "x=-1", "-inf"),
    ("(-2)^x", "x=2", "nan"),
])
def test_json_non_finite_numbers_are_strings(text, at, expected):
    """Non-finite gradients are the strings "inf", "-inf", "nan" (valid JSON, no bare NaN)."""
    run = gc(text, "--at", at, "--format", "json")
    assert run.exit_code == 0
    assert "NaN" not in run.stdout and "Infinity" not in run.stdout
    record = json.loads(run.stdout)
    assert record["gradient"]["x"] == expected
    x_node = next(node for node in record["nodes"] if node["name"] == "x")
    assert x_node["grad"] == expected


NON_FINITE = "x = 0\ny = -1\nz = 2\nf = sqrt(x) + acos(y) + (-2)^z\ncheck d(f)/d(x) = 1\n"  # ∞, -∞, nan


@pytest.mark.parametrize("args", [["eval", "--format", "json", "--gradcheck", "-"], ["check", "--format", "json", "-"],
                                  ["explain", "--format", "json", "-"]], ids=["eval", "check", "explain"])
def test_json_output_with_infinite_and_undefined_numbers_parses_strictly(args):
    """Gradients of ∞, -∞ and nan, in every JSON gradcalc writes (outputs, nodes, gradient checks,
    verdicts, explanations): never a NaN or Infinity literal that strict parsers reject.
    [the test this replaces read a sample whose numbers are all finite]"""
    from click.testing import CliRunner

    from gradcalc.cli import main

    run = CliRunner().invoke(main, args, input=NON_FINITE)
    records = [json.loads(line, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
               for line in run.stdout.splitlines()]
    assert records and '"inf"' in run.stdout
    if args[0] == "eval":
        assert '"-inf"' in run.stdout and '"nan"' in run.stdout
        assert records[-1]["gradient"] == {"x": "inf", "y": "-inf", "z": "nan"}


# -- dot -----------------------------------------------------------------------------------------

EDGE = re.compile(r'^  (n\d+|out) -> (n\d+|out) \[label=<(.*?)<br/><font color="red">(.*?)</font>>\];$')
NODE = re.compile(r"^  (n\d+|out) \[label=(\"(?:[^\"\\]|\\.)*\"), (.*)\];$")


def parse_dot(text):
    """(header, declared nodes {id: attributes}, edges [(from, to, value, gradient)]) of one digraph;
    fails on any line that is neither."""
    lines = text.rstrip("\n").splitlines()
    assert re.fullmatch(r'digraph "(?:[^"\\]|\\.)*" \{', lines[0]), lines[0]
    assert lines[-1] == "}"
    assert "  rankdir=LR;" in lines
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line.strip().startswith(("rankdir", "node [", "edge [")):
            continue
        edge = EDGE.match(line)
        if edge:
            edges.append(edge.groups())
            continue
        node = NODE.match(line)
        assert node, f"neither node nor edge: {line!r}"
        nodes[node.group(1)] = node.group(2) + " " + node.group(3)
    return lines[0], nodes, edges


def test_dot_is_a_left_to_right_digraph_with_declared_nodes_and_red_gradients():
    """The shopping graph in dot: every edge joins declared nodes, carries the forward value and a
    red gradient; 8 arrows between nodes and one to the output."""
    run = gc("-f", str(SAMPLES / "shopping.gc"), "--format", "dot")
    assert run.exit_code == 0
    header, nodes, edges = parse_dot(run.stdout)
    assert header == 'digraph "E = u * tax" {'
    for source, target, _, _ in edges:
        assert source in nodes and target in nodes
    assert len(edges) == 9
    by_label = {(nodes[s].split('"')[1], nodes[t].split('"')[1]): (v, g) for s, t, v, g in edges}
    assert by_label[("apple", "×")] == ("100", "5.4")
    assert by_label[("orange_count", "×")] == ("3", "86.4")
    assert by_label[("tax", "×")] == ("1.08", "740")
    assert by_label[("×", "E")] == ("799.2", "1")
    assert 'xlabel="s"' in nodes[next(s for s, t, v, g in edges if v == "500")]


def test_dot_edge_gradients_sum_to_the_node_gradient():
    """x*x + x at 3: the arrows out of x carry 3, 3 and 1, which add up to ∂f/∂x = 7."""
    text = dot.render(gradcalc.evaluate("x*x + x", at={"x": 3}))
    _, nodes, edges = parse_dot(text)
    x = next(node for node, attributes in nodes.items() if attributes.startswith('"x"'))
    out_of_x = sorted(int(g) for s, t, v, g in edges if s == x)
    assert out_of_x == [1, 3, 3]
    assert sum(out_of_x) == 7


def test_dot_one_digraph_per_output():
    """A program with two outputs gives two digraphs."""
    run = gc("x*y; x+y", "--at", "x=3,y=2", "--format", "dot")
    assert run.exit_code == 0
    graphs = [g for g in run.stdout.split("\n}\n") if g.strip()]
    assert len(graphs) == 2
    for graph in graphs:
        parse_dot(graph + "\n}\n")


def test_dot_arrow_labels_show_numbers_as_people_write_them():
    """An arrow carrying 1/3 is labelled '1/3 ≈ 0.333333' (the one number formatter), as HTML-safe text."""
    _, nodes, edges = parse_dot(dot.render(gradcalc.evaluate("x/3", at={"x": 1})))
    assert all("<" not in v for _, _, v, _ in edges)
    assert any(v == "1/3 ≈ 0.333333" for _, _, v, _ in edges)


# -- the samples ---------------------------------------------------------------------------------


def json_record(*args):
    run = gc(*args, "--format", "json")
    assert run.exit_code == 0, run.output
    return [json.loads(line) for line in run.stdout.splitlines()]


def exact(record, field="value"):
    """The exact value of a JSON record's field, from *_exact when present."""
    text = record.get(f"{field}_exact")
    return Fraction(text) if text else Fraction(str(record[field]))


def test_sample_shopping():
    """shopping.gc: 799.2, and ∂E/∂apple 5.4, apple_count 108, orange 3.24, orange_count 86.4, tax 740."""
    [record] = json_record("-f", str(SAMPLES / "shopping.gc"))
    assert exact(record) == Fraction("799.2")
    assert record["gradient"] == {"apple": 5.4, "apple_count": 108, "orange": 3.24, "orange_count": 86.4, "tax": 740}


def test_sample_shopping_book():
    """shopping-book.gc: exactly 715 (not 715.0000000000001), ∂/∂apple 2.2, apple_num 110, orange 3.3,
    orange_num 165, tax 650."""
    [record] = json_record("-f", str(SAMPLES / "shopping-book.gc"))
    assert record["value"] == 715 and isinstance(record["value"], int)
    assert record["gradient"] == {"apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}


def test_sample_shopping_japanese():
    """shopping-ja.gc: the same bill with Japanese names, 799.2 and ∂/∂りんご = 5.4."""
    [record] = json_record("-f", str(SAMPLES / "shopping-ja.gc"))
    assert record["value_exact"] == "3996/5"
    assert record["gradient"] == {"りんご": 5.4, "りんごの個数": 108, "みかん": 3.24, "みかんの個数": 86.4, "消費税": 740}
    run = gc("-f", str(SAMPLES / "shopping-ja.gc"), "--format", "plain")
    assert "∂支払金額/∂input" in run.stdout


def neuron_by_hand():
    """The neuron worked out directly: z = wx + b, y = σ(z), loss = (y - target)²/2."""
    x, w, b, target = 2, 0.5, -1.5, 1
    z = w * x + b
    y = 1 / (1 + math.exp(-z))
    loss = (y - target) ** 2 / 2
    d_y = y - target
    d_z = d_y * y * (1 - y)
    return {"z": z, "y": y, "loss": loss,
            "gradient": {"x": d_z * w, "w": d_z * x, "b": d_z, "target": -d_y}}


def test_sample_neuron():
    """neuron.gc: z = -0.5, y = σ(-0.5), loss = (y-1)²/2 and its gradients, as computed by hand."""
    expected = neuron_by_hand()
    assert expected["z"] == -0.5
    [record] = json_record("-f", str(SAMPLES / "neuron.gc"))
    assert record["value"] == pytest.approx(expected["loss"], rel=1e-12)
    assert set(record["gradient"]) == {"x", "w", "b", "target"}
    for name, grad in expected["gradient"].items():
        assert record["gradient"][name] == pytest.approx(grad, rel=1e-12), name
    nodes = {node["name"]: node for node in record["nodes"] if node["name"]}
    assert nodes["z"]["value"] == -0.5
    assert nodes["y"]["value"] == pytest.approx(expected["y"], rel=1e-12)
    result = gradcalc.evaluate(sample("neuron.gc"))
    assert result.grad("y") == pytest.approx(expected["y"] - 1, rel=1e-12)


SIGMOID_2 = 1 / (1 + math.exp(-2))  # sigmoid(x*y - 4) at x = 3, y = 2
PROBLEMS = [  # at x = 3, y = 2: (value, ∂/∂x, ∂/∂y or None)
    (9, 3, 3),
    (19, 9, None),
    (5, 6, -4),
    (1, 0, None),
    (math.exp(-4.5), -3 * math.exp(-4.5), None),
    (math.log(1 + math.exp(3)), 1 / (1 + math.exp(-3)), None),
    (SIGMOID_2, 2 * SIGMOID_2 * (1 - SIGMOID_2), 3 * SIGMOID_2 * (1 - SIGMOID_2)),
    (1, 1, -1),
    (1.5, 0.5, -0.75),
    (math.sqrt(13), 3 / math.sqrt(13), 2 / math.sqrt(13)),
]


def test_sample_problems():
    """problems.gc at x=3, y=2: ten outputs with the values and slopes worked out by hand."""
    records = json_record("-f", str(SAMPLES / "problems.gc"), "--at", "x=3,y=2")
    assert len(records) == len(PROBLEMS)
    for record, (value, d_x, d_y) in zip(records, PROBLEMS):
        assert record["value"] == pytest.approx(value, rel=1e-12, abs=1e-15), record["expr"]
        assert record["gradient"]["x"] == pytest.approx(d_x, rel=1e-12, abs=1e-12), record["expr"]
        if d_y is not None:
            assert record["gradient"]["y"] == pytest.approx(d_y, rel=1e-12, abs=1e-12), record["expr"]


@pytest.mark.parametrize("name", ["shopping.gc", "shopping-book.gc", "shopping-ja.gc", "neuron.gc", "problems.gc"])
@pytest.mark.parametrize("output_format", ["plain", "rich", "json", "dot"])
def test_every_sample_runs_cleanly_in_every_format(name, output_format):
    """Each sample exits 0 in every format, with nothing on stderr."""
    run = gc("-f", str(SAMPLES / name), "--at", "x=3,y=2", "--format", output_format) if name == "problems.gc" \
        else gc("-f", str(SAMPLES / name), "--format", output_format)
    assert run.exit_code == 0, run.output
    assert run.stdout.strip()
    assert run.stderr == ""


# -- numbers too long to write out -------------------------------------------------------------

FORMATS = ["plain", "rich", "json", "dot", "mermaid"]


@pytest.mark.parametrize("value, shown", [
    (Fraction(1, 10**400), "1e-400"),  # exact, in scientific form (not 399 zeros)
    (Fraction(-3, 10**400), "-3e-400"),
    (Fraction(123, 10**30), "1.23e-28"),
    (Fraction(1, 10**21), "0.000000000000000000001"),  # up to 24 places the decimal is written out
    (Fraction(1, 2) ** 7000, "≈ 6.16638e-2108"),  # 7000 places, 4,893 significant digits
    (Fraction(1, 3 * 10**400), "≈ 3.33333e-401"),
    (Fraction(10**400, 3), "≈ 3.33333e+399"),
    (10**400, "≈ 1e+400"),
    (10**31, "≈ 1e+31"),
    (Fraction(1, 3), "1/3 ≈ 0.333333"),
    (Fraction(3996, 5), "799.2"),
])
def test_exact_numbers_too_long_to_write_out_are_shown_in_scientific_form(value, shown):
    """A number is shown in a few characters whatever its size: (1/2)^7000 would be 4,893 digits
    (and past Python's 4,300-digit limit on printing an int), 10^-400 399 zeros."""
    assert gradcalc.numbers.format_number(value) == shown


@pytest.mark.parametrize("program", ["(1/2)^7000 * x", "10^-400 * x", "x * 10^-400 / 3"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_exact_values_with_big_denominators_in_every_format(program, output_format):
    """Every view shows an exact value with a 7000-bit denominator, or 10^-400, in a few
    characters: no traceback, no row of hundreds of zeros (JSON keeps the exact fraction)."""
    run = gc(program, "--at", "x=3", "--format", output_format)
    assert run.exit_code == 0, run.output
    if output_format == "json":
        record = json.loads(run.stdout)
        assert Fraction(record["value_exact"]) == gradcalc.evaluate(program, at={"x": 3}).value
    else:
        assert len(run.stdout) < 2000, "an exact value is never written out in thousands of digits"
        assert "0" * 30 not in run.stdout and "e-" in run.stdout


def test_json_keeps_an_underflowing_exact_value_exactly():
    """10^-400 × 3 is 0.0 as a double; JSON says so in "value" and keeps the exact value in
    "value_exact" (at most 8192 bits a side, as every exact value is)."""
    record = json.loads(gc("10^-400 * x", "--at", "x=3", "--format", "json").stdout)
    assert record["value"] == 0.0
    assert Fraction(record["value_exact"]) == Fraction(3, 10**400)
    assert Fraction(record["gradient_exact"]["x"]) == Fraction(1, 10**400)


def test_json_numbers_past_a_double_are_inf_and_exact_text_stays_bounded():
    """An exact number past a double's range (an explanation's intermediate product can be) is
    "inf" or "-inf" in JSON, never an int of hundreds of digits; exact_text gives up past 8192
    bits a side rather than writing megabytes."""
    numbers = gradcalc.numbers
    assert numbers.json_number(10**400) == "inf"
    assert numbers.json_number(-(10**400)) == "-inf"
    assert numbers.json_number(Fraction(10**400, 3)) == "inf"
    assert numbers.json_number(Fraction(1, 10**400)) == 0.0
    assert numbers.json_number(2**1022) == 2**1022  # an exact int stays an int
    assert numbers.exact_text(Fraction(1, 10**400)) == "1/1" + "0" * 400
    assert numbers.exact_text(Fraction(1, 3**10000)) is None
