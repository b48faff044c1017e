"""``list(...)``, ``tuple(...)``, ``map``, ``filter`` and ``zip`` over values that carry derivatives:
gradients, tangents and Hessians against central differences, and HIPS autograd (same Python) as a second
oracle."""

import numpy as np
import pytest
from oracles import check_forward_and_hessian, check_gradient

import srcgrad

X = np.array([0.3, -0.7, 1.2])


def _square_sum(v):
    return np.sum(v * v)


def containers(x):
    t = tuple([x, 2.0 * x])
    parts = list((np.sin(x), x))
    rows = list(np.outer(x, x))
    return np.sum(t[0] * t[1]) + np.sum(parts[0] * parts[1]) + np.sum(rows[1])


def mapped(x):
    scale = np.sum(x)
    total = sum(map(lambda v: v * scale, [x[0], x[1]]))
    return total + sum(list(map(_square_sum, [x, 2.0 * x]))) + sum(map(np.multiply, [x[0], x[2]], [x[1], x[1]]))


def filtered(x):
    kept = list(filter(lambda v: v > 0.0, [x[0], x[1], x[2]]))
    return sum(v * v for v in kept) + sum(filter(None, [x[0] * 2.0, 0.0]))


def zipped(x):
    pairs = list(zip([x[0], x[1]], [np.sin(x[2]), x[2]]))
    firsts, seconds = zip(*pairs)
    return firsts[0] * seconds[1] + firsts[1] * seconds[0] + sum(a * b for a, b in pairs)


CASES = [containers, mapped, filtered, zipped]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences_and_autograd(f):
    check_gradient(f, X.copy())


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_mode_and_hessian(f):
    check_forward_and_hessian(f, X)  # zipped: a Hessian through a star call, zip(*pairs)


def map_kept_for_later(x):
    squares = map(lambda v: v * v, [x[0], x[1]])
    return sum(squares)


def test_a_map_kept_in_a_variable_is_refused_at_its_line():
    # a second pass over Python's map would find it empty, a list would not: not lowered, so refused
    with pytest.raises(srcgrad.SrcgradError, match="map") as caught:
        srcgrad.grad(map_kept_for_later)(X)
    assert caught.value.filename == __file__
