"""Hypothesis profiles. "ci" (the default) keeps the fuzz tests (tests/test_fuzz.py) to a few
hundred examples; "release" runs twenty times as many before a release:

    HYPOTHESIS_PROFILE=release pytest tests/test_fuzz.py

A profile sets only defaults: a test with its own @settings(max_examples=...) keeps its number.
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=100)
settings.register_profile("release", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
