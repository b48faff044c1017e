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

import numbers
import warnings
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from .activity import assignments

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
    for _ in range(len(flows) + 2):
        changed = False
        for target, value in flows:
            shape = _evaluate(value, shapes, evaluate, integers)
            old = shapes.get(target, _MISSING)
            new = shape if old is _MISSING else (old if old == shape else _CONFLICT)
            if new != old:
                shapes[target] = new
                changed = True
        if not changed:
            break
    return {k: (v if v != _CONFLICT else None) for k, v in shapes.items()}


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
    if isinstance(node, gast.Name):
        shape = shapes.get(node.id, _MISSING)
        if shape is _MISSING or shape is None or shape == _CONFLICT:
            raise LookupError(node.id)
        return np.zeros(shape) if shape != () else 0.0
    raise LookupError(type(node).__name__)


def _array_example(node: gast.expr, shapes: dict[str, Any]) -> Any:
    """``_example``, but only for constants and arrays: a scalar variable's value is not known."""
    if isinstance(node, gast.Name) and shapes.get(node.id) == ():
        raise LookupError(node.id)
    return _example(node, shapes)


def _elementwise(primitive: Any) -> bool:
    return isinstance(primitive, np.ufunc) or getattr(primitive, "__module__", None) == "math"


def _evaluate(value: gast.expr, shapes: dict[str, Any], primitive_of: Callable[[gast.expr], Any],
              integers: set[str]) -> Shape:
    try:
        if isinstance(value, gast.Compare):  # elementwise: the operands' broadcast shape
            operands = [value.left, *value.comparators]
            return tuple(np.broadcast_shapes(*[np.shape(_example(o, shapes)) for o in operands]))
        if isinstance(value, (gast.Name, gast.Constant)):
            return _shape_of(_example(value, shapes)) if not isinstance(value, gast.Constant) else _shape_of(
                value.value)
        primitive = primitive_of(value)
        if primitive is None:
            return None
        if isinstance(value, gast.BinOp):
            args = [_example(value.left, shapes), _example(value.right, shapes)]
        elif isinstance(value, gast.UnaryOp):
            args = [_example(value.operand, shapes)]
        elif isinstance(value, gast.Subscript):
            args = [_example(value.value, shapes), _static_index(value.slice, integers)]
        elif isinstance(value, gast.Call):
            # A stand-in 0.0 for a scalar variable is faithful only where values cannot change shapes: a
            # ufunc broadcasts, a ``math`` function returns a float. Elsewhere a scalar may be a length
            # (``np.arange(n)``), an axis or a count, and the shape is unknown.
            example = _example if _elementwise(primitive) else _array_example
            args = [example(a, shapes) if not isinstance(a, (gast.List, gast.Tuple)) else
                    [example(e, shapes) for e in a.elts] for a in value.args]
            kwargs = {k.arg: example(k.value, shapes) for k in value.keywords}
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return _shape_of(primitive(*args, **kwargs))
        else:
            return None
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
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


def _static_index(index: gast.expr, integers: set[str]) -> Any:
    """An index whose effect on the shape does not depend on data: integers and constant slices."""
    if isinstance(index, gast.Tuple):
        return tuple(_static_index(e, integers) for e in index.elts)
    if isinstance(index, gast.Slice):
        return slice(*[None if p is None else _constant_int(p) for p in (index.lower, index.upper, index.step)])
    if isinstance(index, gast.Constant) and (index.value is None or index.value is Ellipsis
                                             or isinstance(index.value, int)):
        return index.value
    if isinstance(index, gast.Name) and index.id in integers:
        return 0
    raise LookupError("index")
