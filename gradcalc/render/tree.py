"""--format tree: the rich view with each output always as a tree (the default view draws a
graph that fits the terminal as a picture instead)."""

from . import richview


class Renderer:
    def __init__(self, out, options):
        self.rich, self.options = richview.Renderer(out, options), options

    def evaluation(self, evaluation, gradchecks=None):
        console, options = self.rich.console, self.options
        richview.render(evaluation, console, options.precision, None if options.everything else richview.MAX_ROWS)
        if gradchecks:
            richview.render_gradcheck(evaluation, gradchecks, console, options.precision)

    def error(self, error):
        self.rich.error(error)

    def verdict(self, verdict):
        self.rich.verdict(verdict)

    def findings(self, report):
        self.rich.findings(report)
