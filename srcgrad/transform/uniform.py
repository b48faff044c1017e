"""Use the scalar a uniform cotangent is made of, where broadcasting gives the same array anyway.

The cotangent of a sum or a mean is the same number everywhere: shape specialisation writes it as
``d_s = np.full((n,), d_out)`` (or ``d_out / n``), and the adjoint of what was summed then multiplies it
elementwise: ``d_v = d_s * 2 * v``. Hand-written code multiplies by the number: ``d_v = d_out * 2 * v``,
one pass over memory fewer and no array made. Elementwise arithmetic on a uniform array gives the
elements it gives on its scalar, so the two are equal wherever the result keeps its shape: when another
operand of the expression has that whole shape (``v`` above), or the result is added into an array of that
shape (``d_x += d_s``). A uniform value scaled by a number is uniform too (``d_t = d_s * 100.0``), and
is followed the same way.

The rewrite is exact in value and in dtype only where every value is float64 (a Python float times a
float32 array would stay float32, where the float64 array of ``np.full`` makes it float64): the pipeline
runs it only where ``accumulate.stays_float64`` says so. It follows each statement list in order, so a
uniform value and the names its scalar is made of are the ones assigned before, in the same run of the
list; a store of any of them forgets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.walk import all_names, children, name_nodes, statements, walk
from ..visitors import NodeTransformer
from .clone import clone

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div)
Shape = tuple[int, ...]


def use_uniform_scalars(fn: gast.FunctionDef, shape_of: Callable[[str], Any],
                        callee: Callable[[gast.expr], Any]) -> None:
    """Rewrite ``fn`` in place. ``shape_of(name)`` is a variable's static shape (or None), ``callee(func)``
    the object a call's function expression names (``np.full`` is recognised through it)."""
    # Only assignments are rewritten or start a uniform value: one walk over their values finds whether
    # ``np.full`` is called at all, and which of them call something named ``repeat``.
    full, repeats, calling_repeat = False, False, set()
    for stmt in statements(fn.body):
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            for n in walk(stmt.value):
                if isinstance(n, gast.Call):
                    called = getattr(n.func, "attr", getattr(n.func, "id", None))
                    if called == "repeat":
                        calling_repeat.add(id(stmt))
                        repeats = repeats or callee(n.func) is np.repeat
                    elif called == "full":
                        full = full or callee(n.func) is np.full
    if full or repeats:
        _Block(shape_of, callee, calling_repeat if repeats else set()).run(fn.body)


def shape_lookup(shapes: dict[str, Any], primal_of: dict[str, str], seed: str,
                  returned: gast.expr) -> Callable[[str], Any]:
    """The static shape of a variable of the generated code: a primal's, an adjoint's (its primal's), the
    seed's (the output's)."""
    output = shapes.get(returned.id) if isinstance(returned, gast.Name) else None

    def shape_of(variable: str) -> Any:
        if variable == seed:
            return output
        found = shapes.get(variable)
        if found is None and variable in primal_of:
            found = shapes.get(primal_of[variable])
        return found

    return shape_of


class _Block:
    def __init__(self, shape_of: Callable[[str], Any], callee: Callable[[gast.expr], Any], calling_repeat: set[int]):
        self.shape_of, self.callee = shape_of, callee
        # the assignments (by id) that call something named ``repeat``, where the function calls np.repeat
        self.calling_repeat = calling_repeat

    def run(self, stmts: list[gast.stmt]) -> None:
        uniform: dict[str, tuple[Shape, gast.expr]] = {}  # variable -> (shape, scalar expression)
        made_of: dict[str, set[str]] = {}   # variable -> the names its scalar reads
        for stmt in stmts:
            for part in ("body", "orelse"):
                nested = getattr(stmt, part, None)
                if isinstance(nested, list) and not isinstance(stmt, gast.FunctionDef):
                    self.run(nested)
            repeats = id(stmt) in self.calling_repeat
            if uniform:
                names = name_nodes(stmt)   # (one walk for what it reads and what it binds)
                if repeats or any(n.id in uniform for n in names if type(n.ctx) is gast.Load):
                    self._rewrite(stmt, uniform, repeats)
                stored = {n.id for n in names if type(n.ctx) is not gast.Load}
                if stored:
                    for variable in list(uniform):
                        if variable in stored or not made_of[variable].isdisjoint(stored):
                            del uniform[variable], made_of[variable]
            if not uniform and not repeats and not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call)):
                continue  # (nothing uniform to read, and no np.full here: the common case, at no cost)
            found = self._uniform_value(stmt, uniform, repeats)
            if found is not None:
                uniform[stmt.targets[0].id] = found
                made_of[stmt.targets[0].id] = all_names(found[1])

    def _uniform_value(self, stmt: gast.stmt, uniform: dict, repeats: bool) -> tuple[Shape, gast.expr] | None:
        """``v = np.full(shape, s)``, or elementwise arithmetic of uniform values and scalars; ``repeats``:
        whether the statement may call ``np.repeat``."""
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
            return None
        value, target = stmt.value, stmt.targets[0].id
        if isinstance(value, gast.Call) and self.callee(value.func) is np.full and len(value.args) == 2 \
                and not value.keywords and _scalar_atom(value.args[1], self.shape_of):
            shape = _literal_shape(value.args[0])
            if shape is not None and target not in all_names(value.args[1]):
                return shape, value.args[1]
            return None
        if not (uniform or repeats) or not _may_read_uniform(value, uniform, repeats):
            return None
        shapes = {shape for shape, _ in self._leaves(value, uniform)}
        if len(shapes) != 1 or not self._elementwise(value, uniform, allow_arrays=False):
            return None
        if target in all_names(value):
            return None
        return shapes.pop(), _Scalars(self._leaf(uniform)).visit(clone(value))

    def _leaves(self, node: gast.AST, uniform: dict) -> list[tuple[Shape, gast.expr]]:
        """The uniform values an expression reads: names of ``uniform``, ``np.repeat`` calls (``_repeated``)."""
        leaf = self._leaf(uniform)(node)
        if leaf is not None:
            return [leaf]
        return [found for child in children(node) for found in self._leaves(child, uniform)]

    def _leaf(self, uniform: dict) -> Callable[[gast.AST], tuple[Shape, gast.expr] | None]:
        def leaf(node: gast.AST) -> tuple[Shape, gast.expr] | None:
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                return uniform.get(node.id)
            return self._repeated(node)
        return leaf

    def _repeated(self, value: gast.expr) -> tuple[Shape, gast.expr] | None:
        """``np.repeat(a, n, axis=k)`` of an ``a`` of length 1 along ``k`` (a mean's cotangent with
        ``keepdims``): uniform along that axis, so ``a`` broadcasts to the same elements."""
        if not (isinstance(value, gast.Call) and self.callee(value.func) is np.repeat and len(value.args) == 2
                and isinstance(value.args[1], gast.Constant)
                and len(value.keywords) == 1 and value.keywords[0].arg == "axis"
                and isinstance(value.keywords[0].value, gast.Constant)):
            return None
        shape, count, axis = self._shape(value.args[0]), value.args[1].value, value.keywords[0].value.value
        if not (isinstance(shape, tuple) and type(count) is int and type(axis) is int
                and -len(shape) <= axis < len(shape) and shape[axis] == 1):
            return None
        full = list(shape)
        full[axis] = count
        return tuple(full), value.args[0]

    def _shape(self, node: gast.expr) -> Shape | None:
        """The static shape of a name, or of ``np.reshape(name, (literal shape))``."""
        if isinstance(node, gast.Name):
            return self.shape_of(node.id)
        if isinstance(node, gast.Call) and self.callee(node.func) is np.reshape and len(node.args) == 2 \
                and not node.keywords and isinstance(node.args[0], gast.Name) \
                and self.shape_of(node.args[0].id) is not None:
            return _literal_shape(node.args[1])
        return None

    def _rewrite(self, stmt: gast.stmt, uniform: dict, repeats: bool) -> None:
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name) \
                and isinstance(stmt.op, _ELEMENTWISE):
            full = self.shape_of(stmt.target.id)
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
            full = None
        else:
            return
        value = stmt.value
        if not _may_read_uniform(value, uniform, repeats):
            return
        shapes = {shape for shape, _ in self._leaves(value, uniform)}
        if len(shapes) != 1 or not self._elementwise(value, uniform, allow_arrays=True):
            return
        shape = shapes.pop()
        arrays = {n.id for n in walk(value) if isinstance(n, gast.Name) and n.id not in uniform
                  and self.shape_of(n.id) == shape and not self._inside_repeat(n, value)}
        if full != shape and not arrays:
            return  # nothing else gives the result its shape
        if isinstance(value, gast.Name) and full != shape:
            return  # ``t = d_s``: a copy of the array, which may be written into later
        stmt.value = _Scalars(self._leaf(uniform)).visit(value)

    def _inside_repeat(self, name: gast.Name, value: gast.expr) -> bool:
        return any(self._repeated(n) is not None and any(m is name for m in walk(n)) for n in walk(value))

    def _elementwise(self, node: gast.expr, uniform: dict, allow_arrays: bool) -> bool:
        """Arithmetic of names and numbers only (arrays other than the uniform ones where allowed)."""
        if isinstance(node, gast.BinOp):
            return isinstance(node.op, _ELEMENTWISE) and self._elementwise(node.left, uniform, allow_arrays) \
                and self._elementwise(node.right, uniform, allow_arrays)
        if isinstance(node, gast.UnaryOp):
            return isinstance(node.op, (gast.USub, gast.UAdd)) and self._elementwise(node.operand, uniform,
                                                                                      allow_arrays)
        if isinstance(node, gast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        if isinstance(node, gast.Name):
            return node.id in uniform or self.shape_of(node.id) == () or (
                allow_arrays and self.shape_of(node.id) is not None)
        if isinstance(node, gast.Call) and self._repeated(node) is not None:
            return True
        if isinstance(node, gast.Call):   # a ufunc or np.where of such operands (``np.exp(a - b)``)
            function = self.callee(node.func)
            broadcasting = (isinstance(function, np.ufunc) and function.nout == 1) or (
                function is np.where and len(node.args) == 3)
            return broadcasting and not node.keywords \
                and all(self._elementwise(a, uniform, allow_arrays) for a in node.args)
        return False


def _may_read_uniform(value: gast.expr, uniform: dict, repeats: bool) -> bool:
    """A cheap first look: a name of ``uniform`` in ``value``, or (``repeats``: where its statement calls
    something named ``repeat``) a call of something named ``repeat``."""
    if any(n.id in uniform for n in name_nodes(value)):
        return True
    return repeats and any(isinstance(n, gast.Call) and getattr(n.func, "attr", getattr(n.func, "id", None)) == "repeat"
                           for n in walk(value))


def _scalar_atom(node: gast.expr, shape_of: Callable[[str], Any]) -> bool:
    if isinstance(node, gast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, gast.Name):
        return shape_of(node.id) == ()
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, _ELEMENTWISE) and _scalar_atom(node.left, shape_of) \
            and _scalar_atom(node.right, shape_of)
    return False


def _literal_shape(node: gast.expr) -> Shape | None:
    if isinstance(node, gast.Tuple) and all(isinstance(e, gast.Constant) and type(e.value) is int
                                            for e in node.elts):
        return tuple(e.value for e in node.elts)
    return None


class _Scalars(NodeTransformer):
    """Replace the uniform values an expression reads by (copies of) their scalars (or, for ``np.repeat``,
    the array that broadcasts), parenthesised by the tree."""

    def __init__(self, leaf: Callable[[gast.AST], tuple[Shape, gast.expr] | None]):
        self.leaf = leaf

    def visit(self, node: gast.AST) -> gast.AST:
        found = self.leaf(node)
        if found is not None:
            return gast.copy_location(clone(found[1]), node)
        return self.generic_visit(node)
