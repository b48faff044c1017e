"""The backward sweep: run every node reachable from the root once, after all nodes that feed it.

Like PyTorch's engine, a node runs when all its consumers have run (a dependency count), and among ready
nodes the most recently created runs first, with leaves' ``AccumulateGrad`` ahead of all others. That
order is what makes hooks fire in the same order as in PyTorch. Gradients flow as NumPy arrays; they are
wrapped in tensors only where user code sees them (hooks, ``.grad``).
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from . import grad_mode
from .nodes import AccumulateGrad
from .tensor import as_tensor_data, wrap


def run_backward(root: Any, grad: np.ndarray, keep_graph: bool) -> None:
    """Propagate ``grad``, the cotangent of ``root``'s output, to every leaf below it."""
    dependencies = _count_dependencies(root)
    buffers = {root: grad}
    ready = [(-root._seq, root)]
    previous, grad_mode.state.enabled = grad_mode.state.enabled, False  # hooks must not record
    try:
        while ready:
            node = heapq.heappop(ready)[1]
            grad = buffers.pop(node, None)
            if type(node) is AccumulateGrad:
                if grad is not None:
                    accumulate(node, grad)
                continue
            grads = _apply(node, grad)
            if not keep_graph:
                node.release()
            for (child, _), g in zip(node.next_functions, grads):
                if child is None:
                    continue
                if g is not None:
                    held = buffers.get(child)
                    buffers[child] = g if held is None else held + g
                count = dependencies[child] - 1
                dependencies[child] = count
                if count == 0:
                    heapq.heappush(ready, (-child._seq, child))
    finally:
        grad_mode.state.enabled = previous


def _count_dependencies(root: Any) -> dict:
    """For every node below ``root``: how many edges point at it."""
    dependencies: dict = {}
    stack = [root]
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is not None:
                count = dependencies.get(child)
                if count is None:
                    dependencies[child] = 1
                    stack.append(child)
                else:
                    dependencies[child] = count + 1
    return dependencies


def _apply(node: Any, grad: Any) -> list:
    if grad is None:  # nothing reached this node: its inputs get nothing either
        return [None] * len(node.next_functions)
    hooks = node._hooks
    if hooks is None:
        return node.apply(grad)
    grad = _run_pre_hooks(hooks, grad)
    grads = node.apply(grad)
    for hook in hooks.get("post", ()):
        hook(tuple(None if g is None else wrap(g) for g in grads), (wrap(grad),))
    return grads


def _run_pre_hooks(hooks: dict, grad: Any) -> Any:
    """Tensor hooks, then retain_grad (it always sees the hooked gradient), then node pre-hooks."""
    for hook in hooks.get("tensor", ()):
        replaced = hook(wrap(np.asarray(grad)))
        if replaced is not None:
            grad = as_tensor_data(replaced)
    retained = hooks.get("retain")
    tensor = retained() if retained is not None else None
    if tensor is not None:
        _add_to_grad(tensor, grad, in_place=False)
    for hook in hooks.get("pre", ()):
        replaced = hook((wrap(np.asarray(grad)),))
        if replaced is not None:
            grad = as_tensor_data(replaced[0])
    return grad


def accumulate(node: AccumulateGrad, grad: Any) -> None:
    """Add ``grad`` into the leaf's ``.grad``: a new tensor the first time, in place afterwards (so that
    ``.grad`` stays the same tensor object across backward calls, as in PyTorch)."""
    tensor = node.variable
    if tensor._hooks:
        for hook in list(tensor._hooks):
            replaced = hook(wrap(np.asarray(grad)))
            if replaced is not None:
                grad = as_tensor_data(replaced)
    _add_to_grad(tensor, grad, in_place=True)


def _add_to_grad(tensor: Any, grad: Any, in_place: bool) -> None:
    held = tensor._grad
    if held is None:
        # Always a fresh array: rules may hand the same array to several inputs, or a read-only view.
        tensor._grad = wrap(np.array(grad, dtype=tensor._data.dtype))
    elif in_place:
        held._data += grad
        held._vc[0] += 1
    else:
        tensor._grad = wrap(np.asarray(held._data + grad, dtype=tensor._data.dtype))
