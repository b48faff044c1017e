"""Operands proven to have their statement's result shape by how the values were computed, where no static
shape is known: ``u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])`` shrinks ``u`` on every trip, so
``u`` has no one shape, yet ``u[1:-1]``, ``u[:-2]`` and ``u[2:]`` of the same ``u`` have the same length,
and everything computed from them elementwise has it too. The adjoint then needs no run-time ``unbroadcast``
for them, nor their values for it.

Values are followed as *versions*: each assignment makes a new version of its variable, and a loop or
branch body starts with new, unknown versions of what it assigns (the value it reads may come from the
previous trip or from before). Versions are put in one class when their shapes are provably equal:
- a copy, a negation, a one-argument ufunc: the operand's class;
- elementwise arithmetic (or a two-argument ufunc) with a scalar (a number, or a variable of static shape
  ``()``): the other operand's class; of two operands of one class: that class;
- slices ``x[a:b]`` of one version of ``x`` with constant ``a >= 0`` and ``b < 0`` (or left out) and the same
  ``a - b``: each is ``max(0, len(x) - a + b)`` long, and the other axes are ``x``'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from .walk import walk

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def same_shape_operands(fn: gast.FunctionDef, static: dict[str, Any],
                        callee: Callable[[gast.expr], Any]) -> dict[int, set[str]]:
    """``id(value) -> names`` for each assignment ``target = value`` in ``fn``: the operands of ``value``
    that have the shape ``target`` gets. ``static`` holds the static shapes (``()`` marks scalars)."""
    found: dict[int, set[str]] = {}
    _Versions(static, callee, found).block(fn.body, {a.id: (a.id, 0) for a in fn.args.args})
    return found


class _Versions:
    def __init__(self, static: dict[str, Any], callee: Callable[[gast.expr], Any], found: dict[int, set[str]]):
        self.static, self.callee, self.found = static, callee, found
        self.parent: dict[Any, Any] = {}
        self.slices: dict[tuple, Any] = {}
        self.counter = 0

    # --- union-find over versions -------------------------------------------------------------------

    def find(self, version: Any) -> Any:
        root = version
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        self.parent[version] = root
        return root

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)

    def fresh(self, name: str) -> tuple[str, int]:
        self.counter += 1
        return (name, self.counter)

    # --- walking the code --------------------------------------------------------------------------------

    def block(self, stmts: list[gast.stmt], current: dict[str, Any]) -> None:
        for stmt in stmts:
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                assigned = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
                for name in assigned:
                    current[name] = self.fresh(name)
                for part in (stmt.body, stmt.orelse):
                    self.block(part, dict(current))
                for name in assigned:   # after it: whichever trip or branch assigned them last
                    current[name] = self.fresh(name)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
                self.assign(stmt.targets[0].id, stmt.value, current)
                continue
            for name in {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}:
                current[name] = self.fresh(name)

    def assign(self, target: str, value: gast.expr, current: dict[str, Any]) -> None:
        new = self.fresh(target)
        operands = [n for n in _operands(value) if isinstance(n, gast.Name)]
        version = {n.id: current.setdefault(n.id, self.fresh(n.id)) for n in operands}
        same = self.relation(value, version)
        if same is not None:
            self.union(new, same)
        root = self.find(new)
        self.found[id(value)] = {n for n, v in version.items() if self.find(v) == root}
        current[target] = new

    def relation(self, value: gast.expr, version: dict[str, Any]) -> Any:
        """A version the value provably has the shape of, or None."""
        if isinstance(value, gast.Name):
            return version.get(value.id)
        if isinstance(value, gast.UnaryOp) and isinstance(value.op, (gast.USub, gast.UAdd)):
            return self._of(value.operand, version)
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
            key = _slice_key(value.slice)
            if key is None:
                return None
            key = (self.find(version[value.value.id]), key)
            if key not in self.slices:
                self.slices[key] = self.fresh("slice")
            return self.slices[key]
        if isinstance(value, gast.BinOp) and isinstance(value.op, _ELEMENTWISE):
            return self._elementwise(value.left, value.right, version)
        if isinstance(value, gast.Call) and not value.keywords:
            function = self.callee(value.func)
            if isinstance(function, np.ufunc) and function.nout == 1 and function.nin == len(value.args):
                if len(value.args) == 1:
                    return self._of(value.args[0], version)
                if len(value.args) == 2:
                    return self._elementwise(value.args[0], value.args[1], version)
        return None

    def _of(self, node: gast.expr, version: dict[str, Any]) -> Any:
        return version.get(node.id) if isinstance(node, gast.Name) else None

    def _elementwise(self, left: gast.expr, right: gast.expr, version: dict[str, Any]) -> Any:
        if self._scalar(right):
            return self._of(left, version)
        if self._scalar(left):
            return self._of(right, version)
        a, b = self._of(left, version), self._of(right, version)
        if a is not None and b is not None and self.find(a) == self.find(b):
            return a
        return None

    def _scalar(self, node: gast.expr) -> bool:
        if isinstance(node, gast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return isinstance(node, gast.Name) and self.static.get(node.id) == ()


def _operands(value: gast.expr) -> list[gast.expr]:
    if isinstance(value, gast.BinOp):
        return [value.left, value.right]
    if isinstance(value, gast.UnaryOp):
        return [value.operand]
    if isinstance(value, gast.Subscript):
        return [value.value]
    if isinstance(value, gast.Call):
        return list(value.args)
    return [value] if isinstance(value, gast.Name) else []


def _slice_key(index: gast.expr) -> tuple | None:
    """``("shrunk by", a - b)`` for ``a:b`` with ``a >= 0`` (or none) and ``b < 0`` (or none), no step."""
    if not isinstance(index, gast.Slice) or index.step is not None:
        return None
    start, stop = _integer(index.lower, 0), _integer(index.upper, 0)
    if start is None or stop is None or start < 0 or stop > 0 or (index.upper is not None and stop == 0):
        return None
    return ("shrunk by", start - stop)


def _integer(node: gast.expr | None, default: int) -> int | None:
    if node is None:
        return default
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None
