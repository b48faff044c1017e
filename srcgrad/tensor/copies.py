"""Operations that copy: ``clone``, ``contiguous``, ``flip`` and dtype conversion (``to``, ``float()``, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rules import shim_rules
from . import devices, dtypes, messages
from . import nodes as N
from .grad_mode import state
from .nodes import derivative
from .tensor import Tensor, check_dim, edge, result, wrap

_COPY, _CAST, _FLIP, _TILE = derivative(np.copy), derivative(shim_rules.cast), derivative(np.flip), derivative(np.tile)


def clone(a: Tensor, order: str = "K") -> Tensor:
    """A copy with the same memory layout (``order="K"``), as PyTorch's default ``preserve_format``."""
    out = np.copy(a._data, order=order)
    if a._rg and state.enabled:
        return result(out, N.CloneBackward0((edge(a),), _COPY, (a._data,), out, {"order": order}))
    return wrap(out)


def flip(a: Tensor, *dims: Any, **named: Any) -> Tensor:
    """``flip(dims)``: the elements in reverse order along each of ``dims`` (an int, a list or tuple, or
    several ints), as a copy (PyTorch's ``flip`` copies; NumPy's is a view)."""
    if "dims" in named:
        dims = (named.pop("dims"),)
    if named:
        raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(named))}'")
    if not dims:
        raise TypeError(messages.MISSING_ARGUMENT.format("flip", "dims"))
    listed = dims[0] if len(dims) == 1 and isinstance(dims[0], (list, tuple)) else dims
    axes = tuple(check_dim(d, a._data.ndim) for d in listed)
    for i, axis in enumerate(axes):
        if axis in axes[:i]:
            raise RuntimeError(messages.REPEATED_DIM.format(axis))
    out = np.flip(a._data, axes if a._data.ndim else ()).copy()
    if a._rg and state.enabled:
        return result(out, N.FlipBackward0((edge(a),), _FLIP, (a._data,), out,
                                           {"axis": axes if a._data.ndim else ()}))
    return wrap(out)


def repeat(a: Tensor, *sizes: Any) -> Tensor:
    """``repeat(2, 1)``: the tensor tiled ``sizes`` times along each dim (NumPy's ``tile``; leading sizes
    add dims)."""
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        sizes = tuple(sizes[0])
    if len(sizes) < a._data.ndim:
        raise RuntimeError(messages.REPEAT_DIMS)
    out = np.tile(a._data, sizes)
    if a._rg and state.enabled:
        return result(out, N.RepeatBackward0((edge(a),), _TILE, (a._data, sizes), out))
    return wrap(out)


def contiguous(a: Tensor) -> Tensor:
    return a if a._data.flags.c_contiguous else clone(a, "C")


def to(a: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(other_tensor)``, ``to("cpu")``, ``to(device, dtype)``, ``to(dtype=..., copy=True)``:
    a copy only when the dtype changes or ``copy`` asks for one (PyTorch returns the tensor itself
    otherwise). A device other than the CPU is refused as a CPU-only PyTorch refuses it."""
    target = kwargs.get("dtype")
    devices.check(kwargs.get("device"))
    for arg in args:
        if isinstance(arg, dtypes.dtype):
            target = arg
        elif isinstance(arg, Tensor):
            target = arg.dtype
        elif isinstance(arg, (str, int, devices.device)) and not isinstance(arg, bool):
            devices.check(arg)
    if target is None or target.numpy is a._data.dtype:
        return clone(a) if kwargs.get("copy") else a
    out = shim_rules.cast(a._data, target.numpy)
    if a._rg and state.enabled and target.is_floating_point:
        return result(out, N.ToCopyBackward0((edge(a),), _CAST, (a._data, target.numpy), out))
    return wrap(out)


def _converter(target: dtypes.dtype, name: str):
    def convert(a: Tensor) -> Tensor:
        return to(a, target)
    convert.__name__ = convert.__qualname__ = name
    return convert


METHODS = {
    "clone": clone, "contiguous": contiguous, "to": to, "flip": flip, "repeat": repeat,
    "float": _converter(dtypes.float32, "float"), "double": _converter(dtypes.float64, "double"),
    "half": _converter(dtypes.float16, "half"), "long": _converter(dtypes.int64, "long"),
    "int": _converter(dtypes.int32, "int"), "short": _converter(dtypes.int16, "short"),
    "bool": _converter(dtypes.bool, "bool"), "byte": _converter(dtypes.uint8, "byte"),
}
