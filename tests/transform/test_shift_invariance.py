"""The maximum of a stable log-softmax/softmax is held constant when (and only when) nothing but the
shift-invariant computation sees it; the gradient is the true one either way."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad
from srcgrad.pipeline import reverse_transform


def log_softmax_loss(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    logp = z - lse
    return -np.mean(np.sum(y * logp, axis=1))


def softmax_loss(logits, y):
    m = np.max(logits, axis=-1, keepdims=True)
    z = logits - m
    e = np.exp(z)
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.sum(p * y * p)


def whole_array_log_softmax(v):
    z = v - np.max(v)
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z)))))


def min_shift(v):
    z = v - np.min(v, axis=0, keepdims=True)
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=0, keepdims=True))))


# Each of these lets the shift be seen, so the maximum's derivative does not cancel.
def lse_used_too(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(y * (z - lse)) + np.sum(lse)


def z_used_too(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(y * (z - lse)) + np.sum(z * z)


def other_axis(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=0, keepdims=True))
    return -np.sum(y * (z - lse))


def max_used_too(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(y * (z - lse)) + np.sum(m)


def no_keepdims(logits, y):
    m = np.max(logits, axis=0)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=0))
    return -np.sum(y * (z - lse))


def exp_used_too(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    e = np.exp(z)
    lse = np.log(np.sum(e, axis=1, keepdims=True))
    return -np.sum(y * (z - lse)) + np.sum(e)


def reassigned_input(logits, y):
    m = np.max(logits, axis=1, keepdims=True)
    logits = logits * 2.0
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(y * (z - lse))


def _args(rng, ties=False):
    logits = rng.normal(size=(5, 4))
    if ties:
        logits[:, 1] = logits[:, 3] = np.max(logits, axis=1) + 0.5   # two maxima per row
    y = np.eye(4)[rng.integers(0, 4, size=5)]
    return logits, y


@pytest.mark.parametrize("fn", [log_softmax_loss, softmax_loss])
@pytest.mark.parametrize("ties", [False, True])
def test_cancelling_maximum_is_held_constant(fn, ties):
    logits, y = _args(np.random.default_rng(0), ties)
    optimized = reverse_transform(fn, (0,), False, examples=(logits, y))
    unoptimized = reverse_transform(fn, (0,), False, optimize=False, examples=(logits, y))
    assert "extremum_grad" not in optimized.source
    assert "extremum_grad" in unoptimized.source
    (got,) = optimized.function(logits, y, 1.0)
    (expected,) = unoptimized.function(logits, y, 1.0)
    assert got.shape == logits.shape and got.dtype == np.float64
    # The two differ by the rounding of a sum that is zero in exact arithmetic.
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    check_grad(fn, [logits, y])


@pytest.mark.parametrize("fn", [whole_array_log_softmax, min_shift])
def test_whole_array_and_minimum_shifts(fn):
    v = np.random.default_rng(1).normal(size=(6,)) if fn is whole_array_log_softmax else \
        np.random.default_rng(1).normal(size=(3, 4))
    assert "extremum_grad" not in reverse_transform(fn, (0,), False, examples=(v,)).source
    check_grad(fn, [v])


@pytest.mark.parametrize("fn", [lse_used_too, z_used_too, other_axis, max_used_too, no_keepdims, exp_used_too,
                                reassigned_input])
def test_visible_shift_keeps_the_maximum_derivative(fn):
    logits, y = _args(np.random.default_rng(2))
    if fn is no_keepdims:
        logits, y = logits.T.copy(), y.T.copy()
    assert "extremum_grad" in reverse_transform(fn, (0,), False, examples=(logits, y)).source
    check_grad(fn, [logits, y])


@pytest.mark.oracle
@pytest.mark.parametrize("ties", [False, True])
def test_log_softmax_gradient_matches_pytorch(ties):
    torch = pytest.importorskip("torch")
    logits, y = _args(np.random.default_rng(3), ties)
    got = srcgrad.grad(log_softmax_loss)(logits, y)
    t = torch.from_numpy(logits).requires_grad_()
    loss = -torch.mean(torch.sum(torch.from_numpy(y) * torch.log_softmax(t, dim=1), dim=1))
    (expected,) = torch.autograd.grad(loss, [t])
    assert got.dtype == np.float64 and got.shape == logits.shape
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12, atol=1e-15)
