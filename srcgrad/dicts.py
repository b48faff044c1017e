"""Dicts built and read inside differentiated code, as functions the generated code calls.

``{"w": w, "b": b}`` and ``dict(w=w, b=b)`` become ``dict_display(("w", "b"), (w, b))``, whose rules
(``rules/dict_rules.py``) move cotangents between the dict and its values. The reading methods are lowered
to what the rule table already differentiates (``frontend/dict_lowering.py``): ``d.items()`` is
``[(k, d[k]) for k in dict_keys(d)]``, ``d.get(k, v)`` is ``d[k] if dict_has(d, k) else v``. A dict's
cotangent is a dict holding an entry for each key some value was read through; a key with no entry has a
zero cotangent. A ``for`` loop over a value that may be a dict walks ``iteration_sequence(d)``: its keys."""

from __future__ import annotations

from typing import Any


def _require_dict(value: Any, what: str) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"srcgrad differentiates '{what}' as the dict method, but it was called on a "
                        f"{type(value).__name__}")


def dict_display(keys: tuple, values: tuple) -> dict:
    """``{keys[0]: values[0], ...}``."""
    return dict(zip(keys, values))


def dict_keys(d: dict) -> list:
    """``list(d)``, for ``d.keys()``, ``d.items()`` and ``d.values()``: keys carry no derivative."""
    _require_dict(d, ".keys()/.items()/.values()")
    return list(d)


def dict_has(d: dict, key: Any) -> bool:
    """``key in d``, for ``d.get(key, default)``."""
    _require_dict(d, ".get()")
    return key in d


def iteration_sequence(iterable: Any) -> Any:
    """What a ``for`` loop walks, as something indexable: a dict's keys (``for k in d``); anything else as
    it is (a list, a tuple, an array's rows)."""
    return list(iterable) if isinstance(iterable, dict) else iterable


def iteration_cotangent(g: Any, like: Any) -> Any:
    """The cotangent of ``iteration_sequence(like)``'s argument: ``g`` itself, or none (``{}``) for a
    dict, whose keys carry no derivative."""
    return {} if isinstance(like, dict) else g


def iteration_tangent(t: Any, like: Any) -> Any:
    """The tangent of ``iteration_sequence(like)``: ``t`` itself, or zeros for a dict's keys."""
    return [0.0] * len(like) if isinstance(like, dict) else t


def copy_value(value: Any) -> Any:
    """``value.copy()`` for the values a differentiated function holds: a dict, a list or an array."""
    if isinstance(value, (dict, list)):
        return type(value)(value)
    return value.copy()
