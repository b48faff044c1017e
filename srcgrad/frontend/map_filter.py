"""``map`` and ``filter`` with a function written in the code, consumed where they are made: lowered to the
list comprehensions they stand for, which srcgrad differentiates (``map(f, xs)`` → ``[f(v) for v in xs]``,
``map(lambda v: v * a, xs)`` → ``[v * a for v in xs]``, ``map(f, xs, ys)`` → ``[f(v, w) for v, w in
zip(xs, ys)]``, ``filter(p, xs)`` → ``[v for v in xs if p(v)]``).

Python's ``map`` is an iterator that a second pass finds empty; a list is not. So only a ``map`` or ``filter``
passed straight to a call (``sum(map(f, xs))``, ``list(...)``) or walked by a ``for`` is lowered; one kept
in a variable is left to default deny."""

from __future__ import annotations

import builtins
import copy
from typing import Any

import gast

from ..analysis.walk import fix_missing_locations
from ..naming import Names, Namespace
from ..runtime import zip_lists
from ..visitors import NodeTransformer
from .resolve import resolve_callee


def _load(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Load(), None, None)


def _store(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Store(), None, None)


class _Rename(NodeTransformer):
    def __init__(self, renames: dict[str, str]):
        self.renames = renames

    def visit_Name(self, node: gast.Name) -> gast.Name:
        if node.id in self.renames:
            node.id = self.renames[node.id]
        return node


class LowerMapFilter(NodeTransformer):
    """See the module docstring."""

    def __init__(self, names: Names, namespace: Namespace, local_names: set[str]):
        self.names = names
        self.namespace = namespace
        self.local_names = local_names

    def _consumed(self, node: gast.AST, where: list) -> list:
        return [self._lower(item, zip_too=True) if isinstance(item, gast.Call) else item for item in where]

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        node.args = self._consumed(node, node.args)
        return node

    def visit_For(self, node: gast.For) -> Any:
        self.generic_visit(node)
        if isinstance(node.iter, gast.Call):
            node.iter = self._lower(node.iter)
        return node

    def visit_comprehension(self, node: gast.comprehension) -> Any:
        self.generic_visit(node)
        if isinstance(node.iter, gast.Call):
            node.iter = self._lower(node.iter)
        return node

    def _lower(self, call: gast.Call, zip_too: bool = False) -> gast.expr:
        """``zip_too``: also a ``zip`` (a loop over one is lowered by ``LowerForLoops``, which gives each
        target its own sequence: a callable taken from one stays a constant)."""
        callee = resolve_callee(call.func, self.namespace, self.local_names)
        if zip_too and callee is builtins.zip and call.args and not call.keywords \
                and not any(isinstance(a, gast.Starred) for a in call.args):
            return gast.copy_location(gast.Call(self.namespace.ref(zip_lists), list(call.args), []), call)
        if callee not in (builtins.map, builtins.filter) or call.keywords or len(call.args) < 2 \
                or any(isinstance(a, gast.Starred) for a in call.args):
            return call
        function, iterables = call.args[0], call.args[1:]
        if callee is builtins.filter and len(iterables) != 1:
            return call
        items = [self.names.fresh("item") for _ in iterables]
        if isinstance(function, gast.Lambda) and len(function.args.args) == len(items) \
                and not function.args.defaults and all(isinstance(a, gast.Name) for a in function.args.args):
            renames = {a.id: item for a, item in zip(function.args.args, items)}
            applied = _Rename(renames).visit(copy.deepcopy(function.body))
        elif isinstance(function, gast.Constant) and function.value is None and callee is builtins.filter:
            applied = _load(items[0])  # filter(None, xs): the truthy items
        else:
            applied = gast.Call(function, [_load(i) for i in items], [])
        if len(items) == 1:
            target: gast.expr = _store(items[0])
            source = iterables[0]
        else:
            target = gast.Tuple([_store(i) for i in items], gast.Store())
            source = gast.Call(self.namespace.ref(zip), list(iterables), [])
        if callee is builtins.map:
            comp = gast.ListComp(applied, [gast.comprehension(target, source, [], 0)])
        else:
            comp = gast.ListComp(_load(items[0]), [gast.comprehension(target, source, [applied], 0)])
        return fix_missing_locations(gast.copy_location(comp, call))
