"""Spread and extremes along dims: ``var``, ``std`` (with PyTorch's Bessel correction by default),
``amax``/``amin`` (ties share the gradient, as PyTorch's), and the truth reductions ``all``/``any``.

Each computes with the NumPy function of the same meaning and records PyTorch's node, whose rule is that
function's in the shared table (``np.var``, ``np.amax``, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import messages
from . import nodes as N
from .grad_mode import state
from .nodes import derivative
from .ops import quietly, record, saved
from .reductions import dims
from .tensor import Tensor, edge, wrap

_VAR, _STD, _AMAX, _AMIN = derivative(np.var), derivative(np.std), derivative(np.amax), derivative(np.amin)


def _axes(dim: Any, ndim: int) -> Any:
    """A ``dim=`` of None or ``()`` (everything), an int or a sequence, as NumPy's ``axis``."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim) or ndim == 0:
        return None
    return dims(dim, ndim)


def _spread(primal: Any, how: tuple, kind: type, name: str):
    def op(a: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None,
           keepdims: Any = None) -> Tensor:
        if isinstance(dim, bool):   # the ``var(unbiased)`` overload
            dim, unbiased = None, dim
        if keepdims is not None:
            keepdim = keepdims
        ad = a._data
        if ad.dtype.kind not in "fc":
            raise RuntimeError(messages.SPREAD_DTYPE)
        ddof = correction if correction is not None else 0 if unbiased is False else 1
        axis = _axes(dim, ad.ndim)
        out = np.asarray(quietly(lambda: primal(ad, axis=axis, ddof=ddof, keepdims=bool(keepdim))))
        if not (a._rg and state.enabled):
            return wrap(out)
        out_tensor = record(out, kind, how, (edge(a),), (ad,), {"axis": axis, "ddof": ddof, "keepdims": bool(keepdim)})
        out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None) if kind.saves else None
        return out_tensor
    op.__name__ = op.__qualname__ = name
    return op


def _extreme(primal: Any, how: tuple, kind: type, name: str):
    def op(a: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
        ad = a._data
        axis = _axes(dim, ad.ndim)
        out = np.asarray(primal(ad, axis=axis, keepdims=bool(keepdim)))
        if not (a._rg and state.enabled):
            return wrap(out)
        out_tensor = record(out, kind, how, (edge(a),), (ad,), {"axis": axis, "keepdims": bool(keepdim)})
        out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
        return out_tensor
    op.__name__ = op.__qualname__ = name
    return op


var = _spread(np.var, _VAR, N.VarBackward0, "var")
std = _spread(np.std, _STD, N.StdBackward0, "std")
amax = _extreme(np.amax, _AMAX, N.AmaxBackward0, "amax")
amin = _extreme(np.amin, _AMIN, N.AminBackward0, "amin")


def _truth(reduce: Any, name: str):
    def op(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        axis = _axes(dim, a._data.ndim)
        return wrap(np.asarray(reduce(a._data, axis=axis, keepdims=bool(keepdim))))
    op.__name__ = op.__qualname__ = name
    return op


all = _truth(np.all, "all")
any = _truth(np.any, "any")

METHODS = {"var": var, "std": std, "amax": amax, "amin": amin, "all": all, "any": any}
