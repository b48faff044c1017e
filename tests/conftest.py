"""Test-suite configuration: property-based tests draw the same examples on every run (a CI run must not
pass or fail by chance); set SRCGRAD_HYPOTHESIS_PROFILE=explore locally to draw fresh ones."""

import os

import pytest
import run_summaries
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


# --- the summaries at the end of a run (run_summaries.py) -------------------------------------------------------


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session):
    if _is_worker(session.config):
        session.config.workeroutput["srcgrad_summaries"] = run_summaries.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    shared = getattr(node, "workeroutput", {}).get("srcgrad_summaries")
    if shared:
        run_summaries.merge(shared)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _is_worker(config):
        run_summaries.write_reliability(terminalreporter)


def pytest_unconfigure(config):
    """The soundness counts come after pytest's own summary, so that they are the last thing on the terminal;
    ``SOUNDNESS_REFUSALS=1`` adds the first line of every refusal."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not _is_worker(config):
        run_summaries.write_soundness(reporter, refusals=bool(os.environ.get("SOUNDNESS_REFUSALS")))
