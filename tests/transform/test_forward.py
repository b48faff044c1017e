"""Forward mode (``srcgrad.jvp``) on every corpus function: the tangent of the output along random
tangents equals ``<grad, tangent>`` from reverse mode (float64 precision) and central finite differences."""

import numpy as np
import pytest
import test_control_extended
import test_corpus_calls
import test_corpus_control
import test_corpus_straight

import srcgrad
import srcgrad.cache

CASES = [c for corpus in (test_corpus_straight.CORPUS, test_corpus_control.CORPUS, test_corpus_calls.CORPUS)
         for c in corpus]
EXTENDED = test_control_extended.CASES


def _random_tangent(value, rng):
    if isinstance(value, float):
        return float(rng.normal())
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return rng.normal(size=value.shape).astype(value.dtype)
    if isinstance(value, dict):
        return {k: _random_tangent(v, rng) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_random_tangent(v, rng) for v in value)
    return None


def _dot(a, b):
    if isinstance(a, dict):
        return sum(_dot(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return sum(_dot(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def _check(fn, args, wrt):
    rng = np.random.default_rng(1)
    wrt = tuple(wrt)
    tangents = [_random_tangent(args[i], rng) for i in wrt]

    # Some corpus functions take integers too; the forward transform takes tangents for ``wrt`` only.
    generated = srcgrad.cache.forward_generated(fn, wrt, args)
    generated.refresh()
    out, tangent_out = generated.function(*args, *tangents)
    np.testing.assert_allclose(out, fn(*args), rtol=1e-12)
    gradients = srcgrad.grad(fn, argnums=wrt)(*args)
    expected = sum(_dot(g, t) for g, t in zip(gradients, tangents))
    assert np.isfinite(tangent_out)
    np.testing.assert_allclose(tangent_out, expected, rtol=1e-9, atol=1e-11 * max(1.0, abs(expected)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_jvp_matches_reverse_mode(case):
    if "custom_vjp" in case.name:
        # custom_vjp defines reverse mode only (as in JAX): forward mode must refuse, not guess.
        with pytest.raises(srcgrad.MissingRuleError, match="custom_vjp"):
            _check(case.fn, case.args(), case.wrt)
        return
    _check(case.fn, case.args(), case.wrt)


@pytest.mark.parametrize(("f", "args", "argnums"), EXTENDED, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(EXTENDED)])
def test_jvp_matches_reverse_mode_on_control_flow(f, args, argnums):
    _check(f, args, argnums)


def test_jvp_of_a_vector_function_against_finite_differences():
    def f(x, y):
        return np.tanh(x * y) + np.sin(x) ** 2

    x, y = np.array([0.3, -0.5]), np.array([1.5, 0.2])
    tx, ty = np.array([1.0, 0.5]), np.array([-0.3, 2.0])
    out, tangent = srcgrad.jvp(f, (x, y), (tx, ty))
    eps = 1e-6
    fd = (f(x + eps * tx, y + eps * ty) - f(x - eps * tx, y - eps * ty)) / (2 * eps)
    np.testing.assert_allclose(out, f(x, y))
    np.testing.assert_allclose(tangent, fd, rtol=1e-7)
    assert tangent.shape == (2,) and tangent.dtype == np.float64


def test_jvp_checks_tangent_shapes():
    with pytest.raises(ValueError, match="shape"):
        srcgrad.jvp(np.sin, (np.ones(3),), (np.ones(2),))


def _forward_example(x, y):
    return np.sum(np.sin(x) * y)


def test_show_forward_mode():
    source = srcgrad.show(_forward_example, argnums=(0, 1), mode="forward")
    assert source.startswith("def forward_example_jvp(x, y, d_x, d_y):")
    assert "# line" in source
    with pytest.raises(ValueError, match="mode"):
        srcgrad.show(_forward_example, mode="sideways")


# An inactive operand can make an output wider than every tangent that flows into it: the tangent of
# ``zeros(3) + s`` is ``t_s`` on each of the three elements, not the scalar ``t_s``.
def _widened_sum(s):
    return np.sum(np.zeros(3) + s)


def _widened_element(s):
    y = np.ones((2, 3)) * 0.5 - s
    return y[1, 2] * y[0, 0]


def _widened_column(c, w):
    y = np.maximum(np.zeros((2, 3)), c) + w
    return np.sum(np.sin(y))


def _widened_where(s):
    y = np.where(np.arange(4) > 1, s, np.ones(4))
    return np.sum(y ** 2)


def _central(f, args, wrt, tangent, eps=1e-6):
    plus = list(args)
    minus = list(args)
    plus[wrt] = args[wrt] + eps * tangent
    minus[wrt] = args[wrt] - eps * tangent
    return (f(*plus) - f(*minus)) / (2 * eps)


@pytest.mark.parametrize(("f", "args"), [
    (_widened_sum, (0.7,)),
    (_widened_element, (0.3,)),
    (_widened_column, (np.array([[0.4], [-0.2]]), 0.25)),
    (_widened_where, (1.5,)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_jvp_widens_a_tangent_to_its_output_shape(f, args):
    for wrt in range(len(args)):
        tangent = np.full(np.shape(args[wrt]), 1.3) if np.ndim(args[wrt]) else 1.3
        tangents = tuple(tangent if i == wrt else np.zeros_like(a) if np.ndim(a) else 0.0
                         for i, a in enumerate(args))
        out, tangent_out = srcgrad.jvp(f, args, tangents)
        expected = _central(f, args, wrt, tangent)
        assert np.shape(tangent_out) == ()
        np.testing.assert_allclose(tangent_out, expected, rtol=1e-7)
        assert abs(expected) > 1e-3


def test_derivatives_through_a_widened_tangent():
    # derivative(f, 2) differentiates forward-mode code again, and hessian runs reverse over forward
    def f(s):
        return np.sum((np.zeros(3) + s) ** 3)

    s = 0.7
    np.testing.assert_allclose(srcgrad.derivative(f, 1)(s), 9 * s ** 2, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.derivative(f, 2)(s), 18 * s, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.derivative(f, 3)(s), 18.0, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.hessian(f)(s), 18 * s, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.hvp(f, (s,), (2.0,)), 36 * s, rtol=1e-12)
