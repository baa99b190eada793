"""Explanations as lines of (text, role) pieces (see render.text), which plain text joins and
rich styles, and what every format of them shares: how a node is called, how a path's
factors and a sweep step's terms are written, and each step's rule in the learner's words.

One order throughout, as the backward pass runs: upstream × local. A path's factors are
written from the output back to the input (∂E/∂u × ∂u/∂s × ∂s/∂apple), and a sweep step's
terms as the consumer's gradient times the local partial (∂E/∂u × ∂u/∂s)."""

from .. import arrays
from ..graph import LITERAL
from ..ops import RuleOperand
from ..numbers import format_count, format_number
from .layout import output_name

SWEEP_LIMIT = 60  # steps shown of a big graph's sweep unless --all


def label(graph, node, root=None):
    """A node's name; a literal's text; an unnamed node's expression, short, in parentheses;
    the output (`root`) is always called by the name its gradient is taken of."""
    if node == root:
        return output_name(graph, graph.outputs.index(root))
    if graph.names[node]:
        return graph.names[node]
    if graph.kinds[node] == LITERAL:
        return graph.labels[node]
    return f"({graph.expression(node, limit=18)})"


def _partial(top, bottom):
    return f"∂{top}/∂{bottom}"


def path_sum(paths, factor_of, times):
    """'a × b + c × d': each path's factors joined by `times`, from the output back to the input
    (upstream × local), the paths by ' + '. An empty product (the output is the input itself) is
    1; no path at all is 0."""
    return " + ".join(times.join(factor_of(p, i) for i in reversed(range(len(p.partials)))) or "1" for p in paths) or "0"


def term_numbers(term, root, num, times=" × "):
    """One term of a sweep step in numbers: upstream × local, or just the local partial when
    the consumer is the output, or what flows back when arrays are involved."""
    if term.local is None or arrays.is_array(term.local) or arrays.is_array(term.upstream):
        return num(term.sent)
    if term.consumer == root:
        return factor(num(term.local))
    return f"{factor(num(term.upstream))}{times}{factor(num(term.local))}"


def distinct(*sides):
    """The sides of an equation a = b = c, leaving out one that repeats the one before it."""
    kept = []
    for side in sides:
        if not kept or side != kept[-1]:
            kept.append(side)
    return kept


def factor(text):
    """A number as a factor or term: -1 is written (-1), and an approximate one (≈ 1e-400) too."""
    return f"({text})" if text.startswith(("-", "≈", r"\approx")) else text


def text_lines(explanation, precision=None, max_steps=SWEEP_LIMIT):
    """The explanation as lines of (text, role) pieces; roles: head, name, grad, rule, None."""
    graph, root = explanation.graph, explanation.graph.outputs[explanation.output]
    out = output_name(graph, explanation.output)

    def num(value):
        return format_number(value, precision)

    def name(node):
        return label(graph, node, root)

    lines = [[(graph.sources[explanation.output], "head")], [("paths from each input to the output", "head")]]
    for input_name, paths in explanation.paths.items():
        whole = _partial(out, input_name)
        if not paths:
            if paths is None and not explanation.scalar:
                lines.append([(f"  {whole}: ", None),
                              ("vectors and matrices flow here; the backward sweep below builds it", "rule")])
            elif paths is None:
                count = explanation.path_counts[input_name]
                lines.append([(f"  {whole}: {format_count(count)} path{'s' if count != 1 else ''}", None),
                              (", too many or too long to list; the backward sweep below builds it", "rule")])
            else:
                lines.append([(f"  {whole} = ", None), ("0", "grad"), (f"   ({out} does not depend on {input_name})", "rule")])
            continue
        grad = explanation.evaluation.gradients[explanation.output][graph.named[input_name]]
        symbols = path_sum(paths, lambda p, i: _partial(name(p.nodes[i + 1]), name(p.nodes[i])), " × ")
        numbers = path_sum(paths, lambda p, i: factor(num(p.partials[i])), " × ")
        sides = distinct(whole, symbols, numbers, num(grad))[1:-1]  # a direct arrow's one factor is `whole` itself
        line = [(f"  {whole}", None)] + [(f" = {side}", None) for side in sides]
        lines.append(line + [(" = ", None), (num(grad), "grad")])
    lines.append([(f"backward sweep, in the order it runs ({_partial(out, out)} = 1)", "head")])
    for count, step in enumerate(explanation.sweep):
        if max_steps is not None and count >= max_steps:
            lines.append([(f"  … {len(explanation.sweep) - count} more steps (--all shows them all)", "rule")])
            break
        node = name(step.node)
        symbols = " + ".join(
            _partial(out, name(t.consumer)) + " × " + _partial(name(t.consumer), node)
            if t.consumer != root else _partial(out, node)
            for t in step.terms
        )
        numbers = " + ".join(term_numbers(t, root, num) for t in step.terms)
        if len(step.terms) == 1 and step.terms[0].consumer == root:
            numbers = term_numbers(step.terms[0], root, num).strip("()")
        rules = "; ".join(dict.fromkeys(rule_note(graph, t, step.node, root, num) for t in step.terms))
        sides = distinct(_partial(out, node), symbols, numbers, num(step.grad))[1:]
        line = [(f"  {_partial(out, node)}", "name")] + [(f" = {side}", None) for side in sides[:-1]]
        lines.append(line + [(" = ", None), (num(step.grad), "grad"), (f"   ({rules})", "rule")])
    return lines


def rule_note(graph, term, node, root, num):
    """The consumer, its rule in words and the local partial over the consumer's own operands,
    then its value: 'E = u × tax: multiply by the other input, ∂E/∂u = tax = 1.08'. An array op
    says what it sends back instead: 'h = W @ x: the matrix product, sends back ∂E/∂h · xᵀ'."""
    consumer = term.consumer
    operands = [RuleOperand(label(graph, j, root)) for j in graph.args[consumer]]
    upstream = "1" if consumer == root else _partial(label(graph, root, root), label(graph, consumer, root))
    formula = term.partial.format(*operands, out=RuleOperand(label(graph, consumer, root)), g=upstream)
    head = f"{_consumer(graph, consumer, root)}: {term.rule}, "
    if term.local is None:
        return head + "sends back " + formula
    value = num(term.local)
    shown = () if arrays.is_array(term.local) or value.startswith(formula + " ≈") else (value,)  # 1/3 = 1/3 ≈ 0.333
    return head + " = ".join(distinct(_partial(label(graph, consumer, root), label(graph, node, root)), formula, *shown))


def _consumer(graph, node, root):
    """'s = apple × apple_count'; the output as 'f = x / 3' when unnamed; another unnamed node as
    its expression."""
    text = graph.expression(node, limit=30)
    name = graph.names[node] or (label(graph, root, root) if node == root else None)
    return f"{name} = {text}" if name else text
