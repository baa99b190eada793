"""Gradient-check tables: for each input (or each random direction), backprop's number, the
finite difference, their relative error, the tolerance it was judged by and the verdict."""

from .. import arrays
from ..gradcheck import DIRECTION, TOLERANCE
from ..numbers import format_number
from .layout import output_name


def title(evaluation, output, results):
    """What was done: 'gradient check per input (…)' or 'gradient check along 8 random directions
    v over 3000 inputs (…)'."""
    if not _along(results):
        return "gradient check per input (central differences extrapolated to step 0)"
    names = evaluation.graph.inputs_of(output)
    numbers = sum(evaluation[name].size if arrays.is_array(evaluation[name]) else 1 for name in names)
    over = f"{len(names)} inputs" + (f" holding {numbers} numbers" if numbers != len(names) else "")
    f = output_name(evaluation.graph, output)
    return (f"gradient check along {len(results)} random directions v over {over} "
            f"(∇{f}·v against central differences along v)")


def note(results):
    """How the verdicts were reached, under the table."""
    judged = f"tolerance {TOLERANCE:g} + the finite difference's own uncertainty"
    return f"relative error to Σ|∂f/∂xᵢ·vᵢ|; {judged}" if _along(results) else judged


def _along(results):
    return bool(results) and results[0].method == DIRECTION


def rows(evaluation, comparisons, precision=None):
    """Per output: (its title, its table: the header and a row of cells per input or direction,
    the note under it)."""
    tables = []
    for output, results in enumerate(comparisons):
        name = output_name(evaluation.graph, output)
        along = _along(results)
        header = ("direction", f"backprop ∇{name}·v") if along else ("input", f"backprop ∂{name}/∂input")
        table = [header + ("finite difference", "relative error", "tolerance", "")]
        for c in results:
            if c.numeric is None:
                table.append((c.name, format_number(c.backprop, precision), "undefined nearby", "", "", c.verdict))
                continue
            error = "" if c.relative_error is None else f"{c.relative_error:.1e}"
            table.append((c.name, format_number(c.backprop, precision), format_number(c.numeric, precision),
                          error, f"{c.tolerance:.1e}", c.verdict))
        tables.append((title(evaluation, output, results), table, note(results)))
    return tables


def lines(evaluation, comparisons, precision=None):
    """The tables as lines of (text, role) pieces, columns aligned with spaces."""
    out = []
    for heading, table, below in rows(evaluation, comparisons, precision):
        widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
        out.append([(heading, None)])
        out += [[("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip(), None)] for row in table]
        out.append([(below, None)])
    return out
