"""Optimizations over generated code. Correctness never depends on them: the unoptimized code is valid
and tested too.

``eliminate_dead_code`` removes assignments whose value nothing reads (with a liveness analysis that
iterates to a fixpoint over loops), then loops and branches left empty. With ``grad`` (no value returned)
this removes the parts of the forward sweep that only computed the output."""

from __future__ import annotations

from collections.abc import Callable

import gast

from ..analysis.walk import loaded_names, name_nodes, statements


def _stored(target: gast.expr) -> set[str]:
    return {n.id for n in name_nodes(target) if type(n.ctx) is gast.Store}


class DeadCodeEliminator:
    """Backward liveness over structured code. ``is_pure(value)`` says whether an assignment's value can be
    dropped when its target is dead (calls to unknown functions are kept for their effects)."""

    def __init__(self, is_pure: Callable[[gast.expr], bool]):
        self.is_pure = is_pure
        self.removed = 0   # statements dropped so far: the fixpoint test, cheaper than comparing dumps
        self.looped = False   # whether a loop was met: its liveness can hold reads of what a pass removed
        self._loads: dict[int, set[str]] = {}

    def loads(self, node: gast.AST) -> set[str]:
        """``loaded_names``, remembered: loops are walked until their liveness settles, and nodes are not
        changed while this pass runs (only statement lists are)."""
        found = self._loads.get(id(node))
        if found is None:
            found = self._loads[id(node)] = loaded_names(node)
        return found

    def block(self, stmts: list[gast.stmt], live: set[str], remove: bool) -> tuple[list[gast.stmt], set[str]]:
        """The statements kept, and the names live before them; ``live`` (after them) is the caller's to
        give: it is updated in place, statement by statement (a new set per statement made a long function
        quadratic)."""
        kept: list[gast.stmt] = []
        for stmt in reversed(stmts):
            stmt, live = self.statement(stmt, live, remove)
            if stmt is not None:
                kept.append(stmt)
            elif remove:
                self.removed += 1
        kept.reverse()
        return kept, live

    def statement(self, stmt: gast.stmt, live: set[str], remove: bool) -> tuple[gast.stmt | None, set[str]]:
        if isinstance(stmt, gast.Assign):
            targets = _stored(stmt.targets[0])
            simple = isinstance(stmt.targets[0], gast.Name)
            if simple and not (targets & live) and self.is_pure(stmt.value):
                return (None if remove else stmt), live
            if simple:
                live -= targets
            live |= self.loads(stmt.value)
            live |= self.loads(stmt.targets[0])
            return stmt, live
        if isinstance(stmt, gast.If):
            body, live_body = self.block(stmt.body, set(live), remove)
            if remove and not body and not stmt.orelse:
                return None, live
            orelse, live_else = self.block(stmt.orelse, live, remove)   # (``live`` itself: the last use)
            if remove:
                if not body and not orelse:   # (an emptied ``orelse`` changed nothing in ``live``)
                    return None, live_else
                stmt.body, stmt.orelse = body or [gast.Pass()], orelse
            live_else |= live_body
            live_else |= self.loads(stmt.test)
            return stmt, live_else
        if isinstance(stmt, (gast.For, gast.While)):
            self.looped = True
            loop_live = set(live)
            while True:
                _, body_in = self.block(stmt.body, set(loop_live), remove=False)
                grown = loop_live | body_in
                if grown == loop_live:
                    break
                loop_live = grown
            if remove:
                body, _ = self.block(stmt.body, set(loop_live), remove=True)
                if isinstance(stmt, gast.For) and not body:
                    return None, live
                stmt.body = body or [gast.Pass()]
            header = self.loads(stmt.iter) if isinstance(stmt, gast.For) else self.loads(stmt.test)
            targets = _stored(stmt.target) if isinstance(stmt, gast.For) else set()
            live |= loop_live - targets
            live |= header
            return stmt, live
        live |= self.loads(stmt)
        return stmt, live


def eliminate_dead_code(fn: gast.FunctionDef, is_pure: Callable[[gast.expr], bool]) -> gast.FunctionDef:
    """Drop dead assignments, then empty loops and branches, until nothing changes. Without loops one pass
    is enough: walking backwards, a statement is dropped before the reads of what it reads are counted, so
    a chain of dead statements goes at once. A loop's liveness is settled before its body is pruned, and may
    count reads of statements the pruning drops: then another pass."""
    eliminator = DeadCodeEliminator(is_pure)
    while True:
        before = eliminator.removed
        fn.body, _ = eliminator.block(fn.body, set(), remove=True)
        if eliminator.removed == before or not eliminator.looped:
            return fn


def _assignment_counts(fn: gast.FunctionDef) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in name_nodes(fn):
        if type(node.ctx) in (gast.Store, gast.Param):
            counts[node.id] = counts.get(node.id, 0) + 1
    for loop in statements(fn.body):   # a loop's target counts twice: bound once per trip
        if isinstance(loop, gast.For):
            for target in name_nodes(loop.target):
                counts[target.id] = counts.get(target.id, 0) + 1
    return counts


def _replace_loads(node: gast.AST, aliases: dict[str, str]) -> None:
    if aliases:
        for name_node in name_nodes(node):
            if name_node.id in aliases and type(name_node.ctx) is gast.Load:
                name_node.id = aliases[name_node.id]


def _stored_anywhere(stmt: gast.stmt) -> set[str]:
    stored = {n.id for n in name_nodes(stmt) if type(n.ctx) is gast.Store}
    if isinstance(stmt, gast.For):
        stored |= {n.id for n in name_nodes(stmt.target)}
    return stored


def propagate_copies(fn: gast.FunctionDef) -> gast.FunctionDef:
    """Replace ``a = b; ... use(a)`` by ``use(b)``, leaving the copy to dead-code elimination. Only for
    ``a`` assigned once in the whole function, and only until ``b`` is reassigned, so every replaced use
    sees the same value: a loop or branch body inherits the copies that nothing in the loop or branch
    reassigns (a loop's body and its ``while`` test run again after the body's assignments)."""
    counts = _assignment_counts(fn)

    def block(stmts: list[gast.stmt], aliases: _Aliases) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        inherited = aliases.mark()   # (what the block changes is undone when it ends)
        for stmt in stmts:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                if isinstance(stmt, gast.If):
                    _replace_loads(stmt.test, aliases.of)
                elif isinstance(stmt, gast.For):
                    _replace_loads(stmt.iter, aliases.of)
                aliases.forget(_stored_anywhere(stmt))
                if isinstance(stmt, gast.While):
                    _replace_loads(stmt.test, aliases.of)
                stmt.body = block(stmt.body, aliases)
                stmt.orelse = block(stmt.orelse, aliases)
                out.append(stmt)
                continue
            names = name_nodes(stmt)   # (one walk: the loads to replace, the names it binds)
            of = aliases.of
            if of:
                for name_node in names:
                    if name_node.id in of and type(name_node.ctx) is gast.Load:
                        name_node.id = of[name_node.id]
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                    and isinstance(stmt.value, gast.Name):
                target, source = stmt.targets[0].id, stmt.value.id
                if target == source:
                    continue  # ``a = a``: what a replaced use leaves behind
                aliases.forget({target})
                if counts.get(target) == 1:
                    aliases.add(target, source)
            else:   # (loops and branches were handled above)
                aliases.forget({n.id for n in names if type(n.ctx) is gast.Store})
            out.append(stmt)
        aliases.rollback(inherited)
        return out

    fn.body = block(fn.body, _Aliases())
    return fn


class _Aliases:
    """Copies in force, ``a -> b``, with the index ``b -> {a}`` that makes forgetting a name cost what it
    forgets (rebuilding the table at each assignment made a long function quadratic). A block undoes its
    own changes when it ends (``mark``, ``rollback``) instead of working on a copy: a copy per branch made a
    function with many branches quadratic."""

    def __init__(self) -> None:
        self.of: dict[str, str] = {}
        self.copies_of: dict[str, set[str]] = {}
        self._undo: list[tuple[bool, str, str]] = []   # (added?, target, source), in the order they happened

    def mark(self) -> int:
        return len(self._undo)

    def rollback(self, mark: int) -> None:
        undo = self._undo
        while len(undo) > mark:
            added, target, source = undo.pop()
            if added:
                del self.of[target]
                self.copies_of[source].discard(target)
            else:
                self.of[target] = source
                self.copies_of.setdefault(source, set()).add(target)

    def add(self, target: str, source: str) -> None:
        self.of[target] = source
        self.copies_of.setdefault(source, set()).add(target)
        self._undo.append((True, target, source))

    def forget(self, names: set[str]) -> None:
        for name_ in names:
            source = self.of.pop(name_, None)
            if source is not None:
                self.copies_of[source].discard(name_)
                self._undo.append((False, name_, source))
            for target in self.copies_of.pop(name_, ()):
                if self.of.pop(target, None) is not None:
                    self._undo.append((False, target, name_))
