"""A fast deep copy of ``gast`` trees.

``copy.deepcopy`` handles any object (memo table, ``__reduce_ex__``, keep-alive list) and was the largest
single cost of transforming a function: every inlined rule copies its template and every bound argument.
Syntax trees are trees of nodes, lists and immutable leaves, so a walk over each node's attributes
copies them several times faster."""

from __future__ import annotations

from typing import Any, TypeVar

import gast

T = TypeVar("T")
_AST = gast.AST


def clone(node: T) -> T:
    """A deep copy of ``node`` (a ``gast`` node, a list of them, or a leaf value)."""
    if isinstance(node, _AST):
        # Fields, positions and any annotation a stage attached (e.g. a loop's condition length) all
        # live in the instance dictionary.
        copied = node.__class__.__new__(node.__class__)
        copied.__dict__.update({key: _clone_value(value) for key, value in node.__dict__.items()})
        return copied  # type: ignore[return-value]
    return _clone_value(node)


def _clone_value(value: Any) -> Any:
    if isinstance(value, _AST):
        return clone(value)
    if isinstance(value, list):
        return [clone(item) if isinstance(item, _AST) else _clone_value(item) for item in value]
    return value  # str, int, float, None, bytes, ...: immutable
