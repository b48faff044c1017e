"""Rules the user registers (``srcgrad.defvjp``, ``custom_vjp``) serve the Tensor shim too: the same rule
differentiates ``srcgrad.grad`` code and ``Tensor.backward``, checked against central differences and,
where PyTorch has the function, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import srcgrad
import srcgrad as torch

X = np.array([0.5, -2.0, 3.0, -0.25])


def softsign(x):
    return x / (1.0 + np.abs(x))


@srcgrad.defvjp(softsign)
def _softsign_vjp(g, ans, x):
    return g / (1.0 + np.abs(x)) ** 2


def scaled_hypot(x, y, scale=1.0):
    return np.hypot(x, y) * scale


@srcgrad.defvjp(scaled_hypot, argnums=(0, 1))
def _scaled_hypot_vjp(g, ans, x, y, scale=1.0):
    safe = np.where(ans == 0, 1.0, ans)
    return g * scale * scale * x / safe, g * scale * scale * y / safe


def central_difference(f, x, step=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = step
        out[i] = (np.sum(f(x + e)) - np.sum(f(x - e))) / (2 * step)
    return out


def test_a_defvjp_rule_serves_the_transformer_and_the_shim():
    x = torch.tensor(X, requires_grad=True)
    y = srcgrad.on_tensors(softsign)(x)
    assert type(y.grad_fn).__name__ == "SoftsignBackward"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    y.sum().backward()
    shim_gradient = x.grad.numpy()
    transformed = srcgrad.grad(lambda v: np.sum(softsign(v)))(X)
    assert shim_gradient.dtype == np.float64 and shim_gradient.shape == X.shape
    np.testing.assert_allclose(shim_gradient, transformed, rtol=1e-15)
    np.testing.assert_allclose(shim_gradient, central_difference(softsign, X), rtol=1e-8)


def test_the_registered_rule_matches_pytorch():
    real_torch = pytest.importorskip("torch")
    expected = real_torch.tensor(X, requires_grad=True)
    real_torch.nn.functional.softsign(expected).sum().backward()
    x = torch.tensor(X, requires_grad=True)
    srcgrad.on_tensors(softsign)(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected.grad.numpy(), rtol=1e-15)


def test_a_rule_with_two_differentiable_arguments_and_a_constant():
    hypot = srcgrad.on_tensors(scaled_hypot)
    a = torch.tensor(X, requires_grad=True)
    b = torch.tensor(X[::-1].copy())  # no gradient: its edge is empty
    out = hypot(a, b, scale=2.0)
    assert [fn is None for fn, _ in out.grad_fn.next_functions] == [False, True]
    (out * out).sum().backward()
    expected = central_difference(lambda v: scaled_hypot(v, X[::-1], 2.0) ** 2, X)
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-7)
    assert b.grad is None


def test_gradients_accumulate_and_float32_stays_float32():
    x = torch.tensor(X.astype(np.float32), requires_grad=True)
    f = srcgrad.on_tensors(softsign)
    f(x).sum().backward()
    f(x).sum().backward()
    assert x.grad.dtype == torch.float32
    np.testing.assert_allclose(x.grad.numpy(), 2 * _softsign_vjp(1.0, None, X), rtol=1e-6)


def test_no_grad_and_plain_tensors_record_nothing():
    f = srcgrad.on_tensors(softsign)
    with torch.no_grad():
        assert f(torch.tensor(X, requires_grad=True)).grad_fn is None
    plain = f(torch.tensor(X))
    assert plain.grad_fn is None and not plain.requires_grad
    np.testing.assert_allclose(plain.numpy(), softsign(X))


def test_a_function_without_a_rule_names_how_to_register_one():
    def no_rule(x):
        return x * 2.0

    with pytest.raises(srcgrad.MissingRuleError, match=r"srcgrad\.defvjp"):
        srcgrad.on_tensors(no_rule)(torch.tensor(X, requires_grad=True))


@srcgrad.custom_vjp
def clip_gradient(x, lo):
    return x


def _clip_fwd(x, lo):
    return x, lo


def _clip_bwd(lo, g):
    return np.clip(g, lo, -lo), None


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_a_custom_vjp_function_called_with_tensors_records_its_backward():
    x = torch.tensor(X, requires_grad=True)
    y = clip_gradient(x * 3.0, -0.5)
    assert type(y.grad_fn).__name__ == "ClipGradientBackward"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(4, 1.5), rtol=0)
    transformed = srcgrad.grad(lambda v: np.sum(clip_gradient(v * 3.0, -0.5)))(X)
    np.testing.assert_allclose(x.grad.numpy(), transformed, rtol=0)


@srcgrad.custom_jvp
def forward_only(x):
    return np.sin(x)


@forward_only.defjvp
def _forward_only_jvp(primals, tangents):
    return np.sin(primals[0]), np.cos(primals[0]) * tangents[0]


def test_a_custom_jvp_function_cannot_run_backward_and_says_so():
    np.testing.assert_allclose(forward_only(torch.tensor(X)).numpy(), np.sin(X))
    with pytest.raises(srcgrad.MissingRuleError, match="custom_vjp"):
        forward_only(torch.tensor(X, requires_grad=True))
