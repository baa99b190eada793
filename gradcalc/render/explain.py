"""Explanations as text (plain or rich), JSON, or Markdown with LaTeX for teachers' notes.

Text lines are built once as (text, role) pieces; plain joins them, rich styles the roles."""

import json

from ..graph import LITERAL
from ..numbers import format_number, json_number
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
        grad = explanation.evaluation.gradients[explanation.output][graph.named[input_name]]
        if paths is None:
            count = explanation.path_counts[input_name]
            lines.append([(f"  {_partial(out, input_name)}: ", None), (f"{count:,} paths", None),
                          (", too many or too long to list; the backward sweep below builds it", "rule")])
            continue
        symbols = " + ".join(
            " × ".join(_partial(name(p.nodes[i + 1]), name(p.nodes[i])) for i in range(len(p.nodes) - 1))
            for p in paths
        ) or "0"
        numbers = " + ".join(" × ".join(num(x) for x in p.partials) for p in paths) or "0"
        line = [(f"  {_partial(out, input_name)} = {symbols}", None)]
        if numbers != num(grad):
            line.append((f" = {numbers}", None))
        line.append((" = ", None))
        line.append((num(grad), "grad"))
        lines.append(line)
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
        numbers = " + ".join(f"{num(t.upstream)} × {num(t.local)}" if t.consumer != root else num(t.local)
                             for t in step.terms)
        rules = "; ".join(dict.fromkeys(f"{_consumer(graph, t.consumer)}: {t.rule}" for t in step.terms))
        line = [(f"  {_partial(out, node)}", "name")]
        if symbols != _partial(out, node):
            line.append((f" = {symbols}", None))
        if numbers != num(step.grad):
            line.append((f" = {numbers}", None))
        line += [(" = ", None), (num(step.grad), "grad"), (f"   ({rules})", "rule")]
        lines.append(line)
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
            "path_counts": e.path_counts,
            "sweep": [
                {"node": label(graph, s.node), "grad": json_number(s.grad),
                 "terms": [{"consumer": label(graph, t.consumer), "upstream": json_number(t.upstream),
                            "local": json_number(t.local), "rule": t.rule} for t in s.terms]}
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
            return _tex_number(format_number(value, precision))

        def name(node):
            return _tex(label(graph, node, root))

        def equation(left, *sides):
            """left = side = side …, leaving out a side that repeats the one before it."""
            shown = [left]
            for side in sides:
                if side != shown[-1]:
                    shown.append(side)
            return "$$ " + " = ".join(shown) + " $$\n"

        out.append(f"### `{graph.sources[e.output]}`\n")
        out.append("**Paths from each input to the output**\n")
        for input_name, paths in e.paths.items():
            whole = _frac(top, _tex(input_name))
            if paths is None:
                out.append(f"- {e.path_counts[input_name]:,} paths from {input_name}: too many or too long to list.\n")
                continue
            symbols = " + ".join(
                r" \times ".join(_frac(name(p.nodes[i + 1]), name(p.nodes[i])) for i in range(len(p.nodes) - 1))
                for p in paths) or "0"
            numbers = " + ".join(r" \times ".join(num(x) for x in p.partials) for p in paths) or "0"
            out.append(equation(whole, symbols, numbers, num(grads[graph.named[input_name]])))
        out.append(f"**Backward sweep**, in the order it runs (${_frac(top, top)} = 1$)\n")
        for count, step in enumerate(e.sweep):
            if max_steps is not None and count >= max_steps:
                out.append(f"… {len(e.sweep) - count} more steps.\n")
                break
            node = name(step.node)
            terms = [(_frac(top, node), num(t.local)) if t.consumer == root else
                     (_frac(top, name(t.consumer)) + r" \times " + _frac(name(t.consumer), node),
                      f"{num(t.upstream)} \\times {num(t.local)}") for t in step.terms]
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


def _tex_number(text):
    """'1/3 ≈ 0.333333' → '\\frac{1}{3}'; 'inf' → '\\infty'."""
    exact = text.split(" ≈ ", 1)[0]
    if "/" in exact:
        numerator, denominator = exact.split("/")
        sign = "-" if numerator.startswith("-") else ""
        return rf"{sign}\frac{{{numerator.lstrip('-')}}}{{{denominator}}}"
    return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}.get(exact, exact)
