"""``torch.autograd``: ``grad`` and ``backward`` as functions, over the shim's graph.

``grad(outputs, inputs, grad_outputs)`` runs the backward sweep from every output at once and hands back
the gradient that reaches each input, leaving every ``.grad`` alone; ``backward(tensors, grad_tensors,
inputs=...)`` accumulates into ``.grad`` (of the ``inputs`` only, when given). With ``create_graph=True``
the sweep records its own graph (``graph_backward.py``), so the gradients can be differentiated again."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import messages
from .engine import _add_to_grad, root_gradient, run_graph
from .function import Function, FunctionCtx, function, once_differentiable  # noqa: F401  (torch.autograd's names)
from .size import Size
from .tensor import Tensor, edge, wrap

_WARNED: list[bool] = []   # whether backward(create_graph=True) has warned of the reference cycle


def _tensors(value: Any) -> tuple:
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _roots(outputs: tuple, grad_outputs: Any, create_graph: bool = False) -> list[tuple[Any, Any]]:
    """``(node, cotangent)`` for each output, with PyTorch's checks of the cotangents; with
    ``create_graph`` a given cotangent stays the tensor it is (its own graph is part of the new one)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _tensors(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(messages.GRAD_OUTPUTS_LENGTH.format(len(grad_outputs), len(outputs)))
    roots = []
    for i, (output, gradient) in enumerate(zip(outputs, grad_outputs)):
        if not output._rg:
            raise RuntimeError(messages.NO_GRAD_FN.format(i))
        data = output._data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(messages.NOT_SCALAR)
            cotangent = np.ones_like(data)
        elif not isinstance(gradient, Tensor):
            raise TypeError(messages.GRADIENT_TYPE.format(type(gradient).__name__))
        elif gradient._data.shape != data.shape:
            raise RuntimeError(messages.SHAPE_MISMATCH.format(i=i, got=Size(gradient._data.shape),
                                                              want=Size(data.shape)))
        elif create_graph:
            cotangent = gradient if gradient._data.dtype == data.dtype else gradient.to(output.dtype)
        else:
            cotangent = gradient._data.astype(data.dtype, copy=False)
        roots.append((edge(output)[0], root_gradient(output, cotangent)))
    return roots


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` (weighted by ``grad_outputs``) with respect to ``inputs``."""
    if is_grads_batched:
        raise NotImplementedError("srcgrad's Tensor shim does not support is_grads_batched=True")
    outputs, inputs = _tensors(outputs), _tensors(inputs)
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    if materialize_grads and not allow_unused:
        raise ValueError(messages.MATERIALIZE_UNUSED)
    for tensor in inputs:
        if not tensor._rg:
            raise RuntimeError(messages.INPUT_NO_GRAD)
    roots = _roots(outputs, grad_outputs, create_graph)
    nodes = [edge(tensor)[0] for tensor in inputs]
    targets: dict[Any, Any] = dict.fromkeys(nodes)
    run_graph(roots, create_graph if retain_graph is None else bool(retain_graph), targets, create_graph)
    results = []
    for i, (tensor, node) in enumerate(zip(inputs, nodes)):
        found = targets[node]
        if found is None:
            if not allow_unused:
                raise RuntimeError(messages.UNUSED_INPUT.format(i))
            results.append(wrap(np.zeros_like(tensor._data)) if materialize_grads else None)
        elif create_graph:
            results.append(found if found._data.dtype == tensor._data.dtype else found.to(tensor.dtype))
        else:
            results.append(wrap(np.array(found, dtype=tensor._data.dtype)))
    return tuple(results)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into ``.grad``: of every leaf below them, or of ``inputs``."""
    tensors = _tensors(tensors)
    roots = _roots(tensors, grad_tensors if grad_tensors is not None else grad_variables, create_graph)
    keep = create_graph if retain_graph is None else bool(retain_graph)
    if create_graph and not _WARNED:   # once per process, as PyTorch's engine warns
        _WARNED.append(True)
        warnings.warn(messages.CREATE_GRAPH_CYCLE, UserWarning, stacklevel=3)
    if inputs is None:
        run_graph(roots, keep, None, create_graph)
        return
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError(messages.EMPTY_INPUTS)
    for tensor in inputs:
        if not tensor._rg:
            raise RuntimeError(messages.RETAIN_NO_GRAD)
        if not tensor.is_leaf:
            tensor.retain_grad()   # as PyTorch does: its .grad is then filled by the sweep itself
    leaves = [tensor for tensor in inputs if tensor.is_leaf]
    nodes = [edge(tensor)[0] for tensor in inputs]
    targets: dict[Any, Any] = dict.fromkeys(nodes)
    run_graph(roots, keep, targets, create_graph)
    for tensor in leaves:
        found = targets[edge(tensor)[0]]
        if found is not None:
            _add_to_grad(tensor, found, in_place=True, recorded=create_graph)


def tensor_backward(tensor: Tensor, gradient: Tensor | None, retain_graph: bool | None, create_graph: bool,
                    inputs: Sequence[Tensor] | Tensor | None) -> None:
    """``Tensor.backward``: ``backward((tensor,), gradient, ...)``."""
    backward((tensor,), None if gradient is None else (gradient,), retain_graph, create_graph, inputs=inputs)
