"""Reductions the output does not depend on: a shift that the rest of the function cancels.

A numerically stable softmax or log-sum-exp subtracts a per-row constant ``m`` (usually a maximum) and adds
it back, or divides it out: ``F(x, m + c) = F(x, m)`` for every ``c`` of ``m``'s shape. Then the partial
derivative of ``F`` in ``m`` is zero everywhere, and the gradient in ``x`` is the one with ``m`` held
constant, which is what a hand-written gradient computes; differentiating ``m`` anyway costs a comparison, a
count and a division per row for a cotangent that is zero up to rounding. This analysis proves the
invariance, and the pipeline then leaves ``m`` out of the active variables.

It follows how each value moves when ``m`` moves by ``c``, as an abstract value:

* ``Shift(k)``: the value plus ``k`` times ``c``, broadcast; ``x - m`` is ``Shift(-1)``;
* ``Scale(k)``: the value times ``exp(k c)``; ``exp`` turns a shift into a scale, ``log`` a scale into a shift;
* neither: the value does not move (``k`` is 0), or moves in a way not followed, which ends the search.

Shifts add (``Shift(a) - Shift(b)`` is ``Shift(a - b)``), scales multiply and divide, a mean, maximum or
minimum along an axis where ``c`` is constant keeps a shift or a scale, and a sum keeps a scale. So
``z - log(sum(exp(z)))``, ``exp(z) / sum(exp(z))`` and ``m[:, 0] + log(sum(exp(x - m), axis=1))`` do not
move, however the program spells them. Where ``c`` is constant is tracked by its *embedding*: the
dimensions of ``c`` as broadcasting aligns them against a value (from the right), with ``"1"`` for the
reduced axis, so that a reduction over another axis, or two values that broadcast ``c`` differently, end
the search. Where ranks are unknown (code generated without example arguments) and the axis is counted
from the left, the embedding is aligned from the left instead and ends in ``"S"`` (unknown trailing
dimensions); such a value may then only meet values of the reduced array's rank, or scalars. ``m`` is
accepted when every top-level statement that reads a moving value is a single assignment the rules above
follow, and the function returns only values that do not move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from .walk import values_read, walk

# Dimension tokens, left to right: "1": c is constant there; "P": unknown leading dimensions (the embedding is
# aligned from the right); "S": unknown trailing dimensions (aligned from the left).
Embedding = tuple[str, ...]


@dataclass(frozen=True)
class Moves:
    """How a value moves with ``c``: ``kind`` is ``"shift"`` or ``"scale"``, ``k`` a non-zero integer."""

    kind: str
    k: int
    embedding: Embedding


OTHER = object()   # moves in a way the analysis does not follow
CANDIDATES = (np.max, np.amax, np.min, np.amin, np.mean)
# What a reduction along an axis where c is constant keeps: a sum of v * exp(c) is sum(v) * exp(c), but a
# sum of v + c adds c once per element.
KEEPS = {np.mean: {"shift", "scale"}, np.max: {"shift", "scale"}, np.amax: {"shift", "scale"},
         np.min: {"shift", "scale"}, np.amin: {"shift", "scale"}, np.sum: {"scale"}}
TURNS = {np.exp: ("shift", "scale"), np.log: ("scale", "shift")}
BINARY = {np.add: gast.Add, np.subtract: gast.Sub, np.multiply: gast.Mult, np.divide: gast.Div}


def _constant(node: gast.expr) -> Any:
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return OTHER


def _strip(embedding: Embedding) -> Embedding:
    """Leading dimensions where ``c`` is constant do not matter to broadcasting from the right."""
    start = 0
    while start < len(embedding) and embedding[start] == "1":
        start += 1
    return embedding[start:]


def _rank(shapes: dict[str, Any], name: str) -> int | None:
    shape = shapes.get(name)
    return len(shape) if isinstance(shape, tuple) and all(type(d) is int for d in shape) else None


def _reduced(embedding: Embedding, axis: int, keepdims: bool) -> Embedding | None:
    """The embedding after reducing (or indexing a single position of) axis ``axis`` (from the right), or
    ``None`` when ``c`` may vary along it."""
    index = len(embedding) + axis
    if "P" in embedding:
        if index <= embedding.index("P"):
            return None
    elif index < 0:
        return embedding   # c does not reach that axis
    if embedding[index] != "1":
        return None
    return embedding if keepdims else _strip(embedding[:index] + embedding[index + 1:])


def _reduced_from_left(embedding: Embedding, axis: int, keepdims: bool) -> Embedding | None:
    """``_reduced`` for an embedding aligned from the left, with ``axis`` counted from the left."""
    if not 0 <= axis < len(embedding) - 1 or embedding[axis] != "1":
        return None
    return embedding if keepdims else embedding[:axis] + embedding[axis + 1:]


def _left_aligned(embedding: Embedding) -> bool:
    return bool(embedding) and embedding[-1] == "S"


def _reduction(call: gast.Call) -> tuple[Any, bool] | None:
    """``(axis, keepdims)`` of ``f(v, axis, keepdims=...)`` with constant arguments, or ``None``."""
    if len(call.args) > 2:
        return None
    axis: Any = _constant(call.args[1]) if len(call.args) == 2 else None
    keepdims = False
    for keyword in call.keywords:
        value = _constant(keyword.value)
        if keyword.arg == "axis":
            axis = value
        elif keyword.arg == "keepdims" and type(value) is bool:
            keepdims = value
        else:
            return None
    if axis is OTHER or not (axis is None or type(axis) is int):
        return None
    return axis, keepdims


class _Follow:
    """The abstract values of the names a shift of one candidate reaches."""

    def __init__(self, callee: Callable[[gast.expr], Any], shapes: dict[str, Any], same_rank: set[str]):
        self.callee, self.shapes = callee, shapes
        self.same_rank = same_rank   # names of the reduced array's rank, which left-aligned values may meet
        self.moves: dict[str, Moves] = {}

    def of(self, node: gast.expr) -> Moves | object | None:
        if isinstance(node, gast.Name):
            return self.moves.get(node.id)
        if isinstance(node, gast.Constant):
            return None
        return OTHER if any(n.id in self.moves for n in walk(node) if isinstance(n, gast.Name)) else None

    def value(self, node: gast.expr) -> Moves | object | None:
        """How the value of ``node`` moves, given how the names it reads move."""
        if isinstance(node, (gast.Name, gast.Constant)):
            return self.of(node)
        if isinstance(node, gast.BinOp):
            return self.binary(type(node.op), node.left, node.right)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            return self.negated(self.of(node.operand))
        if isinstance(node, gast.Subscript):
            return self.subscript(node)
        if isinstance(node, gast.Call) and node.args:
            return self.call(node)
        return self.of(node)

    @staticmethod
    def _make(kind: str, k: int, embedding: Embedding) -> Moves | None:
        return Moves(kind, k, embedding) if k else None

    def binary(self, op: type, left_node: gast.expr, right_node: gast.expr) -> Any:
        left, right = self.of(left_node), self.of(right_node)
        if left is OTHER or right is OTHER:
            return OTHER
        if left is None and right is None:
            return None
        if left is not None and right is not None and left.embedding != right.embedding:
            return OTHER
        embedding = (left or right).embedding
        still = right_node if left is not None else left_node
        if _left_aligned(embedding) and (left is None or right is None) and not (
                isinstance(still, gast.Constant) or (isinstance(still, gast.Name) and still.id in self.same_rank)):
            return OTHER   # a value of another rank would shift the dimensions c is aligned with
        sign = -1 if op is gast.Sub else 1
        if op in (gast.Add, gast.Sub):
            if any(v is not None and v.kind != "shift" for v in (left, right)):
                return OTHER
            return self._make("shift", (left.k if left else 0) + sign * (right.k if right else 0), embedding)
        if op in (gast.Mult, gast.Div):
            if any(v is not None and v.kind != "scale" for v in (left, right)):
                return OTHER
            sign = -1 if op is gast.Div else 1
            return self._make("scale", (left.k if left else 0) + sign * (right.k if right else 0), embedding)
        return OTHER

    @staticmethod
    def negated(value: Any) -> Any:
        if isinstance(value, Moves) and value.kind == "shift":
            return Moves("shift", -value.k, value.embedding)
        return value   # -(v * exp(k c)) is (-v) * exp(k c)

    def call(self, node: gast.Call) -> Any:
        function = self.callee(node.func)
        if function in BINARY and len(node.args) == 2 and not node.keywords:
            return self.binary(BINARY[function], node.args[0], node.args[1])
        operand = self.of(node.args[0])
        if any(self.of(a) is not None for a in node.args[1:]) or any(self.of(k.value) is not None
                                                                    for k in node.keywords):
            return OTHER
        if not isinstance(operand, Moves):
            return operand   # nothing moves, or OTHER
        if function is np.negative and len(node.args) == 1 and not node.keywords:
            return self.negated(operand)
        if function in TURNS and len(node.args) == 1 and not node.keywords:
            before, after = TURNS[function]
            return Moves(after, operand.k, operand.embedding) if operand.kind == before else OTHER
        if function in KEEPS and operand.kind in KEEPS[function]:
            return self.reduce(node, operand)
        return OTHER

    def reduce(self, node: gast.Call, operand: Moves) -> Any:
        reduction = _reduction(node)
        if reduction is None:
            return OTHER
        axis, keepdims = reduction
        if axis is None:
            return operand if not operand.embedding else OTHER
        if _left_aligned(operand.embedding):
            embedding = _reduced_from_left(operand.embedding, axis, keepdims)
            return OTHER if embedding is None else Moves(operand.kind, operand.k, embedding)
        if axis >= 0:
            rank = _rank(self.shapes, node.args[0].id) if isinstance(node.args[0], gast.Name) else None
            if rank is None:
                return OTHER
            axis -= rank
        embedding = _reduced(operand.embedding, axis, keepdims)
        return OTHER if embedding is None else Moves(operand.kind, operand.k, embedding)

    def subscript(self, node: gast.Subscript) -> Any:
        operand = self.of(node.value)
        if self.of(node.slice) is not None:
            return OTHER
        if not isinstance(operand, Moves) or not operand.embedding:
            return operand   # nothing moves, OTHER, or c is the same everywhere (any selection moves with it)
        items = list(node.slice.elts) if isinstance(node.slice, gast.Tuple) else [node.slice]
        if _left_aligned(operand.embedding):
            positions = list(range(len(items)))
        elif items and isinstance(items[0], gast.Constant) and items[0].value is Ellipsis:
            items = items[1:]
            positions = list(range(-len(items), 0))
        else:
            rank = _rank(self.shapes, node.value.id) if isinstance(node.value, gast.Name) else None
            if rank is None or len(items) > rank:
                return OTHER
            positions = list(range(-rank, -rank + len(items)))
        dropped = []
        for position, item in zip(positions, items):
            if isinstance(item, gast.Slice) and item.lower is None and item.upper is None and item.step is None:
                continue
            if not (isinstance(item, gast.Constant) and type(item.value) is int):
                return OTHER
            dropped.append(position)
        embedding: Embedding | None = operand.embedding
        if _left_aligned(operand.embedding):
            for position in reversed(dropped):   # rightmost first: the positions left of it do not change
                embedding = _reduced_from_left(embedding, position, keepdims=False)
                if embedding is None:
                    return OTHER
            return Moves(operand.kind, operand.k, embedding)
        for position in dropped:   # leftmost first: the positions right of a dropped axis do not change
            embedding = _reduced(embedding, position, keepdims=False)
            if embedding is None:
                return OTHER
        return Moves(operand.kind, operand.k, embedding)


def _candidate(value: gast.expr, callee: Callable, shapes: dict[str, Any]) -> Embedding | None:
    """The embedding of ``c`` when ``value`` reduces one array along one axis (or all), else ``None``."""
    if not (isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name)
            and any(callee(value.func) is f for f in CANDIDATES)):
        return None
    reduction = _reduction(value)
    if reduction is None:
        return None
    axis, keepdims = reduction
    if axis is None:
        return ()
    rank = _rank(shapes, value.args[0].id)
    if axis >= 0:
        if rank is None:
            known = tuple(f"d{i}" for i in range(axis))
            return (*known, "1", "S") if keepdims else (*known, "S")
        axis -= rank
    if rank is None:
        dims: Embedding = ("P", *("1" if i == axis else f"d{i}" for i in range(axis, 0)))
    else:
        dims = tuple("1" if i == axis else f"d{i}" for i in range(-rank, 0))
    if keepdims:
        return _strip(dims)
    index = len(dims) + axis
    return _strip(dims[:index] + dims[index + 1:])


def _stores(fn: gast.FunctionDef) -> dict[str, int]:
    """How many times each name is bound in ``fn``, its parameters included."""
    stored: dict[str, int] = {}
    for node in walk(fn):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stored[node.id] = stored.get(node.id, 0) + 1
    return stored


def _assigned_once(fn: gast.FunctionDef, stored: dict[str, int]) -> dict[str, gast.expr]:
    """Top-level single assignments of names bound nowhere else."""
    return {stmt.targets[0].id: stmt.value for stmt in fn.body
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and stored.get(stmt.targets[0].id) == 1}


def shift_invariant_reductions(fn: gast.FunctionDef, callee: Callable[[gast.expr], Any],
                               shapes: dict[str, Any]) -> set[str]:
    """Names of reductions (maxima, minima, means) whose shift the rest of ``fn`` cancels."""
    stored = _stores(fn)
    once = _assigned_once(fn, stored)
    found = set()
    for position, stmt in enumerate(fn.body):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and stmt.targets[0].id in once):
            continue
        embedding = _candidate(stmt.value, callee, shapes)
        reduced = stmt.value.args[0].id if embedding is not None else ""
        same_rank = {reduced} if stored.get(reduced) == 1 else set()   # it keeps its rank everywhere
        if embedding is not None and _cancelled(stmt.targets[0].id, same_rank, embedding, fn.body[position + 1:],
                                                once, callee, shapes):
            found.add(stmt.targets[0].id)
    return found


def _cancelled(m: str, same_rank: set[str], embedding: Embedding, rest: list[gast.stmt],
               once: dict[str, gast.expr], callee: Callable, shapes: dict[str, Any]) -> bool:
    follow = _Follow(callee, shapes, same_rank)
    follow.moves[m] = Moves("shift", 1, embedding)
    for stmt in rest:
        if not values_read(stmt) & follow.moves.keys():
            continue
        if isinstance(stmt, gast.Return):
            return False   # a moving value is returned
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and stmt.targets[0].id in once):
            return False
        moved = follow.value(stmt.value)
        if moved is OTHER:
            return False
        if moved is not None:
            follow.moves[stmt.targets[0].id] = moved
    return True
