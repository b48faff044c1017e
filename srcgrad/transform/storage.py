"""Storage planning for reverse mode: which values the adjoint sweep reads that the forward sweep
overwrites, and whether each is recomputed at the start of its adjoint block or pushed on a stack.

``ReverseMode`` (reverse.py) builds both sweeps with markers where pushes, pops and recomputations may go;
once the adjoint is complete, ``plan_storage`` decides per block (cheapest first, see reverse.py's
docstring) and ``fill_forward``/``fill_adjoint`` replace the markers by the chosen statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast

from ..analysis.activity import assignments
from ..analysis.walk import loaded_names, walk
from .clone import clone


@dataclass(eq=False)
class Block:
    """A statement list: the function body, a loop body or a branch. Blocks inside loops run many times,
    so the temporaries they define are overwritten between runs and may need storing."""

    loop: gast.stmt | None
    temps: list[gast.Assign] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    recomputed: list[gast.Assign] = field(default_factory=list)
    statements: list[gast.stmt] = field(default_factory=list)   # the primal statements of the block


def overwritten_variables(fn: gast.FunctionDef, temps: set[str]) -> set[str]:
    """User variables whose value some assignment replaces: assigned inside control flow, assigned twice,
    or a parameter assigned at all. Only these can need a push before an overwrite."""
    counts: dict[str, int] = {}
    nested: set[str] = set()

    def visit(stmts: list[gast.stmt], depth: int) -> None:
        for stmt in stmts:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                target = stmt.targets[0].id
                counts[target] = counts.get(target, 0) + 1
                if depth:
                    nested.add(target)
            for field_name in ("body", "orelse"):
                visit(getattr(stmt, field_name, []) or [], depth + isinstance(stmt, (gast.If, gast.For, gast.While)))
            if isinstance(stmt, gast.For):
                nested.add(stmt.target.id)

    visit(fn.body, 0)
    params = {a.id for a in fn.args.args}
    overwritten = nested | {v for v, n in counts.items() if n > 1} | (params & set(counts))
    return overwritten - temps


class StoragePlanner:
    """The storage decisions of ``ReverseMode``, which inherits them. They read the transformer's state:
    ``fn``, ``active``, ``is_pure``, ``params``, ``overwritten``, ``primal_vars``, ``blocks``, ``markers``,
    ``counters``, ``stack`` and ``maybe_needed``."""

    fn: gast.FunctionDef
    active: set[str]
    is_pure: Callable[[gast.expr], bool]
    params: list[str]
    overwritten: set[str]
    primal_vars: set[str]
    blocks: dict[tuple, Block]
    markers: dict[int, Block]
    counters: dict[int, str]
    stack: str
    maybe_needed: set[str]

    def maybe_needed_variables(self) -> set[str]:
        """A superset of the variables the adjoint can read: inputs of active statements, conditions and
        loop ranges, and (for recomputation) the inputs of whatever defines those, transitively."""
        definitions: dict[str, set[str]] = {}
        seeds: set[str] = set()
        for node in walk(self.fn):
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
                target = node.targets[0].id
                definitions.setdefault(target, set()).update(loaded_names(node.value))
                if target in self.active:
                    seeds |= loaded_names(node.value) | {target}
            elif isinstance(node, gast.If) and self._has_active(node):
                seeds |= loaded_names(node.test)
            elif isinstance(node, gast.For) and self._has_active(node):
                seeds |= loaded_names(node.iter)
        needed, frontier = set(), seeds
        while frontier:
            needed |= frontier
            frontier = set().union(*(definitions.get(v, set()) for v in frontier)) - needed
        return needed

    def _has_active(self, stmt: gast.stmt) -> bool:
        return any(isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name)
                   and n.targets[0].id in self.active for n in walk(stmt))

    def plan_storage(self, adjoint: list[gast.stmt]) -> set[str]:
        """Decide, block by block, which temporaries to recompute and which to push; return the user
        variables that must be pushed before each overwrite."""
        needed = self._reads(adjoint)
        while True:
            extra: set[str] = set()
            reversed_blocks = {id(b) for b in self.markers.values()}
            for block in self.blocks.values():
                block.pushed, block.recomputed = [], []
                if block.loop is None or id(block) not in reversed_blocks:
                    continue
                changed_in_loop = {t for t, _ in assignments(block.loop.body)}
                changed_in_loop |= {s.target.id for s in walk(block.loop) if isinstance(s, gast.For)}
                if isinstance(block.loop, gast.For):
                    changed_in_loop.discard(block.loop.target.id)
                recomputable: set[str] = set()
                for stmt in block.temps:
                    target = stmt.targets[0].id
                    if (target not in self.counters.values() and self.is_pure(stmt.value)
                            and all(n in recomputable or n not in changed_in_loop for n in loaded_names(stmt.value))):
                        recomputable.add(target)
                held = self._held_at_block_end(block)
                for stmt in block.temps:
                    target = stmt.targets[0].id
                    if target in needed and target in recomputable:
                        block.recomputed.append(stmt)
                        extra |= loaded_names(stmt.value)
                    elif target in needed and target in held:
                        # ``v = target`` ends the block's changes to both: v holds the value when the
                        # block's adjoint starts, and v is kept for the adjoint anyway (the RNN's ``h``).
                        block.recomputed.append(gast.Assign([gast.Name(target, gast.Store(), None, None)],
                                                            gast.Name(held[target], gast.Load(), None, None), None))
                        extra.add(held[target])
                    elif target in needed:
                        block.pushed.append(target)
            if extra <= needed:
                break
            needed |= extra
        return {v for v in needed if v in self.overwritten and v in self.maybe_needed}

    def _held_at_block_end(self, block: Block) -> dict[str, str]:
        """Temporaries ``t`` copied into a user variable ``v`` (``v = t``) that nothing later in the block
        reassigns, nor ``t``: at the end of the block ``v`` is ``t``, the same object. When ``v``'s value is
        restored for the adjoint anyway (it is overwritten inside control flow and the adjoint may read
        it), the adjoint can read ``t`` back from ``v`` instead of storing it a second time."""
        held: dict[str, str] = {}
        later: set[str] = set()
        for stmt in reversed(block.statements):
            if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and isinstance(stmt.value, gast.Name)):
                user, temp = stmt.targets[0].id, stmt.value.id
                if (user not in later and temp not in later and user in self.overwritten
                        and user in self.maybe_needed and temp not in held):
                    held[temp] = user
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    later.add(node.id)
            if isinstance(stmt, gast.For):
                later |= {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
        return {t: v for t, v in held.items() if any(s.targets[0].id == t for s in block.temps)}

    def _reads(self, stmts: list[gast.stmt]) -> set[str]:
        return {name for stmt in stmts for name in loaded_names(stmt) if name in self.primal_vars}

    def fill_forward(self, stmts: list[gast.stmt], pushed_vars: set[str]) -> list[gast.stmt]:
        out = []
        for stmt in stmts:
            if is_marker(stmt, "__push__"):
                if stmt.payload in pushed_vars:
                    out.append(self._push(stmt.payload))
            elif is_marker(stmt, "__block_end__"):
                out.extend(self._push(v) for v in self.blocks[stmt.payload].pushed)
            else:
                for field_name in ("body", "orelse"):
                    if getattr(stmt, field_name, None):
                        setattr(stmt, field_name, self.fill_forward(getattr(stmt, field_name), pushed_vars))
                out.append(stmt)
        return out

    def fill_adjoint(self, stmts: list[gast.stmt], pushed_vars: set[str]) -> list[gast.stmt]:
        out = []
        for stmt in stmts:
            if is_marker(stmt, "__pop__"):
                if stmt.payload in pushed_vars:
                    out.append(self._pop(stmt.payload))
            elif is_marker(stmt, "__restore__"):
                block = self.markers[id(stmt)]
                out.extend(self._pop(v) for v in reversed(block.pushed))
                out.extend(clone(s) for s in block.recomputed)
            else:
                for field_name in ("body", "orelse"):
                    if getattr(stmt, field_name, None):
                        setattr(stmt, field_name, self.fill_adjoint(getattr(stmt, field_name), pushed_vars))
                if isinstance(stmt, (gast.If, gast.For)) and not stmt.body:
                    if not getattr(stmt, "orelse", None):
                        continue
                    stmt.body = [gast.Pass()]
                out.append(stmt)
        return out

    def _push(self, var: str) -> gast.stmt:
        append = gast.Attribute(gast.Name(self.stack, gast.Load(), None, None), "append", gast.Load())
        return gast.Expr(gast.Call(append, [gast.Name(var, gast.Load(), None, None)], []))

    def _pop(self, var: str) -> gast.stmt:
        pop = gast.Attribute(gast.Name(self.stack, gast.Load(), None, None), "pop", gast.Load())
        return gast.Assign([gast.Name(var, gast.Store(), None, None)], gast.Call(pop, [], []), None)


def marker(tag: str, payload: Any) -> gast.Expr:
    stmt = gast.Expr(gast.Constant(tag, None))
    stmt.payload = payload
    return stmt


def is_marker(stmt: Any, tag: str | None = None) -> bool:
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) and hasattr(stmt, "payload")
            and (tag is None or stmt.value.value == tag))
