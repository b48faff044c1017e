"""The names of PyTorch's fused backward kernels on the gradients a recorded backward makes.

Where PyTorch's backward of an operation is one kernel of its own (``tanh`` → ``TanhBackwardBackward0``),
the shim records the shared rule's steps (``g * (1 - y * y)``: a product). The node that makes the first
input's gradient then carries the kernel's name, although it is the rule's last step, with that step's
inputs. A kernel that takes the forward's input (``threshold_backward``) also makes the gradient depend on
it, with a zero derivative, where the rule's result does not."""

from __future__ import annotations

from typing import Any

import numpy as np

from .functional import where
from .tensor import Tensor, wrap


def fused_kernel_gradient(forward: str, gradient: Tensor | None, first_input: Any, inputs: tuple) -> Tensor | None:
    """``gradient`` (the first input's, from the rule of the forward node named ``forward``) as PyTorch's
    fused kernel names it; ``inputs`` are the tensors the rule read."""
    fused = FUSED.get(forward)
    if fused is None or gradient is None:
        return gradient
    if fused in READS_INPUT and isinstance(first_input, Tensor) and first_input._rg:
        gradient = _depending_on(gradient, first_input)
    _rename(gradient, fused, inputs)
    return gradient


# The fused kernels, by the forward node whose backward they are.
FUSED = {
    "TanhBackward0": "TanhBackwardBackward0", "SigmoidBackward0": "SigmoidBackwardBackward0",
    "ReluBackward0": "ThresholdBackwardBackward0", "SliceBackward0": "SliceBackwardBackward0",
    "SelectBackward0": "SelectBackwardBackward0", "IndexBackward0": "IndexPutImplBackward0",
    "SoftmaxBackward0": "SoftmaxBackwardDataBackward0", "LogSoftmaxBackward0": "LogSoftmaxBackwardDataBackward0",
    "MseLossBackward0": "MseLossBackwardBackward0", "BinaryCrossEntropyBackward0":
    "BinaryCrossEntropyBackwardBackward0", "UnsqueezeBackward0": "SqueezeBackward1",
    "MeanBackward0": "DivBackward1", "MeanBackward1": "DivBackward1", "ClampBackward1": "WhereBackward0",
    "MaxBackward0": "ScatterBackward0", "MinBackward0": "ScatterBackward0",
}
_FUSED_CLASSES: dict[tuple[str, type], type] = {}
# Fused kernels that take the forward's input: their result depends on the input (with a zero derivative)
# whenever the input requires grad, where the rule's result does not (``g * (x > 0)``).
READS_INPUT = frozenset({"ThresholdBackwardBackward0"})


def _depending_on(gradient: Tensor, x: Tensor) -> Tensor:
    """``gradient``'s value, recorded as depending on ``x`` with a zero derivative (``where`` that never
    takes ``x``: no product with ``x``, so an infinite ``x`` cannot make a NaN)."""
    never = wrap(np.zeros(gradient._data.shape, dtype=bool))
    like = x if x._data.shape == gradient._data.shape else x.expand(*gradient._data.shape)
    return where(never, like, gradient)


def _rename(gradient: Tensor | None, name: str, inputs: tuple) -> None:
    """Give ``gradient``'s node the fused kernel's name, if the rule made that node (not when the rule
    passed one of its inputs through)."""
    node = None if gradient is None else gradient._grad_fn
    if node is None or any(isinstance(t, Tensor) and t._grad_fn is node for t in inputs):
        return
    base = type(node)
    if base.__name__ == name:
        return
    renamed = _FUSED_CLASSES.get((name, base))
    if renamed is None:
        renamed = _FUSED_CLASSES[name, base] = type(name, (base,), {"__slots__": (), "__module__": "builtins",
                                                                    "__qualname__": name})
    node.__class__ = renamed
