"""``srcgrad.grad(g)(x)`` called inside a differentiated function (a gradient penalty, a Newton step): the
call's Jacobian is ``g``'s Hessian, so reverse mode gets ``H v`` (and the mixed second derivatives for
``g``'s other arguments) and forward mode ``H t``; checked against central differences and HIPS autograd."""

import numpy as np
import pytest

import srcgrad

X = np.array([0.3, -0.7, 1.2])
Y = np.array([0.5, 2.0, -1.0])


def _energy(v):
    return np.sum(np.sin(v) * v ** 2)


def _coupled(v, w):
    return np.sum(np.tanh(v * w) + v ** 3 * w)


def gradient_penalty(x):
    g = srcgrad.grad(_energy)(x)
    return np.sum(g * g) + _energy(x)


def newton_like_step(x, y):
    g = srcgrad.grad(_coupled)(x, y)
    return np.sum((x - 0.1 * g) ** 2 * y)


def _central(f, args, k, eps=1e-6):
    out = []
    for e in np.eye(args[k].size):
        plus, minus = list(args), list(args)
        plus[k], minus[k] = args[k] + eps * e, args[k] - eps * e
        out.append((f(*plus) - f(*minus)) / (2 * eps))
    return np.array(out)


@pytest.mark.parametrize(("f", "args"), [(gradient_penalty, (X,)), (newton_like_step, (X, Y))],
                         ids=["gradient-penalty", "newton-like-step"])
def test_gradient_of_a_function_that_calls_grad(f, args):
    argnums = tuple(range(len(args)))
    gradients = srcgrad.grad(f, argnums=argnums)(*args)
    for k, gradient in enumerate(gradients):
        np.testing.assert_allclose(gradient, _central(f, args, k), rtol=1e-6, atol=1e-8)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    namespace = dict(f.__globals__, np=anp, srcgrad=autograd)
    helpers = {name: type(fn)(fn.__code__, namespace) for name, fn in (("_energy", _energy), ("_coupled", _coupled))}
    namespace.update(helpers)
    oracle = type(f)(f.__code__, namespace)
    for k, gradient in enumerate(gradients):
        np.testing.assert_allclose(gradient, autograd.grad(oracle, k)(*args), rtol=1e-10, atol=1e-12)


def test_forward_mode_through_a_call_of_grad():
    tangent = np.array([0.4, -1.0, 0.25])
    _, jvp = srcgrad.jvp(gradient_penalty, (X,), (tangent,))
    np.testing.assert_allclose(jvp, srcgrad.grad(gradient_penalty)(X) @ tangent, rtol=1e-10)
