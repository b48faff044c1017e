"""Every reverse rule against central finite differences in float64, at random points and shapes.

For a random cotangent ``g`` shaped like the output and a random direction ``v`` for one differentiable
input, the rule's partial must satisfy ``<partial, v> == <g, J v>``, where ``J v`` comes from a fourth-order
central difference. The tolerance is relative to ``sum(|g| * |J v|)`` (the size of the terms, so that
cancellation cannot hide an error) plus the rounding error of the difference quotient; NaN or infinity on
either side fails. Cases at non-differentiable points (ties, kinks, zeros) are compared with independent
reference partials instead. Every check also verifies shapes and that float32 stays float32. Complex
arguments, outputs and cotangents (``cases_fft.py``) are paired as ``Re(sum(ct * dz))``, the convention of
JAX and HIPS autograd (a complex cotangent is ``dL/dx - i dL/dy``).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcgrad.rules import vjp_rule


def _load_cases():
    name = "srcgrad_rule_test_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("cases.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = _load_cases()
call_rule, cotangent_like, leaves = cases.call_rule, cases.cotangent_like, cases.leaves
partial_leaves, replace_leaf = cases.partial_leaves, cases.replace_leaf

SMOOTH = [c for c in cases.CASES if c.smooth]
EXACT = [c for c in cases.CASES if c.expected is not None]
RTOL = 1e-6
STEP = 1e-3

# SRCGRAD_RULE_EXAMPLES raises the number of examples per case for a longer local run.
EXAMPLES = int(os.environ.get("SRCGRAD_RULE_EXAMPLES", "15"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def check_shapes(partials, args, positions) -> None:
    for partial, position in zip(partials, positions):
        for item, (_, leaf) in zip(partial_leaves(partial, args[position]), leaves(args[position])):
            if not cases.is_value(leaf):  # a bound left out (None), a backward closure: no cotangent
                assert item is None
                continue
            assert item is not None
            assert np.shape(item) == np.shape(leaf), f"partial shape {np.shape(item)} for {np.shape(leaf)}"


def check_python_floats(case, partials) -> None:
    if case.python_floats:
        for partial in partials:
            assert type(partial) is float, f"partial of {case.id} is {type(partial).__name__}, not float"


def to_float32(value):
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, list):
        return [to_float32(v) for v in value]
    return value


def ans_of(case, args, kwargs):
    with np.errstate(all="ignore"):
        return case.primal(*copy.deepcopy(args), **kwargs)


def check_float32(case, args, kwargs, rng) -> None:
    """With float32 inputs and a float32 cotangent, float32 arrays get float32 partials (where NumPy
    itself keeps float32)."""
    if case.python_floats or "dtype" in kwargs or isinstance(ans_of(case, args, kwargs), (list, tuple)):
        return
    if case.float32_bug:
        return  # tracked by test_known_bug_shim_inf_norm_float32
    args32 = tuple(to_float32(a) for a in args)
    with np.errstate(all="ignore"):
        ans32 = case.primal(*copy.deepcopy(args32), **kwargs)
    if np.result_type(ans32) != np.float32:
        return
    g32 = cotangent_like(ans32, rng)
    partials, positions = call_rule(case, g32, ans32, args32, kwargs)
    for partial, position in zip(partials, positions):
        for item, (_, leaf) in zip(partial_leaves(partial, args32[position]), leaves(args32[position])):
            if not cases.is_value(leaf):  # np.einsum's subscripts and sublists: no cotangent
                continue
            assert np.shape(item) == np.shape(leaf)
            if isinstance(leaf, np.ndarray) and leaf.dtype == np.float32:
                assert np.result_type(item) == np.float32, f"float32 input got a {np.result_type(item)} partial"


def evaluate(case, args, kwargs) -> np.ndarray:
    # A copy of the arguments: some primals write into theirs (the shim's index_put).
    return cases.as_numbers(projected(case, case.primal(*copy.deepcopy(args), **kwargs)))


def projected(case, ans):
    return ans if case.project is None else case.project(ans)


def full_cotangent(case, g):
    return g if case.cotangent is None else case.cotangent(g)


def directional_derivative(case, args, kwargs, position, index, leaf, v) -> np.ndarray:
    """``J v`` for one leaf by the fourth-order central difference."""
    def at(t):
        return evaluate(case, replace_leaf(args, position, index, leaf + t * v), kwargs)

    return (at(-2 * STEP) - 8 * at(-STEP) + 8 * at(STEP) - at(2 * STEP)) / (12 * STEP)


direction_like = cases.direction_like


# --- the tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SMOOTH, ids=lambda c: c.id)
@SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case, data):
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    rng = draw.rng
    ans = case.primal(*copy.deepcopy(args), **kwargs)
    value = projected(case, ans)
    assert np.all(np.isfinite(value)), "the case drew a point outside the primal's domain"
    g = cotangent_like(value, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        partials, positions = call_rule(case, full_cotangent(case, g), ans, args, kwargs)
    check_shapes(partials, args, positions)
    check_python_floats(case, partials)
    g_arr = cases.as_numbers(g)  # complex outputs: dL = Re(sum(ct * dz)) (cases_fft.py)
    f_scale = np.sum(np.abs(g_arr) * (1.0 + np.abs(cases.as_numbers(value))))
    checked = case.check if case.check is not None else range(len(positions))
    for k in checked:
        position = positions[k]
        for item, (index, leaf) in zip(partial_leaves(partials[k], args[position]), leaves(args[position])):
            if not cases.is_value(leaf):
                continue
            v = direction_like(leaf, rng)
            jv = directional_derivative(case, args, kwargs, position, index, leaf, v)
            expected = float(np.real(np.sum(g_arr * jv)))
            got = float(np.real(np.sum(cases.as_numbers(item) * v)))
            assert np.isfinite(expected) and np.isfinite(got), (expected, got)
            tol = RTOL * float(np.sum(np.abs(g_arr * jv))) + 1e-11 * f_scale
            assert abs(got - expected) <= tol, (
                f"argument {position}{'' if index is None else f'[{index}]'}: rule gives {got!r}, "
                f"finite differences {expected!r} (tolerance {tol:.3g})")
    check_float32(case, args, kwargs, rng)
    if case.project is None:
        check_python_float_cotangent(case, g, ans, args, kwargs, partials)


def check_python_float_cotangent(case, g, ans, args, kwargs, partials) -> None:
    """A scalar output's cotangent may arrive as a Python float (a seed of 1.0): same partials."""
    if case.python_floats or np.ndim(ans) != 0 or isinstance(g, float) or np.iscomplexobj(ans):
        return
    again, _ = call_rule(case, float(g), ans, args, kwargs)
    for first, second in zip(partials, again):
        for a, b in zip(first if isinstance(first, (list, tuple)) else [first],
                        second if isinstance(second, (list, tuple)) else [second]):
            np.testing.assert_allclose(np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64),
                                       rtol=1e-12, atol=0)
            assert np.shape(a) == np.shape(b)


@pytest.mark.parametrize("case", EXACT, ids=lambda c: c.id)
@settings(max_examples=max(EXAMPLES // 2, 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rule_matches_reference_at_nonsmooth_points(case, data):
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    with np.errstate(all="ignore"):
        ans = case.primal(*copy.deepcopy(args), **kwargs)
    g = cotangent_like(ans, draw.rng)
    expected = case.expected(g, *args, **kwargs)
    finite = all(np.all(np.isfinite(e)) for e in expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error" if finite else "ignore", RuntimeWarning)
        partials, positions = call_rule(case, g, ans, args, kwargs)
    check_shapes(partials, args, positions)
    check_python_floats(case, partials)
    checked = case.check if case.check is not None else range(len(positions))
    for k in checked:
        got = np.asarray(partials[k], dtype=np.float64)
        want = np.asarray(expected[k], dtype=np.float64)
        assert got.shape == want.shape
        # Infinities must match exactly; NaN never matches anything.
        assert not np.any(np.isnan(got)) and not np.any(np.isnan(want))
        np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
        np.testing.assert_array_equal(got[~np.isfinite(want)], want[~np.isfinite(want)])
        np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12, atol=1e-14)
    check_float32(case, args, kwargs, draw.rng)


@pytest.mark.xfail(strict=True, reason="shim_rules.vector_norm_grad divides by an int64 tie count")
def test_known_bug_shim_inf_norm_float32():
    """Cases with ``float32_bug`` skip the float32 check; this test tracks the bug itself. When a fix
    lands it XPASSes, which fails (strict): then drop ``float32_bug`` from the cases."""
    shim_rules = pytest.importorskip("srcgrad.rules.shim_rules")
    x = np.array([2.0, -2.0, 1.0], dtype=np.float32)
    ans = shim_rules.vector_norm(x, np.inf)
    (partial,) = vjp_rule(shim_rules.vector_norm).partials(np.float32(1.0), ans, x, np.inf)
    assert partial.dtype == np.float32
