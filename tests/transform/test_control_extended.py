"""Control flow beyond plain loops: break, continue, early return, element writes, lists built in loops,
comprehensions and loops over sequences — each against central finite differences."""

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad


def break_in_for(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(np.sin(x * i))
        if s > 2.0:
            break
        s = s * 1.1
    return s


def continue_in_for(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            continue
        s = s + np.sum(x ** i)
    return s


def break_and_continue(x):
    s = 0.0
    for i in range(10):
        if i == 1:
            continue
        s = s + np.sum(np.cos(x) * i)
        if s > 3.0:
            break
    return s


def early_return(x):
    if np.sum(x) > 10:
        return np.sum(x * 2)
    for i in range(5):
        x = np.tanh(x) * 1.5
        if np.max(x) > 1.2:
            return np.sum(x ** 2)
    return np.sum(x)


def return_in_nested_loop(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            s = s + np.sum(x * (i - j))
            if s > 1.5:
                return s * s
    return s


def while_with_break(x):
    y = x
    k = 0
    while True:
        y = y * 1.3
        k += 1
        if np.sum(y) > 5 or k > 20:
            break
    return np.sum(y)


def while_with_continue(x):
    y = x
    k = 0
    while k < 6:
        k += 1
        if k == 3:
            continue
        y = np.sin(y) + y
    return np.sum(y)


def element_writes(x):
    y = np.zeros(4)
    y[0] = x[1] * 2
    y[1:3] = np.sin(x[:2])
    y[2] += x[0] ** 2
    y[3] = 5.0
    return np.sum(y * y)


def constant_over_active_element(x):
    y = x * 3
    y[1] = 0.5
    return np.sum(y ** 2)


def write_into_argument(x):
    x[0] = 1.0
    x[1] *= 2.0
    return np.sum(x ** 3)


def recurrence_in_array(x, w):
    h = np.zeros((6, 3))
    h[0] = x
    for t in range(5):
        h[t + 1] = np.tanh(h[t] * w + 0.1)
    return np.sum(h[5]) + np.sum(h)


def column_writes(a):
    out = np.zeros((3, 3))
    for j in range(3):
        out[:, j] = a[:, j] * (j + 1)
    return np.sum(out ** 2)


def rnn_with_append(W, h, xs):
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H ** 2)


def sum_of_list(x):
    parts = []
    for i in range(4):
        parts.append(np.sin(x * i))
    return np.sum(sum(parts))


def array_of_list(x):
    vals = []
    for i in range(3):
        vals.append(np.sum(x) * i)
    return np.sum(np.array(vals) ** 2)


def comprehension(x):
    terms = [np.sum(x ** k) for k in range(1, 4)]
    return np.sum(np.stack(terms))


def comprehension_with_condition(x):
    return np.sum(np.stack([np.sin(v) for v in x if v > 0]))


def loop_over_rows(x):
    s = 0.0
    for row in x:
        s = s + np.sum(row ** 2) * np.max(row)
    return s


def loop_enumerate_zip(a, b):
    s = 0.0
    for i, (u, v) in enumerate(zip(a, b)):
        s = s + u * v * i
    return s


def loop_reversed(a):
    s = 0.0
    for u in reversed(a):
        s = s * 0.5 + u
    return s


def nested_loops_with_branches(x):
    s = 0.0
    for i in range(3):
        for j in range(i, 3):
            if (i + j) % 2 == 0:
                s = s + np.sum(x[i] * x[j])
            else:
                s = s - np.sum(np.exp(x[j] - x[i]))
    return s


def loop_tuple_target(pairs):
    s = 0.0
    for a, b in pairs:
        s = s + a * b
    return s


def while_inside_for(x):
    s = 0.0
    for i in range(3):
        y = x * (i + 1)
        while np.sum(y * y) < 4.0:
            y = y * 1.5
        s = s + np.sum(y)
    return s


def writes_inside_while(x):
    out = np.zeros(5)
    k = 0
    while k < 5:
        out[k] = np.sum(x) * k + x[k % 3]
        k += 1
    return np.sum(out ** 2)


def early_return_in_while(x):
    y = x
    while True:
        y = np.sin(y) * 2.0
        if np.sum(y) > 1.0:
            return np.sum(y * y)
        if np.max(np.abs(y)) < 1e-3:
            return np.sum(y)


def continue_in_while_with_writes(x):
    acc = np.zeros(3)
    k = 0
    while k < 6:
        k += 1
        if k % 3 == 0:
            continue
        acc[k % 3] += np.sum(x * k)
    return np.sum(acc * acc)


def nested_comprehension(x):
    rows = [[x[i] * x[j] for j in range(3)] for i in range(3)]
    return np.sum(np.array([np.stack(r) for r in rows]))


def comprehension_over_zip(a, b):
    return np.sum(np.stack([u * v + np.sin(u) for u, v in zip(a, b)]))


def enumerate_with_writes(x):
    y = np.zeros_like(x)
    for i, v in enumerate(x):
        y[i] = v * v * (i + 1)
    return np.sum(np.exp(y))


def break_inner_loop_only(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            s = s + np.sum(x * (i + j))
    return s


def negative_step_range(x):
    s = 0.0
    for i in range(5, 0, -2):
        s = s * 0.5 + np.sum(x ** 2) * i
    return s


def range_from_data(x):
    n = x.shape[0]
    s = 0.0
    for i in range(1, n - 1):
        s = s + x[i - 1] * x[i] * x[i + 1]
    return s


def branch_on_loop_carried(x):
    y = x
    for i in range(6):
        if np.sum(y) > 0:
            y = y - 0.3
        else:
            y = y * 1.1
    return np.sum(y ** 2)


def elif_chain(x):
    t = np.sum(x)
    if t > 2:
        y = x ** 3
    elif t > 0:
        y = np.sin(x)
    elif t > -2:
        y = x * t
    else:
        y = np.exp(x)
    return np.sum(y)


def conditional_expression_in_loop(x):
    s = 0.0
    for i in range(5):
        s = s + (np.sum(x * i) if i % 2 else np.sum(np.cos(x)))
    return s


def list_indexing_in_loop(x):
    parts = [x * 1.0, np.sin(x), x ** 2]
    s = 0.0
    for i in range(3):
        s = s + np.sum(parts[i] * (i + 1))
    return s


def matrix_power_loop(A, v):
    for _ in range(4):
        v = A @ v
        v = v / np.linalg.norm(v)
    return v @ A @ v


rng = np.random.default_rng(7)

CASES = [
    (break_in_for, (rng.normal(size=3), 8), (0,)),
    (continue_in_for, (rng.normal(size=3),), (0,)),
    (break_and_continue, (rng.normal(size=3),), (0,)),
    (early_return, (rng.normal(size=3),), (0,)),
    (early_return, (rng.normal(size=3) + 5,), (0,)),
    (early_return, (np.full(3, 0.9),), (0,)),
    (return_in_nested_loop, (rng.normal(size=3) ** 2,), (0,)),
    (return_in_nested_loop, (np.full(3, 1e-3),), (0,)),
    (while_with_break, (np.abs(rng.normal(size=3)),), (0,)),
    (while_with_continue, (rng.normal(size=3),), (0,)),
    (element_writes, (rng.normal(size=3),), (0,)),
    (constant_over_active_element, (rng.normal(size=3),), (0,)),
    (recurrence_in_array, (rng.normal(size=3), rng.normal(size=3)), (0, 1)),
    (column_writes, (rng.normal(size=(3, 3)),), (0,)),
    (rnn_with_append, (rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4), rng.normal(size=(5, 4))), (0, 1, 2)),
    (sum_of_list, (rng.normal(size=3),), (0,)),
    (array_of_list, (rng.normal(size=3),), (0,)),
    (comprehension, (rng.normal(size=3),), (0,)),
    (comprehension_with_condition, (np.array([0.3, -0.2, 1.1, 0.7]),), (0,)),
    (loop_over_rows, (rng.normal(size=(4, 3)),), (0,)),
    (loop_enumerate_zip, (rng.normal(size=4), rng.normal(size=4)), (0, 1)),
    (loop_reversed, (rng.normal(size=5),), (0,)),
    (nested_loops_with_branches, (rng.normal(size=(3, 2)),), (0,)),
    (loop_tuple_target, (rng.normal(size=(4, 2)),), (0,)),
    (while_inside_for, (rng.normal(size=3) * 0.3,), (0,)),
    (writes_inside_while, (rng.normal(size=3),), (0,)),
    (early_return_in_while, (np.array([0.2, 0.4, 0.5]),), (0,)),
    (continue_in_while_with_writes, (rng.normal(size=3),), (0,)),
    (nested_comprehension, (rng.normal(size=3),), (0,)),
    (comprehension_over_zip, (rng.normal(size=4), rng.normal(size=4)), (0, 1)),
    (enumerate_with_writes, (rng.normal(size=3) * 0.5,), (0,)),
    (break_inner_loop_only, (rng.normal(size=3),), (0,)),
    (negative_step_range, (rng.normal(size=3),), (0,)),
    (range_from_data, (rng.normal(size=6),), (0,)),
    (branch_on_loop_carried, (rng.normal(size=3),), (0,)),
    (elif_chain, (np.array([1.0, 1.5, 0.2]),), (0,)),
    (elif_chain, (np.array([0.1, 0.3, 0.2]),), (0,)),
    (elif_chain, (np.array([-0.5, -0.3, 0.2]),), (0,)),
    (elif_chain, (np.array([-2.0, -1.5, 0.2]),), (0,)),
    (conditional_expression_in_loop, (rng.normal(size=3),), (0,)),
    (list_indexing_in_loop, (rng.normal(size=3),), (0,)),
    (matrix_power_loop, (np.eye(3) + 0.3 * rng.normal(size=(3, 3)), rng.normal(size=3)), (0, 1)),
]


@pytest.mark.parametrize(("f", "args", "argnums"), CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_extended_control_flow(f, args, argnums):
    check_grad(f, args, argnums)


def test_constant_write_zeroes_the_element_gradient():
    g = srcgrad.grad(constant_over_active_element)(np.array([1.0, 2.0, 3.0]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [2 * 3 * 3.0, 0.0, 2 * 3 * 9.0])


def test_write_into_argument_leaves_the_argument_alone():
    # The function itself mutates its argument (Python semantics), so finite differences of it cannot serve
    # as the reference; the gradient of sum((x0 := 1, 2 x1, x2) ** 3) is known in closed form.
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    g = srcgrad.grad(write_into_argument)(x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, [0.0, 3 * (2 * -1.0) ** 2 * 2, 3 * 4.0])


def test_scalar_loop_has_no_stack():
    def scalar_loop(x, n):
        s = 0.0
        for i in range(n):
            s = s + np.sin(x * i) * np.cos(x + i)
        return s

    source = srcgrad.show(scalar_loop, 0.3, 1000)
    assert "stack" not in source
    assert "reversed(range_n)" in source
    check_grad(scalar_loop, (0.3, 50), (0,))
