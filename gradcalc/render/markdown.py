"""Markdown with LaTeX ($$…$$) for teachers' notes: each explanation's path sums and sweep steps,
each step a list item holding its formula and, under it, its rule in words.

Every formula renders in KaTeX and MathJax (tests/test_latex.py renders them): a node is named
in math, never as \\text{} around ^ or _ (which both reject): an input or named node by its name
(x, x_{1}, \\mathrm{apple\\_count}), a number as a number, and an unnamed node as its expression
written in LaTeX from the op table's `tex` column (x^{2}, \\sqrt{x^{2} + y^{2}}, \\sigma(z)),
cut to \\ldots past a few nodes."""

import re

from .. import arrays
from ..graph import CONSTANT, INFIX, LITERAL, POSTFIX, PREFIX
from ..numbers import array_cells, format_count, format_number
from ..ops import ATOM, CALL, INDEX, UNARY
from .explain import SWEEP_LIMIT, distinct, factor, path_sum, rule_note, term_numbers
from .layout import output_name
from .text import write

LABEL_NODES = 8  # nodes of an unnamed node's expression written out before the rest is \ldots
LABEL_DEPTH = 4  # levels of it, likewise


class Renderer:
    def __init__(self, out, options):
        self.out, self.precision = out, options.precision
        self.max_steps = None if options.everything else SWEEP_LIMIT

    def error(self, error):
        """Said on standard error."""

    def explanations(self, explanations):
        write(self.out, markdown(explanations, self.precision, self.max_steps) + "\n")


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
            return tex_label(graph, node, root)

        def text_num(value):
            return format_number(value, precision)

        def equation(*sides):
            return "$$ " + " = ".join(distinct(*sides)) + " $$\n"

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
            numbers = path_sum(paths, lambda p, i: factor(num(p.partials[i])), r" \times ")
            out.append(equation(whole, symbols, numbers, num(grads[graph.named[input_name]])))
        out.append(f"**Backward sweep**, in the order it runs (${_frac(top, top)} = 1$)\n")
        for count, step in enumerate(e.sweep):
            if max_steps is not None and count >= max_steps:
                out.append(f"… {len(e.sweep) - count} more steps.\n")
                break
            node = name(step.node)
            terms = [(_frac(top, node) if t.consumer == root else
                      _frac(top, name(t.consumer)) + r" \times " + _frac(name(t.consumer), node),
                      term_numbers(t, root, num, r" \times ")) for t in step.terms]
            notes = "; ".join(dict.fromkeys(rule_note(graph, t, step.node, root, text_num) for t in step.terms))
            sums = (" + ".join(s for s, _ in terms), " + ".join(n for _, n in terms), num(step.grad))
            # one list item: the step's formula and, under it, its rule
            out.append("- " + equation(_frac(top, node), *sums) + f"  *{_markdown_text(notes)}*\n")
    return "\n".join(out)


def _markdown_text(text):
    """Text as Markdown shows it: what would start emphasis, code, a link, HTML or math escaped."""
    return re.sub(r"([\\`*_\[\]<>$])", r"\\\1", text)


def _frac(top, bottom):
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_INDEXED = re.compile(r"([A-Za-z])([0-9]+|[₀-₉]+)")  # x1, W2, x₁: a letter and its index
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?")


def _tex(name):
    """A name in LaTeX: one letter as is, a letter and digits as a subscript (x_{1}), a word
    upright (\\mathrm{apple\\_count}), anything else as escaped text. A name bound again (g += 1)
    is called g@17 after the line that bound it: g with the line as its subscript."""
    if "@" in name:
        base, line = name.split("@", 1)
        base = _tex(base)
        return ("{" + base + "}" if "_" in base else base) + r"_{\text{@" + _escape_text(line) + "}}"
    if len(name) == 1 and name.isascii():
        return name
    if indexed := _INDEXED.fullmatch(name):
        return f"{indexed.group(1)}_{{{indexed.group(2).translate(SUBSCRIPTS)}}}"
    if name.isascii() and name.replace("_", "").isalnum():
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    return r"\text{" + _escape_text(name) + "}"


def _escape_text(text):
    """Text for \\text{…}: TeX's special characters escaped."""
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}", "$": r"\$",
               "&": r"\&", "#": r"\#", "%": r"\%", "~": r"\~{}"}
    return "".join(special.get(c, c) for c in text)


def tex_label(graph, node, root=None):
    """How a formula names a node: the output (`root`) by the name its gradient is taken of, a
    named node by its name, a literal as its number, an unnamed node as its expression."""
    if node == root:
        return _tex(output_name(graph, graph.outputs.index(root)))
    if graph.ops[node] is None or graph.names[node]:
        return _tex_leaf(graph, node)
    return _tex_expression(graph, node, ATOM)


def _tex_leaf(graph, node):
    if graph.kinds[node] == CONSTANT and graph.names[node] == "pi":
        return r"\pi"
    if graph.names[node]:
        return _tex(graph.names[node])
    value = graph.leaf_values[node]
    if arrays.is_array(value):
        return _tex_value(value, None)
    text = graph.labels[node]
    return _tex_number(text) if _NUMBER.fullmatch(text) else r"\text{" + _escape_text(text) + "}"


_TEMPLATES = {}  # (op, inputs) -> the op's LaTeX as pieces: text, or (input, context, braced)


def _template(op, inputs):
    """The op's `tex` as pieces: text, and for each #k (k, the binding strength it needs
    around it, whether to wrap it in braces because a ^ or _ follows)."""
    key = (op, inputs)
    if key not in _TEMPLATES:
        places = [f"#{k}" for k in range(inputs)]
        generic = {
            INFIX: f"#0 {op.symbol} #1",
            PREFIX: f"{op.symbol}#0",
            POSTFIX: f"#0{op.symbol}",
            INDEX: f"#0[{', '.join(places[1:])}]",
        }.get(op.form, r"\operatorname{" + op.name.replace("_", r"\_") + "}(" + ", ".join(places) + ")")
        parts = re.split(r"#(\d+)", op.tex or generic)
        pieces = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                if part:
                    pieces.append(part)
                continue
            k = int(part)
            before, after = parts[i - 1], parts[i + 1]
            enclosed = op.form == CALL or (before.endswith("{") and after.startswith("}"))
            if enclosed:
                context = 0
            elif op.form == INFIX:
                left = op.precedence + (1 if op.right_assoc else 0)
                context = left if k == 0 else op.precedence + (0 if op.right_assoc else 1)
            else:
                context = UNARY if op.form == PREFIX else ATOM
            pieces.append((k, context, after.startswith(("^", "_"))))
        _TEMPLATES[key] = pieces
    return _TEMPLATES[key]


def _tex_expression(graph, node, context):
    """An unnamed node's expression in LaTeX, named nodes and leaves by name; past LABEL_NODES
    nodes or LABEL_DEPTH levels a part is \\ldots. Braces and parentheses always balance."""
    pieces, budget = [], LABEL_NODES
    stack = [(node, context, 0, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        current, context, level, braced = item
        op = graph.ops[current]
        if budget <= 0 or (op is not None and level >= LABEL_DEPTH):
            pieces.append(r"\ldots")
            continue
        budget -= 1
        if op is None or graph.names[current]:
            text = _tex_leaf(graph, current)
            if context > UNARY and graph.kinds[current] == LITERAL and text.startswith("-"):
                text = rf"\left({text}\right)"
            pieces.append("{" + text + "}" if braced and not graph.names[current] else text)
            continue
        parens = op.precedence < context
        braced = braced and not parens  # parentheses group it already
        stack.append((r"\right)" if parens else "") + ("}" if braced else ""))
        for piece in reversed(_template(op, len(graph.args[current]))):
            if isinstance(piece, str):
                stack.append(piece)
            else:
                k, inner, brace = piece
                stack.append((graph.args[current][k], inner, level + 1, brace))
        stack.append(("{" if braced else "") + (r"\left(" if parens else ""))
    return "".join(pieces)


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
