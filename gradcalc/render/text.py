"""What the text formats share. Styled text is data: a line is a list of (text, role) pieces,
which plain text joins, rich styles by role, and a picture's text carries as comments.
Roles: head, name, grad, rule (explanations); pass, fail, note (check results)."""


def joined(lines, prefix=""):
    """The lines as text, each after `prefix` (a picture's comment marker); a blank line stays blank."""
    return "".join(prefix + "".join(text for text, _ in line) + "\n" if line else "\n" for line in lines)


def write(out, text):
    """Write one report at once, so that a stream of problems is answered as it arrives."""
    out.write(text)
    out.flush()


class Picture:
    """A picture format (dot, mermaid): a picture per evaluation, written as it comes, with the
    check lines and the gradient checks as comments inside the picture's text."""

    COMMENT = ""  # the language's comment marker

    def __init__(self, out, options):
        self.out, self.precision, self.reveal = out, options.precision, options.reveal

    def draw(self, evaluation):
        """The picture's text."""
        raise NotImplementedError

    def evaluation(self, evaluation, gradchecks=None):
        text = self.draw(evaluation)
        if gradchecks:
            from . import gradcheck

            text += joined([[]] + gradcheck.lines(evaluation, gradchecks, self.precision), self.COMMENT)
        write(self.out, text)

    def error(self, error):
        """Said on standard error: a picture holds what could be drawn."""

    def verdict(self, verdict):
        from . import checks

        write(self.out, joined(checks.verdict_lines(verdict, self.reveal, self.precision), self.COMMENT))

    def findings(self, report):
        from . import checks

        write(self.out, joined(checks.findings_lines(report, self.reveal), self.COMMENT))
