"""The backward sweep: run every node reachable from the root once, after all nodes that feed it.

The order is PyTorch's (see ``run_backward``), which is what makes hooks fire in the same order as in
PyTorch. Gradients flow as NumPy arrays; they are wrapped in tensors only where user code sees them
(hooks, ``.grad``).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import grad_mode, messages
from .graph_backward import apply_recorded, copy_recorded
from .nodes import AccumulateGrad
from .ops import FP_ERRORS, QUIET
from .size import Size
from .tensor import ENGINE, Tensor, as_tensor_data, edge, wrap


def backward(tensor: Any, gradient: Any, keep_graph: bool) -> None:
    """``tensor.backward(gradient)``, with PyTorch's checks of the gradient."""
    if not tensor._rg:
        raise RuntimeError(messages.NO_GRAD_FN.format(0))
    data = tensor._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(messages.NOT_SCALAR)
        grad = np.ones(data.shape, data.dtype)
    else:
        if isinstance(gradient, (list, tuple)):
            gradient = gradient[0]
        if not isinstance(gradient, Tensor):
            raise TypeError(messages.GRADIENT_TYPE.format(type(gradient).__name__))
        if gradient._data.shape != data.shape:
            raise RuntimeError(messages.SHAPE_MISMATCH.format(i=0, got=Size(gradient._data.shape),
                                                              want=Size(data.shape)))
        grad = gradient._data.astype(data.dtype, copy=False)
    run_backward(edge(tensor)[0], root_gradient(tensor, grad), keep_graph)


def run_backward(root: Any, grad: np.ndarray, keep_graph: bool) -> None:
    """Propagate ``grad``, the cotangent of ``root``'s output, to every leaf below it."""
    run_graph([(root, grad)], keep_graph)


def run_graph(roots: list[tuple[Any, np.ndarray]], keep_graph: bool,
              targets: dict[Any, Any] | None = None, create_graph: bool = False) -> None:
    """Propagate each root's cotangent to every leaf below the roots.

    PyTorch runs, among ready nodes, a leaf's AccumulateGrad first and otherwise the most recently created
    node. A node's consumers are all created after it, so the most recent unprocessed node is always ready:
    that order is simply decreasing creation order, and a leaf is accumulated as soon as its last consumer
    has run. No ready queue is needed; only leaves need their consumers counted.

    With ``targets`` (``autograd.grad``, ``backward(inputs=...)``), nothing is accumulated: the gradient
    that reaches each target node (a leaf's AccumulateGrad, or a non-leaf's grad_fn, after its tensor hooks)
    is stored in ``targets[node]`` instead.

    With ``create_graph`` the gradients are tensors and every node's backward is recorded as operations on
    them (``graph_backward.py``), with grad mode on, as in PyTorch.
    """
    # hooks must not record, unless the sweep itself is being recorded
    previous = grad_mode.state.set(create_graph, grad_mode.state.inference)
    recorded = apply_recorded if create_graph else None
    token = FP_ERRORS.set(QUIET)  # rules divide by zero where PyTorch's formulas do, silently
    try:
        buffers: dict[Any, Any] = {}
        if create_graph:
            roots = [(root, grad if isinstance(grad, Tensor) else wrap(grad)) for root, grad in roots]
        for root, grad in roots:
            _add(buffers, root, grad)
        nodes, waiting = _graph([root for root, _ in roots])
        if targets is not None:   # as PyTorch: run only the nodes through which a target is reached
            nodes = _leading_to(nodes, targets)
        for root, _ in roots:
            if type(root) is AccumulateGrad and root not in waiting:
                waiting[root] = 0
        for leaf in [leaf for leaf, count in waiting.items() if count == 0 and leaf in buffers]:
            _finish_leaf(leaf, buffers.pop(leaf), targets, create_graph)
        pop, get, release = buffers.pop, buffers.get, not keep_graph
        for node in nodes:
            grad = pop(node, None)
            if targets is not None and node in targets and grad is not None:
                grad = _run_pre_hooks(node._hooks, grad, create_graph) if node._hooks is not None else grad
                targets[node] = grad
                grads = node.apply(grad) if recorded is None else recorded(node, grad)
            elif node._hooks is not None or grad is None:
                grads = _apply(node, grad, recorded or _plain_apply, create_graph)
            else:
                grads = node.apply(grad) if recorded is None else recorded(node, grad)
            if release and node.saves:
                node.release()
            for (child, k), g in zip(node.next_functions, grads):
                if child is None:
                    continue
                if type(child) is AccumulateGrad:
                    if g is not None:
                        held = get(child)
                        buffers[child] = g if held is None else held + g
                    left = waiting[child] - 1
                    waiting[child] = left
                    if left == 0 and child in buffers:
                        _finish_leaf(child, pop(child), targets, create_graph)
                elif g is not None:
                    if child.multi:
                        _add_output(buffers, child, k, g)
                    else:
                        held = get(child)
                        buffers[child] = g if held is None else held + g
    finally:
        FP_ERRORS.reset(token)
        grad_mode.state.set(*previous)


def _add(buffers: dict, node: Any, grad: Any) -> None:
    """Add a root's gradient: an array, or for a node with several outputs a list with one entry per
    output (``root_gradient``)."""
    if node.multi:
        for k, g in enumerate(grad):
            if g is not None:
                _add_output(buffers, node, k, g)
        return
    held = buffers.get(node)
    buffers[node] = grad if held is None else held + grad


def _add_output(buffers: dict, node: Any, k: int, grad: Any) -> None:
    """Add ``grad`` to what output ``k`` of a node with several outputs has received."""
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node._ans)
    slots[k] = grad if slots[k] is None else slots[k] + grad


def root_gradient(tensor: Tensor, grad: Any) -> Any:
    """The gradient a backward starts ``tensor``'s node with: for an output of a node with several outputs
    (unbind), a list with ``grad`` at the tensor's place."""
    fn = tensor._grad_fn
    if fn is None or not fn.multi:
        return grad
    slots = [None] * len(fn._ans)
    slots[tensor._out] = grad
    return slots


def _plain_apply(node: Any, grad: np.ndarray) -> list:
    return node.apply(grad)


def _shown(grad: Any, recorded: bool) -> Tensor:
    """The gradient as hooks see it: a tensor (the recorded one itself, with ``create_graph``)."""
    return grad if recorded else wrap(grad)


def _taken(replaced: Any, recorded: bool) -> Any:
    """What a hook returned, as the sweep carries it."""
    if recorded:
        return replaced if isinstance(replaced, Tensor) else wrap(np.asarray(replaced))
    return as_tensor_data(replaced)


def _finish_leaf(node: AccumulateGrad, grad: Any, targets: dict[Any, Any] | None, recorded: bool = False) -> None:
    if targets is None:
        accumulate(node, grad, recorded)
    elif node in targets:
        tensor = node.variable
        for hook in list(tensor._hooks or ()):
            replaced = hook(_shown(grad, recorded))
            if replaced is not None:
                grad = _taken(replaced, recorded)
        targets[node] = grad


def _graph(roots: list) -> tuple[list, dict]:
    """The non-leaf nodes below ``roots`` (themselves included), latest first, and for every leaf below them
    the number of edges pointing at it."""
    nodes = [root for root in dict.fromkeys(roots) if type(root) is not AccumulateGrad]
    seen, waiting = set(nodes), {}
    stack = list(nodes)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None:
                continue
            if type(child) is AccumulateGrad:
                waiting[child] = waiting.get(child, 0) + 1
            elif child not in seen:
                seen.add(child)
                nodes.append(child)
                stack.append(child)
    nodes.sort(key=_creation, reverse=True)
    return nodes, waiting


def _leading_to(nodes: list, targets: dict[Any, Any]) -> list:
    """The nodes (latest first, as given) from which some target can be reached."""
    reaches: dict[Any, bool] = {}
    for node in reversed(nodes):   # earliest first: a node's inputs were all created before it
        reaches[node] = node in targets or any(
            child is not None and (child in targets or reaches.get(child, False))
            for child, _ in node.next_functions)
    return [node for node in nodes if reaches[node]]


_creation = operator.attrgetter("_seq")


def _apply(node: Any, grad: Any, apply: Any = _plain_apply, recorded: bool = False) -> list:
    if grad is None:  # nothing reached this node: its inputs get nothing either
        return [None] * len(node.next_functions)
    hooks = node._hooks
    if hooks is None:
        return apply(node, grad)
    grad = _run_pre_hooks(hooks, grad, recorded)
    grads = apply(node, grad)
    for hook in hooks.get("post", ()):
        hook(tuple(None if g is None else _shown(g, recorded) for g in grads), (_shown(grad, recorded),))
    return grads


def _run_pre_hooks(hooks: dict, grad: Any, recorded: bool = False) -> Any:
    """Tensor hooks, then retain_grad (it always sees the hooked gradient), then node pre-hooks. For a node
    with several outputs (``grad`` a list, one entry per output), each output's own tensor hooks and
    retain_grad, for the outputs a gradient reached."""
    if type(grad) is list:   # (PyTorch runs an output's hooks even when no gradient reached it: with None)
        grad = [_tensor_hooks(hooks, ("tensor", k), ("retain", k), part, recorded) for k, part in enumerate(grad)]
    else:
        grad = _tensor_hooks(hooks, "tensor", "retain", grad, recorded)
    for hook in hooks.get("pre", ()):
        replaced = hook((_shown(grad, recorded),))
        if replaced is not None:
            grad = _taken(replaced[0], recorded)
    return grad


def _tensor_hooks(hooks: dict, tensor_key: Any, retain_key: Any, grad: Any, recorded: bool) -> Any:
    """One output's tensor hooks, then its retain_grad (which keeps a recorded gradient as a clone, as
    PyTorch does: ``CloneBackward0``)."""
    for hook in hooks.get(tensor_key, ()):
        replaced = hook(None if grad is None else _shown(grad, recorded))
        if replaced is not None:
            grad = _taken(replaced, recorded)
    retained = hooks.get(retain_key)
    tensor = retained() if retained is not None and grad is not None else None
    if tensor is not None:
        if recorded:
            tensor._grad = grad.clone() if tensor._grad is None else tensor._grad + grad
        else:
            _add_to_grad(tensor, grad, in_place=False)
    return grad


def accumulate(node: AccumulateGrad, grad: Any, recorded: bool = False) -> None:
    """Add ``grad`` into the leaf's ``.grad``: a new tensor the first time, in place afterwards (so that
    ``.grad`` stays the same tensor object across backward calls, as in PyTorch)."""
    tensor = node.variable
    if tensor._grad is None and not tensor._hooks and node._hooks is None and not recorded:
        _add_to_grad(tensor, grad, in_place=True)   # (the first gradient of a leaf without hooks, at once)
        return
    if tensor._hooks:
        for hook in list(tensor._hooks):
            replaced = hook(_shown(grad, recorded))
            if replaced is not None:
                grad = _taken(replaced, recorded)
    hooks = node._hooks
    if hooks is not None:
        grad = _run_pre_hooks(hooks, grad, recorded)
    _add_to_grad(tensor, grad, in_place=True, recorded=recorded)
    for hook in hooks.get("post", ()) if hooks is not None else ():
        hook((), (_shown(grad, recorded),))


def _add_to_grad(tensor: Any, grad: Any, in_place: bool, recorded: bool = False) -> None:
    if recorded:   # the gradient keeps its graph: a copy of it the first time, then a sum (as PyTorch)
        held = tensor._grad
        tensor._grad = copy_recorded(grad, tensor) if held is None else held + grad
        return
    held = tensor._grad
    if held is None:
        # Always a fresh array: rules may hand the same array to several inputs, or a read-only view.
        tensor._grad = wrap(np.array(grad, dtype=tensor._data.dtype))
    elif in_place:
        held._data += grad
        held._vc[0] += 1
    else:
        tensor._grad = wrap(np.asarray(held._data + grad, dtype=tensor._data.dtype))


ENGINE.backward = backward
