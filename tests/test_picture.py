"""The textbook's picture: the layered layout (gradcalc/picture.py) by its laws, the terminal
picture (--format graph, and the default view's choice between picture and tree), read back
structurally rather than compared character by character."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import gradcalc
from gradcalc import picture
from gradcalc.cli import main
from gradcalc.render import graph as terminal

SAMPLES = Path(__file__).parent.parent / "samples"
BOOK = SAMPLES / "shopping-book.gc"
# The seed's figure: (from, to): (value above the arrow, gradient below it)
BOOK_ARROWS = {
    ("apple", "apple_price"): ("100", "2.2"),
    ("apple_num", "apple_price"): ("2", "110"),
    ("orange", "orange_price"): ("150", "3.3"),
    ("orange_num", "orange_price"): ("3", "165"),
    ("apple_price", "all_price"): ("200", "1.1"),
    ("orange_price", "all_price"): ("450", "1.1"),
    ("all_price", "price"): ("650", "1.1"),
    ("tax", "price"): ("1.1", "650"),
    ("price", "out"): ("715", "1"),
}
BOX_CHARACTERS = set("".join(terminal.BOX.values()) + terminal.HEAD + "←")


def run(*args, env=None):
    """`gradcalc eval ARGS` in-process, with the environment's colour and width settings cleared
    unless given (CliRunner: not a terminal)."""
    settings = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm", "COLUMNS": "100", **(env or {})}
    return CliRunner(env=settings).invoke(main, ["eval", *map(str, args)])


# -- the layout's laws --------------------------------------------------------------------------


@st.composite
def dags(draw):
    """A random DAG: vertices 0..n-1, each edge from a smaller to a larger vertex."""
    count = draw(st.integers(2, 14))
    pairs = st.tuples(st.integers(0, count - 2), st.integers(1, count - 1)).filter(lambda p: p[0] < p[1])
    return count, draw(st.lists(pairs, min_size=1, max_size=24))


@given(dags())
def test_layers_respect_edges(dag):
    """Every edge goes to a later layer; a source sits just before its first consumer."""
    count, edges = dag
    rank = picture.ranks(count, edges)
    assert all(rank[u] < rank[v] for u, v in edges)
    for u in range(count):
        consumers = [rank[v] for a, v in edges if a == u]
        if consumers and not any(b == u for _, b in edges):
            assert rank[u] == min(consumers) - 1


@given(dags())
def test_chains_are_one_layer_a_step_and_orders_are_permutations(dag):
    """Each edge's chain steps one layer at a time; each layer holds exactly its vertices."""
    count, edges = dag
    layered = picture.Layered(picture.ranks(count, edges), edges)
    for (u, v), chain in zip(edges, layered.chains):
        assert chain[0] == u and chain[-1] == v
        assert [layered.rank[w] for w in chain] == list(range(layered.rank[u], layered.rank[v] + 1))
    assert sorted(w for layer in layered.layers for w in layer) == list(range(len(layered.rank)))
    assert all(layered.rank[w] == r for r, layer in enumerate(layered.layers) for w in layer)


@given(dags())
def test_ordering_never_adds_crossings(dag):
    """The barycentre sweeps end with no more crossings than the order the layout was given."""
    count, edges = dag
    layered = picture.Layered(picture.ranks(count, edges), edges)
    given_order = picture.Layered(picture.ranks(count, edges), edges, sweeps=0)
    assert layered.crossings() <= given_order.crossings()


def test_barycentres_untangle_a_crossed_pair():
    """Two parallel edges given crossed (0→3, 1→2 with 2 above 3) are drawn uncrossed."""
    layered = picture.Layered([0, 0, 1, 1], [(0, 3), (1, 2)])
    assert picture.Layered([0, 0, 1, 1], [(0, 3), (1, 2)], sweeps=0).crossings() == 1
    assert layered.crossings() == 0


def test_crossings_are_counted():
    """K(2,2) drawn in any order has one crossing; a fan has none."""
    assert picture.Layered([0, 0, 1, 1], [(0, 2), (0, 3), (1, 2), (1, 3)]).crossings() == 1
    assert picture.Layered([0, 1, 1, 1], [(0, 1), (0, 2), (0, 3)]).crossings() == 0


@given(dags())
def test_rows_keep_the_order_and_never_overlap(dag):
    """In each layer the rows follow the order, SLOT or more apart; the first row is 1."""
    count, edges = dag
    layered = picture.Layered(picture.ranks(count, edges), edges)
    row = picture.rows(layered)
    for layer in layered.layers:
        assert all(row[b] - row[a] >= picture.SLOT for a, b in zip(layer, layer[1:]))
    assert min(row) == 1


def test_a_chain_is_drawn_straight():
    """A chain of nodes keeps one row: no bends where none are needed."""
    layered = picture.Layered([0, 1, 2, 3], [(0, 1), (1, 2), (2, 3)])
    assert len(set(picture.rows(layered))) == 1


def test_the_layout_has_no_recursion_and_copes_with_depth():
    """A 3,000-deep chain (Python's recursion limit is 1,000) is laid out in one row."""
    count = 3000
    edges = [(k, k + 1) for k in range(count - 1)]
    layered = picture.Layered(picture.ranks(count, edges), edges)
    assert set(picture.rows(layered)) == {1}


def test_a_cycle_is_refused():
    with pytest.raises(ValueError):
        picture.ranks(2, [(0, 1), (1, 0)])


# -- the geometry ---------------------------------------------------------------------------------

PROGRAMS = [
    BOOK.read_text(encoding="utf-8"),
    (SAMPLES / "shopping.gc").read_text(encoding="utf-8"),
    (SAMPLES / "neuron.gc").read_text(encoding="utf-8"),
    "x = 3; x*x + x",
    "a = 1; b = 2; c = 3; d = a*b; e = b*c; f = a + c; d*e*f + d + a",
    "x = 2; sin(x)*cos(x) + exp(x)/x - x",
]


def cells_of(vertex):
    """The cells a vertex's own text takes: (x, y) pairs."""
    rows = {picture.LABEL: (-1, 0, 1), picture.OP: (-1, 0)}.get(vertex.kind, (0,))
    return {(vertex.column + dx, vertex.row + dy) for dy in rows for dx in range(vertex.width)}


@pytest.mark.parametrize("program", PROGRAMS)
def test_no_two_vertices_overlap_and_arrows_join_vertices(program):
    """No two vertices' cells overlap; each arrow starts just right of a vertex, on its row, and
    ends just left of one."""
    evaluation = gradcalc.evaluate(program)
    drawing = picture.drawing(evaluation, 0)
    taken = {}
    for k, vertex in enumerate(drawing.vertices):
        for cell in cells_of(vertex):
            assert cell not in taken, f"vertices {taken[cell]} and {k} overlap at {cell}"
            taken[cell] = k
    rights = {(v.column + v.width, v.row) for v in drawing.vertices}
    lefts = {(v.column - 1, v.row) for v in drawing.vertices}
    for arrow in drawing.arrows:
        assert arrow.points[0] in rights and arrow.points[-1] in lefts
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(arrow.points, arrow.points[1:]))  # no diagonals


def arrows_of(drawing):
    """{(source text, target text): (value, gradient)}: each labelled arrow followed through its
    dummies from the vertex left of its first point to the graph node it ends at."""
    at_right = {(v.column + v.width, v.row): v for v in drawing.vertices}
    at_left = {(v.column - 1, v.row): v for v in drawing.vertices}
    leaving = {arrow.points[0]: arrow for arrow in drawing.arrows}
    found = {}
    for arrow in drawing.arrows:
        label = at_left[arrow.points[-1]]
        if label.kind != picture.LABEL:
            continue
        source = at_right[arrow.points[0]]
        step = leaving[(label.column + label.width, label.row)]
        while not step.head:
            dummy = at_left[step.points[-1]]
            step = leaving[(dummy.column + dummy.width, dummy.row)]
        target = at_left[step.points[-1]]
        name = {picture.OP: lambda v: v.note or v.text, picture.OUT: lambda v: "out"}.get(target.kind, lambda v: v.text)
        found[(source.note or source.text, name(target))] = (label.text, label.note)
    return found


def test_the_book_figure_is_drawn_as_the_book_draws_it():
    """shopping-book.gc: the prices in the first layer, the products next, then the sum; tax
    joins at the last multiply; every arrow carries its value and gradient."""
    drawing = picture.drawing(gradcalc.evaluate(BOOK.read_text(encoding="utf-8")), 0)
    assert arrows_of(drawing) == BOOK_ARROWS
    column = {v.note or v.text: v.column for v in drawing.vertices if v.kind in (picture.LEAF, picture.OP)}
    assert column["apple"] == column["orange_num"] < column["apple_price"] == column["orange_price"]
    assert column["orange_price"] < column["all_price"] == column["tax"] < column["price"]
    ops = {v.note: v.text for v in drawing.vertices if v.kind == picture.OP}
    assert ops == {"apple_price": "×", "orange_price": "×", "all_price": "+", "price": "×"}


def test_numbers_on_arrows_are_short():
    """Floats to 6 significant digits (or --precision's), exact values exactly, an array of more
    than a handful of elements by its shape."""
    from gradcalc import arrays

    np = arrays.numpy()
    assert picture.number_text(0.6224593312018546) == "0.622459"
    assert picture.number_text(0.6224593312018546, precision=3) == "0.622"
    assert picture.number_text(gradcalc.constant("1/3")) == "1/3"
    assert picture.number_text(gradcalc.constant("799.2")) == "799.2"
    assert picture.number_text(np.zeros((64, 10))) == "64×10"
    assert picture.number_text(np.array([1.0, 2.0])) == "[1, 2]"


def test_a_shared_node_has_an_arrow_for_each_use():
    """x*x + x at 3: three arrows leave x, carrying 3 each, with 3, 3 and 1 flowing back."""
    drawing = picture.drawing(gradcalc.evaluate("x = 3; x*x + x"), 0)
    labels = sorted((v.text, v.note) for v in drawing.vertices if v.kind == picture.LABEL)
    assert labels == [("12", "1"), ("3", "1"), ("3", "3"), ("3", "3"), ("9", "1")]


# -- the terminal -------------------------------------------------------------------------------


def label_positions_hold(text, drawing):
    """Each arrow's value is on the row above its line and its gradient on the row below, centred."""
    lines = text.splitlines()
    for v in drawing.vertices:
        if v.kind == picture.LABEL:
            above, below = lines[v.row - 1][v.column:v.column + v.width], lines[v.row + 1][v.column:v.column + v.width]
            assert above.strip() == v.text and below.strip() == v.note, (above, below)


def test_format_graph_draws_the_book_figure():
    """--format graph (piped: no colour) draws every arrow's value above and its gradient below,
    marked ←; names on the nodes, the op symbol in the node."""
    done = run("-f", BOOK, "--format", "graph")
    assert done.exit_code == 0, done.output
    heading, *picture_lines = done.stdout.splitlines()
    assert heading == "price = all_price * tax"
    body = "\n".join(picture_lines)
    for value, grad in BOOK_ARROWS.values():
        assert re.search(rf"(^|\s){re.escape(value)}(\s|$)", body)
        assert f"← {grad}" in body
    assert "(×)" in body and "(+)" in body and "apple_price" in body
    assert "\x1b[" not in done.stdout
    assert all(line == line.rstrip() for line in done.stdout.splitlines())
    drawing = picture.drawing(gradcalc.evaluate(BOOK.read_text(encoding="utf-8")), 0, mark="← ")
    label_positions_hold("\n".join(picture_lines), drawing)


def test_gradients_are_red_in_colour_and_unmarked():
    """With colour (FORCE_COLOR), each gradient is in red and has no ← mark; values are not red."""
    done = run("-f", BOOK, "--format", "graph", env={"FORCE_COLOR": "1"})
    assert done.exit_code == 0, done.output
    red = re.findall(r"\x1b\[31m([^\x1b]*)\x1b\[0m", done.stdout)
    assert sorted(s.strip() for s in red) == sorted(grad for _, grad in BOOK_ARROWS.values())
    assert "←" not in done.stdout


def test_no_color_marks_gradients():
    """NO_COLOR wins over FORCE_COLOR: no escape codes, gradients marked."""
    done = run("-f", BOOK, "--format", "graph", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in done.stdout and "← 650" in done.stdout


def test_dumb_terminal_draws_in_ascii():
    """TERM=dumb: the lines in ASCII (- | + and > for the arrowhead, <- for a gradient)."""
    done = run("-f", BOOK, "--format", "graph", env={"TERM": "dumb"})
    assert done.exit_code == 0
    assert not BOX_CHARACTERS & set(done.stdout)
    assert "<- 2.2" in done.stdout and ">(" in done.stdout


def test_an_ascii_output_encoding_draws_in_ascii():
    """An output that cannot encode the box characters (PYTHONIOENCODING=ascii) gets ASCII lines,
    never backslash escapes of them."""
    env = dict(os.environ, PYTHONIOENCODING="ascii", TERM="xterm")
    done = subprocess.run([sys.executable, "-m", "gradcalc", "eval", "-f", str(BOOK), "--format", "graph"],
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")
    assert "\\u" not in text and "<- 2.2" in text and "(*)" in text


def test_piped_output_is_unchanged():
    """Without --format, piped output is plain text as before: no picture."""
    done = run("-f", BOOK)
    assert done.exit_code == 0
    assert done.stdout == run("-f", BOOK, "--format", "plain").stdout
    assert not BOX_CHARACTERS & set(done.stdout)


@pytest.mark.parametrize("columns, drawn", [(40, "tree"), (80, "graph"), (160, "graph")])
def test_the_default_view_draws_a_picture_that_fits(columns, drawn):
    """The rich view draws shopping.gc (71 columns) as a picture where it fits, else the tree, and
    says which and how to get the other; the inputs' gradients follow either way."""
    done = run("-f", SAMPLES / "shopping.gc", "--format", "rich", env={"COLUMNS": str(columns)})
    assert done.exit_code == 0, done.output
    text = re.sub(r"\s+", " ", done.stdout)
    if drawn == "graph":
        assert "drawn as a graph; --format tree for the tree" in text
        assert "(×)" in text and "← 5.4" in text
        assert max(len(line) for line in done.stdout.splitlines()) <= columns
    else:
        assert "drawn as a tree: the graph takes 71 columns; --format graph for the graph" in text
        assert "└── tax" in done.stdout
    assert "∂E/∂input" in done.stdout


@pytest.mark.parametrize("columns, drawn", [(40, "tree"), (80, "tree"), (160, "graph")])
def test_the_book_figure_needs_more_than_80_columns_without_colour(columns, drawn):
    done = run("-f", BOOK, "--format", "rich", env={"COLUMNS": str(columns)})
    assert done.exit_code == 0
    assert f"drawn as a {drawn}" in done.stdout


def test_a_big_graph_is_a_tree_in_the_default_view():
    """Past 30 nodes the default view is the tree, and says why."""
    done = run("+".join(f"x{k}" for k in range(20)), "--at", ",".join(f"x{k}=1" for k in range(20)),
               "--format", "rich", env={"COLUMNS": "200"})
    assert done.exit_code == 0
    assert "drawn as a tree: the graph has 39 nodes; --format graph for the graph" in done.stdout


def test_format_tree_is_the_tree():
    done = run("-f", SAMPLES / "shopping.gc", "--format", "tree", env={"COLUMNS": "160"})
    assert done.exit_code == 0
    assert "└── tax" in done.stdout and "drawn as" not in done.stdout


def test_format_graph_too_big_to_draw_is_a_tree_with_a_note():
    """A graph past MAX_VERTICES (an input used at every step of a long chain) is shown as a tree."""
    program = "x = 1\ny0 = x\n" + "\n".join(f"y{k} = y{k - 1} * x" for k in range(1, 120))
    done = CliRunner().invoke(main, ["eval", "-f", "-", "--format", "graph"], input=program)
    assert done.exit_code == 0, done.output
    assert "too big to draw" in done.stdout and "y119" in done.stdout


def test_several_outputs_and_check_lines():
    """Each output gets its heading and picture; a check line's verdict is plain text."""
    done = run("x = 3; x*x; g = x + 1; g; check d(g)/d(x) = 1", "--format", "graph")
    assert done.exit_code == 0, done.output
    assert "x*x\n" in done.stdout and "(+)" in done.stdout and "✓" in done.stdout


def test_a_plain_one_liner_loads_no_picture():
    """The start-up rule: a scalar one-liner in plain loads neither the layout nor rich nor NumPy."""
    unwanted = ["rich", "numpy", "gradcalc.picture", "gradcalc.render.graph", "gradcalc.render.svg"]
    code = (
        "import sys\n"
        "from gradcalc.cli import main\n"
        "sys.argv = ['gradcalc', 'eval', 'x*y', '--at', 'x=2,y=3', '--format', 'plain']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([name for name in {unwanted!r} if name in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


# -- SVG without Graphviz -------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def svg_structure(text):
    """What an SVG picture shows: its size, viewBox, op shapes, texts by class, red texts, lines."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    texts = {}
    for element in root.iter(f"{SVG}text"):
        texts.setdefault(element.get("class"), []).append(element.text)
    red = sorted(e.text for e in root.iter(f"{SVG}text") if e.get("fill") == "#d62728")
    return {
        "size": (root.get("width"), root.get("height")),
        "viewBox": root.get("viewBox"),
        "ops": len(list(root.iter(f"{SVG}circle"))) + len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "op"]),
        "texts": {kind: sorted(found) for kind, found in texts.items()},
        "red": red,
        "arrows": len([p for p in root.iter(f"{SVG}polyline") if p.get("marker-end")]),
    }


def without_graphviz(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)


def test_svg_is_drawn_without_graphviz(tmp_path, monkeypatch):
    """-o x.svg on a machine without Graphviz: the book's figure, values above the arrows and
    gradients red below, op symbols in circles, names on them, viewBox the size of the picture."""
    without_graphviz(monkeypatch)
    target = tmp_path / "x.svg"
    done = run("-f", BOOK, "-o", target)
    assert done.exit_code == 0, done.output
    assert done.stdout == "" and f"wrote {target}" in done.stderr
    shown = svg_structure(target.read_text(encoding="utf-8"))
    width, height = shown["size"]
    assert shown["viewBox"] == f"0 0 {width} {height}"
    assert shown["ops"] == 4 and shown["arrows"] == len(BOOK_ARROWS)  # each ends in an arrowhead
    assert shown["texts"]["leaf"] == ["apple", "apple_num", "orange", "orange_num", "tax"]
    assert shown["texts"]["name"] == ["all_price", "apple_price", "orange_price", "price"]
    assert shown["texts"]["symbol"] == ["+", "×", "×", "×"]
    assert shown["texts"]["value"] == sorted(value for value, _ in BOOK_ARROWS.values())
    assert shown["red"] == shown["texts"]["grad"] == sorted(grad for _, grad in BOOK_ARROWS.values())


def test_svg_text_is_escaped():
    """Text goes into the XML escaped: a name or statement can never break the document."""
    from gradcalc.render import svg

    assert ">a &lt;b&gt; &amp; &quot;c&quot;<" in svg._text(0, 0, 'a <b> & "c"', "leaf")


def test_svg_of_several_outputs_has_a_heading_each():
    from gradcalc.render import svg

    shown = svg_structure(svg.render(gradcalc.evaluate("x = 3; x*x; x + 1")))
    assert shown["texts"]["heading"] == ["x + 1", "x*x"] and shown["ops"] == 2


def test_two_layer_svg_stays_a_sane_width(tmp_path, monkeypatch):
    """samples/two-layer.gc: arrays on the arrows by their shape, the picture under 1,300 px wide."""
    without_graphviz(monkeypatch)
    target = tmp_path / "net.svg"
    assert run("-f", SAMPLES / "two-layer.gc", "-o", target).exit_code == 0
    shown = svg_structure(target.read_text(encoding="utf-8"))
    assert int(shown["size"][0]) < 1300
    assert "4×3" in shown["texts"]["value"] and "[0, 0]" in shown["texts"]["value"]


def test_the_sample_svg_is_current(tmp_path):
    """samples/shopping.svg is what gradcalc draws of samples/shopping.gc today (the README shows it)."""
    target = tmp_path / "shopping.svg"
    assert run("-f", SAMPLES / "shopping.gc", "-o", target).exit_code == 0
    sample = (SAMPLES / "shopping.svg").read_text(encoding="utf-8")
    assert svg_structure(sample) == svg_structure(target.read_text(encoding="utf-8"))
    assert sample == target.read_text(encoding="utf-8"), "regenerate: gradcalc eval -f samples/shopping.gc -o samples/shopping.svg"
    assert "![" in (SAMPLES.parent / "README.md").read_text(encoding="utf-8").split("samples/shopping.svg")[0][-200:]


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for dot")
def test_engine_graphviz_hands_svg_to_dot(tmp_path, monkeypatch):
    """--engine graphviz: -o x.svg is drawn by `dot -Tsvg` from the dot text."""
    from test_pictures import fake_dot

    bin_dir = fake_dot(tmp_path, monkeypatch)
    target = tmp_path / "x.svg"
    done = run("-f", BOOK, "-o", target, "--engine", "graphviz")
    assert done.exit_code == 0, done.output
    assert (bin_dir / "args").read_text() == "-Tsvg" and target.read_text() == "<svg/>"


@pytest.mark.parametrize("args", [["--engine", "graphviz"], ["-o", "x.png", "--engine", "gradcalc"],
                                  ["-o", "x.dot", "--engine", "graphviz"]])
def test_engine_without_a_drawing_is_a_usage_error(tmp_path, args):
    done = CliRunner().invoke(main, ["eval", "x", "--at", "x=1", *[str(tmp_path / a) if a.startswith("x.") else a
                                                                    for a in args]])
    assert done.exit_code == 2 and "--engine" in done.stderr


def test_too_big_to_draw_as_svg_says_so(tmp_path):
    program = "x = 1\ny0 = x\n" + "\n".join(f"y{k} = y{k - 1} * x" for k in range(1, 120))
    done = CliRunner().invoke(main, ["eval", "-f", "-", "-o", str(tmp_path / "big.svg")], input=program)
    assert done.exit_code == 1 and "too big" in done.stderr and "--engine graphviz" in done.stderr


# -- notebooks -----------------------------------------------------------------------------------


def displayed(obj):
    """What IPython's display formatter makes of an object: {mime type: data}."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


def test_a_notebook_shows_a_summary_html_and_the_picture():
    """An Evaluation displays as a short summary, the rich view in HTML with red gradients, and
    the picture in SVG."""
    import xml.etree.ElementTree as ET

    evaluation = gradcalc.evaluate((SAMPLES / "shopping.gc").read_text(encoding="utf-8"))
    data = displayed(evaluation)
    assert data["text/plain"] == "<Evaluation E = 799.2 at apple=100, apple_count=5, orange=80, …; 5 inputs>"
    spans = re.findall(r'<span style="color: #([0-9a-f]{6})[^"]*">([^<]*)</span>', data["text/html"])
    red = {text.strip() for colour, text in spans if int(colour[:2], 16) > 2 * max(int(colour[2:4], 16), int(colour[4:], 16))}
    assert {"5.4", "108", "3.24", "86.4", "740"} <= red and "799.2" not in red
    assert "(×)" in data["text/html"]
    assert svg_structure(data["image/svg+xml"]) == svg_structure(evaluation.to_svg())
    ET.fromstring(data["image/svg+xml"])


def test_the_picture_api():
    """to_svg, to_dot and to_mermaid are the -o FILE.svg, --format dot and --format mermaid texts."""
    evaluation = gradcalc.evaluate(BOOK.read_text(encoding="utf-8"))
    assert evaluation.to_dot() == run("-f", BOOK, "--format", "dot").stdout
    assert evaluation.to_mermaid() == run("-f", BOOK, "--format", "mermaid").stdout
    assert svg_structure(evaluation.to_svg())["texts"]["value"] == sorted(v for v, _ in BOOK_ARROWS.values())
    assert "0.667" in gradcalc.evaluate("x = 2; x/3").to_dot(precision=3)


def test_summary_is_short_for_long_programs():
    """A long value or many inputs never make a long summary."""
    names = [f"x{k}" for k in range(50)]
    evaluation = gradcalc.evaluate("+".join(names), at={name: gradcalc.constant("1/3") for name in names})
    text = repr(evaluation)
    assert len(text) < 120 and "50 inputs" in text and "…" in text


def test_the_readme_shows_the_picture_as_drawn():
    """The README's picture of shopping.gc is what the default view draws at 80 columns without colour."""
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("`gradcalc eval -f samples/shopping.gc` on a terminal of 80 columns")
    block = readme[start:].split("```", 2)[1].strip("\n")
    done = run("-f", SAMPLES / "shopping.gc", "--format", "rich", env={"COLUMNS": "80"})
    assert done.stdout.startswith(block + "\n")
