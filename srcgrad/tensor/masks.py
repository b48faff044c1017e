"""Operations that pick entries by position or mask: ``tril``/``triu``, ``masked_fill``, ``gather``,
``index_select``, and the test ``isnan``. Each computes with the NumPy function of the same meaning and records PyTorch's node."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import messages
from . import nodes as N
from .dtypes import cpp_name
from .grad_mode import state
from .nodes import derivative
from .ops import record
from .tensor import Tensor, check_dim, edge, wrap

_TRIL, _TRIU = derivative(np.tril), derivative(np.triu)
# where(mask, value, a): the edges of ``a`` (and of a tensor ``value``), among np.where's (value, a) partials
_FILL, _FILL_TENSOR = derivative(np.where, (1,)), derivative(np.where, (1, 0))
_GATHER, _TAKE = derivative(np.take_along_axis), derivative(np.take)


def _triangle(primal: Any, how: tuple, kind: type, name: str):
    def op(a: Tensor, diagonal: int = 0) -> Tensor:
        ad = a._data
        if ad.ndim < 2:
            raise RuntimeError(messages.TRIANGLE_DIMS.format(name))
        out = primal(ad, diagonal)
        if not (a._rg and state.enabled):
            return wrap(out)
        return record(out, kind, how, (edge(a),), (ad,), {"k": diagonal})
    op.__name__ = op.__qualname__ = name
    return op


tril = _triangle(np.tril, _TRIL, N.TrilBackward0, "tril")
triu = _triangle(np.triu, _TRIU, N.TriuBackward0, "triu")


def masked_fill(a: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``a`` with ``value`` (a number, or a 0-d tensor: ``MaskedFillBackward1``, whose gradient is the sum
    over the mask) wherever ``mask`` (a bool tensor broadcasting to ``a``) is True."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError(messages.MASK_DTYPE.format(
            cpp_name(mask._data.dtype) if isinstance(mask, Tensor) else type(mask).__name__))
    ad, md = a._data, mask._data
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt._data.ndim:
        raise RuntimeError(messages.MASKED_FILL_VALUE.format(vt._data.ndim))
    vd = np.asarray(vt._data if vt is not None else value).astype(ad.dtype)
    out = np.where(md, vd, ad)
    if out.shape != ad.shape:
        raise RuntimeError(messages.MASK_SHAPE.format(list(md.shape), list(ad.shape)))
    if not (state.enabled and (a._rg or (vt is not None and vt._rg))):
        return wrap(out)
    if vt is None:
        return record(out, N.MaskedFillBackward0, _FILL, (edge(a),), (md, vd, ad))
    return record(out, N.MaskedFillBackward1, _FILL_TENSOR, (edge(a), edge(vt)), (md, vd, ad))


def _first_outside(idx: np.ndarray, size: int) -> int | None:
    """The first position of ``idx`` outside ``[0, size)`` (PyTorch's gather and index_select take no
    negative positions), or None."""
    bad = idx[(idx < 0) | (idx >= size)]
    return int(bad.flat[0]) if bad.size else None


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``a`` at ``index`` along ``dim`` (``index`` int32/int64, of ``a``'s shape but along
    ``dim``, as NumPy's ``take_along_axis``; a 0-d ``a`` has one entry along dim 0)."""
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(messages.GATHER_INDEX)
    ad, idx = a._data, index._data
    axis = check_dim(dim, ad.ndim)
    if idx.ndim != ad.ndim:
        raise RuntimeError(messages.GATHER_DIMS)
    for d, (n, m) in enumerate(zip(idx.shape, ad.shape)):
        if d != axis and n > m:
            raise RuntimeError(messages.GATHER_LARGER.format(d, list(idx.shape), list(ad.shape), axis))
        if d != axis and n < m:
            raise NotImplementedError(messages.GATHER_SHAPE)
    size = ad.shape[axis] if ad.ndim else 1
    bad = _first_outside(idx, size)
    if bad is not None:
        raise RuntimeError(messages.GATHER_RANGE.format(bad, axis, size))
    out = np.take_along_axis(ad, idx, axis) if ad.ndim else ad.copy()
    if not (a._rg and state.enabled):
        return wrap(out)
    if ad.ndim == 0:
        return _scalar_pick(a, out, N.GatherBackward0)
    return record(out, N.GatherBackward0, _GATHER, (edge(a),), (ad, idx, axis))


def index_select(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``a`` at the positions ``index`` (a vector, or one 0-d position) along ``dim``; a
    position out of ``[0, size)`` is an error, negative ones included, as in PyTorch."""
    ad = a._data
    axis = check_dim(dim, ad.ndim)
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(messages.INDEX_SELECT_DTYPE)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(messages.INDEX_SELECT_VECTOR)
    idx = idx.reshape(-1)
    size = ad.shape[axis] if ad.ndim else 1
    if ad.ndim == 0 and idx.size != 1:
        raise RuntimeError(messages.INDEX_SELECT_SCALAR.format(idx.size))
    bad = _first_outside(idx, size)
    if bad is not None:
        raise RuntimeError(messages.INDEX_SELECT_RANGE.format(bad, size))
    out = np.take(ad, idx, axis) if ad.ndim else ad.copy()
    if not (a._rg and state.enabled):
        return wrap(out)
    if ad.ndim == 0:
        return _scalar_pick(a, out, N.IndexSelectBackward0)
    return record(out, N.IndexSelectBackward0, _TAKE, (edge(a),), (ad, idx), {"axis": axis})


def _scalar_pick(a: Tensor, out: np.ndarray, kind: type) -> Tensor:
    """A 0-d tensor's one entry, picked (gather, index_select): its value, recorded with ``np.take``'s rule
    at position 0, through which the gradient passes unchanged."""
    return record(out, kind, _TAKE, (edge(a),), (a._data, np.zeros((), np.int64)), {"axis": None})


def isnan(a: Tensor) -> Tensor:
    return wrap(np.isnan(a._data))


METHODS = {"tril": tril, "triu": triu, "masked_fill": masked_fill, "gather": gather, "index_select": index_select,
           "isnan": isnan}
