"""The same generated gradients on CuPy arrays (GPU): values equal NumPy's, and every gradient stays a
CuPy array (a float argument's a 0-d one). Skipped unless cupy imports and sees a GPU.

Run on a GPU machine with ``python -m pytest -q tests/dispatch/test_cupy.py``; it needs neither Dask nor
PyTorch. Rules run one case each (the first case of the rule case table for every dispatch-safe rule),
to keep CuPy's kernel compilation short; a case whose primal CuPy itself cannot run is skipped with
CuPy's error as the reason (the rule is not at fault), while any error of the rule fails."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _cupy_with_a_gpu():
    try:
        import cupy
    except Exception as error:  # not installed, or installed for another CUDA version
        pytest.skip(f"cupy is not importable: {error}", allow_module_level=True)
    try:
        devices = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:
        pytest.skip(f"cupy sees no GPU: {error}", allow_module_level=True)
    if devices < 1:
        pytest.skip("cupy sees no GPU", allow_module_level=True)
    return cupy


cp = _cupy_with_a_gpu()

from reductions import REDUCTIONS  # noqa: E402
from rule_sweep import cases, convert, holds_arrays, pairs, reference, sweep_cases  # noqa: E402

import srcgrad  # noqa: E402
from srcgrad.rules import vjp_rule  # noqa: E402


def _one_case_per_rule() -> list:
    seen, chosen = set(), []
    for case in sweep_cases():
        if id(case.primal) not in seen:
            seen.add(id(case.primal))
            chosen.append(case)
    return chosen


CASES = _one_case_per_rule()
RTOL, ATOL = 1e-9, 1e-11  # the GPU's float64 exp/log/... may differ from the CPU's in the last bits


def to_host(value):
    return cp.asnumpy(value) if isinstance(value, cp.ndarray) else np.asarray(value)


def assert_gpu_result(got, expected, what: str) -> None:
    """``got`` is a CuPy array (where NumPy gives an array) holding NumPy's numbers."""
    if isinstance(expected, (np.ndarray, np.generic)) and np.ndim(expected) > 0:
        assert isinstance(got, cp.ndarray), f"{what}: a {type(got).__name__}, not a CuPy array"
    value = to_host(got)
    expected = np.asarray(expected)
    assert value.shape == expected.shape and value.dtype == expected.dtype, (what, value.shape, value.dtype)
    assert not np.any(np.isnan(value)) and not np.any(np.isnan(expected)), f"{what}: NaN"
    np.testing.assert_allclose(value, expected, rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_rule_on_cupy(case, data):
    args, kwargs, ans, g, expected = reference(case, cases.Draw(data))
    if not holds_arrays((args, kwargs)):
        pytest.skip("Python floats only: nothing to move to another library")
    c_args, c_kwargs = convert(args, cp.asarray), convert(kwargs, cp.asarray)
    try:
        with np.errstate(all="ignore"):
            c_ans = case.primal(*c_args, **c_kwargs)
    except Exception as error:
        pytest.skip(f"CuPy cannot run {case.id}: {type(error).__name__}: {error}")
    partials = vjp_rule(case.primal).partials(convert(g, cp.asarray), c_ans, *c_args, **c_kwargs)
    for k, (got, want) in enumerate(pairs(partials, expected)):
        if want is None:
            assert got is None
            continue
        assert_gpu_result(got, want, f"{case.id} partial {k}")


def test_the_sweep_covers_the_rules():
    assert len(CASES) > 100


# --- whole gradients through generated code ---------------------------------------------------------------


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_z = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (shifted - log_z), axis=1))


def test_logistic_regression_gradient_on_the_gpu():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4096, 16))
    y = (rng.random(4096) < 0.5) * 1.0
    w = rng.normal(size=16) * 0.3
    argnums = (0, 1, 2)
    expected = srcgrad.grad(logistic_loss, argnums=argnums)(w, 0.1, X, y)
    got = srcgrad.grad(logistic_loss, argnums=argnums)(cp.asarray(w), 0.1, cp.asarray(X), cp.asarray(y))
    assert isinstance(got[1], cp.ndarray) and got[1].shape == ()  # the float argument's gradient
    for k, (g, e) in enumerate(zip(got, expected)):
        assert_gpu_result(g, e, f"gradient {k}")
    assert float(got[1]) == pytest.approx(expected[1], rel=1e-9)


def test_mlp_gradient_on_the_gpu():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2048, 16))
    Y = np.eye(4)[rng.integers(0, 4, 2048)]
    params = (rng.normal(size=(16, 32)) * 0.3, rng.normal(size=32) * 0.1,
              rng.normal(size=(32, 4)) * 0.3, rng.normal(size=4) * 0.1)
    argnums = (0, 1, 2, 3)
    expected = srcgrad.grad(mlp_loss, argnums=argnums)(*params, X, Y)
    value, got = srcgrad.value_and_grad(mlp_loss, argnums=argnums)(*(cp.asarray(p) for p in params),
                                                                   cp.asarray(X), cp.asarray(Y))
    assert isinstance(value, cp.ndarray) and value.shape == ()
    assert float(value) == pytest.approx(float(mlp_loss(*params, X, Y)), rel=1e-9)
    for k, (g, e, p) in enumerate(zip(got, expected, params)):
        assert g.shape == p.shape
        assert_gpu_result(g, e, f"gradient {k}")


def test_float32_on_the_gpu():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(512, 8)).astype(np.float32)
    y = ((rng.random(512) < 0.5) * 1.0).astype(np.float32)
    w = (rng.normal(size=8) * 0.3).astype(np.float32)
    expected = srcgrad.grad(logistic_loss)(w, 0.1, X, y)
    got = srcgrad.grad(logistic_loss)(cp.asarray(w), 0.1, cp.asarray(X), cp.asarray(y))
    assert isinstance(got, cp.ndarray) and got.dtype == np.float32
    np.testing.assert_allclose(cp.asnumpy(got), expected, rtol=1e-4, atol=1e-6)


def test_indexing_and_scatter_on_the_gpu():
    # Repeated integer indices accumulate (np.add.at, or its bincount fallback) on the device.
    def picked(x, idx):
        return np.sum(np.sin(x[idx]) ** 2)

    x = np.linspace(-1.0, 1.0, 4)
    idx = np.array([0, 2, 2, 3, 0])
    expected = srcgrad.grad(picked)(x, idx)
    got = srcgrad.grad(picked)(cp.asarray(x), cp.asarray(idx))
    assert_gpu_result(got, expected, "x[idx] with repeats")


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=lambda f: f.__name__)
def test_scalar_reductions_seeded_with_a_python_float(reduction):
    # The seed of grad is the float 1.0: the rules must move it to the device before mixing it in.
    X = np.random.default_rng(3).normal(size=(5, 5))
    expected = srcgrad.grad(reduction)(X)
    assert_gpu_result(srcgrad.grad(reduction)(cp.asarray(X)), expected, "gradient")
