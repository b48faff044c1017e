"""The declared tables the soundness analyses trust are checked against what the functions really do.

* ``srcgrad.rules.registry.defsequence``: a rule-table function whose result is a list or a tuple must be
  declared, or a ``+`` over its results would be differentiated as array addition;
* ``srcgrad.analysis.aliasing.VIEW_FUNCTIONS``: a rule-table function whose result may share memory with an
  argument must be listed, or an in-place update through the result would be taken for a fresh array's;
* every non-differentiable declaration is in the one table (no implicit constants): activity analysis
  treats a call as constant only through ``is_nondifferentiable``.

Each rule's test cases (tests/rules/cases.py) provide the arguments."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcgrad.analysis.aliasing import VIEW_FUNCTIONS
from srcgrad.rules.registry import returns_sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rules"))
import cases

_VIEWS = {id(f) for f in VIEW_FUNCTIONS}


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)


def _internal(primal) -> bool:
    """srcgrad's own runtime helpers, rule helpers and the shim's primitives, which only generated code calls
    (the analyses classify their results directly), and indexing, which the alias analysis models as a
    subscript."""
    import operator

    module = getattr(primal, "__module__", "") or ""
    return primal is operator.getitem or module.startswith("srcgrad.")


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.id)
def test_results_match_the_declared_tables(case):
    @settings(max_examples=4, suppress_health_check=list(HealthCheck), database=None, derandomize=True,
              deadline=None)
    @given(st.data())
    def check(data):
        args, kwargs = case.make(cases.Draw(data))
        args = copy.deepcopy(args)
        with np.errstate(all="ignore"):
            out = case.primal(*args, **kwargs)
        if case.project is not None or _internal(case.primal):
            return
        if isinstance(out, (list, tuple)):
            assert returns_sequence(case.primal), f"{case.id} returns a {type(out).__name__}: declare it with defsequence"
        if id(case.primal) in _VIEWS:
            return
        for result in _arrays(out):
            for argument in _arrays((args, kwargs)):
                assert not np.shares_memory(result, argument), \
                    f"{case.id} returns a view of its argument: add it to aliasing.VIEW_FUNCTIONS"

    check()
