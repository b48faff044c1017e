"""Maxima whose derivative is exactly zero: the shift of a numerically stable log-softmax or softmax.

``z = x - np.max(x, axis=1, keepdims=True)`` followed by ``z - np.log(np.sum(np.exp(z), axis=1,
keepdims=True))`` (or ``e / np.sum(e, ...)`` with ``e = np.exp(z)``) computes a function of ``x`` that
does not change when a constant is added along the axis, so the maximum's derivative cancels: the
cotangent reaching it is ``-sum(d_z, axis)``, which is zero in exact arithmetic (a few ulps in floating
point). Differentiating it anyway costs a comparison, a count and a division per row (``extremum_grad``)
for nothing. The true derivative of the whole computation is the one that holds the maximum constant,
which is what the hand-written gradient does, ties included (the composite is smooth everywhere).

The analysis only accepts the pattern when nothing else can see the shift: every name involved is
assigned once at the top level of the function, the maximum feeds only the subtraction, ``z`` feeds only
the exponential and the final subtractions, and the exponential, the sum and the log feed only each
other. Only the results (the log-probabilities, the probabilities) may be used freely."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from .walk import walk

EXTREMA = (np.max, np.amax, np.min, np.amin)


_NOT_CONSTANT = object()


def _constant(node: gast.expr) -> Any:
    """The value of a literal (``-1`` included, which parses as a negation), or ``_NOT_CONSTANT``."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return _NOT_CONSTANT


def _reduction_axis(call: gast.Call) -> tuple[Any, bool] | None:
    """``(axis, keepdims)`` of ``f(x, axis, keepdims=...)`` when both are constants; otherwise None."""
    if len(call.args) > 2:
        return None
    axis: Any = None
    keepdims = False
    if len(call.args) == 2:
        axis = _constant(call.args[1])
    for keyword in call.keywords:
        value = _constant(keyword.value)
        if keyword.arg == "axis":
            axis = value
        elif keyword.arg == "keepdims" and value is not _NOT_CONSTANT:
            keepdims = bool(value)
        else:
            return None
    if axis is _NOT_CONSTANT:
        return None
    if axis is not None and (not keepdims or not isinstance(axis, int)):
        return None   # without keepdims the reduced value does not broadcast back along the axis
    return axis, keepdims


class _Uses:
    """Single top-level assignments, and for every name the statements that read it."""

    def __init__(self, fn: gast.FunctionDef):
        self.defs: dict[str, gast.expr] = {}
        self.stored: dict[str, int] = {}   # assignments (parameters count one) of each name
        stored = self.stored
        for node in walk(fn):
            if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
                stored[node.id] = stored.get(node.id, 0) + 1
        for stmt in fn.body:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                target = stmt.targets[0].id
                if stored.get(target) == 1:
                    self.defs[target] = stmt.value
        self.readers: dict[str, list[str | None]] = {}   # None: read other than by a single assignment
        for stmt in fn.body:
            single = isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id in self.defs
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                    self.readers.setdefault(node.id, []).append(stmt.targets[0].id if single else None)

    def readers_of(self, name: str) -> list[str | None]:
        return self.readers.get(name, [])


def _is_name(node: gast.expr, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def shift_only_extrema(fn: gast.FunctionDef, callee: Callable[[gast.expr], Any]) -> set[str]:
    """Names of maxima (and minima) whose only effect is a shift that the rest of the function cancels."""
    uses = _Uses(fn)

    def call_of(name: str | None, functions: tuple) -> gast.Call | None:
        value = uses.defs.get(name) if name is not None else None
        if isinstance(value, gast.Call) and any(callee(value.func) is f for f in functions):
            return value
        return None

    found = set()
    for m, value in uses.defs.items():
        if not (call_of(m, EXTREMA) and value.args and isinstance(value.args[0], gast.Name)):
            continue
        shape = _reduction_axis(value)
        x = value.args[0].id
        readers = uses.readers_of(m)
        if shape is None or len(readers) != 1 or readers[0] is None:
            continue
        z = readers[0]
        shift = uses.defs[z]
        # x assigned once (or a parameter never reassigned), so the subtraction sees the x of the maximum.
        if not (isinstance(shift, gast.BinOp) and isinstance(shift.op, gast.Sub) and _is_name(shift.left, x)
                and _is_name(shift.right, m)) or uses.stored.get(x) != 1:
            continue
        if _cancels(z, shape, uses, call_of):
            found.add(m)
    return found


def _cancels(z: str, shape: tuple[Any, bool], uses: _Uses, call_of: Callable) -> bool:
    """Whether every use of ``z`` is inside ``z - log(sum(exp(z)))`` or ``exp(z) / sum(exp(z))`` over the
    same axis."""
    exps, subtractions = [], []
    for reader in uses.readers_of(z):
        if reader is None:
            return False
        value = uses.defs[reader]
        if call_of(reader, (np.exp,)) and len(value.args) == 1 and not value.keywords:
            exps.append(reader)
        elif isinstance(value, gast.BinOp) and isinstance(value.op, gast.Sub) and _is_name(value.left, z) \
                and isinstance(value.right, gast.Name):
            subtractions.append((reader, value.right.id))
        else:
            return False
    if len(exps) != 1:
        return False
    e = exps[0]
    sums, divisions = [], []
    for reader in uses.readers_of(e):
        if reader is None:
            return False
        value = uses.defs[reader]
        if call_of(reader, (np.sum,)) and value.args and _is_name(value.args[0], e) \
                and _reduction_axis(value) == shape:
            sums.append(reader)
        elif isinstance(value, gast.BinOp) and isinstance(value.op, gast.Div) and _is_name(value.left, e) \
                and isinstance(value.right, gast.Name):
            divisions.append(value.right.id)
        else:
            return False
    if len(sums) != 1 or any(d != sums[0] for d in divisions):
        return False
    s = sums[0]
    logs = []
    for reader in uses.readers_of(s):
        if reader is None:
            return False
        value = uses.defs[reader]
        if call_of(reader, (np.log,)) and len(value.args) == 1 and not value.keywords:
            logs.append(reader)
        elif not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Div) and _is_name(value.left, e)):
            return False
    for log in logs:
        if any(reader is None or (reader, log) not in subtractions for reader in uses.readers_of(log)):
            return False
    # Every subtraction from z must subtract one of these logs.
    return all(subtracted in logs for _, subtracted in subtractions)
