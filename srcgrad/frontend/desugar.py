"""Desugaring: rewrite convenient syntax into a smaller core that later passes handle.

Each pass is a small ``gast.NodeTransformer``. ``desugar`` composes them in order; every pass keeps the
source locations of the nodes it replaces, so errors and line comments still point at the user's code."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..naming import Namespace
from .parse import ParsedFunction


def _located(new: gast.AST, old: gast.AST) -> gast.AST:
    return gast.copy_location(new, old)


class LowerAugAssign(gast.NodeTransformer):
    """``a op= b`` → ``a = a op b``; for ``y[i] += b`` the element is read and written back, so the update
    reaches the array (a silent-wrong bug in older tools)."""

    def visit_AugAssign(self, node: gast.AugAssign) -> gast.Assign:
        load = _as_load(node.target)
        value = _located(gast.BinOp(load, node.op, node.value), node)
        return _located(gast.Assign([node.target], value, None), node)

    def visit_AnnAssign(self, node: gast.AnnAssign) -> gast.Assign:
        return _located(gast.Assign([node.target], node.value, None), node)


def _as_load(target: gast.AST) -> gast.AST:
    loaded = _clone(target)
    for sub in gast.walk(loaded):
        if hasattr(sub, "ctx"):
            sub.ctx = gast.Load()
    return loaded


def _clone(node: gast.AST) -> gast.AST:
    return copy.deepcopy(node)


def _tuple(args: list[gast.expr], like: gast.AST) -> gast.expr:
    if len(args) == 1:
        return args[0]
    return _located(gast.Tuple(list(args), gast.Load()), like)


# method name -> (numpy function, how the method's positional arguments map onto the function's)
def _same(args: list[gast.expr], like: gast.AST) -> list[gast.expr]:
    return list(args)


def _packed(args: list[gast.expr], like: gast.AST) -> list[gast.expr]:
    return [_tuple(args, like)] if args else []


ARRAY_METHODS: dict[str, tuple[Callable, Callable[[list, gast.AST], list]]] = {
    "sum": (np.sum, _same), "mean": (np.mean, _same), "prod": (np.prod, _same), "max": (np.max, _same),
    "min": (np.min, _same), "var": (np.var, _same), "std": (np.std, _same), "cumsum": (np.cumsum, _same),
    "dot": (np.dot, _same), "reshape": (np.reshape, _packed), "transpose": (np.transpose, _packed),
    "ravel": (np.ravel, _same), "flatten": (np.ravel, _same), "squeeze": (np.squeeze, _same),
    "swapaxes": (np.swapaxes, _same), "clip": (np.clip, _same), "copy": (np.copy, _same),
    "trace": (np.trace, _same), "argmax": (np.argmax, _same), "argmin": (np.argmin, _same),
    "all": (np.all, _same), "any": (np.any, _same), "round": (np.round, _same),
    "astype": (np.asarray, lambda args, like: [gast.keyword("dtype", args[0])] if args else []),
}
ARRAY_ATTRIBUTES: dict[str, Callable] = {"T": np.transpose, "real": np.real}
STATIC_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}


class LowerArrayMethods(gast.NodeTransformer):
    """``x.sum(axis=1)`` → ``np.sum(x, axis=1)``, ``x.T`` → ``np.transpose(x)``: array methods become the
    NumPy functions the rule table knows. A receiver that resolves to a module or another non-array object
    in the user's scope (``model.forward(x)``, ``np.linalg``) is left alone."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str]):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names

    def _is_array(self, receiver: gast.expr) -> bool:
        if isinstance(receiver, gast.Name):
            if receiver.id in self.local_names:
                return True
            return isinstance(self.parsed.scope.lookup(receiver.id, None), (np.ndarray, np.generic))
        return not isinstance(receiver, gast.Attribute)

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr in ARRAY_METHODS and self._is_array(func.value):
            function, adapt = ARRAY_METHODS[func.attr]
            extra = adapt(node.args, node)
            args = [func.value] + [a for a in extra if not isinstance(a, gast.keyword)]
            keywords = node.keywords + [a for a in extra if isinstance(a, gast.keyword)]
            return _located(gast.Call(_located(self.namespace.ref(function), func), args, keywords), node)
        return node

    def visit_Attribute(self, node: gast.Attribute) -> gast.AST:
        self.generic_visit(node)
        if node.attr in ARRAY_ATTRIBUTES and isinstance(node.ctx, gast.Load) and self._is_array(node.value):
            callee = _located(self.namespace.ref(ARRAY_ATTRIBUTES[node.attr]), node)
            return _located(gast.Call(callee, [node.value], []), node)
        return node


def local_names(fn: gast.FunctionDef) -> set[str]:
    """Parameters and every name the body assigns: the function's local variables."""
    names = {a.id for a in fn.args.args}
    for sub in gast.walk(fn):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
            names.add(sub.id)
    return names


def desugar(parsed: ParsedFunction, namespace: Namespace) -> gast.FunctionDef:
    """Run the desugaring passes over the parsed function, in order, and return the new tree."""
    fn = parsed.node
    passes: list[Any] = [
        LowerAugAssign(),
        LowerArrayMethods(parsed, namespace, local_names(fn)),
    ]
    for transformer in passes:
        fn = transformer.visit(fn)
    return gast.fix_missing_locations(fn)
