"""Derivatives of ``call_star(function, before, spread, after)``, the call ``function(*before, *spread,
*after)`` with a star-argument whose length only the run knows. The callee is differentiated by the same
dispatch as any call from generated code (``call_with_vjp``, ``call_with_jvp``: a rule, or the callee's
transformed source); the per-argument derivatives are then regrouped into the three parts. The spread part
gets its cotangent in its own container: a list for a list, a tuple for a tuple, the stacked rows for an
array; an iterator, which cannot take one, is refused."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import UnsupportedTransformError
from ..runtime import COMPILER, call_with_jvp, call_with_jvp_cotangents, call_with_vjp, star_callee, zero_cotangent
from .helpers import zeros_like_grad


def _as_container(parts: list, like: Any) -> Any:
    if isinstance(like, list):
        return parts
    if isinstance(like, tuple):
        return tuple(parts)
    if isinstance(like, np.ndarray):
        return np.stack([np.zeros(like.shape[1:]) if p is None else p for p in parts]) if parts \
            else np.zeros(like.shape)
    raise UnsupportedTransformError(f"a star-argument holding a {type(like).__name__} cannot take derivatives "
                                    "back: pass a list, a tuple or an array")


def star_call_grads(g: Any, function: Any, before: tuple, spread: Any, after: tuple) -> tuple:
    """The cotangents of ``before``, ``spread`` and ``after``."""
    items = list(spread)
    _, backward = call_with_vjp(star_callee(function), *before, *items, *after)
    # None, or a zero number standing for a whole argument's zero cotangent: zeros shaped like the argument
    grads = [zeros_like_grad(v) if c is None or (isinstance(c, numbers.Number) and c == 0 and np.ndim(v))
             else c for c, v in zip(backward(g), (*before, *items, *after))]
    n, m = len(before), len(items)
    return tuple(grads[:n]), _as_container(grads[n:n + m], spread), tuple(grads[n + m:])


def _flat_call(t: Any, which: int, before: tuple, spread: Any, after: tuple) -> tuple[tuple, tuple, list]:
    parts = [list(before), list(spread), list(after)]
    tangents = [[zeros_like_grad(v) for v in part] for part in parts]
    tangents[which] = list(t)
    return tuple(v for part in parts for v in part), tuple(v for part in tangents for v in part), parts


def star_call_tangent(t: Any, which: int, function: Any, before: tuple, spread: Any, after: tuple) -> Any:
    """The output tangent from the tangent ``t`` of part ``which`` (0: before, 1: spread, 2: after)."""
    args, tangents, _ = _flat_call(t, which, before, spread, after)
    _, tangent = call_with_jvp(star_callee(function), args, tangents)
    return tangent


def star_call_tangent_grads(g: Any, t: Any, which: int, function: Any, before: tuple, spread: Any, after: tuple
                            ) -> tuple:
    """Reverse mode over ``star_call_tangent`` (a Hessian through a star call): the cotangents of ``t``,
    ``before``, ``spread`` and ``after`` for the output tangent's cotangent ``g``."""
    args, tangents, parts = _flat_call(t, which, before, spread, after)
    callee = star_callee(function)
    out, tangent = call_with_jvp(callee, args, tangents)
    arg_cotangents, tangent_cotangents = call_with_jvp_cotangents((zero_cotangent(out), g), (out, tangent), callee,
                                                                  args, tangents)

    def regroup(per_argument: tuple) -> list:
        n, m = len(parts[0]), len(parts[1])
        grads = [zeros_like_grad(v) if c is None else c for c, v in zip(per_argument, args)]
        return [tuple(grads[:n]), _as_container(grads[n:n + m], spread), tuple(grads[n + m:])]

    per_part = regroup(arg_cotangents)
    of_t = regroup(tangent_cotangents)[which]
    return (list(of_t) if isinstance(t, list) else of_t, *per_part)


def star_call_tangent_tangent(tt: Any, part: int, t: Any, which: int, function: Any, before: tuple, spread: Any,
                              after: tuple) -> Any:
    """Forward mode over ``star_call_tangent`` (derivatives of order 3 and more through a star call): the
    tangent of the output tangent for the tangent ``tt`` of ``before``, ``spread`` or ``after`` (``part``
    0, 1 or 2), by forward mode over the callee's forward code."""
    args, tangents, parts = _flat_call(t, which, before, spread, after)
    outer = [[None] * len(p) for p in parts]
    outer[part] = list(tt)
    return COMPILER.jvp_call_tangent(star_callee(function), args, tangents, tuple(v for p in outer for v in p), None)[1]
