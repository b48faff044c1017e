"""Adversarial cases: unusual inputs — Python lists and tuples of floats, dicts and nested lists of arrays,
complex arrays (right by either convention, df/dx + i df/dy or its conjugate, or refused), masked arrays (a
masked entry must not silently get a gradient), ``np.matrix`` (where ``*`` is a matrix product), float32,
integer and boolean arrays (refused), 0-d arrays and NumPy scalars, Fortran-ordered arrays."""

import numpy as np
from soundness_check import registry

case, add = registry("inputs")

X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])


@case(args=([0.3, -0.7, 1.2],), smooth=False)
def list_of_floats(l):
    return l[0] * l[1] + l[2] ** 2


@case(args=((0.3, -0.7, 1.2),), smooth=False)
def tuple_of_floats_unpacked(t):
    a, b, c = t
    return np.sin(a) * b * c


@case(args=([0.3, -0.7, 1.2],), smooth=False)
def list_of_floats_to_array(l):
    v = np.array(l)
    return np.sum(v * v * np.arange(1.0, 4.0))


@case(args=({"w": M, "b": X},), smooth=False)
def dict_of_arrays(d):
    return np.sum(np.tanh(d["w"] @ d["b"]) ** 2) + np.sum(d["b"] * d["b"])


@case(args=({"w": M, "b": X},), smooth=False)
def dict_iterated_by_items(d):
    total = 0.0
    for key, value in d.items():
        total = total + np.sum(value ** 3)
    return total


@case(args=([[X, X * 2.0], [X + 1.0]],), smooth=False)
def nested_list_of_arrays(n):
    return np.sum(n[0][0] * n[0][1] * n[1][0])


@case(args=([0.5, X, (M, 0.7)],), smooth=False)
def mixed_tree(t):
    return t[0] * np.sum(t[1] ** 2) + np.sum(t[2][0]) * t[2][1]


@case(args=(np.array([0.3 + 0.5j, -0.7 + 0.2j, 1.2 - 0.4j]),))
def complex_input_abs_squared(z):
    return np.sum(np.abs(z) ** 2)


@case(args=(np.array([0.3 + 0.5j, -0.7 + 0.2j, 1.2 - 0.4j]),))
def complex_input_real_times_imag(z):
    return np.sum(np.real(z) * np.imag(z) ** 2)


@case(args=(np.array([0.3 + 0.5j, -0.7 + 0.2j, 1.2 - 0.4j]),))
def complex_input_real_of_product(z):
    return np.real(np.sum(z * z * np.array([1.0, 2.0j, -1.0])))


@case(args=(np.ma.masked_array(X, mask=[False, True, False]),))
def masked_input_sum(x):
    return np.sum(x * x)


@case(args=(np.ma.masked_array(X, mask=[False, True, False]),))
def masked_input_filled(x):
    return np.sum(np.ma.filled(x, 0.5) ** 2 * np.arange(1.0, 4.0))


@case(args=(np.ma.masked_array(X, mask=[False, True, False]),))
def masked_input_as_plain_array(x):
    return np.sum(np.asarray(x) ** 3)


@case(args=(np.array([[0.3, -0.7], [0.5, 0.9]]).view(np.matrix),))
def matrix_star_is_matmul(m):
    return np.sum(np.asarray(m * m) * np.array([[1.0, 2.0], [3.0, 4.0]]))


@case(args=(np.array([[0.3, -0.7], [0.5, 0.9]]).view(np.matrix),))
def matrix_power_and_sum(m):
    return (m ** 3).sum() + np.sum(m.T * m[0].T)


@case(args=(X.astype(np.float32),), loose=True)
def float32_input(x):
    return np.sum(np.sin(x) * x)


@case(args=(X.astype(np.float32),), loose=True)
def float32_mixed_with_float64_constant(x):
    return np.sum(x * np.array([1.0, 2.0, 3.0]) * x) + np.float64(0.5) * x[0]


@case(args=(np.array([3, -1, 2]),))
def integer_array_input(x):
    return np.sum(x * 2.0)


@case(args=(np.array([True, False, True]),))
def boolean_array_input(x):
    return np.sum(x * 1.5)


@case(args=(3,))
def python_int_input(n):
    return n * 2.5


@case(args=(np.array(0.7),), smooth=True)
def zero_d_array_input(a):
    return np.sin(a) * a * a


@case(args=(np.float64(0.7),), smooth=True)
def numpy_scalar_input(s):
    return np.exp(s) * s


@case(args=(0.7,), smooth=True)
def python_float_input(s):
    return s ** 3 - np.cos(s) * s


@case(args=(np.asfortranarray(M),), smooth=True)
def fortran_ordered_input(m):
    return np.sum(m.reshape(-1) * np.arange(6.0) * m.ravel())
