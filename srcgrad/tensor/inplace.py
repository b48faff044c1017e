"""In-place operations (``add_``, ``+=``, ``zero_``, ``t[i] = v`` ...) and their autograd bookkeeping.

An in-place operation is its out-of-place twin plus a *commit*: the value is written into the tensor's
own memory (so views see it), the version counter moves on (so nodes that saved the old value refuse to
run, with PyTorch's message), and the tensor's ``grad_fn`` becomes the new node. PyTorch's rules about
what may be modified in place — not a leaf that requires grad, not a view of one — are checked first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules import shim_rules
from . import messages, ops
from . import nodes as N
from .dtypes import from_numpy
from .grad_mode import state
from .nodes import derivative
from .tensor import NO_EDGE, Tensor, edge, result, wrap
from .views import numpy_index

_FILL, _INDEX_PUT = derivative(shim_rules.fill), derivative(shim_rules.index_put, (0, 1))


def check_inplace(a: Tensor, recording: bool, leaf_message: str = messages.LEAF_INPLACE) -> None:
    """Refuse what PyTorch refuses: changing a leaf that requires grad, or a view of one, while recording.
    Changing a view of a non-leaf would need PyTorch's graph rebasing, which the shim does not do."""
    if not state.enabled:
        return
    if a._rg and a._grad_fn is None:
        raise RuntimeError(leaf_message)
    base = a._base
    if base is not None and recording:
        if base._rg and base._grad_fn is None:
            raise RuntimeError(messages.VIEW_OF_LEAF_INPLACE)
        raise NotImplementedError("srcgrad's Tensor shim cannot record an in-place change of a view of a "
                                  "tensor that requires grad; change the base tensor, or use an out-of-place "
                                  "operation")


def commit(a: Tensor, out: Tensor) -> Tensor:
    """Write ``out`` (the out-of-place result) into ``a`` and make ``a`` the output of ``out``'s node."""
    data = a._data
    if out._data.shape != data.shape:
        raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast shape "
                           f"{list(out._data.shape)}")
    if out._data.dtype is not data.dtype:
        have, want = from_numpy(out._data.dtype), from_numpy(data.dtype)
        if have._category > want._category:
            raise RuntimeError(messages.CANNOT_CAST.format(have.scalar_name, want.scalar_name))
    node = out._grad_fn
    produced = a._grad_fn
    if produced is not None and produced._ans is data:  # its rule may still read the old value
        produced._ans = data.copy()
    if node is not None and node._args is not None:
        node._args = tuple(x.copy() if x is data else x for x in node._args)
    try:
        data[...] = out._data
    except ValueError:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to "
                           "a single memory location. Please clone() the tensor before performing the "
                           "operation.") from None
    a._vc[0] += 1
    if node is not None:
        node._saved = _rebase_saved(node._saved, a, out)
        a._grad_fn, a._rg = node, True
    return a


def _rebase_saved(saved: tuple | None, a: Tensor, out: Tensor) -> tuple | None:
    """PyTorch saves the *original* value of an in-place op's input (a clone: never stale) and its output
    is now ``a`` at its new version."""
    if saved is None:
        return None
    kept: tuple = ()
    for i in range(0, len(saved), 3):
        cell, version, tensor = saved[i:i + 3]
        if tensor is a:
            continue
        if cell is out._vc:
            cell, version = a._vc, a._vc[0]
        kept += (cell, version, tensor)
    return kept or None


def _inplace(op: Callable, name: str):
    def method(a: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        recording = state.enabled and (a._rg or any(isinstance(x, Tensor) and x._rg
                                                    for x in args + tuple(kwargs.values())))
        check_inplace(a, recording)
        out = op(a, *args, **kwargs)
        if out is NotImplemented:
            return NotImplemented
        return commit(a, out)
    method.__name__ = method.__qualname__ = name
    return method


def _filled(kind: type):
    def fill(a: Tensor, value: Any = 0) -> Tensor:
        out = np.asarray(shim_rules.fill(a._data, value))
        if a._rg and state.enabled:
            return result(out, kind((edge(a),), _FILL, (a._data, value), out))
        return wrap(out)
    return fill


def copy_(a: Tensor, src: Tensor) -> Tensor:
    """Overwrite ``a`` with ``src`` (broadcast, converted to ``a``'s dtype): ``CopyBackwards``."""
    _assign(a, (Ellipsis,), src, N.CopyBackwards, messages.LEAF_INPLACE)
    return a


def setitem(a: Tensor, index: Any, value: Any) -> None:
    """``a[index] = value``. PyTorch writes into the view ``a[index]``, so the node depends on the index:
    ``CopySlices`` after a select/slice/unsqueeze, ``IndexPutBackward0`` for advanced indices alone, and
    for the whole tensor (``a[:]``, ``a[...]``) plain ``copy_``/``fill_`` (``CopyBackwards``/
    ``FillBackward3``)."""
    index = numpy_index(index)
    kind = _setitem_kind(index, a._data.shape)
    if kind is None:
        kind = N.CopyBackwards if isinstance(value, Tensor) else N.FillBackward3
    message = messages.VIEW_OF_LEAF_INPLACE if kind is N.CopySlices else messages.LEAF_INPLACE
    _assign(a, index, value, kind, message)


def _setitem_kind(parts: tuple, shape: tuple) -> type | None:
    ndim = len(shape)
    consumed = sum(p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
                   for p in parts if p is not None and p is not Ellipsis)
    d, advanced = 0, False
    for p in parts:
        if p is Ellipsis:
            d += ndim - consumed
        elif isinstance(p, slice):
            if d >= ndim or p.indices(shape[d]) != (0, shape[d], 1):
                return N.CopySlices
            d += 1
        elif p is None or not isinstance(p, np.ndarray):
            return N.CopySlices
        else:
            advanced = True
            d += p.ndim if p.dtype == bool else 1
    return N.IndexPutBackward0 if advanced else None


def _assign(a: Tensor, index: tuple, value: Any, kind: type, leaf_message: str) -> None:
    """Write ``value`` into ``a[index]``; the node has edges to ``a``'s previous node and to ``value``."""
    vt = value if isinstance(value, Tensor) else None
    recording = state.enabled and (a._rg or (vt is not None and vt._rg))
    check_inplace(a, recording, leaf_message)
    vd = vt._data if vt is not None else value
    data = a._data
    produced = a._grad_fn
    if produced is not None and produced._ans is data:
        produced._ans = data.copy()
    try:
        shim_rules.index_put(data, index, vd)
    except IndexError as error:
        raise IndexError(str(error).replace("axis", "dimension")) from None
    a._vc[0] += 1
    if recording:
        edges = (edge(a), NO_EDGE if vt is None else edge(vt))
        a._grad_fn = kind(edges, _INDEX_PUT, (data, index, vd), data)
        a._rg = True


METHODS = {
    "add_": _inplace(ops.add, "add_"), "__iadd__": _inplace(ops.add, "__iadd__"),
    "sub_": _inplace(ops.sub, "sub_"), "__isub__": _inplace(ops.sub, "__isub__"),
    "mul_": _inplace(ops.mul, "mul_"), "__imul__": _inplace(ops.mul, "__imul__"),
    "div_": _inplace(ops.div, "div_"), "__itruediv__": _inplace(ops.div, "__itruediv__"),
    "pow_": _inplace(ops.pow, "pow_"), "__ipow__": _inplace(ops.pow, "__ipow__"),
    "neg_": _inplace(ops.neg, "neg_"), "abs_": _inplace(ops.abs, "abs_"),
    "exp_": _inplace(ops.exp, "exp_"), "log_": _inplace(ops.log, "log_"),
    "sin_": _inplace(ops.sin, "sin_"), "cos_": _inplace(ops.cos, "cos_"),
    "tanh_": _inplace(ops.tanh, "tanh_"), "sigmoid_": _inplace(ops.sigmoid, "sigmoid_"),
    "relu_": _inplace(ops.relu, "relu_"), "sqrt_": _inplace(ops.sqrt, "sqrt_"),
    "clamp_": _inplace(ops.clamp, "clamp_"), "clip_": _inplace(ops.clamp, "clip_"),
    "zero_": _inplace(_filled(N.ZeroBackward0), "zero_"), "fill_": _inplace(_filled(N.FillBackward2), "fill_"),
    "copy_": copy_, "__setitem__": setitem,
}
