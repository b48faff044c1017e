"""Every dispatch-safe reverse rule on Dask arrays: it must build a lazy graph (nothing computed, no
fallback to NumPy) whose result equals the NumPy partials, in shape, dtype and value.

The arguments of each case of the rule case table are split into chunks of about half of every axis, so
that chunk boundaries fall inside every reduction and contraction. A case whose primal Dask itself cannot
run must be listed in ``DASK_CANNOT_RUN`` with the reason: a new failure is never skipped silently."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from rule_sweep import assert_same, cases, convert, pairs, reference, sweep_cases  # noqa: E402

from srcgrad.rules import vjp_rule  # noqa: E402
from srcgrad.rules.registry import dispatch_note, registered_vjp_rules  # noqa: E402
from srcgrad.runtime import call_with_vjp  # noqa: E402

CASES = sweep_cases()

# Cases that Dask cannot evaluate for some draws: the primal, or a Dask function the rule calls, refuses
# the arguments (these fail on the chunking or on missing options, not on the dispatch); the same rule's
# other cases run, and so do the draws of these that Dask can evaluate.
DASK_CANNOT_RUN = {
    "numpy.clip[kwargs]": "Dask's clip takes no a_min/a_max keywords",
    "numpy.clip[numpy2-kwargs]": "Dask's clip takes no min/max keywords",
    "numpy.diff[prepend-append]": "Dask's diff computes an array prepend",
    "numpy.dot[0d.2d]": "Dask's dot needs two arrays of at least one axis",
    "numpy.dot[float.1d]": "Dask's dot needs two arrays",
    "numpy.linalg.norm[flat]": "Dask's norm takes at most 2-D input without an axis",
    "numpy.linalg.norm[flat-keepdims]": "Dask's norm takes at most 2-D input without an axis",
    "numpy.linalg.norm[matrix-axes]": "Dask's SVD norm is 2-D only",
    "numpy.linalg.norm[matrix-default]": "Dask's SVD (in the rule of the 2- and nuclear norms) needs a matrix "
                                         "chunked along one axis only",
    "numpy.reshape[shape]": "Dask reshapes only by merging or splitting axes along chunk boundaries",
    "numpy.reshape[keyword]": "Dask reshapes only by merging or splitting axes along chunk boundaries",
    "numpy.triu[vector]": "Dask's triu needs a matrix",
    "numpy.tril[vector]": "Dask's tril needs a matrix",
    "numpy.repeat[repeats-axis]": "Dask's repeat takes one integer count",
    "numpy.hstack[scalars]": "Dask cannot stack 0-d arrays",
    "numpy.take[indices]": "Dask's take needs an axis",
    "numpy.take[mode]": "Dask's take has no mode",
    "operator.getitem[two-arrays]": "Dask indexes with one integer array at a time",
    "operator.getitem[random-ints]": "Dask indexes with 1-D integer arrays only",
    "numpy.linspace[broadcast-axis]": "Dask's linspace takes scalar endpoints and no axis",
    "numpy.linspace[default-num]": "Dask's linspace takes scalar endpoints",
    "numpy.linspace[positional]": "Dask's linspace takes scalar endpoints and no axis",
    "numpy.full[broadcast]": "Dask's full takes a scalar fill value",
    "numpy.full_like[broadcast]": "Dask's full_like takes a scalar fill value",
    "numpy.full_like[shape]": "Dask's full_like takes a scalar fill value",
    "numpy.arange[array-start]": "Dask's arange takes numbers",
}


class Computed(AssertionError):
    """Raised by the scheduler installed while a rule runs: the rule tried to compute a Dask array."""


def refuse(*args, **kwargs):
    raise Computed("the rule computed a Dask array instead of building a lazy graph")


def to_dask(array: np.ndarray):
    chunks = tuple(max(1, (n + 1) // 2) for n in array.shape)
    return da.from_array(array, chunks=chunks)


def lazily(fn, *args, **kwargs):
    """Run ``fn`` with computing forbidden and Dask's fallback to NumPy an error."""
    with warnings.catch_warnings(), dask.config.set(scheduler=refuse), np.errstate(all="ignore"):
        warnings.filterwarnings("error", message=".*is not implemented by Dask array", category=FutureWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_rule_runs_lazily_on_dask(case, data):
    args, kwargs, ans, g, expected = reference(case, cases.Draw(data))
    d_args, d_kwargs = convert(args, to_dask), convert(kwargs, to_dask)
    rule = vjp_rule(case.primal)
    if case.id in DASK_CANNOT_RUN:
        try:  # some draws Dask can run (a 1-D norm): those check the rule too
            d_ans = lazily(case.primal, *copy.deepcopy(d_args), **d_kwargs)
        except Exception:
            return
        try:
            partials = lazily(rule.partials, convert(g, to_dask), d_ans, *d_args, **d_kwargs)
        except (NotImplementedError, ValueError):
            return  # a Dask function refused the chunks; computing or falling back to NumPy still fail
    else:
        d_ans = lazily(case.primal, *d_args, **d_kwargs)
        partials = lazily(rule.partials, convert(g, to_dask), d_ans, *d_args, **d_kwargs)
    for k, (got, want) in enumerate(pairs(partials, expected)):
        if want is None:
            assert got is None
            continue
        if isinstance(want, np.ndarray):
            assert isinstance(got, da.Array), f"partial {k} is a {type(got).__name__}, not a Dask array"
        value = np.asarray(got.compute(scheduler="sync") if isinstance(got, da.Array) else got)
        assert_same(value, want, f"{case.id} partial {k}")


# Rules whose cases hold closures (the (output, backward) pair), checked through real calls instead.
END_TO_END = {id(call_with_vjp): "test_dask_api.py: logistic_loss calls sigmoid, a Python function"}


def test_every_dispatch_safe_rule_runs_on_dask_somewhere():
    """Every built-in rule without a dispatch note has a case Dask can run; else its "yes" is untested."""
    runnable = {id(c.primal) for c in CASES if c.id not in DASK_CANNOT_RUN} | set(END_TO_END)
    missing = sorted(rule.name for rule in registered_vjp_rules()
                     if rule.function.__module__.startswith("srcgrad.") and dispatch_note(rule.primal) is None
                     and id(rule.primal) not in runnable)
    assert not missing, f"no case runs these rules on Dask; add one, or a dispatch note: {missing}"
    assert len(CASES) > 300


def test_noted_rules_are_noted_for_a_reason():
    """The note on np.cumprod is true: its rule computes a Dask array."""
    assert dispatch_note(np.cumprod) is not None
    x = to_dask(np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]]))
    with pytest.raises(Computed):
        lazily(vjp_rule(np.cumprod).partials, da.ones((2, 3), chunks=1), np.cumprod(x, axis=1), x, 1)
