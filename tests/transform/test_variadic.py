"""``*args``, ``**kwargs``, keyword-only and positional-only parameters, star-arguments in calls, and
keyword arguments that travel by name: reverse mode against central differences, forward mode against
reverse mode, Hessians against differences of the gradient."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad

X = np.array([0.3, -0.7, 1.1])
Y = np.array([1.5, -0.5, 0.25])


def _inner(x, y, scale=1.0):
    return np.sum(np.sin(x) * y) * scale


def _forward_all(*args, **kwargs):
    return _inner(*args, **kwargs)


def forwards_positional_and_keywords(x, y):
    return _forward_all(x, y, scale=3.0) + _forward_all(x, y=y)


def _logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@_logged
def _decorated_loss(w, b, reg=0.1):
    return np.sum((w * 2.0 + b) ** 2) + reg * np.sum(w * w)


def calls_a_decorated_function(w, b):
    return _decorated_loss(w, b, reg=0.5) + _decorated_loss(w, b)


def _sum_of_squares(*vs):
    total = 0.0
    for v in vs:
        total = total + np.sum(v * v)
    return total * len(vs)


def varargs_loop(x, y):
    return _sum_of_squares(x, y, x * y)


def _keyword_only(x, *, power=2.0, shift):
    return np.sum((x + shift) ** power)


def keyword_only_callee(x, y):
    return _keyword_only(x, shift=np.sum(y)) + _keyword_only(y, power=3.0, shift=0.5)


def _options(x, **options):
    alpha = options.get("alpha", 2.0)
    gamma = options.get("gamma", 0.5)
    return np.sum(x * alpha) + options["beta"] * gamma


def kwargs_lookups(x, y):
    return _options(x, alpha=np.sum(y), beta=np.prod(y))


def _positional_only(a, b, /, c=1.0):
    return np.sum(a * b) + c


def positional_only_callee(x, y):
    return _positional_only(x, y, c=np.sum(x * x))


def _apply(f, *args, **kwargs):
    return f(*args, **kwargs)


def function_argument_with_keywords(x, y):
    return _apply(_inner, x, y, scale=2.0) + np.sum(_apply(np.tanh, x * y))


def runtime_callee_with_keywords(x, y, f):
    return f(x, y=y, scale=0.5)


def _pair_sum(pair):
    return _inner(*pair)


def spreads_a_tuple_parameter(x, y):
    return _pair_sum((x, y))


def spreads_a_tuple_display(x, y):
    return _inner(*(x, y), **{"scale": 2.0}) + _inner(*[y], *(x,))


def _partial_target(x, y, scale=1.0, shift=0.0):
    return np.sum(np.cos(x) * y) * scale + shift


_bound_partial = functools.partial(_partial_target, scale=2.0)


def partial_with_keywords(x, y):
    return _bound_partial(x, y=y, shift=np.sum(x))


def partial_keyword_overridden(x, y):
    return _bound_partial(x, y, scale=np.sum(y), shift=1.0)  # the call's scale replaces the partial's


def _lambda_varargs(x, y):
    star = lambda *vs: vs[0] * vs[1]
    return np.sum(star(x, y))


class _Model:
    def __init__(self, weight):
        self.weight = weight

    def forward(self, *inputs, bias=0.0):
        out = 0.0
        for v in inputs:
            out = out + np.tanh(v * self.weight + bias)
        return np.sum(out)


def method_with_varargs(x, y):
    model = _Model(0.7)
    return model.forward(x, y, bias=0.1)


CORPUS = [forwards_positional_and_keywords, calls_a_decorated_function, varargs_loop, keyword_only_callee,
          kwargs_lookups, positional_only_callee, function_argument_with_keywords, spreads_a_tuple_parameter,
          spreads_a_tuple_display, partial_with_keywords, partial_keyword_overridden, _lambda_varargs, method_with_varargs]


@pytest.mark.parametrize("f", CORPUS, ids=lambda f: f.__name__)
def test_reverse_mode_matches_finite_differences(f):
    gradients = check_grad(f, [X, Y], argnums=(0, 1))
    for gradient in gradients:
        assert gradient.shape == (3,) and gradient.dtype == np.float64
        assert np.all(np.isfinite(gradient))


@pytest.mark.parametrize("f", CORPUS, ids=lambda f: f.__name__)
def test_forward_mode_matches_reverse_mode(f):
    tx, ty = np.array([0.2, -1.0, 0.4]), np.array([-0.3, 0.6, 1.2])
    out, tangent = srcgrad.jvp(f, (X, Y), (tx, ty))
    gx, gy = srcgrad.grad(f, (0, 1))(X, Y)
    assert out == pytest.approx(f(X, Y), rel=1e-14)
    assert tangent == pytest.approx(np.dot(gx, tx) + np.dot(gy, ty), rel=1e-12)


@pytest.mark.parametrize("f", CORPUS, ids=lambda f: f.__name__)
def test_hessians_match_differences_of_the_gradient(f):
    hessian = srcgrad.hessian(f)(X, Y)
    gradient, step = srcgrad.grad(f), 1e-5
    expected = np.array([(gradient(X + step * e, Y) - gradient(X - step * e, Y)) / (2 * step) for e in np.eye(3)])
    assert hessian.shape == (3, 3) and hessian.dtype == np.float64
    np.testing.assert_allclose(hessian, expected, rtol=1e-6, atol=1e-8)


def _apply_with_keywords(f, x):
    return f(x, axis=0)


def test_hessians_through_a_numpy_function_passed_with_keywords_say_so():
    with pytest.raises(srcgrad.MissingRuleError, match=r"numpy\.sum, passed as a function value"):
        srcgrad.hessian(lambda x: _apply_with_keywords(np.sum, x * x))(X)


def test_a_runtime_callee_receives_keywords_by_name():
    gradients = srcgrad.grad(runtime_callee_with_keywords, (0, 1))(X, Y, _inner)
    np.testing.assert_allclose(gradients[0], 0.5 * np.cos(X) * Y, rtol=1e-14)
    np.testing.assert_allclose(gradients[1], 0.5 * np.sin(X), rtol=1e-14)


def _top_level(x, *rest, scale=1.0, **named):
    total = np.sum(x * x) * scale
    for r in rest:
        total = total + np.sum(np.sin(r) * x)
    return total + named.get("offset", 0.0) * np.sum(x)


def test_top_level_varargs_count_argnums_over_the_call_positions():
    r1, r2 = np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0])
    g0, g2 = srcgrad.grad(_top_level, (0, 2))(X, r1, r2, scale=2.0, offset=3.0)
    np.testing.assert_allclose(g0, 4.0 * X + np.sin(r1) + np.sin(r2) + 3.0, rtol=1e-14)
    np.testing.assert_allclose(g2, np.cos(r2) * X, rtol=1e-14)
    assert srcgrad.grad(_top_level, -1)(X, r1, r2) == pytest.approx(np.cos(r2) * X, rel=1e-14)
    value, g1 = srcgrad.value_and_grad(_top_level, 1)(X, r1)
    assert value == pytest.approx(_top_level(X, r1), rel=1e-15)
    np.testing.assert_allclose(g1, np.cos(r1) * X, rtol=1e-14)


def test_top_level_vjp_jvp_and_show_bind_the_call():
    r1 = np.array([0.1, 0.2, 0.3])
    out, vjp_fn = srcgrad.vjp(_top_level, X, r1)
    cx, cr = vjp_fn(1.0)
    np.testing.assert_allclose(cx, 2.0 * X + np.sin(r1), rtol=1e-14)
    np.testing.assert_allclose(cr, np.cos(r1) * X, rtol=1e-14)
    _, tangent = srcgrad.jvp(_top_level, (X, r1), (np.ones(3), np.zeros(3)))
    assert tangent == pytest.approx(np.sum(2.0 * X + np.sin(r1)), rel=1e-14)
    source = srcgrad.show(_top_level, X, r1)
    assert "def top_level_grad(x, rest, scale, named, d_out)" in source


def test_a_variadic_function_without_examples_names_what_to_do():
    """Before any call there is no code to show: which parameters are differentiated depends on the call.
    After one, ``show`` gives the code that call ran."""
    srcgrad.clear_cache(_top_level)
    with pytest.raises(srcgrad.SrcgradSyntaxError, match="depends on the call's arguments") as info:
        srcgrad.show(_top_level)
    assert info.value.lineno == _top_level.__code__.co_firstlineno
    g = srcgrad.grad(_top_level)
    g(X, X)
    assert srcgrad.show(g) == srcgrad.show(_top_level, X, X)
    assert "# specialized to x: float64[3], rest: tuple of 1" in srcgrad.show(g)


def test_gradients_of_keywords_that_land_in_kwargs_come_back_per_keyword():
    def through_kwargs(x, a, b):
        return _options(x, alpha=a, beta=b)

    gx, ga, gb = srcgrad.grad(through_kwargs, (0, 1, 2))(X, 2.0, 5.0)
    np.testing.assert_allclose(gx, np.full(3, 2.0))
    assert (ga, gb) == (pytest.approx(np.sum(X)), pytest.approx(0.5))
    assert type(ga) is float and type(gb) is float


def test_show_of_a_grad_object_of_a_variadic_function_uses_its_argnums():
    r1 = np.array([0.1, 0.2, 0.3])
    source = srcgrad.show(srcgrad.grad(_top_level, 1), X, r1)
    assert "def top_level_grad(x, rest, scale, named, d_out)" in source
    assert source.rstrip().endswith("return (d_seq,)")  # the gradient of `rest` alone, as the loop names it
    forward = srcgrad.show(_top_level, X, r1, argnums=1, mode="forward")
    assert "def top_level_jvp(x, rest, scale, named, d_rest)" in forward
