"""Closures: nested functions and lambdas that read the enclosing function's locals (closure conversion,
``frontend/closures.py``). Gradients, forward-mode tangents and Hessians against central differences and
HIPS autograd (which runs the same Python); closures used as function *objects* are tested with the other
function values in test_function_values.py."""

import numpy as np
import pytest
from oracles import central, check_forward_and_hessian, check_gradient, construct_tests

import srcgrad

X = np.array([0.3, -0.7, 1.2])


def late_binding(x):
    a = 2.0 * x

    def h(v):
        return np.sum(a * np.sin(v))

    first = h(x)
    a = x * x  # Python reads a closure's variables when it runs: the second call sees this a
    return first + h(x)


def nested_calls(x):
    w = np.cos(x)

    def inner(v):
        return w * v

    def outer(v):
        return np.sum(inner(v) ** 2)

    return outer(x)


def recursive(x):
    def power(v, n):
        return v if n == 0 else v * power(v, n - 1) * x[0]

    return np.sum(power(x, 2))


def named_lambda(x):
    scale = np.exp(x[0])
    h = lambda v: np.tanh(v * scale)
    return np.sum(h(x) + h(2.0 * x))


def helper_in_a_loop(x):
    total = 0.0
    for k in range(3):
        shift = x[k] * 0.5

        def term(v):
            return np.sum((v - shift) ** 2)

        total = total + term(x)
    return total


def apply_to(function, v):
    return function(v) * v


def constant_lambda_as_value(x):
    c = 3.0
    return np.sum(apply_to(lambda v: np.sin(v) * c, x))


CASES = [late_binding, nested_calls, recursive, named_lambda, helper_in_a_loop]


test_gradient_against_finite_differences_and_autograd, test_forward_mode_and_hessian = construct_tests(CASES, X)


def test_the_nested_function_takes_the_captured_values_as_parameters():
    source = srcgrad.show(nested_calls, X)
    assert "call_with_vjp(outer, w, x)" in source


def lambda_holding_a_gradient_as_value(x):
    k = x[1]
    terms = [lambda v: v * k, lambda v: np.sin(v) + k]
    return np.sum(terms[0](x)) + np.sum(terms[1](x))


def closure_returned_from_helper(x):
    a = x * 2.0

    def h(v):
        return a * v

    apply = [h]
    return np.sum(apply[0](x))


def default_reading_a_local(x):
    a = 2.0 * x

    def h(v, k=a):
        return np.sum(k * v)

    return h(x)


def closures_made_in_a_loop(x):
    functions = []
    for i in range(3):
        def g(z):
            return np.sum(z[i] ** 2)  # Python reads i when g runs: 2 for all three

        functions.append(g)
    return sum([g(x) for g in functions])


@pytest.mark.parametrize(("f", "match"), [
    (closures_made_in_a_loop, "binds more than once"),
    (default_reading_a_local, "default value"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_closure_srcgrad_cannot_see_through_is_refused_at_its_line(f, match):
    with pytest.raises(srcgrad.SrcgradError, match=match) as caught:
        srcgrad.grad(f)(X)
    assert caught.value.filename == __file__
    first, last = f.__code__.co_firstlineno, f.__code__.co_firstlineno + 12
    assert first <= caught.value.lineno <= last


@pytest.mark.parametrize("f", [lambda_holding_a_gradient_as_value, closure_returned_from_helper],
                         ids=lambda f: f.__name__)
def test_closures_used_as_values_carry_their_captured_values_derivatives(f):
    check_gradient(f, X.copy())
    check_forward_and_hessian(f, X)


def test_a_lambda_with_constant_captured_values_runs_as_python_runs_it():
    gradient = srcgrad.grad(constant_lambda_as_value)(X)
    np.testing.assert_allclose(gradient, central(constant_lambda_as_value, X), rtol=1e-6, atol=1e-8)
