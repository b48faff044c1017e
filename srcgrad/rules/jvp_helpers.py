"""Helpers that forward rules call: ties, kinks, reductions, list arguments and special points.

Forward rules are templates, like reverse rules: a few straight-line statements ending in one ``return``.
Every branch a tangent needs lives here. Each helper mirrors the convention of the reverse rule it pairs
with (ties split evenly, zero gradient of a 2-norm at the origin, the stable order of a sort, ...), so that
``<g, J t>`` from a forward rule equals ``<J^T g, t>`` from the reverse rule at every point, smooth or not.

Tangents keep the floating dtype of the value they belong to (a float32 tangent gives a float32
contribution) and Python floats stay Python floats.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .helpers import (
    _SOLVE_VECTOR_IS_1D,
    det_grad,
    expand_reduced,
    norm_grad,
    ratio_or_zero,
    shape_of,
    zeros_like_grad,
)


def _is_python_scalar(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (np.generic, np.ndarray))


def array_tangent(t: Any) -> Any:
    """The tangent of an array_like argument written as a list or tuple (``np.exp([x, y])``), which comes
    one tangent per item, as the array NumPy makes of the argument; any other tangent as it is. (Python
    operators would repeat or reject a list.)"""
    return np.asarray(t) if isinstance(t, (list, tuple)) else t


def broadcast_tangent(t: Any, like: Any) -> Any:
    """``t`` with the shape of the value ``like`` it is the tangent of. A rule's contribution only
    broadcasts to its output's shape (the tangent of ``s`` in ``zeros(3) + s`` is ``t_s``, a scalar); when
    no other contribution widens it, forward mode widens it here. Identity when the shapes already agree."""
    shape = np.shape(like)
    if np.shape(t) == shape:
        return t
    return np.broadcast_to(t, shape).copy()


def tangent_dtype(value: Any) -> np.dtype:
    """The floating dtype of a tangent computed from ``value`` (float32 stays float32)."""
    if _is_python_scalar(value):
        return np.dtype(np.float64)
    return np.result_type(array_tangent(value), np.float32)


def float_dtype_or_none(dtype: Any) -> Any:
    """A ``dtype=`` argument to pass on to the tangent: floating dtypes are kept (the output has them),
    integer or boolean ones dropped (a tangent is never rounded), ``None`` stays ``None``."""
    if dtype is None:
        return None
    return dtype if np.dtype(dtype).kind in "fc" else None


# --- list arguments --------------------------------------------------------------------------------------


def dense_tangents(t: Any, items: Any) -> list:
    """The tangents of the items of a list argument, each shaped like its item: a missing tangent
    (``None``) becomes zeros, a scalar zero standing for an array's tangent is broadcast to its shape."""
    out = []
    for tangent, item in zip(t, items):
        if tangent is None:
            tangent = zeros_like_grad(item)
        elif np.shape(tangent) != np.shape(item) and not isinstance(item, (list, tuple)):
            tangent = np.broadcast_to(tangent, np.shape(item))
        out.append(tangent)
    return out


def with_operand(operands: tuple, k: int, t: Any) -> tuple:
    """``operands`` with the ``k``-th one replaced by its tangent (the forward rule of a multilinear
    function such as ``np.einsum``)."""
    return (*operands[:k], t, *operands[k + 1:])


def einsum_operand_tangent(t: Any, k: int, operands: Any) -> Any:
    """``np.einsum(*operands)`` with the ``k``-th positional argument replaced by its tangent ``t``: the
    tangent contributed by that operand (einsum is linear in each). ``operands`` are the positional
    arguments as the call gave them, a subscripts string and the operands or operands interleaved with
    sublists, which ``np.einsum`` reads alike. A function with rules of its own (``helper_rules.py``), so
    that the forward code of an einsum can be differentiated again."""
    return np.einsum(*with_operand(tuple(operands), k, t))


def array_jvp(t: Any, obj: Any, dtype: Any = None, ndmin: int = 0) -> Any:
    """Tangent of ``np.array(obj, dtype, ndmin=ndmin)``: the same construction from the tangents of the
    items (of ``obj`` itself when it is an array), in the output's floating dtype."""
    if isinstance(obj, (list, tuple)):
        t = dense_tangents(t, obj)
    return np.array(t, dtype=float_dtype_or_none(dtype), ndmin=ndmin)


def sum_jvp(t: Any) -> Any:
    """Tangent of the builtin ``sum(iterable)``: the sum of the items' tangents (of the rows of an array);
    missing tangents count as zero. ``start`` is a constant."""
    if isinstance(t, np.ndarray):
        return np.sum(t, axis=0)
    total = 0.0
    for tangent in t:
        if tangent is not None:
            total = total + tangent
    return total


# --- elementwise functions with branches -------------------------------------------------------------------


def select_jvp(t: Any, wins: Any, loses: Any) -> Any:
    """The tangent of an argument of ``maximum``/``minimum``-like selections: ``t`` where the argument
    wins, nothing where the other one does, half of ``t`` where neither does (a tie, as the reverse rules
    split the cotangent)."""
    t = array_tangent(t)
    return np.where(wins, t, np.where(loses, 0, t * 0.5))


def clip_jvp(t: Any, a: Any, a_min: Any = None, a_max: Any = None) -> Any:
    """Tangent of ``np.clip`` in ``a``: ``t`` where ``a_min <= a <= a_max`` (boundaries included, as
    the reverse rule), zero where the input was clipped; either bound may be None."""
    inside = True
    if a_min is not None:
        inside = inside & np.greater_equal(a, a_min)
    if a_max is not None:
        inside = inside & np.less_equal(a, a_max)
    return array_tangent(t) * inside


# --- reductions ------------------------------------------------------------------------------------------


def _ones_like_output(ans: Any, t: Any) -> Any:
    return np.ones(shape_of(ans), dtype=np.result_type(tangent_dtype(t), tangent_dtype(ans)))


def extremum_jvp(t: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Tangent of ``max``/``min`` reductions: the mean of the tangents of the tied extrema (the reverse
    rule splits the cotangent evenly between them); a NaN extremum takes the NaN elements' tangents."""
    t = array_tangent(t)
    if not shape_of(x):
        return t
    extremum = expand_reduced(ans, x, axis, keepdims)
    hit = np.equal(x, extremum) | (np.isnan(x) & np.isnan(extremum))
    count = np.sum(hit, axis=axis, keepdims=keepdims, dtype=tangent_dtype(t))
    return np.sum(np.where(hit, t, 0), axis=axis, keepdims=keepdims) / count


def prod_jvp(t: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Tangent of ``np.prod``: each tangent times the product of the *other* elements (exact at zeros,
    as the reverse rule), summed over the reduced axes."""
    t = array_tangent(t)
    if not shape_of(x):
        return t
    return np.sum(product_of_others(np.asarray(x), axis) * t, axis=axis, keepdims=keepdims)


def product_of_others(x: Any, axis: Any = None) -> Any:
    """For every element of ``x``, the product of the other elements it is reduced with over ``axis``
    (None: all of them; an int or a tuple of axes), without division, so exact at zeros. Written with
    differentiable NumPy calls (cumulative products from both ends) so that the tangent of ``np.prod``
    has second derivatives too."""
    if axis is None:
        return np.reshape(_others_along_last(np.ravel(x)), np.shape(x))
    if isinstance(axis, (tuple, list)):
        axes = tuple(axis)
        ends = tuple(range(-len(axes), 0))
        moved = np.moveaxis(x, axes, ends)
        merged = np.reshape(moved, np.shape(moved)[: np.ndim(moved) - len(axes)] + (-1,))
        others = np.reshape(_others_along_last(merged), np.shape(moved))
        return np.moveaxis(others, ends, axes)
    return np.moveaxis(_others_along_last(np.moveaxis(x, axis, -1)), -1, axis)


def _others_along_last(x: Any) -> Any:
    before = _exclusive_cumprod_last(x)
    after = np.flip(_exclusive_cumprod_last(np.flip(x, -1)), -1)
    return before * after


def _exclusive_cumprod_last(x: Any) -> Any:
    """``[1, x_0, x_0 x_1, ...]`` along the last axis."""
    ones = np.ones(np.shape(x)[:-1] + (1,), dtype=np.result_type(x, np.float32))
    return np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)


def cumprod_jvp(t: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """Tangent of ``np.cumprod``: ``sum over i <= j of t_i * prod over k <= j, k != i of a_k``.

    Before the first zero ``z`` of a line that is ``ans_j * cumsum(t / a)_j``; from it on every product
    but the one leaving out ``a_z`` vanishes, which leaves ``t_z * ans_{z-1} * prod over z < k <= j of
    a_k``. Linear time, exact at zeros."""
    if axis is None:
        return cumprod_jvp(np.ravel(t), np.ravel(ans), np.ravel(a), 0)
    x = np.moveaxis(np.asarray(a), axis, -1)
    t_m = np.moveaxis(np.asarray(t), axis, -1)
    ans_m = np.moveaxis(np.asarray(ans), axis, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ans_m * np.cumsum(t_m / x, axis=-1)
    for line in map(tuple, np.argwhere(np.any(x == 0, axis=-1))):
        values = x[line]
        z = int(np.argmax(values == 0))
        tail = np.cumprod(np.concatenate([[1], values[z + 1:]]))
        out[line + (slice(z, None),)] = t_m[line + (z,)] * (ans_m[line + (z - 1,)] if z else 1) * tail
    return np.moveaxis(out, -1, axis)


def diff_jvp(t: Any, n: int = 1, axis: int = -1, prepend: Any = np._NoValue, append: Any = np._NoValue) -> Any:
    """Tangent of ``np.diff``: the same differences of ``t``, with zeros in place of the constant
    ``prepend``/``append`` values."""
    dtype = tangent_dtype(t)
    if prepend is not np._NoValue:
        prepend = np.zeros(np.shape(prepend), dtype=dtype)
    if append is not np._NoValue:
        append = np.zeros(np.shape(append), dtype=dtype)
    return np.diff(t, n=n, axis=axis, prepend=prepend, append=append)


def sort_jvp(t: Any, a: Any, axis: Any = -1) -> Any:
    """Tangent of ``np.sort``: ``t`` permuted as the values were, in the stable order (ties keep their
    order, as the reverse rule sends cotangents back)."""
    if axis is None:
        return sort_jvp(np.ravel(t), np.ravel(a), 0)
    order = np.argsort(a, axis=axis, kind="stable")
    return np.take_along_axis(np.asarray(t), order, axis=axis)


# --- linear algebra ----------------------------------------------------------------------------------------


def det_jvp(t: Any, ans: Any, a: Any) -> Any:
    """Tangent of ``np.linalg.det``: ``sum(cofactor(a) * t)`` over each matrix, which is
    ``det(a) trace(inv(a) @ t)`` for an invertible ``a``; the cofactor comes from the reverse rule's
    helper, finite for singular matrices too."""
    return np.sum(det_grad(_ones_like_output(ans, t), ans, a) * t, axis=(-2, -1))


def solve_a_jvp(t: Any, ans: Any, a: Any, b: Any) -> Any:
    """Tangent of ``np.linalg.solve(a, b)`` in ``a``: ``-solve(a, t @ x)``, for a vector or matrix
    right-hand side, with batch broadcasting."""
    vector = np.ndim(b) == 1 if _SOLVE_VECTOR_IS_1D else np.ndim(b) == np.ndim(a) - 1
    x_m = ans[..., None] if vector else ans
    dx = -np.linalg.solve(a, t @ x_m)
    return dx[..., 0] if vector else dx


def norm_jvp(t: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Tangent of ``np.linalg.norm`` for every order. The smooth ones are written out so that they have
    second derivatives: ``<x, t> / norm`` for the Euclidean and Frobenius norms (zero at the origin),
    ``<sign(x) |x|^(p-1), t> / norm^(p-1)`` for vector p-norms with p > 1. The piecewise linear ones
    (1, inf, -inf, 0) dot ``t`` with their piecewise constant gradient; the rest (matrix 2, -2 and
    nuclear norms, p < 1) with the reverse rule's gradient, whose own derivative is refused."""
    if isinstance(axis, list):
        axis = tuple(axis)
    x = np.asarray(x)
    t = array_tangent(t)
    kind = norm_kind(ord, axis, np.ndim(x))
    if kind == "euclidean":
        return ratio_or_zero(np.sum(x * t, axis=axis, keepdims=keepdims), ans)
    if kind == "power":
        power = np.sum(np.sign(x) * np.abs(x) ** (ord - 1) * t, axis=axis, keepdims=keepdims)
        return ratio_or_zero(power, ans ** (ord - 1))
    if kind == "piecewise linear":
        weights = piecewise_linear_norm_grad(_ones_like_output(ans, t), ans, x, ord, axis, keepdims)
        return np.sum(weights * t, axis=axis, keepdims=keepdims)
    weights = svd_norm_grad(_ones_like_output(ans, t), ans, x, ord, axis, keepdims)
    return np.sum(weights * t, axis=axis, keepdims=keepdims)


def norm_kind(ord: Any, axis: Any, ndim: int) -> str:
    """Which formula the tangent of ``np.linalg.norm(x, ord, axis)`` takes: "euclidean", "power" (vector
    p-norm, p > 1), "piecewise linear" or "other"."""
    if ord is None or (isinstance(ord, str) and ord == "fro"):
        return "euclidean"
    if isinstance(ord, str):
        return "other"
    vector = isinstance(axis, int) or (axis is None and ndim == 1) or (isinstance(axis, tuple) and len(axis) == 1)
    if vector:
        if ord == 2:
            return "euclidean"
        if ord in (0, 1, np.inf, -np.inf):
            return "piecewise linear"
        return "power" if ord > 1 else "other"
    return "piecewise linear" if ord in (1, -1, np.inf, -np.inf) else "other"


def piecewise_linear_norm_grad(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None,
                               keepdims: bool = False) -> Any:
    """The gradient of a piecewise linear norm (``norm_grad``), which is piecewise constant: its own
    derivative is zero wherever it is defined, and its rules say so."""
    return norm_grad(g, ans, x, ord, axis, keepdims)


def svd_norm_grad(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """The gradient of the other norms (``norm_grad``: matrix 2, -2 and nuclear norms through the SVD,
    vector p-norms with p < 1); its rules refuse to differentiate it again."""
    return norm_grad(g, ans, x, ord, axis, keepdims)


def vector_norm_jvp(t: Any, ans: Any, x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Any:
    """Tangent of the shim's ``vector_norm``, mirroring ``shim_rules.vector_norm_grad``: zero where the
    norm is zero, the tangents of tied entries of an inf-norm averaged."""
    norm = expand_reduced(ans, x, dim, keepdim)
    dtype = tangent_dtype(t)
    if ord == 0:
        return np.zeros(shape_of(ans), dtype=np.result_type(dtype, tangent_dtype(ans)))
    if ord == 1:
        return np.sum(np.sign(x) * t, axis=dim, keepdims=keepdim)
    if ord in (np.inf, -np.inf):
        hits = np.abs(x) == norm
        count = np.sum(hits, axis=dim, keepdims=keepdim, dtype=dtype)
        return np.sum(np.where(hits, np.sign(x) * t, 0), axis=dim, keepdims=keepdim) / count
    scale = np.where(norm == 0, 0, 1 / np.where(norm == 0, 1, norm ** (ord - 1)))
    return np.sum(scale * np.sign(x) * np.abs(x) ** (ord - 1) * t, axis=dim, keepdims=keepdim)


def reshape_tangent(t: Any, shape: Any, order: str = "C", **kwargs: Any) -> Any:
    """``np.reshape`` of a tangent as the primal was reshaped; ``order`` is passed on only when it is not
    the default, since Dask's reshape takes none."""
    if order == "C":
        return np.reshape(t, shape, **kwargs)
    return np.reshape(t, shape, order=order, **kwargs)
