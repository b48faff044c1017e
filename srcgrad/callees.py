"""Calls from generated code into the user's Python functions.

A callee is transformed on first sight, per argument signature, like any differentiated function: in
reverse mode into a forward sweep that returns its backward sweep as a closure (``callee_vjp``), in forward
mode into its ``jvp`` code (``callee_jvp``), and, for reverse mode over forward-mode code (``hessian``),
the callee's forward code is itself reverse-transformed (``jvp_call_cotangents``). The call's arguments
are bound to the callee's parameters by ``srcgrad.binding``, so defaults, keyword arguments, ``*args``
and ``**kwargs`` all reach the generated code as one value per parameter, and derivatives come back as
one per argument the caller passed."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .binding import Binding, bind
from .cache import forward_generated, recording, reverse_generated
from .codegen import primitive_trampoline
from .errors import MissingRuleError
from .function_values import PartialCotangent
from .records import has_record_cotangent, is_record
from .rules.dispatch import is_foreign
from .rules.registry import primal_name, vjp_rule
from .runtime import KeywordCall, is_callable_instance, zero_cotangent


def _bound(fn: Callable, args: tuple, keywords: dict | None, mode: str) -> tuple[Callable, Binding, int]:
    """The Python function to transform, the binding of the call, and how many leading parameters the
    call did not pass (the instance of a bound method)."""
    if is_callable_instance(fn):
        fn = fn.__call__  # a callable instance: differentiate its __call__ method
    method = inspect.ismethod(fn)
    target = fn.__func__ if method else fn
    if not inspect.isfunction(target):
        raise MissingRuleError(f"no derivative rule for {getattr(fn, '__qualname__', fn)!r}, and it is not a "
                               f"Python function srcgrad can transform; register one with srcgrad.{mode}(fn, rule)")
    values = (fn.__self__, *args) if method else args
    return target, bind(inspect.signature(target, follow_wrapped=False), values, keywords), 1 if method else 0


def callee_vjp(fn: Callable, args: tuple, keywords: dict | None = None, constant: Sequence[bool] | None = None
               ) -> tuple[Any, Callable[[Any], tuple]]:
    """``(out, backward)`` for the call ``fn(*args, **keywords)``: ``backward(g)`` returns one cotangent per
    argument passed, positional ones first, then the keywords in order. ``constant`` (one flag per argument
    passed) marks those whose cotangent the caller does not need: the callee is transformed without them, as
    it is without the object of a bound method, whose cotangent no caller of ``call_with_vjp`` reads."""
    function, values, finish = prepare_callee_vjp(fn, args, keywords, constant)
    return finish(*function(*values))


def prepare_callee_vjp(fn: Callable, args: tuple, keywords: dict | None = None,
                       constant: Sequence[bool] | None = None) -> tuple[Callable, tuple, Callable]:
    """``callee_vjp`` up to the call: ``(function, values, finish)``, where ``finish(*function(*values))``
    is its result. The runtime's dispatcher makes the call itself, so that a recursion through generated
    code takes one Python frame less per level (``locate.FRAMES_PER_CALL``)."""
    target, binding, skip = _bound(fn, args, keywords, "defvjp")
    full = binding.values
    held = binding.constant_parameters((True,) * skip + tuple(constant)) if constant is not None else set(range(skip))
    differentiable = tuple(i for i, v in enumerate(full) if i not in held and has_cotangent(v))
    generated = reverse_generated(target, differentiable, True, False, full, closure=True, callee=True)
    generated.refresh()
    if recording.callees is not None and all(g is not generated for g in recording.callees):
        recording.callees.append(generated)

    def finish(out: Any, backward: Callable[[Any], tuple]) -> tuple[Any, Callable[[Any], tuple]]:
        def passed_backward(g: Any) -> tuple:
            per_parameter = [None] * len(full)
            for i, cotangent in zip(differentiable, backward(g)):
                per_parameter[i] = cotangent
            return binding.pick(per_parameter)[skip:]

        return out, passed_backward

    return generated.function, full, finish


def has_cotangent(value: Any) -> bool:
    """Whether a callee's argument can carry a gradient: floats, inexact arrays, and containers of them."""
    if isinstance(value, (list, tuple)):
        return any(has_cotangent(v) for v in value)
    if isinstance(value, dict):
        return any(has_cotangent(v) for v in value.values())
    if isinstance(value, functools.partial):  # a closure holding differentiated values
        return any(has_cotangent(v) for v in (value.func, *value.args, *value.keywords.values()))
    if isinstance(value, PartialCotangent):
        return any(has_cotangent(v) for v in (value.function, *value.args, *value.keywords.values()))
    if is_record(value):  # a dataclass, or an object made from differentiated values
        return has_record_cotangent(value)
    if inspect.ismethod(value):  # a bound method of such an object, passed as a function
        return has_record_cotangent(value.__self__)
    if isinstance(value, dict) is False and is_callable_instance(value):
        return has_record_cotangent(value)
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (np.ndarray, np.generic)) or is_foreign(value):
        return value.dtype.kind in "fc"
    return isinstance(value, (float, complex))


def _forward_parameters(binding: Binding, skip: int, tangents: tuple) -> tuple[tuple[int, ...], list]:
    """The parameters that receive a tangent, and the per-parameter tangents, for one tangent (or None)
    per passed argument."""
    per_parameter = binding.place((None,) * skip + tuple(tangents))
    differentiable = tuple(i for i, (t, v) in enumerate(zip(per_parameter, binding.values))
                           if t is not None and has_cotangent(v))
    return differentiable, per_parameter


def callee_jvp(fn: Callable, args: tuple, tangents: tuple, keywords: dict | None = None) -> tuple[Any, Any]:
    """``(out, out_tangent)`` for a call from forward-mode code; ``tangents`` has one entry (None: none)
    per passed argument, positional ones first, then the keywords in order."""
    function, values = prepare_callee_jvp(fn, args, tangents, keywords)
    return function(*values)


def prepare_callee_jvp(fn: Callable, args: tuple, tangents: tuple, keywords: dict | None = None
                       ) -> tuple[Callable, tuple]:
    """``callee_jvp`` up to the call: ``function(*values)`` is its result (see ``prepare_callee_vjp``)."""
    target, binding, skip = _bound(fn, args, keywords, "defjvp")
    differentiable, per_parameter = _forward_parameters(binding, skip, tangents)
    generated = forward_generated(target, differentiable, binding.values, callee=True)
    generated.refresh()
    if recording.callees is not None and all(g is not generated for g in recording.callees):
        recording.callees.append(generated)
    return generated.function, (*binding.values, *(per_parameter[i] for i in differentiable))


def jvp_call_cotangents(g: Any, ans: Any, fn: Callable, args: tuple, tangents: tuple,
                        keywords: dict | None = None) -> tuple[tuple, tuple]:
    """Reverse mode through ``call_with_jvp(fn, args, tangents)`` (reverse over forward, for ``hessian``):
    the cotangents of the passed arguments and of their tangents for the cotangent ``g`` of
    ``(out, out_tangent)``, by reverse-transforming the forward-mode function the call ran."""
    if vjp_rule(fn) is not None:  # a primitive passed as a value, or a Python function with a rule
        if keywords:
            raise MissingRuleError(f"second derivatives through {primal_name(fn)}, passed as a function value and "
                                   "called with keyword arguments, are not supported: call it directly")
        fn = primitive_trampoline(fn, len(args))  # a primitive passed as a value
    target, binding, skip = _bound(fn, args, keywords, "defvjp")
    differentiable, per_parameter = _forward_parameters(binding, skip, tangents)
    full = binding.values
    jvp_function = forward_generated(target, differentiable, full, callee=True).function
    seed = tuple(zero_cotangent(part) if c is None else c for c, part in zip(g, ans))
    _, backward = callee_vjp(jvp_function, (*full, *(per_parameter[i] for i in differentiable)))
    cotangents = backward(seed)
    arg_cotangents = binding.pick(cotangents[:len(full)])[skip:]
    tangent_by_parameter = [None] * len(full)
    for k, i in enumerate(differentiable):
        tangent_by_parameter[i] = cotangents[len(full) + k]
    tangent_cotangents = binding.pick(tangent_by_parameter)[skip:]
    return arg_cotangents, tuple(None if t is None else c for c, t in zip(tangent_cotangents, tangents))


def jvp_call_tangent(fn: Callable, args: tuple, tangents: tuple, arg_tangents: tuple | None,
                     tangent_tangents: tuple | None) -> Any:
    """Forward mode over ``call_with_jvp(fn, args, tangents)`` (``derivative`` of order 3 and more through a
    call): the tangent of its ``(out, out_tangent)`` pair for the tangents of ``args`` and of ``tangents``
    (either may be None: held fixed), by forward mode over the forward code of ``fn`` the call ran. Every
    sequence has one entry per passed argument."""
    keywords = None
    if type(fn) is KeywordCall:
        fn, (args, keywords) = fn.function, fn.split(args)
    if isinstance(fn, functools.partial):
        raise MissingRuleError("derivatives of order 3 and more through a call of a functools.partial are not "
                               "supported: call the function itself")
    if vjp_rule(fn) is not None and not keywords:
        fn = primitive_trampoline(fn, len(args))
    target, binding, skip = _bound(fn, args, keywords, "defjvp")
    differentiable, per_parameter = _forward_parameters(binding, skip, tangents)
    full = binding.values
    jvp_function = forward_generated(target, differentiable, full, callee=True).function
    inner = (*full, *(per_parameter[i] for i in differentiable))
    outer_args = binding.place((None,) * skip + tuple(arg_tangents)) if arg_tangents else [None] * len(full)
    outer_tangents = (binding.place((None,) * skip + tuple(tangent_tangents)) if tangent_tangents is not None
                      else [None] * len(full))
    outer = list(outer_args) + [outer_tangents[i] for i in differentiable]
    inner_tangents = tuple(zero_cotangent(v) if t is None else t for v, t in zip(inner, outer))
    return callee_jvp(jvp_function, inner, inner_tangents)[1]
