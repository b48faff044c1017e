"""The NumPy functions the shared derivative rules call, written with the shim's tensor operations.

A backward recorded with ``create_graph=True`` runs each rule with its module's ``np`` rebound to
``TENSOR_NUMPY`` (``graph_backward.on_tensors``), so that every step of the rule records a node, as
PyTorch's own backward formulas do. A NumPy function this namespace does not provide is refused on tensors
with ``BackwardNotRecordable``: never a gradient silently missing its second-order part."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .dtypes import from_numpy
from .functional import cat, stack, where
from .tensor import Tensor, wrap

UNSUPPORTED = ("create_graph=True: srcgrad's Tensor shim cannot record the backward of {what} yet; compute "
               "second derivatives of NumPy code with srcgrad.hessian or srcgrad.hvp instead")


class BackwardNotRecordable(RuntimeError):
    """A backward step the shim cannot record with ``create_graph=True`` (see the module docstring)."""


def tensor_of(value: Any) -> Any:
    """A NumPy array as a tensor (numbers stay numbers: the shim's operations take them as they are)."""
    if isinstance(value, np.ndarray):
        return wrap(value)
    if isinstance(value, np.generic):
        return wrap(np.asarray(value))
    return value


def _axes(axis: Any) -> Any:
    return list(axis) if isinstance(axis, tuple) else axis


def _unary(method: str) -> Callable[[Any], Any]:
    def function(x: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            raise BackwardNotRecordable(UNSUPPORTED.format(what=f"np.{method} with more arguments"))
        x = tensor_of(x)
        if not isinstance(x, Tensor):
            return getattr(np, _NUMPY_NAMES.get(method, method))(x)
        return getattr(x, method)()
    function.__name__ = method
    return function


_NUMPY_NAMES = {"neg": "negative"}


class _Binary:
    """A binary ufunc on tensors (called, or ``.outer``)."""

    def __init__(self, operation: Callable[[Any, Any], Any]):
        self.operation = operation

    def __call__(self, x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            raise BackwardNotRecordable(UNSUPPORTED.format(what="a NumPy operator with more arguments"))
        return self.operation(tensor_of(x), tensor_of(y))

    def outer(self, x: Any, y: Any) -> Any:
        x, y = tensor_of(x), tensor_of(y)
        shape_x, shape_y = TensorNumpy.shape(x), TensorNumpy.shape(y)
        x = x.reshape(tuple(shape_x) + (1,) * len(shape_y)) if isinstance(x, Tensor) else x
        return self.operation(x, y)


class _Add(_Binary):
    """``np.add``, with ``np.add.at(out, index, values)``: ``out.index_put_(index, values, accumulate=True)``."""

    def at(self, out: Any, index: Any, values: Any) -> None:
        if not isinstance(out, Tensor):
            raise BackwardNotRecordable(UNSUPPORTED.format(what="np.add.at into an array"))
        out.index_put_(index if isinstance(index, tuple) else (index,), tensor_of(values), accumulate=True)


def _predicate(name: str) -> Callable[[Any], Any]:
    """A NumPy test of values (``isnan``): no derivative, so computed on the tensor's data."""
    test = getattr(np, name)

    def function(x: Any) -> Any:
        return wrap(np.asarray(test(x._data))) if isinstance(x, Tensor) else test(x)
    function.__name__ = name
    return function


class _NoArray:
    """``np.ndarray`` as the rules see it on tensors: nothing is one, so every helper takes its general path
    (written with NumPy functions, which are the tensor ones here) rather than a NumPy-only shortcut."""


def _like_tensor(value: Any, like: Any) -> Any:
    """``value`` as a tensor (a number in ``like``'s dtype), for the operations that take only tensors."""
    if isinstance(value, Tensor):
        return value
    dtype = like._data.dtype if isinstance(like, Tensor) else None
    return wrap(np.asarray(value, dtype=dtype))


def numpy_only(name: str, function: Callable) -> Callable:   # name: as the refusal shows it
    """A NumPy function ``TENSOR_NUMPY`` does not provide: fine on shapes, axes and numbers, refused on a
    tensor (its derivative would be lost)."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, Tensor) or (isinstance(value, (list, tuple)) and any(isinstance(v, Tensor)
                                                                                     for v in value)):
                raise BackwardNotRecordable(UNSUPPORTED.format(what=f"{name} (in a derivative rule)"))
        return function(*args, **kwargs)
    return guarded


class TensorNumpy(types.ModuleType):
    """The NumPy functions the rules and their helpers call, on tensors (see the module docstring); any
    other attribute of NumPy that is not a function (dtypes, constants, ``errstate``) is NumPy's own."""

    ndarray = _NoArray
    cos, sin, tan, exp, log, tanh = (staticmethod(_unary(n)) for n in ("cos", "sin", "tan", "exp", "log", "tanh"))
    sqrt, sign, sinh, cosh = (staticmethod(_unary(n)) for n in ("sqrt", "sign", "sinh", "cosh"))
    log1p, expm1, square, reciprocal = (staticmethod(_unary(n)) for n in ("log1p", "expm1", "square", "reciprocal"))
    abs = absolute = staticmethod(_unary("abs"))
    negative = staticmethod(_unary("neg"))
    add = _Add(lambda x, y: x + y)
    subtract = _Binary(lambda x, y: x - y)
    multiply = _Binary(lambda x, y: x * y)
    divide = true_divide = _Binary(lambda x, y: x / y)
    power = _Binary(lambda x, y: x ** y)
    matmul = _Binary(lambda x, y: x @ y)
    equal = _Binary(lambda x, y: x == y)
    not_equal = _Binary(lambda x, y: x != y)
    greater = _Binary(lambda x, y: x > y)
    greater_equal = _Binary(lambda x, y: x >= y)
    less = _Binary(lambda x, y: x < y)
    less_equal = _Binary(lambda x, y: x <= y)
    maximum = _Binary(lambda x, y: _like_tensor(x, y).maximum(_like_tensor(y, x)))
    minimum = _Binary(lambda x, y: _like_tensor(x, y).minimum(_like_tensor(y, x)))
    logical_and = _Binary(lambda x, y: x & y)
    logical_or = _Binary(lambda x, y: x | y)

    isnan, isinf, isfinite, signbit = (staticmethod(_predicate(n)) for n in ("isnan", "isinf", "isfinite", "signbit"))

    @staticmethod
    def any(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        x = tensor_of(x)
        if not isinstance(x, Tensor):
            return np.any(x, axis=axis, keepdims=keepdims)
        return bool(x._data.any()) if axis is None and not keepdims else wrap(np.any(x._data, axis, keepdims=keepdims))

    @staticmethod
    def concatenate(arrays: Any, axis: int = 0) -> Any:
        return cat([tensor_of(a) if isinstance(tensor_of(a), Tensor) else wrap(np.asarray(a)) for a in arrays], axis)

    @staticmethod
    def stack(arrays: Any, axis: int = 0) -> Any:
        return stack([tensor_of(a) if isinstance(tensor_of(a), Tensor) else wrap(np.asarray(a)) for a in arrays], axis)

    @staticmethod
    def ravel(a: Any, order: str = "C") -> Any:
        a = tensor_of(a)
        if order != "C" or not isinstance(a, Tensor):
            return numpy_only("np.ravel", np.ravel)(a, order)
        return a.reshape(-1)

    @staticmethod
    def take(a: Any, indices: Any, axis: Any = None) -> Any:
        a = tensor_of(a)
        if not isinstance(a, Tensor):
            return np.take(a, indices, axis=axis)
        if axis is None:
            a, axis = a.reshape(-1), 0
        return a[(slice(None),) * (axis % a.dim()) + (indices,)]

    @staticmethod
    def size(x: Any) -> int:
        return int(np.prod(TensorNumpy.shape(x), dtype=np.int64))

    @staticmethod
    def shape(value: Any) -> tuple:
        return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)

    @staticmethod
    def ndim(value: Any) -> int:
        return len(TensorNumpy.shape(value))

    @staticmethod
    def sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        a = tensor_of(a)
        if out is not None or not isinstance(a, Tensor):
            raise BackwardNotRecordable(UNSUPPORTED.format(what="np.sum with out= or of a number"))
        if dtype is not None:
            a = a.to(_shim_dtype(dtype))
        axes = tuple(range(a.dim())) if axis is None else tuple(
            k % a.dim() for k in (axis if isinstance(axis, (tuple, list)) else (axis,)))
        if sorted(axes) == list(range(a.dim())) and not keepdims:
            return a.sum()   # everything: SumBackward0, as PyTorch's backward formulas reduce
        return a.sum(dim=list(axes), keepdim=keepdims)

    @staticmethod
    def reshape(a: Any, shape: Any, order: str = "C") -> Any:
        if order != "C":
            raise BackwardNotRecordable(UNSUPPORTED.format(what=f"np.reshape with order={order!r}"))
        a = tensor_of(a)
        if not isinstance(a, Tensor):
            return np.reshape(a, shape)
        shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
        if shape == tuple(a.shape):
            return a   # no ViewBackward0 for a reshape that changes nothing, as PyTorch's formulas have none
        return a.reshape(shape)

    @staticmethod
    def broadcast_to(a: Any, shape: Any) -> Any:
        a = tensor_of(a)
        if not isinstance(a, Tensor):
            a = wrap(np.asarray(a))
        return a.expand(*tuple(shape)) if tuple(shape) else a.reshape(())

    @staticmethod
    def where(condition: Any, x: Any, y: Any) -> Any:
        condition = tensor_of(condition)
        x, y = tensor_of(x), tensor_of(y)
        if not isinstance(condition, Tensor):
            condition = wrap(np.asarray(condition))
        like = x if isinstance(x, Tensor) else y
        if not isinstance(x, Tensor):
            x = wrap(np.asarray(x, dtype=like._data.dtype)) if isinstance(like, Tensor) else wrap(np.asarray(x))
        if not isinstance(y, Tensor):
            y = wrap(np.asarray(y, dtype=x._data.dtype))
        return where(condition, x, y)

    @staticmethod
    def transpose(a: Any, axes: Any = None) -> Any:
        a = tensor_of(a)
        return a.permute(*(axes if axes is not None else range(a.dim() - 1, -1, -1)))

    @staticmethod
    def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
        return tensor_of(a).transpose(axis1, axis2)

    @staticmethod
    def put_along_axis(arr: Any, indices: Any, values: Any, axis: int) -> None:
        """In place, as NumPy's: ``arr`` at ``indices`` along ``axis`` takes ``values`` (an ``index_put_``
        whose index is ``indices`` along ``axis`` and every position along the others)."""
        if not isinstance(arr, Tensor):
            raise BackwardNotRecordable(UNSUPPORTED.format(what="np.put_along_axis into an array"))
        indices = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
        axis %= arr.dim()
        index = tuple(indices if k == axis else
                      np.arange(n).reshape((1,) * k + (n,) + (1,) * (indices.ndim - k - 1))
                      for k, n in enumerate(arr.shape))
        values = tensor_of(values)
        if isinstance(values, Tensor):
            values = values.expand(*np.broadcast_shapes(tuple(values.shape), indices.shape))
        arr.index_put_(index, values)

    @staticmethod
    def squeeze(a: Any, axis: Any = None) -> Any:
        a = tensor_of(a)
        return a.squeeze() if axis is None else a.squeeze(axis)

    @staticmethod
    def expand_dims(a: Any, axis: int) -> Any:
        return tensor_of(a).unsqueeze(axis)

    @staticmethod
    def outer(a: Any, b: Any) -> Any:
        a, b = tensor_of(a), tensor_of(b)
        return a.reshape(-1, 1) * b.reshape(1, -1)

    @staticmethod
    def dot(a: Any, b: Any) -> Any:
        return tensor_of(a) @ tensor_of(b)

    @staticmethod
    def zeros(shape: Any, dtype: Any = float) -> Any:
        return wrap(np.zeros(shape, dtype=dtype))

    @staticmethod
    def zeros_like(a: Any, dtype: Any = None) -> Any:
        data = a._data if isinstance(a, Tensor) else np.asarray(a)
        return wrap(np.zeros_like(data, dtype=dtype))

    @staticmethod
    def ones_like(a: Any, dtype: Any = None) -> Any:
        data = a._data if isinstance(a, Tensor) else np.asarray(a)
        return wrap(np.ones_like(data, dtype=dtype))

    @staticmethod
    def result_type(*values: Any) -> np.dtype:
        return np.result_type(*(v._data if isinstance(v, Tensor) else v for v in values))

    @staticmethod
    def asarray(value: Any, dtype: Any = None, like: Any = None) -> Any:
        if isinstance(value, Tensor):
            return value if dtype is None or value._data.dtype == dtype else value.to(_shim_dtype(dtype))
        return np.asarray(value, dtype=dtype)

    @staticmethod
    def array(value: Any, dtype: Any = None, copy: bool = True) -> Any:
        if not isinstance(value, Tensor):
            return numpy_only("np.array", np.array)(value, dtype=dtype, copy=copy)
        value = TensorNumpy.asarray(value, dtype)
        return value.clone() if copy else value

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(np, attribute)
        if callable(value) and not isinstance(value, type) and attribute not in ("errstate", "dtype"):
            return numpy_only(f"np.{attribute}", value)
        return value


def _shim_dtype(dtype: Any) -> Any:
    return from_numpy(np.dtype(dtype))


TENSOR_NUMPY = TensorNumpy("srcgrad.tensor.tensor_numpy")
