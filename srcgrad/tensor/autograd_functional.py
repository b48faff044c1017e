"""``torch.autograd.functional``: ``jacobian``, ``vjp`` and ``jvp`` of a function of tensors.

Each runs the function on detached copies of the inputs that require grad, then the shim's backward
sweep: ``vjp`` once, ``jacobian`` once per output element (a row of the Jacobian), ``jvp`` as the Jacobian
times the tangent. ``hessian``, ``hvp`` and ``vhp`` differentiate the gradient again: it is computed with
``create_graph=True`` (``graph_backward.py``). Their own ``create_graph=True`` (a third derivative) is
refused and said so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import messages
from .autograd import grad
from .grad_mode import enable_grad
from .tensor import Tensor, wrap


def _as_tuple(value: Any, what: str, function: str) -> tuple[bool, tuple]:
    """``(was a tuple, the tensors as a tuple)``, with PyTorch's check of the argument."""
    if isinstance(value, Tensor):
        return False, (value,)
    if isinstance(value, tuple) and all(isinstance(item, Tensor) for item in value):
        return True, value
    raise TypeError(messages.FUNCTIONAL_ARGUMENT.format(what=what, function=function, type=type(value)))


def _prepared(inputs: tuple) -> tuple:
    return tuple(wrap(np.array(t._data)).requires_grad_(True) for t in inputs)


def _outputs(func: Callable, inputs: tuple, function: str) -> tuple[bool, tuple]:
    with enable_grad():
        out = func(*inputs)
    return _as_tuple(out, "outputs of the user-provided function", function)


def _evaluated(func: Callable, inputs: Any, function: str, create_graph: bool, strict: bool
               ) -> tuple[bool, tuple, bool, tuple]:
    """``func`` run on fresh leaves like ``inputs``: ``(inputs were a tuple, the leaves, outputs were a
    tuple, the outputs)``, with PyTorch's checks of the arguments and, in strict mode, of the outputs."""
    if create_graph:
        raise NotImplementedError(messages.CREATE_GRAPH.format(function))
    was_tuple, given = _as_tuple(inputs, "inputs", function)
    leaves = _prepared(given)
    out_tuple, outputs = _outputs(func, leaves, function)
    _check_strict(outputs, strict)
    return was_tuple, leaves, out_tuple, outputs


def _vectors(v: Any, like: tuple, function: str, missing: str) -> tuple:
    """``v`` as a tuple of tensors; without one, a 1 for a single tensor of one element ``like``, else
    PyTorch's error ``missing``."""
    if v is not None:
        return _as_tuple(v, "v", function)[1]
    if len(like) != 1 or like[0]._data.size != 1:
        raise RuntimeError(missing)
    return (wrap(np.ones_like(like[0]._data)),)


def _check_strict(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, output in enumerate(outputs):
            if not output.requires_grad:
                raise RuntimeError(messages.STRICT_OUTPUT.format(i))


def _gradients(outputs: tuple, inputs: tuple, cotangents: tuple) -> tuple:
    """The cotangent of each input (zeros where unused) for the output cotangents given."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return tuple(wrap(np.zeros_like(t._data)) for t in inputs)
    found = grad([o for o, _ in live], inputs, [c for _, c in live], retain_graph=True, allow_unused=True)
    return tuple(wrap(np.zeros_like(t._data)) if g is None else g for g, t in zip(found, inputs))


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``."""
    was_tuple, inputs_, out_tuple, outputs = _evaluated(func, inputs, "vjp", create_graph, strict)
    cotangents = _vectors(v, outputs, "vjp", messages.VJP_NEEDS_V)
    result = _gradients(outputs, inputs_, cotangents)
    detached = tuple(o.detach() for o in outputs)
    return (detached if out_tuple else detached[0]), (result if was_tuple else result[0])


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for each output and input, a tensor of shape
    ``output.shape + input.shape``, nested as PyTorch nests them."""
    was_tuple, inputs_, out_tuple, outputs = _evaluated(func, inputs, "jacobian", create_graph, strict)
    blocks = []
    for i, output in enumerate(outputs):
        rows = []
        for k in range(output._data.size if output.requires_grad else 0):
            seed = np.zeros_like(output._data)
            seed.reshape(-1)[k] = 1.0
            found = grad(output, inputs_, wrap(seed), retain_graph=True, allow_unused=True)
            if strict:
                for j, g in enumerate(found):
                    if g is None:
                        raise RuntimeError(messages.STRICT_INDEPENDENT.format(i, j))
            rows.append(tuple(wrap(np.zeros_like(t._data)) if g is None else g for g, t in zip(found, inputs_)))
        shapes = [output._data.shape + t._data.shape for t in inputs_]
        per_input = tuple(wrap(np.stack([row[j]._data for row in rows]).reshape(shape)) if rows
                          else wrap(np.zeros(shape, inputs_[j]._data.dtype)) for j, shape in enumerate(shapes))
        blocks.append(per_input if was_tuple else per_input[0])
    return tuple(blocks) if out_tuple else blocks[0]


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)``, from the Jacobian."""
    if create_graph:
        raise NotImplementedError(messages.CREATE_GRAPH.format("jvp"))
    _, given = _as_tuple(inputs, "inputs", "jvp")
    tangents = _vectors(v, given, "jvp", messages.JVP_NEEDS_V)
    inputs_ = _prepared(given)
    out_tuple, outputs = _outputs(func, inputs_, "jvp")
    _check_strict(outputs, strict)
    jac = jacobian(func, tuple(given), strict=strict)
    jac = jac if out_tuple else (jac,)
    results = []
    for output, blocks in zip(outputs, jac):
        total = np.zeros(output._data.shape, output._data.dtype)
        for block, tangent in zip(blocks, tangents):
            flat = block._data.reshape(output._data.size, -1)
            total = total + (flat @ tangent._data.reshape(-1)).reshape(output._data.shape)
        results.append(wrap(total))
    detached = tuple(o.detach() for o in outputs)
    return (detached if out_tuple else detached[0]), (tuple(results) if out_tuple else results[0])


def _single_output(func: Callable, inputs: tuple, name: str, strict: bool) -> Tensor:
    """``func(*inputs)``, checked to be one tensor of one element, as PyTorch checks it."""
    with enable_grad():
        out_tuple, outputs = _outputs(func, inputs, name)
    _check_strict(outputs, strict)
    if out_tuple:
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0]._data.size != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    return outputs[0]


def _first_derivatives(func: Callable, inputs: Any, name: str, create_graph: bool, strict: bool
                       ) -> tuple[bool, tuple, Tensor, tuple]:
    """``(inputs were a tuple, fresh leaves, func's output, its gradient with respect to each leaf)``, the
    gradient recorded so that it can be differentiated again (zeros that need no grad where unused)."""
    if create_graph:
        raise NotImplementedError(messages.NESTED_CREATE_GRAPH.format(name))
    was_tuple, given = _as_tuple(inputs, "inputs", name)
    leaves = _prepared(given)
    output = _single_output(func, leaves, name, strict)
    with enable_grad():
        found = grad(output, leaves, create_graph=True, allow_unused=True)
    firsts = tuple(wrap(np.zeros_like(t._data)) if g is None else g for g, t in zip(found, leaves))
    return was_tuple, leaves, output, firsts


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a function with one output element: for inputs ``i`` and ``j``, a tensor of shape
    ``inputs[i].shape + inputs[j].shape``, nested as PyTorch nests them."""
    was_tuple, leaves, _, firsts = _first_derivatives(func, inputs, "hessian", create_graph, strict)
    blocks = []
    for first in firsts:
        rows = []
        for k in range(first._data.size if first.requires_grad else 0):
            found = grad(first.reshape(-1)[k], leaves, retain_graph=True, allow_unused=True)
            rows.append([np.zeros_like(t._data) if g is None else g._data for g, t in zip(found, leaves)])
        shapes = [first._data.shape + t._data.shape for t in leaves]
        blocks.append(tuple(wrap(np.stack([row[j] for row in rows]).reshape(shape)) if rows
                            else wrap(np.zeros(shape, leaves[j]._data.dtype)) for j, shape in enumerate(shapes)))
    return tuple(blocks) if was_tuple else blocks[0][0]


def _hessian_product(name: str) -> Callable[..., tuple]:
    def product(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
                strict: bool = False) -> tuple:
        was_tuple, leaves, output, firsts = _first_derivatives(func, inputs, name, create_graph, strict)
        vectors = _vectors(v, leaves, name, messages.JVP_NEEDS_V)
        live = [(f, u) for f, u in zip(firsts, vectors) if f.requires_grad]
        found = grad([f for f, _ in live], leaves, [u for _, u in live], allow_unused=True) if live else \
            (None,) * len(leaves)
        result = tuple(wrap(np.zeros_like(t._data)) if g is None else g for g, t in zip(found, leaves))
        return output.detach(), (result if was_tuple else result[0])
    product.__name__ = product.__qualname__ = name
    product.__doc__ = ("``(func(inputs), v^T H)``" if name == "vhp" else
                       "``(func(inputs), H v)`` (the Hessian is symmetric: the same as ``vhp``)")
    return product


hvp, vhp = _hessian_product("hvp"), _hessian_product("vhp")
