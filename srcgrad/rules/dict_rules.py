"""Rules for the dict functions generated code calls (``srcgrad/dicts.py``), reverse and forward.

A dict display's cotangent arrives as a dict with entries for the keys that were read (``values_of``
gives one cotangent per value, zero for the others); its transpose builds the dict back. Loops over a
dict walk its keys, which carry nothing: ``iteration_cotangent`` and ``iteration_tangent`` are the
identity on other sequences and zero on a dict, and each is the other's transpose."""

from __future__ import annotations

from typing import Any

from ..dicts import (
    copy_value,
    dict_display,
    dict_has,
    dict_keys,
    iteration_cotangent,
    iteration_sequence,
    iteration_tangent,
)
from .helpers import zeros_like_grad
from .registry import defjvp, defnondiff, defsequence, defvjp, note_dispatch

defnondiff(dict_keys, dict_has)


def values_of(g: Any, keys: tuple, like: tuple) -> tuple:
    """One cotangent per value of ``dict_display(keys, like)`` from the dict's cotangent ``g`` (a missing
    key, a zero ``g``, or a value a later one with the same key replaced, is a zero)."""
    entries = g if isinstance(g, dict) else {}
    last = {k: i for i, k in enumerate(keys)}  # a repeated key keeps the last value: the others are lost
    grads = [entries[k] if k in entries and last[k] == i else zeros_like_grad(v)
             for i, (k, v) in enumerate(zip(keys, like))]
    return grads if isinstance(like, list) else tuple(grads)


# containers: their cotangents add key by key or item by item (add_grads), never with +
defsequence(dict_display, values_of)


@defvjp(dict_display, argnums=(1,))
def _(g, ans, keys, values):
    return values_of(g, keys, values)


@defjvp(dict_display, argnum=1)
def _(t, ans, keys, values):
    return dict_display(keys, t)


@defvjp(values_of)
def _(ct, ans, g, keys, like):
    return dict_display(keys, ct)


@defjvp(values_of)
def _(t, ans, g, keys, like):
    return values_of(t, keys, like)


note_dispatch("a dict of the values, whatever their library: no case of the rule table builds one (checked end "
              "to end in tests/transform/test_dicts.py)", dict_display, values_of)


@defvjp(iteration_sequence)
def _(g, ans, iterable):
    return iteration_cotangent(g, iterable)


@defjvp(iteration_sequence)
def _(t, ans, iterable):
    return iteration_tangent(t, iterable)


@defvjp(iteration_cotangent)
def _(ct, ans, g, like):
    return iteration_tangent(ct, like)


@defjvp(iteration_cotangent)
def _(t, ans, g, like):
    return iteration_cotangent(t, like)


@defvjp(iteration_tangent)
def _(ct, ans, t, like):
    return iteration_cotangent(ct, like)


@defjvp(iteration_tangent)
def _(tt, ans, t, like):
    return iteration_tangent(tt, like)


@defvjp(copy_value)
def _(g, ans, value):
    return g


@defjvp(copy_value)
def _(t, ans, value):
    return copy_value(t)
