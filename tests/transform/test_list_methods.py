"""List methods that change their list in place (``append``, ``extend``, ``insert``, ``pop``, ``reverse``):
reverse mode, forward mode and the Hessian against central differences, and HIPS autograd (which runs the
same Python) as a second oracle; an update another name can see is refused at its line."""

import numpy as np
import pytest
from oracles import central, check_forward_and_hessian, check_gradient, construct_tests

import srcgrad

X = np.array([0.4, -0.9, 1.3])


def extend_list(x):
    xs = [x]
    xs.extend([2.0 * x, np.sin(x)])
    xs.extend((x * x,))
    return np.sum(xs[0] * xs[1] + xs[2] * xs[3])


def insert_items(x):
    xs = [x, np.cos(x)]
    xs.insert(0, 3.0 * x)
    xs.insert(-1, x * x)
    xs.insert(10, np.exp(x))
    return np.sum(xs[0] * xs[1] + xs[2] * xs[3] - xs[4])


def pop_items(x):
    xs = [x, 2.0 * x, x * x, np.tanh(x)]
    last = xs.pop()
    first = xs.pop(0)
    i = 0
    middle = xs.pop(i + 1)
    xs.pop()
    xs.append(last * first)
    return np.sum(middle * xs[0])


def pop_own_index(x):
    xs = [np.sin(x), x * x, 3.0 * x]
    i = 1
    i = xs.pop(i)
    return np.sum(i * xs[0] + xs[1])


def reverse_list(x):
    xs = [x, 2.0 * x, np.sin(x)]
    xs.reverse()
    return np.sum(xs[0] * 3.0 + xs[1] * xs[2])


def stack_in_a_loop(x):
    stack = [x]
    total = 0.0
    for k in range(3):
        stack.append(np.sin(stack[-1]) * (k + 1))
    while stack:
        total = total + np.sum(stack.pop() ** 2)
    return total


CASES = [extend_list, insert_items, pop_items, pop_own_index, reverse_list, stack_in_a_loop]


test_gradient_against_finite_differences_and_autograd, test_forward_mode_and_hessian = construct_tests(CASES, X)


def test_the_generated_code_names_the_list_functions():
    source = srcgrad.show(extend_list, X)
    assert "list_extend(" in source


def extend_an_alias(x):
    xs = [x]
    ys = xs
    ys.extend([2.0 * x])
    return np.sum(xs[-1])


def pop_an_alias(x):
    xs = [x, 2.0 * x]
    holder = [xs]
    xs.pop()
    return np.sum(holder[0][-1])


@pytest.mark.parametrize("f", [extend_an_alias, pop_an_alias], ids=lambda f: f.__name__)
def test_an_update_another_name_sees_is_refused_at_its_line(f):
    with pytest.raises(srcgrad.SrcgradError) as caught:
        srcgrad.grad(f)(X)
    assert caught.value.filename == __file__
    line = caught.value.lineno
    assert ".extend(" in caught.value.source_line or ".pop(" in caught.value.source_line, (line, str(caught.value))


def pop_from_a_dict(x):
    d = {"a": x, "b": 2.0 * x}
    v = d.pop("a")
    return np.sum(v * d["b"])


def test_a_dict_pop_is_not_mistaken_for_a_list_pop():
    with pytest.raises((srcgrad.SrcgradError, TypeError)) as caught:
        srcgrad.grad(pop_from_a_dict)(X)
    assert "dict" in str(caught.value) or "Dict" in str(caught.value)


def starred_targets(x):
    *w, b = x  # w is a list, as in Python
    first, *middle, last = [x[0], x[1] * 2.0, x[2], np.sin(x[0])]
    return sum(wi * xi for wi, xi in zip(w, x[:2])) * b + first * last + sum(middle) + len(w)


def starred_into_dot(x):
    *w, b = x
    return np.dot(w, x[:2]) * b  # a list passed where NumPy takes an array: one cotangent per item


def test_starred_targets_unpack_as_python_does():
    check_gradient(starred_targets, X.copy())
    check_forward_and_hessian(starred_targets, X)
    np.testing.assert_allclose(srcgrad.grad(starred_into_dot)(X), central(starred_into_dot, X), rtol=1e-6)
