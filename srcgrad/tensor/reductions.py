"""Reductions: ``sum``, ``mean``, ``max``/``min`` (whole, along a dim, or pairwise), ``argmax``, ``norm``; and
the running total ``cumsum``.

PyTorch names the whole-tensor and the along-``dim`` variants differently (``SumBackward0`` /
``SumBackward1``, ``MaxBackward1`` / ``MaxBackward0``) and differentiates them differently: ``max()``
shares the gradient between ties (NumPy's ``max`` rule does the same), ``max(dim)`` gives it all to the
returned index (``take_along_dim`` in ``shim_rules``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rules import shim_rules
from ..rules.helpers import reduced_count
from . import messages, ops
from . import nodes as N
from .dtypes import from_numpy
from .grad_mode import state
from .nodes import derivative
from .ops import FP_ERRORS, OUT, QUIET, quietly, record, requires, saved
from .tensor import Tensor, check_dim, edge, result, wrap


def dims(dim: Any, ndim: int) -> int | tuple:
    """A ``dim=`` argument (int or sequence) made non-negative, with PyTorch's range error."""
    if isinstance(dim, (tuple, list)):
        return tuple(check_dim(d, ndim) for d in dim)
    return check_dim(dim, ndim)


def _sum(a: np.ndarray, axis: Any, keepdims: bool) -> Any:
    """``np.sum(a, axis, keepdims=keepdims)``, through the ufunc reduction that np.sum (by way of the
    ndarray method) calls."""
    return np.add.reduce(a, axis, keepdims=keepdims)


def _mean(a: np.ndarray, axis: Any, keepdims: bool) -> Any:
    """``np.mean(a, axis, keepdims=keepdims)``: the same float sum divided by the same count, without
    np.mean's Python-level argument handling (float16 keeps np.mean's float32 accumulator)."""
    if a.dtype == np.float16:
        return np.mean(a, axis, keepdims=keepdims)
    return np.true_divide(np.add.reduce(a, axis, keepdims=keepdims), reduced_count(a, axis), out=OUT)


_WHOLE: Any = object()   # no dim given: PyTorch's whole-tensor overload (an explicit ``dim=None`` is the other)


def _reduction(primal: Any, compute: Any, whole: type, along: type, name: str, compute_all: Any = None):
    """``sum``/``mean``/``prod`` over everything (``whole`` node) or over ``dim`` (``along`` node).
    ``compute_all(a, None)``, where given, is ``compute(a, None, False)`` called directly (a ufunc's
    reduction): the whole reduction of a float tensor is the one every training loop's loss runs."""
    how = derivative(primal)
    if compute_all is None:
        def compute_all(a: np.ndarray, axis: None) -> Any:
            return compute(a, axis, False)

    def op(a: Tensor, dim: Any = _WHOLE, keepdim: bool = False, dtype: Any = None, *, axis: Any = _WHOLE,
           keepdims: bool | None = None) -> Tensor:
        ad = a._data
        if dim is _WHOLE and axis is _WHOLE and not keepdim and not keepdims and dtype is None and \
                ad.dtype.kind == "f":   # the common whole reduction, without the checks below
            token = FP_ERRORS.set(QUIET)
            try:
                out = compute_all(ad, None)
            finally:
                FP_ERRORS.reset(token)
            if not (state.enabled and (a._requires or (a._base is not None and a._rg))):
                return wrap(out)
            if not whole.saves:
                return result(out, N.made_for(whole, (edge(a),), how, (ad,), out))
            return _recorded(a, out, whole, (ad,), N.NO_KWARGS)
        if axis is not _WHOLE:   # NumPy's names, which PyTorch accepts too
            dim = axis
        if keepdims is not None:
            keepdim = keepdims
        if dtype is not None:
            ad = ad.astype(dtype.numpy)
        elif primal is np.mean and ad.dtype.kind != "f":
            raise RuntimeError(messages.MEAN_DTYPE.format(from_numpy(ad.dtype).scalar_name))
        elif ad.dtype.kind in "bu":  # PyTorch sums (and multiplies) bools and unsigned integers as int64
            ad = ad.astype(np.int64)
        token = FP_ERRORS.set(QUIET)  # the mean of nothing is nan, silently
        try:
            if dim is _WHOLE and not keepdim:
                out, kind, kwargs = compute(ad, None, False), whole, N.NO_KWARGS
            else:  # a 0-d tensor has one entry along dim 0 (or -1): reduce it whole; so do no dims at all
                axis = None if dim is _WHOLE or dim is None or ad.ndim == 0 or dim == () or dim == [] else \
                    dims(dim, ad.ndim)
                kind, kwargs = along, {"axis": axis, "keepdims": keepdim}
                out = compute(ad, axis, keepdim)
        finally:
            FP_ERRORS.reset(token)
        if a._rg and state.enabled:
            return _recorded(a, out, kind, (ad,), kwargs)
        return wrap(out)

    def _recorded(a: Tensor, out: Any, kind: type, args: tuple, kwargs: dict) -> Tensor:
        out_tensor = record(out, kind, how, (edge(a),), args, kwargs)
        if kind.saves:  # prod keeps its input and output
            out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
        return out_tensor
    op.__name__ = op.__qualname__ = name
    return op


def _prod(a: np.ndarray, axis: Any, keepdims: bool) -> Any:
    """``np.prod(a, axis, keepdims=keepdims)``, through the ndarray method np.prod calls."""
    return a.prod(axis, keepdims=keepdims)


def _sum_all(a: np.ndarray, axis: None) -> np.ndarray:
    """The total, as a 0-d array already (``out=...``: no conversion of a NumPy scalar afterwards)."""
    return np.add.reduce(a, axis, out=OUT)


sum = _reduction(np.sum, _sum, N.SumBackward0, N.SumBackward1, "sum", _sum_all)
mean = _reduction(np.mean, _mean, N.MeanBackward0, N.MeanBackward1, "mean")
_prod_op = _reduction(np.prod, _prod, N.ProdBackward0, N.ProdBackward1, "prod")


def prod(a: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``prod()``, or ``prod(dim)`` along one int dim: PyTorch has no tuple (or None) form of it."""
    dims_given = [(False, args[0])] if args else []
    dims_given += [(True, kwargs[name]) for name in ("dim", "axis") if name in kwargs]
    for by_name, dim in dims_given:
        if not hasattr(dim, "__index__"):
            raise TypeError(messages.PROD_DIM.format(f"dim={type(dim).__name__}, " if by_name else type(dim).__name__))
    return _prod_op(a, *args, **kwargs)


class _ReturnType(tuple):
    """``(values, indices)`` of ``max(dim)``/``min(dim)``, printed as ``torch.return_types.max(...)``."""

    __slots__ = ()
    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self) -> str:
        return f"torch.return_types.{type(self).__name__}(\nvalues={self[0]!r},\nindices={self[1]!r})"


_max_type = type("max", (_ReturnType,), {"__slots__": (), "__module__": "torch.return_types"})
_min_type = type("min", (_ReturnType,), {"__slots__": (), "__module__": "torch.return_types"})
_TAKE = derivative(shim_rules.take_along_dim)


def _extremum(primal: Any, arg: Any, whole: type, along: type, pairwise: Any, returns: type, name: str):
    """``max()``: the value (ties share the gradient). ``max(dim)``: values and indices (the gradient goes
    to the returned index, via ``take_along_dim``). ``max(other)``: ``maximum``."""
    how = derivative(primal)

    def op(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return pairwise(a, dim)
        ad = a._data
        if dim is None:
            out = ad.max() if primal is np.max else ad.min()  # what np.max / np.min return
            if not requires(a):
                return wrap(out)
            out_tensor = record(out, whole, how, (edge(a),), (ad,))
            out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
            return out_tensor
        d = check_dim(dim, ad.ndim)
        indices = arg(ad, axis=d) if ad.ndim else np.asarray(0)
        out = shim_rules.take_along_dim(ad, indices, d, keepdim)
        idx = wrap(np.expand_dims(indices, d) if keepdim and ad.ndim else np.asarray(indices))
        if not requires(a):
            return returns((wrap(out), idx))
        values = record(out, along, _TAKE, (edge(a),), (ad, indices, d, keepdim))
        return returns((values, idx))
    op.__name__ = op.__qualname__ = name
    return op


max = _extremum(np.max, np.argmax, N.MaxBackward1, N.MaxBackward0, ops.maximum, _max_type, "max")
min = _extremum(np.min, np.argmin, N.MinBackward1, N.MinBackward0, ops.minimum, _min_type, "min")


def argmax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return wrap(np.asarray(np.argmax(a._data)))
    return wrap(np.asarray(np.argmax(a._data, axis=check_dim(dim, a._data.ndim), keepdims=keepdim)))


def argmin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return wrap(np.asarray(np.argmin(a._data)))
    return wrap(np.asarray(np.argmin(a._data, axis=check_dim(dim, a._data.ndim), keepdims=keepdim)))


_NORM, _VECTOR_NORM = derivative(np.linalg.norm), derivative(shim_rules.vector_norm)


def norm(a: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over ``dim`` (all entries by default): ``LinalgVectorNormBackward0``. The 2-norm is
    NumPy's ``linalg.norm`` (and its rule); other orders are ``vector_norm``."""
    ad = a._data
    if ad.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           + from_numpy(ad.dtype).scalar_name)
    axis = None if dim is None else dims(dim, ad.ndim)
    if p in ("fro", 2, None) and (axis is None or not isinstance(axis, tuple) or len(axis) <= 2):
        primal, how, args = np.linalg.norm, _NORM, (ad,)
        kwargs = {"axis": axis, "keepdims": keepdim} if axis is not None or keepdim else N.NO_KWARGS
    else:
        primal, how, args = shim_rules.vector_norm, _VECTOR_NORM, (ad, 2 if p == "fro" else p)
        kwargs = {"dim": axis, "keepdim": keepdim}
    out = primal(*args, **kwargs)
    if not requires(a):
        return wrap(out)
    out_tensor = record(out, N.LinalgVectorNormBackward0, how, (edge(a),), args, kwargs)
    out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
    return out_tensor


_CUMSUM = derivative(np.cumsum)


def cumsum(a: Tensor, dim: Any = _WHOLE, *, dtype: Any = None) -> Tensor:
    """``cumsum(dim)``: running totals along ``dim`` (integers and bools summed as int64, as PyTorch)."""
    if dim is _WHOLE:
        raise TypeError(messages.MISSING_ARGUMENT.format("cumsum", "dim"))
    ad = a._data
    axis = check_dim(dim, ad.ndim)
    if dtype is not None:
        ad = ad.astype(dtype.numpy)
    elif ad.dtype.kind in "biu":
        ad = ad.astype(np.int64)
    out = quietly(np.cumsum, ad, axis) if ad.ndim else ad.copy()
    if a._rg and state.enabled:
        return record(out, N.CumsumBackward0, _CUMSUM, (edge(a),), (ad,), {"axis": axis if ad.ndim else None})
    return wrap(out)


METHODS = {"cumsum": cumsum, "sum": sum, "mean": mean, "prod": prod, "max": max, "min": min, "argmax": argmax, "argmin": argmin, "norm": norm}
