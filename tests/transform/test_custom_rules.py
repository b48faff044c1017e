"""custom_vjp, defvjp for third-party functions, and stop_gradient."""

import math

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad


@srcgrad.custom_vjp
def clipped_identity(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(residuals, g):
    return (np.clip(g, -1.0, 1.0),)


clipped_identity.defvjp(_clip_fwd, _clip_bwd)


def gradient_surgery(x):
    return np.sum(clipped_identity(x * 10.0) ** 2)


@srcgrad.custom_vjp
def stable_log1pexp(x):
    return np.logaddexp(0.0, x)


def _softplus_fwd(x):
    out = np.logaddexp(0.0, x)
    return out, (x,)


def _softplus_bwd(residuals, g):
    (x,) = residuals
    return (g / (1.0 + np.exp(-x)),)


stable_log1pexp.defvjp(_softplus_fwd, _softplus_bwd)


def softplus_loss(x):
    return np.sum(stable_log1pexp(x) * 2.0)


def test_custom_vjp_replaces_the_derivative():
    x = np.array([0.01, -0.2, 0.05])
    g = srcgrad.grad(gradient_surgery)(x)
    # true gradient 2 * 10 x * 10 = 200 x; the custom rule clips the cotangent 2 * 10 x to [-1, 1]
    np.testing.assert_allclose(g, np.clip(20.0 * x, -1.0, 1.0) * 10.0)
    assert clipped_identity(3.0) == 3.0


def test_custom_vjp_agrees_with_finite_differences_when_exact():
    check_grad(softplus_loss, (np.array([-30.0, -1.0, 0.5, 40.0]),), (0,))


def test_custom_vjp_without_rule_is_an_error():
    @srcgrad.custom_vjp
    def no_rule(x):
        return x * 2

    def uses(x):
        return np.sum(no_rule(x))

    with pytest.raises(TypeError, match="defvjp"):
        srcgrad.grad(uses)(np.ones(2))


def test_defvjp_teaches_a_third_party_function():
    np_erf = np.frompyfunc(math.erf, 1, 1)

    def erf_array(x):
        return np_erf(x).astype(float)

    srcgrad.defvjp(erf_array, lambda g, ans, x: g * 2.0 / np.sqrt(np.pi) * np.exp(-x * x))

    def loss(x):
        return np.sum(erf_array(x) ** 2)

    check_grad(loss, (np.array([0.1, -0.5, 1.2]),), (0,))


def stops(x):
    return np.sum(x * srcgrad.stop_gradient(x))


def test_stop_gradient_treats_its_argument_as_constant():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(srcgrad.grad(stops)(x), x)


@srcgrad.custom_jvp
def safe_log(x):
    return np.log(x)


@safe_log.defjvp
def _safe_log_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return np.log(x), t / np.maximum(x, 1e-3)


def uses_safe_log(x):
    return np.sum(safe_log(x) * 2.0)


def test_custom_jvp_in_forward_mode_and_refused_in_reverse_mode():
    x = np.array([1e-5, 0.5, 2.0])
    t = np.ones(3)
    out, tangent = srcgrad.jvp(uses_safe_log, (x,), (t,))
    np.testing.assert_allclose(out, uses_safe_log(x))
    np.testing.assert_allclose(tangent, np.sum(2.0 / np.maximum(x, 1e-3)))
    with pytest.raises(srcgrad.MissingRuleError, match="custom_jvp"):
        srcgrad.grad(uses_safe_log)(x)


def scaled_power(x, p=3, scale=0.5):
    return scale * x ** p


def uses_scaled_power(x):
    return scaled_power(x) + scaled_power(x, 2)


def test_a_rule_sees_the_primals_own_defaults():
    """A lambda rule has no source of its own: the defaults of a call that leaves them out come from the
    primal's signature."""
    from srcgrad.rules import registry

    saved = registry.snapshot()
    try:
        srcgrad.defvjp(scaled_power, lambda g, ans, x, p=3, scale=0.5: g * scale * p * x ** (p - 1))
        got = srcgrad.grad(uses_scaled_power)(1.5)
    finally:
        registry.restore(saved)
    assert type(got) is float
    assert got == pytest.approx(0.5 * 3 * 1.5 ** 2 + 0.5 * 2 * 1.5, rel=1e-15)
    check_grad(uses_scaled_power, [1.5])
