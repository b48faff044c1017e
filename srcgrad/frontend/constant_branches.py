"""Branches decided by constants, taken at transform time.

A helper inlined with constant arguments (``logsumexp(a, axis=-1, keepdims=True)``) tests them:
``if keepdims:``, ``if axis is None:``, and its early returns become flags (``returned = True`` …
``if not returned:``). Left to run, each such branch costs a test, and the value it may overwrite is kept
on the stack for the adjoint sweep; the comparison of two constants would even be compiled as ``-1 is
None``, which Python warns about. Here the names assigned a constant in straight-line code are followed
to the tests that read them, and a branch whose test is then known is replaced by the block it takes.

Only what is certain is used: a name assigned in a loop or in a branch that stays is forgotten, ``is`` is
decided only against ``None``, ``True`` and ``False`` (singletons), and only Python constants of plain
types take part (never an array, whose truth value is an error)."""

from __future__ import annotations

import operator
from typing import Any

import gast

from ..analysis.walk import walk
from .anf import condition_end

_UNKNOWN = object()
UNKNOWN = _UNKNOWN   # what constant_value gives for an expression it cannot decide
_PLAIN = (type(None), bool, int, float, str)
_SINGLETONS = (None, True, False)
_COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt, gast.LtE: operator.le,
            gast.Gt: operator.gt, gast.GtE: operator.ge}


def fold_constant_branches(statements: list[gast.stmt]) -> list[gast.stmt]:
    """``statements`` with each branch whose test is a known constant replaced by the block it takes, and
    each assignment of a comparison of constants replaced by its result. Code with ``nonlocal`` or
    ``global`` is left as it is: a call could rebind a name there without an assignment in sight."""
    if any(isinstance(node, (gast.Nonlocal, gast.Global)) for statement in statements for node in walk(statement)):
        return statements
    return _block(statements, {})


def _block(statements: list[gast.stmt], known: dict[str, Any]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for statement in statements:
        if isinstance(statement, gast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], gast.Name):
            target = statement.targets[0].id
            value = _value(statement.value, known)
            if value is _UNKNOWN:
                known.pop(target, None)
            else:
                if not isinstance(statement.value, gast.Constant):
                    statement.value = gast.copy_location(gast.Constant(value, None), statement.value)
                known[target] = value
            out.append(statement)
        elif isinstance(statement, gast.If):
            test = _value(statement.test, known)
            if test is not _UNKNOWN:
                out.extend(_block(statement.body if test else statement.orelse, known))
                continue
            statement.body = _block(statement.body, dict(known))
            statement.orelse = _block(statement.orelse, dict(known))
            _forget(statement, known)
            out.append(statement)
        elif isinstance(statement, (gast.For, gast.While)):
            _forget(statement, known)   # the body runs again after its own assignments
            # (a ``while``'s condition, up to its ``if not cond: break``, stays as A-normal form made it)
            head = (condition_end(statement) or 0) if isinstance(statement, gast.While) else 0
            statement.body = statement.body[:head] + _block(statement.body[head:], dict(known))
            statement.orelse = _block(statement.orelse, dict(known))
            _forget(statement, known)
            out.append(statement)
        else:
            _forget(statement, known)
            out.append(statement)
    return out


def _forget(statement: gast.stmt, known: dict[str, Any]) -> None:
    """Forget every name ``statement`` may bind: stored names, and those a ``def``, a ``class`` or an import
    binds (plain strings in the tree, not ``Name`` nodes)."""
    for node in walk(statement):
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            known.pop(node.name, None)
        elif isinstance(node, gast.alias):
            known.pop((node.asname or node.name).split(".")[0], None)
        elif isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            known.pop(node.id, None)


def constant_value(node: gast.expr) -> Any:
    """The plain constant an expression of constants (``-1 is None``, ``not True``) certainly evaluates
    to, or ``UNKNOWN``."""
    return _value(node, {})


def _value(node: gast.expr, known: dict[str, Any]) -> Any:
    """The plain constant ``node`` certainly evaluates to, or ``_UNKNOWN``."""
    if isinstance(node, gast.Constant):
        return node.value if isinstance(node.value, _PLAIN) else _UNKNOWN
    if isinstance(node, gast.Name):
        return known.get(node.id, _UNKNOWN)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.Not, gast.USub)):
        operand = _value(node.operand, known)
        if operand is _UNKNOWN:
            return _UNKNOWN
        if isinstance(node.op, gast.Not):
            return not operand
        return -operand if type(operand) in (int, float) else _UNKNOWN
    if isinstance(node, gast.Compare) and len(node.ops) == 1:
        left, right = _value(node.left, known), _value(node.comparators[0], known)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        op = type(node.ops[0])
        if op in (gast.Is, gast.IsNot):
            if not any(left is s or right is s for s in _SINGLETONS):
                return _UNKNOWN
            return (left is right) == (op is gast.Is)
        compare = _COMPARE.get(op)
        if compare is None or isinstance(left, str) != isinstance(right, str):
            return _UNKNOWN
        return compare(left, right)
    return _UNKNOWN
