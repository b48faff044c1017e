"""Adversarial cases: outputs that are not real floats. A bool or integer output has a zero derivative (or is
refused); a string, None, a tuple or a one-element array has none (only a refusal is sound); a complex output
has no gradient (reverse mode must refuse) but a well-defined tangent; real outputs computed through complex
intermediates (``np.abs(z)`` of ``z = x + 1j*y`` built inside) are ordinary real functions."""

import numpy as np
from soundness_check import registry

case, add = registry("outputs")

X = np.array([0.3, -0.7, 1.2])
Y = np.array([0.8, 0.4, -0.6])


@case(args=(X,))
def returns_allclose_bool(x):
    return np.allclose(x * x, 0.0)


@case(args=(X,))
def returns_numpy_bool_comparison(x):
    return x[0] * x[2] > 0.1


@case(args=(X,))
def returns_python_bool(x):
    return bool(np.sum(x) > 0)


@case(args=(X,))
def returns_any_of_mask(x):
    return np.any(np.sin(x) > 0.9)


@case(args=(X,))
def returns_string(x):
    return f"{np.sum(x * x):.3f}"


@case(args=(X,))
def returns_none(x):
    y = np.sum(x * x)
    return None


@case(args=(X,))
def returns_nothing_after_mutation(x):
    x *= 2.0


@case(args=(X,))
def returns_complex_sum(x):
    return np.sum(x * 1j)


@case(args=(X,))
def returns_python_complex(x):
    return complex(x[0] * x[1], x[2])


@case(args=(X,))
def returns_complex_exp(x):
    return np.sum(np.exp(1j * x) * x)


@case(args=(X,))
def returns_len(x):
    return len(x)


@case(args=(X,))
def returns_integer_array_sum(x):
    return np.sum((x > 0).astype(int) * 3)


@case(args=(X,))
def returns_argmax(x):
    return np.argmax(x * x)


@case(args=(X,))
def returns_one_element_array(x):
    return np.sum(x * x, keepdims=True)


@case(args=(X,))
def returns_tuple(x):
    return np.sum(x), np.sum(x * x)


@case(args=(X,), smooth=True)
def returns_zero_d_array(x):
    return np.array(np.sum(x * x * x))


# Not smooth for the Hessian's finite differences: the float32 rounding of the output is their noise.
@case(args=(X,), loose=True)
def returns_float32_scalar(x):
    return np.float32(np.sum(np.sin(x))) * 1.0


@case(args=(X, Y), smooth=False)
def complex_abs_real_output(x, y):
    z = x + 1j * y
    return np.sum(np.abs(z))


@case(args=(X, Y), smooth=False)
def complex_var_real_output(x, y):
    z = x + 1j * y
    return np.var(z * z)


@case(args=(X, Y), smooth=False)
def complex_norm_real_output(x, y):
    z = x * y + 1j * y
    return np.linalg.norm(z)


@case(args=(X,), smooth=True)
def complex_real_part_of_square(x):
    z = x + 0.5j
    return np.sum(np.real(z * z * z))


@case(args=(X,), smooth=True)
def complex_imag_of_exp(x):
    return np.sum(np.imag(np.exp(1j * x)) * x)


@case(args=(X,), smooth=True)
def complex_conjugate_product(x):
    z = np.exp(1j * x) * (x + 2.0)
    return np.sum((z * np.conj(z)).real)


@case(args=(X,), smooth=True)
def complex_angle(x):
    z = (x + 2.0) + 1j * x * x
    return np.sum(np.angle(z))


@case(args=(X,), smooth=True)
def complex_astype_and_back(x):
    z = x.astype(np.complex128) * (1.0 + 2.0j)
    return np.sum(np.abs(z) ** 2)
