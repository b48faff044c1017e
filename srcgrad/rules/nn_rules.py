"""Activations and losses of ``torch.nn.functional``, as NumPy functions with reverse rules.

The Tensor shim's ``torch.nn.functional`` records these (``SoftmaxBackward0``, ``MseLossBackward0``, ...),
and the source transformer can differentiate code that calls them directly. Each follows PyTorch's
definition: softmax and log-softmax shifted by the maximum, binary cross-entropy with its logarithms
clamped at -100, losses reduced by ``"mean"`` (the default), ``"sum"`` or ``"none"``."""

from __future__ import annotations

import math

import numpy as np

from .helpers import unbroadcast
from .registry import defjvp, defvjp

REDUCTIONS = ("none", "mean", "sum")
_ERF = np.frompyfunc(math.erf, 1, 1)


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(losses.mean(), losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), losses.dtype)
    if reduction == "none":
        return losses
    raise ValueError(f"{reduction} is not a valid value for reduction")


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, in ``x``'s dtype (NumPy has none; ``math.erf`` per element)."""
    return np.asarray(_ERF(x), dtype=np.result_type(x, np.float32))


def softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype)


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    difference = input - target
    return _reduce(difference * difference, reduction)


def nll_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """``-input[n, target[n]]`` per sample (``input`` of shape (N, C) or (C,)), reduced."""
    return _reduce(-picked(input, target), reduction)


def binary_cross_entropy(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    log_p, log_q = bce_logs(input)
    return _reduce(-(target * log_p + (1 - target) * log_q), reduction)


def binary_cross_entropy_with_logits(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    losses = (1 - target) * input + np.logaddexp(0, -input)
    return _reduce(losses.astype(input.dtype), reduction)


def spread(g: np.ndarray, like: np.ndarray, reduction: str) -> np.ndarray:
    """The cotangent of each element's loss (shaped like ``like``) from the cotangent of the reduced loss."""
    if reduction == "none":
        return g
    count = np.size(like)
    scale = 1.0 / count if reduction == "mean" and count else 1.0
    return np.broadcast_to(np.asarray(g) * scale, like.shape)


def reduced_tangent(per_element: np.ndarray, reduction: str) -> np.ndarray:
    """The tangent of a reduced loss from the tangents of the elements' losses (reduction is linear)."""
    return _reduce(per_element, reduction)


def gelu_slope(x: np.ndarray, approximate: str) -> np.ndarray:
    """d gelu(x) / dx, elementwise, in ``x``'s dtype."""
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x ** 3))
        return (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)).astype(x.dtype)
    cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
    return (cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)).astype(x.dtype)


def picked(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``values[n, target[n]]`` for (N, C) values, ``values[target]`` for (C,) ones."""
    return values[np.arange(len(target)), target] if values.ndim == 2 else values[target]


def nll_input_partial(g: np.ndarray, input: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
    out = np.zeros_like(input)
    per_sample = -spread(g, np.asarray(target), reduction)
    if input.ndim == 2:
        out[np.arange(len(target)), target] = per_sample
    else:
        out[target] = per_sample
    return out


def bce_logs(input: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log(p)`` and ``log(1 - p)``, each clamped at -100 as PyTorch clamps them."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(input), -100), np.maximum(np.log1p(-input), -100)


def bce_input_slope(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    return (input - target) / np.maximum((1 - input) * input, 1e-12)


def bce_target_slope(input: np.ndarray) -> np.ndarray:
    log_p, log_q = bce_logs(input)
    return log_q - log_p


def sigmoid_of(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


@defvjp(softmax)
def _(g, ans, x, dim):
    return ans * (g - (g * ans).sum(axis=dim, keepdims=True))


@defjvp(softmax)
def _(t, ans, x, dim):
    return ans * (t - (t * ans).sum(axis=dim, keepdims=True))


@defvjp(log_softmax)
def _(g, ans, x, dim):
    return g - np.exp(ans) * g.sum(axis=dim, keepdims=True)


@defjvp(log_softmax)
def _(t, ans, x, dim):
    return t - (np.exp(ans) * t).sum(axis=dim, keepdims=True)


@defvjp(gelu)
def _(g, ans, x, approximate="none"):
    return g * gelu_slope(x, approximate)


@defjvp(gelu)
def _(t, ans, x, approximate="none"):
    return t * gelu_slope(x, approximate)


@defvjp(mse_loss, argnums=(0, 1))
def _(g, ans, input, target, reduction="mean"):
    return (unbroadcast(spread(g, input - target, reduction) * (2 * (input - target)), input),
            unbroadcast(spread(g, input - target, reduction) * (2 * (target - input)), target))


@defjvp(mse_loss, argnum=0)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(2 * (input - target) * t, reduction)


@defjvp(mse_loss, argnum=1)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(2 * (target - input) * t, reduction)


@defvjp(nll_loss)
def _(g, ans, input, target, reduction="mean"):
    return nll_input_partial(g, input, target, reduction)


@defjvp(nll_loss)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(-picked(np.broadcast_to(t, input.shape), target), reduction)


@defvjp(binary_cross_entropy, argnums=(0, 1))
def _(g, ans, input, target, reduction="mean"):
    return (spread(g, input, reduction) * bce_input_slope(input, target),
            spread(g, input, reduction) * bce_target_slope(input))


@defjvp(binary_cross_entropy, argnum=0)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(bce_input_slope(input, target) * t, reduction)


@defjvp(binary_cross_entropy, argnum=1)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(bce_target_slope(input) * t, reduction)


@defvjp(binary_cross_entropy_with_logits, argnums=(0, 1))
def _(g, ans, input, target, reduction="mean"):
    return spread(g, input, reduction) * (sigmoid_of(input) - target), spread(g, input, reduction) * -input


@defjvp(binary_cross_entropy_with_logits, argnum=0)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent((sigmoid_of(input) - target) * t, reduction)


@defjvp(binary_cross_entropy_with_logits, argnum=1)
def _(t, ans, input, target, reduction="mean"):
    return reduced_tangent(-input * t, reduction)
