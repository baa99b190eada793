"""Explanations as text (plain or rich), JSON, or Markdown with LaTeX for teachers' notes.

Text lines are built once as (text, role) pieces; plain joins them, rich styles the roles."""

import json

from .. import arrays
from ..graph import LITERAL
from ..numbers import array_cells, format_count, format_number, json_number
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


def path_sum(paths, factor, times):
    """'a × b + c × d': each path's factors joined by `times`, the paths by ' + '. An empty
    product (the output is the input itself) is 1; no path at all is 0."""
    return " + ".join(times.join(factor(p, i) for i in range(len(p.partials))) or "1" for p in paths) or "0"


def _term_numbers(term, root, num, times=" × "):
    """One term of a sweep step in numbers: upstream × local, or just the local partial when
    the consumer is the output, or what flows back when arrays are involved."""
    if term.local is None or arrays.is_array(term.local) or arrays.is_array(term.upstream):
        return num(term.sent)
    if term.consumer == root:
        return _factor(num(term.local))
    return f"{_factor(num(term.upstream))}{times}{_factor(num(term.local))}"


def _distinct(*sides):
    """The sides of an equation a = b = c, leaving out one that repeats the one before it."""
    kept = []
    for side in sides:
        if not kept or side != kept[-1]:
            kept.append(side)
    return kept


def _factor(text):
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
        numbers = path_sum(paths, lambda p, i: _factor(num(p.partials[i])), " × ")
        line = [(f"  {whole}", None)] + [(f" = {side}", None) for side in _distinct(symbols, numbers, num(grad))]
        line[-1] = (" = ", None)
        lines.append(line + [(num(grad), "grad")])
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
        numbers = " + ".join(_term_numbers(t, root, num) for t in step.terms)
        if len(step.terms) == 1 and step.terms[0].consumer == root:
            numbers = _term_numbers(step.terms[0], root, num).strip("()")
        rules = "; ".join(dict.fromkeys(f"{_consumer(graph, t.consumer)}: {t.rule}" for t in step.terms))
        sides = _distinct(_partial(out, node), symbols, numbers, num(step.grad))[1:]
        line = [(f"  {_partial(out, node)}", "name")] + [(f" = {side}", None) for side in sides[:-1]]
        lines.append(line + [(" = ", None), (num(step.grad), "grad"), (f"   ({rules})", "rule")])
    return lines


def _consumer(graph, node):
    text = graph.expression(node, limit=30)
    return f"{graph.names[node]} = {text}" if graph.names[node] else text


def plain(explanations, precision=None, max_steps=SWEEP_LIMIT):
    blocks = ["\n".join("".join(text for text, _ in line) for line in text_lines(e, precision, max_steps))
              for e in explanations]
    return "\n\n".join(blocks) + "\n"


def rich(explanations, console, precision=None, max_steps=SWEEP_LIMIT):
    from rich.text import Text

    styles = {"head": "bold", "name": "cyan", "grad": "red", "rule": "dim"}
    for k, explanation in enumerate(explanations):
        if k:
            console.print()
        for line in text_lines(explanation, precision, max_steps):
            console.print(Text.assemble(*((text, styles.get(role, "")) for text, role in line)))


def json_lines(explanations):
    out = []
    for e in explanations:
        graph = e.graph
        record = {
            "expr": graph.sources[e.output],
            "paths": {
                name: None if paths is None else [
                    {"nodes": [label(graph, n) for n in p.nodes], "partials": [json_number(x) for x in p.partials],
                     "product": json_number(p.product)}
                    for p in paths
                ]
                for name, paths in e.paths.items()
            },
            "path_counts": {name: json_number(count) for name, count in e.path_counts.items()},
            "sweep": [
                {"node": label(graph, s.node), "grad": json_number(s.grad),
                 "terms": [{"consumer": label(graph, t.consumer), "upstream": json_number(t.upstream),
                            "local": None if t.local is None else json_number(t.local),
                            "sent": json_number(t.sent), "rule": t.rule} for t in s.terms]}
                for s in e.sweep
            ],
        }
        out.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(out)


def markdown(explanations, precision=None, max_steps=SWEEP_LIMIT):
    """Markdown with LaTeX ($$…$$) for each path sum and each sweep step."""
    out = []
    for e in explanations:
        graph, root = e.graph, e.graph.outputs[e.output]
        top = _tex(output_name(graph, e.output))
        grads = e.evaluation.gradients[e.output]

        def num(value):
            return _tex_value(value, precision)

        def name(node):
            return _tex(label(graph, node, root))

        def equation(*sides):
            return "$$ " + " = ".join(_distinct(*sides)) + " $$\n"

        out.append(f"### `{graph.sources[e.output]}`\n")
        out.append("**Paths from each input to the output**\n")
        for input_name, paths in e.paths.items():
            whole = _frac(top, _tex(input_name))
            if paths is None and not e.scalar:
                out.append(f"- {input_name}: vectors and matrices flow here; the backward sweep builds it.\n")
                continue
            if paths is None:
                count = e.path_counts[input_name]
                out.append(f"- {format_count(count)} path{'s' if count != 1 else ''} from {input_name}: "
                           "too many or too long to list.\n")
                continue
            if not paths:
                out.append(equation(whole, "0"))
                continue
            symbols = path_sum(paths, lambda p, i: _frac(name(p.nodes[i + 1]), name(p.nodes[i])), r" \times ")
            numbers = path_sum(paths, lambda p, i: _factor(num(p.partials[i])), r" \times ")
            out.append(equation(whole, symbols, numbers, num(grads[graph.named[input_name]])))
        out.append(f"**Backward sweep**, in the order it runs (${_frac(top, top)} = 1$)\n")
        for count, step in enumerate(e.sweep):
            if max_steps is not None and count >= max_steps:
                out.append(f"… {len(e.sweep) - count} more steps.\n")
                break
            node = name(step.node)
            terms = [(_frac(top, node) if t.consumer == root else
                      _frac(top, name(t.consumer)) + r" \times " + _frac(name(t.consumer), node),
                      _term_numbers(t, root, num, r" \times ")) for t in step.terms]
            rules = "; ".join(dict.fromkeys(t.rule for t in step.terms))
            sums = (" + ".join(s for s, _ in terms), " + ".join(n for _, n in terms), num(step.grad))
            out.append(equation(_frac(top, node), *sums) + f"\n*{rules}*\n")
    return "\n".join(out)


def _frac(top, bottom):
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _tex(name):
    """A name or label in LaTeX: one letter as is, a word upright, anything else as text."""
    if len(name) == 1 and name.isascii():
        return name
    if name.isascii() and name.replace("_", "").isalnum():
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    escaped = name.replace("\\", r"\backslash ").replace("{", r"\{").replace("}", r"\}").replace("_", r"\_")
    return r"\text{" + escaped + "}"


def _tex_value(value, precision):
    """A number, or a small vector or matrix as a bmatrix of numbers (a big one by its shape)."""
    if not arrays.is_array(value):
        return _tex_number(format_number(value, precision))
    cells = array_cells(value, precision)
    if cells is None:
        return r"\text{" + format_number(value) + "}"
    rows = (" & ".join(_tex_number(cell) for cell in row) for row in cells)
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _tex_number(text):
    """'1/3 ≈ 0.333333' → '\\frac{1}{3}'; 'inf' → '\\infty'; '≈ 6.2e-2108' → '\\approx 6.2 \\times 10^{-2108}'."""
    exact = text.split(" ≈ ", 1)[0]
    approximate = exact.startswith("≈ ")
    exact = exact.removeprefix("≈ ")
    if "/" in exact:
        numerator, denominator = exact.split("/")
        sign = "-" if numerator.startswith("-") else ""
        tex = rf"{sign}\frac{{{numerator.lstrip('-')}}}{{{denominator}}}"
    elif "e" in exact:
        mantissa, exponent = exact.split("e")
        tex = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    else:
        tex = {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}.get(exact, exact)
    return r"\approx " + tex if approximate else tex
