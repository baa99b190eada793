"""JSON lines, for scripts: one object per line, built as data and encoded once.

An output: {"expr", "value", "gradient": {input: number}, "nodes": [{"id", "op", "label",
"name", "inputs", "value", "grad"}]}, with "gradcheck" (a list of per-input or per-direction
entries) under --gradcheck; every node is included (a script wants all of them). Non-finite
numbers are "inf", "-inf", "nan"; exact non-integers also carry "value_exact" (and
"grad_exact", "gradient_exact") as "3996/5"-style strings.
A check: {"file" (from gradcalc check), "line", "check", "answer", "correct", "passed",
"diagnosis", "status", "rule", "diagnosis_kind", "depends_on", "reason", "revisit"}; under
--no-reveal without "correct" and "diagnosis_kind", and "diagnosis" is the rule to revisit.
gradcalc check adds after each file's checks {"file", "status", "error", "line", "column",
"passed", "total"}, and after several files (or with --summary, then alone) an item analysis
record per check {"item", "files", "passed", "not_graded", "mistake", "mistake_kind",
"mistake_files"} and the class's {"files", "passed", "total"}.
An explanation: {"line", "expr", "paths", "path_counts", "sweep"}.
A statement that failed, in its place: {"line", "column" (where known), "error", "exit"}.
Outputs, explanations and errors start with "file" when the program is read with -f FILE, and
"line", the line of the statement, so that a script can match answers to questions.
"""

import json
from fractions import Fraction

from ..graph import OPERATION
from ..numbers import exact_text, json_number
from .text import write

# made once (json.dumps with options makes one per call); a record is a tree, so no cycle check
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class Renderer:
    def __init__(self, out, options):
        self.out, self.reveal = out, options.reveal
        self.where = {} if options.source is None else {"file": options.source}
        self.several, self.summary = options.several, options.summary

    def evaluation(self, evaluation, gradchecks=None):
        records = [{**self.where, **record} for record in _records(evaluation)]
        for record, results in zip(records, gradchecks or ()):
            record["gradcheck"] = [_gradcheck_entry(c) for c in results]
        write(self.out, _lines(records))

    def error(self, error):
        record = {**self.where, "line": error.line}
        if error.column is not None:
            record["column"] = error.column
        record.update(error=error.message, exit=error.exit_code)
        write(self.out, _lines([record]))

    def verdict(self, verdict):
        write(self.out, _lines([self._verdict(verdict)]))

    def findings(self, report):
        """The verdicts whose diagnosis later lines changed, again as they finally stand."""
        if report.revised:
            write(self.out, _lines(self._verdict(verdict) for verdict in report.revised))

    def explanations(self, explanations):
        write(self.out, _lines({**self.where, **_explanation(e)} for e in explanations))

    def marks(self, graded):
        report = graded.report
        records = [] if self.summary or report is None else [self._verdict(v, graded.file) for v in report.verdicts]
        records.append(_file(graded))
        write(self.out, _lines(records))

    def end(self, book):
        if self.several or self.summary:
            records = [self._item(item) for item in book.items]
            records.append({"files": len(book.files), "passed": book.passed, "total": book.total})
            write(self.out, _lines(records))

    def _verdict(self, v, file=None):
        record = {"file": file} if file is not None else dict(self.where)
        record.update(line=v.claim.line, check=v.claim.text, answer=_number(v.answer))
        if self.reveal:
            record["correct"] = _number(v.correct)
        record["passed"] = v.passed
        record["diagnosis"] = v.diagnosis if self.reveal else v.revisit  # the rule to revisit gives nothing away
        record.update(status=v.status, rule=v.rule)
        if self.reveal:
            record["diagnosis_kind"] = v.diagnosis_kind
        record.update(depends_on=v.depends_on, reason=v.reason, revisit=v.revisit)
        return record

    def _item(self, item):
        """A check across the class: the files that have it, passed it and could not be graded
        on it, and the most common mistake (the rule to revisit, under --no-reveal)."""
        mistake = item.mistake
        record = {"item": item.check, "files": item.files, "passed": item.passed, "not_graded": item.not_graded}
        if self.reveal:
            record.update(mistake=mistake and mistake.diagnosis, mistake_kind=mistake and mistake.diagnosis_kind)
        else:
            record["mistake"] = mistake and mistake.revisit
        record["mistake_files"] = item.mistakes
        return record


def _file(graded):
    """A file's status, the error it is about (with its line and column) and passed/total (null
    for a file that could not be read)."""
    report = graded.report
    return {"file": graded.file, "status": graded.status, "error": graded.error, "line": graded.line,
            "column": graded.column, "passed": None if report is None else report.passed,
            "total": None if report is None else report.total}


def _number(value):
    """A number at full precision, or null where there is none (a check not graded)."""
    return None if value is None else json_number(value)


def _lines(records):
    return "".join(_ENCODER.encode(record) + "\n" for record in records)


def render(evaluation):
    """One line per output."""
    return _lines(_records(evaluation))


def _records(evaluation):
    return [_output(evaluation, k) for k in range(len(evaluation.graph.outputs))]


def _output(evaluation, output):
    graph, values, grads = evaluation.graph, evaluation.values, evaluation.gradients[output]
    root = graph.outputs[output]
    inputs = evaluation.inputs_of(output)
    record = {"line": graph.lines[output], "expr": graph.sources[output], "value": json_number(values[root])}
    if type(values[root]) is Fraction:
        record["value_exact"] = exact_text(values[root])
    record["gradient"] = {name: json_number(grads[node]) for name, node in inputs.items()}
    exact_gradient = {name: exact_text(grads[node]) for name, node in inputs.items() if type(grads[node]) is Fraction}
    if exact_gradient:
        record["gradient_exact"] = exact_gradient
    record["nodes"] = _nodes(evaluation, output)
    return record


def _nodes(evaluation, output):
    """Every node of the output's graph; "grad" null where a gradient means nothing (x^2's 2)."""
    graph, values, grads = evaluation.graph, evaluation.values, evaluation.gradients[output]
    ops, kinds, labels, names, args = graph.ops, graph.kinds, graph.labels, graph.names, graph.args
    entries = []
    for i in graph.nodes_of(output):
        value, grad = values[i], grads[i] if evaluation.has_gradient(i, output) else None
        entry = {
            "id": i,
            "op": ops[i].name if kinds[i] == OPERATION else kinds[i],
            "label": labels[i],
            "name": names[i],
            "inputs": list(args[i]),
            "value": json_number(value),
            "grad": None if grad is None else json_number(grad),
        }
        if type(value) is Fraction:
            entry["value_exact"] = exact_text(value)
        if type(grad) is Fraction:
            entry["grad_exact"] = exact_text(grad)
        entries.append(entry)
    return entries


def _gradcheck_entry(c):
    """{input, backprop, numeric, relative_error, tolerance, passed, verdict, method: "input"};
    along a direction the same with "input" null, "direction" 1, 2, … and method "direction"."""
    entry = {"method": c.method, "input": None if c.direction else c.name}
    if c.direction:
        entry["direction"] = c.direction
    entry.update({
        "backprop": json_number(c.backprop),
        "numeric": None if c.numeric is None else json_number(c.numeric),
        "relative_error": None if c.relative_error is None else json_number(c.relative_error),
        "tolerance": None if c.tolerance is None else json_number(c.tolerance),
        "passed": c.passed,
        "verdict": c.verdict,
    })
    return entry


def _explanation(e):
    from .explain import label

    graph = e.graph
    return {
        "line": graph.lines[e.output],
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
