"""Elementwise functions of one tensor (``exp``, ``sigmoid``, ``clamp`` ...), and comparisons and logic.

Functions that PyTorch only defines for floats turn integer tensors into float32 first; ``relu``, ``abs``,
``neg``, ``sign`` and ``clamp`` keep integers. Comparisons and logic record nothing: their results are
boolean (or integer) tensors, which never require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rules import shim_rules
from ..rules.registry import RESULT, SELF, shim_operations
from . import messages
from . import nodes as N
from .dtypes import result_type
from .grad_mode import state
from .nodes import derivative
from .ops import FP_ERRORS, OUT, QUIET, broadcast_error, mul, record, requires, saved
from .tensor import NO_EDGE, Tensor, edge, result, wrap


def _unary(name: str, primal: Any, kind: type, save: str | None, floating: bool = True):
    """A one-argument elementwise operation. ``floating``: integer inputs give float32 results."""
    how = derivative(primal)
    is_ufunc = isinstance(primal, np.ufunc)

    def op(a: Tensor) -> Tensor:
        ad = a._data
        if floating and ad.dtype.kind != "f":
            ad = ad.astype(np.float32)
        token = FP_ERRORS.set(QUIET)
        try:
            out = primal(ad, out=OUT) if is_ufunc else primal(ad)
        finally:
            FP_ERRORS.reset(token)
        if a._rg and state.enabled:
            node = kind((edge(a),), how, (ad,), out)
            out_tensor = result(out, node)
            node._saved = saved(a) if save is SELF else (out_tensor._vc, 0, None) if save is RESULT else None
            return out_tensor
        return wrap(out)
    op.__name__ = op.__qualname__ = name
    return op


def _declared_unary() -> dict[str, Any]:
    """The one-argument operations the rule table's records offer to the shim (``TorchOp``): a record
    names the operation, its node class, what the node keeps and whether integers become floats."""
    ops: dict[str, Any] = {}
    for primitive in shim_operations():
        torch = primitive.torch
        op = _unary(torch.names[0], primitive.primal, N.kind(torch.node, torch.saves is not None), torch.saves,
                    torch.floating)
        ops.update(dict.fromkeys(torch.names, op))
        if torch.saves is not None:
            N.declare_saved(torch.node, {"_saved_self": 0} if torch.saves is SELF else {"_saved_result": N.RESULT_VALUE})
    return ops


UNARY = _declared_unary()
# The names other modules use (the inplace forms, the torch functions).
exp, log, sin, cos, tan, tanh = (UNARY[n] for n in ("exp", "log", "sin", "cos", "tan", "tanh"))
sqrt, log1p, expm1, reciprocal = (UNARY[n] for n in ("sqrt", "log1p", "expm1", "reciprocal"))
sigmoid, relu, abs, neg, sign = (UNARY[n] for n in ("sigmoid", "relu", "abs", "neg", "sign"))
_CLIP, _CLAMP_TENSOR = derivative(np.clip), derivative(shim_rules.clamp_tensor, (0, 1, 2))


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``ClampBackward1`` for number bounds, ``ClampBackward0`` when a bound is a tensor."""
    if min is None and max is None:
        raise RuntimeError(messages.CLAMP_NONE)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(a, min, max)
    ad = a._data
    if ad.dtype.kind != "f":
        ad = ad.astype(result_type(ad, *[b for b in (min, max) if b is not None]).numpy, copy=False)
    # np.clip's value; its ufuncs called directly (np.clip's own argument handling costs three times more)
    out = np.maximum(ad, min, out=OUT) if max is None else np.minimum(ad, max, out=OUT) if min is None else \
        np.minimum(np.maximum(ad, min), max, out=OUT)
    if not requires(a):
        return wrap(out)
    out_tensor = record(out, N.ClampBackward1, _CLIP, (edge(a),), (ad, min, max))
    out_tensor._grad_fn._saved = saved(a)
    return out_tensor


def _clamp_tensor(a: Tensor, lo: Any, hi: Any) -> Tensor:
    lo_t, hi_t = (b if isinstance(b, Tensor) else None for b in (lo, hi))
    lo_d, hi_d = (b._data if isinstance(b, Tensor) else b for b in (lo, hi))
    out = np.asarray(shim_rules.clamp_tensor(a._data, lo_d, hi_d), dtype=a._data.dtype)
    if not requires(a, lo_t, hi_t):
        return wrap(out)
    edges = (edge(a), NO_EDGE if lo_t is None else edge(lo_t), NO_EDGE if hi_t is None else edge(hi_t))
    out_tensor = record(out, N.ClampBackward0, _CLAMP_TENSOR, edges, (a._data, lo_d, hi_d))
    out_tensor._grad_fn._saved = saved(a, *[t for t in (lo_t, hi_t) if t is not None])
    return out_tensor



def rtruediv(a: Tensor, b: Any) -> Tensor:
    """``b / a`` is ``a.reciprocal() * b`` in PyTorch (so the graph shows ReciprocalBackward0)."""
    return mul(reciprocal(a), b)



# --- comparisons and logic (no gradient) --------------------------------------------------------------


def _compare(ufunc: np.ufunc, name: str):
    def op(a: Tensor, b: Any) -> Tensor:
        bd = b._data if isinstance(b, Tensor) else b
        if not isinstance(bd, (int, float, bool, np.ndarray, np.generic)):
            return NotImplemented
        try:
            return wrap(ufunc(a._data, bd, out=OUT))
        except ValueError:
            raise broadcast_error(a._data, bd) from None
    op.__name__ = op.__qualname__ = name
    return op


eq, ne = _compare(np.equal, "eq"), _compare(np.not_equal, "ne")
lt, le = _compare(np.less, "lt"), _compare(np.less_equal, "le")
gt, ge = _compare(np.greater, "gt"), _compare(np.greater_equal, "ge")
logical_and, logical_or = _compare(np.logical_and, "logical_and"), _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")
bitwise_and, bitwise_or = _compare(np.bitwise_and, "bitwise_and"), _compare(np.bitwise_or, "bitwise_or")
bitwise_xor = _compare(np.bitwise_xor, "bitwise_xor")

def invert(a: Tensor) -> Tensor:
    return wrap(np.invert(a._data, out=OUT))


def equal(a: Tensor, b: Tensor) -> bool:
    return a._data.shape == b._data.shape and bool(np.all(a._data == b._data))


METHODS = {
    **UNARY, "__rtruediv__": rtruediv, "__abs__": abs, "__neg__": neg,
    "clamp": clamp, "clip": clamp, "eq": eq, "__eq__": eq, "ne": ne, "__ne__": ne, "lt": lt, "__lt__": lt,
    "le": le, "__le__": le, "gt": gt, "__gt__": gt, "ge": ge, "__ge__": ge, "logical_and": logical_and,
    "logical_or": logical_or, "logical_xor": logical_xor, "bitwise_and": bitwise_and, "__and__": bitwise_and,
    "bitwise_or": bitwise_or, "__or__": bitwise_or, "bitwise_xor": bitwise_xor, "__xor__": bitwise_xor,
    "__rand__": bitwise_and, "__ror__": bitwise_or, "__rxor__": bitwise_xor,   # True & t, as PyTorch takes it
    "__invert__": invert, "equal": equal,
}
