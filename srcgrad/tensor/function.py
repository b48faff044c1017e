"""``torch.autograd.Function``: an operation whose forward and backward the user writes.

``MyExp.apply(x)`` runs ``forward(ctx, x)`` with grad mode off and, when an input tensor requires grad,
records one node of the class ``MyExpBackward`` (made once per Function subclass, named as PyTorch names
it) whose ``apply`` calls ``backward(ctx, grad_output)`` and hands each tensor input its gradient. Both
styles of forward are accepted: ``forward(ctx, *args)``, and ``forward(*args)`` with ``setup_context(ctx,
inputs, output)``. One differentiable output per Function."""

from __future__ import annotations

import functools
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import messages
from .dtypes import from_numpy
from .grad_mode import no_grad, state
from .nodes import Node, node_origin
from .tensor import Tensor, as_tensor_data, edge, result, wrap


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors, flags, and any attribute the user sets."""

    def __init__(self, needs_input_grad: tuple[bool, ...]):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._to_save: tuple | None = ()
        self._versions: tuple = ()
        self._non_differentiable: set[int] = set()

    def save_for_backward(self, *tensors: Any) -> None:
        self._to_save = tensors
        self._versions = tuple(t._vc[0] if isinstance(t, Tensor) else None for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._to_save is None:
            raise RuntimeError(messages.SECOND_BACKWARD)
        for tensor, version in zip(self._to_save, self._versions):
            if isinstance(tensor, Tensor) and tensor._vc[0] != version:
                origin = node_origin(tensor._grad_fn) if tensor._grad_fn is not None else ""
                raise RuntimeError(messages.MODIFIED_SAVED.format(
                    type=f"torch.{from_numpy(tensor._data.dtype).legacy_name}", sizes=list(tensor._data.shape),
                    origin=origin, now=tensor._vc[0], saved=version))
        return tuple(self._to_save)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_differentiable.update(id(output) for output in outputs)

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted (the tensors were modified in place by forward); the shim keeps no extra state for it."""

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class FunctionNode(Node):
    """The node a Function records; its class is made per Function subclass (``MyExpBackward``)."""

    __slots__ = ("_count", "_ctx", "_function", "_positions", "_shapes")
    saves = True

    def __init__(self, edges: tuple, function: type, ctx: FunctionCtx, positions: tuple[int, ...], count: int,
                 shapes: tuple):
        super().__init__(edges, (None, None), (), None)
        self._function, self._ctx, self._positions, self._count, self._shapes = function, ctx, positions, count, shapes

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    def apply(self, grad: Any) -> list:
        ctx = self._ctx
        if grad is None and ctx.materialize_grads:
            grad = np.zeros(self._shapes[0])
        grads = self._function.backward(ctx, None if grad is None else wrap(np.asarray(grad)))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < self._count or any(g is not None for g in grads[self._count:]):
            raise RuntimeError(messages.FUNCTION_GRAD_COUNT.format(type(self).__name__, self._count, len(grads)))
        return [None if grads[i] is None else as_tensor_data(grads[i]) for i in self._positions]

    def apply_on_tensors(self, grad: Tensor) -> list:
        """``apply`` with ``create_graph``: the user's backward runs on the recorded gradient, with grad
        mode on, so whatever it computes from tensors is recorded too (as PyTorch does)."""
        grads = self._function.backward(self._ctx, grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < self._count or any(g is not None for g in grads[self._count:]):
            raise RuntimeError(messages.FUNCTION_GRAD_COUNT.format(type(self).__name__, self._count, len(grads)))
        return [None if grads[i] is None else grads[i] if isinstance(grads[i], Tensor) else wrap(np.asarray(grads[i]))
                for i in self._positions]

    def release(self) -> None:
        self._ctx._to_save = None


class FunctionMeta(type):
    """Gives each Function subclass its node class, named ``<Name>Backward`` as in PyTorch."""

    def __init__(cls, name: str, bases: tuple, namespace: dict):
        super().__init__(name, bases, namespace)
        cls._backward_cls = type(f"{name}Backward", (FunctionNode,), {"__slots__": ()})


class Function(metaclass=FunctionMeta):
    """Subclass with static ``forward`` and ``backward`` (and optionally ``setup_context``); call
    ``apply``."""

    def __init__(self, *args: Any, **kwargs: Any):
        warnings.warn(messages.FUNCTION_INSTANTIATED.format(type(self)), DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple, output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        needs = tuple(isinstance(a, Tensor) and a._rg for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        if not (state.enabled and any(needs)):
            return output
        outputs = output if isinstance(output, tuple) else (output,)
        differentiable = [o for o in outputs if isinstance(o, Tensor) and id(o) not in ctx._non_differentiable
                          and o._data.dtype.kind in "fc"]
        if len(differentiable) > 1:
            raise NotImplementedError(messages.FUNCTION_OUTPUTS.format(cls.__name__))
        if not differentiable:
            return output
        made = differentiable[0]
        node = cls._backward_cls(tuple(edge(args[i]) for i in positions), cls, ctx, positions, len(args),
                                 (made._data.shape,))
        recorded = result(made._data, node)
        if not isinstance(output, tuple):
            return recorded
        return tuple(recorded if o is made else o for o in outputs)


def once_differentiable(fn: Any) -> Any:
    """PyTorch's decorator for a backward that cannot be differentiated again; the shim never
    differentiates a backward, so it changes nothing."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        return fn(ctx, *args)

    return wrapper


function = SimpleNamespace(Function=Function, FunctionCtx=FunctionCtx, once_differentiable=once_differentiable)
