"""``with np.errstate(...):`` blocks: NumPy's floating-point error settings, which change no value and no
derivative. The block is kept as its two halves, around its body: ``saved = enter_errstate(...)`` before and
``leave_errstate(saved)`` after (the body has no ``return`` left by then: early returns are lowered to flags
later, and every block runs to its end). Any other context manager may do anything on entry and exit, so it
is refused (``check.py``)."""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..naming import Names, Namespace
from ..runtime import enter_errstate, leave_errstate
from ..visitors import NodeTransformer


def resolve_in_scope(expr: gast.expr, lookup: Any) -> Any:
    """The object a dotted name (``np.errstate``) names in the function's scope, or None."""
    if isinstance(expr, gast.Name):
        return lookup(expr.id, None)
    if isinstance(expr, gast.Attribute):
        base = resolve_in_scope(expr.value, lookup)
        return getattr(base, expr.attr, None) if base is not None else None
    return None


def is_errstate(item: gast.withitem, lookup: Any) -> bool:
    call = item.context_expr
    return (isinstance(call, gast.Call) and item.optional_vars is None and not call.args
            and resolve_in_scope(call.func, lookup) is np.errstate)


class LowerErrstate(NodeTransformer):
    """See the module docstring."""

    def __init__(self, names: Names, namespace: Namespace):
        self.names = names
        self.namespace = namespace

    def visit_With(self, node: gast.With) -> Any:
        self.generic_visit(node)
        before: list[gast.stmt] = []
        after: list[gast.stmt] = []
        for item in node.items:
            saved = self.names.fresh("saved_errstate")
            enter = gast.Call(self.namespace.ref(enter_errstate), [], item.context_expr.keywords)
            before.append(gast.copy_location(
                gast.Assign([gast.Name(saved, gast.Store(), None, None)], enter, None), node))
            leave = gast.Call(self.namespace.ref(leave_errstate), [gast.Name(saved, gast.Load(), None, None)], [])
            after.insert(0, gast.copy_location(gast.Expr(leave), node))
        return [*before, *node.body, *after]
