"""A class's ``__init__`` transformed as a constructor (``srcgrad/records.py``): ``self.w = value`` →
``self = set_field(self, "w", value)``, and the function returns ``self``, so that the new object's
cotangent flows back through its fields to the arguments it was made from.

``self.a += v`` reads the field first; ``self.a, self.b = a, b`` assigns field by field; ``self.items.append(v)``
(a list the constructor made) becomes a new list assigned to the field. A write the constructor makes into
anything else of ``self`` (``self.w[0] = v``) is left to the checks, which refuse it."""

from __future__ import annotations

from typing import Any

import gast

from ..analysis.walk import fix_missing_locations, walk
from ..records import set_field
from ..runtime import list_append, list_extend
from ..visitors import NodeTransformer
from .parse import ParsedFunction


def _field(target: gast.expr, self_name: str) -> str | None:
    if isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name) and target.value.id == self_name:
        return target.attr
    return None


class LowerConstructor(NodeTransformer):
    """See the module docstring."""

    def __init__(self, parsed: ParsedFunction, refer: Any):
        self.parsed = parsed
        self.refer = refer  # name of a runtime function in the generated code's namespace
        self.self_name = parsed.node.args.args[0].id if parsed.node.args.args else None

    def run(self) -> None:
        fn = self.parsed.node
        if self.self_name is None:
            return
        last = fn.body[-1]
        fn.body = self._block(fn.body) + [gast.copy_location(self._return(), last)]
        fix_missing_locations(fn)

    def _return(self) -> gast.Return:
        return gast.Return(gast.Name(self.self_name, gast.Load(), None, None))

    def _set(self, field: str, value: gast.expr, like: gast.AST) -> gast.Assign:
        call = gast.Call(self.refer(set_field), [self._self(), gast.Constant(field, None), value], [])
        assignment = gast.Assign([gast.Name(self.self_name, gast.Store(), None, None)], call, None)
        for node in walk(assignment):
            gast.copy_location(node, like)
        return assignment

    def _self(self) -> gast.Name:
        return gast.Name(self.self_name, gast.Load(), None, None)

    def _block(self, block: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in block:
            out.extend(self._statement(stmt))
        return out

    def _statement(self, stmt: gast.stmt) -> list[gast.stmt]:
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            return [stmt]
        if isinstance(stmt, gast.Return) and stmt.value is None:
            return [gast.copy_location(self._return(), stmt)]
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, self._block(getattr(stmt, field)))
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            field = _field(target, self.self_name)
            if field is not None:
                return [self._set(field, stmt.value, stmt)]
            if isinstance(target, gast.Tuple) and isinstance(stmt.value, gast.Tuple) \
                    and len(target.elts) == len(stmt.value.elts) \
                    and all(_field(t, self.self_name) for t in target.elts):
                reads = {n.attr for v in stmt.value.elts for n in walk(v) if _field(n, self.self_name)}
                if not reads & {t.attr for t in target.elts}:  # no swap: the values are read before any write
                    return [self._set(t.attr, v, stmt) for t, v in zip(target.elts, stmt.value.elts)]
        if isinstance(stmt, gast.AugAssign):
            field = _field(stmt.target, self.self_name)
            if field is not None:
                current = gast.Attribute(self._self(), field, gast.Load())
                return [self._set(field, gast.BinOp(current, stmt.op, stmt.value), stmt)]
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            call = stmt.value
            method = call.func
            if isinstance(method, gast.Attribute) and method.attr in ("append", "extend") and len(call.args) == 1 \
                    and not call.keywords:
                field = _field(method.value, self.self_name)
                if field is not None:
                    function = list_append if method.attr == "append" else list_extend
                    current = gast.Attribute(self._self(), field, gast.Load())
                    return [self._set(field, gast.Call(self.refer(function), [current, call.args[0]], []), stmt)]
        return [stmt]
