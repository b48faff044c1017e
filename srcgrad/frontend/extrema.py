"""Python's ``max`` and ``min`` in the forms the rule table does not hold as they are: ``max(a, b, c)`` →
``max(max(a, b), c)``, and ``max(items)`` (one iterable, optionally ``key=`` and ``default=``) → ``max_item(items, key)`` (``max_item_or(items, key, default)``)
(``rules/order_rules.py``)."""

from __future__ import annotations

import builtins
from typing import Any

import gast

from ..naming import Namespace
from ..rules.order_rules import max_item, max_item_or, min_item, min_item_or
from ..visitors import NodeTransformer
from .resolve import resolve_callee

_ITEM = {builtins.max: max_item, builtins.min: min_item}
_ITEM_OR = {builtins.max: max_item_or, builtins.min: min_item_or}


class LowerExtrema(NodeTransformer):
    """See the module docstring."""

    def __init__(self, namespace: Namespace, local_names: set[str]):
        self.namespace = namespace
        self.local_names = local_names

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        callee = resolve_callee(node.func, self.namespace, self.local_names)
        if callee not in _ITEM or any(isinstance(a, gast.Starred) for a in node.args):
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        if len(node.args) == 1 and set(keywords) <= {"key", "default"}:
            primal = (_ITEM_OR if "default" in keywords else _ITEM)[callee]
            function = gast.copy_location(self.namespace.ref(primal), node.func)
            args = [node.args[0], keywords.get("key", gast.Constant(None, None))]
            if "default" in keywords:
                args.append(keywords["default"])
            return gast.copy_location(gast.Call(function, args, []), node)
        if len(node.args) > 2 and not keywords:
            nested = node.args[0]
            for arg in node.args[1:]:
                nested = gast.copy_location(gast.Call(node.func, [nested, arg], []), node)
            return nested
        return node
