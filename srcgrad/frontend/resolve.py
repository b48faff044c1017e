"""What names and subscripts in the user's code refer to, at transform time — shared by the desugaring
passes and the transformer's call resolution."""

from __future__ import annotations

import builtins
import inspect
import types
from typing import Any

import gast
import numpy as np

from ..naming import Namespace
from ..rules.registry import is_nondifferentiable, vjp_rule

UNRESOLVED = object()


def resolve_callee(func: gast.expr, namespace: Namespace, local_names: set[str]) -> Any:
    """The object a call's function expression names — through srcgrad's own bindings, the user's scope
    and attributes of modules and classes — or ``UNRESOLVED`` (a local variable, an attribute of one)."""
    if isinstance(func, gast.Name):
        if func.id in namespace.bindings:
            return namespace.bindings[func.id]
        if func.id in local_names:
            return UNRESOLVED
        return namespace.scope.lookup(func.id, UNRESOLVED)
    if isinstance(func, gast.Attribute):
        base = resolve_callee(func.value, namespace, local_names)
        if isinstance(base, (types.ModuleType, type)):
            return getattr(base, func.attr, UNRESOLVED)
        if base is not UNRESOLVED:
            return registered_method(base, func.attr)
    return UNRESOLVED


def registered_method(owner: Any, attr: str) -> Any:
    """``owner.attr`` when it is a method of an object in the user's scope that the rule table describes
    (``scipy.stats.norm.logpdf``: ``norm`` is an instance); anything else stays unresolved, to be called
    through the dispatcher when the code runs."""
    if not inspect.isfunction(inspect.getattr_static(type(owner), attr, None)):
        return UNRESOLVED
    method = getattr(owner, attr)
    return method if vjp_rule(method) is not None or is_nondifferentiable(method) else UNRESOLVED


def output_argument(call: gast.Call, callee: Any) -> gast.expr | None:
    """The array a call writes its result into: its ``out=`` keyword, or a ufunc's positional output
    (``np.multiply(x, y, buf)``); None when it has neither."""
    for keyword in call.keywords:
        if keyword.arg == "out":
            return keyword.value
    if isinstance(callee, np.ufunc) and len(call.args) > callee.nin:
        return call.args[callee.nin]
    return None


def index_expression(index: gast.expr, namespace: Namespace) -> gast.expr:
    """A subscript's index as an ordinary expression (``1:2`` → ``slice(1, 2, None)``)."""
    if isinstance(index, gast.Slice):
        parts = [p or gast.Constant(None, None) for p in (index.lower, index.upper, index.step)]
        return gast.Call(namespace.ref(builtins.slice), parts, [])
    if isinstance(index, gast.Tuple):
        return gast.Tuple([index_expression(e, namespace) for e in index.elts], gast.Load())
    return index
