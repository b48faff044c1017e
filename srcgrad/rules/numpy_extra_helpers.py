"""Helpers that the rules of ``numpy_extra_rules.py`` and ``numpy_extra_jvp_rules.py`` call.

As in ``helpers.py``, rules stay straight-line templates and every branch lives here. Each helper works on
NumPy arrays and on Python numbers; the ones that also run on Dask or CuPy arrays create arrays in the
caller's library (``dispatch.zeros``, ``dispatch.to_library``) and read shapes, never values.

Conventions, shared by the reverse and the forward rule of each function so that they stay each other's
transpose at every point:

* ``np.partition`` moves tied values as a stable sort would: the k-th occurrence of a value in the output
  came from its k-th occurrence in the input (``partition_sources``);
* ``np.nan_to_num`` has slope 1 where its input is finite and 0 where it replaced a NaN or an infinity;
* ``np.select`` gives each output element's derivative to the first choice whose condition holds, or to
  ``default`` where none does.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..errors import SrcgradError
from .dispatch import foreign_of, is_foreign, scatter_add, to_library, zeros
from .helpers import array_grad, concatenate_grads, ndim_of, shape_of, unbroadcast, zeros_like_grad
from .registry import defjvp, defnondiff, defvjp


def _is_python_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (np.generic, np.ndarray))


def _floating(value: Any) -> np.dtype:
    """The floating dtype of a derivative computed from ``value`` (float32 stays float32)."""
    if _is_python_number(value):
        return np.dtype(np.float64)
    return np.result_type(value, np.float32)


def cotangent_for(piece: Any, item: Any) -> Any:
    """A piece cut from an output's cotangent, as the cotangent of the argument ``item`` it came from: a
    Python float for a Python number, a scalar of its floating dtype for a NumPy scalar, one cotangent per
    element for a list, else an array in ``item``'s shape and floating dtype."""
    if _is_python_number(item):
        piece = np.reshape(piece, ())
        return piece if is_foreign(piece) else float(piece)
    if isinstance(item, np.generic):
        return np.reshape(piece, ()).astype(_floating(item))[()]
    return array_grad(piece, item)


# --- lists of pieces: np.split and its relatives -----------------------------------------------------------


def joined_pieces(g: Any, pieces: Any, axis: int = 0) -> Any:
    """The cotangents of the pieces of a split joined back along ``axis`` (the cotangent of the split
    array). A missing cotangent (``None``, or the number zero standing for a zero array) is zeros shaped like
    its piece."""
    if g is None or isinstance(g, numbers.Number):
        g = [g] * len(pieces)
    parts = []
    for part, piece in zip(g, pieces):
        if part is None or isinstance(part, numbers.Number):
            part = zeros_like_grad(piece) + (part or 0.0)
        parts.append(part)
    return np.concatenate(parts, axis=axis)


def hsplit_axis(ary: Any) -> int:
    """The axis ``np.hsplit`` splits: the second, or the only one of a 1-D array."""
    return 1 if ndim_of(ary) > 1 else 0


# joined_pieces is linear in its cotangents: its reverse rule cuts a cotangent back into the pieces, its
# forward rule joins the tangents. The pieces themselves only give shapes.


@defvjp(joined_pieces)
def _(ct, ans, g, pieces, axis=0):
    return concatenate_grads(ct, pieces, axis)


@defjvp(joined_pieces)
def _(tt, ans, g, pieces, axis=0):
    return joined_pieces(tt, pieces, axis)


# --- joining: np.append, np.column_stack --------------------------------------------------------------------


def append_grads(g: Any, arr: Any, values: Any, axis: Any = None) -> tuple[Any, Any]:
    """Cotangents of ``np.append(arr, values, axis)``: ``g`` cut where ``arr`` ends, along ``axis``, or in
    the flattened output when ``axis`` is None (both arguments were flattened)."""
    head, tail = concatenate_grads(g, [arr, values], axis)
    return cotangent_for(head, arr), cotangent_for(tail, values)


def _as_column(item: Any) -> Any:
    """``item`` as ``np.column_stack`` stacks it: a 1-D array as a column, a number as a 1 x 1 array."""
    shape = tuple(shape_of(item))
    if len(shape) >= 2:
        return item
    return np.reshape(item, (shape[0], 1) if shape else (1, 1))


def column_stack_grads(g: Any, tup: Any) -> list:
    """Cotangents of the items of ``np.column_stack(tup)``: ``g`` cut along the second axis, each piece back
    in the shape (and type) of its item."""
    pieces = concatenate_grads(g, [_as_column(item) for item in tup], 1)
    return [cotangent_for(piece, item) for piece, item in zip(pieces, tup)]


# --- products: np.cross, np.kron ------------------------------------------------------------------------------


def _as_3_vectors(vectors: Any) -> Any:
    """2-vectors (last axis) padded with a zero z component; 3-vectors as they are."""
    if shape_of(vectors)[-1] == 3:
        return vectors
    return np.concatenate([vectors, np.zeros_like(vectors[..., :1])], axis=-1)


def cross_grads(g: Any, a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                axis: Any = None) -> tuple[Any, Any]:
    """Cotangents of ``np.cross(a, b)``. The cross product is bilinear and ``<g, a x b>`` equals both
    ``<b x g, a>`` and ``<g x a, b>``; 2-vectors are 3-vectors with a zero z component (whose cotangent is
    dropped), and when both are 2-vectors the output is that z component alone. Batch axes broadcast."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a_moved = np.moveaxis(np.asarray(a), axisa, -1)
    b_moved = np.moveaxis(np.asarray(b), axisb, -1)
    na, nb = a_moved.shape[-1], b_moved.shape[-1]
    if na == 2 and nb == 2:
        g3 = np.asarray(g)[..., None] * np.array([0.0, 0.0, 1.0], dtype=_floating(g))
    else:
        g3 = np.moveaxis(np.asarray(g), axisc, -1)
    g_a = unbroadcast(np.cross(_as_3_vectors(b_moved), g3)[..., :na], a_moved)
    g_b = unbroadcast(np.cross(g3, _as_3_vectors(a_moved))[..., :nb], b_moved)
    return array_grad(np.moveaxis(g_a, -1, axisa), a), array_grad(np.moveaxis(g_b, -1, axisb), b)


def kron_grads(g: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Cotangents of ``np.kron(a, b)``. With both shapes padded with leading ones to the same length, output
    axis ``k`` enumerates the pairs ``(i, j)`` of ``a``'s and ``b``'s axis ``k`` as ``i * b_k + j``; so ``g``
    reshaped to interleaved axes ``(a_0, b_0, a_1, b_1, ...)`` holds ``g[i, j] = d out / d(a_i b_j)``, and
    each factor's cotangent is the sum of ``g`` times the other factor over the other factor's axes."""
    nd = max(ndim_of(a), ndim_of(b))
    a_shape = (1,) * (nd - ndim_of(a)) + tuple(shape_of(a))
    b_shape = (1,) * (nd - ndim_of(b)) + tuple(shape_of(b))
    pairs = np.reshape(g, [n for pair in zip(a_shape, b_shape) for n in pair])
    a_spread = np.reshape(a, [n for k in a_shape for n in (k, 1)])
    b_spread = np.reshape(b, [n for k in b_shape for n in (1, k)])
    g_a = np.sum(pairs * b_spread, axis=tuple(range(1, 2 * nd, 2)))
    g_b = np.sum(pairs * a_spread, axis=tuple(range(0, 2 * nd, 2)))
    return cotangent_for(g_a, a), cotangent_for(g_b, b)


# --- axes and positions: np.rollaxis, np.partition, np.take_along_axis ----------------------------------------


def rollaxis_inverse(ndim: int, axis: int, start: int = 0) -> tuple[int, ...]:
    """The axes that undo ``np.rollaxis(a, axis, start)`` for an ``a`` of ``ndim`` axes (as ``np.transpose``
    axes): ``np.rollaxis`` moves ``axis`` to just before ``start``, counted in the original order."""
    axis = axis % ndim if ndim else 0
    start = start + ndim if start < 0 else start
    order = list(range(ndim))
    order.remove(axis)
    order.insert(start - 1 if axis < start else start, axis)
    return tuple(int(i) for i in np.argsort(order))


def partition_sources(a: Any, ans: Any, axis: Any = -1) -> np.ndarray:
    """For each element of ``ans = np.partition(a, kth, axis)``, the position along ``axis`` of the element
    of ``a`` it is (positions in the flattened ``a`` when ``axis`` is None). Matched by value: sorted
    stably, both arrays list the same values in the same order, so the k-th occurrence of a tied value in
    ``ans`` is taken to be its k-th occurrence in ``a``. NumPy only (``np.argsort``)."""
    if axis is None:
        a, axis = np.ravel(a), 0
    from_a = np.argsort(a, axis=axis, kind="stable")
    from_ans = np.argsort(ans, axis=axis, kind="stable")
    return np.take_along_axis(from_a, np.argsort(from_ans, axis=axis), axis=axis)


def partition_destinations(a: Any, ans: Any, axis: Any = -1) -> np.ndarray:
    """For each element of ``a``, where ``np.partition`` put it (the inverse of ``partition_sources``)."""
    return np.argsort(partition_sources(a, ans, axis), axis=-1 if axis is None else axis)


def take_along_axis_grad(g: Any, arr: Any, indices: Any, axis: Any = -1) -> Any:
    """Cotangent of ``np.take_along_axis(arr, indices, axis)``: ``g`` added back at the positions it was
    read from (a position read twice gets both), in ``arr``'s shape. ``arr`` and ``indices`` broadcast along
    the other axes, as in the primal."""
    if axis is None:
        return np.reshape(take_along_axis_grad(g, np.ravel(arr), indices, 0), shape_of(arr))
    shape = tuple(shape_of(arr))
    axis = axis % len(shape)
    index = tuple(indices if d == axis else
                  np.reshape(np.arange(n), [n if k == d else 1 for k in range(len(shape))])
                  for d, n in enumerate(shape))
    return scatter_add(zeros(shape, _floating(g), g, arr), index, g)


# --- np.pad -------------------------------------------------------------------------------------------------

# Padding modes in which every output element is a copy of one input element (or, for "constant", of the
# constant): the derivative adds each element's cotangent back to the element it copies.
_COPYING_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad_mode(mode: Any, reflect_type: str = "even") -> str:
    """``mode`` when srcgrad differentiates ``np.pad`` in it; refuses the others, whose padding is computed
    from the values (statistics, ramps, odd reflections) or left undefined ("empty")."""
    if not isinstance(mode, str) or mode not in _COPYING_PAD_MODES:
        raise SrcgradError(f"the derivative of np.pad(..., mode={mode!r}) is not supported: srcgrad "
                           f"differentiates the modes {', '.join(map(repr, _COPYING_PAD_MODES))}, which copy "
                           "input elements (or a constant) into the border")
    if mode in ("reflect", "symmetric") and reflect_type != "even":
        raise SrcgradError(f"the derivative of np.pad(..., mode={mode!r}, reflect_type={reflect_type!r}) is "
                           "not supported: only the default reflect_type='even', which copies elements, is")
    return mode


def pad_pairs(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``np.pad``'s ``pad_width`` as one ``(before, after)`` pair per axis: an int for every side, a pair for
    every axis, a pair per axis, or (NumPy 2.3 and later) a dict from axes to either."""
    if isinstance(pad_width, dict):
        pairs = [(0, 0)] * ndim
        for axis, width in pad_width.items():
            pairs[axis % ndim] = pad_pairs(width, 1)[0]
        return pairs
    widths = np.round(np.asarray(pad_width)).astype(np.intp)
    if widths.size == 1:
        return [(int(widths.ravel()[0]),) * 2] * ndim
    if widths.size == 2 and widths.shape != (2, 1):
        before, after = (int(w) for w in widths.ravel())
        return [(before, after)] * ndim
    return [(int(before), int(after)) for before, after in np.broadcast_to(widths, (ndim, 2))]


def pad_grad(g: Any, array: Any, pad_width: Any, mode: Any = "constant", reflect_type: str = "even") -> Any:
    """Cotangent of ``np.pad(array, pad_width, mode)`` for the modes that copy elements. NumPy pads one axis
    after the other, each time copying along that axis from the array padded so far; the adjoint undoes the
    axes one by one: for "constant" it keeps the middle, for the other modes it adds the cotangent of every
    output position along the axis to the input position it copies. Which one that is comes from padding the
    positions ``0 .. n-1`` themselves in the same mode, so it is NumPy's own choice for every width."""
    mode = pad_mode(mode, reflect_type)
    shape = tuple(shape_of(array))
    for axis, (n, (before, after)) in enumerate(zip(shape, pad_pairs(pad_width, len(shape)))):
        keep = (slice(None),) * axis
        if mode == "constant":
            g = g[keep + (slice(before, before + n),)]
            continue
        sources = np.pad(np.arange(n), (before, after), mode=mode)
        narrowed = shape_of(g)[:axis] + (n,) + shape_of(g)[axis + 1:]
        g = scatter_add(zeros(narrowed, _floating(g), g), keep + (sources,), g)
    return array_grad(g, array)


# --- np.select, np.nan_to_num, casts ------------------------------------------------------------------------


def select_grads(g: Any, condlist: Any, choicelist: Any, default: Any = 0) -> tuple[Any, Any]:
    """Cotangents of ``np.select(condlist, choicelist, default)``: each output element's cotangent goes to
    the first choice whose condition holds there, or to ``default`` where no condition holds; each is summed
    back over the axes its argument was broadcast along."""
    earlier = np.False_
    parts = []
    for condition, choice in zip(condlist, choicelist):
        chosen = np.logical_and(condition, np.logical_not(earlier))
        parts.append(unbroadcast(np.where(chosen, g, 0), choice))
        earlier = np.logical_or(earlier, condition)
    rest = unbroadcast(np.where(earlier, 0, g), default)
    if isinstance(choicelist, (list, tuple)):
        return type(choicelist)(parts), rest
    return np.stack(parts), rest


def finite_mask(x: Any, copy: bool = True) -> Any:
    """Where ``np.nan_to_num`` keeps its input (1) rather than replacing it by a constant (0). With
    ``copy=False`` NumPy replaces the values in the caller's array itself, so that which elements were
    replaced can no longer be told: refused."""
    if not copy:
        raise SrcgradError("the derivative of np.nan_to_num(..., copy=False) is not supported: it overwrites "
                           "its argument, so the replaced elements cannot be found again; leave copy=True")
    if _is_python_number(x):
        return 1.0 if math.isfinite(x) else 0.0
    return np.isfinite(x)


def _refuse_array_cast(x: Any) -> None:
    if ndim_of(x) > 0:
        raise SrcgradError(f"the derivative of a NumPy scalar type applied to an array with axes (shape "
                           f"{tuple(shape_of(x))}) is not supported: np.float64(x) returns x itself when it is "
                           "already a float64 array, which srcgrad's alias analysis does not model; use "
                           "np.asarray(x, dtype=...) or x.astype(...)")


def cast_grad(g: Any, x: Any) -> Any:
    """Cotangent of ``np.float64(x)`` or ``np.float32(x)`` for a number or a 0-d array ``x``: ``g`` itself,
    never rounded, as a Python float for a Python number and in ``x``'s floating dtype otherwise."""
    _refuse_array_cast(x)
    return cotangent_for(g, x)


def cast_check(x: Any) -> float:
    """``0.0``, added to the tangent of ``np.float64(x)`` or ``np.float32(x)`` so that forward mode refuses an
    ``x`` with axes as the reverse rule does (``cast_grad``)."""
    _refuse_array_cast(x)
    return 0.0


# --- np.gradient -------------------------------------------------------------------------------------------


def gradient_axes(f: Any, axis: Any = None) -> list[int]:
    """The axes ``np.gradient(f, axis=axis)`` differentiates along, in the order of its results."""
    nd = ndim_of(f)
    if axis is None:
        return list(range(nd))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return [a % nd for a in axes]


def _spacing_per_axis(varargs: tuple, count: int) -> list:
    """``np.gradient``'s spacings, one per differentiated axis: none means 1, one scalar is every axis's."""
    if not varargs:
        return [1.0] * count
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * count
    return list(varargs)


def _stencil(n: int, spacing: Any, edge_order: int) -> np.ndarray:
    """``np.gradient`` along one axis of length ``n`` is a banded matrix ``D`` (rows use their neighbours,
    the two end rows up to two neighbours on one side). Returns ``w`` of shape (5, n) with
    ``w[o + 2, i] = D[i, i + o]``, read off NumPy's own gradient of five probe vectors: probe ``r`` is one at
    the positions congruent to ``r`` modulo 5, and as no row of ``D`` reaches two such positions, row ``i``
    of its gradient is the one coefficient ``D[i, j]`` with ``j`` congruent to ``r``."""
    positions = np.arange(n)
    probes = [np.gradient((positions % 5 == r).astype(np.float64), spacing, edge_order=edge_order)
              for r in range(5)]
    return np.stack([np.choose((positions + offset) % 5, probes) * ((positions + offset >= 0)
                                                                     & (positions + offset < n))
                     for offset in range(-2, 3)])


def _shifted(values: Any, offset: int, axis: int) -> Any:
    """``values`` moved ``offset`` places along ``axis`` (towards higher positions when positive), the
    vacated places zero and the ones pushed past the end dropped."""
    n = shape_of(values)[axis]
    keep = (slice(None),) * axis
    if offset > 0:
        moved = values[keep + (slice(0, n - offset),)]
    else:
        moved = values[keep + (slice(-offset, n),)]
    pad = [(0, 0)] * ndim_of(values)
    pad[axis] = (offset, 0) if offset > 0 else (0, -offset)
    return np.pad(moved, pad)


def gradient_along_transposed(g: Any, axis: int, n: int, spacing: Any, edge_order: int) -> Any:
    """``D^T g`` along ``axis``, ``D`` being ``np.gradient``'s matrix for that axis (``_stencil``):
    ``(D^T g)[j] = sum over offsets o of D[j - o, j] g[j - o]``."""
    weights = _stencil(n, spacing, edge_order).astype(_floating(g))
    total = 0.0
    for offset in range(-2, 3):
        w = to_library(np.reshape(weights[offset + 2], [n if k == axis else 1 for k in range(ndim_of(g))]),
                       foreign_of(g))
        term = w * g
        total = total + (term if offset == 0 else _shifted(term, offset, axis))
    return total


def gradient_grad(g: Any, f: Any, varargs: tuple = (), axis: Any = None, edge_order: int = 1) -> Any:
    """Cotangent of ``f`` in ``np.gradient(f, *varargs, axis=axis, edge_order=edge_order)``, which is linear
    in ``f``: one array result per differentiated axis (a single array for one axis), each ``D_axis f``, so
    the cotangent is the sum of ``D_axis^T g_axis``. Missing cotangents of results count as zero."""
    axes = gradient_axes(f, axis)
    parts = [g] if len(axes) == 1 else list(g) if isinstance(g, (list, tuple)) else [g] * len(axes)
    shape = tuple(shape_of(f))
    total = zeros(shape, _floating(f), *[p for p in parts if not isinstance(p, numbers.Number)])
    for part, ax, spacing in zip(parts, axes, _spacing_per_axis(tuple(varargs), len(axes))):
        if part is None or isinstance(part, numbers.Number):
            continue  # a zero cotangent (an unused result)
        total = total + gradient_along_transposed(part, ax, shape[ax], spacing, edge_order)
    return array_grad(total, f)


defnondiff(hsplit_axis, rollaxis_inverse, partition_sources, partition_destinations, pad_mode, finite_mask,
           cast_check, gradient_axes)
