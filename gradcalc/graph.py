"""The expression graph: nodes in topological order, kept as flat parallel lists.

A node is an index. Node ``i``'s inputs are ``args[i]``, always smaller indices, so one loop
from the front is a forward pass and one loop from the back is a reverse pass (gradcalc/evaluate.py
holds the layout those loops read). Leaves (number literals, named constants, inputs) have
``ops[i] is None``; every other node has its Op.

``GraphBuilder`` is the append-only tape the parser writes to; ``Graph`` is an immutable,
compacted copy holding just what some outputs need.
"""

from typing import NamedTuple

from .ops import ATOM, INDEX, INFIX, POSTFIX, PREFIX, PRODUCT, UNARY
from .textwidth import shortened

LITERAL, CONSTANT, INPUT, OPERATION = "literal", "constant", "input", "operation"


class GraphBuilder:
    """The tape: parallel lists the parser appends nodes to."""

    def __init__(self):
        self.ops = []
        self.args = []
        self.kinds = []
        self.names = []
        self.labels = []
        self.leaf_values = []
        self.node_lines = []  # the line of the statement that made each node, for error messages
        self.line = None  # the line being read

    def __len__(self):
        return len(self.ops)

    def leaf(self, kind, label, value=None, name=None):
        self.ops.append(None)
        self.args.append(())
        self.kinds.append(kind)
        self.names.append(name)
        self.labels.append(label)
        self.leaf_values.append(value)
        self.node_lines.append(self.line)
        return len(self.ops) - 1

    def apply(self, op, args):
        self.ops.append(op)
        self.args.append(args)
        self.kinds.append(OPERATION)
        self.names.append(None)
        self.labels.append(op.symbol)
        self.leaf_values.append(None)
        self.node_lines.append(self.line)
        return len(self.ops) - 1

    def truncate(self, size):
        for column in self._columns():
            del column[size:]

    def _columns(self):
        return self.ops, self.args, self.kinds, self.names, self.labels, self.leaf_values, self.node_lines

    def graph(self, outputs, sources, scope, keep_named=False, lines=None):
        """An immutable Graph of the outputs and all they depend on (and, with `keep_named`,
        of every node in `scope`, which maps names to nodes). `sources` and `lines` are each
        output's statement and line number."""
        live = _reaching(self.args, outputs)
        needed_by_outputs = live.count(1)
        if keep_named:
            live = _reaching(self.args, list(outputs) + list(scope.values()))
        extra_roots = live.count(1) > needed_by_outputs  # a named node no output needs
        if live.count(1) == len(live):
            return Graph(*(list(column) for column in self._columns()), outputs, sources, scope, extra_roots, lines)
        keep = [i for i in range(len(live)) if live[i]]
        return _subgraph(self, keep, outputs, sources, scope, extra_roots, lines)


def _reaching(args, roots):
    """A flag per node (`args` gives each node's inputs): whether one of `roots` depends on it."""
    live = bytearray(len(args))
    for root in roots:
        live[root] = 1
    for i in range(max(roots, default=-1), -1, -1):
        if live[i]:
            for j in args[i]:
                live[j] = 1
    return live


def _subgraph(source, keep, outputs, sources, named, extra_roots, lines):
    """A Graph of the nodes `keep` (ascending) of `source`, a GraphBuilder or a Graph, renumbered."""
    index = {old: new for new, old in enumerate(keep)}
    return Graph(
        [source.ops[i] for i in keep],
        [tuple(index[j] for j in source.args[i]) for i in keep],
        [source.kinds[i] for i in keep],
        [source.names[i] for i in keep],
        [source.labels[i] for i in keep],
        [source.leaf_values[i] for i in keep],
        [source.node_lines[i] for i in keep],
        [index[i] for i in outputs],
        sources,
        {name: index[i] for name, i in named.items() if i in index},
        extra_roots,
        lines,
    )


class Graph:
    """An immutable expression graph in topological order.

    ``outputs`` are the nodes whose gradients are wanted, ``sources`` the statement each came
    from, ``named`` maps every name the program bound to its node, and ``inputs`` maps each
    input's name to its node, in order of first appearance.
    """

    def __init__(
        self, ops, args, kinds, names, labels, leaf_values, node_lines, outputs, sources, named, extra_roots=False,
        lines=None
    ):
        self.ops = ops
        self.args = args
        self.kinds = kinds
        self.names = names
        self.labels = labels
        self.leaf_values = leaf_values
        self.node_lines = node_lines  # the line of the statement that made each node
        self.outputs = tuple(outputs)
        self.sources = tuple(sources)
        self.lines = tuple(lines) if lines else (None,) * len(self.outputs)
        self.named = dict(named)
        self.extra_roots = extra_roots  # whether some nodes are needed by no output, only named
        self.inputs = {names[i]: i for i in range(len(ops)) if kinds[i] == INPUT}

    @property
    def minimal(self):
        """Whether every node is needed by the (single) output, as in a graph the CLI reads."""
        return len(self.outputs) == 1 and not self.extra_roots

    def only(self, output):
        """The graph of one output alone: just the nodes it depends on, renumbered."""
        if self.minimal:
            return self
        keep = self.ancestors(self.outputs[output])
        return _subgraph(self, keep, [self.outputs[output]], [self.sources[output]], self.named, False,
                         [self.lines[output]])

    def nodes_of(self, output):
        """The nodes the output (an index into `outputs`) depends on, in topological order."""
        root = self.outputs[output]
        return range(root + 1) if self.minimal else self.ancestors(root)

    def inputs_of(self, output):
        """{name: node} of the inputs the output depends on."""
        if self.minimal:
            return self.inputs
        needed = set(self.ancestors(self.outputs[output]))
        return {name: node for name, node in self.inputs.items() if node in needed}

    def __len__(self):
        return len(self.ops)

    def consumers(self):
        """For each node, its uses: (the node that uses it, as its input number k), in order
        (x*x lists the product twice, as input 0 and input 1)."""
        uses = [[] for _ in self.ops]
        for node, inputs in enumerate(self.args):
            for k, i in enumerate(inputs):
                uses[i].append((node, k))
        return uses

    def ancestors(self, node):
        """The nodes `node` depends on, itself included, in topological order."""
        live = _reaching(self.args, [node])
        return [i for i in range(node + 1) if live[i]]

    def descendants(self, starts):
        """A flag per node: whether it depends on one of `starts` (or is one): the only nodes
        whose gradient can reach them."""
        reached = bytearray(len(self))
        for node in starts:
            reached[node] = 1
        for node in range(min(starts, default=len(self)), len(self)):
            if not reached[node] and any(reached[j] for j in self.args[node]):
                reached[node] = 1
        return reached

    def label(self, node):
        """A node's short name: its name, a literal's text (shortened if long), or its op's symbol."""
        return shortened(self.names[node] or self.labels[node])

    def expression(self, node, limit=60, expand_root=True, depth=8):
        """The node written back as an expression, named nodes by name, cut at about `limit`
        chars; unnamed parts nested deeper than `depth` are written "…" (so the cost is bounded
        however deep the graph)."""
        pieces, length = [], 0
        stack = [(node, 0, 0)]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                pieces.append(item)
                length += len(item)
                if length > limit:
                    pieces.append("…")
                    break
                continue
            current, context, level = item
            op = self.ops[current]
            is_root = current == node and expand_root and len(pieces) == 0
            if op is None or (self.names[current] and not is_root):
                text = self.label(current)
                if context > UNARY and self.kinds[current] == LITERAL and text.startswith("-"):
                    text = f"({text})"
                stack.append(text)
                continue
            if level >= depth:
                stack.append("…")
                continue
            level += 1
            inputs = self.args[current]
            parens = op.precedence < context
            if parens:
                stack.append(")")
            if op.form == INFIX:
                left, right = inputs
                stack.append((right, op.precedence + (0 if op.right_assoc else 1), level))
                stack.append(f" {op.symbol} " if op.precedence <= PRODUCT else op.symbol)
                stack.append((left, op.precedence + (1 if op.right_assoc else 0), level))
            elif op.form == PREFIX:
                stack.append((inputs[0], UNARY, level))
                stack.append(op.symbol)
            elif op.form == POSTFIX:
                stack.append(op.symbol)
                stack.append((inputs[0], ATOM, level))
            elif op.form == INDEX:
                stack.append("]")
                for k in range(len(inputs) - 1, 0, -1):
                    stack.append((inputs[k], 0, level))
                    if k > 1:
                        stack.append(", ")
                stack.append("[")
                stack.append((inputs[0], ATOM, level))
            else:  # a call
                stack.append(")")
                for k in range(len(inputs) - 1, -1, -1):
                    stack.append((inputs[k], 0, level))
                    if k:
                        stack.append(", ")
                stack.append(f"{op.symbol}(")
            if parens:
                stack.append("(")
        return "".join(pieces)


class Claim(NamedTuple):  # a NamedTuple: a dataclass costs half a millisecond of every start-up
    """A `check` statement: the graph whose outputs are the subject (the checked expression, or
    f for a claim about ∂f/∂u), the answer and, if given, the tolerance."""

    graph: Graph
    text: str
    line: int
    of: str | None  # f in d(f)/d(u); None for a claim about a value
    wrt: str | None  # u in d(f)/d(u)
    position: int  # the claimed node's place in the program, for finding the first wrong one
    # The answer's literal text when it is a number (or an array) written out, "0.3775": the digits
    # written, which the rounding rule reads; None for an expression (pi*sqrt(2)/2, y - t).
    answer_text: str | None = None
    formula: bool = False  # the answer is an expression over the program's names (y - t)

    @property
    def is_gradient(self):
        return self.wrt is not None
