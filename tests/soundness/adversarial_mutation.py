"""Adversarial cases: NumPy functions and methods that write into an array — ``out=`` arguments, ``np.put``,
``np.copyto``, ``np.place``, ``np.putmask``, ``np.fill_diagonal``, ``fill``, in-place ``sort`` and ``shuffle``,
``ufunc.at``, ``resize``."""

import numpy as np
from soundness_check import registry

case, add = registry("mutation")

X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])


@case(args=(X,), smooth=True)
def multiply_out_buffer(x):
    buf = np.zeros(3)
    np.multiply(x, x, out=buf)
    return np.sum(buf * x)


@case(args=(X,), smooth=True)
def add_out_result_also_bound(x):
    buf = np.empty(3)
    y = np.add(x, 1.0, out=buf)
    return np.sum(y * buf * x)


@case(args=(X,), smooth=True)
def sin_out_into_argument(x):
    np.sin(x, out=x)
    return np.sum(x * x)


@case(args=(X,), smooth=True)
def exp_out_into_slice(x):
    buf = np.zeros(5)
    np.exp(x, out=buf[1:4])
    return np.sum(buf * np.arange(5.0))


@case(args=(X,), smooth=True)
def multiply_out_tuple_form(x):
    buf = np.ones(3)
    np.multiply(x, 2.0, out=(buf,))
    return np.sum(buf ** 3)


@case(args=(X,), smooth=True)
def add_out_where(x):
    buf = np.zeros(3)
    np.add(x, 1.0, out=buf, where=np.array([True, False, True]))
    return np.sum(buf * buf * x)


@case(args=(X,), smooth=True)
def negative_out_argument(x):
    np.negative(x, out=x)
    return np.sum(np.exp(x))


@case(args=(M, X), smooth=False)
def matmul_out(m, x):
    buf = np.zeros(2)
    np.matmul(m, x, out=buf)
    return np.sum(buf ** 2)


@case(args=(M,), smooth=True)
def add_reduce_out(m):
    buf = np.zeros(3)
    np.add.reduce(m * m, axis=0, out=buf)
    return np.sum(buf * m[0])


@case(args=(X,), smooth=True)
def cumsum_out(x):
    buf = np.empty(3)
    np.cumsum(x * x, out=buf)
    return np.sum(buf * x)


@case(args=(X,))
def clip_out_into_argument(x):
    np.clip(x, -0.5, 1.0, out=x)
    return np.sum(x * x * x)


@case(args=(X,), smooth=True)
def slice_assign_all(x):
    buf = np.zeros(3)
    buf[:] = np.tanh(x)
    return np.sum(buf * x)


@case(args=(X,), smooth=True)
def put_function(x):
    a = np.zeros(5)
    np.put(a, [0, 1, 2], x)
    return np.sum(a * a * np.arange(1.0, 6.0))


@case(args=(X,), smooth=True)
def put_method(x):
    a = np.ones(4)
    a.put([3, 1], x[:2] * x[2])
    return np.sum(a * np.arange(1.0, 5.0) * a)


@case(args=(X,), smooth=True)
def copyto_fresh(x):
    a = np.zeros(3)
    np.copyto(a, x * x)
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def copyto_where(x):
    a = np.ones(3)
    np.copyto(a, x, where=x > 0)
    return np.sum(a * a * x)


@case(args=(X,), smooth=True)
def copyto_into_view(x):
    a = np.ones(4)
    np.copyto(a[1:], np.sin(x))
    return np.sum(a * np.arange(1.0, 5.0) * a)


@case(args=(X,))
def place_values(x):
    a = x.copy()
    np.place(a, a < 0, [x[2] * 2.0])
    return np.sum(a * a)


@case(args=(X,))
def putmask_values(x):
    a = x * 1.0
    np.putmask(a, x > 0, x ** 2)
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def fill_diagonal_of_outer(x):
    a = np.outer(x, x)
    np.fill_diagonal(a, x[0])
    return np.sum(a * a)


@case(args=(X,), smooth=True)
def fill_method(x):
    a = np.empty(3)
    a.fill(x[0])
    return np.sum(a * x)


@case(args=(X,))
def sort_method_on_copy(x):
    a = x * np.array([1.0, 3.0, 0.5])
    a.sort()
    return np.sum(a * np.array([1.0, 2.0, 3.0]))


@case(args=(X,))
def sort_method_on_argument(x):
    x.sort()
    return np.sum(x * np.array([1.0, 2.0, 3.0]) * x)


@case(args=(X,))
def shuffle_with_seed(x):
    a = x * 1.0
    rng = np.random.default_rng(3)
    rng.shuffle(a)
    return np.sum(a * np.arange(1.0, 4.0))


@case(args=(M,))
def legacy_shuffle_rows(m):
    a = m * m
    np.random.RandomState(0).shuffle(a)
    return np.sum(a * np.array([[1.0], [3.0]]))


@case(args=(X,), smooth=True)
def multiply_at(x):
    a = np.ones(3) * 2.0
    np.multiply.at(a, [0, 0, 2], x)
    return np.sum(a * np.arange(1.0, 4.0))


@case(args=(X,), smooth=True)
def subtract_at_repeated(x):
    a = x * x
    np.subtract.at(a, [1, 1], x[:2])
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def resize_method(x):
    a = x * 2.0
    a.resize(5, refcheck=False)
    return np.sum(a * a * np.arange(1.0, 6.0))


@case(args=(X, np.array([2, 0, 2, 1, 0])), argnums=0, expect="refuse")
def resize_an_index_argument(x, rows):
    """The gather's shape is followed from ``rows``' own: a resized ``rows`` gives another one."""
    rows.resize((5, 1), refcheck=False)
    return np.sum(x[rows] * np.arange(1.0, 6.0))


@case(args=(X, np.arange(1.0, 6.0)), argnums=0, expect="refuse")
def resize_a_constant_argument(x, c):
    c.resize((5, 1), refcheck=False)
    return np.sum(c * np.arange(1.0, 6.0) * x[0])


@case(args=(X,), smooth=True)
def setitem_method_call(x):
    a = np.zeros(3)
    a.__setitem__(slice(0, 2), x[1:] * x[0])
    return np.sum(a * a + x)


@case(args=(X,), smooth=True)
def transposed_view_element_write(x):
    a = np.zeros((3, 1))
    a[:, 0] = x
    a.T[0, 1] = x[2] ** 2
    return np.sum(a * a)
