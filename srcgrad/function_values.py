"""Function values that carry derivatives: ``functools.partial`` objects and the closures
``frontend/closures.py`` makes of nested functions used as values (``close_over``, itself a partial).

``g = lambda y: np.tanh(params * y)`` passed to an integrator ``rk4(g, y0)`` is a value that depends on
``params``: the integrator's result depends on ``params`` only through the calls it makes of ``g``. Such a
value is a container, as in JAX's ``Partial``: the function is its structure, the bound arguments are its
leaves. Its cotangent (and its tangent) is a ``PartialCotangent`` holding one per bound argument.

Generated code calls an *active* function value (one whose bound arguments depend on the differentiated
inputs) through ``call_value_with_vjp`` rather than ``call_with_vjp``: its backward returns the function's
cotangent in front of the arguments'. A function value built by ``functools.partial(f, *args, **kw)`` in
differentiated code is made by ``make_partial``, whose rule hands the cotangent back to ``args`` and
``kw``; ``close_over`` has the same rule for the captured values."""

from __future__ import annotations

import functools
from typing import Any

from .errors import MissingRuleError
from .records import has_record_cotangent, method_of_record
from .runtime import (
    COMPILER,
    ConstantArguments,
    KeywordCall,
    PartialCall,
    add_grads,
    call_with_jvp,
    call_with_jvp_cotangents,
    call_with_vjp,
    is_callable_instance,
)


class PartialCotangent:
    """The cotangent (or tangent) of a ``functools.partial``: one per bound positional argument
    (``None``: zero), one per bound keyword (absent: zero), and ``function``, that of the function the
    partial calls where that holds values too (a bound method of a record: its object's)."""

    __slots__ = ("args", "function", "keywords")

    def __init__(self, args: tuple, keywords: dict[str, Any], function: Any = None):
        self.args, self.keywords, self.function = tuple(args), dict(keywords), function

    def __add__(self, other: Any) -> PartialCotangent:
        if other is None or (isinstance(other, (int, float)) and other == 0):
            return self
        if not isinstance(other, PartialCotangent):
            return NotImplemented
        longer, shorter = (self.args, other.args) if len(self.args) >= len(other.args) else (other.args, self.args)
        args = tuple(add_grads(a, b) for a, b in zip(longer, (*shorter, *[None] * (len(longer) - len(shorter)))))
        keywords = dict(self.keywords)
        for key, value in other.keywords.items():
            keywords[key] = add_grads(keywords.get(key), value)
        return PartialCotangent(args, keywords, add_grads(self.function, other.function))

    __radd__ = __add__

    def __repr__(self) -> str:
        return f"PartialCotangent(args={self.args!r}, keywords={self.keywords!r}, function={self.function!r})"


def args_tangent(t: tuple, offset: int) -> PartialCotangent:
    """The tangent of a partial whose bound positional arguments from ``offset`` on have the tangents ``t``
    (those before are its function's, when that is a partial itself)."""
    return PartialCotangent((None,) * offset + tuple(t), {})


def function_tangent(t: Any, overridden: tuple[str, ...]) -> Any:
    """The tangent of ``partial(function, *args, **keywords)`` for the tangent ``t`` of ``function``: a
    partial itself, whose bound values Python moves into the new one (first, and its keywords but those
    ``keywords`` override, ``overridden``: their names), or another function value (a bound method of a
    record), which the new partial calls."""
    if t is None or (isinstance(t, (int, float)) and t == 0):
        return None
    if not isinstance(t, PartialCotangent):
        return PartialCotangent((), {}, t)
    return PartialCotangent(t.args, {k: v for k, v in t.keywords.items() if k not in overridden}, t.function)


def function_tangent_cotangent(g: Any, t: Any) -> Any:
    """The reverse rule of ``function_tangent``: the part of ``g`` that belongs to the entries of ``t``."""
    if not isinstance(g, PartialCotangent) or t is None:
        return None
    if not isinstance(t, PartialCotangent):
        return g.function
    return PartialCotangent(g.args[:len(t.args)], {k: v for k, v in g.keywords.items() if k in t.keywords},
                            g.function)


def keyword_names(keywords: dict[str, Any]) -> tuple[str, ...]:
    """The names of a call's keywords (no derivative)."""
    return tuple(keywords)


def keywords_tangent(t: dict[str, Any]) -> PartialCotangent:
    """The tangent of a partial whose bound keywords have the tangents ``t``."""
    return PartialCotangent((), t)


def captured_tangent(t: Any, k: int) -> PartialCotangent:
    """The tangent of a closure whose ``k``-th captured value has the tangent ``t``, the others none."""
    return PartialCotangent((None,) * k + (t,), {})


def make_partial(function: Any, args: tuple, keywords: dict[str, Any]) -> functools.partial:
    """``functools.partial(function, *args, **keywords)``, with the bound values passed as one tuple and
    one dict, so that each gets its cotangent."""
    return functools.partial(function, *args, **keywords)


def make_partial_cotangents(g: Any, ans: functools.partial, args: tuple, keywords: dict[str, Any]
                            ) -> tuple[Any, tuple, dict[str, Any]]:
    """The cotangents of ``function``, ``args`` and ``keywords`` of ``make_partial`` from the cotangent
    ``g`` of the partial ``ans`` it made: ``function``'s when it was a partial whose bound values ``ans``
    took over (Python flattens a partial of a partial), or a function value ``ans`` calls."""
    offset = len(ans.args) - len(args)
    positional, named = partial_parts(g, len(ans.args), ans.keywords)
    inherited = {k: v for k, v in named.items() if k not in keywords}
    inner = g.function if isinstance(g, PartialCotangent) else None
    function = PartialCotangent(positional[:offset], inherited, inner) if offset or inherited else inner
    return function, positional[offset:], {k: named[k] for k in keywords}


def partial_parts(g: Any, length: int, names: Any = ()) -> tuple[tuple, dict[str, Any]]:
    """The cotangents of a partial's ``length`` bound positional arguments and of its keywords ``names``
    held in ``g`` (a ``PartialCotangent``, or a zero), zeros as ``0.0``."""
    if not isinstance(g, PartialCotangent):
        return (0.0,) * length, {name: 0.0 for name in names}
    args = tuple(0.0 if a is None else a for a in g.args) + (0.0,) * (length - len(g.args))
    return args, {name: g.keywords.get(name, 0.0) for name in names}


def partial_call_with_vjp(args: tuple, keywords: dict[str, Any]) -> tuple[functools.partial, Any]:
    """``call_with_vjp(functools.partial, *args, **keywords)`` (a partial made by a call with ``*args``):
    the call ``make_partial`` makes, with its cotangents per argument passed."""
    function, *bound = args
    out = make_partial(function, tuple(bound), keywords)

    def backward(g: Any) -> tuple:
        function_part, positional, named = make_partial_cotangents(g, out, tuple(bound), keywords)
        return (function_part, *positional, *named.values())

    return out, backward


def partial_call_with_jvp(args: tuple, tangents: tuple, keywords: dict[str, Any]) -> tuple[functools.partial, Any]:
    """``call_with_jvp(functools.partial, args, tangents)`` with ``keywords``: ``tangents`` has one entry
    (None: none) per positional argument, then one per keyword."""
    function, *bound = args
    out = make_partial(function, tuple(bound), keywords)
    offset = len(out.args) - len(bound)
    inherited = function_tangent(tangents[0], tuple(keywords))
    tangent = PartialCotangent(
        (*(inherited.args if inherited else (None,) * offset), *tangents[1:len(args)]),
        {**(inherited.keywords if inherited else {}),
         **{k: t for k, t in zip(keywords, tangents[len(args):]) if t is not None}},
        inherited.function if inherited else None)
    return out, tangent


def partial_call_with_jvp_cotangents(g: Any, args: tuple, tangents: tuple, keywords: dict[str, Any]
                                     ) -> tuple[tuple, tuple]:
    """The reverse rule of ``partial_call_with_jvp``: the partial and its tangent are made the same way from
    the arguments and from their tangents, so each cotangent splits the same way."""
    function, *bound = args
    out = make_partial(function, tuple(bound), keywords)

    def split(cotangent: Any) -> tuple:
        function_part, positional, named = make_partial_cotangents(cotangent, out, tuple(bound), keywords)
        return (function_part, *positional, *named.values())

    return split(g[0]), split(g[1])


class _ValueCall:
    """A call of a function value as the call it makes: for a partial (and a bound method of a record, a
    partial of its function over the object), the ``PartialCall``. ``method`` says the callee's cotangent
    is its object's (the bound partial's one value); ``inner`` that the partial calls such a method, whose
    object's cotangent is the partial's ``function`` entry."""

    __slots__ = ("call", "inner", "method")

    def __init__(self, fn: Any, args: tuple):
        keywords: dict[str, Any] = {}
        if type(fn) is KeywordCall:
            fn, (args, keywords) = fn.function, fn.split(args)
        self.method = self.inner = False
        fn = _record_method(fn)
        if method_of_record(fn):
            fn, self.method = functools.partial(fn.__func__, fn.__self__), True
        elif isinstance(fn, functools.partial) and method_of_record(_record_method(fn.func)):
            method = _record_method(fn.func)
            fn, self.inner = functools.partial(method.__func__, method.__self__, *fn.args, **fn.keywords), True
        self.call = PartialCall.of(fn, args, keywords) if isinstance(fn, functools.partial) else None

    def own(self, part: PartialCotangent) -> Any:
        """The callee's cotangent (or tangent) from that of its bound values."""
        if self.method:
            return part.args[0] if part.args else None
        if self.inner:
            return PartialCotangent(part.args[1:], part.keywords, part.args[0] if part.args else None)
        return part

    def bound(self, value: Any) -> Any:
        """The tangent of the bound values from the callee's tangent."""
        if self.method and value is not None:
            return PartialCotangent((value,), {})
        if self.inner and isinstance(value, PartialCotangent):
            return PartialCotangent((value.function, *value.args), value.keywords)
        return value


def _record_method(fn: Any) -> Any:
    """A record called as a function is a call of its ``__call__`` method."""
    return fn.__call__ if is_callable_instance(fn) and has_record_cotangent(fn) else fn


def _function_part(call: PartialCall, per_made: tuple) -> PartialCotangent:
    """The entries of ``per_made`` (one per argument of the call a partial makes) that belong to the
    partial's own bound arguments."""
    own_keywords = len(call.callee.names) - call.n_keywords
    made_positional = call.bound + call.n_args
    names = call.callee.names[:own_keywords]
    return PartialCotangent(tuple(per_made[:call.bound]),
                            {n: c for n, c in zip(names, per_made[made_positional:made_positional + own_keywords])
                             if c is not None})


def _spread_with_function(call: PartialCall, function_part: Any, per_passed: tuple) -> tuple:
    """Per-argument tangents of the call a partial makes: the partial's own from ``function_part``."""
    own_keywords = len(call.callee.names) - call.n_keywords
    if not isinstance(function_part, PartialCotangent):
        return call.spread(per_passed)
    bound = tuple(function_part.args[:call.bound]) + (None,) * (call.bound - len(function_part.args))
    own = tuple(function_part.keywords.get(n) for n in call.callee.names[:own_keywords])
    return bound + tuple(per_passed[:call.n_args]) + own + tuple(per_passed[call.n_args:])


def call_value_with_vjp(fn: Any, *args: Any) -> tuple[Any, Any]:
    """``call_with_vjp`` for a callee that is itself a differentiated value: ``backward(g)`` returns the
    callee's cotangent (a ``PartialCotangent``, a record's for its bound method, ``None`` for a plain
    function) before the arguments'."""
    held = ()
    if type(fn) is ConstantArguments:  # arguments the caller needs no cotangent for
        fn, held = fn.function, fn.positions
    value_call = _ValueCall(fn, args)
    call = value_call.call
    if call is None:
        out, backward = call_with_vjp(ConstantArguments(fn, held) if held else fn, *args)
        return out, lambda g: (None, *backward(g))
    callee = call.callee
    if held:  # the same arguments among those of the call the partial makes (after its bound values)
        flags = call.spread(tuple(True if i in held else None for i in range(len(args))))
        callee = ConstantArguments(callee, tuple(i for i, flag in enumerate(flags) if flag))
    out, backward = call_with_vjp(callee, *call.values)

    def backward_with_function(g: Any) -> tuple:
        per_made = backward(g)
        return (value_call.own(_function_part(call, per_made)), *call.gather(per_made))

    return out, backward_with_function


def call_value_holding(positions: tuple[int, ...], fn: Any, *args: Any) -> tuple[Any, Any]:
    """``call_value_with_vjp(fn, *args)`` where the caller needs no cotangent for the arguments at
    ``positions`` (reverse mode, ``pipeline._constant_arguments``): the callee is not differentiated in them."""
    return call_value_with_vjp(ConstantArguments(fn, positions), *args)


def call_value_with_jvp(fn: Any, fn_tangent: Any, args: tuple, tangents: tuple) -> tuple[Any, Any]:
    """Forward mode's ``call_value_with_vjp``: the tangent of the callee's bound values joins the
    arguments' tangents."""
    value_call = _ValueCall(fn, args)
    call = value_call.call
    if call is None:
        return call_with_jvp(fn, args, tangents)
    made = _spread_with_function(call, value_call.bound(fn_tangent), tuple(tangents))
    return call_with_jvp(call.callee, call.values, made)


def call_value_with_jvp_cotangents(g: Any, ans: Any, fn: Any, fn_tangent: Any, args: tuple, tangents: tuple
                                   ) -> tuple[Any, Any, tuple, tuple]:
    """The reverse rule of ``call_value_with_jvp`` (reverse over forward, for ``hessian``)."""
    value_call = _ValueCall(fn, args)
    call = value_call.call
    if call is None:
        arg_cotangents, tangent_cotangents = call_with_jvp_cotangents(g, ans, fn, args, tangents)
        return None, None, arg_cotangents, tangent_cotangents
    made_tangents = _spread_with_function(call, value_call.bound(fn_tangent), tuple(tangents))
    per_made, per_made_tangent = call_with_jvp_cotangents(g, ans, call.callee, call.values, made_tangents)
    return (value_call.own(_function_part(call, per_made)), value_call.own(_function_part(call, per_made_tangent)),
            call.gather(per_made), call.gather(per_made_tangent))


def call_value_with_jvp_tangent(fn: Any, args: tuple, tangents: tuple, arg_tangents: tuple | None,
                                tangent_tangents: tuple | None) -> Any:
    """Forward mode over ``call_value_with_jvp`` (derivatives of order 3 and more): through a plain function
    value as through any call; a partial's bound values would need their tangents' tangents, which are not
    followed, so such a call is refused."""
    if _ValueCall(fn, args).call is not None:
        raise MissingRuleError("derivatives of order 3 and more through a call of a closure or functools.partial "
                               "holding differentiated values are not supported: pass those values as arguments")
    return COMPILER.jvp_call_tangent(fn, args, tangents, arg_tangents, tangent_tangents)
