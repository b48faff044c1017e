"""Adversarial cases: Python lists and tuples that hold arrays or floats — element writes, list methods, list
arithmetic, slicing, nesting, lists built in loops and comprehensions, lists passed to helpers."""

import numpy as np
from soundness_check import registry

case, add = registry("containers")

X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])
COL = np.array([[0.3], [-0.7], [1.2]])


def _doubled(items):
    return [2.0 * v for v in items]


def _append_square(items):
    items.append(items[0] ** 2)


def _replace_last(items, value):
    items[-1] = value
    return items


@case(args=(X,), smooth=True)
def setitem_replaces_element(x):
    l = [x, 2.0 * x]
    l[1] = 3.0 * x
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def setitem_first_then_read_both(x):
    l = [np.sin(x), x * x]
    l[0] = l[1] * 2.0
    return np.sum(l[0] + l[1] * x)


@case(args=(X,), smooth=True)
def append_then_read(x):
    l = [x]
    l.append(np.sin(x))
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def extend_with_list(x):
    l = [x]
    l.extend([x * x, np.cos(x)])
    return np.sum(l[1] * l[2]) + np.sum(l[0])


@case(args=(X,), smooth=True)
def insert_at_front(x):
    l = [x * 2.0]
    l.insert(0, np.exp(x))
    return np.sum(l[0] * 3.0 + l[1] ** 2)


@case(args=(X,), smooth=True)
def pop_last(x):
    l = [x, x * x, x ** 3]
    last = l.pop()
    return np.sum(last) + np.sum(l[-1])


@case(args=(X,), smooth=True)
def pop_front(x):
    l = [np.sin(x), x, 2.0 * x]
    first = l.pop(0)
    return np.sum(first * l[0]) + np.sum(l[1])


@case(args=(X,), smooth=True)
def element_augmented_add(x):
    l = [x * 1.0, x * x]
    l[0] += l[1]
    return np.sum(l[0] * x)


@case(args=(X,), smooth=True)
def list_plus_list(x):
    l = [x] + [x * x]
    return np.sum(l[0] * l[1]) + len(l)


@case(args=(X,), smooth=True)
def list_times_int(x):
    l = [x * 2.0] * 3
    return np.sum(l[0] * l[2]) + np.sum(l[1])


@case(args=(X,), smooth=True)
def list_times_int_then_setitem(x):
    l = [x] * 2
    l[1] = np.sin(x)
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def list_times_int_then_inplace(x):
    l = [x * 1.0] * 2
    l[0] *= 2.0
    return np.sum(l[1] * x)


@case(args=(X,), smooth=True)
def tuple_plus_tuple(x):
    t = (x,) + (x * x, 3.0 * x)
    return np.sum(t[0] * t[1] * t[2])


@case(args=(X,), smooth=True)
def tuple_times_int(x):
    t = (x, 2.0 * x) * 2
    return np.sum(t[0] * t[3]) + np.sum(t[2])


@case(args=(X,), smooth=True)
def slice_tail(x):
    l = [x, x * x, np.sin(x)]
    tail = l[1:]
    return np.sum(tail[0] * tail[1])


@case(args=(X,), smooth=True)
def slice_reversed(x):
    l = [x, x * x, np.sin(x)]
    r = l[::-1]
    return np.sum(r[0] * 2.0 + r[2] * r[1])


@case(args=(X,), smooth=True)
def slice_assignment_on_list(x):
    l = [x, x, x]
    l[1:] = [x * x, np.cos(x)]
    return np.sum(l[0] * l[1] * l[2])


@case(args=(X,), smooth=True)
def negative_indices(x):
    l = [x, x * x, np.cos(x)]
    return np.sum(l[-1] * l[-3]) + np.sum(l[-2])


@case(args=(X,), smooth=True)
def nested_lists(x):
    l = [[x, x * x], [np.sin(x)]]
    l[0][1] = l[1][0] * 2.0
    return np.sum(l[0][0] * l[0][1])


@case(args=(X,), smooth=True)
def nested_list_inner_append(x):
    l = [[x], [x * x]]
    l[1].append(l[0][0] * 3.0)
    return np.sum(l[1][0] * l[1][1])


@case(args=(COL,), smooth=True)
def hstack_list_plus_list(c):
    m = np.hstack([c] + [np.ones((3, 1))])
    return np.sum(m * m * np.array([1.0, 2.0]))


@case(args=(COL,), smooth=True)
def hstack_tuple_plus_tuple(c):
    t = (c,)
    m = np.hstack(t + (np.ones((3, 1)), c * c))
    return np.sum(m ** 2 * np.arange(1.0, 4.0))


@case(args=(X,), smooth=True)
def concatenate_list_times_int(x):
    m = np.concatenate([x, x * x] * 2)
    return np.sum(m * np.arange(12.0))


@case(args=(X,), smooth=True)
def builtin_sum_of_arrays(x):
    l = [x, x * x, np.sin(x)]
    return np.sum(sum(l))


@case(args=(X,), smooth=True)
def builtin_sum_with_start(x):
    return sum([x[0], x[1] * x[2]], 1.0) * x[0]


@case(args=(X,), smooth=True)
def stack_after_setitem(x):
    l = [x, x]
    l[1] = x * x
    s = np.stack(l)
    return np.sum(s[0] * s[1])


@case(args=(X,), smooth=True)
def stack_after_loop_append_and_setitem(x):
    l = []
    for i in range(3):
        l.append(x * (i + 1.0))
    l[0] = np.sin(l[2])
    return np.sum(np.stack(l) ** 2)


@case(args=(X,), smooth=True)
def list_rewritten_in_loop(x):
    l = [x, x]
    for i in range(3):
        l[i % 2] = l[0] * l[1]
    return np.sum(l[0] + l[1])


@case(args=(X,), smooth=True)
def comprehension(x):
    l = [x * k for k in range(1, 4)]
    return np.sum(l[2] * l[0])


@case(args=(X,), smooth=True)
def comprehension_with_if(x):
    l = [np.sin(x * k) for k in range(5) if k % 2 == 1]
    return np.sum(l[0] * l[1])


@case(args=(M,), smooth=True)
def comprehension_over_rows(m):
    l = [row * row[0] for row in m]
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def len_used_as_number(x):
    l = [x, x * x]
    l.append(x)
    return np.sum(x * len(l)) + np.sum(l[1])


@case(args=(X,), smooth=True, helpers=(_doubled,))
def helper_returns_new_list(x):
    l = [x, np.sin(x)]
    m = _doubled(l)
    return np.sum(m[0] * m[1]) + np.sum(l[0])


@case(args=(X,), smooth=True, helpers=(_append_square,))
def helper_appends_to_list(x):
    l = [x * 1.0]
    _append_square(l)
    return np.sum(l[0] * l[-1])


@case(args=(X,), smooth=True, helpers=(_replace_last,))
def helper_setitem_returns_same_list(x):
    l = [x, x * x]
    m = _replace_last(l, np.cos(x))
    return np.sum(l[1] * m[0])


@case(args=(X,), smooth=True)
def zip_over_lists(x):
    a = [x, x * x]
    b = [np.sin(x), 2.0 * x]
    total = 0.0
    for u, v in zip(a, b):
        total = total + np.sum(u * v)
    return total


@case(args=(X,), smooth=True)
def unpack_then_setitem(x):
    l = [x * x, np.cos(x)]
    a, b = l
    l[0] = b
    return np.sum(a * l[0])


@case(args=(X,), smooth=True)
def starred_unpack(x):
    first, *rest = [x, x * x, x ** 3]
    return np.sum(first * rest[1]) + len(rest)


@case(args=(X,))
def python_floats_from_elements(x):
    vals = [x[0], x[1] * 2.0, 3.0]
    vals[2] = vals[0] * vals[1]
    return vals[2] + sum(vals)


@case(args=(0.8,), smooth=True)
def python_float_list(s):
    l = [s, 2.0]
    l.append(l[0] * l[1])
    l[1] = s * s
    return l[0] * l[1] + l[2]


@case(args=(X,), smooth=True)
def list_reverse_method(x):
    l = [x, 2.0 * x * x]
    l.reverse()
    return np.sum(l[0] * np.sin(x))


@case(args=(X,), smooth=True)
def list_copy_method(x):
    l = [x, x * x]
    m = l.copy()
    m[0] = np.sin(x)
    return np.sum(l[0] * m[0] + l[1])


@case(args=(X,), smooth=True)
def list_alias_setitem(x):
    l = [x, x * x]
    m = l
    m[0] = np.sin(x)
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def list_del_item(x):
    l = [x, x * x, np.sin(x)]
    del l[1]
    return np.sum(l[0] * l[1])


@case(args=(M,), smooth=True)
def list_of_rows_setitem(m):
    rows = list(m)
    rows[0] = rows[0] * 2.0
    return np.sum(np.stack(rows) ** 2)


@case(args=(M,), smooth=True)
def unpack_rows_of_matrix(m):
    a, b = m
    return np.sum(a * b ** 2)
