"""Output formats: one table, each format's name and the module that renders it, imported only
when the format is chosen (a scalar one-liner loads no other renderer, and no rich).

A format's module has a `Renderer(out, options)` that writes each report to the text stream
`out` as soon as it is given one, and decides nothing about what the reports say. The reports
it renders, by kind:

- EVALUATIONS (eval, the session): `evaluation(evaluation, gradchecks)` with the gradient checks
  or None, `verdict(verdict)` for a check line as it is judged, `findings(report)` for what the
  end of a program adds (the diagnoses later lines changed, the first wrong answers), and
  `error(error)` for a statement that failed, in its place (the message itself is said on
  standard error; a format for scripts keeps its records aligned with the program's lines);
- EXPLANATIONS (explain, the session's :explain): `explanations(explanations)`, one per output,
  and `error(error)`;
- CHECKS (check): `marks(graded)` for each file as it is graded (a grades.Graded), `end(book)`
  after the last one (the class's grades.Gradebook).

Adding a format is one module and one entry in FORMATS.
"""

import importlib
from typing import NamedTuple

EVALUATIONS, EXPLANATIONS, CHECKS = "evaluations", "explanations", "checks"

FORMATS = {  # name: (module, the kinds of report it renders)
    "rich": ("richview", (EVALUATIONS, EXPLANATIONS, CHECKS)),
    "plain": ("plain", (EVALUATIONS, EXPLANATIONS, CHECKS)),
    "graph": ("graph", (EVALUATIONS,)),
    "tree": ("tree", (EVALUATIONS,)),
    "json": ("jsonl", (EVALUATIONS, EXPLANATIONS, CHECKS)),
    "value": ("value", (EVALUATIONS,)),
    "dot": ("dot", (EVALUATIONS,)),
    "mermaid": ("mermaid", (EVALUATIONS,)),
    "md": ("markdown", (EXPLANATIONS,)),
    "csv": ("gradebook", (CHECKS,)),
}


class Options(NamedTuple):
    """How reports are shown; each renderer reads what its format has a use for."""

    precision: int | str | None = None  # significant digits shown, numbers.FULL for all (never what is computed)
    everything: bool = False  # every node, input and sweep step of a big graph, not the first few
    reveal: bool = True  # the correct answer beside a wrong one
    several: bool = False  # the results of several files: each under its name, then a table
    source: str | None = None  # the file the program is read from (-f FILE), named in JSON records
    summary: bool = False  # only the class table and the item analysis, not each file's checks


def names(kind):
    """The formats that render reports of this kind, in the table's order."""
    return tuple(name for name, (_, kinds) in FORMATS.items() if kind in kinds)


def renderer(name, out, options=Options()):
    """The Renderer of the format `name`, writing to `out` (KeyError for a name not in FORMATS)."""
    module, _ = FORMATS[name]
    return importlib.import_module(f"{__name__}.{module}").Renderer(out, options)
