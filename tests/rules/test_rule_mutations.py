"""The rule tests can fail: each of a sample of rules, broken on purpose (a partial scaled by 1.001, its
sign flipped, or dropped to zero), must make ``test_rule_matches_finite_differences`` go red. A check that
passes a broken rule would pass a wrong one silently."""

from __future__ import annotations

import numpy as np
import pytest
import test_rules_fd as fd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

SAMPLE = ["numpy.tanh[array]", "numpy.tanh[float]", "operator.truediv[broadcast]", "numpy.sum[axis]",
          "numpy.cumsum[axis]", "numpy.matmul[2d@2d]", "numpy.matmul[3d@3d-broadcast]", "numpy.einsum[batched]",
          "numpy.einsum[trace]"]
BY_ID = {case.id: case for case in fd.SMOOTH}
# And a spread over the whole table, the same on every run.
SAMPLE += [case.id for case in fd.SMOOTH[::97] if case.id not in SAMPLE]

# The same check with the same examples, but stopping at the first failure instead of shrinking it.
CHECK = settings(max_examples=fd.EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))(
    given(data=st.data())(fd.test_rule_matches_finite_differences.hypothesis.inner_test))

MUTATIONS = {
    "scaled by 1.001": lambda p: p * 1.001,
    "sign flipped": lambda p: -p,
    "dropped": lambda p: p * 0.0,
}


def _mutated(partial, mutation):
    if partial is None:
        return None
    if isinstance(partial, (list, tuple)):
        return type(partial)(_mutated(p, mutation) for p in partial)
    if isinstance(partial, (float, np.ndarray, np.generic)) and np.issubdtype(np.result_type(partial), np.inexact):
        return type(partial)(mutation(partial)) if isinstance(partial, float) else mutation(partial)
    return partial


class MutatedRule:
    """A registered rule whose partials come out broken."""

    def __init__(self, rule, mutation):
        self.rule, self.mutation = rule, mutation

    def __getattr__(self, name):
        return getattr(self.rule, name)

    def partials(self, *args, **kwargs):
        return tuple(_mutated(p, self.mutation) for p in self.rule.partials(*args, **kwargs))


def test_the_sample_covers_several_kinds_of_rule():
    assert all(case_id in BY_ID for case_id in SAMPLE)
    assert len({case_id.split("[")[0] for case_id in SAMPLE}) >= 12


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("case_id", SAMPLE)
def test_a_broken_rule_fails_the_finite_difference_check(case_id, mutation, monkeypatch):
    case = BY_ID[case_id]
    real = fd.cases.vjp_rule
    monkeypatch.setattr(fd.cases, "vjp_rule", lambda primal: MutatedRule(real(primal), MUTATIONS[mutation])
                        if primal is case.primal else real(primal))
    with pytest.raises(Exception) as info:   # an AssertionError, or hypothesis's group of them
        CHECK(case=case)
    failures = getattr(info.value, "exceptions", (info.value,))
    assert all(isinstance(failure, AssertionError) for failure in failures), info.value


@pytest.mark.parametrize("case_id", SAMPLE)
def test_the_same_check_passes_the_rule_as_it_is(case_id):
    CHECK(case=BY_ID[case_id])
