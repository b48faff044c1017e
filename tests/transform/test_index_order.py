"""Reshapes in Fortran order and element writes that name a position twice, end to end: the gradient of
the user's function against central differences (only the write that lands may get a cotangent)."""

from __future__ import annotations

import numpy as np
from gradcheck import check_grad

import srcgrad

C = np.arange(6.0).reshape(3, 2)
WEIGHTS = np.array([1.0, 2.0, 3.0])


def reshaped_in_fortran_order(a):
    return np.sum(np.reshape(a, (3, 2), order="F") * C) + np.sum(a.reshape(6, order="F") ** 2)


def raveled_in_fortran_order(a):
    return np.sum(np.ravel(a, "F") * np.arange(6.0))


def written_twice(x, v):
    y = x * 1.0
    y[np.array([0, 0, 2])] = v
    return np.sum(y * WEIGHTS)


def written_twice_in_a_loop(x, v):
    y = x * 1.0
    for k in range(2):
        y[np.array([k, k])] = v * (k + 1.0)
    return np.sum(y * y * WEIGHTS)


def test_fortran_order_reshapes_and_ravels():
    a = np.arange(6.0).reshape(2, 3) + 1.0
    for f in (reshaped_in_fortran_order, raveled_in_fortran_order):
        gradient = check_grad(f, [a])
        assert gradient.shape == (2, 3) and gradient.dtype == np.float64
    np.testing.assert_array_equal(srcgrad.grad(raveled_in_fortran_order)(a),
                                  np.reshape(np.arange(6.0), (2, 3), order="F"))


def test_only_the_write_that_lands_gets_a_cotangent():
    x, v = np.ones(3), np.array([5.0, 6.0, 7.0])
    gx, gv = srcgrad.grad(written_twice, (0, 1))(x, v)
    np.testing.assert_array_equal(gx, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(gv, [0.0, 1.0, 3.0])  # v[0] is overwritten by v[1] at position 0
    check_grad(written_twice, [x, v], argnums=(0, 1))
    check_grad(written_twice_in_a_loop, [np.array([0.5, -1.0, 2.0]), np.array([0.3, -0.7])], argnums=(0, 1))
