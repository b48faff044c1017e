"""Checks shared by the tests of Python constructs (closures, dicts, list methods, builtin containers): a
function of one vector is differentiated by srcgrad in reverse mode, forward mode and for its Hessian, and
compared with central differences in float64 and with HIPS autograd, which runs the same Python source with
``np`` bound to ``autograd.numpy`` (skipped where autograd is not installed)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import srcgrad


def central(f: Callable, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """The gradient of ``f`` at ``x`` by central differences, element by element."""
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def check_gradient(f: Callable, x: np.ndarray) -> np.ndarray:
    """srcgrad's gradient against finite differences and autograd; the input is left unchanged."""
    before = x.copy()
    gradient = srcgrad.grad(f)(x)
    assert gradient.shape == x.shape and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, central(f, before), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, before)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    oracle = type(f)(f.__code__, dict(f.__globals__, np=anp), f.__name__, f.__defaults__, f.__closure__)
    np.testing.assert_allclose(gradient, autograd.grad(oracle)(before), rtol=1e-12, atol=1e-14)
    return gradient


def check_forward_and_hessian(f: Callable, x: np.ndarray) -> None:
    """The tangent along a fixed direction against the gradient, and the Hessian against finite
    differences of the gradient."""
    tangent = np.linspace(0.4, -1.0, x.size)
    _, jvp = srcgrad.jvp(f, (x,), (tangent,))
    np.testing.assert_allclose(jvp, srcgrad.grad(f)(x) @ tangent, rtol=1e-10)
    hessian = srcgrad.hessian(f)(x)
    expected = np.stack([central(lambda v, i=i: srcgrad.grad(f)(v)[i], x) for i in range(x.size)])
    assert hessian.shape == (x.size, x.size)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6)


def construct_tests(cases: list[Callable], x: np.ndarray) -> tuple[Callable, Callable]:
    """The two tests every file of Python constructs runs over its ``cases`` at ``x``: the gradient against
    finite differences and autograd, and forward mode and the Hessian. Bind them to module-level names
    starting with ``test_`` for pytest to collect them."""

    @pytest.mark.parametrize("f", cases, ids=lambda f: f.__name__)
    def gradient_test(f):
        check_gradient(f, x.copy())

    @pytest.mark.parametrize("f", cases, ids=lambda f: f.__name__)
    def forward_and_hessian_test(f):
        check_forward_and_hessian(f, x)

    return gradient_test, forward_and_hessian_test
