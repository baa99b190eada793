"""What a measurement family hands back (a Section: tables, targets, notes) and how the run
writes it as Markdown, with the number formats every table shares."""

from dataclasses import dataclass, field


@dataclass
class Target:
    """A figure the issue asks gradcalc to stay under (a ratio, KB per node…); None when it
    could not be measured in this run."""

    what: str
    figure: float | None
    limit: float
    unit: str = "×"

    @property
    def met(self):
        return self.figure is not None and self.figure <= self.limit

    def verdict(self):
        if self.figure is None:
            return "not measured"
        return "met" if self.met else "**not met**"


@dataclass
class Table:
    headers: list
    rows: list = field(default_factory=list)

    def add(self, *cells):
        self.rows.append([str(cell) for cell in cells])

    def markdown(self):
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class Section:
    """One measurement family's results: `about` says what was measured and how."""

    title: str
    about: str
    tables: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def markdown(self):
        parts = [f"## {self.title}", self.about]
        parts += [table.markdown() for table in self.tables]
        if self.notes:
            parts.append("\n".join(f"- {note}" for note in self.notes))
        return "\n\n".join(parts)


def targets_table(sections):
    """Every target of every section, with its figure and whether it is met."""
    table = Table(["target", "figure", "limit", "verdict"])
    for section in sections:
        for target in section.targets:
            figure = "—" if target.figure is None else f"{target.figure:.2f}{target.unit}"
            table.add(target.what, figure, f"≤ {target.limit:g}{target.unit}", target.verdict())
    return table


def seconds(value):
    """2.45 s, 12.3 ms, 45.6 µs."""
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} µs"


def per_operation(value, operations):
    """Seconds spread over `operations`, in µs per operation."""
    return f"{value / operations * 1e6:.3f} µs"


def ratio(value):
    return f"{value:.2f}×"


def memory(kilobytes):
    """Peak RSS in MB; "n/a" where it was not measured (no GNU time)."""
    return "n/a" if kilobytes is None else f"{kilobytes / 1024:,.1f} MB"


def count(n):
    """1,000,000 as 10⁶, other counts with thousands separators."""
    powers = {10 ** k: f"10{'⁰¹²³⁴⁵⁶⁷⁸⁹'[k]}" for k in range(2, 10)}
    return powers.get(n, f"{n:,}")
