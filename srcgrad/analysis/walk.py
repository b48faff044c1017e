"""A faster ``gast.walk``.

``ast.walk`` finds children through ``iter_child_nodes`` and ``iter_fields`` (a generator and a
``getattr`` per field, per node); the analyses and optimizations walk the generated function many times,
which made walking the largest cost of a transformation. Nodes keep their fields in the instance
dictionary, so reading it directly finds the same children, in no particular order."""

from __future__ import annotations

from collections.abc import Iterator

import gast

from .value_kinds import STATIC_ATTRIBUTES  # attributes that describe an array, without a derivative

_AST = gast.AST


def walk(node: gast.AST) -> Iterator[gast.AST]:
    """Every node under ``node`` (itself included), like ``gast.walk`` but not in breadth-first order."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        current = pop()
        yield current
        for value in current.__dict__.values():
            if isinstance(value, _AST):
                push(value)
            elif type(value) is list:
                extend([item for item in value if isinstance(item, _AST)])


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
