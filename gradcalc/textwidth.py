"""How many terminal columns a string takes: East Asian wide characters take two."""

import unicodedata


def display_width(text):
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shortened(text, length=24):
    """`text`, or its start and end around "…" when it is longer than `length` characters (a
    generated name, a literal of 5,000 digits)."""
    return text if len(text) <= length else f"{text[:length // 2]}…{text[-length // 4:]}"


def pad(text, width):
    """`text` followed by spaces up to `width` columns."""
    return text + " " * max(width - display_width(text), 0)
