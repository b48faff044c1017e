"""Element cotangents of a scalar loop accumulated in a Python list.

A loop over the elements of a vector (``for i in range(n): s += f(x[i], x[i + 1])``) gets an adjoint loop
whose every trip adds scalars into single elements of the cotangent: ``d_x[i] += a; d_x[i + 1] += b``.
Each such update reads a NumPy element (a new ``np.float64``), adds, and writes it back through the array's
item protocol: about 90 ns, where the same update of a Python list item costs half. So where a loop's only
use of an accumulator is such updates, the accumulator is carried through the loop as a list and made an
array again after it:

    d_x_items = d_x.tolist()
    for i in reversed(range_n):
        ...
        d_x_items[i] += a
        d_x_items[i + 1] += b
    d_x = np.array(d_x_items, np.float64)

The additions are the same IEEE operations on the same values, in the same order, so the result has the
same bits. Only for what is known: a float64 vector the generated code made with ``np.zeros`` and assigns
nowhere else, indices that are Python integers (loop indices over ``range``, integer arithmetic on them),
and added values that are scalars by their static shapes (arithmetic on scalar variables and numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.walk import walk
from ..naming import reference_text

_ARITHMETIC = (gast.BinOp, gast.UnaryOp, gast.Add, gast.Sub, gast.Mult, gast.Div, gast.USub, gast.UAdd)


def accumulate_elements_in_lists(fn: gast.FunctionDef, shape_of: Callable[[str], Any],
                                 ref: Callable[[Any], gast.expr], integers: set[str],
                                 fresh: Callable[[str], str] | None = None) -> None:
    """Rewrite ``fn`` in place (see the module docstring); ``shape_of(name)`` is a variable's static
    shape, ``integers`` the variables that hold Python integers, ``fresh`` makes a new variable name."""
    stores: Counter = Counter(n.id for n in walk(fn) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load))
    zeros, float64 = reference_text(ref(np.zeros)), reference_text(ref(np.float64))
    started = {stmt.targets[0].id: stmt for stmt in fn.body
               if _vector_zeros(stmt, zeros, float64) and stores[stmt.targets[0].id] == 1}
    taken = set(stores)
    at = 0
    while at < len(fn.body):
        loop = fn.body[at]
        before_loop = {id(stmt) for stmt in fn.body[:at]} if isinstance(loop, gast.For) else set()
        converted = [name for name, start in sorted(started.items())
                     if id(start) in before_loop and _only_scalar_updates(loop, name, shape_of, integers)]
        for name in converted:
            items = fresh(f"{name}_items") if fresh is not None else _unused(f"{name}_items", taken)
            taken.add(items)
            for node in walk(loop):
                if isinstance(node, gast.AugAssign) and _updated(node) == name:
                    node.target.value = gast.Name(items, gast.Load(), None, None)
            before = gast.Assign([gast.Name(items, gast.Store(), None, None)],
                                 gast.Call(gast.Attribute(gast.Name(name, gast.Load(), None, None), "tolist",
                                                          gast.Load()), [], []), None)
            after = gast.Assign([gast.Name(name, gast.Store(), None, None)],
                                gast.Call(ref(np.array), [gast.Name(items, gast.Load(), None, None), ref(np.float64)],
                                          []), None)
            before.lineno = after.lineno = getattr(loop, "lineno", None)
            fn.body[at:at + 1] = [before, loop, after]
            at += 1
        at += 1


def arrays_again(fn: gast.FunctionDef) -> None:
    """Undo the rewrite, in place: the updates go to the array itself again (for compilers, such as Numba,
    whose array element updates are fast and whose typed code has no ``tolist``)."""
    listed: dict[str, str] = {}
    kept = []
    for stmt in fn.body:
        value = stmt.value if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 else None
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "tolist" \
                and not value.args and isinstance(value.func.value, gast.Name) and isinstance(stmt.targets[0], gast.Name):
            listed[stmt.targets[0].id] = value.func.value.id
            continue
        if isinstance(value, gast.Call) and isinstance(stmt.targets[0], gast.Name) and value.args \
                and isinstance(value.args[0], gast.Name) and listed.get(value.args[0].id) == stmt.targets[0].id:
            continue
        kept.append(stmt)
    if listed:
        fn.body = kept
        for node in walk(fn):
            if isinstance(node, gast.Name) and node.id in listed:
                node.id = listed[node.id]


def _vector_zeros(stmt: gast.stmt, zeros: str, float64: str) -> bool:
    """``d = np.zeros((n,), np.float64)``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
        return False
    value = stmt.value
    return (isinstance(value, gast.Call) and reference_text(value.func) == zeros and len(value.args) == 2
            and not value.keywords and reference_text(value.args[1]) == float64
            and isinstance(value.args[0], gast.Tuple) and len(value.args[0].elts) == 1
            and isinstance(value.args[0].elts[0], gast.Constant) and type(value.args[0].elts[0].value) is int)


def _updated(node: gast.AugAssign) -> str | None:
    """The name ``d`` of ``d[index] += value`` (or ``-=``)."""
    target = node.target
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) \
            and isinstance(node.op, (gast.Add, gast.Sub)):
        return target.value.id
    return None


def _only_scalar_updates(loop: gast.For, name: str, shape_of: Callable[[str], Any], integers: set[str]) -> bool:
    """Whether ``loop`` reads or writes ``name`` only in ``name[i] += scalar`` (or ``-=``) with ``i`` a Python
    integer."""
    updates = [n for n in walk(loop) if isinstance(n, gast.AugAssign) and _updated(n) == name]
    uses = sum(1 for n in walk(loop) if isinstance(n, gast.Name) and n.id == name)
    if not updates or uses != len(updates) or any(isinstance(n, gast.FunctionDef) for n in walk(loop)):
        return False
    return all(_integer(u.target.slice, integers) and _scalar(u.value, shape_of) for u in updates)


def _integer(index: gast.expr, integers: set[str]) -> bool:
    """A Python integer: one of ``integers``, an integer constant, or their sum, difference or product."""
    if isinstance(index, gast.Name):
        return index.id in integers
    if isinstance(index, gast.BinOp) and isinstance(index.op, (gast.Add, gast.Sub, gast.Mult)):
        return _integer(index.left, integers) and _integer(index.right, integers)
    return isinstance(index, gast.Constant) and type(index.value) is int


def _scalar(value: gast.expr, shape_of: Callable[[str], Any]) -> bool:
    """Arithmetic on variables of shape ``()`` and on real numbers."""
    for node in walk(value):
        if isinstance(node, gast.Name):
            if not isinstance(node.ctx, gast.Load) or shape_of(node.id) != ():
                return False
        elif isinstance(node, gast.Constant):
            if type(node.value) not in (int, float):
                return False
        elif not isinstance(node, _ARITHMETIC):
            return False
    return True


def _unused(hint: str, taken: set[str]) -> str:
    name, n = hint, 1
    while name in taken:
        name, n = f"{hint}_{n}", n + 1
    return name
