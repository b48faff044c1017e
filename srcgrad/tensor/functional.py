"""The function forms: ``torch.exp(t)``, ``torch.sum(t, dim=0)``, ``torch.cat([a, b])`` ...

Most are the method of the same name called on the first argument; the few that are not (``pow`` with a
number base, ``max`` of two tensors, ``cat``, ``stack``, ``where``) are written out.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import nodes as N
from . import ops, views
from .dtypes import result_type
from .grad_mode import state
from .nodes import derivative
from .out_arguments import with_out
from .pointwise import UNARY
from .tensor import NO_EDGE, Tensor, check_dim, edge, result, wrap


def _method(name: str):
    def call(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    call.__name__ = call.__qualname__ = name
    return call


add, sub, subtract, mul, multiply = map(_method, ("add", "sub", "subtract", "mul", "multiply"))
div, divide, true_divide, rsub = map(_method, ("div", "divide", "true_divide", "rsub"))
matmul, mm, mv, dot = map(_method, ("matmul", "mm", "mv", "dot"))
exp, log, sin, cos, tan, tanh = map(_method, ("exp", "log", "sin", "cos", "tan", "tanh"))
sigmoid, relu, abs, absolute = map(_method, ("sigmoid", "relu", "abs", "absolute"))
sqrt, square, neg, negative, sign = map(_method, ("sqrt", "square", "neg", "negative", "sign"))
reciprocal, log1p, expm1, clamp, clip = map(_method, ("reciprocal", "log1p", "expm1", "clamp", "clip"))
sum, mean, prod, max, min, norm = map(_method, ("sum", "mean", "prod", "max", "min", "norm"))
argmax, argmin, maximum, minimum = map(_method, ("argmax", "argmin", "maximum", "minimum"))
reshape, flatten, t, transpose = map(_method, ("reshape", "flatten", "t", "transpose"))
swapaxes, permute, squeeze, unsqueeze = map(_method, ("swapaxes", "permute", "squeeze", "unsqueeze"))
clone, detach, numel, cumsum, flip = map(_method, ("clone", "detach", "numel", "cumsum", "flip"))
var, std, amax, amin, all, any = map(_method, ("var", "std", "amax", "amin", "all", "any"))
tril, triu, masked_fill, gather, isnan = map(_method, ("tril", "triu", "masked_fill", "gather", "isnan"))
index_select = _method("index_select")
bmm, outer, ger = map(_method, ("bmm", "outer", "ger"))
eq, ne, lt, le, gt, ge, equal = map(_method, ("eq", "ne", "lt", "le", "gt", "ge", "equal"))
logical_and, logical_or, logical_xor = map(_method, ("logical_and", "logical_or", "logical_xor"))
bitwise_and, bitwise_or, bitwise_xor = map(_method, ("bitwise_and", "bitwise_or", "bitwise_xor"))
floor_divide, remainder = map(_method, ("floor_divide", "remainder"))
# The function form of every other one-argument operation a primitive's record offers (torch.sinh, torch.asin).
DECLARED = {name: _method(name) for name in UNARY if name not in globals()}
globals().update(DECLARED)


def pow(input: Any, exponent: Any) -> Tensor:
    """``torch.pow(x, 2)``, ``torch.pow(x, y)``, and ``torch.pow(2, x)`` (a number base)."""
    if isinstance(input, Tensor):
        return ops.pow(input, exponent)
    return ops.rpow(exponent, input)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


_CAT, _STACK = derivative(np.concatenate, None), derivative(np.stack, None)
_WHERE = derivative(np.where, (0, 1))


def _joined(primal: Any, kind: type, how: tuple, tensors: Any, dim: int, ndim: int) -> Tensor:
    tensors = list(tensors)
    target = result_type(*[t._data for t in tensors]).numpy
    arrays = [t._data.astype(target, copy=False) for t in tensors]
    axis = check_dim(dim, ndim)
    out = primal(arrays, axis=axis)
    if state.enabled and builtins.any(t._rg for t in tensors):
        return result(out, kind(tuple(edge(t) for t in tensors), how, (arrays,), out, {"axis": axis}))
    return wrap(out)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    return _joined(np.concatenate, N.CatBackward0, _CAT, tensors, dim, tensors[0]._data.ndim)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    return _joined(np.stack, N.StackBackward0, _STACK, tensors, dim, tensors[0]._data.ndim + 1)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """Entries of ``input`` where ``condition`` holds, else of ``other``: ``WhereBackward0``."""
    xt = input if isinstance(input, Tensor) else None
    yt = other if isinstance(other, Tensor) else None
    xd = input._data if xt is not None else input
    yd = other._data if yt is not None else other
    target = result_type(xd, yd).numpy
    xd, yd = (v.astype(target, copy=False) if isinstance(v, np.ndarray) else v for v in (xd, yd))
    out = np.asarray(np.where(condition._data, xd, yd), dtype=target)
    if state.enabled and builtins.any(t is not None and t._rg for t in (xt, yt)):
        edges = (NO_EDGE if xt is None else edge(xt), NO_EDGE if yt is None else edge(yt))
        return result(out, N.WhereBackward0(edges, _WHERE, (condition._data, xd, yd), out))
    return wrap(out)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


unbind = views.unbind

__all__ = [
    "abs",
    "absolute",
    "add",
    "allclose",
    "argmax",
    "argmin",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "cat",
    "clamp",
    "clip",
    "clone",
    "cos",
    "cumsum",
    "detach",
    "div",
    "divide",
    "dot",
    "eq",
    "equal",
    "exp",
    "expm1",
    "flatten",
    "flip",
    "floor_divide",
    "ge",
    "gt",
    "is_tensor",
    "le",
    "log",
    "log1p",
    "logical_and",
    "logical_or",
    "logical_xor",
    "lt",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "multiply",
    "mv",
    "ne",
    "neg",
    "negative",
    "norm",
    "numel",
    "permute",
    "pow",
    "prod",
    "reciprocal",
    "relu",
    "remainder",
    "reshape",
    "rsub",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "sub",
    "subtract",
    "sum",
    "swapaxes",
    "t",
    "tan",
    "tanh",
    "transpose",
    "true_divide",
    "unbind",
    "unsqueeze",
    "where",
]
__all__.extend(sorted(DECLARED))
__all__ += ["all", "amax", "amin", "any", "bmm", "gather", "ger", "index_select", "isnan", "masked_fill", "outer", "std", "tril",
            "triu", "var"]

# ``out=`` on the functions PyTorch gives it (not on views, comparisons of whole tensors or copies)
_NO_OUT = {"allclose", "clone", "flip", "reshape", "squeeze", "swapaxes", "t", "transpose", "unbind", "unsqueeze", "equal"}
for _name in __all__:
    if _name not in _NO_OUT and callable(globals().get(_name)):
        globals()[_name] = with_out(globals()[_name], _name)
