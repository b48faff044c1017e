"""A fast deep copy of ``gast`` trees.

``copy.deepcopy`` handles any object (memo table, ``__reduce_ex__``, keep-alive list) and was the largest
single cost of transforming a function: every inlined rule copies its template and every bound argument.
Syntax trees are trees of nodes, lists and immutable leaves, so a walk over each node's attributes
copies them several times faster."""

from __future__ import annotations

from typing import TypeVar

import gast

T = TypeVar("T")
_AST = gast.AST
# Expression contexts carry no data and no pass changes one in place (a node gets a new one), so copies
# share them, as the trees ``ast.parse`` makes do: a third fewer nodes to copy.
_SHARED = (gast.Load, gast.Store, gast.Del, gast.Param)


def clone(node: T) -> T:
    """A deep copy of ``node`` (a ``gast`` node, a list of them, or a leaf value)."""
    if isinstance(node, _AST):
        cls = node.__class__
        if cls in _SHARED:
            return node
        copied = cls.__new__(cls)
        # Fields, positions and any annotation a stage attached (e.g. a loop's condition length) all
        # live in the instance dictionary; a list field holds nodes and leaves (``None`` keys of a dict).
        fields = {}
        for key, value in node.__dict__.items():
            if isinstance(value, _AST):
                value = clone(value)
            elif type(value) is list:
                value = [clone(item) if isinstance(item, _AST) else item for item in value]
            fields[key] = value
        copied.__dict__.update(fields)
        return copied  # type: ignore[return-value]
    if type(node) is list:
        return [clone(item) for item in node]  # type: ignore[return-value]
    return node  # str, int, float, None, bytes, ...: immutable
