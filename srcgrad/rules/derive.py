"""Primitives declared once, with their rules derived: ``elementwise`` and ``linear``.

Most of NumPy's differentiable functions are one of two kinds, and for both, one formula gives every rule:

* **Elementwise** (``np.sin``, ``np.multiply``): the Jacobian is diagonal, so the reverse and the forward
  rule are the same product with the local derivative. The declaration writes that derivative, one factor
  per differentiable argument, as a function of ``(ans, *primal_args)``; the reverse rule multiplies the
  cotangent by it (``unbroadcast`` back to an argument's shape when the primal broadcasts), the forward
  rule multiplies the tangent by it.
* **Linear** in one argument (``np.flip``, ``np.transpose``, ``np.take``): the forward rule is the primal
  itself applied to the tangent. The declaration is the reverse rule, written as usual.

The derived rules are ordinary Python functions whose source is generated and registered with
``linecache``, so that the transformer inlines them like a written rule (``inspect.getsource`` works), the
shim calls them, and a reader can see them (``srcgrad.rules.vjp_rule(np.sin).function``). The factor
``1 / x`` makes ``g / x``, not ``g * (1 / x)``; ``-a`` makes ``-g * a``: the derived rule costs no more
operations than the one a person would write.
"""

from __future__ import annotations

import inspect
import linecache
import textwrap
from collections.abc import Callable
from typing import Any

import gast

from ..analysis.walk import fix_missing_locations, walk
from .helpers import unbroadcast
from .jvp_helpers import array_tangent
from .registry import TorchOp, defjvp, defvjp, record_of


def elementwise(primal: Any, *, argnums: int | tuple[int, ...] = 0, torch: TorchOp | None = None,
                broadcasts: bool | None = None) -> Callable[[Callable], Callable]:
    """Declare ``primal`` elementwise, with the decorated function giving its local derivative.

    The function takes ``(ans, *primal_args)`` and returns the factor for each differentiable argument
    (a tuple when ``argnums`` names several). ``broadcasts`` (default: when there are several arguments)
    says whether a partial must be summed back to its argument's shape.

    >>> @elementwise(np.sin, torch=TorchOp(("sin",), "SinBackward0", SELF))
    ... def _(ans, x):
    ...     return np.cos(x)
    """
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    sums_back = len(positions) > 1 if broadcasts is None else broadcasts

    def declare(factor: Callable) -> Callable:
        definition, extra = _definition(factor)
        factors = _factors(definition, len(positions))
        name = _base_name(primal)
        reverse_parts = [_times(_name("g"), f, set(extra)) for f in factors]
        if sums_back:
            reverse_parts = [_call("unbroadcast", part, _name(definition.args.args[1 + p].id))
                             for part, p in zip(reverse_parts, positions)]
        reverse = _generate(f"{name}_vjp", ["g", *extra], definition,
                            reverse_parts[0] if len(reverse_parts) == 1 else gast.Tuple(reverse_parts, gast.Load()),
                            factor)
        defvjp(primal, reverse, argnums=positions)
        for position, f in zip(positions, factors):
            tangent = _call("array_tangent", _name("t"))
            defjvp(primal, _generate(f"{name}_jvp{position}", ["t", *extra], definition, _times(tangent, f, set(extra)), factor),
                   argnum=position)
        _finish(primal, "elementwise", torch, factor)
        return factor

    return declare


def linear(primal: Any, *, argnum: int = 0, torch: TorchOp | None = None) -> Callable[[Callable], Callable]:
    """Declare ``primal`` linear in argument ``argnum``, with the decorated function as its reverse rule
    (``rule(g, ans, *primal_args)``); the forward rule applies ``primal`` to the tangent in that
    argument's place, with the other arguments as they were."""

    def declare(rule: Callable) -> Callable:
        defvjp(primal, rule, argnums=argnum)
        definition, params = _definition(rule)
        call_args, call_keywords = _call_arguments(definition, argnum)
        function, extra_globals = _reference(primal, rule.__globals__)
        call = gast.Call(function, call_args, call_keywords)
        forward = _generate(f"{_base_name(primal)}_jvp", ["t", *params[1:]], definition, call, rule,
                            body=[], extra_globals=extra_globals)
        defjvp(primal, forward, argnum=argnum)
        _finish(primal, "linear", torch, rule)
        return rule

    return declare


# --- building the generated functions ------------------------------------------------------------------------


def _definition(function: Callable) -> tuple[gast.FunctionDef, list[str]]:
    """The function's parsed definition, and its parameter names (``ans`` and the primal's)."""
    source = textwrap.dedent(inspect.getsource(function))
    definition = gast.parse(source).body[0]
    if not isinstance(definition, gast.FunctionDef) or not isinstance(definition.body[-1], gast.Return):
        raise TypeError(f"{function.__qualname__}: a derivation is one function ending in a return")
    if definition.args.vararg or definition.args.kwarg:
        raise TypeError(f"{function.__qualname__}: a derivation names every parameter")
    return definition, [a.id for a in definition.args.args]


def _factors(definition: gast.FunctionDef, count: int) -> list[gast.expr]:
    value = definition.body[-1].value
    if count == 1:
        return [value]
    if not isinstance(value, gast.Tuple) or len(value.elts) != count:
        raise TypeError(f"{definition.name}: return one factor per differentiable argument ({count})")
    return list(value.elts)


def _name(identifier: str) -> gast.Name:
    return gast.Name(identifier, gast.Load(), None, None)


def _call(function: str, *args: gast.expr) -> gast.Call:
    return gast.Call(_name(function), list(args), [])


def _times(lead: gast.expr, factor: gast.expr, params: set[str]) -> gast.expr:
    """``lead * factor``, written as a person would: ``g / x`` for the factor ``1 / x``, ``-g * a`` for
    ``-a``, ``g * 2 * x`` for ``2 * x``, ``g`` for ``1``. A factor that reads none of ``params`` is a
    number, multiplied in whole (``g * (np.pi / 180)``: one operation on arrays, not two)."""
    if isinstance(factor, gast.Constant) and factor.value == 1:
        return lead
    if isinstance(factor, gast.Compare):   # a 0/1 factor selects: +0 where it is 0, as PyTorch's masks give
        return gast.BinOp(gast.BinOp(lead, gast.Mult(), factor), gast.Add(), gast.Constant(0.0, None))
    if isinstance(factor, gast.UnaryOp) and isinstance(factor.op, gast.USub):
        return _times(gast.UnaryOp(gast.USub(), lead), factor.operand, params)
    reads_params = any(isinstance(n, gast.Name) and n.id in params for n in walk(factor))
    if isinstance(factor, gast.BinOp) and isinstance(factor.op, (gast.Mult, gast.Div)) and reads_params:
        return gast.BinOp(_times(lead, factor.left, params), factor.op, factor.right)
    return gast.BinOp(lead, gast.Mult(), factor)


def _reference(primal: Any, namespace: dict[str, Any]) -> tuple[gast.expr, dict[str, Any]]:
    """How the generated source names ``primal``: as the declaring module reaches it (``np.flip``), or
    by a name of its own bound beside the source."""
    name = getattr(primal, "__name__", None)
    for alias, value in namespace.items():
        if name and inspect.ismodule(value) and getattr(value, name, None) is primal:
            return gast.Attribute(_name(alias), name, gast.Load()), {}
    return _name("primal"), {"primal": primal}


def _call_arguments(definition: gast.FunctionDef, argnum: int) -> tuple[list[gast.expr], list[gast.keyword]]:
    """The primal's call from a reverse rule's parameters (after ``g`` and ``ans``), the tangent ``t`` in
    place of argument ``argnum``."""
    args = definition.args
    positional = [a.id for a in args.args[2:]]
    call_args: list[gast.expr] = [_call("array_tangent", _name("t")) if i == argnum else _name(n)
                                  for i, n in enumerate(positional)]
    keywords = [gast.keyword(a.id, _name(a.id)) for a in args.kwonlyargs]
    return call_args, keywords


_GENERATED: dict[str, Callable] = {}


def _generate(name: str, params: list[str], definition: gast.FunctionDef, result: gast.expr, origin: Callable,
              body: list[gast.stmt] | None = None, extra_globals: dict[str, Any] | None = None) -> Callable:
    """A function ``name(*params)`` whose body is ``definition``'s statements (or ``body``) and which
    returns ``result``, with ``origin``'s globals; its source is registered with ``linecache``."""
    arguments = definition.args
    new_args = gast.arguments(args=[gast.Name(p, gast.Param(), None, None) for p in params], posonlyargs=[],
                              vararg=None, kwonlyargs=arguments.kwonlyargs, kw_defaults=arguments.kw_defaults,
                              kwarg=None, defaults=arguments.defaults)
    statements = list(definition.body[:-1]) if body is None else body
    function = gast.FunctionDef(name, new_args, [*statements, gast.Return(result)], [], None, None)
    module = gast.Module([function], [])
    source = gast.unparse(fix_missing_locations(module)).strip() + "\n"
    filename = f"<srcgrad derived rule {origin.__module__}.{name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(origin.__globals__)
    namespace.update({"unbroadcast": unbroadcast, "array_tangent": array_tangent, **(extra_globals or {})})
    exec(compile(source, filename, "exec"), namespace)
    generated = namespace[name]
    generated.__module__ = origin.__module__
    _GENERATED[filename] = generated
    return generated


def _base_name(primal: Any) -> str:
    return getattr(primal, "__name__", "primitive").strip("_") or "primitive"


def _finish(primal: Any, derivation: str, torch: TorchOp | None, origin: Callable) -> None:
    record = record_of(primal)
    record.derivation = derivation
    record.declared_in = inspect.getsourcefile(origin)
    if torch is not None:
        record.torch = torch


__all__ = ["elementwise", "linear"]
