"""``torch.nn.functional``: the activations and losses autograd tutorials use, recorded with PyTorch's node
names (``SoftmaxBackward0``, ``MseLossBackward0``, ``NllLossBackward0``, ...) and differentiated by the
rules of ``srcgrad/rules/nn_rules.py``. ``cross_entropy`` is ``nll_loss`` of ``log_softmax``, as in
PyTorch, with class-index targets."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..rules import nn_rules
from . import messages
from . import nodes as N
from .nodes import derivative
from .ops import FP_ERRORS, QUIET, record, requires
from .tensor import Tensor, check_dim, edge, wrap

_SOFTMAX, _LOG_SOFTMAX = derivative(nn_rules.softmax), derivative(nn_rules.log_softmax)
_GELU, _NLL = derivative(nn_rules.gelu), derivative(nn_rules.nll_loss)
_MSE = derivative(nn_rules.mse_loss, (0, 1))
_BCE = derivative(nn_rules.binary_cross_entropy, (0, 1))
_BCE_LOGITS = derivative(nn_rules.binary_cross_entropy_with_logits, (0, 1))


def _implicit_dim(dim: Any, ndim: int, name: str) -> int:
    if dim is not None:
        return check_dim(dim, ndim)
    chosen = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(messages.IMPLICIT_DIM.format(name), UserWarning, stacklevel=3)
    return chosen


def _unary(primal: Any, how: tuple, node: str, a: Tensor, *args: Any) -> Tensor:
    token = FP_ERRORS.set(QUIET)
    try:
        out = primal(a._data, *args)
    finally:
        FP_ERRORS.reset(token)
    if requires(a):
        return record(out, N.kind(node, True), how, (edge(a),), (a._data, *args))
    return wrap(out)


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    return _unary(nn_rules.softmax, _SOFTMAX, "SoftmaxBackward0", input, _implicit_dim(dim, input.ndim, "softmax"))


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    return _unary(nn_rules.log_softmax, _LOG_SOFTMAX, "LogSoftmaxBackward0", input,
                  _implicit_dim(dim, input.ndim, "log_softmax"))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError(messages.GELU_APPROXIMATE.format(approximate))
    return _unary(nn_rules.gelu, _GELU, "GeluBackward0", input, approximate)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _reduction(reduction: str) -> str:
    if reduction not in nn_rules.REDUCTIONS:
        raise ValueError(messages.BAD_REDUCTION.format(reduction))
    return reduction


def _pair_loss(primal: Any, how: tuple, node: str, input: Tensor, target: Tensor, reduction: str) -> Tensor:
    reduction = _reduction(reduction)
    if input._data.shape != target._data.shape:
        if primal is nn_rules.mse_loss:   # PyTorch warns, then broadcasts
            warnings.warn(messages.MSE_SIZES.format(target.shape, input.shape), UserWarning, stacklevel=3)
        else:
            raise ValueError(messages.BCE_LOGITS_SIZES.format(target.shape, input.shape))
    out = primal(input._data, target._data, reduction)
    if requires(input, target):
        return record(out, N.kind(node, True), how, (edge(input), edge(target)), (input._data, target._data,
                                                                                  reduction))
    return wrap(out)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Any = None) -> Tensor:
    return _pair_loss(nn_rules.mse_loss, _MSE, "MseLossBackward0", input, target, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    if weight is not None or pos_weight is not None:
        raise NotImplementedError(messages.LOSS_WEIGHTS.format("binary_cross_entropy_with_logits"))
    return _pair_loss(nn_rules.binary_cross_entropy_with_logits, _BCE_LOGITS,
                      "BinaryCrossEntropyWithLogitsBackward0", input, target, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError(messages.LOSS_WEIGHTS.format("binary_cross_entropy"))
    reduction = _reduction(reduction)
    if input._data.shape != target._data.shape:
        raise ValueError(messages.BCE_SIZES.format(target.shape, input.shape))
    if np.any((input._data < 0) | (input._data > 1)):
        raise RuntimeError(messages.BCE_RANGE)
    out = nn_rules.binary_cross_entropy(input._data, target._data, reduction)
    if requires(input, target):
        return record(out, N.kind("BinaryCrossEntropyBackward0", True), _BCE, (edge(input), edge(target)),
                      (input._data, target._data, reduction))
    return wrap(out)


def nll_loss(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError(messages.LOSS_WEIGHTS.format("nll_loss"))
    reduction = _reduction(reduction)
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(messages.NLL_TARGET.format(target.dtype.scalar_name))
    out = nn_rules.nll_loss(input._data, target._data, reduction)
    if requires(input):
        return record(out, N.kind("NllLossBackward0", True), _NLL, (edge(input),),
                      (input._data, target._data, reduction))
    return wrap(out)


def cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    if label_smoothing:
        raise NotImplementedError(messages.LABEL_SMOOTHING)
    return nll_loss(log_softmax(input, 1 if input.ndim >= 2 else 0), target, weight, reduction=reduction)


def _softmax_method(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return softmax(self, dim, dtype=dtype)


def _log_softmax_method(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return log_softmax(self, dim, dtype=dtype)


METHODS = {"softmax": _softmax_method, "log_softmax": _log_softmax_method}

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "gelu", "log_softmax",
           "mse_loss", "nll_loss", "relu", "sigmoid", "softmax", "tanh"]
