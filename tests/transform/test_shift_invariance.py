"""The maximum of a stable log-softmax/softmax is held constant when (and only when) nothing but the
shift-invariant computation sees it; the gradient is the true one either way."""

from __future__ import annotations

import re

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


def row_logsumexp(a, y):
    """The spelling of a GMM's log-likelihood: the maximum read back as ``m[:, 0]``."""
    m = np.max(a, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))
    return np.sum(y[:, 0] * lse)


def ellipsis_logsumexp(a, y):
    m = a.max(axis=-1, keepdims=True)
    return np.sum(np.sin(m[..., 0] + np.log(np.exp(a - m).sum(axis=-1))))


def centred_softmax(a, y):
    c = np.mean(a, axis=1, keepdims=True)
    e = np.exp(a - c)
    p = e / e.sum(axis=1, keepdims=True)
    return np.sum(y * p * p)


def double_shift(a, y):
    """Two maxima of the same rows: each one's shift cancels."""
    m = np.max(a, axis=1, keepdims=True)
    z = a - m
    m2 = np.max(z, axis=1, keepdims=True)
    w = z - m2
    return np.sum(y * (w - np.log(np.sum(np.exp(w), axis=1, keepdims=True))))


@pytest.mark.parametrize("fn", [no_keepdims, reassigned_input, row_logsumexp, ellipsis_logsumexp, centred_softmax,
                                double_shift])
@pytest.mark.parametrize("ties", [False, True])
def test_shift_cancels_however_spelled(fn, ties):
    """The maximum's shift cancels in each (``reassigned_input`` subtracts it from another array, which the
    rest still cancels; ``no_keepdims`` reduces the leading axis, so the maximum broadcasts back along it)."""
    logits, y = _args(np.random.default_rng(2), ties)
    if fn is no_keepdims:
        logits, y = logits.T.copy(), y.T.copy()
    optimized = reverse_transform(fn, (0,), False, examples=(logits, y))
    unoptimized = reverse_transform(fn, (0,), False, optimize=False, examples=(logits, y))
    shift = re.compile(r"\bd_c\b" if fn is centred_softmax else r"\bd_m\b")
    assert "extremum_grad" not in optimized.source and not shift.search(optimized.source)
    assert shift.search(unoptimized.source)
    (got,) = optimized.function(logits, y, 1.0)
    (expected,) = unoptimized.function(logits, y, 1.0)
    assert got.shape == logits.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    check_grad(fn, [logits, y])


def sum_of_shift(a, y):
    m = np.max(a, axis=1, keepdims=True)
    z = a - m
    return np.sum(np.log(np.sum(np.exp(z), axis=1))) + np.sum(z) * 0.1


def misaligned_readback(a, y):
    """``m[0]`` is the first row's maximum, broadcast along the other axis: not the shift of each row."""
    m = np.max(a, axis=1, keepdims=True)
    return np.sum(m[0] + np.log(np.sum(np.exp(a - m), axis=1)))


def column_readback(a, y):
    m = np.max(a, axis=0, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=0)))


def scaled_shift(a, y):
    m = np.max(a, axis=1, keepdims=True)
    z = 2.0 * (a - m)
    return np.sum(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))


def sum_not_mean_of_shift(a, y):
    m = np.max(a, axis=1, keepdims=True)
    z = a - m
    return np.sum(np.sum(z, axis=1, keepdims=True) - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))


def shift_in_a_loop(a, y):
    m = np.max(a, axis=1, keepdims=True)
    z = a - m
    total = 0.0
    for row in z:
        total = total + np.sum(row)
    return total + np.sum(np.log(np.sum(np.exp(z), axis=1)))


@pytest.mark.parametrize("fn", [lse_used_too, z_used_too, other_axis, max_used_too, exp_used_too, sum_of_shift,
                                misaligned_readback, column_readback, scaled_shift, sum_not_mean_of_shift,
                                shift_in_a_loop])
def test_visible_shift_keeps_the_maximum_derivative(fn):
    logits, y = _args(np.random.default_rng(2))
    assert "extremum_grad" in reverse_transform(fn, (0,), False, examples=(logits, y)).source
    check_grad(fn, [logits, y])


@pytest.mark.parametrize("fn", [log_softmax_loss, softmax_loss, row_logsumexp, ellipsis_logsumexp, centred_softmax,
                                double_shift])
def test_without_example_shapes_the_shift_still_cancels(fn):
    """Without example arguments no rank is known: a negative axis needs none, and a positive one aligns the
    shift from the left, which holds while the shifted values meet only the reduced array or scalars."""
    logits, y = _args(np.random.default_rng(4))
    generic = reverse_transform(fn, (0,), False)
    assert "extremum_grad" not in generic.source and not re.search(r"\bd_(m|c)\b", generic.source)
    (got,) = generic.function(logits, y, 1.0)
    (expected,) = reverse_transform(fn, (0,), False, optimize=False).function(logits, y, 1.0)
    assert got.shape == logits.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    check_grad(fn, [logits, y])


def shift_meets_another_rank(a, b):
    """``b`` has one more axis than ``a``: axis 1 of ``z`` is axis 0 of ``a``, along which ``m`` varies."""
    m = np.max(a, axis=1, keepdims=True)
    z = (a - m) + b
    return np.sum(np.log(np.sum(np.exp(z), axis=1, keepdims=True)) - z)


def shift_meets_a_reassigned_array(a, b):
    m = np.max(a, axis=1, keepdims=True)
    z = a - m
    a = b * 1.0
    w = z + a
    return np.sum(w - np.log(np.sum(np.exp(w), axis=1, keepdims=True)))


@pytest.mark.parametrize("fn", [shift_meets_another_rank, shift_meets_a_reassigned_array, reassigned_input,
                                sum_of_shift, misaligned_readback, column_readback, scaled_shift, other_axis,
                                max_used_too])
def test_without_example_shapes_an_unproved_shift_keeps_the_maximum_derivative(fn):
    """(``reassigned_input`` is invariant, but without shapes the new ``logits`` could have another rank.)"""
    rng = np.random.default_rng(5)
    a = rng.normal(size=(3, 4))
    b = rng.normal(size=(2, 3, 4)) if fn is shift_meets_another_rank else rng.normal(size=(3, 4))
    generic = reverse_transform(fn, (0,), False)
    assert "extremum_grad" in generic.source
    (got,) = generic.function(a, b, 1.0)
    assert got.shape == a.shape and got.dtype == np.float64
    check_grad(fn, [a, b])


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
