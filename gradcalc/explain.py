"""How each gradient is built, in the textbook's two forms.

Path form: for an input, every path from it to the output, each a product of local partials,
summed (∂E/∂apple = ∂E/∂u × ∂u/∂s × ∂s/∂apple as shown; a Path lists its nodes and partials
from the input to the output). Sweep form: the backward pass node by node in
the order it runs, each node's gradient the sum over its consumers of the consumer's gradient
times the local partial.
"""

import decimal
from dataclasses import dataclass

from . import arrays
from .evaluate import contributions, local_partials
from .graph import CONSTANT, LITERAL

PATH_LIMIT = 16  # paths per input: their number can grow exponentially with the graph
PATH_LENGTH_LIMIT = 40  # nodes on a path: a 100,000-deep chain has one path, too long to read


@dataclass(frozen=True)
class Term:
    """One arrow on the way back: `consumer` uses the node as its input number `k`."""

    consumer: int
    k: int
    upstream: object  # the consumer's gradient
    local: object  # ∂consumer/∂node; None for an array op, whose local derivative is a Jacobian
    rule: str  # the consumer's backward rule in words
    sent: object  # what flows back along this arrow: upstream × local, or the array op's rule
    partial: str  # the local partial (an array op: what it sends back) as a template, ops.Rule


@dataclass(frozen=True)
class Step:
    node: int
    grad: object
    terms: tuple


@dataclass(frozen=True)
class Path:
    nodes: tuple  # from the input to the output
    partials: tuple  # ∂nodes[i+1]/∂nodes[i]
    product: object


@dataclass
class Explanation:
    evaluation: object
    output: int  # index into graph.outputs
    sweep: list  # Steps in the order the backward pass runs
    paths: dict  # input name -> list of Paths, or None when there are more than the limit
    path_counts: dict  # input name -> number of paths (past 10^20 a Decimal, to 20 digits)
    scalar: bool = True  # False when arrays flow through: the path form is for numbers

    @property
    def graph(self):
        return self.evaluation.graph


def explain(evaluation, output=0, wrt=None, path_limit=PATH_LIMIT):
    """Both forms for one output; `wrt` limits the path form to those input names."""
    graph, values = evaluation.graph, evaluation.values
    grads = evaluation.gradients[output]
    root = graph.outputs[output]
    nodes = graph.ancestors(root)
    inside = set(nodes)
    consumers = [[(c, k) for c, k in uses if c in inside] for uses in graph.consumers()]
    locals_, sent = {}, {}
    with arrays.float_errors("ignore"):
        for c in nodes:
            if graph.ops[c] is None:
                continue
            partials = local_partials(graph, values, c) or (None,) * len(graph.args[c])
            flows = contributions(graph, values, c, grads[c])
            for k in range(len(graph.args[c])):
                locals_[c, k], sent[c, k] = partials[k], flows[k]
    scalar = all(v is not None and not arrays.is_array(v) for v in locals_.values())

    shown = graph.descendants([graph.named[n] for n in wrt if n in graph.named]) if wrt else None
    sweep = []
    for node in reversed(nodes):
        if node == root or (shown is not None and not shown[node]) or graph.kinds[node] in (LITERAL, CONSTANT):
            continue
        terms = tuple(Term(c, k, grads[c], locals_[c, k], graph.ops[c].rule.says, sent[c, k], graph.ops[c].rule.partial(k))
                      for c, k in consumers[node])
        sweep.append(Step(node, grads[node], terms))

    counts, lengths = _path_counts(nodes, consumers, root)
    paths, path_counts = {}, {}
    for name in wrt or graph.inputs_of(output):
        if name not in graph.named:  # only what the output depends on is in its graph
            paths[name], path_counts[name] = [], 0
            continue
        start = graph.named[name]
        path_counts[name] = counts.get(start, 0) if start in inside else 0
        readable = scalar and path_counts[name] <= path_limit and lengths.get(start, 0) <= PATH_LENGTH_LIMIT
        paths[name] = _paths(start, root, consumers, locals_) if readable else None
    return Explanation(evaluation, output, sweep, paths, path_counts, scalar)


COUNT_DIGITS = 20  # path counts are exact below 10^20 and kept to 20 significant digits past it


def _path_counts(nodes, consumers, root):
    """How many paths lead from each node to the root, and the length of the longest. A count
    past 10^COUNT_DIGITS is a Decimal of that many digits: a chain of 10^5 doublings has
    2^100000 paths, and exact counts would take gigabytes (a 12 KB number a node)."""
    counts, lengths = {root: 1}, {root: 1}
    with decimal.localcontext(decimal.Context(prec=COUNT_DIGITS, Emax=decimal.MAX_EMAX)):
        for node in reversed(nodes):
            if node != root:
                count = sum(counts.get(c, 0) for c, _ in consumers[node])
                counts[node] = count if type(count) is decimal.Decimal or count < 10**COUNT_DIGITS else decimal.Decimal(count)
                lengths[node] = 1 + max((lengths.get(c, 0) for c, _ in consumers[node]), default=0)
    return counts, lengths


def _paths(start, root, consumers, locals_):
    found = []
    stack = [((start,), ())]
    while stack:
        nodes, partials = stack.pop()
        node = nodes[-1]
        if node == root:
            product = 1
            for partial in partials:
                product *= partial
            found.append(Path(nodes, partials, product))
            continue
        for c, k in reversed(consumers[node]):
            stack.append((nodes + (c,), partials + (locals_[c, k],)))
    return found
