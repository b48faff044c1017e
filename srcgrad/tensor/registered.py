"""Functions the user taught srcgrad, applied to tensors.

``srcgrad.defvjp(fn, rule)`` puts a rule in the one table that the source transformer inlines; a
``custom_vjp`` function carries its own ``fwd``/``bwd``. Here both become graph nodes of the ``Tensor``
shim: the function runs on the tensors' arrays, and the node's backward calls the very same rule, so a
derivative the user writes once serves ``srcgrad.grad`` and ``Tensor.backward`` alike. A node is named as
PyTorch names the node of a custom ``autograd.Function`` class: the function's name in CamelCase, plus
``Backward`` (``clip_gradient`` → ``ClipGradientBackward``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import MissingRuleError
from ..rules.registry import ARGNUMS_VARIADIC, Rule, primal_name, vjp_rule
from . import nodes as N
from .grad_mode import state
from .tensor import NO_EDGE, Tensor, edge, result, wrap

_NODE_CLASSES: dict[str, type] = {}


def _node_class(name: str) -> type:
    """The ``grad_fn`` class for ``name``: one per name, so that ``type(y.grad_fn).__name__`` reads well."""
    words = name.rsplit(".", 1)[-1].strip("_<>").split("_")
    title = "".join(w[:1].upper() + w[1:] for w in words) or "Function"
    title += "Backward"
    cls = _NODE_CLASSES.get(title)
    if cls is None:
        cls = type(title, (N.Node,), {"__slots__": ()})
        _NODE_CLASSES[title] = cls
    return cls


def _data(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _as_tensor(out: Any, node: N.Node | None) -> Any:
    if isinstance(out, tuple):
        raise TypeError("a function applied to tensors with a registered rule must return one array")
    array = np.asarray(out)
    return result(array, node) if node is not None else wrap(array)


def _record(rule: Rule, name: str, args: tuple, kwargs: dict, out: Any) -> Any:
    """The output tensor of ``rule``'s primal applied to ``args``, with a node when a tensor argument
    requires grad (and grad mode is on)."""
    positions = (tuple(range(len(args))) if rule.argnums == ARGNUMS_VARIADIC else
                 tuple(i for i in rule.argnums if i < len(args)))
    tensors = [args[i] for i in positions if isinstance(args[i], Tensor)]
    if not (state.enabled and any(t._rg for t in tensors)):
        return _as_tensor(out, None)
    edges = tuple(edge(args[i]) if isinstance(args[i], Tensor) else NO_EDGE for i in positions)
    if rule.argnums == ARGNUMS_VARIADIC:
        how = (rule, N.SPREAD)
    else:
        how = (rule, N.ONLY if len(rule.argnums) == 1 else
               N.ALL if positions == rule.argnums else tuple(range(len(positions))))
    node = _node_class(name)(edges, how, tuple(_data(a) for a in args), out, kwargs or N.NO_KWARGS)
    return _as_tensor(out, node)


def call_with_rule(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` where arguments may be tensors: computed on their arrays, and
    recorded with the rule registered for ``function`` (``srcgrad.defvjp``)."""
    rule = vjp_rule(function)
    if rule is None:
        raise MissingRuleError(f"no derivative rule for {primal_name(function)!r}: register one with "
                               "srcgrad.defvjp(fn, rule) before applying it to tensors")
    out = function(*(_data(a) for a in args), **{k: _data(v) for k, v in kwargs.items()})
    return _record(rule, getattr(function, "__name__", primal_name(function)), args, kwargs, out)


def on_tensors(function: Callable) -> Callable:
    """``function`` made to accept tensors, differentiated by its registered rule (``srcgrad.defvjp``):
    ``erf = srcgrad.on_tensors(scipy.special.erf)``; then ``erf(x).sum().backward()``."""

    @functools.wraps(function)
    def applied(*args: Any, **kwargs: Any) -> Any:
        return call_with_rule(function, *args, **kwargs)

    return applied


def call_custom_vjp(custom: Any, args: tuple) -> Any:
    """A ``custom_vjp`` function called with tensors: ``fwd`` runs on their arrays and the node's backward
    is ``bwd(residuals, g)``, as in the transformer."""
    datas = tuple(_data(a) for a in args)
    if not (state.enabled and any(isinstance(a, Tensor) and a._rg for a in args)):
        return _as_tensor(custom.fun(*datas), None)
    out, backward = custom.forward(datas)

    def rule(g: Any, ans: Any, *primal_args: Any) -> Any:
        cotangents = backward(g)
        return cotangents[0] if len(cotangents) == 1 else cotangents

    how = Rule(custom, rule, tuple(range(len(args))), custom.__name__)
    return _record(how, custom.__name__, args, N.NO_KWARGS, out)


def call_custom_jvp(custom: Any, args: tuple) -> Any:
    """A ``custom_jvp`` function called with tensors: it defines forward mode only, which the shim's
    reverse mode cannot use (as in the transformer); without gradients it is an ordinary call."""
    if state.enabled and any(isinstance(a, Tensor) and a._rg for a in args):
        raise MissingRuleError(f"{custom.__name__!r} is a custom_jvp function: it defines forward mode only, and "
                               "backward() needs a reverse rule; give it a custom_vjp")
    return _as_tensor(custom.fun(*(_data(a) for a in args)), None)
