"""The backward sweep recorded as a graph of its own (``create_graph=True``): second derivatives.

A node applies its primal's rule from the shared table, a NumPy function such as
``def _(g, ans, x, y): return unbroadcast(g * y, x), unbroadcast(g * x, y)``. With ``create_graph`` the
same rule runs on tensors instead: its module's ``np`` is replaced by ``TENSOR_NUMPY``, the NumPy functions
the rules use written with the shim's operations, so every step of the rule records a node (``g * y`` a
``MulBackward0``) exactly as PyTorch's own backward formulas do. The rule's inputs are the tensors the
forward saw: the incoming gradient, the node's output (its grad_fn the node itself) and the inputs (a
leaf's variable, or a tensor of the value whose grad_fn is the node that made it), so the gradient of a
gradient flows back through the first graph too.

A rule that reaches a NumPy function ``TENSOR_NUMPY`` does not provide, or a node whose backward is not a
rule of the table (a view written back in place), raises a ``RuntimeError`` that says so: never a
gradient silently missing its second-order part."""

from __future__ import annotations

import math
import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import messages
from .dtypes import from_numpy
from .function import FunctionNode
from .functional import cat, stack, where
from .nodes import ALL, ONLY, SPREAD, AccumulateGrad, CopyBackwards, CopySlices, Node, Pruned, derivative
from .tensor import Tensor, edge, result, wrap

UNSUPPORTED = ("create_graph=True: srcgrad's Tensor shim cannot record the backward of {what} yet; compute "
               "second derivatives of NumPy code with srcgrad.hessian or srcgrad.hvp instead")


class BackwardNotRecordable(RuntimeError):
    """A backward step the shim cannot record with ``create_graph=True`` (see the module docstring)."""


def _tensor(value: Any) -> Any:
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
        x = _tensor(x)
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
        return self.operation(_tensor(x), _tensor(y))

    def outer(self, x: Any, y: Any) -> Any:
        x, y = _tensor(x), _tensor(y)
        shape_x, shape_y = TensorNumpy.shape(x), TensorNumpy.shape(y)
        x = x.reshape(tuple(shape_x) + (1,) * len(shape_y)) if isinstance(x, Tensor) else x
        return self.operation(x, y)


class _Add(_Binary):
    """``np.add``, with ``np.add.at(out, index, values)``: ``out.index_put_(index, values, accumulate=True)``."""

    def at(self, out: Any, index: Any, values: Any) -> None:
        if not isinstance(out, Tensor):
            raise BackwardNotRecordable(UNSUPPORTED.format(what="np.add.at into an array"))
        out.index_put_(index if isinstance(index, tuple) else (index,), _tensor(values), accumulate=True)


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


def _numpy_only(name: str, function: Callable) -> Callable:   # name: as the refusal shows it
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
        x = _tensor(x)
        if not isinstance(x, Tensor):
            return np.any(x, axis=axis, keepdims=keepdims)
        return bool(x._data.any()) if axis is None and not keepdims else wrap(np.any(x._data, axis, keepdims=keepdims))

    @staticmethod
    def concatenate(arrays: Any, axis: int = 0) -> Any:
        return cat([_tensor(a) if isinstance(_tensor(a), Tensor) else wrap(np.asarray(a)) for a in arrays], axis)

    @staticmethod
    def stack(arrays: Any, axis: int = 0) -> Any:
        return stack([_tensor(a) if isinstance(_tensor(a), Tensor) else wrap(np.asarray(a)) for a in arrays], axis)

    @staticmethod
    def ravel(a: Any, order: str = "C") -> Any:
        a = _tensor(a)
        if order != "C" or not isinstance(a, Tensor):
            return _numpy_only("np.ravel", np.ravel)(a, order)
        return a.reshape(-1)

    @staticmethod
    def take(a: Any, indices: Any, axis: Any = None) -> Any:
        a = _tensor(a)
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
        a = _tensor(a)
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
        a = _tensor(a)
        if not isinstance(a, Tensor):
            return np.reshape(a, shape)
        shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
        if shape == tuple(a.shape):
            return a   # no ViewBackward0 for a reshape that changes nothing, as PyTorch's formulas have none
        return a.reshape(shape)

    @staticmethod
    def broadcast_to(a: Any, shape: Any) -> Any:
        a = _tensor(a)
        if not isinstance(a, Tensor):
            a = wrap(np.asarray(a))
        return a.expand(*tuple(shape)) if tuple(shape) else a.reshape(())

    @staticmethod
    def where(condition: Any, x: Any, y: Any) -> Any:
        condition = _tensor(condition)
        x, y = _tensor(x), _tensor(y)
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
        a = _tensor(a)
        return a.permute(*(axes if axes is not None else range(a.dim() - 1, -1, -1)))

    @staticmethod
    def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
        return _tensor(a).transpose(axis1, axis2)

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
        values = _tensor(values)
        if isinstance(values, Tensor):
            values = values.expand(*np.broadcast_shapes(tuple(values.shape), indices.shape))
        arr.index_put_(index, values)

    @staticmethod
    def squeeze(a: Any, axis: Any = None) -> Any:
        a = _tensor(a)
        return a.squeeze() if axis is None else a.squeeze(axis)

    @staticmethod
    def expand_dims(a: Any, axis: int) -> Any:
        return _tensor(a).unsqueeze(axis)

    @staticmethod
    def outer(a: Any, b: Any) -> Any:
        a, b = _tensor(a), _tensor(b)
        return a.reshape(-1, 1) * b.reshape(1, -1)

    @staticmethod
    def dot(a: Any, b: Any) -> Any:
        return _tensor(a) @ _tensor(b)

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
            return _numpy_only("np.array", np.array)(value, dtype=dtype, copy=copy)
        value = TensorNumpy.asarray(value, dtype)
        return value.clone() if copy else value

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(np, attribute)
        if callable(value) and not isinstance(value, type) and attribute not in ("errstate", "dtype"):
            return _numpy_only(f"np.{attribute}", value)
        return value


def _shim_dtype(dtype: Any) -> Any:
    return from_numpy(np.dtype(dtype))


TENSOR_NUMPY = TensorNumpy("srcgrad.tensor.tensor_numpy")
_REBOUND: dict[Callable, Callable] = {}   # by the function itself: an id could be reused after it is freed
_GLOBALS: dict[int, dict] = {}            # by the id of a module's namespace, which lives as long as the module


def on_tensors(function: Callable) -> Callable:
    """``function`` (a rule, or a helper it calls) reading ``TENSOR_NUMPY`` as ``np``, and the functions of
    srcgrad's rule modules it calls rebound the same way."""
    found = _REBOUND.get(function)
    if found is not None:
        return found
    rebound = types.FunctionType(function.__code__, _globals_of(function.__globals__), function.__name__,
                                 function.__defaults__, function.__closure__)
    rebound.__kwdefaults__ = function.__kwdefaults__
    _REBOUND[function] = rebound
    return rebound


def _globals_of(namespace: dict) -> dict:
    key = id(namespace)
    found = _GLOBALS.get(key)
    if found is not None:
        return found
    copied = _GLOBALS[key] = dict(namespace)
    for name, value in namespace.items():
        if value is np:
            copied[name] = TENSOR_NUMPY
        elif isinstance(value, types.FunctionType) and _ours(value):
            copied[name] = on_tensors(value)
        elif isinstance(value, (np.ufunc, np.vectorize)):   # (scipy.special.erf): no tensor form here
            copied[name] = _numpy_only(name, value)
    return copied


def _ours(function: types.FunctionType) -> bool:
    module = function.__globals__.get("__name__", "") or ""
    return module.startswith("srcgrad.rules") or module.startswith("srcgrad.tensor.nn")


def input_tensor(value: Any, edge: tuple) -> Any:
    """The tensor the forward saw as an input, for a second-order graph: a leaf's variable, a tensor of the
    value whose grad_fn is the node that made it, or (no edge) a tensor of the value that needs no grad."""
    node = edge[0]
    if node is None:
        return _tensor(value)
    if type(node) is AccumulateGrad:
        return node.variable
    tensor = result(np.asarray(value), node)
    if node.multi:
        tensor._out = edge[1]   # which of the node's outputs it is
    return tensor


def apply_on_tensors(node: Node, grad: Tensor) -> list:
    """``node.apply`` with tensors: the node's rule recorded as operations on ``grad``, the node's output
    and its inputs (see the module docstring)."""
    if isinstance(node, CopySlices):
        return _copy_slices_on_tensors(node, grad)
    if type(node).apply is not Node.apply:
        raise BackwardNotRecordable(UNSUPPORTED.format(what=type(node).__name__))
    args = node._args
    if args is None:
        raise RuntimeError(messages.SECOND_BACKWARD)
    rule, pick = node._how
    if rule is None:
        raise BackwardNotRecordable(UNSUPPORTED.format(what=type(node).__name__))
    tensors = list(args)
    if pick is SPREAD:   # one list argument (cat, stack), an edge per item
        tensors[0] = [input_tensor(a, e) for a, e in zip(args[0], node.next_functions)]
    else:
        for position, edge in zip(_edge_positions(rule.argnums, pick), node.next_functions):
            tensors[position] = input_tensor(args[position], edge)
    ans = tuple(wrap(part) for part in node._ans) if node.multi else result(np.asarray(node._ans), node)
    function = pick.function if type(pick) is Pruned else rule.function
    partials = on_tensors(function)(grad, ans, *tensors, **node._kwargs)
    if pick is ONLY:
        partials = (partials,)
    elif pick is SPREAD:
        partials = list(partials)
    elif type(pick) is Pruned and pick.picked is not None:
        partials = [partials[i] for i in pick.picked]
    elif type(pick) is tuple:
        partials = [partials[i] for i in pick]
    gradients = [None if p is None else _as_gradient(p) for p in partials]
    fused = FUSED.get(type(node).__name__)
    if fused is not None and pick is not SPREAD and _edge_positions(rule.argnums, pick)[:1] == [0]:
        if fused in READS_INPUT and gradients[0] is not None and isinstance(tensors[0], Tensor) and tensors[0]._rg:
            gradients[0] = _depending_on(gradients[0], tensors[0])
        _rename(gradients[0], fused, (grad, ans, *tensors))
    return gradients


# PyTorch's backward formulas that are one kernel of their own, by the forward node: the node that makes the
# gradient of the first input carries the kernel's name (``tanh`` → ``TanhBackwardBackward0``), although
# here it is the last of the rule's recorded steps (``g * (1 - y * y)``: a product) and its inputs are
# that step's.
FUSED = {
    "TanhBackward0": "TanhBackwardBackward0", "SigmoidBackward0": "SigmoidBackwardBackward0",
    "ReluBackward0": "ThresholdBackwardBackward0", "SliceBackward0": "SliceBackwardBackward0",
    "SelectBackward0": "SelectBackwardBackward0", "IndexBackward0": "IndexPutImplBackward0",
    "SoftmaxBackward0": "SoftmaxBackwardDataBackward0", "LogSoftmaxBackward0": "LogSoftmaxBackwardDataBackward0",
    "MseLossBackward0": "MseLossBackwardBackward0", "BinaryCrossEntropyBackward0":
    "BinaryCrossEntropyBackwardBackward0", "UnsqueezeBackward0": "SqueezeBackward1",
    "MeanBackward0": "DivBackward1", "MeanBackward1": "DivBackward1", "ClampBackward1": "WhereBackward0",
    "MaxBackward0": "ScatterBackward0", "MinBackward0": "ScatterBackward0",
}
_FUSED_CLASSES: dict[tuple[str, type], type] = {}
# Fused kernels that take the forward's input: their result depends on the input (with a zero derivative)
# whenever the input requires grad, where the rule's result does not (``g * (x > 0)``).
READS_INPUT = frozenset({"ThresholdBackwardBackward0"})


def _depending_on(gradient: Tensor, x: Tensor) -> Tensor:
    """``gradient``'s value, recorded as depending on ``x`` with a zero derivative (``where`` that never
    takes ``x``: no product with ``x``, so an infinite ``x`` cannot make a NaN)."""
    never = wrap(np.zeros(gradient._data.shape, dtype=bool))
    like = x if x._data.shape == gradient._data.shape else x.expand(*gradient._data.shape)
    return where(never, like, gradient)


def _rename(gradient: Tensor | None, name: str, inputs: tuple) -> None:
    """Give ``gradient``'s node the fused kernel's name, if the rule made that node (not when the rule
    passed one of its inputs through)."""
    node = None if gradient is None else gradient._grad_fn
    if node is None or any(isinstance(t, Tensor) and t._grad_fn is node for t in inputs):
        return
    base = type(node)
    if base.__name__ == name:
        return
    renamed = _FUSED_CLASSES.get((name, base))
    if renamed is None:
        renamed = _FUSED_CLASSES[name, base] = type(name, (base,), {"__slots__": (), "__module__": "builtins",
                                                                    "__qualname__": name})
    node.__class__ = renamed


def _copy_slices_on_tensors(node: CopySlices, grad: Tensor) -> list:
    """``CopySlices.apply`` recorded: the base's gradient passes through outside the view and, inside it,
    through the node of the in-place operation (a copy written back in place, as PyTorch's engine does)."""
    if node._args is None:
        raise RuntimeError(messages.SECOND_BACKWARD)
    steps, fn = node._args
    out = grad.clone()
    region = out
    for function, args, kwargs in steps:
        region = function(region, *args, **kwargs) if function is operator.getitem else \
            getattr(TENSOR_NUMPY, function.__name__)(region, *args, **kwargs)
    grads = apply_recorded(fn, region.clone())
    region.copy_(grads[0] if grads[0] is not None else wrap(np.zeros_like(region._data)))
    return [out, *grads[1:]]


def _edge_positions(argnums: tuple, pick: Any) -> list[int]:
    if type(pick) is Pruned:
        pick = pick.picked
    if pick is None or pick is ONLY or pick is ALL:
        return list(argnums)
    return [argnums[i] for i in pick]


def _as_gradient(partial: Any) -> Tensor:
    """A rule's partial as a tensor (a constant partial, ``0.0``, is one that needs no grad)."""
    if isinstance(partial, Tensor):
        return partial
    if isinstance(partial, (int, float)) and not math.isfinite(partial):
        return wrap(np.asarray(partial, dtype=np.float64))
    return wrap(np.asarray(partial))


_COPY = derivative(np.copy)


def copy_recorded(grad: Tensor, like: Tensor) -> Tensor:
    """The first gradient a leaf keeps with ``create_graph``: a copy of the recorded one, in the leaf's
    dtype (``CopyBackwards``, as PyTorch's AccumulateGrad makes it)."""
    out = np.array(grad._data, dtype=like._data.dtype)
    if not grad._rg:
        return wrap(out)
    return result(out, CopyBackwards((edge(grad),), _COPY, (grad._data,), out, {"order": "K"}))


def apply_recorded(node: Any, grad: Tensor) -> list:
    """A node's backward with ``create_graph``: gradients as tensors, with the graph that made them."""
    if isinstance(node, FunctionNode):
        return node.apply_on_tensors(grad)
    return apply_on_tensors(node, grad)
