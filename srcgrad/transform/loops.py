"""Loop-invariant strength reduction: a value scaled by the same factor on every trip of a loop.

The adjoint of ``while ...: y = y * 2`` is a loop that runs once per forward trip, doing ``d_y = d_y * 2``;
a person writes ``d_y * 2 ** trips``. In general, a statement ``v = v * c`` in the body of
``for t in range(n)``, where nothing else in the body reads or writes ``v`` and nothing in it writes ``c``,
scales ``v`` by ``c`` ``n`` times whatever else the loop does, so it moves out of the loop as
``v = scale_repeatedly(v, c, n)``, and a loop left empty goes. The factor may be a literal or any name the
loop does not change (a step size, a decay rate).

One multiplication gives the same numbers as the repeated ones only when every intermediate product is
exact, which holds for a power-of-two factor of at least 2 on binary64 values: scaling by 2**k changes
only the exponent, overflows to infinity exactly when the repeated products would, and is exact on
subnormals (scaling up). ``scale_repeatedly`` checks that at run time: it multiplies once when the factor
is such a number and the value is float64 (array or scalar) and 2**(k*n) is a finite double, and runs the
loop otherwise (other factors, dtypes, complex values, huge trip counts), so the result is always the
loop's, bit for bit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.walk import all_names, loaded_names, name_nodes, stored_names, walk
from ..naming import Namespace

_FLOAT64 = np.dtype(np.float64)


def _power_of_two_exponent(factor: Any) -> int:
    """``k`` when ``factor`` is a real number 2**k with k ≥ 1 (multiplying by it only changes exponents),
    else 0."""
    if type(factor) is int:   # the usual case, ``y = y * 2``
        return factor.bit_length() - 1 if factor >= 2 and not factor & (factor - 1) else 0
    if isinstance(factor, bool) or not isinstance(factor, (int, float)):
        return 0
    if not (math.isfinite(factor) and factor >= 2):
        return 0
    mantissa, exponent = math.frexp(factor)
    return exponent - 1 if mantissa == 0.5 else 0


def scale_repeatedly(value: Any, factor: Any, times: int) -> Any:
    """``value`` multiplied by ``factor`` ``times`` times, bit for bit; one multiplication when that is
    exact (``factor`` a power of two ≥ 2 and ``value`` float64)."""
    if times <= 0:
        return value
    exponent = _power_of_two_exponent(factor) * times
    # Complex values are left to the loop: a complex product computes re*0 and im*0 cross terms, which
    # turn an overflowed part into nan on the next trip, so one multiplication would differ.
    if 0 < exponent <= 1023:
        if type(value) is np.ndarray:
            double = value.dtype == _FLOAT64
        else:
            dtype = getattr(value, "dtype", None)   # (a dtype compares equal to None: float64 is the default)
            double = type(value) is float or (dtype is not None and dtype == _FLOAT64)
        if double:   # (a NumPy float factor makes a Python float value a NumPy one, as the loop would)
            return value * (type(factor)(2 ** exponent) if isinstance(factor, float) else float(2 ** exponent))
    for _ in range(times):
        value = value * factor
    return value


def _scaling(stmt: gast.stmt) -> tuple[str, gast.expr] | None:
    """``(v, c)`` when ``stmt`` is ``v = v * c`` or ``v = c * v`` with ``c`` a number or a name."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
        return None
    value, target = stmt.value, stmt.targets[0].id
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)):
        return None
    for var, factor in ((value.left, value.right), (value.right, value.left)):
        if isinstance(var, gast.Name) and var.id == target and (
                (isinstance(factor, gast.Constant) and type(factor.value) in (int, float))
                or (isinstance(factor, gast.Name) and factor.id != target)):
            return target, factor
    return None


def _stored(stmts: list[gast.stmt]) -> set[str]:
    return {name for stmt in stmts for name in stored_names(stmt)}


def _names(stmts: list[gast.stmt]) -> set[str]:
    return {name for stmt in stmts for name in all_names(stmt)}


class _Composer:
    def __init__(self, namespace: Namespace, fn: gast.FunctionDef, lookup: Callable[[str], Any]):
        self.namespace, self.lookup = namespace, lookup
        self.loaded = loaded_names(fn)   # every name the function reads
        stored = Counter(n.id for n in name_nodes(fn) if type(n.ctx) is not gast.Load)
        self.ranges = {s.targets[0].id for s in fn.body if isinstance(s, gast.Assign) and len(s.targets) == 1
                       and isinstance(s.targets[0], gast.Name) and stored[s.targets[0].id] == 1
                       and self.range_call(s.value)}   # names of ranges, assigned once

    def calls(self, node: gast.expr, function: Any) -> bool:
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and len(node.args) == 1
                and not node.keywords and self.lookup(node.func.id) is function)

    def range_call(self, node: gast.expr) -> bool:
        return self.calls(node, range) and isinstance(node.args[0], (gast.Name, gast.Constant))

    def trips(self, node: gast.expr) -> gast.expr | None:
        """How many trips a loop over ``node`` makes: ``range(n)`` makes ``n``, ``reversed(r)`` of a range
        ``r`` makes ``len(r)``."""
        if self.range_call(node):
            return _atom(node.args[0])
        if self.calls(node, reversed) and isinstance(node.args[0], gast.Name) and node.args[0].id in self.ranges:
            return gast.Call(self.namespace.ref(len), [_atom(node.args[0])], [])
        return None

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            out.extend(self.reduce(stmt))
        return out

    def reduce(self, stmt: gast.stmt) -> list[gast.stmt]:
        """``stmt``, with the scalings of a range loop moved out in front of it."""
        trips = self.trips(stmt.iter) if isinstance(stmt, gast.For) else None
        if trips is None or stmt.orelse or not isinstance(stmt.target, gast.Name) or any(
                isinstance(n, (gast.Break, gast.Continue, gast.Return, gast.Raise, gast.Try, gast.Yield))
                for n in walk(stmt)):
            return [stmt]   # a loop that may stop early does not make all of its trips
        hoisted: list[gast.stmt] = []
        for inner in list(stmt.body):
            found = _scaling(inner)
            if found is None:
                continue
            var, factor = found
            others = [s for s in stmt.body if s is not inner]
            if var in _names(others) or var in _names([stmt.target, stmt.iter]) or \
                    (isinstance(factor, gast.Name) and factor.id in _stored(stmt.body) | {stmt.target.id}):
                continue
            call = gast.Call(self.namespace.ref(scale_repeatedly),
                             [gast.Name(var, gast.Load(), None, None), _atom(factor), trips], [])
            hoisted.append(gast.copy_location(gast.Assign([gast.Name(var, gast.Store(), None, None)], call, None),
                                              inner))
            stmt.body = others
        if not hoisted:
            return [stmt]
        if not stmt.body:
            if stmt.target.id in self.loaded:   # the loop variable is read after the loop: keep its trips
                stmt.body = [gast.Pass()]
            else:
                return hoisted
        return [*hoisted, stmt]


def _atom(node: gast.expr) -> gast.expr:
    if isinstance(node, gast.Name):
        return gast.Name(node.id, gast.Load(), None, None)
    return gast.Constant(node.value, None)


def compose_scaling_loops(fn: gast.FunctionDef, namespace: Namespace,
                          lookup: Callable[[str], Any] | None = None) -> gast.FunctionDef:
    """Move every ``v = v * c`` that scales a value by a loop-invariant factor out of its range loop, as one
    call of ``scale_repeatedly``; loops left empty go. ``lookup`` resolves a name of the generated code
    (``range`` written by the user is in the user's scope); by default, the namespace's bindings."""
    fn.body = _Composer(namespace, fn, lookup or namespace.bindings.get).block(fn.body)
    return fn
