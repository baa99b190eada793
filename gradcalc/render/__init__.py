"""Renderers: rich (a tree with red gradients), plain text, JSON lines and Graphviz dot.

Each takes an Evaluation and returns text (rich prints to a Console). Only ``richview``
imports rich, and only when that format is chosen.
"""
