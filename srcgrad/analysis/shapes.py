"""Static shapes, from the shapes of the arguments of one call signature.

Generated code is specialized per input signature (types and shapes), so shapes known at transform time
let the transformer drop ``unbroadcast`` where an operand provably has the result's shape — and with it
the need to keep that operand's value for the adjoint (the scalar loop then needs no stack at all).

Each variable gets one shape, the join over every assignment to it (flow-insensitive, so it holds at every
point of the program), or ``None`` when unknown. A shape comes from evaluating the operation on zeros of
the operands' shapes — only where the output shape cannot depend on the operands' values: arithmetic and
ufuncs, other differentiable primitives when no scalar variable is passed to them (a scalar may be a length,
an axis or a count), and subscripts whose indices are integers or constant slices."""

from __future__ import annotations

import collections
import itertools
import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from .activity import assignments
from .walk import all_names, name_nodes, walk

Shape = tuple[int, ...] | None
_CONFLICT = "conflict"


def infer_shapes(fn: gast.FunctionDef, params: dict[str, Any], evaluate: Callable[[gast.expr], Any],
                 integers: set[str]) -> dict[str, Shape]:
    """Map each variable to its shape where it is known for sure.

    ``params`` holds example values of the parameters; ``evaluate(value)`` returns the primitive a value
    applies (or ``None`` when its output shape may depend on data); ``integers`` names variables known to
    hold Python integers (loop indices)."""
    shapes: dict[str, Any] = {name: _shape_of(value) for name, value in params.items()}
    flows = list(assignments(fn.body))
    integers = integer_closure(flows, integers, params)
    for name in integers:
        shapes[name] = ()
    # Indices whose effect on a shape does not depend on their values: Python integers (None here), and the
    # integer-array parameters the function never rebinds (their shapes: ``x[rows]`` has rows' shape first).
    rebound = {n.id for n in name_nodes(fn) if type(n.ctx) is gast.Store}
    indices: dict[str, Any] = dict.fromkeys(integers)
    indices.update({name: value.shape for name, value in params.items() if type(value) is np.ndarray
                    and value.dtype.kind in "iu" and name not in rebound})
    # A value's shape depends only on the shapes of the names it reads: one whose inputs have not changed
    # since it was last evaluated would give the same shape again, so it is skipped (the rounds and their
    # results are those of evaluating everything every round).
    reads = [all_names(value) for _, value in flows]
    changed_at: dict[str, int] = {}   # variable -> the step at which its shape last changed
    evaluated_at = [-1] * len(flows)
    step = 0
    # (the primitives run on examples, whose warnings mean nothing: silenced once for every evaluation)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for _ in range(len(flows) + 2):
            changed = False
            for k, (target, value) in enumerate(flows):
                if evaluated_at[k] >= 0 and all(changed_at.get(name, -1) < evaluated_at[k] for name in reads[k]):
                    continue
                step += 1
                evaluated_at[k] = step
                shape = _evaluate(value, shapes, evaluate, indices)
                old = shapes.get(target, _MISSING)
                new = _join(old, shape)
                if new != old:
                    shapes[target] = new
                    changed_at[target] = step
                    changed = True
            if not changed:
                break
    return {k: _public(v) for k, v in shapes.items()}


def _public(shape: Any) -> Shape:
    if isinstance(shape, _Static):
        return () if isinstance(shape.value, numbers.Number) else None
    return None if shape == _CONFLICT or isinstance(shape, (_TupleShape, _Either)) else shape


@dataclass(frozen=True)
class _Either:
    """A few shapes a variable may have, one per assignment (``p = coef[-1]``, then ``p = p * x + c``):
    what is computed from it may still have one shape whichever it is (``p * x``)."""

    options: frozenset


_MAX_OPTIONS = 4


def _join(old: Any, new: Any) -> Any:
    if old is _MISSING or old == new:
        return new
    if old is None or new is None or _CONFLICT in (old, new):
        return _CONFLICT
    options = _options(old) | _options(new)
    return _Either(frozenset(options)) if len(options) <= _MAX_OPTIONS else _CONFLICT


def _options(shape: Any) -> frozenset:
    return shape.options if isinstance(shape, _Either) else frozenset((shape,))


@dataclass(frozen=True)
class _TupleShape:
    """The shapes of a tuple's items (``out = (pos, vel)`` returned by an inlined helper), so that
    ``out[0]`` has one; only the analysis sees these."""

    items: tuple


@dataclass(frozen=True)
class _Static:
    """A value known at transform time because it is computed from shapes (``n = x.shape[0]``, ``(n, 1)``):
    fixed for the signature the code is generated for, so ``np.ones((n, 1))`` has a known shape."""

    value: Any


def _static_value(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_static_value(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_MISSING = object()
_INTEGER_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)


def integer_closure(flows: list, integers: set[str], params: dict[str, Any]) -> set[str]:
    """``integers`` and the variables every assignment of which is integer arithmetic on them and on integer
    constants (``j = i + 1``): indices that select one element, whatever their value."""
    assigned: dict[str, list[gast.expr]] = {}
    for target, value in flows:
        assigned.setdefault(target, []).append(value)

    def integral(node: gast.expr, known: set[str]) -> bool:
        if isinstance(node, gast.Constant):
            return isinstance(node.value, int) and not isinstance(node.value, bool)
        if isinstance(node, gast.Name):
            return node.id in known
        if isinstance(node, gast.BinOp) and isinstance(node.op, _INTEGER_OPS):
            return integral(node.left, known) and integral(node.right, known)
        return False

    known = set(integers)
    changed = True
    while changed:
        changed = False
        for target, values in assigned.items():
            if target not in known and target not in params and all(integral(v, known) for v in values):
                known.add(target)
                changed = True
    return known


def _shape_of(value: Any) -> Shape:
    # Arrays of other libraries (Dask, CuPy) know their shapes too, but stay unknown here on purpose: the
    # specializer rewrites helpers into NumPy-only code (``np.full`` of a cotangent, which would compute a
    # Dask one), and the generic helpers it would replace are the ones that dispatch.
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return ()
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None and isinstance(value, (np.ndarray, np.generic)) else None


def _example(node: gast.expr, shapes: dict[str, Any]) -> Any:
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return -node.operand.value  # ``axis=-1``
    if isinstance(node, (gast.Attribute, gast.Subscript)):
        static = _static_expression(node, shapes)  # ``np.sqrt(q.shape[1])``
        if static is not None:
            return static.value
    if isinstance(node, gast.Name):
        return _item_example(shapes.get(node.id, _MISSING), node.id)
    raise LookupError(type(node).__name__)


def _item_example(shape: Any, what: str) -> Any:
    if isinstance(shape, _Static):
        return shape.value
    if isinstance(shape, _TupleShape):
        return tuple(_item_example(item, what) for item in shape.items)
    if shape is _MISSING or shape is None or shape == _CONFLICT:
        raise LookupError(what)
    return np.zeros(shape) if shape != () else 0.0


def _array_example(node: gast.expr, shapes: dict[str, Any]) -> Any:
    """``_example``, but only for constants and arrays: a scalar variable's value is not known."""
    if isinstance(node, gast.Name) and shapes.get(node.id) == ():
        raise LookupError(node.id)
    return _example(node, shapes)


def _static(node: gast.expr, shapes: dict[str, Any]) -> bool:
    return isinstance(node, gast.Constant) or (isinstance(node, gast.Name)
                                               and isinstance(shapes.get(node.id), _Static))


_SHAPE_ATTRIBUTES = ("shape", "ndim", "size")


def _static_expression(node: gast.expr, shapes: dict[str, Any]) -> _Static | None:
    """``x.shape``, ``x.ndim``, ``x.size`` of an array of known shape, and constant subscripts of them
    (``x.shape[0]``): values fixed by the signature."""
    if isinstance(node, gast.Attribute) and node.attr in _SHAPE_ATTRIBUTES and isinstance(node.value, gast.Name) \
            and isinstance(shapes.get(node.value.id), tuple):
        shape = shapes[node.value.id]
        return _Static({"shape": shape, "ndim": len(shape), "size": int(np.prod(shape, dtype=int))}[node.attr])
    if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Constant) and type(node.slice.value) is int:
        inner = _static_expression(node.value, shapes)
        if inner is not None and isinstance(inner.value, tuple) and -len(inner.value) <= node.slice.value < len(
                inner.value):
            return _Static(inner.value[node.slice.value])
    return None
_SHAPE_CONSTRUCTORS = (np.ones, np.zeros, np.empty, np.full)  # the shape is the first argument


def _elementwise(primitive: Any) -> bool:
    return isinstance(primitive, np.ufunc) or getattr(primitive, "__module__", None) == "math"


def _evaluate(value: gast.expr, shapes: dict[str, Any], primitive_of: Callable[[gast.expr], Any],
              integers: Mapping[str, Any]) -> Shape:
    """The shape of ``value``, trying each combination of the shapes its operands may have (``_Either``)."""
    either = sorted({n.id for n in walk(value) if isinstance(n, gast.Name) and isinstance(shapes.get(n.id), _Either)})
    if not either:
        return _evaluate_one(value, shapes, primitive_of, integers)
    combinations = list(itertools.product(*[sorted(shapes[n].options, key=repr) for n in either]))
    if len(combinations) > _MAX_OPTIONS ** 2:
        return None
    results = {_evaluate_one(value, collections.ChainMap(dict(zip(either, combination)), shapes), primitive_of,
                             integers) for combination in combinations}
    if len(results) == 1:
        return results.pop()
    if None in results or _CONFLICT in results:
        return None
    options = frozenset().union(*[_options(r) for r in results])
    return _Either(options) if len(options) <= _MAX_OPTIONS else None


def _evaluate_one(value: gast.expr, shapes: Any, primitive_of: Callable[[gast.expr], Any],
                  integers: Mapping[str, Any]) -> Shape:
    """(Runs inside ``infer_shapes``' silencing of warnings.)"""
    try:
        if isinstance(value, gast.Tuple):
            if all(_static(e, shapes) for e in value.elts):
                return _Static(tuple(_example(e, shapes) for e in value.elts))
            return _TupleShape(tuple(_evaluate(e, shapes, primitive_of, integers) for e in value.elts))
        if isinstance(value, gast.Name) and isinstance(shapes.get(value.id), (_Static, _TupleShape)):
            return shapes[value.id]
        static = _static_expression(value, shapes)
        if static is not None:
            return static
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
                and isinstance(shapes.get(value.value.id), (_TupleShape, _Static)):
            container, index = shapes[value.value.id], value.slice
            if not (isinstance(index, gast.Constant) and type(index.value) is int):
                return None
            if isinstance(container, _Static):
                item = container.value[index.value]
                return _Static(item) if _static_value(item) else None
            return container.items[index.value]
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) \
                and all(isinstance(o, gast.Name) and isinstance(shapes.get(o.id), _TupleShape)
                        for o in (value.left, value.right)):
            return _TupleShape(shapes[value.left.id].items + shapes[value.right.id].items)
        if isinstance(value, gast.Compare):  # elementwise: the operands' broadcast shape
            operands = [value.left, *value.comparators]
            return tuple(np.broadcast_shapes(*[np.shape(_example(o, shapes)) for o in operands]))
        if isinstance(value, (gast.Name, gast.Constant)):
            return _shape_of(_example(value, shapes)) if not isinstance(value, gast.Constant) else _shape_of(
                value.value)
        primitive = primitive_of(value)
        if primitive is None:
            return None
        if isinstance(value, gast.Attribute):  # a module's number (``np.pi``): a scalar, whose value may change
            return ()
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            operands = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]
            if all(_static(o, shapes) for o in operands):
                result = primitive(*[_example(o, shapes) for o in operands])
                if _static_value(result):
                    return _Static(result)
        if isinstance(value, gast.BinOp):
            args = [_example(value.left, shapes), _example(value.right, shapes)]
        elif isinstance(value, gast.UnaryOp):
            args = [_example(value.operand, shapes)]
        elif isinstance(value, gast.Subscript):
            args = [_example(value.value, shapes), _static_index(value.slice, integers)]
        elif isinstance(value, gast.Call) and primitive in _SHAPE_CONSTRUCTORS:
            shape = value.args[0] if value.args else next(k.value for k in value.keywords if k.arg == "shape")
            size = _item_example(shapes.get(shape.id, _MISSING), shape.id) if isinstance(shape, gast.Name) else \
                tuple(_example(e, shapes) for e in shape.elts) if isinstance(shape, gast.Tuple) else _example(shape, shapes)
            if not _static_value(size) or not all(isinstance(n, int) for n in np.atleast_1d(size).tolist()):
                return None
            return (size,) if isinstance(size, int) else tuple(size)
        elif isinstance(value, gast.Call):
            # A stand-in 0.0 for a scalar variable is faithful only where values cannot change shapes: a
            # ufunc broadcasts, a ``math`` function returns a float. Elsewhere a scalar may be a length
            # (``np.arange(n)``), an axis or a count, and the shape is unknown.
            example = _example if _elementwise(primitive) else _array_example
            args = [example(a, shapes) if not isinstance(a, (gast.List, gast.Tuple)) else
                    [example(e, shapes) for e in a.elts] for a in value.args]
            kwargs = {k.arg: example(k.value, shapes) for k in value.keywords}
            return _shape_of(primitive(*args, **kwargs))
        else:
            return None
        return _shape_of(primitive(*args))
    except Exception:  # any failure just means "unknown"
        return None


def _constant_int(node: gast.expr) -> Any:
    """The value of a constant slice bound (``1``, ``-1``, ``None``), or raise ``LookupError``."""
    if isinstance(node, gast.Constant) and (node.value is None or type(node.value) is int):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    raise LookupError("slice")


def _static_index(index: gast.expr, integers: Mapping[str, Any]) -> Any:
    """An index whose effect on the shape does not depend on data: integers, constant slices, and integer
    arrays (``integers`` maps a variable holding a Python integer to None, one holding an integer array to
    its shape; zeros of that shape index as it does, shape for shape)."""
    if isinstance(index, gast.Tuple):
        return tuple(_static_index(e, integers) for e in index.elts)
    if isinstance(index, gast.Slice):
        return slice(*[None if p is None else _constant_int(p) for p in (index.lower, index.upper, index.step)])
    if isinstance(index, gast.Constant) and (index.value is None or index.value is Ellipsis
                                             or isinstance(index.value, int)):
        return index.value
    if isinstance(index, gast.Name) and index.id in integers:
        shape = integers[index.id]
        return 0 if shape is None else np.zeros(shape, dtype=np.intp)
    if isinstance(index, gast.UnaryOp):
        return _constant_int(index)  # ``x[-1]``
    raise LookupError("index")
