"""Python's ``max``/``min`` over several values or one iterable (also with ``key=``) and ``sorted``: the
derivative flows to the items the result took (``rules/order_rules.py``). Gradients, tangents and
Hessians against central differences and HIPS autograd, which runs the same Python source."""

import numpy as np
from oracles import check_forward_and_hessian, check_gradient, construct_tests

X = np.array([0.3, -0.7, 1.2])


def extremes_of_a_list(x):
    values = [x[0] * 2.0, np.sin(x[1]), x[2] ** 2]
    return max(values) + 0.5 * min(values)


def extreme_of_several_arguments(x):
    return max(x[0], x[1] * 2.0, 0.1) * min(x[2], np.cos(x[0]), 3.0)


def extreme_with_a_key(x):
    values = [x[0], x[1] * 3.0, x[2] - 2.0]
    return max(values, key=abs) ** 2


def extreme_of_an_array(x):
    return max(np.tanh(x)) - min(x * x)


def sorted_values(x):
    ranked = sorted([x[0] * 2.0, np.sin(x[1]), x[2]], reverse=True)
    return ranked[0] * 3.0 + ranked[1] * ranked[2] + sum(sorted(x, key=lambda v: -v)[:2])


CASES = [extremes_of_a_list, extreme_of_several_arguments, extreme_with_a_key, extreme_of_an_array, sorted_values]


test_gradient_against_finite_differences_and_autograd, test_forward_mode_and_hessian = construct_tests(CASES, X)


def default_for_an_empty_list(x):
    big = max([v * 2.0 for v in x if v > 5.0], default=x[0] ** 2)
    return big + min([v for v in x if v > 0.0], default=0.0)


def test_a_default_carries_the_derivative_where_there_are_no_items():
    check_gradient(default_for_an_empty_list, X.copy())
    check_forward_and_hessian(default_for_an_empty_list, X)
