"""Adversarial cases: aliases and views — a write through one name that another name (a view, a list element,
the caller's argument) sees, overlapping in-place updates, fancy and boolean index writes, recurrences."""

import numpy as np
from soundness_check import registry

case, add = registry("aliasing")

X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])
COL = np.array([[0.3], [-0.7], [1.2]])
W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def _write_into(buf, x):
    buf[0] = x[0] * x[1]
    buf[1] = np.sin(x[2])


def _scale_rows(rows):
    rows *= 2.0


@case(args=(X,), smooth=True)
def alias_iadd_then_read_original(x):
    y = x
    y += 1.0
    return np.sum(x * x)


@case(args=(X,), smooth=True)
def alias_imul_of_fresh_array(x):
    a = x * 1.0
    b = a
    b *= x
    return np.sum(a * 2.0 + b)


@case(args=(X,), smooth=True)
def slice_view_imul(x):
    a = x * 1.0
    b = a[1:]
    b *= 2.0
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def same_array_twice_in_list(x):
    a = x * 1.0
    l = [a, a]
    l[0] *= 2.0
    return np.sum(l[1] * x)


@case(args=(X,), smooth=True)
def alias_overlapping_slice_add(x):
    a = x.copy()
    b = a
    b[1:] += a[:-1]
    return np.sum(a * a)


@case(args=(X,), smooth=True)
def reversed_view_iadd_self(x):
    a = x.copy()
    a += a[::-1]
    return np.sum(a * a * x)


@case(args=(X,), smooth=True)
def reshape_view_write(x):
    a = np.zeros(6)
    b = a.reshape(2, 3)
    b[1] = x
    return np.sum(a * np.arange(6.0)) + np.sum(b * b)


@case(args=(M,), smooth=True)
def transpose_view_write(m):
    a = np.zeros((3, 2))
    b = a.T
    b[0] = m[0] * m[1]
    return np.sum(a ** 2 * np.array([1.0, 2.0]))


@case(args=(M,), smooth=True)
def row_view_sees_later_write(m):
    a = m.copy()
    v = a[0]
    a[0] = np.sin(m[1])
    return np.sum(v * m[0])


@case(args=(M,), smooth=True)
def column_view_write_through(m):
    a = m * 1.0
    col = a[:, 1]
    col[:] = col * m[:, 2]
    return np.sum(a * W)


@case(args=(M,), smooth=True)
def ravel_view_write(m):
    a = m * 1.0
    r = a.ravel()
    r[0] = 5.0 * m[1, 2]
    return np.sum(a * a)


@case(args=(X,), smooth=True)
def ellipsis_assign(x):
    a = np.empty(3)
    a[...] = x * x
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def inplace_through_list_element(x):
    a = x * 2.0
    l = [a]
    l[0] += x
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def argument_imul_then_read(x):
    x *= 2.0
    return np.sum(x ** 2)


@case(args=(X,), smooth=True)
def argument_setitem_then_read(x):
    x[0] = x[1] * x[2]
    return np.sum(x * x)


@case(args=(M,), smooth=True)
def argument_row_view_write(m):
    r = m[1]
    r[:] = np.exp(m[0])
    return np.sum(m * W)


@case(args=(X,), smooth=True)
def accumulator_stored_in_list(x):
    h = x * 1.0
    hs = []
    for i in range(3):
        hs.append(h)
        h += x
    return np.sum(hs[0] * x)


@case(args=(X,), smooth=True)
def accumulator_copies_stored_in_list(x):
    h = np.sin(x)
    hs = []
    for i in range(3):
        hs.append(h.copy())
        h *= x
    return np.sum(hs[0] * hs[2] + h)


@case(args=(X,), smooth=True)
def element_updates_on_copy(x):
    a = x.copy()
    a[0] += a[1]
    a[2] *= a[0]
    return np.sum(a * a)


@case(args=(X,))
def fancy_repeated_indices_iadd(x):
    a = np.zeros(3)
    a[[0, 0, 1]] += x
    return np.sum(a * np.array([1.0, 2.0, 3.0]) * a)


@case(args=(X,))
def fancy_repeated_indices_assign(x):
    a = np.ones(4)
    a[[2, 2, 0]] = x * x
    return np.sum(a * np.arange(1.0, 5.0))


@case(args=(X,), smooth=True)
def add_at_accumulates(x):
    a = np.zeros(3)
    np.add.at(a, [0, 0, 1], x)
    return np.sum(a * a)


@case(args=(X,))
def boolean_mask_write(x):
    a = x.copy()
    a[a < 0] = 0.5 * a[a < 0]
    return np.sum(a ** 3)


@case(args=(X,))
def boolean_mask_iadd(x):
    a = x * x
    a[x > 0] += x[x > 0]
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def recurrence_in_loop(x):
    a = np.ones(3)
    for i in range(1, 3):
        a[i] = a[i - 1] * x[i]
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def recurrence_read_through_view(x):
    a = np.zeros(4)
    a[0] = 1.0
    v = a[1:]
    for i in range(3):
        a[i + 1] = a[i] * x[i] + 0.5
    return np.sum(v * v)


@case(args=(X,), smooth=True, helpers=(_write_into,))
def view_passed_to_writing_helper(x):
    a = np.zeros(4)
    _write_into(a[1:3], x)
    return np.sum(a * np.arange(1.0, 5.0))


@case(args=(M,), smooth=True, helpers=(_scale_rows,))
def argument_view_passed_to_helper(m):
    _scale_rows(m[0])
    return np.sum(m * m)


@case(args=(X,), smooth=True)
def swap_elements_by_tuple_assign(x):
    a = x.copy()
    a[0], a[1] = a[1], a[0]
    return np.sum(a * np.arange(1.0, 4.0) * x)


@case(args=(M,), smooth=True)
def swap_rows_by_tuple_assign(m):
    a = m.copy()
    a[0], a[1] = a[1], a[0]
    return np.sum(a * W * m)


@case(args=(M,), smooth=True)
def view_of_view_write(m):
    a = np.zeros((2, 3))
    v = a[1]
    w = v[::2]
    w[:] = m[0, :2] * 3.0
    return np.sum(a * a) + np.sum(v * m[1])


@case(args=(M,), smooth=True)
def flat_index_write(m):
    a = m.copy()
    a.flat[[0, 4]] = m[1, 1] * 2.0
    return np.sum(a * a)


@case(args=(COL,), smooth=True)
def squeeze_view_write(c):
    a = c.copy()
    s = a.squeeze()
    s[1] = s[0] * s[2]
    return np.sum(a ** 2)


@case(args=(X,), smooth=True)
def newaxis_view_write(x):
    a = x.copy()
    b = a[None, :]
    b[0, 2] = a[0] * 4.0
    return np.sum(a * x)


@case(args=(M,), smooth=True)
def swapaxes_view_write(m):
    a = m.copy()
    s = np.swapaxes(a, 0, 1)
    s[2, 0] = m[0, 0] ** 2
    return np.sum(a * m)


@case(args=(M,), smooth=True)
def diagonal_trick_via_reshape(m):
    a = np.zeros((3, 3))
    a.reshape(-1)[::4] = m[1]
    return np.sum(a @ a) + np.sum(a * m[0])
