"""``functools.partial`` handed to grad, value_and_grad, vjp and jvp: the partial's arguments are constants
(as in JAX), the call's arguments are differentiated."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from gradcheck import finite_difference

import srcgrad


def weighted_loss(w, x, y, scale=1.0):
    return scale * np.sum((np.tanh(x @ w) - y) ** 2)


RNG = np.random.default_rng(7)
W, X, Y = RNG.normal(size=3), RNG.normal(size=(5, 3)), RNG.normal(size=5)


def _expected(w):
    return finite_difference(lambda v: weighted_loss(v, X, Y, scale=2.0), [w], 0)


@pytest.mark.parametrize("partial", [functools.partial(weighted_loss, x=X, y=Y, scale=2.0),
                                     functools.partial(weighted_loss, scale=2.0, y=Y, x=X)],
                         ids=["keywords", "keywords in another order"])
def test_grad_of_a_partial_holds_its_arguments_constant(partial):
    got = srcgrad.grad(partial)(W)
    assert got.shape == W.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, _expected(W), rtol=1e-6, atol=1e-9)
    value, again = srcgrad.value_and_grad(partial)(W)
    assert value == pytest.approx(weighted_loss(W, X, Y, 2.0), rel=1e-15)
    np.testing.assert_array_equal(again, got)


def test_a_positional_partial_shifts_argnums_past_its_arguments():
    def bilinear(a, b, c):
        return np.sum(a * b * c)

    a, b, c = np.array([1.0, 2.0]), np.array([3.0, -1.0]), np.array([0.5, 4.0])
    partial = functools.partial(bilinear, a)
    gb, gc = srcgrad.grad(partial, argnums=(0, 1))(b, c)
    np.testing.assert_array_equal(gb, a * c)
    np.testing.assert_array_equal(gc, a * b)


def test_vjp_and_jvp_of_a_partial():
    partial = functools.partial(weighted_loss, x=X, y=Y, scale=2.0)
    out, backward = srcgrad.vjp(partial, W)
    assert out == pytest.approx(weighted_loss(W, X, Y, 2.0), rel=1e-15)
    (cotangent,) = backward(3.0)
    np.testing.assert_allclose(cotangent, 3.0 * _expected(W), rtol=1e-6, atol=1e-9)
    tangent = np.array([0.2, -0.1, 0.4])
    value, derivative = srcgrad.jvp(partial, (W,), (tangent,))
    assert value == pytest.approx(out, rel=1e-15)
    assert derivative == pytest.approx(float(_expected(W) @ tangent), rel=1e-6)


def test_the_partials_arrays_are_left_alone():
    x = X.copy()
    srcgrad.grad(functools.partial(weighted_loss, x=x, y=Y))(W)
    np.testing.assert_array_equal(x, X)
