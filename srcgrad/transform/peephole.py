"""Small rewrites of generated code that save an operation each, in loops over elements above all.

Rules are written for any operands, so a subtraction's rule hands its right operand ``-g`` and the
transformer names it: ``d_b = -d_t`` … ``d_x[i] += d_b``. A person writes ``d_x[i] -= d_t``. Two rewrites:

* **Negations folded.** ``t = -u`` read exactly once, later in the same statement list with nothing
  rebinding ``u`` in between, is moved into its reader; there ``X += -u`` becomes ``X -= u``, ``X - -u``
  becomes ``X + u``, and ``(-u) * c`` with a number ``c`` becomes ``u * -c``. Negation is exact, so these
  give the same bits.
* **Element updates merged.** ``d[i] += a`` directly followed by ``d[i] += b`` (or ``-=``), the same
  integer index, ``b`` not reading ``d``: ``d[i] += a + b`` (``b - a`` after ``d[i] -= a``). One indexing
  of ``d`` instead of two, which is most of the cost of a scalar loop's step. (The sum is rounded once
  more differently: a change in the last bit, as reordering any sum is.)"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

import gast

from ..analysis.walk import name_nodes, walk
from ..naming import Names
from ..visitors import NodeTransformer
from .clone import clone


def fold_negations(fn: gast.FunctionDef) -> None:
    """Rewrite ``fn`` in place (see the module docstring)."""
    loads: Counter = Counter()
    stores: Counter = Counter()
    for n in name_nodes(fn):
        (loads if type(n.ctx) is gast.Load else stores)[n.id] += 1
    if any(isinstance(n, gast.UnaryOp) and isinstance(n.op, gast.USub) for n in walk(fn)):
        _negations(fn.body, loads, stores)


def merge_element_updates(fn: gast.FunctionDef, integers: set[str]) -> None:
    """``d[i] += a; d[i] += b`` → ``d[i] += a + b`` where ``i`` is one of ``integers`` or an integer."""
    _merge(fn.body, integers)


def _negations(stmts: list[gast.stmt], loads: Counter, stores: Counter) -> None:
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        for nested in _nested_blocks(stmt):
            _negations(nested, loads, stores)
        negated = _negation(stmt, loads, stores)
        if negated is not None and _move_into_reader(stmts, index, *negated):
            del stmts[index]
            continue
        index += 1


def _nested_blocks(stmt: gast.stmt) -> list[list[gast.stmt]]:
    """The statement lists of a loop's or a branch's body and ``else``."""
    if isinstance(stmt, gast.FunctionDef):
        return []
    return [part for part in (getattr(stmt, "body", None), getattr(stmt, "orelse", None)) if isinstance(part, list)]


def _negation(stmt: gast.stmt, loads: Counter, stores: Counter) -> tuple[str, gast.Name] | None:
    """``t = -u`` of a name ``u``, ``t`` assigned here only and read once."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
            and isinstance(stmt.value, gast.UnaryOp) and isinstance(stmt.value.op, gast.USub) \
            and isinstance(stmt.value.operand, gast.Name):
        target = stmt.targets[0].id
        if stores[target] == 1 and loads[target] == 1:
            return target, stmt.value.operand
    return None


def _move_into_reader(stmts: list[gast.stmt], at: int, target: str, operand: gast.Name) -> bool:
    for stmt in stmts[at + 1:]:
        reads = [n for n in walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id == target]
        if reads:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                return False
            return _fold_into(stmt, target, operand)
        stored = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
        if operand.id in stored or target in stored:
            return False
    return False


def _fold_into(stmt: gast.stmt, target: str, operand: gast.Name) -> bool:
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.value, gast.Name) and stmt.value.id == target \
            and isinstance(stmt.op, (gast.Add, gast.Sub)):
        stmt.op = gast.Sub() if isinstance(stmt.op, gast.Add) else gast.Add()
        stmt.value = clone(operand)
        return True
    folder = _FoldNegation(target, operand)
    folder.visit(stmt)
    return folder.folded


class _FoldNegation(NodeTransformer):
    """``(-t) * c`` → ``u * -c`` and ``x - t`` → ``x + u`` for ``t = -u``; anything else leaves it."""

    def __init__(self, target: str, operand: gast.Name):
        self.target, self.operand, self.folded = target, operand, False

    def _is_target(self, node: gast.expr) -> bool:
        return isinstance(node, gast.Name) and node.id == self.target and isinstance(node.ctx, gast.Load)

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        if self.folded:
            return node
        if isinstance(node.op, gast.Mult) and self._is_target(node.left) and _is_number(node.right):
            node.left, node.right = clone(self.operand), gast.Constant(-node.right.value, None)
            self.folded = True
        elif isinstance(node.op, gast.Mult) and self._is_target(node.right) and _is_number(node.left):
            node.left, node.right = gast.Constant(-node.left.value, None), clone(self.operand)
            self.folded = True
        elif isinstance(node.op, (gast.Add, gast.Sub)) and self._is_target(node.right):
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.right = clone(self.operand)
            self.folded = True
        return node


def _is_number(node: gast.expr) -> bool:
    return isinstance(node, gast.Constant) and isinstance(node.value, (int, float)) and not isinstance(
        node.value, bool)


def _merge(stmts: list[gast.stmt], integers: set[str]) -> None:
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        for nested in _nested_blocks(stmt):
            _merge(nested, integers)
        later = _next_update_of_the_same_element(stmts, index, integers)
        if later is not None:
            following = stmts[later]
            following.value, following.op = _merged(stmt.value, isinstance(stmt.op, gast.Add), following.value,
                                                    isinstance(following.op, gast.Add))
            del stmts[index]
            continue
        index += 1


def _merged(a: gast.expr, adds_a: bool, b: gast.expr, adds_b: bool) -> tuple[gast.expr, gast.operator]:
    """The value and operator of one update for ``d ±= a`` then ``d ±= b``. ``-a + b`` is written ``b - a``
    (the same bits, one operation fewer) for operands that are arithmetic on variables, whose order of
    evaluation cannot matter. (``-a - b`` stays: ``-(a + b)`` differs from it in the sign of a zero.)"""
    if adds_a:
        return gast.BinOp(a, gast.Add() if adds_b else gast.Sub(), b), gast.Add()
    if adds_b and _arithmetic(a) and _arithmetic(b):
        return gast.BinOp(b, gast.Sub(), a), gast.Add()
    return gast.BinOp(gast.UnaryOp(gast.USub(), a), gast.Add() if adds_b else gast.Sub(), b), gast.Add()


def _next_update_of_the_same_element(stmts: list[gast.stmt], at: int, integers: set[str]) -> int | None:
    """The position of the next ``d[i] += b`` after the update at ``at``, where the statements between
    leave ``d``, ``i`` and what the first update adds alone, so that it can be made there instead."""
    stmt = stmts[at]
    if not _element_update(stmt, integers):
        return None
    array = stmt.target.value.id
    kept = {n.id for n in walk(stmt) if isinstance(n, gast.Name)}  # d, i and the value's names
    for position in range(at + 1, len(stmts)):
        other = stmts[position]
        if _element_update(other, integers) and gast.dump(other.target) == gast.dump(stmt.target) \
                and array not in {n.id for n in walk(other.value) if isinstance(n, gast.Name)}:
            return position
        if isinstance(other, (gast.If, gast.For, gast.While, gast.FunctionDef)):
            return None
        names = {n.id for n in walk(other) if isinstance(n, gast.Name)}
        stored = {n.id for n in walk(other) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
        if array in names or stored & kept:
            return None
    return None


def _element_update(stmt: gast.stmt | None, integers: set[str]) -> bool:
    """``d[i] += v`` (or ``-=``) with ``i`` an integer variable or constant."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub))
            and isinstance(stmt.target, gast.Subscript) and isinstance(stmt.target.value, gast.Name)):
        return False
    index = stmt.target.slice
    return (isinstance(index, gast.Name) and index.id in integers) or (
        isinstance(index, gast.Constant) and type(index.value) is int)


def hoist_invariants(fn: gast.FunctionDef) -> None:
    """Move ``t = a * 100.0`` out of a ``for`` loop whose body rebinds neither ``a`` nor ``t`` elsewhere: the
    adjoint of a loop recomputes a cotangent's scale on every trip (``d_t = d_out * 100.0``). Only sums,
    differences and products of names and numbers move, and only of names that hold their value at the
    loop's entry on every path (parameters, globals, and names assigned unconditionally before the loop,
    not the ``None`` a variable starts as): a loop that runs no trip would not have read them. ``t`` must be
    assigned nowhere else in the function. Such arithmetic inside a statement that stays
    (``d_u = d_out * 2 * u``, read ``(d_out * 2) * u``) moves out under a new name."""
    stores = Counter(n.id for n in walk(fn) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load))
    parameters = {a.id for a in fn.args.args if isinstance(a, gast.Name)}
    fn.body = _hoist(fn.body, stores, [], parameters)


def _hoist(stmts: list[gast.stmt], stores: Counter, names: list[Names], defined: set[str]) -> list[gast.stmt]:
    """``defined``: the names bound to their values whenever ``stmts`` start (see ``hoist_invariants``)."""
    out: list[gast.stmt] = []
    defined = set(defined)
    for stmt in stmts:
        for part in ("body", "orelse"):
            if isinstance(getattr(stmt, part, None), list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, part, _hoist(getattr(stmt, part), stores, names, defined))
        if isinstance(stmt, gast.For) and not stmt.orelse:
            stored = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}

            ready = functools.partial(_ready, stored=stored, defined=defined, stores=stores)
            moved = [s for s in stmt.body if _invariant(s, ready, stores)]
            if moved and len(moved) < len(stmt.body):
                stmt.body = [s for s in stmt.body if not any(s is m for m in moved)]
                out.extend(moved)
                moved_names = {m.targets[0].id for m in moved}   # assigned once, now before the loop
                stored -= moved_names
                defined |= moved_names
            hoisted = _hoist_parts(stmt.body, ready, stores, names)
            out.extend(hoisted)
            defined |= {h.targets[0].id for h in hoisted}
        elif (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
              and not (isinstance(stmt.value, gast.Constant) and stmt.value.value is None)):
            defined.add(stmt.targets[0].id)
        out.append(stmt)
    return out


def _ready(name: str, stored: set[str], defined: set[str], stores: Counter) -> bool:
    """Whether ``name`` holds the same value on every trip of a loop that stores ``stored``, and holds it
    already when the loop starts (``defined``, or never assigned in the function: a global)."""
    return name not in stored and (name in defined or stores[name] == 0)


def _hoist_parts(body: list[gast.stmt], ready: Callable[[str], bool], stores: Counter,
                 names: list[Names]) -> list[gast.stmt]:
    """The assignments of the invariant arithmetic inside the values of ``body``'s assignments, each
    replaced there by its new name (``names`` holds the name source, made on first use)."""
    hoisted: list[gast.stmt] = []
    where: list[gast.stmt] = []   # the statement being rewritten: the new assignment takes its line

    def replace(node: gast.expr, whole: bool) -> gast.expr:
        if isinstance(node, (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                             gast.GeneratorExp)):
            return node   # parts evaluated only on some paths stay where they are
        if (not whole and isinstance(node, gast.BinOp) and _arithmetic(node)
                and any(isinstance(n, gast.Name) for n in walk(node))
                and all(ready(n.id) for n in walk(node) if isinstance(n, gast.Name))):
            if not names:
                names.append(Names(set(stores) | {n.id for s in body for n in walk(s) if isinstance(n, gast.Name)}))
            fresh = names[0].fresh(_hint(node))
            stores[fresh] += 1
            assignment = gast.Assign([gast.Name(fresh, gast.Store(), None, None)], node, None)
            hoisted.append(gast.copy_location(assignment, where[0]))
            return gast.Name(fresh, gast.Load(), None, None)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, gast.expr) and not isinstance(value, gast.expr_context):
                setattr(node, field, replace(value, False))
            elif isinstance(value, list):
                value[:] = [replace(v, False) if isinstance(v, gast.expr) else v for v in value]
        return node

    for stmt in body:
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            where[:] = [stmt]
            stmt.value = replace(stmt.value, True)
    return hoisted


def _hint(node: gast.expr) -> str:
    """``d_out * 2`` → ``d_out_times_2``: a new name that says what it holds."""
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        return str(node.value)   # (``Names`` makes ``2.0`` ``2_0``, and a leading digit ``v2_0``)
    if isinstance(node, gast.UnaryOp):
        return "minus_" + _hint(node.operand)
    word = {gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times"}[type(node.op)]
    return f"{_hint(node.left)}_{word}_{_hint(node.right)}"


def _invariant(stmt: gast.stmt, ready: Callable[[str], bool], stores: Counter) -> bool:
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and stores[stmt.targets[0].id] == 1 and _arithmetic(stmt.value)):
        return False
    return all(ready(n.id) for n in walk(stmt.value) if isinstance(n, gast.Name))


def _arithmetic(node: gast.expr) -> bool:
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, (gast.Add, gast.Sub, gast.Mult)) and _arithmetic(node.left) \
            and _arithmetic(node.right)
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub) and _arithmetic(node.operand)
    return isinstance(node, gast.Name) or _is_number(node)
