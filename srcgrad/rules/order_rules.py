"""Python's ``max``/``min`` over an iterable and ``sorted``: each picks or permutes items, so an item's
cotangent is the output's where the output took it (ties: the item Python returns, the first).

``max(a, b, c)`` is lowered to ``max(max(a, b), c)`` and ``max(items)`` to ``max_item(items)``
(``frontend/extrema.py``); ``sorted`` has its rule as it is."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .helpers import zeros_like_grad
from .registry import defjvp, defnondiff, defsequence, defvjp


def _index(items: Any, key: Any, pick: Any) -> int:
    values = list(items)
    if not values:
        return -1  # no item: the default was returned
    return pick(range(len(values)), key=(lambda i: values[i]) if key is None else (lambda i: key(values[i])))


def max_item(items: Any, key: Any = None) -> Any:
    """``max(items, key=key)``."""
    return builtins.max(items, key=key)


def min_item(items: Any, key: Any = None) -> Any:
    """``min(items, key=key)``."""
    return builtins.min(items, key=key)


def max_item_or(items: Any, key: Any, default: Any) -> Any:
    """``max(items, key=key, default=default)``."""
    return builtins.max(items, key=key, default=default)


def min_item_or(items: Any, key: Any, default: Any) -> Any:
    """``min(items, key=key, default=default)``."""
    return builtins.min(items, key=key, default=default)


def default_grad(g: Any, count: int) -> Any:
    """The cotangent of the ``default`` of ``max``/``min``: the output's where there were no items (``count``
    of them)."""
    return g if count == 0 else 0.0


def item_grad(g: Any, items: Any, index: int) -> Any:
    """The cotangent of ``items`` whose item ``index`` received ``g``: zeros elsewhere, in the items' own
    container (a list for a list or a tuple, an array for an array's rows)."""
    if isinstance(items, np.ndarray) or hasattr(items, "shape"):
        out = np.zeros(np.shape(items), dtype=np.result_type(items, np.float32))
        if index >= 0:
            out[index] = g
        return out
    values = list(items)
    return [g if i == index else zeros_like_grad(v) for i, v in enumerate(values)]


def item_tangent(t: Any, index: int) -> Any:
    """The tangent of the item ``index`` of a container whose tangent is ``t`` (none: no item was taken)."""
    return t[index] if index >= 0 else 0.0


def picked_index(items: Any, key: Any, largest: bool) -> int:
    """Which item ``max`` (``largest``) or ``min`` returns: the first of the extreme ones."""
    return _index(items, key, builtins.max if largest else builtins.min)


def sorting_order(items: Any, key: Any, reverse: bool) -> list[int]:
    """The positions of ``items`` in the order ``sorted(items, key=key, reverse=reverse)`` lists them (both
    sorts are stable, and ``reverse`` keeps equal items in their order in both)."""
    values = list(items)
    return builtins.sorted(range(len(values)), key=(lambda i: values[i]) if key is None else (lambda i: key(values[i])),
                           reverse=reverse)


def sorted_grad(g: Any, items: Any, key: Any, reverse: bool) -> Any:
    """The cotangent of ``items`` from the cotangent ``g`` of the sorted list: each item's, back in place."""
    order = sorting_order(items, key, reverse)
    values = list(items)
    out = [zeros_like_grad(v) for v in values]
    for j, i in enumerate(order):
        if j < len(g):
            out[i] = g[j]
    return np.stack(out) if isinstance(items, np.ndarray) else out


def sorted_tangent(t: Any, items: Any, key: Any, reverse: bool) -> list:
    """The tangent of the sorted list: the items' tangents in the sorted order."""
    return [t[i] for i in sorting_order(items, key, reverse)]


defsequence(builtins.sorted, sorted_grad, sorted_tangent)
# every primal here (the dispatch notes name them)
PRIMALS = (max_item, min_item, max_item_or, min_item_or, builtins.sorted, item_grad, item_tangent, sorted_grad,
           sorted_tangent, default_grad)
defnondiff(picked_index, sorting_order)


@defvjp(max_item)
def _(g, ans, items, key=None):
    return item_grad(g, items, picked_index(items, key, True))


@defvjp(min_item)
def _(g, ans, items, key=None):
    return item_grad(g, items, picked_index(items, key, False))


@defjvp(max_item)
def _(t, ans, items, key=None):
    return item_tangent(t, picked_index(items, key, True))


@defjvp(min_item)
def _(t, ans, items, key=None):
    return item_tangent(t, picked_index(items, key, False))


@defvjp(max_item_or, argnums=(0, 2))
def _(g, ans, items, key, default):
    return item_grad(g, items, picked_index(items, key, True)), default_grad(g, len(items))


@defvjp(min_item_or, argnums=(0, 2))
def _(g, ans, items, key, default):
    return item_grad(g, items, picked_index(items, key, False)), default_grad(g, len(items))


@defjvp(max_item_or, argnum=0)
def _(t, ans, items, key, default):
    return item_tangent(t, picked_index(items, key, True))


@defjvp(min_item_or, argnum=0)
def _(t, ans, items, key, default):
    return item_tangent(t, picked_index(items, key, False))


@defjvp(max_item_or, argnum=2)
def _(t, ans, items, key, default):
    return default_grad(t, len(items))


@defjvp(min_item_or, argnum=2)
def _(t, ans, items, key, default):
    return default_grad(t, len(items))


@defvjp(default_grad)
def _(gg, ans, g, count):
    return default_grad(gg, count)


@defjvp(default_grad)
def _(tt, ans, g, count):
    return default_grad(tt, count)


@defvjp(builtins.sorted)
def _(g, ans, iterable, key=None, reverse=False):
    return sorted_grad(g, iterable, key, reverse)


@defjvp(builtins.sorted)
def _(t, ans, iterable, key=None, reverse=False):
    return sorted_tangent(t, iterable, key, reverse)


# The helpers are linear in the cotangent or tangent: their own rules (Hessians, derivatives of order 3). The
# items they are given only say where an item goes (and, for sorted, in which order): no derivative flows
# through them.


@defvjp(item_grad, argnums=(0, 1))
def _(gg, ans, g, items, index):
    return item_tangent(gg, index), zeros_like_grad(items)


@defjvp(item_grad, argnum=0)
def _(tt, ans, g, items, index):
    return item_grad(tt, items, index)


@defjvp(item_grad, argnum=1)
def _(tt, ans, g, items, index):
    return zeros_like_grad(ans)


@defvjp(item_tangent)
def _(gg, ans, t, index):
    return item_grad(gg, t, index)


@defjvp(item_tangent)
def _(tt, ans, t, index):
    return item_tangent(tt, index)


@defvjp(sorted_grad, argnums=(0, 1))
def _(gg, ans, g, items, key, reverse):
    return sorted_tangent(gg, items, key, reverse), zeros_like_grad(items)


@defjvp(sorted_grad, argnum=0)
def _(tt, ans, g, items, key, reverse):
    return sorted_grad(tt, items, key, reverse)


@defjvp(sorted_grad, argnum=1)
def _(tt, ans, g, items, key, reverse):
    return zeros_like_grad(ans)


@defvjp(sorted_tangent, argnums=(0, 1))
def _(gg, ans, t, items, key, reverse):
    return sorted_grad(gg, items, key, reverse), zeros_like_grad(items)


@defjvp(sorted_tangent, argnum=0)
def _(tt, ans, t, items, key, reverse):
    return sorted_tangent(tt, items, key, reverse)


@defjvp(sorted_tangent, argnum=1)
def _(tt, ans, t, items, key, reverse):
    return zeros_like_grad(ans)
