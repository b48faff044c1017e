"""Focused tests of the soundness analyses: each construct here is either differentiated right (checked
against central differences) or refused at the user's line, and each test fails without the piece it names.
The adversarial suite (test_suite.py) covers the same ground broadly; these pin the edges."""

from __future__ import annotations

import numpy as np
import pytest

import srcgrad
from srcgrad.rules.sequence_rules import plus_grad, plus_tangent, times_grad, times_tangent

X = np.array([0.3, -0.7, 1.2])


def central_differences(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x.copy() + e) - f(x.copy() - e)) / (2 * eps)
    return g


def refusal_line(f, *args):
    with pytest.raises(srcgrad.SrcgradError) as raised:
        srcgrad.grad(f)(*args)
    assert raised.value.filename == __file__
    return raised.value.lineno


def _writes_through_alias(u):
    w = u
    w[0] = 2.0 * w[1]
    return np.sum(w)


def _adds_in_place(u):
    u += 1.0
    return np.sum(u)


def calls_a_writing_helper(x):
    y = x * 1.0
    s = _writes_through_alias(y)
    return s + np.sum(y * y)


def calls_an_in_place_helper(x):
    y = x * 1.0
    s = _adds_in_place(y)
    return s * np.sum(y)


@pytest.mark.parametrize("f, helper", [(calls_a_writing_helper, _writes_through_alias),
                                       (calls_an_in_place_helper, _adds_in_place)])
def test_a_callee_that_changes_its_argument_through_any_name_is_refused_at_its_line(f, helper):
    line = refusal_line(f, X.copy())
    first = helper.__code__.co_firstlineno
    assert first < line <= first + 3


def r_with_a_slice(x):
    return np.sum(np.r_[x, 0:2] ** 2)


def test_an_index_trick_that_is_not_lowered_is_refused_not_a_constant():
    assert refusal_line(r_with_a_slice, X.copy()) == r_with_a_slice.__code__.co_firstlineno + 1


def r_of_values(x):
    return np.sum(np.r_[x, 2.0 * x[:2], x[0]] ** 2)


def c_of_values(x):
    return np.sum(np.c_[x, x * x] * np.arange(6.0).reshape(3, 2))


@pytest.mark.parametrize("f", [r_of_values, c_of_values])
def test_index_tricks_of_values_are_differentiated(f):
    got = srcgrad.grad(f)(X.copy())
    np.testing.assert_allclose(got, central_differences(f, X), rtol=1e-7, atol=1e-8)
    assert got.shape == X.shape and got.dtype == np.float64


def out_in_a_condition(x):
    buf = np.zeros(3)
    if np.sum(np.multiply(x, x, out=buf)) > 0.0:
        return np.sum(buf * x)
    return np.sum(x)


def test_an_out_argument_inside_an_expression_is_refused_at_its_line():
    assert refusal_line(out_in_a_condition, X.copy()) == out_in_a_condition.__code__.co_firstlineno + 2


def out_with_where(x):
    buf = np.full(3, 5.0)
    np.multiply(x, x, out=buf, where=x > 0.0)
    return np.sum(buf * x)


def test_out_with_where_keeps_the_old_values_where_the_mask_is_false():
    got = srcgrad.grad(out_with_where)(X.copy())
    np.testing.assert_allclose(got, central_differences(out_with_where, X), rtol=1e-7, atol=1e-8)
    _, tangent = srcgrad.jvp(out_with_where, (X.copy(),), (np.ones(3),))
    assert tangent == pytest.approx(central_differences(out_with_where, X).sum(), rel=1e-7)


def alias_message(x):
    y = x
    y += 1.0
    return np.sum(x * y)


def test_the_refusal_says_what_changed_what_else_sees_it_and_how_to_write_it():
    with pytest.raises(srcgrad.SrcgradSyntaxError) as raised:
        srcgrad.grad(alias_message)(X.copy())
    text = str(raised.value)
    assert "updating 'y' in place may also change 'x'" in text
    assert "y = y + ..." in text


@pytest.mark.parametrize("a_shape, b_shape, which", [((3,), (2, 3), 0), ((2, 1), (2, 3), 0), ((2, 3), (3,), 1)])
def test_sequence_helpers_are_transposes_of_each_other_under_broadcasting(a_shape, b_shape, which):
    """``plus_tangent`` is the transpose of ``plus_grad`` (and ``times_tangent`` of ``times_grad``): the
    second derivatives of code with ``+``/``*`` over values not proven numeric rely on it."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    out = rng.normal(size=np.broadcast_shapes(a_shape, b_shape))
    operand = rng.normal(size=(a_shape, b_shape)[which])
    for grad_fn, tangent_fn in ((plus_grad, plus_tangent), (times_grad, times_tangent)):
        left = np.sum(grad_fn(out, a, b, which) * operand)
        right = np.sum(out * tangent_fn(operand, a, b, which))
        assert left == pytest.approx(right, rel=1e-12)
        assert np.shape(tangent_fn(operand, a, b, which)) == out.shape


def grows_while_iterating(x):
    items = [x, 2.0 * x]
    total = 0.0
    for item in items:
        if len(items) < 4:
            items.append(item * 3.0)
        total = total + np.sum(item)
    return total


def test_appending_to_the_list_a_loop_iterates_is_refused():
    assert refusal_line(grows_while_iterating, X.copy()) == grows_while_iterating.__code__.co_firstlineno + 5


def complex_by_name(x):
    z = np.asarray(x, dtype="complex128")
    return np.sum(np.abs(z))


def complex_by_type(x):
    z = x.astype(np.complex64)
    return np.sum(np.abs(z))


def complex_literal(x):
    return np.sum(np.abs(x + 0.5j))


@pytest.mark.parametrize("f", [complex_by_name, complex_by_type, complex_literal])
def test_complex_values_from_dtypes_and_literals_are_differentiated(f):
    """Complex values made by a dtype or a literal are tracked (analysis/complex_values.py) like those of
    np.fft: np.abs of them gets the complex rule."""
    got = srcgrad.grad(f)(X.copy())
    assert got.dtype == np.float64 and got.shape == X.shape
    expected = X / np.abs(X + 0.5j) if f is complex_literal else np.sign(X)  # complex64: no finite differences
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_allclose(got, central_differences(f, X, eps=1e-3), rtol=1e-3)


def complex_variance(x):
    z = np.asarray(x, dtype="complex128") * (1.0 + 2.0j)
    return np.var(z).real


def complex_maximum(x):
    z = x + 0.5j
    return np.sum(np.abs(np.maximum(z, 0.1j)))


def complex_norm(x):
    z = np.fft.fft(x)
    return np.linalg.norm(z)


@pytest.mark.parametrize("f", [complex_variance, complex_maximum, complex_norm])
def test_unverified_operations_on_complex_values_are_refused_at_their_line(f):
    """np.var, np.maximum and np.linalg.norm have rules for real operands only: on a complex value that
    depends on the differentiated inputs they are refused, at the line that calls them."""
    assert refusal_line(f, X.copy()) == f.__code__.co_firstlineno + 2


def arange_of_a_value(x):
    return np.sum(np.arange(x[1]) + x[0])


def norm_along_a_variable_axis(m):
    axis = 1
    return np.sum(np.linalg.norm(m, 2, axis) * np.array([1.0, 2.0]))


@pytest.mark.parametrize("f, x", [(arange_of_a_value, np.array([0.5, 0.5])),
                                  (arange_of_a_value, np.array([0.5, 2.5])),
                                  (norm_along_a_variable_axis, np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]]))])
def test_shapes_that_depend_on_a_scalar_variable_are_not_guessed(f, x):
    """Static shape inference evaluates calls on stand-in zeros; a scalar variable may be a length or an
    axis, so a call that receives one (other than a ufunc or a math function) has an unknown shape."""
    got = srcgrad.grad(f)(x.copy())
    np.testing.assert_allclose(got, central_differences(f, x), rtol=1e-7, atol=1e-8)
    assert got.shape == x.shape
