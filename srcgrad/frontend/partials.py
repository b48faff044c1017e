"""``functools.partial(f, a, k=b)`` → ``make_partial(f, (a,), {"k": b})``: the bound values travel as one
tuple and one dict, which the rule of ``make_partial`` gives cotangents (``srcgrad/function_values.py``).
A call with ``*args`` or ``**kwargs`` stays as written: it has no rule, so default deny refuses it when it
binds a differentiated value."""

from __future__ import annotations

import functools
from typing import Any

import gast

from ..function_values import make_partial
from ..naming import Namespace
from ..visitors import NodeTransformer
from .resolve import resolve_callee


class LowerPartials(NodeTransformer):
    """See the module docstring. Runs before dict displays are lowered, so the keywords' dict is."""

    def __init__(self, namespace: Namespace, local_names: set[str]):
        self.namespace = namespace
        self.local_names = local_names

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        if not node.args or resolve_callee(node.func, self.namespace, self.local_names) is not functools.partial:
            return node
        if any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return node
        function, *bound = node.args
        keywords = gast.Dict([gast.Constant(k.arg, None) for k in node.keywords], [k.value for k in node.keywords])
        call = gast.Call(gast.copy_location(self.namespace.ref(make_partial), node.func),
                         [function, gast.Tuple(bound, gast.Load()), keywords], [])
        return gast.copy_location(call, node)
