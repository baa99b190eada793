"""Gradient-check tables: each input's backprop gradient, the finite difference, their
relative error and ✓ or ✗."""

import json

from ..gradcheck import TOLERANCE
from ..numbers import format_number, json_number
from .layout import output_name


def rows(evaluation, comparisons, precision=None):
    """Per output: the header and one row of cells per input."""
    tables = []
    for output, results in enumerate(comparisons):
        name = output_name(evaluation.graph, output)
        table = [("input", f"backprop ∂{name}/∂input", "finite difference", "relative error", "")]
        for c in results:
            if c.numeric is None:
                table.append((c.name, format_number(c.backprop, precision), "undefined nearby", "", "skipped"))
                continue
            error = "" if c.relative_error is None else f"{c.relative_error:.1e}"
            table.append((c.name, format_number(c.backprop, precision), format_number(c.numeric, precision),
                          error, "✓" if c.passed else "✗"))
        tables.append(table)
    return tables


def plain(evaluation, comparisons, precision=None):
    lines = [f"gradient check (central differences, tolerance {TOLERANCE:g})"]
    for table in rows(evaluation, comparisons, precision):
        widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    return "\n".join(lines) + "\n"


def json_merged(text, comparisons):
    """Each output's JSON line with a "gradcheck" list added."""
    records = [json.loads(line) for line in text.splitlines()]
    for record, results in zip(records, comparisons):
        record["gradcheck"] = [
            {"input": c.name, "backprop": json_number(c.backprop),
             "numeric": None if c.numeric is None else json_number(c.numeric),
             "relative_error": None if c.relative_error is None else json_number(c.relative_error),
             "passed": c.passed}
            for c in results
        ]
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
