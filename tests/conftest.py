"""Test-suite configuration: property-based tests draw the same examples on every run (a CI run must not
pass or fail by chance); set SRCGRAD_HYPOTHESIS_PROFILE=explore locally to draw fresh ones."""

import os

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("SRCGRAD_HYPOTHESIS_PROFILE", "deterministic"))
