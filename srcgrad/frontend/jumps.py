"""Lower early ``return``, ``break`` and ``continue`` into flags, so that every block runs to its end.

The reverse transform then sees only structured code: a loop's body ends with at most one real ``break``,
``if <flag>: break``, placed last, and every statement after a jump is guarded by ``if not <flag>:``. The
adjoint mirrors exactly the statements that ran, because the guards are ordinary branches."""

from __future__ import annotations

import copy

import gast

from ..naming import Names


def _name(id_: str, store: bool = False) -> gast.Name:
    return gast.Name(id_, gast.Store() if store else gast.Load(), None, None)


def _set(flag: str, value: bool, like: gast.AST) -> gast.Assign:
    return gast.copy_location(gast.Assign([_name(flag, True)], gast.Constant(value, None), None), like)


def _contains(stmts: list[gast.stmt], kinds: tuple, cross_loops: bool) -> bool:
    for stmt in stmts:
        if isinstance(stmt, kinds):
            return True
        if isinstance(stmt, (gast.For, gast.While)) and not cross_loops:
            continue
        for field in ("body", "orelse"):
            if _contains(getattr(stmt, field, []) or [], kinds, cross_loops):
                return True
    return False


def _guarded(stmts: list[gast.stmt], may_jump, rewrite, test: gast.expr) -> list[gast.stmt]:
    """Rewrite jumps in ``stmts``; wrap everything after a statement that may jump in ``if <test>:``."""
    out: list[gast.stmt] = []
    for i, stmt in enumerate(stmts):
        jumps = may_jump(stmt)
        out.extend(rewrite(stmt))
        if jumps and i + 1 < len(stmts):
            rest = _guarded(stmts[i + 1:], may_jump, rewrite, test)
            if rest:
                out.append(gast.copy_location(gast.If(_copy(test), rest, []), stmts[i + 1]))
            return out
    return out


def _copy(node: gast.AST) -> gast.AST:
    return copy.deepcopy(node)


class LowerJumps:
    """Applies the lowering to one function; see the module docstring."""

    def __init__(self, names: Names):
        self.names = names

    def function(self, fn: gast.FunctionDef) -> gast.FunctionDef:
        body = fn.body
        early = _contains(body[:-1], (gast.Return,), True) or any(
            _contains(getattr(s, f, []) or [], (gast.Return,), True) for s in body[-1:] for f in ("body", "orelse"))
        if early:
            body = self.returns(body)
        fn.body = self.loops(body)
        return fn

    # --- return -------------------------------------------------------------------------------------

    def returns(self, body: list[gast.stmt]) -> list[gast.stmt]:
        self.result = self.names.fresh("result")
        self.returned = self.names.fresh("returned")
        first = body[0]
        prologue = [_set(self.returned, False, first),
                    gast.copy_location(gast.Assign([_name(self.result, True)], gast.Constant(None, None), None), first)]
        lowered = self._return_block(body, in_loop=False)
        final = gast.copy_location(gast.Return(_name(self.result)), body[-1])
        return prologue + lowered + [final]

    def _return_block(self, stmts: list[gast.stmt], in_loop: bool) -> list[gast.stmt]:
        not_returned = gast.UnaryOp(gast.Not(), _name(self.returned))
        def may_return(stmt: gast.stmt) -> bool:
            return _contains([stmt], (gast.Return,), True)

        def rewrite(stmt: gast.stmt) -> list[gast.stmt]:
            if isinstance(stmt, gast.Return):
                value = stmt.value or gast.Constant(None, None)
                out = [gast.copy_location(gast.Assign([_name(self.result, True)], value, None), stmt),
                       _set(self.returned, True, stmt)]
                return out + ([gast.copy_location(gast.Break(), stmt)] if in_loop else [])
            if isinstance(stmt, gast.If):
                stmt.body = self._return_block(stmt.body, in_loop)
                stmt.orelse = self._return_block(stmt.orelse, in_loop)
                return [stmt]
            if isinstance(stmt, (gast.For, gast.While)) and may_return(stmt):
                stmt.body = self._return_block(stmt.body, in_loop=True)
                after = [gast.copy_location(gast.If(_name(self.returned), [gast.Break()], []), stmt)] if in_loop else []
                return [stmt] + after
            return [stmt]

        return _guarded(stmts, may_return, rewrite, not_returned)

    # --- break and continue -------------------------------------------------------------------------

    def loops(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None) and not isinstance(stmt, (gast.For, gast.While)):
                    setattr(stmt, field, self.loops(getattr(stmt, field)))
            if isinstance(stmt, (gast.For, gast.While)):
                stmt.body = self.loops(stmt.body)
                out.extend(self.loop(stmt))
            else:
                out.append(stmt)
        return out

    def loop(self, loop: gast.stmt) -> list[gast.stmt]:
        has_break = _contains(loop.body, (gast.Break,), False)
        has_continue = _contains(loop.body, (gast.Continue,), False)
        if not has_break and not has_continue:
            return [loop]
        broke = self.names.fresh("broke") if has_break else None
        skipped = self.names.fresh("skipped") if has_continue else None
        flags = [f for f in (broke, skipped) if f]
        test: gast.expr = gast.UnaryOp(gast.Not(), _name(flags[0]))
        if len(flags) == 2:
            test = gast.BoolOp(gast.And(), [test, gast.UnaryOp(gast.Not(), _name(flags[1]))])
        def may_jump(stmt: gast.stmt) -> bool:
            return _contains([stmt], (gast.Break, gast.Continue), False)

        def rewrite(stmt: gast.stmt) -> list[gast.stmt]:
            if isinstance(stmt, gast.Break):
                return [_set(broke, True, stmt)]
            if isinstance(stmt, gast.Continue):
                return [_set(skipped, True, stmt)]
            if isinstance(stmt, gast.If):
                stmt.body = _guarded(stmt.body, may_jump, rewrite, test)
                stmt.orelse = _guarded(stmt.orelse, may_jump, rewrite, test)
            return [stmt]

        body = _guarded(loop.body, may_jump, rewrite, test)
        if skipped:
            body.insert(0, _set(skipped, False, loop))
        if broke:
            body.append(gast.copy_location(gast.If(_name(broke), [gast.Break()], []), loop))
        loop.body = body
        return ([_set(broke, False, loop)] if broke else []) + [loop]


def lower_jumps(fn: gast.FunctionDef, names: Names) -> gast.FunctionDef:
    return LowerJumps(names).function(fn)
