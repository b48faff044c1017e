"""Where a call's arguments land among a function's parameters, and the way back for their derivatives.

Generated code takes one value per parameter in signature order, defaults applied: a ``*args`` parameter
receives the tuple of extra positional arguments, a ``**kwargs`` parameter the dict of extra keywords
(``srcgrad.frontend.variadic``). A caller, though, thinks in the arguments it passed — the positional ones,
then the keywords — and wants one cotangent (or supplies one tangent) per passed argument. ``Binding``
records, for every passed argument, its parameter and its key inside a ``*args``/``**kwargs`` container,
and translates between the two views."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .runtime import zero_cotangent

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


@dataclass(frozen=True)
class Binding:
    """``values``: one per parameter. ``slots``: for each passed argument (positional ones, then keywords
    in the order given), ``(parameter index, key)`` with key ``None`` unless the argument went into a
    ``*args`` tuple (an int) or a ``**kwargs`` dict (a str)."""

    values: tuple
    slots: tuple

    def slot(self, position: int) -> tuple[int, Any]:
        return self.slots[position]

    def pick(self, per_parameter: Sequence[Any]) -> tuple:
        """The cotangent of each passed argument, from the cotangents of the parameters."""
        return tuple(item_of(per_parameter[i], key) for i, key in self.slots)

    def constant_parameters(self, constant: Sequence[bool]) -> set[int]:
        """The parameters that receive only arguments the caller marks ``constant`` (one flag per passed
        argument), or none at all (a default)."""
        fed: dict[int, bool] = {}
        for (i, key), flag in zip(self.slots, constant):
            fed[i] = fed.get(i, True) and key is None and flag
        return {i for i in range(len(self.values)) if fed.get(i, True)}

    def place(self, per_argument: Sequence[Any]) -> list:
        """Per-parameter tangents from one tangent (or ``None``: none) per passed argument; inside a
        container, arguments passed without a tangent get a zero one."""
        per_parameter: list[Any] = [None] * len(self.values)
        for (i, key), tangent in zip(self.slots, per_argument):
            if tangent is None:
                continue
            if key is None:
                per_parameter[i] = tangent
                continue
            container = per_parameter[i]
            if container is None:
                value = self.values[i]
                container = ({k: zero_cotangent(v) for k, v in value.items()} if isinstance(value, dict)
                             else [zero_cotangent(v) for v in value])
                per_parameter[i] = container
            container[key] = tangent
        return [tuple(t) if isinstance(t, list) and isinstance(self.values[i], tuple) else t
                for i, t in enumerate(per_parameter)]


def item_of(cotangent: Any, key: Any) -> Any:
    """``cotangent[key]``; the cotangent itself when ``key`` is None (a whole parameter), and None when the
    cotangent is None or a sparse dict without that key."""
    if key is None or cotangent is None:
        return cotangent
    if isinstance(cotangent, dict):
        return cotangent.get(key)
    return cotangent[key]


def bind(signature: inspect.Signature, args: Sequence[Any], keywords: dict[str, Any] | None = None) -> Binding:
    """Bind ``args``/``keywords`` to ``signature`` as Python would (raising its ``TypeError`` for a call
    that does not fit), with defaults applied."""
    bound = signature.bind(*args, **(keywords or {}))
    bound.apply_defaults()
    params = list(signature.parameters.values())
    values = tuple(bound.arguments[p.name] for p in params)
    positional = [i for i, p in enumerate(params) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    star = next((i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL), None)
    double_star = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), None)
    by_name = {p.name: i for i, p in enumerate(params) if p.kind not in _VARIADIC and p.kind is not p.POSITIONAL_ONLY}
    slots: list[tuple[int, Any]] = []
    for position in range(len(args)):
        slots.append((positional[position], None) if position < len(positional) else
                     (star, position - len(positional)))
    for name in keywords or ():
        slots.append((by_name[name], None) if name in by_name else (double_star, name))
    return Binding(values, tuple(slots))


def is_variadic(signature: inspect.Signature) -> bool:
    """Whether binding can put arguments anywhere but the parameter of the same position."""
    return any(p.kind in _VARIADIC or p.kind is p.KEYWORD_ONLY for p in signature.parameters.values())
