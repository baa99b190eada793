"""How many terminal columns a string takes: East Asian wide characters take two."""

import unicodedata


def display_width(text):
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, width):
    """`text` followed by spaces up to `width` columns."""
    return text + " " * max(width - display_width(text), 0)
