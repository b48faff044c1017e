"""Composing adjoint loops that only scale a cotangent by a constant.

The adjoint of ``while ...: y = y * 2`` is a loop that runs once per forward trip, doing
``d_y = d_y * 2``. A person writes ``d_y * 2 ** trips``. The two are the same numbers only when every
intermediate product is exact, which holds for a positive power-of-two factor on binary64 values: scaling
by 2**k changes only the exponent, overflows to infinity exactly when the repeated products would, and
is exact on subnormals (scaling up). So the pass rewrites

    for t in range(n):          into        d_y = scale_repeatedly(d_y, 2, n)
        d_y = d_y * 2

and ``scale_repeatedly`` multiplies once when the value is float64 (array or scalar) and 2**(k*n) is a
finite double; otherwise (other dtypes, complex values, huge trip counts) it runs the loop as written.
Other factors are left alone: ``v * c**n`` and ``((v * c) * c) ...`` round differently."""

from __future__ import annotations

import math
from typing import Any

import gast
import numpy as np

from ..analysis.activity import loaded_names
from ..naming import Namespace

_FLOAT64 = np.dtype(np.float64)


def scale_repeatedly(value: Any, factor: int | float, times: int) -> Any:
    """``value`` multiplied by ``factor`` ``times`` times (``factor`` a power of two ≥ 2), bit for bit."""
    if times <= 0:
        return value
    exponent = (math.frexp(factor)[1] - 1) * times
    # Complex values are left to the loop: a complex product computes re*0 and im*0 cross terms, which
    # turn an overflowed part into nan on the next trip, so one multiplication would differ.
    dtype = getattr(value, "dtype", None)   # (a dtype compares equal to None: float64 is the default)
    double = type(value) is float or (dtype is not None and dtype == _FLOAT64)
    if double and exponent <= 1023:
        return value * float(2 ** exponent)
    for _ in range(times):
        value = value * factor
    return value


def _power_of_two_factor(node: gast.expr) -> int | float | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        c = node.value
        if math.isfinite(c) and c >= 2 and math.frexp(c)[0] == 0.5:
            return c
    return None


def _scaling(stmt: gast.stmt) -> tuple[str, gast.Constant] | None:
    """``(v, c)`` when ``stmt`` is ``v = v * c`` or ``v = c * v`` with ``c`` a power of two ≥ 2."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
        return None
    value, target = stmt.value, stmt.targets[0].id
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)):
        return None
    for var, const in ((value.left, value.right), (value.right, value.left)):
        if isinstance(var, gast.Name) and var.id == target and _power_of_two_factor(const) is not None:
            return target, const
    return None


class _Composer:
    def __init__(self, namespace: Namespace, loaded: set[str]):
        self.namespace = namespace
        self.loaded = loaded   # every name the function reads

    def is_range(self, node: gast.expr) -> bool:
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and len(node.args) == 1
                and not node.keywords and self.namespace.bindings.get(node.func.id) is range)

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            out.append(self.compose(stmt) or stmt)
        return out

    def compose(self, stmt: gast.stmt) -> gast.stmt | None:
        if not (isinstance(stmt, gast.For) and not stmt.orelse and len(stmt.body) == 1
                and isinstance(stmt.target, gast.Name) and self.is_range(stmt.iter)):
            return None
        found = _scaling(stmt.body[0])
        if found is None or stmt.target.id in self.loaded:
            return None
        var, const = found
        trips = stmt.iter.args[0]
        if var in loaded_names(trips) or stmt.target.id == var:
            return None
        call = gast.Call(self.namespace.ref(scale_repeatedly),
                         [gast.Name(var, gast.Load(), None, None), gast.Constant(const.value, None), trips], [])
        replaced = gast.Assign([gast.Name(var, gast.Store(), None, None)], call, None)
        gast.copy_location(replaced, stmt.body[0])
        return replaced


def compose_scaling_loops(fn: gast.FunctionDef, namespace: Namespace) -> gast.FunctionDef:
    """Replace each ``for t in range(n): v = v * c`` (``c`` a power of two ≥ 2, ``t`` unused) by one call
    of ``scale_repeatedly``. The loop variable is then never assigned, so only loops whose variable the
    function never reads are rewritten."""
    fn.body = _Composer(namespace, loaded_names(fn)).block(fn.body)
    return fn
