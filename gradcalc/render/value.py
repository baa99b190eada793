"""--format value, for shell scripts (as `qalc -t`): one line per output, its value and then
`name=gradient` for each input; a check line `ok` or `wrong`; a statement that failed `error`
in its place (its message on standard error), so that line k of the answers belongs to the
k-th thing asked. Numbers in full (a double's shortest exact spelling; an exact value as its
nearest double), or to --precision N significant digits (full: in full); arrays as nested lists."""

import json

from ..numbers import FULL, json_number
from .text import write


class Renderer:
    def __init__(self, out, options):
        self.out, self.precision = out, options.precision

    def evaluation(self, evaluation, gradchecks=None):
        lines = []
        for k, root in enumerate(evaluation.graph.outputs):
            grads = evaluation.gradients[k]
            fields = [self._number(evaluation.values[root])]
            fields += [f"{name}={self._number(grads[node])}" for name, node in evaluation.inputs_of(k).items()]
            lines.append(" ".join(fields) + "\n")
        write(self.out, "".join(lines))

    def verdict(self, verdict):
        write(self.out, "ok\n" if verdict.passed else "wrong\n")

    def findings(self, report):
        """Nothing: each check line has had its one line."""

    def error(self, error):
        write(self.out, "error\n")

    def _number(self, value):
        number = json_number(value)
        if isinstance(number, float) and self.precision not in (None, FULL):
            return f"{number:.{self.precision}g}"
        return number if isinstance(number, str) else json.dumps(number)
