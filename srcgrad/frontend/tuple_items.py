"""Read a tuple's items from the names it was built of: ``out = (pos, vel)`` … ``p = out[0]`` → ``p = pos``;
and concatenate known tuples in place: ``c = a + b`` → ``c = (a0, a1, b0)``.

An inlined helper that returns two values leaves exactly this in A-normal form (its ``return pos, vel``
and the caller's ``pos, vel = dynamics(...)``). Read through the tuple, an item's value would be known to
the analyses only as "an item of a tuple": the shape analysis could not give it a shape, the sequence
analysis would take it for a possible list (whose ``+`` concatenates), and the adjoint would build and
take apart a tuple cotangent. Read from the name, it is the array it is.

The rewrite is exact: ``out[k]`` *is* the object the k-th name held when the tuple was built, as long as
neither ``out`` nor that name has been rebound since. The pass follows each statement list in order and
forgets a tuple as soon as any statement (a nested block included) stores one of those names."""

from __future__ import annotations

import gast

from ..analysis.walk import walk
from ..transform.clone import clone


def forward_tuple_items(fn: gast.FunctionDef) -> None:
    """Rewrite ``x = t[k]`` in ``fn`` (in place) where ``t = (a, b, …)`` of atoms was assigned earlier in
    the same statement list and nothing rebound ``t`` or the item between."""
    if any(isinstance(n, (gast.Global, gast.Nonlocal)) for n in walk(fn)):
        return
    _block(fn.body)


def _block(stmts: list[gast.stmt]) -> None:
    known: dict[str, list[gast.expr]] = {}
    for stmt in stmts:
        for part in ("body", "orelse"):
            nested = getattr(stmt, part, None)
            if isinstance(nested, list) and not isinstance(stmt, gast.FunctionDef):
                _block(nested)
        simple = isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
        if simple:
            _read_item(stmt, known)
            _concatenate(stmt, known)
        copied = known.get(stmt.value.id) if simple and isinstance(stmt.value, gast.Name) else None
        stored = _stored(stmt)
        for name in list(known):
            if name in stored or any(isinstance(e, gast.Name) and e.id in stored for e in known[name]):
                del known[name]
        if not simple:
            continue
        items = stmt.value.elts if isinstance(stmt.value, gast.Tuple) else copied
        if items is not None and all(isinstance(e, (gast.Name, gast.Constant)) for e in items) \
                and stmt.targets[0].id not in {e.id for e in items if isinstance(e, gast.Name)}:
            known[stmt.targets[0].id] = items


def _read_item(stmt: gast.Assign, known: dict[str, list[gast.expr]]) -> None:
    value = stmt.value
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and value.value.id in known \
            and isinstance(value.slice, gast.Constant) and type(value.slice.value) is int:
        items = known[value.value.id]
        if -len(items) <= value.slice.value < len(items):
            stmt.value = gast.copy_location(clone(items[value.slice.value]), value)


def _concatenate(stmt: gast.Assign, known: dict[str, list[gast.expr]]) -> None:
    """``c = a + b`` of two known tuples → ``c = (a0, …, b0, …)``."""
    value = stmt.value
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) \
            and all(isinstance(o, gast.Name) and o.id in known for o in (value.left, value.right)):
        items = [clone(e) for e in known[value.left.id] + known[value.right.id]]
        stmt.value = gast.copy_location(gast.Tuple(items, gast.Load()), value)


def _stored(stmt: gast.stmt) -> set[str]:
    return {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
