"""Faster ``gast.walk`` and ``gast.iter_child_nodes``.

``ast.walk`` finds children through ``iter_child_nodes`` and ``iter_fields`` (a generator and a
``getattr`` per field, per node); the analyses and optimizations walk the generated function many times,
which made walking the largest cost of a transformation. Nodes keep their fields in the instance
dictionary, so reading it by each class's ``_fields`` finds the same children in the same order, at less
than half the cost."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import gast

from .value_kinds import STATIC_ATTRIBUTES  # attributes that describe an array, without a derivative

_AST = gast.AST


def walk(node: gast.AST) -> Iterator[gast.AST]:
    """Every node under ``node`` (itself included), breadth first, in the order of ``gast.walk``."""
    queue = deque((node,))
    next_node, push = queue.popleft, queue.append
    while queue:
        current = next_node()
        yield current
        values = current.__dict__
        for field in current._fields:
            value = values.get(field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)


def children(node: gast.AST) -> list[gast.AST]:
    """The direct children of ``node``, in the order of ``gast.iter_child_nodes``."""
    found: list[gast.AST] = []
    values = node.__dict__
    for field in node._fields:
        value = values.get(field)
        if type(value) is list:
            found.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            found.append(value)
    return found


def loaded_names(node: gast.AST) -> set[str]:
    """Names read anywhere under ``node``."""
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def values_read(node: gast.AST) -> set[str]:
    """Names whose *values* ``node`` reads: not those only asked for their shape (``x.shape``)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, gast.Attribute) and current.attr in STATIC_ATTRIBUTES:
            continue
        if isinstance(current, gast.Name) and isinstance(current.ctx, gast.Load):
            found.add(current.id)
        for value in current.__dict__.values():
            if isinstance(value, _AST):
                stack.append(value)
            elif type(value) is list:
                stack.extend(item for item in value if isinstance(item, _AST))
    return found
