"""Markdown with LaTeX ($$…$$) for teachers' notes: each explanation's path sums and sweep steps."""

from .. import arrays
from ..numbers import array_cells, format_count, format_number
from .explain import SWEEP_LIMIT, distinct, factor, term_numbers, label, path_sum
from .layout import output_name
from .text import write


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
            return _tex(label(graph, node, root))

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
