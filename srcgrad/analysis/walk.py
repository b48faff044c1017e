"""Faster ``gast.walk``, ``gast.iter_child_nodes`` and ``gast.fix_missing_locations``.

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
_NAME, _LOAD = gast.Name, gast.Load


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold nodes, less ``ctx`` (kept in ``CHILD_FIELDS`` once found):
    the ``Load``/``Store`` markers are a third of a tree's nodes, and the passes read them through their
    expression (``name.ctx``)."""
    fields = CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _NOT_CHILDREN)
    return fields


_NOT_CHILDREN = frozenset({"ctx", "id", "attr", "kind", "type_comment"})  # a context, or strings
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def walk(node: gast.AST) -> Iterator[gast.AST]:
    """Every node under ``node`` (itself included) but the expression contexts (``Load``, ``Store``, ...),
    breadth first, in the order of ``gast.walk``."""
    queue = deque((node,))
    next_node, push, fields_of = queue.popleft, queue.append, CHILD_FIELDS.get
    while queue:
        current = next_node()
        yield current
        values, fields = current.__dict__, fields_of(type(current))
        if fields is None:
            fields = child_fields(type(current))
        for field in fields:
            value = values.get(field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)


def children(node: gast.AST) -> list[gast.AST]:
    """The direct children of ``node`` but its expression context, in the order of
    ``gast.iter_child_nodes`` (which ``walk`` visits; nothing reads a ``Load`` or ``Store`` as a child)."""
    found: list[gast.AST] = []
    values, fields = node.__dict__, CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = child_fields(type(node))
    for field in fields:
        value = values.get(field)
        if type(value) is list:
            found.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            found.append(value)
    return found


_MISSING = object()


def fix_missing_locations(node: gast.AST) -> gast.AST:
    """``gast.fix_missing_locations`` at half the cost: a node with location attributes takes each one it
    lacks from its parent (line 1, column 0 at the root); a class default (``end_lineno = None``) counts as
    present, as there."""
    stack = [(node, (1, 0, 1, 0))]
    pop, push = stack.pop, stack.append
    while stack:
        current, location = pop()
        if "lineno" in current._attributes:
            location = _located(current, location)
        values = current.__dict__
        for field in current._fields:
            value = values.get(field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push((item, location))
            elif isinstance(value, _AST):
                push((value, location))
    return node


def name_nodes(node: gast.AST) -> list[gast.Name]:
    """The ``Name`` nodes under ``node`` (itself included), depth first: the same nodes ``walk`` finds, in
    another order. Most questions the passes ask of code are about names; collecting only those, in one
    loop rather than a generator step per node, answers them at about two thirds of the cost. (Its loop
    over a node's fields repeats ``walk``'s on purpose: shared through ``children``, a call per node, both
    took three quarters longer.)"""
    found: list[gast.Name] = []
    add = found.append
    stack = [node]
    pop, push, fields_of = stack.pop, stack.append, CHILD_FIELDS.get
    while stack:
        current = pop()
        cls = type(current)
        if cls is _NAME:
            add(current)
            if current.annotation is None:
                continue
        values, fields = current.__dict__, fields_of(cls)
        if fields is None:
            fields = child_fields(cls)
        for field in fields:
            value = values.get(field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)
    return found


_BLOCKS = ("body", "orelse", "finalbody")      # the fields that hold statements
_CLAUSES = ("handlers", "cases")               # those that hold clauses (``except``, ``case``) with a body


def statements(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Every statement in ``stmts`` and in the blocks nested in them (loops, branches, ``def``s; an
    ``except`` clause's body), depth first: the statements ``walk`` finds, without entering expressions,
    which hold none."""
    found: list[gast.stmt] = []
    stack = list(reversed(stmts))
    while stack:
        current = stack.pop()
        found.append(current)
        values = current.__dict__
        for field in _CLAUSES:
            for clause in reversed(values.get(field) or ()):
                stack.extend(reversed(clause.body))
        for field in _BLOCKS:
            block = values.get(field)
            if type(block) is list and block:
                stack.extend(reversed(block))
    return found


def _located(node: gast.AST, parent: tuple) -> tuple:
    """Give ``node`` each location attribute it lacks from its ``parent``'s location; return its own."""
    lineno = getattr(node, "lineno", _MISSING)
    col = getattr(node, "col_offset", _MISSING)
    end_lineno = getattr(node, "end_lineno", _MISSING)
    end_col = getattr(node, "end_col_offset", _MISSING)
    if lineno is _MISSING:
        node.lineno = lineno = parent[0]
    if col is _MISSING:
        node.col_offset = col = parent[1]
    if end_lineno is _MISSING:
        node.end_lineno = end_lineno = parent[2]
    if end_col is _MISSING:
        node.end_col_offset = end_col = parent[3]
    return (lineno, col, end_lineno, end_col)


def locate_statements(fn: gast.FunctionDef) -> gast.FunctionDef:
    """``fix_missing_locations`` for ``fn`` and the statements in it only: a statement without a location
    takes its enclosing statement's (line 1, column 0 at the root). The unparser reads the line of every
    statement that may carry a type comment, and nothing else of the locations; the expressions, most of a
    tree, are left as they are."""
    stack = [(fn, (1, 0, 1, 0))]
    while stack:
        current, location = stack.pop()
        values = current.__dict__
        if "lineno" in current._attributes:
            location = _located(current, location)
        for field in _CLAUSES:
            for clause in values.get(field) or ():
                stack.extend((stmt, location) for stmt in clause.body)
        for field in _BLOCKS:
            block = values.get(field)
            if type(block) is list:
                stack.extend((stmt, location) for stmt in block)
    return fn


def all_names(node: gast.AST) -> set[str]:
    """Every name under ``node``, read or bound."""
    return {n.id for n in name_nodes(node)}


def loaded_names(node: gast.AST) -> set[str]:
    """Names read anywhere under ``node``."""
    return {n.id for n in name_nodes(node) if type(n.ctx) is _LOAD}


def stored_names(node: gast.AST) -> set[str]:
    """Names bound anywhere under ``node`` (assigned, deleted or a parameter): every name but those read."""
    return {n.id for n in name_nodes(node) if type(n.ctx) is not _LOAD}


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
