"""Whole programs through the rules of srcgrad/rules/numpy_extra_rules.py: ``srcgrad.grad``, ``srcgrad.jvp``
and ``srcgrad.hessian`` of small functions that call each of those NumPy functions, against central finite
differences in float64 (the gradient and the Hessian, element by element; the tangent, along a random
direction). The rule tests check each rule alone; these check that the transformer inlines them, that list
results (``np.split``, ``np.gradient``) flow through unpacking and indexing, and that the forward rules can
be differentiated again."""

from __future__ import annotations

import numpy as np
import pytest

import srcgrad

RNG = np.random.default_rng(20240611)
X = RNG.normal(size=(4, 6))
W = RNG.normal(size=(4, 6))
WEIGHTS = {shape: RNG.normal(size=shape) for shape in [(5, 6), (7, 10), (6, 4), (6, 2), (4, 4), (6, 2, 2), (8, 10)]}


def split_three_ways(x):
    a, b, c = np.split(x, 3, axis=1)
    return np.sum(a * b) + np.sum(np.sin(c))


def array_split_uneven(x):
    parts = np.array_split(x, 4, axis=1)
    return np.sum(parts[0] ** 2) + np.sum(parts[3] * parts[1])


def hsplit_and_vsplit(x):
    left, right = np.hsplit(x, 2)
    top, bottom = np.vsplit(x * x, [1])
    return np.sum(left * right) + np.sum(np.cos(top)) + np.sum(bottom[0])


def dsplit_cube(x):
    front, back = np.dsplit(np.reshape(x, (2, 2, 6)), [2])
    return np.sum(front ** 3) + np.sum(np.exp(back * 0.3))


def append_rows(x):
    return np.sum(np.append(x, x[:1] * 2.0, axis=0) ** 2 * WEIGHTS[(5, 6)])


def append_flattened(x):
    return np.sum(np.append(x[0], [x[1, 0], 3.0]) ** 3)


def column_stack_vectors(x):
    return np.sum(np.column_stack([x[0], x[1] ** 2]) * WEIGHTS[(6, 2)])


def cross_rows(x):
    return np.sum(np.cross(x[:, :3], x[:, 3:]) ** 2) + np.sum(np.cross(x[0, :3], x[1:, 2:5], axisb=1, axisc=0))


def kron_blocks(x):
    return np.sum(np.kron(x[:2, :2], x[2:, 4:]) ** 2 * WEIGHTS[(4, 4)])


def rollaxis_then_weights(x):
    return np.sum(np.rollaxis(np.reshape(x, (2, 2, 6)), 2) ** 2 * WEIGHTS[(6, 2, 2)])


def rot90_three_times(x):
    return np.sum(np.rot90(x, 3) * np.sin(WEIGHTS[(6, 4)]) * np.rot90(x, -1))


def pad_reflect(x):
    return np.sum(np.pad(x, ((1, 2), (3, 1)), mode="reflect") ** 2 * WEIGHTS[(7, 10)])


def pad_constant_wrap_edge(x):
    constant = np.sum(np.pad(x, 2, constant_values=1.5) ** 3)
    wrapped = np.sum(np.pad(x, (2, 2), mode="wrap")[:, :4] ** 2 * WEIGHTS[(8, 10)][:, :4])
    edge = np.sum(np.pad(x * x, 1, mode="edge") * WEIGHTS[(6, 4)].reshape(4, 6)[0, 0])
    return constant + wrapped + edge + np.sum(np.pad(x, ((0, 1), (2, 0)), mode="symmetric") ** 2)


def partition_weights(x):
    return np.sum(np.partition(x, 2, axis=1) ** 2 * np.arange(6.0))


def select_pieces(x):
    return np.sum(np.select([x > 0.5, x < -0.5], [x ** 2, np.sin(x)], 0.1 * x))


def nan_to_num_of_ratio(x):
    ratio = np.where(x > 0, x * 3.0, np.where(x < -1.0, np.nan, -np.inf))
    return np.sum(np.nan_to_num(ratio, posinf=2.0, neginf=-2.0) ** 2 * x)


def take_along_sorted(x):
    order = np.argsort(x, axis=1)
    return np.sum(np.take_along_axis(x, order, axis=1) ** 2 * np.arange(6.0))


def degrees_and_radians(x):
    return np.sum(np.sin(np.radians(np.degrees(x) * 2.0)) * x)


def gradient_of_square(x):
    rows, columns = np.gradient(x ** 2, 0.5, edge_order=2)
    along = np.gradient(np.sin(x[0]), np.array([0.0, 0.2, 0.5, 0.6, 1.0, 1.3]))
    return np.sum(rows * W) + np.sum(columns ** 2) + np.sum(along ** 2)


def numpy_scalar_casts(x):
    return np.float64(x[0, 0]) * np.float32(x[1, 1]) + np.float64(np.sum(x * x)) * x[2, 2]


CASES = [split_three_ways, array_split_uneven, hsplit_and_vsplit, dsplit_cube, append_rows, append_flattened,
         column_stack_vectors, cross_rows, kron_blocks, rollaxis_then_weights, rot90_three_times, pad_reflect,
         pad_constant_wrap_edge, partition_weights, select_pieces, nan_to_num_of_ratio, take_along_sorted,
         degrees_and_radians, gradient_of_square, numpy_scalar_casts]
# Through np.float32 the function is rounded to float32: finite differences see its steps.
ROUNDED = {numpy_scalar_casts}


def _central(f, x, eps):
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def _point(f):
    """X, moved away from the kinks of np.select's conditions and np.nan_to_num's replaced elements."""
    if f in (select_pieces, nan_to_num_of_ratio):
        return np.where(np.abs(np.abs(X) - 0.5) < 0.05, X + 0.2, np.where(np.abs(X) < 0.05, 0.3, X))
    return X.copy()


def _eps(f):
    return 1e-3 if f in ROUNDED else 1e-6


def _rtol(f):
    return 1e-3 if f in ROUNDED else 1e-6


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences(f):
    x = _point(f)
    before = x.copy()
    gradient = srcgrad.grad(f)(x)
    assert isinstance(gradient, np.ndarray) and gradient.shape == x.shape and gradient.dtype == np.float64
    assert np.all(np.isfinite(gradient))
    np.testing.assert_allclose(gradient, _central(f, x, _eps(f)), rtol=_rtol(f), atol=1e-7)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_mode_against_finite_differences(f):
    x = _point(f)
    tangent = np.random.default_rng(7).normal(size=x.shape)
    value, derivative = srcgrad.jvp(f, (x,), (tangent,))
    assert np.ndim(derivative) == 0 and np.isfinite(derivative)
    np.testing.assert_allclose(value, f(x), rtol=1e-12)
    eps = _eps(f)
    expected = (f(x + eps * tangent) - f(x - eps * tangent)) / (2 * eps)
    np.testing.assert_allclose(derivative, expected, rtol=_rtol(f), atol=1e-7)
    # A float32 output has a float32 tangent: forward mode rounds where reverse mode does not.
    agreement = 1e-6 if f in ROUNDED else 1e-10
    np.testing.assert_allclose(derivative, np.sum(srcgrad.grad(f)(x) * tangent), rtol=agreement)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_hessian_against_finite_differences_of_the_gradient(f):
    x = _point(f)
    hessian = srcgrad.hessian(f)(x)
    assert hessian.shape == x.shape * 2 and hessian.dtype == np.float64
    assert np.all(np.isfinite(hessian))
    gradient = srcgrad.grad(f)
    eps = 1e-3 if f in ROUNDED else 1e-5
    columns = [_central(lambda v, i=i: gradient(v)[i], x, eps) for i in np.ndindex(x.shape)]
    expected = np.reshape(np.stack(columns), x.shape * 2)
    np.testing.assert_allclose(hessian, expected, rtol=_rtol(f) * 10, atol=1e-6)


def pad_mean(x):
    return np.sum(np.pad(x, 1, mode="mean"))


def pad_odd_reflection(x):
    return np.sum(np.pad(x, 1, mode="reflect", reflect_type="odd"))


def nan_to_num_in_place(x):
    y = x * 2.0
    return np.sum(np.nan_to_num(y, copy=False))


def cast_of_an_array(x):
    return np.sum(np.float64(x * 2.0))


@pytest.mark.parametrize(("f", "words"), [(pad_mean, "mode='mean'"), (pad_odd_reflection, "reflect_type='odd'"),
                                          (nan_to_num_in_place, "copy=False"),
                                          (cast_of_an_array, "np.asarray(x, dtype=...)")],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_what_has_no_derivative_here_is_refused_in_both_modes(f, words):
    with pytest.raises(srcgrad.SrcgradError, match="not supported") as caught:
        srcgrad.grad(f)(X)
    assert words in str(caught.value)
    with pytest.raises(srcgrad.SrcgradError, match="not supported"):
        srcgrad.jvp(f, (X,), (np.ones_like(X),))


def pad_with_an_active_constant(x):
    return np.sum(np.pad(x, 1, constant_values=x[0, 0]))


def test_an_active_pad_constant_is_refused_at_the_call():
    with pytest.raises(srcgrad.SrcgradError, match="constant_values"):
        srcgrad.grad(pad_with_an_active_constant)(X)


def split_pieces_unused(x):
    pieces = np.split(x, 2)
    return np.sum(pieces[1] ** 2)


def test_pieces_that_do_not_reach_the_output_get_zero_gradient():
    gradient = srcgrad.grad(split_pieces_unused)(X)
    np.testing.assert_array_equal(gradient[:2], 0.0)
    np.testing.assert_allclose(gradient[2:], 2 * X[2:], rtol=1e-14)


def float32_input(x):
    return np.sum(np.pad(np.partition(x, 1), 1, mode="edge") ** 2)


def test_float32_inputs_get_float32_gradients():
    x = X.astype(np.float32)
    gradient = srcgrad.grad(float32_input)(x)
    assert gradient.dtype == np.float32 and gradient.shape == x.shape
    np.testing.assert_allclose(gradient, srcgrad.grad(float32_input)(X), rtol=1e-5)


def select_broadcast(x):
    """Conditions, choices and default of different shapes, and a number among the choices."""
    return np.sum(np.select([x[0] > 0.0, x[:, :1] < 0.2], [np.exp(x[1]), x[2, 0] * 2.0], x) ** 2)


def select_number_choice(x):
    return np.sum(np.select([np.array([True, False, False, True, False, True])], [x[0, 0]], x[1] * x[2]) * x[3])


@pytest.mark.parametrize("f", [select_broadcast, select_number_choice], ids=lambda f: f.__name__)
def test_select_broadcasts_its_arguments(f):
    x = np.where(np.abs(X) < 0.1, 0.3, X)
    x = np.where(np.abs(x - 0.2) < 0.05, 0.3, x)
    gradient = srcgrad.grad(f)(x)
    np.testing.assert_allclose(gradient, _central(f, x, 1e-6), rtol=1e-6, atol=1e-8)
    tangent = np.random.default_rng(3).normal(size=x.shape)
    _, derivative = srcgrad.jvp(f, (x,), (tangent,))
    np.testing.assert_allclose(derivative, np.sum(gradient * tangent), rtol=1e-10)
    hessian = srcgrad.hessian(f)(x)
    expected = np.reshape(np.stack([_central(lambda v, i=i: srcgrad.grad(f)(v)[i], x, 1e-5)
                                    for i in np.ndindex(x.shape)]), x.shape * 2)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6)


def pad_widths_by_axis(x):
    return np.sum(np.pad(x, {1: (2, 3)}, mode="wrap") ** 2 * np.arange(44.0).reshape(4, 11))


def _pads_by_dict() -> bool:
    try:  # NumPy 2.3 and later take pad widths per axis in a dict
        np.pad(np.ones((2, 2)), {0: (1, 0)})
        return True
    except TypeError:
        return False


@pytest.mark.skipif(not _pads_by_dict(), reason="this NumPy takes no dict of pad widths")
def test_pad_widths_given_per_axis_in_a_dict():
    gradient = srcgrad.grad(pad_widths_by_axis)(X)
    np.testing.assert_allclose(gradient, _central(pad_widths_by_axis, X, 1e-6), rtol=1e-6, atol=1e-8)
