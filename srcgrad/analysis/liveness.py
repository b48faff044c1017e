"""Which names a block reads before it has definitely assigned them (upward-exposed uses)."""

from __future__ import annotations

import gast

from .walk import loaded_names, walk


def _stmt_loads(stmt: gast.stmt) -> set[str]:
    if isinstance(stmt, gast.Assign):
        return loaded_names(stmt.value) | (loaded_names(stmt.targets[0]) if not isinstance(
            stmt.targets[0], gast.Name) else set())
    if isinstance(stmt, (gast.If, gast.While)):
        return loaded_names(stmt.test)
    if isinstance(stmt, gast.For):
        return loaded_names(stmt.iter)
    if isinstance(stmt, gast.AugAssign):  # ``x += v`` reads x (only the source has these; the core does not)
        return loaded_names(stmt.value) | {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
    return loaded_names(stmt)


def upward_exposed(stmts: list[gast.stmt], assigned: set[str] | None = None) -> set[str]:
    """Names some path through ``stmts`` reads before assigning them."""
    exposed, _ = _walk(stmts, set(assigned or ()))
    return exposed


def _walk(stmts: list[gast.stmt], assigned: set[str]) -> tuple[set[str], set[str]]:
    exposed: set[str] = set()
    for stmt in stmts:
        exposed |= _stmt_loads(stmt) - assigned
        if isinstance(stmt, gast.Assign):
            assigned = assigned | {n.id for n in walk(stmt.targets[0])
                                   if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        elif isinstance(stmt, gast.If):
            body_exposed, body_assigned = _walk(stmt.body, set(assigned))
            else_exposed, else_assigned = _walk(stmt.orelse, set(assigned))
            exposed |= body_exposed | else_exposed
            assigned = body_assigned & else_assigned
        elif isinstance(stmt, (gast.For, gast.While)):
            inner = set(assigned)
            if isinstance(stmt, gast.For):
                inner |= {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
            body_exposed, _ = _walk(stmt.body, inner)
            exposed |= body_exposed
    return exposed, assigned
