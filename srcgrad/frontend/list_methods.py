"""List methods that change their list in place become pure functions of the list, rebound to its name.

``xs.append(v)`` → ``xs = list_append(xs, v)``, ``xs.extend(vs)`` → ``xs = list_extend(xs, vs)``,
``xs.insert(i, v)`` → ``xs = list_insert(xs, i, v)``, ``xs.reverse()`` → ``xs = xs[::-1]``, and
``v = xs.pop(i)`` → ``v = xs[i]`` then ``xs = list_delete(xs, i)``. Each function has derivative rules over
list cotangents (``rules/runtime_rules.py``), so the adjoint of a list method is written once and never
confused with NumPy's ``+``.

Rebinding is only the method's meaning when no other name or container sees the list: the alias analysis
(``analysis/aliasing.py``) runs before this pass and refuses the update otherwise. Only a method called as
a statement, or a ``pop`` whose value is assigned to a name, is lowered; any other use (``f(xs.pop())``) is
left to the default-deny check, which refuses it at its line."""

from __future__ import annotations

from typing import Any

import gast

from ..analysis.walk import children, walk
from ..naming import Names, Namespace
from ..runtime import list_append, list_delete, list_extend, list_insert
from ..visitors import NodeTransformer

# method name -> (runtime function, number of arguments it accepts)
_REBINDING = {"append": (list_append, (1,)), "extend": (list_extend, (1,)), "insert": (list_insert, (2,))}


def _load(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Load(), None, None)


def _store(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Store(), None, None)


class LowerListMethods(NodeTransformer):
    """See the module docstring."""

    def __init__(self, names: Names, namespace: Namespace, local_names: set[str]):
        self.names = names
        self.namespace = namespace
        self.local_names = local_names

    def _receiver(self, call: Any, methods: Any) -> str | None:
        """The local name whose method ``call`` calls, when it is one of ``methods`` without keywords."""
        if (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr in methods
                and isinstance(call.func.value, gast.Name) and call.func.value.id in self.local_names
                and not call.keywords and not any(isinstance(a, gast.Starred) for a in call.args)):
            return call.func.value.id
        return None

    def _rebind(self, owner: str, value: gast.expr, like: gast.AST) -> gast.Assign:
        return gast.copy_location(gast.Assign([_store(owner)], gast.copy_location(value, like), None), like)

    def visit_Expr(self, node: gast.Expr) -> Any:
        call = node.value
        owner = self._receiver(call, {*_REBINDING, "reverse", "pop"})
        if owner is None:
            return self._hoist_pop(node)
        method, args = call.func.attr, call.args
        if method in _REBINDING:
            function, arities = _REBINDING[method]
            if len(args) not in arities:
                return node
            new = gast.Call(self.namespace.ref(function), [_load(owner), *args], [])
        elif method == "reverse" and not args:
            reverse = gast.Slice(None, None, gast.Constant(-1, None))
            new = gast.Subscript(_load(owner), reverse, gast.Load())
        elif method == "pop" and len(args) <= 1:
            index = args[0] if args else gast.Constant(-1, None)
            new = gast.Call(self.namespace.ref(list_delete), [_load(owner), index], [])
        else:
            return node
        return self._rebind(owner, new, node)

    def visit_Return(self, node: gast.Return) -> Any:
        return self._hoist_pop(node)

    def visit_Assign(self, node: gast.Assign) -> Any:
        owner = self._receiver(node.value, {"pop"})
        if owner is None or len(node.value.args) > 1 or len(node.targets) != 1 \
                or not isinstance(node.targets[0], gast.Name) or node.targets[0].id == owner:
            return self._hoist_pop(node)
        out: list[gast.stmt] = []
        index = node.value.args[0] if node.value.args else gast.Constant(-1, None)
        if not isinstance(index, (gast.Constant, gast.Name)) or \
                (isinstance(index, gast.Name) and index.id == node.targets[0].id):
            # evaluated once, before the assignment rebinds it, as the call would be
            held = self.names.fresh("index")
            out.append(gast.copy_location(gast.Assign([_store(held)], index, None), node))
            index = _load(held)
        item = gast.Subscript(_load(owner), index, gast.Load())
        out.append(gast.copy_location(gast.Assign(node.targets, gast.copy_location(item, node), None), node))
        out.append(self._rebind(owner, gast.Call(self.namespace.ref(list_delete), [_load(owner), index], []), node))
        return out

    def _hoist_pop(self, node: Any) -> Any:
        """``total = total + f(xs.pop())`` → ``popped = xs[-1]``, ``xs = list_delete(xs, -1)``,
        ``total = total + f(popped)``: the one ``pop`` of a statement that reads ``xs`` nowhere else, and
        evaluates the ``pop`` unconditionally (not under ``and``/``or``/``if``-``else`` or in a lambda or
        comprehension), happens before the rest of the statement as it would."""
        value = getattr(node, "value", None)
        if value is None:
            return node
        pops = [n for n in walk(value) if self._receiver(n, {"pop"}) is not None and len(n.args) <= 1]
        if len(pops) != 1:
            return node
        call = pops[0]
        owner = call.func.value.id
        targets = getattr(node, "targets", [])
        mentions = [n for part in [value, *targets] for n in walk(part)
                    if isinstance(n, gast.Name) and n.id == owner]
        if len(mentions) != 1 or _conditionally_evaluated(value, call):
            return node
        popped = self.names.fresh(f"{owner}_popped")
        stmt = gast.copy_location(gast.Assign([_store(popped)], call, None), node)
        lowered = self.visit_Assign(stmt)
        node.value = _Replace(call, _load(popped)).visit(value)
        return [*(lowered if isinstance(lowered, list) else [lowered]), node]


def _conditionally_evaluated(root: gast.AST, target: gast.AST) -> bool:
    """Whether ``target`` sits in ``root`` where it may not be evaluated, or evaluated more than once."""
    def search(node: gast.AST, guarded: bool) -> bool | None:
        if node is target:
            return guarded
        lazy = isinstance(node, (gast.BoolOp, gast.IfExp, gast.Lambda, gast.ListComp, gast.SetComp,
                                 gast.DictComp, gast.GeneratorExp))
        for child in children(node):
            found = search(child, guarded or lazy)
            if found is not None:
                return found
        return None

    return bool(search(root, False))


class _Replace(NodeTransformer):
    def __init__(self, old: gast.AST, new: gast.expr):
        self.old, self.new = old, new

    def visit(self, node: gast.AST) -> Any:
        if node is self.old:
            return gast.copy_location(self.new, node)
        return super().visit(node)


class LowerStarredTargets(NodeTransformer):
    """``a, *rest, b = xs`` → ``held = xs``, ``a = held[0]``, ``rest = list(held[1:len(held) - 1])``,
    ``b = held[-1]``: the starred name gets a list, as in Python, of the items between the others."""

    def __init__(self, names: Names, namespace: Namespace):
        self.names = names
        self.namespace = namespace

    def visit_Assign(self, node: gast.Assign) -> Any:
        target = node.targets[0] if len(node.targets) == 1 else None
        if not isinstance(target, (gast.Tuple, gast.List)) or not any(
                isinstance(e, gast.Starred) for e in target.elts):
            return node
        held = self.names.fresh("unpacked")
        out: list[gast.stmt] = [gast.copy_location(gast.Assign([_store(held)], node.value, None), node)]
        at = next(i for i, e in enumerate(target.elts) if isinstance(e, gast.Starred))
        after = len(target.elts) - at - 1
        for i, elt in enumerate(target.elts):
            if i < at:
                value: gast.expr = gast.Subscript(_load(held), gast.Constant(i, None), gast.Load())
            elif i > at:
                value = gast.Subscript(_load(held), gast.Constant(i - len(target.elts), None), gast.Load())
            else:
                length = gast.Call(self.namespace.ref(len), [_load(held)], [])
                upper = gast.BinOp(length, gast.Sub(), gast.Constant(after, None))
                part = gast.Subscript(_load(held), gast.Slice(gast.Constant(at, None), upper, None), gast.Load())
                value = gast.Call(self.namespace.ref(list), [part], [])
                elt = elt.value
            out.append(gast.copy_location(gast.Assign([_store(elt.id)], value, None), node))
        return out
