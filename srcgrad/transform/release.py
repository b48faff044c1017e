"""Release large temporaries as soon as nothing reads them again.

A-normal form names every intermediate value, and a name keeps its array alive until the function
returns, where hand-written code writes one expression or rebinds one name. For arrays of some hundred
kilobytes each live temporary is fresh memory the next operation cannot reuse, and touching fresh pages
costs more than the arithmetic: six live 50,000-element temporaries take three times as long to compute as
three do. This pass adds ``del a, b`` after the top-level statement that reads ``a`` and ``b`` for the last
time, for variables the function's own top-level statements assign (so they are bound there for sure)
whose static shape has at least ``LARGE`` elements. Smaller values are left alone, so small-array code
reads as before. Functions that define a nested function (the backward closure of ``vjp``) are left
alone: the closure may read any of its variables later."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import gast

from ..analysis.walk import walk

LARGE = 16384   # elements: 128 KiB of float64, where allocations start to come as fresh pages


def release_temporaries(fn: gast.FunctionDef, shape_of: Callable[[str], Any]) -> None:
    """Insert the ``del`` statements into ``fn``'s body (in place)."""
    if any(isinstance(n, (gast.FunctionDef, gast.Lambda)) for n in walk(fn) if n is not fn):
        return
    params = {a.id for a in fn.args.args}
    body = fn.body
    read_after: list[set[str]] = [set() for _ in body]
    later: set[str] = set()
    for index in range(len(body) - 1, -1, -1):
        read_after[index] = set(later)
        later |= {n.id for n in walk(body[index]) if isinstance(n, gast.Name)}
    bound: set[str] = set()
    out: list[gast.stmt] = []
    for index, stmt in enumerate(body):
        out.append(stmt)
        if isinstance(stmt, gast.Assign) and all(isinstance(t, gast.Name) for t in stmt.targets) \
                and not isinstance(stmt.value, (gast.Subscript, gast.Name, gast.Attribute)):
            bound |= {t.id for t in stmt.targets}  # (a view or a second name holds no memory of its own)
        if isinstance(stmt, gast.Return):
            continue
        names = {n.id for n in walk(stmt) if isinstance(n, gast.Name)}
        dead = sorted(n for n in names & bound if n not in read_after[index] and n not in params and large(shape_of(n)))
        if dead:
            bound -= set(dead)
            out.append(gast.Delete([gast.Name(n, gast.Del(), None, None) for n in dead]))
    fn.body = out


def large(shape: Any) -> bool:
    """A static shape of at least ``LARGE`` elements."""
    return isinstance(shape, tuple) and math.prod(shape) >= LARGE
