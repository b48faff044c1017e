"""The CuPy tests' checks on ``StrictArray`` (strict_array.py), which refuses NumPy operands and implicit
conversion as CuPy does: so that code that would fail on a GPU fails here too, without one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reductions import REDUCTIONS
from rule_sweep import cases, convert, holds_arrays, pairs, reference, sweep_cases
from strict_array import StrictArray, to_numpy, to_strict

import srcgrad
from srcgrad.rules import vjp_rule

CASES = sweep_cases()

# Cases whose primal itself mixes NumPy arrays into the operation (an argument the case table passes as a
# NumPy array that is not data: index arrays stay NumPy, and so do these), or needs NumPy's own methods.
PRIMAL_REFUSED = (TypeError,)


def assert_strict_result(got, expected, what: str) -> None:
    if isinstance(expected, (np.ndarray, np.generic)) and np.ndim(expected) > 0:
        assert isinstance(got, StrictArray), f"{what}: a {type(got).__name__}, not a StrictArray"
    value, expected = to_numpy(got), np.asarray(expected)
    assert value.shape == expected.shape and value.dtype == expected.dtype, (what, value.shape, value.dtype)
    assert not np.any(np.isnan(value)) and not np.any(np.isnan(expected)), f"{what}: NaN"
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_rule_refuses_nothing_cupy_would_refuse(case, data):
    args, kwargs, ans, g, expected = reference(case, cases.Draw(data))
    if not holds_arrays((args, kwargs)):
        pytest.skip("Python floats only: nothing to move to another library")
    s_args, s_kwargs = convert(args, to_strict), convert(kwargs, to_strict)
    try:
        with np.errstate(all="ignore"):
            s_ans = case.primal(*s_args, **s_kwargs)
    except PRIMAL_REFUSED as error:
        pytest.skip(f"the primal itself refuses StrictArrays: {error}")
    with np.errstate(all="ignore"):
        partials = vjp_rule(case.primal).partials(convert(g, to_strict), s_ans, *s_args, **s_kwargs)
    for k, (got, want) in enumerate(pairs(partials, expected)):
        if want is None:
            assert got is None
            continue
        assert_strict_result(got, want, f"{case.id} partial {k}")


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_z = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (shifted - log_z), axis=1))


def test_logistic_regression_and_mlp():
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(64, 6)), (rng.random(64) < 0.5) * 1.0, rng.normal(size=6) * 0.3
    expected = srcgrad.grad(logistic_loss, argnums=(0, 1, 2))(w, 0.1, X, y)
    got = srcgrad.grad(logistic_loss, argnums=(0, 1, 2))(to_strict(w), 0.1, to_strict(X), to_strict(y))
    for k, (a, e) in enumerate(zip(got, expected)):
        assert_strict_result(a, e, f"logistic gradient {k}")
    Y = np.eye(3)[rng.integers(0, 3, 64)]
    params = (rng.normal(size=(6, 8)) * 0.3, rng.normal(size=8) * 0.1, rng.normal(size=(8, 3)) * 0.3,
              rng.normal(size=3) * 0.1)
    expected = srcgrad.grad(mlp_loss, argnums=(0, 1, 2, 3))(*params, X, Y)
    got = srcgrad.grad(mlp_loss, argnums=(0, 1, 2, 3))(*(to_strict(p) for p in params), to_strict(X), to_strict(Y))
    for k, (a, e) in enumerate(zip(got, expected)):
        assert_strict_result(a, e, f"MLP gradient {k}")


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=lambda f: f.__name__)
def test_scalar_reductions_seeded_with_a_python_float(reduction):
    X = np.random.default_rng(3).normal(size=(5, 5))
    expected = srcgrad.grad(reduction)(X)
    assert_strict_result(srcgrad.grad(reduction)(to_strict(X)), expected, "gradient")


def test_the_stand_in_refuses_what_cupy_refuses():
    x = to_strict(np.ones(3))
    with pytest.raises(TypeError):
        x * np.ones(3)  # a NumPy operand
    with pytest.raises(TypeError):
        np.asarray(x)  # implicit conversion
    assert isinstance(np.sum(x), StrictArray) and isinstance(x * 2.0, StrictArray)
