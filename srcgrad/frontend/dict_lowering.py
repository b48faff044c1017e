"""Dicts in the user's code, lowered to what the rule table differentiates (see ``srcgrad/dicts.py``).

* ``{"w": w, "b": b}``, ``dict(w=w, b=b)`` → ``dict_display(("w", "b"), (w, b))``;
  ``{k: f(v) for k, v in d.items()}`` → ``dict_display([k for ...], [f(v) for ...])``;
* ``d.items()`` → ``[(k, d[k]) for k in dict_keys(d)]``, ``d.values()`` → ``[d[k] for k in dict_keys(d)]``,
  ``d.keys()`` → ``dict_keys(d)``, ``sorted(d.items())`` → ``[(k, d[k]) for k in sorted(dict_keys(d))]``;
* ``d.get(k, v)`` → ``d[k] if dict_has(d, k) else v``, for a key of names and constants (``i % 2``,
  ``(i, j)``), which it evaluates twice; ``d.copy()`` → ``copy_value(d)`` (also for lists
  and arrays).

The methods are lowered whatever the receiver holds, so ``dict_keys`` and ``dict_has`` check at run time that
it is a dict (an object of the user's with an ``items`` method gets a ``TypeError`` naming the method, not
a different meaning). A receiver must be a parameter or a local variable: ``f().items()`` and a global
object's ``items`` are left as they are (and to default deny)."""

from __future__ import annotations

import builtins
import copy
from typing import Any

import gast

from ..dicts import copy_value, dict_display, dict_has, dict_keys
from ..naming import Names, Namespace
from ..visitors import NodeTransformer
from .resolve import resolve_callee


def _repeatable(key: gast.expr) -> bool:
    """Whether ``key`` may be evaluated twice (``d.get`` reads it in the test and in the item): names and
    constants combined by arithmetic, comparisons and tuples (``d.get(i % 2, 0.0)``, ``d.get((i, j))``),
    nothing that calls or indexes."""
    if isinstance(key, (gast.Name, gast.Constant)):
        return True
    if isinstance(key, gast.BinOp):
        return _repeatable(key.left) and _repeatable(key.right)
    if isinstance(key, gast.UnaryOp):
        return _repeatable(key.operand)
    if isinstance(key, gast.Compare):
        return _repeatable(key.left) and all(_repeatable(c) for c in key.comparators)
    if isinstance(key, gast.Tuple):
        return all(_repeatable(e) for e in key.elts)
    return False


def _load(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Load(), None, None)


def _store(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Store(), None, None)


class LowerDicts(NodeTransformer):
    """See the module docstring."""

    def __init__(self, names: Names, namespace: Namespace, local_names: set[str]):
        self.names = names
        self.namespace = namespace
        self.local_names = local_names

    def _ref(self, function: Any) -> gast.expr:
        return self.namespace.ref(function)

    def _call(self, function: Any, args: list[gast.expr], like: gast.AST) -> gast.Call:
        return gast.copy_location(gast.Call(self._ref(function), args, []), like)

    def visit_Dict(self, node: gast.Dict) -> Any:
        self.generic_visit(node)
        if any(key is None for key in node.keys):
            return node  # ``{**d, ...}``: refused by the checker
        keys = gast.Tuple(list(node.keys), gast.Load())
        values = gast.Tuple(list(node.values), gast.Load())
        return self._call(dict_display, [keys, values], node)

    def visit_DictComp(self, node: gast.DictComp) -> Any:
        self.generic_visit(node)
        keys = gast.ListComp(node.key, copy.deepcopy(node.generators))
        values = gast.ListComp(node.value, node.generators)
        return self._call(dict_display, [gast.copy_location(keys, node), gast.copy_location(values, node)], node)

    def visit_Call(self, node: gast.Call) -> Any:
        func = node.func
        callee = resolve_callee(func, self.namespace, self.local_names)
        if callee is builtins.sorted and len(node.args) == 1 and not node.keywords:
            receiver = self._method_receiver(node.args[0], "items", 0)
            if receiver in self.local_names:
                ordered = gast.Call(self._ref(sorted), [self._call(dict_keys, [_load(receiver)], node)], [])
                return self._pairs(receiver, gast.copy_location(ordered, node), node)
        self.generic_visit(node)
        if callee is builtins.dict and not node.args and all(k.arg is not None for k in node.keywords):
            keys = gast.Tuple([gast.Constant(k.arg, None) for k in node.keywords], gast.Load())
            values = gast.Tuple([k.value for k in node.keywords], gast.Load())
            return self._call(dict_display, [keys, values], node)
        if (not isinstance(func, gast.Attribute) or not isinstance(func.value, gast.Name) or node.keywords
                or func.value.id not in self.local_names):
            return node  # a module's or a global object's method is its own
        receiver, method, args = func.value.id, func.attr, node.args
        if method == "items" and not args:
            return self._pairs(receiver, self._call(dict_keys, [_load(receiver)], node), node)
        if method == "values" and not args:
            key = self.names.fresh("key")
            item = gast.Subscript(_load(receiver), _load(key), gast.Load())
            generator = gast.comprehension(_store(key), self._call(dict_keys, [_load(receiver)], node), [], 0)
            return gast.copy_location(gast.ListComp(item, [generator]), node)
        if method == "keys" and not args:
            return self._call(dict_keys, [_load(receiver)], node)
        if method == "get" and 1 <= len(args) <= 2 and _repeatable(args[0]):
            key = args[0]
            default = args[1] if len(args) == 2 else gast.Constant(None, None)
            test = self._call(dict_has, [_load(receiver), copy.deepcopy(key)], node)
            item = gast.Subscript(_load(receiver), key, gast.Load())
            return gast.copy_location(gast.IfExp(test, item, default), node)
        if method == "copy" and not args:
            return self._call(copy_value, [_load(receiver)], node)
        return node

    @staticmethod
    def _method_receiver(call: gast.expr, method: str, n_args: int) -> str | None:
        if (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == method
                and isinstance(call.func.value, gast.Name) and len(call.args) == n_args and not call.keywords):
            return call.func.value.id
        return None

    def _pairs(self, receiver: str, keys: gast.expr, like: gast.AST) -> gast.ListComp:
        key = self.names.fresh("key")
        pair = gast.Tuple([_load(key), gast.Subscript(_load(receiver), _load(key), gast.Load())], gast.Load())
        generator = gast.comprehension(_store(key), keys, [], 0)
        return gast.copy_location(gast.ListComp(pair, [generator]), like)
