"""Test-suite configuration: property-based tests draw the same examples on every run (a CI run must not
pass or fail by chance); set SRCGRAD_HYPOTHESIS_PROFILE=explore locally to draw fresh ones."""

import os

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("SRCGRAD_HYPOTHESIS_PROFILE", "deterministic"))


# Hypothesis's pytest plugin gives a parametrized test's settings one more layer (a child of the previous
# settings) on every invocation; over a thousand rule cases the chain outgrows Python's recursion limit. The
# settings a test had before it ran are put back after it.
def _test_function(item):
    obj = getattr(item, "obj", None)
    return getattr(obj, "__func__", obj)


def pytest_runtest_setup(item):
    item.srcgrad_settings = getattr(_test_function(item), "_hypothesis_internal_use_settings", None)


def pytest_runtest_teardown(item):
    original = getattr(item, "srcgrad_settings", None)
    function = _test_function(item)
    if original is not None and function is not None:
        function._hypothesis_internal_use_settings = original
