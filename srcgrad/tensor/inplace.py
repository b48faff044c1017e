"""In-place operations (``add_``, ``+=``, ``zero_``, ``t[i] = v`` ...) and their autograd bookkeeping.

An in-place operation is its out-of-place twin plus a *commit*: the value is written into the tensor's
own memory (so views see it), the version counter moves on (so nodes that saved the old value refuse to
run, with PyTorch's message), and the tensor's ``grad_fn`` becomes the new node — or, for a view, its
base's node becomes ``CopySlices`` around it, as in PyTorch. PyTorch's rules about what may be modified in
place — not a leaf that requires grad, not a view of one — are checked first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules import shim_rules
from . import messages, ops, pointwise
from . import nodes as N
from .dtypes import from_numpy
from .grad_mode import state
from .nodes import derivative
from .tensor import NO_EDGE, Tensor, edge, result, wrap
from .views import basic_index, numpy_index

_FILL, _INDEX_PUT = derivative(shim_rules.fill), derivative(shim_rules.index_put, (0, 1))
_INDEX_ACCUMULATE = derivative(shim_rules.index_accumulate, (0, 1))


def check_inplace(a: Tensor, leaf_message: str = messages.LEAF_INPLACE) -> None:
    """Refuse what PyTorch refuses while recording: changing a leaf that requires grad, or a view of one."""
    if not state.enabled:
        return
    if a._grad_fn is not None and a._grad_fn.multi:
        raise RuntimeError(messages.MULTI_OUTPUT_INPLACE.format(a._out))
    base = a._base
    if base is not None and base._rg and a._view_no_grad:
        raise RuntimeError(messages.NO_GRAD_VIEW_INPLACE)
    if a._rg and a._grad_fn is None:
        raise RuntimeError(leaf_message)
    if base is not None and base._rg and base._grad_fn is None:
        raise RuntimeError(messages.VIEW_OF_LEAF_INPLACE)


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
    if a._grad_fn is not None or a._base is not None:
        _keep_old_value(a)
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
        become_output(a, node)
    return a


def _keep_old_value(a: Tensor) -> None:
    """The node that produced ``a`` may still read its value (its rule's ``ans``): keep a copy of it. For
    a view, the value read may be its base's (``v = x / s; v[0] += 1`` changes what ``DivBackward0``
    saved as its result)."""
    for owner in (a, a._base):
        produced = owner._grad_fn if owner is not None else None
        ans = getattr(produced, "_ans", None)
        if isinstance(ans, np.ndarray) and (ans is a._data or np.may_share_memory(ans, a._data)):
            produced._ans = ans.copy()


def become_output(a: Tensor, node: N.Node) -> None:
    """Make ``a`` (just changed in place) the output of ``node``. For a view, PyTorch's rebase: the base's
    node becomes ``CopySlices`` around ``node``, and the view reads itself off the base again."""
    base = a._base
    if base is None:
        a._grad_fn, a._rg = node, True
        return
    base._grad_fn, base._rg = N.CopySlices(edge(base), node, a._view_steps), True
    a._view_version = -1  # so that edge() and grad_fn make it AsStridedBackward0 of the base


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
        check_inplace(a)
        out = op(a, *args, **kwargs)
        if out is NotImplemented:
            return NotImplemented
        return commit(a, out)
    method.__name__ = method.__qualname__ = name
    return method


def _inplace_operator(op: Callable, ufunc: np.ufunc, name: str):
    """``a += b``, ``a -= b``, ``a *= b``: ``_inplace(op)``; and where nothing records and nothing else
    reads the old value (a floating leaf that is not a view, under ``no_grad``: an optimizer's update, with
    an operand of its dtype that changes neither its shape nor its dtype), the ufunc writes into the
    tensor's memory, as PyTorch's in-place kernel does: the same values without the intermediate array."""
    general = _inplace(op, name)

    def method(a: Tensor, b: Any) -> Tensor:
        ad = a._data
        if state.enabled or a._grad_fn is not None or a._base is not None or ad.dtype.kind != "f":
            return general(a, b)
        kind = type(b)
        if kind is float or kind is int:
            bd = b
        elif kind is Tensor and b._data.dtype is ad.dtype and (b._data.shape == ad.shape or not b._data.ndim):
            bd = b._data
        else:
            return general(a, b)
        token = ops.FP_ERRORS.set(ops.QUIET)
        try:
            ufunc(ad, bd, out=ad)
        finally:
            ops.FP_ERRORS.reset(token)
        a._vc[0] += 1
        return a
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
    _write(a, (Ellipsis,), src, N.CopyBackwards)
    return a


def setitem(a: Tensor, index: Any, value: Any) -> None:
    """``a[index] = value`` the way PyTorch does it: basic indices make a view of ``a`` and the value is
    copied into the view (``CopySlices`` on ``a``); advanced indices alone are ``IndexPutBackward0``; an
    index that covers everything (``a[:]``, ``a[...]``) is a plain ``copy_``/``fill_`` of ``a``."""
    target, advanced = basic_index(a, numpy_index(index))
    if advanced is not None:
        _write(target, advanced, value, N.IndexPutBackward0)
    else:
        _write(target, (Ellipsis,), value, N.CopyBackwards if isinstance(value, Tensor) else N.FillBackward3)


def index_put_(a: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """``a[indices] = values``, or with ``accumulate`` ``a[indices] += values`` where a position named
    twice receives both: ``IndexPutBackward0``."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put_(): argument 'indices' (position 1) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    index = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    if accumulate:
        _write(a, index, values, N.IndexPutBackward0, _INDEX_ACCUMULATE, shim_rules.index_accumulate)
    else:
        _write(a, index, values, N.IndexPutBackward0)
    return a


def _write(a: Tensor, index: tuple, value: Any, kind: type, how: tuple = _INDEX_PUT,
           write: Callable = shim_rules.index_put) -> None:
    """Write ``value`` into ``a[index]``: a node of ``kind`` with edges to ``a``'s previous node and to
    ``value``. Whatever PyTorch calls the node, its derivative is that of ``write`` (by default
    ``shim_rules.index_put``)."""
    check_inplace(a)
    vt = value if isinstance(value, Tensor) else None
    recording = state.enabled and (a._rg or (vt is not None and vt._rg))
    vd = vt._data if vt is not None else value
    data = a._data
    _keep_old_value(a)
    try:
        write(data, index, vd)
    except IndexError as error:
        raise IndexError(str(error).replace("axis", "dimension")) from None
    a._vc[0] += 1
    if recording:
        become_output(a, kind((edge(a), NO_EDGE if vt is None else edge(vt)), how, (data, index, vd), data))


METHODS = {
    "add_": _inplace(ops.add, "add_"), "__iadd__": _inplace_operator(ops.plus, np.add, "__iadd__"),
    "sub_": _inplace(ops.sub, "sub_"), "__isub__": _inplace_operator(ops.minus, np.subtract, "__isub__"),
    "mul_": _inplace(ops.mul, "mul_"), "__imul__": _inplace_operator(ops.mul, np.multiply, "__imul__"),
    "div_": _inplace(ops.div, "div_"), "__itruediv__": _inplace(ops.div, "__itruediv__"),
    "pow_": _inplace(ops.pow, "pow_"), "__ipow__": _inplace(ops.pow, "__ipow__"),
    "neg_": _inplace(pointwise.neg, "neg_"), "abs_": _inplace(pointwise.abs, "abs_"),
    "exp_": _inplace(pointwise.exp, "exp_"), "log_": _inplace(pointwise.log, "log_"),
    "sin_": _inplace(pointwise.sin, "sin_"), "cos_": _inplace(pointwise.cos, "cos_"),
    "tanh_": _inplace(pointwise.tanh, "tanh_"), "sigmoid_": _inplace(pointwise.sigmoid, "sigmoid_"),
    "relu_": _inplace(pointwise.relu, "relu_"), "sqrt_": _inplace(pointwise.sqrt, "sqrt_"),
    "clamp_": _inplace(pointwise.clamp, "clamp_"), "clip_": _inplace(pointwise.clamp, "clip_"),
    "zero_": _inplace(_filled(N.ZeroBackward0), "zero_"), "fill_": _inplace(_filled(N.FillBackward2), "fill_"),
    "copy_": copy_, "__setitem__": setitem, "index_put_": index_put_,
}
