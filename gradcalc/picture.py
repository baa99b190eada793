"""The picture of a graph as the textbook draws it, laid out once for every medium: nodes left to
right in layers, each arrow labelled with the forward value above it and the gradient below.

The layout is a small layered (Sugiyama) one. `ranks` puts each vertex in a layer: the longest
path from the sources, then each source moved right to just before its first consumer (the book
draws tax beside the last multiply, not with the prices). `Layered` breaks each edge that spans
several layers into a chain of dummy vertices, one a layer, and orders each layer by barycentres,
sweeping down and up a few times and keeping the order with the fewest crossings (the order it
was given counts too, so it never does worse). `rows` gives each vertex a row: a layer's order
kept, its vertices SLOT rows apart, each pulled towards the rows of its neighbours. Every pass is
a loop over lists (no recursion) and costs about the number of vertices and edges, times a log.

The geometry (`drawing`) is an output's graph on a grid of character cells, which the terminal
(render/graph.py) prints and SVG (render/svg.py) scales: each graph node a vertex in an even
layer, each arrow a chain whose first dummy vertex (in the odd layer after its source) carries
the arrow's value and gradient; columns as wide as their text; between two columns a channel
with one vertical track for each bundle of arrows that turn (those out of one node, or those
into one node).
"""

from typing import NamedTuple

from . import arrays
from .numbers import format_number
from .textwidth import display_width, shortened

SLOT = 3  # rows from one vertex's line to the next one's in a layer: text above, the line, text below
MAX_VERTICES = 5000  # vertices (dummies included) a picture is drawn with; past that it is not drawn
SHAPE_PAST = 4  # an array of more elements than this is shown on an arrow by its shape (64×10)
ELEMENT_PRECISION = 3  # significant digits of a float array's elements on an arrow, unless --precision says


# -- the layered layout -----------------------------------------------------------------------------


def ranks(count, edges):
    """The layer of each of `count` vertices, given `edges` (u, v) of a directed acyclic graph:
    longest path from the sources, then each source just before its first consumer."""
    succ = [[] for _ in range(count)]
    waiting = [0] * count
    for u, v in edges:
        succ[u].append(v)
        waiting[v] += 1
    sources = [u for u in range(count) if not waiting[u]]
    rank, ready, seen = [0] * count, list(sources), 0
    while ready:
        u = ready.pop()
        seen += 1
        for v in succ[u]:
            rank[v] = max(rank[v], rank[u] + 1)
            waiting[v] -= 1
            if not waiting[v]:
                ready.append(v)
    if seen < count:
        raise ValueError("the graph has a cycle")
    for u in sources:
        if succ[u]:
            rank[u] = min(rank[v] for v in succ[u]) - 1
    return rank


def span(rank, edges):
    """How many vertices a layout of these edges would have beyond the real ones (its dummies)."""
    return sum(rank[v] - rank[u] - 1 for u, v in edges)


class Layered:
    """Vertices in ordered layers. Vertices 0..count-1 are the real ones; each edge (u, v) with
    rank[u] < rank[v] becomes a chain u, dummies…, v (`chains`, in the edges' order), and
    `layers` lists each layer's vertices from top to bottom."""

    def __init__(self, rank, edges, sweeps=4):
        self.count = len(rank)
        self.rank = list(rank)
        self.chains = []
        for u, v in edges:
            if rank[u] >= rank[v]:
                raise ValueError(f"edge {u} -> {v} does not go to a later layer")
            chain = [u]
            for r in range(rank[u] + 1, rank[v]):
                self.rank.append(r)
                chain.append(len(self.rank) - 1)
            chain.append(v)
            self.chains.append(chain)
        self.up = [[] for _ in self.rank]  # each vertex's neighbours in the layer before
        self.down = [[] for _ in self.rank]  # and in the layer after
        for chain in self.chains:
            for a, b in zip(chain, chain[1:]):
                self.down[a].append(b)
                self.up[b].append(a)
        self.layers = [[] for _ in range(max(self.rank, default=-1) + 1)]
        for v, r in enumerate(self.rank):
            self.layers[r].append(v)
        self._order(sweeps)

    def crossings(self, layers=None):
        """How many pairs of edges cross, over all pairs of neighbouring layers."""
        layers = self.layers if layers is None else layers
        return sum(_crossings(layers[i], layers[i + 1], self.down) for i in range(len(layers) - 1))

    def _order(self, sweeps):
        best, fewest = [list(layer) for layer in self.layers], self.crossings()
        layers = self.layers
        for _ in range(sweeps):
            if not fewest:
                break
            for i in range(1, len(layers)):
                _by_barycentre(layers[i], layers[i - 1], self.up)
            for i in range(len(layers) - 2, -1, -1):
                _by_barycentre(layers[i], layers[i + 1], self.down)
            now = self.crossings()
            if now < fewest:
                best, fewest = [list(layer) for layer in layers], now
        self.layers = best


def _by_barycentre(layer, fixed, neighbours):
    """Sort `layer` in place by the mean position of each vertex's neighbours in `fixed`; a vertex
    with none keeps its own position, and ties keep their order."""
    where = {v: k for k, v in enumerate(fixed)}
    keys = {}
    for k, v in enumerate(layer):
        near = neighbours[v]
        keys[v] = sum(where[n] for n in near) / len(near) if near else k
    layer.sort(key=keys.__getitem__)


def _crossings(upper, lower, down):
    """Crossings between two neighbouring layers: inversions among the edges' lower ends, with the
    edges sorted by their upper ends (counted with a Fenwick tree, in n log n)."""
    where = {v: k for k, v in enumerate(lower)}
    ends = [where[b] for a in upper for b in sorted(down[a], key=where.__getitem__)]
    tree, crossed = [0] * (len(lower) + 1), 0
    for seen, end in enumerate(ends):
        not_above = 0  # ends already seen at or left of this one
        i = end + 1
        while i:
            not_above += tree[i]
            i -= i & -i
        crossed += seen - not_above
        i = end + 1
        while i <= len(lower):
            tree[i] += 1
            i += i & -i
    return crossed


def rows(layered, sweeps=4):
    """The row of each vertex: the layers' orders kept, vertices of a layer SLOT rows apart, each
    drawn towards the mean row of its neighbours, sweeping right and left; the first row is 1."""
    row = [0] * len(layered.rank)
    for layer in layered.layers:
        for k, v in enumerate(layer):
            row[v] = SLOT * k
    layers = layered.layers
    for _ in range(sweeps):
        for layer in layers[1:]:
            _placed(layer, row, layered.up)
        for layer in reversed(layers[:-1]):
            _placed(layer, row, layered.down)
        for layer in layers[1:]:
            _placed(layer, row, layered.up)
    top = min(row, default=0)
    return [r - top + 1 for r in row]


def _placed(layer, row, neighbours):
    """Rows for one layer as near as can be (in squares) to its neighbours' mean rows, in order and
    SLOT apart: an isotonic regression of the wishes less SLOT·k, by pooling adjacent violators."""
    blocks = []  # [sum, count] of wishes pooled together
    for k, v in enumerate(layer):
        near = neighbours[v]
        wish = sum(row[n] for n in near) / len(near) if near else row[v]
        blocks.append([wish - SLOT * k, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    k = 0
    for total, count in blocks:
        base = round(total / count)
        for _ in range(count):
            row[layer[k]] = base + SLOT * k
            k += 1


# -- the geometry of an output's picture --------------------------------------------------------------

LEAF, OP, OUT, LABEL, DUMMY = "leaf", "op", "out", "label", "dummy"


class Vertex(NamedTuple):
    kind: str  # LEAF, OP, OUT (the output's name after the last arrow), LABEL or DUMMY
    column: int  # the x of its column's first cell
    row: int
    width: int  # cells it takes (a column is as wide as its widest vertex)
    text: str  # a leaf's name or number, an op's symbol, the output's name; a LABEL's value
    note: str  # an op's name; a LABEL's gradient


class Arrow(NamedTuple):
    points: list  # cells (x, y) from the first cell after the source to the last before the target
    head: bool  # whether it ends at a graph node (an arrowhead there) or goes on through a dummy


class Drawing(NamedTuple):
    """A picture on a grid: `width` × `height` cells; text is measured in terminal cells."""

    width: int
    height: int
    vertices: list  # Vertex per layout vertex (real ones first)
    arrows: list  # Arrow per connection between neighbouring layers

    @property
    def nodes(self):
        """How many graph nodes it shows (the output's name after the last arrow not counted)."""
        return sum(v.kind in (LEAF, OP) for v in self.vertices)


def number_text(value, precision=None, approximate=False):
    """A number as an arrow carries it (in every picture) in numbers.format_number's words: an
    exact value without its decimal unless `approximate` (1/3, not 1/3 ≈ 0.333333), a small
    array's elements to ELEMENT_PRECISION digits, an array of more than a handful of elements by
    its shape (64×10); None (no gradient) a dash."""
    if arrays.is_array(value):
        if value.size > SHAPE_PAST:
            return arrays.shape_text(value.shape)
        precision = ELEMENT_PRECISION if precision is None else precision
    return format_number(value, precision, approximate)


def vertex_count(evaluation, output):
    """How many vertices the output's picture would be laid out with (dummies included), found
    before any layout is made."""
    count, edges, _ = _structure(evaluation.graph, output)
    pairs = [(u, v) for u, v, _ in edges]
    return count + span([2 * r for r in ranks(count, pairs)], pairs)


def drawing(evaluation, output, precision=None, mark=""):
    """The picture of one output's graph; `mark` goes before each gradient (where colour cannot
    tell it from the value). None when it would take more than MAX_VERTICES vertices."""
    graph, values = evaluation.graph, evaluation.values
    count, edges, nodes = _structure(graph, output)
    pairs = [(u, v) for u, v, _ in edges]
    rank = [2 * r for r in ranks(count, pairs)]
    if count + span(rank, pairs) > MAX_VERTICES:
        return None
    layered = Layered(rank, pairs)
    row = rows(layered)
    gradient = evaluation.gradients[output]
    texts = []  # (kind, text, note) per vertex
    for node in nodes:
        if graph.ops[node] is None:
            texts.append((LEAF, shortened(graph.names[node] or graph.labels[node]), ""))
        else:
            texts.append((OP, graph.labels[node], shortened(graph.names[node] or "")))
    from .render.layout import output_name

    root = graph.outputs[output]
    texts.append((OUT, shortened(output_name(graph, output)), ""))
    texts += [(DUMMY, "", "")] * (len(layered.rank) - count)
    for chain, (u, v, k) in zip(layered.chains, edges):
        # what flows back along an arrow: into the k-th input of the node v, or out of the output
        if v == count - 1:
            grad = gradient[root]
        else:
            grad = evaluation.edge_gradient(output, nodes[v], k) if evaluation.arrow_has_gradient(output, nodes[v], k) else None
        texts[chain[1]] = (LABEL, number_text(values[nodes[u]], precision), mark + number_text(grad, precision))
    return _grid(layered, row, texts)


def _structure(graph, output):
    """(vertex count, edges, the graph node of each vertex): the output's nodes renumbered from 0,
    an edge (u, v, k) into the k-th input of each op, and last one from the output to its name."""
    nodes = list(graph.nodes_of(output))
    index = {node: k for k, node in enumerate(nodes)}
    edges = [(index[j], v, k) for v, node in enumerate(nodes) for k, j in enumerate(graph.args[node])]
    edges.append((index[graph.outputs[output]], len(nodes), 0))
    return len(nodes) + 1, edges, nodes


def _width(kind, text, note):
    if kind == LEAF:  # and a space before its arrow
        return display_width(text) + 1
    if kind == OP:
        return max(display_width(text) + 2, display_width(note))
    if kind == LABEL:
        return max(display_width(text), display_width(note)) + 2
    return max(display_width(text), 1)


def _grid(layered, row, texts):
    """Columns, channels and tracks: the cells of every vertex and arrow."""
    rank = layered.rank
    widths = [1] * len(layered.layers)
    for v, (kind, text, note) in enumerate(texts):
        widths[rank[v]] = max(widths[rank[v]], _width(kind, text, note))
    channels = [_tracks(layered, row, r) for r in range(len(layered.layers) - 1)]
    x = [0]
    for r, tracks in enumerate(channels):
        x.append(x[r] + widths[r] + (2 * len(set(tracks.values())) + 1 if tracks else 1))
    vertices = [Vertex(kind, x[rank[v]], row[v], widths[rank[v]], text, note)
                for v, (kind, text, note) in enumerate(texts)]
    arrows = []
    for chain in layered.chains:
        for a, b in zip(chain, chain[1:]):
            r = rank[a]
            first, last = x[r] + widths[r], x[r + 1] - 1
            track = channels[r].get((a, b))
            if track is None:
                points = [(first, row[a]), (last, row[b])]
            else:
                column = first + 1 + 2 * track
                points = [(first, row[a]), (column, row[a]), (column, row[b]), (last, row[b])]
            arrows.append(Arrow(points, b < layered.count))
    height = max((v.row for v in vertices), default=0) + 2
    return Drawing(x[-1] + widths[-1], height, vertices, arrows)


def _tracks(layered, row, r):
    """{(a, b): track number} for the connections from layer r to r + 1 that turn: a bundle per
    node with several arrows out (or into one node with several in), one track each, ordered so
    that a line going out of a row ends left of a line coming into that row."""
    bundles = {}
    for a in layered.layers[r]:
        for b in layered.down[a]:
            key = ("in", b) if len(layered.up[b]) > 1 else ("out", a)
            bundles.setdefault(key, []).append((a, b))
    turning = [key for key, pairs in bundles.items() if any(row[a] != row[b] for a, b in pairs)]
    leaving, entering = {}, {}
    for key in turning:
        for a, b in bundles[key]:
            leaving[row[a]] = key
            entering[row[b]] = key
    before = {key: set() for key in turning}  # bundle -> the bundles whose track must be left of it
    for y, key in entering.items():
        if y in leaving and leaving[y] != key:
            before[key].add(leaving[y])
    mean = {key: sum(row[a] + row[b] for a, b in bundles[key]) / len(bundles[key]) for key in turning}
    order, placed = [], set()
    while len(order) < len(turning):  # the constraints' topological order, the highest bundle first
        free = [key for key in turning if key not in placed and before[key] <= placed]
        key = min(free or [k for k in turning if k not in placed], key=mean.__getitem__)
        order.append(key)
        placed.add(key)
    return {pair: k for k, key in enumerate(order) for pair in bundles[key]}
