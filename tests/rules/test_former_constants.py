"""Functions the rule table once declared constant, end to end: srcgrad used to return a zero gradient
through ``x % y``, ``np.linspace``, ``np.full``, ``math.copysign`` and the sublist form of ``np.einsum``, and
NaN for the second derivative of ``x ** 0`` at 0.

Each small user function is differentiated by ``srcgrad.grad`` and ``srcgrad.jvp`` and compared with central
finite differences in float64 (values, shapes and dtypes), and with HIPS autograd where autograd has the
operation (the same code run with ``autograd.numpy`` as ``np``). Points are away from the jumps of the
remainders. NaN never counts as agreement.
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest

import srcgrad

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # pragma: no cover - autograd is a test dependency
    autograd = anp = None

W = np.array([[0.5, -1.0], [2.0, 0.25]])


# --- the user functions --------------------------------------------------------------------------------------


def remainder_sum(x):
    return np.sum(x % 0.7)


def remainder_by_array(x, y):
    return np.sum(np.sin(x % y) * y)


def fmod_weighted(x):
    return np.sum(np.fmod(x, 0.7) * x)


def math_fmod_product(x):
    return math.fmod(x[0], 0.7) * x[1]


def linspace_squares(x):
    return np.sum(np.linspace(x[0], x[1], 5) ** 2)


def linspace_arrays(a, b):
    return np.sum(np.cos(np.linspace(a, b, 4, endpoint=False, axis=1)) * np.arange(4.0)[:, None])


def full_times(x):
    return np.sum(np.full(3, x[0]) * x)


def full_like_fill(x):
    return np.sum(np.full_like(x, x[1]) ** 2 * x)


def copysign_product(x):
    return math.copysign(x[0], -1.0) * x[1]


def np_copysign(x, y):
    return np.sum(np.copysign(x, y) * x * y)


def einsum_transpose(m):
    return np.sum(np.einsum(m, [0, 1], [1, 0]) * W)


def einsum_matmul(a, b):
    return np.sum(np.einsum(a, [0, 1], b, [1, 2], [0, 2]) ** 2)


def einsum_square(m):
    return np.sum(np.sin(np.einsum(m, [0, 1], m, [1, 2], [0, 2])))


def arange_squares(x):
    return np.sum(np.arange(x[0], x[0] + 3.5, x[1]) ** 2)


def r_concatenation(x):
    v = np.r_[x[0], x, 3.0, np.array(x[1] * x[2])]
    return np.sum(v * np.arange(6.0) * v)


def r_concatenation_of_a_list(x):
    v = np.r_[[x[0], x[1]], x]
    return np.sum(v * np.arange(5.0) * v)


def c_concatenation(x):
    m = np.c_[np.outer(x, x), x, np.sin(x)]
    return np.sum(m * np.arange(5.0) * m)


# A number beside the operand, in calls that are not elementwise in it: the transformer takes such a call for
# an elementwise one and drops the rule's unbroadcast of that operand (hence summed_to in these rules).
def broadcast_to_number(x):
    s = x[0] * x[1]
    return np.sum(np.broadcast_to(s, 3) * x)


def triu_of_vector(x):
    v = x * x
    return np.sum(np.triu(v, 1) * np.arange(9.0).reshape(3, 3))


def power_zero(x):
    return np.sum(np.power(x, 0.0))


def power_operators(x):
    return np.sum(x ** 0.0) + np.sum(x ** 1.0) * 2.0


def power_zero_float(x):
    return x ** 0.0 + 3.0 * x ** 1.0


# (function, arguments, whether autograd has the operation)
CASES = {
    "remainder": (remainder_sum, (np.array([0.3, 1.0, -0.5, 2.2]),), True),
    "remainder-array-divisor": (remainder_by_array, (np.array([0.3, 1.9, -0.5]), np.array([0.7, -0.8, 1.3])), True),
    "fmod": (fmod_weighted, (np.array([0.3, 1.0, -0.5, -1.6]),), False),
    "math-fmod": (math_fmod_product, (np.array([1.0, 0.4]),), False),
    "linspace": (linspace_squares, (np.array([0.5, 2.0]),), True),
    "linspace-arrays": (linspace_arrays, (np.array([0.1, -0.4, 0.9]), np.array([[1.2], [0.3]])), False),
    "full": (full_times, (np.array([0.5, -1.5, 2.0]),), True),
    "full-like": (full_like_fill, (np.array([0.5, -1.5, 2.0]),), False),
    "math-copysign": (copysign_product, (np.array([0.5, 2.0]),), False),
    "np-copysign": (np_copysign, (np.array([0.5, -1.5, 2.0]), np.array([-1.0, -0.3, 0.8])), False),
    "einsum-sublist-transpose": (einsum_transpose, (np.array([[1.0, 2.0], [-0.5, 0.3]]),), True),
    "einsum-sublist-matmul": (einsum_matmul, (np.array([[1.0, 2.0, 0.1], [-0.5, 0.3, 0.7]]),
                                              np.array([[0.2, -1.0], [0.4, 0.5], [1.5, -0.3]])), True),
    "einsum-sublist-square": (einsum_square, (np.array([[1.0, 2.0], [-0.5, 0.3]]),), True),
    "arange": (arange_squares, (np.array([0.5, 0.8]),), False),
    "r-concat": (r_concatenation, (np.array([0.5, 1.5, -1.0]),), False),
    "c-concat": (c_concatenation, (np.array([0.5, 1.5, -1.0]),), False),
    "broadcast-to-number": (broadcast_to_number, (np.array([0.5, 1.5, -1.0]),), False),
    "triu-of-vector": (triu_of_vector, (np.array([0.5, 1.5, -1.0]),), True),
}


# --- references ----------------------------------------------------------------------------------------------


def central_difference(fn, args, argnum, direction, h=1e-6):
    def at(s):
        moved = list(args)
        moved[argnum] = args[argnum] + s * direction
        return float(fn(*moved))

    return (at(h) - at(-h)) / (2 * h)


def numeric_gradient(fn, args, argnum):
    x = args[argnum]
    out = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[index] = 1.0
        out[index] = central_difference(fn, args, argnum, e)
    return out


def assert_agrees(got, want, like, rtol=1e-6, atol=1e-8):
    """Same shape and dtype as ``like``, finite (NaN never agrees), and close to ``want``."""
    got = np.asarray(got)
    assert got.shape == np.shape(like), (got.shape, np.shape(like))
    assert got.dtype == np.asarray(like).dtype, (got.dtype, np.asarray(like).dtype)
    assert np.all(np.isfinite(got)), got
    assert np.all(np.isfinite(want)), want
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def autograd_twin(fn):
    """``fn`` with ``np`` in its globals meaning ``autograd.numpy``: the same code, run by autograd."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp}, fn.__name__)


# --- the tests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_finite_differences(name):
    fn, args, _ = CASES[name]
    argnums = tuple(range(len(args)))
    grads = srcgrad.grad(fn, argnums=argnums)(*args)
    for k in argnums:
        want = numeric_gradient(fn, args, k)
        assert np.any(want != 0), "the point gives a zero gradient: no test of a former constant"
        assert_agrees(grads[k], want, args[k])


@pytest.mark.parametrize("name", list(CASES))
def test_jvp_matches_finite_differences(name):
    fn, args, _ = CASES[name]
    rng = np.random.default_rng(0)
    tangents = tuple(rng.normal(size=np.shape(a)) for a in args)
    value, tangent = srcgrad.jvp(fn, args, tangents)
    assert float(value) == pytest.approx(float(fn(*args)), rel=1e-14, abs=0)
    want = sum(central_difference(fn, args, k, t) for k, t in enumerate(tangents))
    assert np.shape(tangent) == ()
    assert np.isfinite(tangent) and np.isfinite(want)
    assert float(tangent) == pytest.approx(want, rel=1e-6, abs=1e-8)


@pytest.mark.skipif(autograd is None, reason="HIPS autograd is not installed")
@pytest.mark.parametrize("name", [name for name, (_, _, has) in CASES.items() if has])
def test_gradient_matches_autograd(name):
    fn, args, _ = CASES[name]
    argnums = tuple(range(len(args)))
    grads = srcgrad.grad(fn, argnums=argnums)(*args)
    twin = autograd_twin(fn)
    for k in argnums:
        want = autograd.grad(twin, k)(*args)
        assert_agrees(grads[k], np.asarray(want, dtype=np.float64), args[k], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", [name for name, (_, args, _) in CASES.items() if len(args) == 1])
def test_hessian_matches_finite_differences_of_the_gradient(name):
    """Reverse mode over the forward rules (and over their helpers' rules)."""
    fn, (x,), _ = CASES[name]
    hessian = srcgrad.hessian(fn)(x)
    gradient = srcgrad.grad(fn)
    h = 1e-6
    want = np.zeros(x.shape + x.shape)
    for index in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[index] = h
        want[(...,) + index] = (gradient(x + e) - gradient(x - e)) / (2 * h)
    assert_agrees(hessian, want, want, rtol=1e-5, atol=1e-6)


# --- powers with exponents 0 and 1 at a zero base ---------------------------------------------------------


@pytest.mark.parametrize("fn", [power_zero, power_operators])
def test_power_zero_and_one_at_zero_base(fn):
    x = np.array([0.0, 1.5, 0.0])
    slope = 0.0 if fn is power_zero else 2.0
    gradient = srcgrad.grad(fn)(x)
    assert_agrees(gradient, np.full(3, slope), x, rtol=0, atol=0)
    hessian = srcgrad.hessian(fn)(x)
    assert hessian.shape == (3, 3) and hessian.dtype == np.float64
    assert not np.any(np.isnan(hessian)), hessian
    np.testing.assert_array_equal(hessian, np.zeros((3, 3)))
    value, tangent = srcgrad.jvp(fn, (x,), (np.ones(3),))
    assert float(tangent) == 3 * slope


@pytest.mark.skipif(autograd is None, reason="HIPS autograd is not installed")
@pytest.mark.parametrize("fn", [power_zero, power_operators])
def test_power_hessian_at_zero_base_matches_autograd(fn):
    x = np.array([0.0, 1.5, 0.0])
    want = np.asarray(autograd.hessian(autograd_twin(fn))(x), dtype=np.float64)
    assert not np.any(np.isnan(want))
    np.testing.assert_array_equal(srcgrad.hessian(fn)(x), want)


def test_power_of_a_python_float_at_zero():
    """Forward mode applied twice (``derivative``) through the Python-float path of the rule helper."""
    assert srcgrad.derivative(power_zero_float, 1)(0.0) == 3.0
    second = srcgrad.derivative(power_zero_float, 2)(0.0)
    assert second == 0.0 and not math.isnan(second)


# --- what stays refused --------------------------------------------------------------------------------------


def meshgrid_product(x):
    X, Y = np.meshgrid(x, x)
    return np.sum(X * Y)


def meshgrid_of_constants(x):
    X, Y = np.meshgrid(np.arange(3.0), np.arange(2.0))
    return np.sum(X + Y) * x[0]


def linspace_with_step(x):
    samples, step = np.linspace(x[0], x[1], 5, retstep=True)
    return np.sum(samples) * step


def test_meshgrid_of_active_arrays_is_refused_not_constant():
    with pytest.raises(srcgrad.MissingRuleError, match="meshgrid"):
        srcgrad.grad(meshgrid_product)(np.array([0.5, 1.0]))
    np.testing.assert_allclose(srcgrad.grad(meshgrid_of_constants)(np.array([2.0, 1.0])), [9.0, 0.0])


def test_linspace_retstep_is_refused():
    with pytest.raises(srcgrad.SrcgradError, match="retstep"):
        srcgrad.grad(linspace_with_step)(np.array([0.5, 2.0]))


def formatted_and_read_back(x):
    return float("%.3f" % x[0]) * x[1]  # noqa: UP031 - the % formatting is what is tested


def test_string_formatting_with_percent_is_refused():
    """``%`` on a string formats: the value read back has no derivative srcgrad can take (zero would be wrong
    for ``"%r"``), so it refuses rather than crash or return zero."""
    for run in (lambda: srcgrad.grad(formatted_and_read_back)(np.array([0.5, 2.0])),
                lambda: srcgrad.jvp(formatted_and_read_back, (np.array([0.5, 2.0]),), (np.ones(2),))):
        with pytest.raises(srcgrad.SrcgradError, match="string formatting"):
            run()


# --- cotangent types of np.r_ and np.c_ items ---------------------------------------------------------------


def test_concat_cotangents_keep_each_items_type():
    """Every item gets a cotangent of its own kind: a float32 array stays float32 beside float64 ones, a
    Python float gets a Python float, a NumPy float32 scalar a float32 scalar, a 0-d array a 0-d array."""
    from srcgrad.rules.concat_helpers import concat_grads

    items = (np.array([1.0, 2.0], dtype=np.float32), np.arange(3.0), 2.0, np.float32(3.0), np.array(4.0))
    g = np.arange(1.0, 9.0)
    grads = concat_grads(g, items)
    np.testing.assert_array_equal(np.concatenate([np.ravel(v) for v in grads]), g)
    assert [type(v) for v in grads] == [np.ndarray, np.ndarray, float, np.float32, np.ndarray]
    assert [np.shape(v) for v in grads] == [(2,), (3,), (), (), ()]
    assert grads[0].dtype == np.float32 and grads[1].dtype == np.float64 and grads[4].dtype == np.float64

    columns = (np.ones((2, 2), dtype=np.float32), np.arange(2.0))
    grads = concat_grads(np.arange(6.0).reshape(2, 3), columns, True)
    np.testing.assert_array_equal(grads[0], [[0.0, 1.0], [3.0, 4.0]])
    np.testing.assert_array_equal(grads[1], [2.0, 5.0])
    assert grads[0].dtype == np.float32 and grads[1].shape == (2,)


# --- np.arange --------------------------------------------------------------------------------------------


def arange_literal_stop(x):
    return np.sum(np.arange(x[0], 4.0, x[1]) ** 2)


def test_arange_with_a_literal_stop_compiles_without_warnings():
    """The forward rule's test of the stop is a helper: inlined as ``4.0 is not None`` it was a
    SyntaxWarning in every generated forward function (and its reverse)."""
    import warnings

    x = np.array([0.5, 0.8])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        hessian = srcgrad.hessian(arange_literal_stop)(x)
        _, tangent = srcgrad.jvp(arange_literal_stop, (x,), (np.array([1.0, 0.0]),))
    # arange(0.5, 4.0, 0.8) has 5 elements 0.5 + 0.8 i: d/dstart of the sum of squares is 2 * sum(v)
    v = 0.5 + 0.8 * np.arange(5.0)
    assert float(tangent) == pytest.approx(2 * np.sum(v))
    np.testing.assert_allclose(hessian, [[10.0, 20.0], [20.0, 60.0]])


def arange_of_a_value(x):
    return np.sum(np.arange(x[1]) + x[0])


def test_arange_whose_length_comes_from_a_value():
    # arange(0.5) is [0.]: the function is x[0]
    np.testing.assert_array_equal(srcgrad.grad(arange_of_a_value)(np.array([0.5, 0.5])), [1.0, 0.0])


def test_r_concat_of_a_list_in_reverse_mode():
    x = np.array([0.5, 1.5, -1.0])
    assert_agrees(srcgrad.grad(r_concatenation_of_a_list)(x), numeric_gradient(r_concatenation_of_a_list, (x,), 0), x)


def test_r_concat_of_a_list_in_forward_mode():
    x, t = np.array([0.5, 1.5, -1.0]), np.array([0.3, -0.7, 1.1])
    _, tangent = srcgrad.jvp(r_concatenation_of_a_list, (x,), (t,))
    assert float(tangent) == pytest.approx(central_difference(r_concatenation_of_a_list, (x,), 0, t), rel=1e-6)
