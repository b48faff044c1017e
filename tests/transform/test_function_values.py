"""Function values that hold differentiated values: closures and ``functools.partial`` objects passed to
an integrator, kept in lists, called by ``map``, with keywords bound and overridden (``function_values.py``).
Gradients, forward-mode tangents and Hessians against central differences and HIPS autograd, which runs the
same Python source."""

import functools

import numpy as np
from oracles import construct_tests

import srcgrad
from srcgrad.function_values import PartialCotangent

X = np.array([0.3, -0.7, 1.2])
Y0 = np.array([0.5, 0.2, -0.4])


def rk2(field, y, h, steps):
    for _ in range(steps):
        k1 = field(y)
        k2 = field(y + h * k1)
        y = y + h * (k1 + k2) / 2
    return y


def decay(y, rates, scale=1.0):
    return -scale * np.sin(rates * y)


def lambda_passed_to_an_integrator(x):
    return np.sum(rk2(lambda y: np.tanh(x * y), Y0, 0.1, 3) ** 2)


def nested_function_passed_to_an_integrator(x):
    gain = np.exp(x[0])

    def field(y):
        return gain * np.cos(x * y)

    return np.sum(rk2(field, Y0, 0.2, 2))


def partial_with_keywords(x):
    field = functools.partial(decay, rates=x, scale=x[1])
    return np.sum(rk2(field, Y0, 0.1, 2) ** 2)


def partial_with_positional_arguments(x):
    field = functools.partial(decay, x * 2.0)
    return np.sum(rk2(field, Y0, 0.1, 2) * x)


def partial_whose_keyword_the_call_overrides(x):
    scaled = functools.partial(decay, scale=x[0])
    return np.sum(scaled(Y0, x, scale=x[2]) + scaled(Y0, rates=x))


def partial_of_a_numpy_function(x):
    times_x = functools.partial(np.multiply, x)
    return np.sum(rk2(times_x, Y0, 0.1, 2) ** 3)


def closure_made_by_a_helper(x):
    return np.sum(rk2(make_field(x), Y0, 0.1, 2))


def make_field(rates):
    return lambda y: np.sin(rates * y) * rates[0]


def functions_in_a_list(x):
    fields = [lambda y: x * y, functools.partial(decay, rates=x)]
    return sum([np.sum(rk2(f, Y0, 0.2, 1) ** 2) for f in fields])


def map_with_a_closure(x):
    return sum(map(lambda v: np.sin(v * x[0]), [x[1], x[2], 1.5]))


def closure_calling_a_closure(x):
    inner = functools.partial(decay, rates=x)
    return np.sum(rk2(lambda y: inner(y) * x[2], Y0, 0.1, 2))


def partial_with_star_arguments(x):
    bound = [x, x[0]]
    field = functools.partial(decay, *bound)
    return np.sum(field(Y0) * x)


def partial_of_a_partial(x):
    first = functools.partial(decay, scale=x[0])
    both = functools.partial(first, rates=x * x)
    again = functools.partial(both, scale=x[2])  # overrides the scale bound by first
    return np.sum(rk2(both, Y0, 0.1, 2) ** 2) + np.sum(again(Y0))


CASES = [lambda_passed_to_an_integrator, nested_function_passed_to_an_integrator, partial_with_keywords,
         partial_with_positional_arguments, partial_whose_keyword_the_call_overrides, partial_of_a_numpy_function,
         closure_made_by_a_helper, functions_in_a_list, map_with_a_closure, closure_calling_a_closure,
         partial_with_star_arguments, partial_of_a_partial]


test_gradient_against_finite_differences_and_autograd, test_forward_mode_and_hessian = construct_tests(CASES, X)


def test_an_active_callee_is_called_through_call_value_with_vjp():
    source = srcgrad.show(rk2, np.tanh, Y0, 0.1, 2, argnums=1)
    assert "call_with_vjp(field" in source and "call_value_with_vjp" not in source  # a constant function
    source = srcgrad.show(partial_with_keywords, X)
    assert "make_partial(decay, (), " in source


def test_the_cotangent_of_a_partial_adds_per_bound_value():
    a = PartialCotangent((1.0, None), {"k": np.ones(2)})
    b = PartialCotangent((2.0,), {"k": np.ones(2), "m": 3.0})
    total = a + b + 0.0
    assert total.args == (3.0, None)
    np.testing.assert_array_equal(total.keywords["k"], [2.0, 2.0])
    assert total.keywords["m"] == 3.0


def test_constant_function_values_cost_nothing_extra():
    """A function value with no differentiated value keeps the plain call and no cotangent for it."""
    c = 2.0
    gradient = srcgrad.grad(lambda y: np.sum(rk2(lambda v: -c * v, y, 0.1, 2)))(Y0)
    assert gradient.shape == (3,) and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, np.full(3, (1 - 0.2 + 0.02) ** 2))
