"""Shape operations and indexing: results share memory with their input, as PyTorch's views do.

A view shares its base's NumPy memory *and* version counter, so an in-place change through either one is
seen by the autograd checks of both. Indexing is lowered the way PyTorch lowers it — one ``select`` /
``slice`` / ``unsqueeze`` per basic index, then one ``index`` for all advanced ones — because that
sequence is what ``grad_fn`` and ``next_functions`` show.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..rules import shim_rules
from . import messages
from . import nodes as N
from .copies import clone
from .grad_mode import state
from .nodes import derivative
from .tensor import Tensor, check_dim, edge, result, warn_once, wrap

_RESHAPE, _TRANSPOSE, _GETITEM = derivative(np.reshape), derivative(np.transpose), derivative(operator.getitem)
_SQUEEZE, _UNSQUEEZE, _EXPAND = derivative(np.squeeze), derivative(np.expand_dims), derivative(np.broadcast_to)


def _view(a: Tensor, out: np.ndarray, kind: type, how: tuple, args: tuple, kwargs: dict = N.NO_KWARGS
          ) -> Tensor:
    """The tensor over ``out``, a NumPy view of ``a``'s memory: it remembers its base and the steps that
    read it off the base (for in-place changes, see ``inplace.rebase`` and ``tensor.refresh_view``)."""
    t = wrap(out)
    t._vc = a._vc
    step = ((how[0].primal, args[1:], kwargs),)
    if a._base is None:
        t._base, t._view_steps = a, step
    else:
        t._base, t._view_steps = a._base, a._view_steps + step
    t._view_version = a._vc[0]
    t._view_no_grad = not state.enabled
    if a._rg:
        t._rg = True   # also under no_grad, as PyTorch reports it (a leaf whose gradient goes nowhere: edge)
        if state.enabled:
            t._grad_fn = kind((edge(a),), how, args, out, kwargs)
    return t


def _shape_arg(shape: tuple) -> tuple:
    """``reshape(2, 3)``, ``reshape((2, 3))`` and ``reshape([2, 3])`` all mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if type(n) is not int:
            return tuple(int(n) for n in shape)
    return shape


def _is_view(out: np.ndarray, data: np.ndarray) -> bool:
    base = out.base
    return base is not None and (base is data or base is data.base)


def _reshaped(data: np.ndarray, shape: tuple) -> np.ndarray:
    try:
        return data.reshape(shape)
    except ValueError:
        raise RuntimeError(messages.BAD_SHAPE.format(list(shape), data.size)) from None


def view(a: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    out = _reshaped(a._data, shape)
    if not _is_view(out, a._data):
        raise RuntimeError(messages.VIEW_STRIDES)
    return _view(a, out, N.ViewBackward0, _RESHAPE, (a._data, shape))


def view_as(a: Tensor, other: Tensor) -> Tensor:
    return view(a, other._data.shape)


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """A view when the memory layout allows one; otherwise, as in PyTorch, a clone viewed."""
    shape = _shape_arg(shape)
    out = _reshaped(a._data, shape)
    if _is_view(out, a._data):
        return _view(a, out, N.ViewBackward0, _RESHAPE, (a._data, shape))
    return unsafe_view(clone(a, "C"), shape)


def unsafe_view(a: Tensor, shape: tuple) -> Tensor:
    """Reshape a tensor nobody else holds (a fresh clone or product): ``UnsafeViewBackward0``."""
    out = a._data.reshape(shape)
    if a._rg and state.enabled:
        return result(out, N.UnsafeViewBackward0((edge(a),), _RESHAPE, (a._data, shape), out))
    return wrap(out)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    ndim = a._data.ndim
    if ndim == 0:
        return reshape(a, 1)
    start, end = check_dim(start_dim, ndim), check_dim(end_dim, ndim)
    if start == end:
        return a
    shape = a._data.shape
    return reshape(a, shape[:start] + (-1,) + shape[end + 1:])


def _transposed(a: Tensor, axes: tuple | None, kind: type) -> Tensor:
    return _view(a, a._data.transpose(axes), kind, _TRANSPOSE, (a._data,),
                 N.NO_KWARGS if axes is None else {"axes": axes})


def t(a: Tensor) -> Tensor:
    ndim = a._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _transposed(a, (1, 0) if ndim == 2 else None, N.TBackward0)


def T(a: Tensor) -> Tensor:
    ndim = a._data.ndim
    if ndim != 2:
        warn_once(messages.T_0D if ndim == 0 else messages.T_NOT_2D, stacklevel=4)
    return _transposed(a, tuple(range(ndim - 1, -1, -1)), N.PermuteBackward0)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    ndim = a._data.ndim
    axes = list(range(ndim))
    d0, d1 = check_dim(dim0, ndim), check_dim(dim1, ndim)
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return _transposed(a, tuple(axes) if ndim else None, N.TransposeBackward0)


def permute(a: Tensor, *dims: Any) -> Tensor:
    axes = tuple(check_dim(d, a._data.ndim) for d in _shape_arg(dims))
    return _transposed(a, axes, N.PermuteBackward0)


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    shape = a._data.shape
    if dim is None:
        return squeeze_dim(a, tuple(i for i, n in enumerate(shape) if n == 1), N.SqueezeBackward0)
    if isinstance(dim, (tuple, list)):
        axes = tuple(check_dim(d, a._data.ndim) for d in dim)
        return squeeze_dim(a, tuple(d for d in axes if shape and shape[d] == 1), N.SqueezeBackward2)
    d = check_dim(dim, a._data.ndim)
    return squeeze_dim(a, (d,) if shape and shape[d] == 1 else (), N.SqueezeBackward1)


def squeeze_dim(a: Tensor, axis: Any, kind: type) -> Tensor:
    return _view(a, a._data.squeeze(axis), kind, _SQUEEZE, (a._data, axis))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    ndim = a._data.ndim
    if not -ndim - 1 <= dim <= ndim:
        raise IndexError(messages.DIM_RANGE.format(-ndim - 1, ndim, dim))
    d = dim % (ndim + 1)
    out = a._data[(slice(None),) * d + (None,)]  # np.expand_dims(a, d)
    return _view(a, out, N.UnsqueezeBackward0, _UNSQUEEZE, (a._data, d))


def expand(a: Tensor, *sizes: Any) -> Tensor:
    sizes = _shape_arg(sizes)
    shape = a._data.shape
    lead = len(sizes) - len(shape)
    target = tuple(shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    for i in range(len(shape)):
        if shape[i] != 1 and shape[i] != target[lead + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[lead + i]}) must match the existing size "
                f"({shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}")
    return _view(a, np.broadcast_to(a._data, target), N.ExpandBackward0, _EXPAND, (a._data, target))


def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return expand(a, other._data.shape)


# --- indexing -------------------------------------------------------------------------------------------


def numpy_index(index: Any) -> tuple:
    """An index with tensors and lists turned into what NumPy takes; 0-d integer tensors become ints."""
    parts = index if type(index) is tuple else (index,)
    converted = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p._data
            if p.ndim == 0 and p.dtype.kind in "iu":
                p = int(p)
        elif isinstance(p, list):
            p = np.asarray(p)
        converted.append(p)
    return tuple(converted)


def _is_int(p: Any) -> bool:
    return isinstance(p, (int, np.integer)) and not isinstance(p, bool)


def getitem(a: Tensor, index: Any) -> Tensor:
    if type(index) is int and a._data.ndim:  # x[i], the common case, straight to the select
        size = a._data.shape[0]
        if not -size <= index < size:
            raise IndexError(messages.INDEX_BOUNDS.format(index, 0, size))
        return _basic(a, 0, index, N.SelectBackward0)
    current, advanced = basic_index(a, numpy_index(index), lone_slice_is_view=type(index) is slice)
    if advanced is not None:
        return _advanced(current, advanced)
    if current is a:  # x[...], x[:, :]: nothing to do, but PyTorch still returns a new view
        return _view(a, a._data[...], N.AliasBackward0, _GETITEM, (a._data, (Ellipsis,)))
    return current


def basic_index(a: Tensor, parts: tuple, lone_slice_is_view: bool = False) -> tuple:
    """Apply the basic parts of an index (ints, slices, None, ...) as views, one PyTorch view op each;
    full slices are skipped, except a lone one when ``lone_slice_is_view`` (as ``x[:]`` in PyTorch). Returns
    the view (``a`` itself if nothing applied) and what remains for advanced indexing (None: nothing)."""
    ndim = a._data.ndim
    consumed = sum(p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
                   for p in parts if p is not None and p is not Ellipsis)
    if consumed > ndim:
        if ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(messages.TOO_MANY_INDICES.format(ndim))
    current, d, advanced, has_advanced = a, 0, [], False
    for p in parts:
        if p is Ellipsis:
            advanced += [slice(None)] * (ndim - consumed)
            d += ndim - consumed
        elif p is None:
            current = unsqueeze(current, d)
            advanced.append(slice(None))
            d += 1
        elif isinstance(p, slice):
            size = current._data.shape[d]
            if p.step is not None and p.step <= 0:
                raise ValueError(messages.NEGATIVE_STEP)
            if lone_slice_is_view or p.indices(size) != (0, size, 1):
                current = _basic(current, d, p, N.SliceBackward0)
            advanced.append(slice(None))
            d += 1
        elif _is_int(p):
            size = current._data.shape[d]
            if not -size <= p < size:
                raise IndexError(messages.INDEX_BOUNDS.format(p, d, size))
            current = _basic(current, d, p, N.SelectBackward0)
        else:
            advanced.append(p)
            has_advanced = True
            d += p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
    return current, tuple(advanced) if has_advanced else None


def _basic(a: Tensor, d: int, p: Any, kind: type) -> Tensor:
    index = (slice(None),) * d + (p, Ellipsis)  # the Ellipsis makes NumPy return a 0-d view, not a scalar
    return _view(a, a._data[index], kind, _GETITEM, (a._data, index))


def _advanced(a: Tensor, index: tuple) -> Tensor:
    try:
        out = np.asarray(a._data[index])
    except IndexError as error:
        raise IndexError(str(error).replace("axis", "dimension")) from None
    if a._rg and state.enabled:
        return result(out, N.IndexBackward0((edge(a),), _GETITEM, (a._data, index), out))
    return wrap(out)


_UNBIND = derivative(shim_rules.unbind)


def unbind(a: Tensor, dim: int = 0) -> tuple:
    """The slices of ``a`` along ``dim``, sharing its memory. Recorded, they are the outputs of one
    ``UnbindBackward0`` (each knows its place, ``_out``) and may not be changed in place, as in PyTorch;
    otherwise they are plain views, through which ``a`` can be changed (``for row in t: row += 1``)."""
    ad = a._data
    if ad.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    axis = check_dim(dim, ad.ndim)
    if not (a._rg and state.enabled):
        return tuple(a[(slice(None),) * axis + (i,)] for i in range(ad.shape[axis]))
    parts = shim_rules.unbind(ad, axis)
    node = N.UnbindBackward0((edge(a),), _UNBIND, (ad,), parts, {"axis": axis})
    outputs = []
    for k, part in enumerate(parts):
        output = result(part, node)
        output._out = k
        outputs.append(output)
    return tuple(outputs)


METHODS = {
    "unbind": unbind, "view": view, "view_as": view_as, "reshape": reshape, "flatten": flatten, "t": t, "T": property(T),
    "transpose": transpose, "swapaxes": transpose, "permute": permute, "squeeze": squeeze,
    "unsqueeze": unsqueeze, "expand": expand, "expand_as": expand_as, "__getitem__": getitem,
}
