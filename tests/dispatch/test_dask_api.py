"""grad, value_and_grad and vjp of functions called with Dask arrays: nothing is computed until the caller
asks, the gradients are Dask arrays (a float argument's a 0-d one) of the inputs' dtypes, and their values
are NumPy's. Runs on Dask's local scheduler; test_dask_cluster.py uses worker processes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from reductions import REDUCTIONS  # noqa: E402

import srcgrad  # noqa: E402


class Computed(AssertionError):
    pass


def refuse(*args, **kwargs):
    raise Computed("srcgrad computed a Dask array")


def lazily(fn, *args):
    with warnings.catch_warnings(), dask.config.set(scheduler=refuse):
        warnings.filterwarnings("error", message=".*is not implemented by Dask array", category=FutureWarning)
        return fn(*args)


def data(n=60, d=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(dtype)
    y = (rng.random(n) < 0.5).astype(dtype)
    w = (rng.normal(size=d) * 0.3).astype(dtype)
    return X, y, w


def chunked(array, rows=16):
    return da.from_array(array, chunks=(rows,) + array.shape[1:])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_loss(w, b, X, y):
    p = sigmoid(X @ w + b)  # a call into a Python function: call_with_vjp
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def running_features(X, w):
    # An element write in a loop (assign_index), a reduction per column, a power.
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        out[j] = np.sum(X[:, j] * w[j]) ** 2
    return np.sum(np.tanh(out / X.shape[0]))


def compare(got, expected, dtype=np.float64):
    assert isinstance(got, da.Array), f"a {type(got).__name__}, not a Dask array"
    assert got.dtype == dtype and got.shape == np.shape(expected)
    value = got.compute()
    assert not np.any(np.isnan(value))
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-14)


def test_grad_is_lazy_and_equals_numpy():
    X, y, w = data()
    expected = srcgrad.grad(logistic_loss, argnums=(0, 1, 2))(w, 0.1, X, y)
    g_w, g_b, g_X = lazily(srcgrad.grad(logistic_loss, argnums=(0, 1, 2)), w, 0.1, chunked(X), chunked(y))
    compare(g_w, expected[0])
    compare(g_b, expected[1])  # a float argument: a 0-d Dask array (float() of it computes it)
    compare(g_X, expected[2])
    assert g_X.chunks == chunked(X).chunks  # the gradient is chunked like its input
    assert float(g_b) == pytest.approx(expected[1], rel=1e-12)


def test_value_and_grad_with_dask_parameters():
    X, y, w = data(seed=1)
    value, gradient = srcgrad.value_and_grad(logistic_loss)(w, 0.1, X, y)
    d_value, d_gradient = lazily(srcgrad.value_and_grad(logistic_loss), da.from_array(w), 0.1, chunked(X),
                                 chunked(y))
    assert isinstance(d_value, da.Array) and d_value.shape == ()
    assert float(d_value) == pytest.approx(value, rel=1e-12)
    compare(d_gradient, gradient)


def test_vjp_of_a_vector_output():
    X, _, w = data(seed=2)

    def scores(w, X):
        return np.tanh(X @ w) * 2.0

    out, backward = srcgrad.vjp(scores, w, X)
    g = np.random.default_rng(3).normal(size=out.shape)
    expected = backward(g)
    d_out, d_backward = lazily(srcgrad.vjp, scores, da.from_array(w), chunked(X))
    compare(d_out, out)
    got = lazily(d_backward, chunked(g))
    compare(got[0], expected[0])
    compare(got[1], expected[1])


def test_element_writes_in_a_loop():
    X, _, w = data(seed=4)
    expected = srcgrad.grad(running_features, argnums=(0, 1))(X, w)
    got = lazily(srcgrad.grad(running_features, argnums=(0, 1)), chunked(X), da.from_array(w))
    compare(got[0], expected[0])
    compare(got[1], expected[1])


def test_float32_stays_float32():
    X, y, w = data(seed=5, dtype=np.float32)
    expected = srcgrad.grad(logistic_loss)(w, 0.1, X, y)
    got = lazily(srcgrad.grad(logistic_loss), da.from_array(w), 0.1, chunked(X), chunked(y))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.compute(), expected, rtol=2e-5, atol=1e-7)


def test_integer_dask_input_is_refused_with_the_fix():
    with pytest.raises(srcgrad.errors.InputTypeError, match="astype"):
        srcgrad.grad(lambda x: np.sum(x * 2.0))(da.arange(6, chunks=3))


def test_scalar_reductions_seeded_with_a_python_float():
    X = np.random.default_rng(3).normal(size=(5, 5))
    for reduction in REDUCTIONS:
        expected = srcgrad.grad(reduction)(X)
        compare(lazily(srcgrad.grad(reduction), chunked(X, rows=3)), expected)
