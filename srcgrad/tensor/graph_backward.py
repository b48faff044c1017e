"""The backward sweep recorded as a graph of its own (``create_graph=True``): second derivatives.

A node applies its primal's rule from the shared table, a NumPy function such as
``def _(g, ans, x, y): return unbroadcast(g * y, x), unbroadcast(g * x, y)``. With ``create_graph`` the
same rule runs on tensors instead: its module's ``np`` is replaced by ``TENSOR_NUMPY`` (``tensor_numpy.py``),
the NumPy functions the rules use written with the shim's operations, so every step of the rule records a node (``g * y`` a
``MulBackward0``) exactly as PyTorch's own backward formulas do. The rule's inputs are the tensors the
forward saw: the incoming gradient, the node's output (its grad_fn the node itself) and the inputs (a
leaf's variable, or a tensor of the value whose grad_fn is the node that made it), so the gradient of a
gradient flows back through the first graph too. Where PyTorch's backward is a fused kernel, the
gradient's node carries its name (``fused_names.py``).

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
from .function import FunctionNode
from .fused_names import fused_kernel_gradient
from .nodes import ALL, ONLY, SPREAD, AccumulateGrad, CopyBackwards, CopySlices, Node, Pruned, derivative
from .tensor import Tensor, edge, result, wrap
from .tensor_numpy import TENSOR_NUMPY, UNSUPPORTED, BackwardNotRecordable, numpy_only, tensor_of

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
            copied[name] = numpy_only(name, value)
    return copied


def _ours(function: types.FunctionType) -> bool:
    module = function.__globals__.get("__name__", "") or ""
    return module.startswith("srcgrad.rules") or module.startswith("srcgrad.tensor.nn")


def input_tensor(value: Any, edge: tuple) -> Any:
    """The tensor the forward saw as an input, for a second-order graph: a leaf's variable, a tensor of the
    value whose grad_fn is the node that made it, or (no edge) a tensor of the value that needs no grad."""
    node = edge[0]
    if node is None:
        return tensor_of(value)
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
    if pick is not SPREAD and _edge_positions(rule.argnums, pick)[:1] == [0]:   # the first input's gradient
        gradients[0] = fused_kernel_gradient(type(node).__name__, gradients[0], tensors[0], (grad, ans, *tensors))
    return gradients


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
