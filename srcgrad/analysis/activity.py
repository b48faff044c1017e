"""Activity analysis: which variables need adjoints.

A variable is *varied* when its value depends, through differentiable operations, on an input being
differentiated, and *useful* when the output depends on it the same way. Only variables that are both —
*active* — get adjoints; everything else (shapes, counters, conditions, constants) is left to the forward
sweep. The analysis is flow-insensitive and iterates to a fixpoint, which covers loop-carried values."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gast


def assignments(stmts: list[gast.stmt]) -> Iterator[tuple[str, gast.expr]]:
    """Every ``name = value`` in a body, at any depth, in source order."""
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            yield stmt.targets[0].id, stmt.value
        for field in ("body", "orelse"):
            yield from assignments(getattr(stmt, field, []) or [])


def varied_variables(fn: gast.FunctionDef, wrt: set[str],
                     differentiable_inputs: Callable[[gast.expr], set[str]]) -> set[str]:
    """Names whose value may depend on ``wrt`` through differentiable operations (``wrt`` included)."""
    dependents: dict[str, set[str]] = {}
    for target, value in assignments(fn.body):
        for source in differentiable_inputs(value):
            dependents.setdefault(source, set()).add(target)
    return _reachable(set(wrt), dependents)


def active_variables(fn: gast.FunctionDef, varied: set[str], returned: set[str],
                     differentiable_inputs: Callable[[gast.expr], set[str]]) -> set[str]:
    """Names that are both varied (``varied_variables``: they depend on the differentiated inputs) and
    useful (reach ``returned``).

    ``differentiable_inputs(value)`` gives the names through which derivatives flow into ``value``
    (empty for comparisons and non-differentiable calls)."""
    sources_of: dict[str, set[str]] = {}
    for target, value in assignments(fn.body):
        sources_of.setdefault(target, set()).update(differentiable_inputs(value))
    return varied & _reachable(set(returned), sources_of)


def _reachable(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    """``start`` and every name reachable from it along ``edges``: a worklist, each name visited once."""
    found = set(start)
    work = list(found)
    while work:
        for name in edges.get(work.pop(), ()):
            if name not in found:
                found.add(name)
                work.append(name)
    return found
