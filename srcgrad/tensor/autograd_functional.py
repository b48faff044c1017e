"""``torch.autograd.functional``: ``vjp``, ``jacobian``, ``jvp``, ``hessian``, ``vhp`` and ``hvp``.

Each is built from ``autograd.grad`` the way PyTorch builds it, so that its results, its graphs and its
strict-mode errors are PyTorch's:

- the function runs on new tensors made from the inputs: detached leaves, or with ``create_graph=True``
  and an input that requires grad, a view of it, so that the result's graph reaches back to the caller's
  tensors and can be differentiated again (``create_graph=True`` in the backward sweep,
  ``graph_backward.py``);
- ``jacobian`` takes one backward sweep per output element and stacks the rows; ``hessian`` is the
  Jacobian of that Jacobian;
- ``jvp`` and ``hvp`` use the double-backward trick: the backward sweep, recorded for a cotangent ``u``
  that requires grad, is linear in ``u``, and its own backward for ``v`` gives ``J v``. Where the shim
  cannot record a backward step, ``jvp`` without ``create_graph`` takes the Jacobian times ``v`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import messages
from .autograd import grad
from .factories import zeros_like
from .functional import stack
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from .tensor import Tensor, wrap
from .tensor_numpy import BackwardNotRecordable

_STRICT_MISSING = {   # a gradient that is None, by the sweep that found it
    "back": "The output of the user-provided function is independent of input {}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}
_STRICT_CONSTANT = {   # a gradient that does not require grad under create_graph=True
    False: "The jacobian of the user-provided function is independent of input {}. This is not allowed in strict "
           "mode when create_graph=True.",
    True: "The hessian of the user-provided function is independent of input {}. This is not allowed in strict "
          "mode when create_graph=True.",
}
_STRICT_NO_GRAD = {   # strict mode's check of a stage's tensors
    "outputs": messages.STRICT_OUTPUT,
    "grad_inputs": "The gradient with respect to input {} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice differentiable "
               "and that the hessian depends on the inputs.",
}


def _as_tuple(value: Any, what: str, function: str) -> tuple[bool, tuple]:
    """``(was a tuple, the tensors as a tuple)``, with PyTorch's check of the argument."""
    was_tuple = isinstance(value, tuple)
    values = value if was_tuple else (value,)
    for i, item in enumerate(values):
        if not isinstance(item, Tensor):
            message = messages.FUNCTIONAL_ITEM if was_tuple else messages.FUNCTIONAL_ARGUMENT
            raise TypeError(message.format(what=what, function=function, type=type(item), index=i))
    return was_tuple, values


def _unpacked(result: Any, was_tuple: bool) -> Any:
    return result if was_tuple else result[0]


def _nested(result: tuple, outer_was_tuple: bool, inner_was_tuple: bool) -> Any:
    """A tuple (per output) of tuples (per input), unpacked where the caller gave single tensors."""
    if not inner_was_tuple:
        result = tuple(row[0] for row in result)
    return _unpacked(result, outer_was_tuple)


def _prepared(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensors for the function to run on: always new objects, so that tensors the function captures
    are told apart from its arguments; a view (keeping the caller's graph) only under ``create_graph``."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in inputs)


def _finished(values: tuple, create_graph: bool) -> tuple:
    """Results without history unless ``create_graph`` asked for it (tuples of tuples alike)."""
    if values and not isinstance(values[0], Tensor):
        return tuple(_finished(inner, create_graph) for inner in values)
    return values if create_graph else tuple(value.detach() for value in values)


def _check_v(v: tuple, like: tuple, like_was_tuple: bool) -> None:
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
                           if like_was_tuple else "The given v should contain a single Tensor.")
    for i, (given, expected) in enumerate(zip(v, like)):
        if given.size() != expected.size():
            where = f"Entry {i} in " if like_was_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {expected.size()} but got {given.size()}.")


def _vectors(v: Any, like: tuple, like_was_tuple: bool, function: str, create_graph: bool, missing: str
             ) -> tuple | None:
    """``v`` checked against ``like`` (PyTorch's errors); ``None`` is allowed for one tensor of one element."""
    if v is None:
        if len(like) != 1 or like[0]._data.size != 1:
            raise RuntimeError(missing)
        return None
    vectors = _prepared(_as_tuple(v, "v", function)[1], create_graph, need_graph=False)
    _check_v(vectors, like, like_was_tuple)
    return vectors


def _check_requires_grad(values: tuple, stage: str, strict: bool) -> None:
    if strict:
        for i, value in enumerate(values):
            if value is None:
                raise RuntimeError(_STRICT_MISSING["back"].format(i))
            if not value.requires_grad:
                raise RuntimeError(_STRICT_NO_GRAD[stage].format(i))


def _grad(outputs: tuple, inputs: tuple, cotangents: tuple | None = None, create_graph: bool = False,
          retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` over the outputs that require grad (``None`` for every input when none does)."""
    cotangents = (None,) * len(outputs) if cotangents is None else cotangents
    live = [(o, c) for o, c in zip(outputs, cotangents) if o is not None and o.requires_grad]
    if not live:
        return (None,) * len(inputs)
    return grad(tuple(o for o, _ in live), inputs, tuple(c for _, c in live), retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


def _filled(found: tuple, like: tuple, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Zeros for the gradients that are ``None``, or strict mode's error."""
    results = []
    for i, value in enumerate(found):
        if value is None:
            if strict:
                raise RuntimeError(_STRICT_MISSING[stage].format(i))
            value = zeros_like(like[i])
        elif strict and create_graph and not value.requires_grad:
            raise RuntimeError(_STRICT_CONSTANT["double" in stage].format(i))
        results.append(value)
    return tuple(results)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``."""
    with enable_grad():
        inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepared(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _vectors(v, outputs, outputs_were_tuple, "vjp", create_graph, messages.VJP_NEEDS_V)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _filled(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return (_unpacked(_finished(outputs, create_graph), outputs_were_tuple),
            _unpacked(_finished(products, create_graph), inputs_were_tuple))


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for each output and input, a tensor of shape
    ``output.shape + input.shape``, nested as PyTorch nests them. ``vectorize`` gives the same values."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")   # sic: PyTorch's words
    with enable_grad():
        inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepared(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                                "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        blocks = tuple(_jacobian_blocks(i, output, inputs, create_graph, strict) for i, output in enumerate(outputs))
    return _nested(_finished(blocks, create_graph), outputs_were_tuple, inputs_were_tuple)


def _jacobian_blocks(i: int, output: Tensor, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """Output ``i``'s Jacobian with respect to each input: one backward sweep per element, stacked."""
    rows: list[list] = [[] for _ in inputs]
    flat = output.reshape(-1) if output._data.size else None
    for k in range(output._data.size):
        found = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (value, input_) in enumerate(zip(found, inputs)):
            if value is None:
                if strict:
                    raise RuntimeError(messages.STRICT_INDEPENDENT.format(i, j))
                value = zeros_like(input_)
            elif strict and create_graph and not value.requires_grad:
                raise RuntimeError(_STRICT_CONSTANT[False].format(i))
            rows[j].append(value)
    return tuple(stack(row, 0).view(output.size() + input_.size()) if row else
                 wrap(np.zeros(output._data.shape + input_._data.shape, input_._data.dtype))
                 for row, input_ in zip(rows, inputs))


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)``."""
    with enable_grad():
        inputs_were_tuple, given = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepared(given, create_graph, need_graph=True)
        v = _vectors(v, inputs, inputs_were_tuple, "jvp", create_graph, messages.JVP_NEEDS_V)
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        try:
            products = _double_backward(outputs, inputs, v, create_graph, strict)
        except BackwardNotRecordable:
            if create_graph:
                raise
            products = _jacobian_times(func, given, v, outputs, strict)
    return (_unpacked(_finished(outputs, create_graph), outputs_were_tuple),
            _unpacked(_finished(products, create_graph), outputs_were_tuple))


def _double_backward(outputs: tuple, inputs: tuple, v: tuple | None, create_graph: bool, strict: bool) -> tuple:
    """``J v`` as the backward of the backward sweep with respect to its cotangents."""
    cotangents = tuple(zeros_like(output, requires_grad=True) for output in outputs)
    backward = _grad(outputs, inputs, cotangents, create_graph=True)
    _check_requires_grad(backward, "grad_inputs", strict)
    found = _grad(backward, cotangents, v, create_graph)
    return _filled(found, outputs, strict, create_graph, "back_trick")


def _jacobian_times(func: Callable, inputs: tuple, v: tuple | None, outputs: tuple, strict: bool) -> tuple:
    """``J v`` from the Jacobian, for functions whose backward sweep the shim cannot record."""
    tangents = [t._data for t in v] if v is not None else [np.ones_like(inputs[0]._data)]
    blocks = jacobian(func, inputs, strict=strict)   # per output (when it returns a tuple), per input
    products = []
    for output, row in zip(outputs, blocks if isinstance(blocks[0], tuple) else (blocks,)):
        flat = sum(block._data.reshape(output._data.size, -1) @ tangent.reshape(-1)
                   for block, tangent in zip(row, tangents))
        products.append(wrap(np.asarray(flat, output._data.dtype).reshape(output._data.shape)))
    return tuple(products)


def _single_output(function_name: str, strict: bool) -> Callable[[Any], Tensor]:
    """PyTorch's checks that the function's result is one tensor of one element."""
    def checked(out: Any) -> Tensor:
        out_was_tuple, outputs = _as_tuple(out, "outputs of the user-provided function", function_name)
        _check_requires_grad(outputs, "outputs", strict)
        if out_was_tuple:
            raise RuntimeError(f"The function given to {function_name} should return a single Tensor")
        if outputs[0]._data.size != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {function_name} should contain a "
                               "single element")
        return outputs[0]
    return checked


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a function with one output element: the Jacobian of its Jacobian, for inputs ``i`` and
    ``j`` a tensor of shape ``inputs[i].shape + inputs[j].shape``, nested as PyTorch nests them."""
    inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    checked = _single_output("hessian", strict)

    def scalar_function(*args: Tensor) -> Tensor:
        return checked(func(*args)).squeeze()

    def gradient(*args: Tensor) -> tuple:
        if outer_jacobian_strategy == "forward-mode":
            args = tuple(t.requires_grad_(True) for t in args)
        first = jacobian(scalar_function, args, create_graph=True)
        _check_requires_grad(first, "jacobian", strict)
        return first

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _nested(result, inputs_were_tuple, inputs_were_tuple)


def _hessian_product(name: str) -> Callable[..., tuple]:
    """``vhp`` (the backward of the gradient) or ``hvp`` (the double-backward trick on the gradient)."""
    def product(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
                strict: bool = False) -> tuple:
        with enable_grad():
            inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", name)
            inputs = _prepared(inputs, create_graph, need_graph=True)
            v = _vectors(v, inputs, inputs_were_tuple, name, create_graph, messages.JVP_NEEDS_V)
            output = _single_output(name, strict)(func(*inputs))
            first = _grad((output,), inputs, create_graph=True)
            _check_requires_grad(first, "jacobian", strict)
            if name == "hvp":
                cotangents = tuple(zeros_like(t, requires_grad=True) for t in inputs)
                backward = _grad(first, inputs, cotangents, create_graph=True)
                _check_requires_grad(first, "hessian", strict)
        with set_grad_enabled(create_graph or is_grad_enabled()):
            if name == "hvp":
                found = _grad(backward, cotangents, v, create_graph)
                products = _filled(found, inputs, strict, create_graph, "double_back_trick")
            else:
                found = _grad(first, inputs, v, create_graph)
                products = _filled(found, inputs, strict, create_graph, "double_back")
        return _finished((output,), create_graph)[0], _unpacked(_finished(products, create_graph), inputs_were_tuple)
    product.__name__ = product.__qualname__ = name
    product.__doc__ = ("``(func(inputs), v^T H)``: the backward sweep of the gradient." if name == "vhp" else
                       "``(func(inputs), H v)``: the double-backward trick on the gradient.")
    return product


hvp, vhp = _hessian_product("hvp"), _hessian_product("vhp")
