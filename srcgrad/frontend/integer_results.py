"""Calls asked for an integer or boolean result (``dtype=int``, ``x.astype(np.int32)``) carry no derivative.

An integer-valued result is piecewise constant in its inputs: its derivative is zero wherever it exists, and
NumPy's rules, which differentiate the float computation, would give the derivative of the value *before*
the cast. So such a call is wrapped:

* ``np.full(3, x, dtype=int)`` → ``stop_gradient(np.full(3, x, dtype=int))`` when the dtype is known while
  transforming (a constant, or a name such as ``int``, ``bool``, ``np.int64`` in the function's scope);
* ``np.asarray(x, dtype=kind)`` → ``inexact_only(np.asarray(x, dtype=kind))`` when it is only known at run
  time: the derivative passes where the result is a float array and is zero where it is not.

A dtype known to be a float (or ``None``) leaves the call alone."""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..analysis.walk import walk
from ..custom import stop_gradient
from ..naming import Namespace
from ..rules.jvp_helpers import float_dtype_or_none, tangent_dtype
from ..rules.registry import vjp_rule
from ..runtime import inexact_only
from ..visitors import NodeTransformer
from .parse import ParsedFunction
from .resolve import UNRESOLVED, resolve_callee

_UNKNOWN_DTYPE = object()
# srcgrad's helpers that give a float dtype (or None) for a tangent or cotangent
_FLOAT_DTYPE_HELPERS = (float_dtype_or_none, tangent_dtype)


class CutIntegerResults(NodeTransformer):
    """See the module docstring."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str]):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names
        self.float_dtypes: set[str] = set()

    def visit_FunctionDef(self, node: gast.FunctionDef) -> Any:
        # locals bound once to what a float-dtype helper returns (forward-rule code differentiated again
        # passes ``dtype=float_dtype_or_none(dtype)`` through such a temporary)
        bindings: dict[str, list[gast.expr]] = {}
        for sub in walk(node):
            if isinstance(sub, gast.Assign):
                for target in sub.targets:
                    if isinstance(target, gast.Name):
                        bindings.setdefault(target.id, []).append(sub.value)
        self.float_dtypes = {
            local for local, values in bindings.items()
            if len(values) == 1 and isinstance(values[0], gast.Call)
            and resolve_callee(values[0].func, self.namespace, self.local_names) in _FLOAT_DTYPE_HELPERS}
        self.generic_visit(node)
        return node

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        callee = resolve_callee(node.func, self.namespace, self.local_names)
        if callee is UNRESOLVED or callee is stop_gradient or callee is inexact_only:
            return node
        argument = self._dtype_argument(node, callee)
        if argument is None:
            return node
        dtype = self._static_dtype(argument)
        if dtype is None or (dtype is not _UNKNOWN_DTYPE and np.issubdtype(dtype, np.inexact)):
            return node
        wrapper = stop_gradient if dtype is not _UNKNOWN_DTYPE else inexact_only
        return gast.copy_location(gast.Call(self.namespace.ref(wrapper), [node], []), node)

    @staticmethod
    def _dtype_argument(call: gast.Call, callee: Any) -> gast.expr | None:
        for keyword in call.keywords:
            if keyword.arg == "dtype":
                return keyword.value
        rule = vjp_rule(callee)
        if rule is None:
            return None
        params = [p.name for p in rule.primal_params]
        if "dtype" in params and params.index("dtype") < len(call.args):
            return call.args[params.index("dtype")]
        return None

    def _static_dtype(self, expr: gast.expr) -> Any:
        """The dtype ``expr`` names, None for ``None``, or ``_UNKNOWN_DTYPE`` when only the run knows."""
        if isinstance(expr, gast.Name) and expr.id in self.float_dtypes:
            return None
        if isinstance(expr, gast.Call) and \
                resolve_callee(expr.func, self.namespace, self.local_names) in _FLOAT_DTYPE_HELPERS:
            return None
        if isinstance(expr, gast.Constant):
            if expr.value is None:
                return None
            value = expr.value
        else:
            value = resolve_callee(expr, self.namespace, self.local_names)
            if value is UNRESOLVED:
                return _UNKNOWN_DTYPE
        try:
            return np.dtype(value)
        except TypeError:
            return _UNKNOWN_DTYPE
