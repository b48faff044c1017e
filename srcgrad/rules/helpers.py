"""Helpers that derivative rules call: broadcasting, reductions, ties, scatter, contractions.

They run inside generated adjoint code and inside the Tensor shim, so each works on NumPy arrays and on
plain Python numbers, and takes the fast path when there is nothing to do. Rules stay straight-line
templates; every branch a derivative needs lives here.

They also run on the arrays of other libraries that implement NumPy's dispatch protocols (Dask, CuPy): only
NumPy functions those libraries take over are called on cotangents and inputs, arrays are created in the
caller's library (``srcgrad.rules.dispatch``), and shape logic reads ``.shape``, which a Dask array knows
without computing. The helpers that cannot do this say so in their docstring, and their rules carry a
``dispatch_note`` (docs/rules.md lists them).

Two conventions hold throughout: a float32 input gets a float32 cotangent (constants are Python floats,
which NumPy treats as "weak", never NumPy float64 scalars), and Python floats stay Python floats.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

from ..errors import SrcgradError
from .contraction_order import pairwise_path
from .dispatch import astype, foreign_of, is_foreign, scatter_add, to_library, zeros

# Helpers that return every partial of a call at once (``einsum_grads``), mapped to the form that returns one,
# ``form(*the same arguments, position)``: an inlined rule that returns the first computes only the partials
# its call site needs (``transform/inline.py``), where the tuple form would compute the cotangents of
# constants too.
ONE_PARTIAL: dict[Any, Any] = {}


# NumPy's array type. A backward the shim records runs these helpers with ``np`` rebound to its tensor
# namespace, whose ``ndarray`` is not this: that is how a helper keeps the steps of PyTorch's formulas there.
_ARRAY_TYPE = np.ndarray


def one_partial_of(all_partials: Any):
    """Declare the decorated helper as the one-position form of ``all_partials``."""
    def register(function: Any) -> Any:
        ONE_PARTIAL[all_partials] = function
        return function
    return register


# NumPy 2 treats the right-hand side of ``np.linalg.solve`` as a vector only when it is 1-D.
_SOLVE_VECTOR_IS_1D = int(np.__version__.split(".")[0]) >= 2

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def _is_python_scalar(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (np.generic, np.ndarray))


def shape_of(value: Any) -> tuple[int, ...]:
    """``np.shape`` without its overhead for the common cases."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return shape
    if isinstance(value, numbers.Number):
        return ()
    return np.shape(value)


def in_library_of(g: Any, like: Any) -> Any:
    """``g`` as an array of ``like``'s library when ``like`` is a Dask or CuPy array and ``g`` is not (the
    seed ``1.0`` of a scalar output, a NumPy cotangent): a NumPy array made from it would not mix with
    CuPy arrays, and would be shipped whole inside a Dask graph. Anything else is returned as it is."""
    if type(like) is np.ndarray or like is None or not is_foreign(like) or is_foreign(g):
        return g
    return np.asarray(g, like=like)


def ndim_of(value: Any) -> int:
    """``np.ndim`` from the shape attribute (which every array library has, where ``np.ndim`` may not
    dispatch)."""
    return len(shape_of(value))


def unbroadcast(g: Any, like: Any) -> Any:
    """Sum the cotangent ``g`` over the axes along which ``like`` was broadcast, so that the result has
    ``like``'s shape. Reverse-mode's answer to NumPy's broadcasting, for every binary operator."""
    if type(g) is _ARRAY_TYPE and type(like) is _ARRAY_TYPE:   # the common cases first
        if g.shape == like.shape:
            return g   # nothing was broadcast
        if not like.shape:
            return np.add.reduce(g, tuple(range(g.ndim)))   # a 0-d operand: the total (np.sum's own ufunc)
    g_shape = shape_of(g)
    target = shape_of(like)
    if g_shape != target and np.ndarray is not _ARRAY_TYPE:   # in a backward the shim records
        return _sum_to_recorded(g, g_shape, tuple(target))
    if g_shape != target:
        extra = len(g_shape) - len(target)
        if extra > 0:   # (NumPy's own arrays through the ufunc np.sum ends in: its dispatch costs a microsecond)
            leading = tuple(range(extra))
            g = np.add.reduce(g, leading) if type(g) is np.ndarray else np.sum(g, axis=leading)
        axes = tuple(i for i, n in enumerate(target) if n == 1 and shape_of(g)[i] != 1)
        if axes:
            g = np.sum(g, axis=axes, keepdims=True)
    if not target and isinstance(g, np.ndarray) and isinstance(like, numbers.Number):
        return g[()]
    return g


def _sum_to_recorded(g: Any, g_shape: tuple, target: tuple) -> Any:
    """``unbroadcast`` in a backward the shim records: the steps of PyTorch's ``sum_to`` (one sum keeping
    the dimensions, then a view without the leading ones; a plain sum to a scalar), so that the graph's
    nodes are PyTorch's."""
    if not target:
        return np.sum(g)
    extra = len(g_shape) - len(target)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(target) if n == 1 and g_shape[extra + i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return np.reshape(g, target) if extra > 0 else g


def ieee_divide(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` that gives ±inf or nan for a zero denominator, as NumPy's float64 does,
    instead of raising ``ZeroDivisionError`` on Python floats (e.g. the slope of ``math.sqrt`` at 0)."""
    try:
        return numerator / denominator
    except ZeroDivisionError:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.divide(np.float64(numerator), denominator))


def floor_quotient(x: Any, y: Any) -> Any:
    """``x // y``, the quotient whose multiple ``x % y`` subtracts (minus the slope of ``x % y`` in ``y``).
    ``%`` on a string is formatting, not a remainder: a value formatted into a string and read back
    (``float("%.3f" % x)``) has no derivative srcgrad can take, so it refuses rather than guess zero."""
    if isinstance(x, (str, bytes)):
        raise SrcgradError("the derivative of string formatting with % is not supported: a differentiated "
                           "value is formatted into a string; hold it constant (srcgrad.stop_gradient) or "
                           "compute the number without the string")
    return x // y


def ratio_or_zero(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator``, and 0 where the denominator is 0: the cotangent scale of a 2-norm or a
    standard deviation, zero at the origin (or for constant data) as PyTorch gives."""
    if _is_python_scalar(denominator) and _is_python_scalar(numerator):
        return numerator / denominator if denominator != 0 else 0.0 * numerator
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.equal(denominator, 0), 0, np.divide(numerator, denominator))


# --- reductions ------------------------------------------------------------------------------------------


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(a % ndim for a in axis)
    return (axis % ndim,)


def expand_reduced(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Reshape the cotangent of a reduction so that it broadcasts against the reduced input ``like``."""
    shape = shape_of(like)
    if keepdims or not shape:
        return g
    reduced = _normalize_axes(axis, len(shape))
    if len(reduced) == len(shape) and np.ndim(g) == 0:
        return g   # a total already broadcasts (a recorded backward expands it directly, as PyTorch's)
    kept = [1 if i in reduced else n for i, n in enumerate(shape)]
    return np.reshape(in_library_of(g, like), kept)


def repeat_reduced(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The cotangent of ``np.sum(like, axis, keepdims)``: ``g`` spread back over the summed axes."""
    shape = shape_of(like)
    if not shape:
        return g
    if type(g) is _ARRAY_TYPE and g.ndim == 0 and type(like) is _ARRAY_TYPE:
        return spread_scalar(g, shape)
    # The seed 1.0 of a mean over a Dask array is broadcast in Dask, not into a NumPy array as long as
    # the data (which the graph would then carry to every worker).
    return np.broadcast_to(in_library_of(expand_reduced(g, like, axis, keepdims), like), shape)


def spread_scalar(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``np.broadcast_to(g, shape)`` for a 0-d ``g``: the same read-only view with zero strides, made by the
    array constructor in a third of the time (``broadcast_to`` builds an iterator to check its shapes)."""
    try:
        view = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
    except TypeError:   # (an object array has no buffer to view)
        return np.broadcast_to(g, shape)
    view.flags.writeable = False
    return view


def reduced_count(like: Any, axis: Any = None) -> int:
    """How many elements of ``like`` each output of a reduction over ``axis`` combines."""
    shape = shape_of(like)
    count = 1
    for i in _normalize_axes(axis, len(shape)):
        count *= shape[i]
    return count


def _float_dtype(value: Any) -> np.dtype:
    """The floating dtype a cotangent computed from ``value`` should have (float32 stays float32)."""
    return np.result_type(value, np.float32) if not _is_python_scalar(value) else np.dtype(np.float64)


def extremum_grad(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``max``/``min`` reductions: split evenly between tied extrema, as PyTorch's
    ``amax``/``amin`` and full ``max()``/``min()`` do. A NaN extremum goes to the NaN elements."""
    if not shape_of(x):
        return g
    extremum = expand_reduced(ans, x, axis, keepdims)
    hit = np.equal(x, extremum) | (np.isnan(x) & np.isnan(extremum))
    g_expanded = expand_reduced(g, x, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=True, dtype=_float_dtype(g_expanded))
    return np.where(hit, g_expanded / count, 0)


def prod_grad(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``np.prod``: the product of all *other* elements, exact even where ``x`` has zeros
    (``ans / x`` would divide by zero)."""
    if not shape_of(x):
        return g
    if axis is None:
        flat = np.ravel(x)
        return np.reshape(_product_of_others(flat, 0), shape_of(x)) * g
    if isinstance(axis, (tuple, list)):
        moved = np.moveaxis(x, axis, tuple(range(-len(axis), 0)))
        merged = np.reshape(moved, moved.shape[: moved.ndim - len(axis)] + (-1,))
        others = np.reshape(_product_of_others(merged, -1), moved.shape)
        others = np.moveaxis(others, tuple(range(-len(axis), 0)), axis)
    else:
        others = _product_of_others(x, axis)
    return others * expand_reduced(g, x, axis, keepdims)


def _product_of_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For every element, the product of the other elements along ``axis``, without division."""
    return _exclusive_cumprod(x, axis) * np.flip(_exclusive_cumprod(np.flip(x, axis), axis), axis)


def _exclusive_cumprod(x: np.ndarray, axis: int) -> np.ndarray:
    head = [slice(None)] * x.ndim
    rest = list(head)
    head[axis] = slice(0, 1)
    rest[axis] = slice(0, x.shape[axis] - 1)
    shifted = np.concatenate([np.ones_like(x[tuple(head)]), x[tuple(rest)]], axis=axis)
    return np.cumprod(shifted, axis=axis)


def cumsum_grad(g: Any, a: Any, axis: Any = None) -> Any:
    """Cotangent of ``np.cumsum``: the reversed cumulative sum of ``g`` (over the flattened input when
    ``axis`` is None)."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), shape_of(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_grad(g: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """Cotangent of ``np.cumprod``: ``sum over j >= i of g_j * prod over k <= j, k != i of a_k``.

    Before the first zero of a line that is ``reversed cumsum(g * ans)_i / a_i`` (the terms from the zero
    on vanish with ``ans``); after it every product contains the zero; at the first zero ``z`` it is
    ``ans_{z-1} * sum over j >= z of g_j * prod over z < k <= j of a_k``. Linear time, exact at zeros.

    Not dispatch-safe: the lines with a zero are found and fixed up in a loop over the data."""
    if axis is None:
        return np.reshape(cumprod_grad(np.ravel(g), np.ravel(ans), np.ravel(a), 0), shape_of(a))
    x = np.moveaxis(np.asarray(a), axis, -1)
    g_m = np.moveaxis(np.asarray(g), axis, -1)
    ans_m = np.moveaxis(np.asarray(ans), axis, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.flip(np.cumsum(np.flip(g_m * ans_m, -1), -1), -1) / x
    for line in map(tuple, np.argwhere(np.any(x == 0, axis=-1))):
        values = x[line]
        z = int(np.argmax(values == 0))
        tail = np.cumprod(np.concatenate([[1], values[z + 1:]]))
        out[line + (slice(z + 1, None),)] = 0
        out[line + (z,)] = (ans_m[line + (z - 1,)] if z else 1) * np.sum(g_m[line + (slice(z, None),)] * tail)
    return np.moveaxis(out, -1, axis)


def diff_grad(g: Any, a: Any, n: int = 1, axis: int = -1, prepend: Any = np._NoValue,
              append: Any = np._NoValue) -> Any:
    """Cotangent of ``np.diff``: the adjoint of a first difference ``y_i = x_{i+1} - x_i`` is
    ``-diff(pad(g, 1))``, applied ``n`` times; with ``prepend``/``append`` the input is the middle part."""
    axis = axis % max(ndim_of(a), 1)
    pad = [(0, 0)] * ndim_of(g)
    pad[axis] = (1, 1)
    for _ in range(n):
        g = -np.diff(np.pad(g, pad), axis=axis)
    before = 0 if prepend is np._NoValue else (1 if ndim_of(prepend) == 0 else shape_of(prepend)[axis])
    index = [slice(None)] * ndim_of(g)
    index[axis] = slice(before, before + shape_of(a)[axis])
    return g[tuple(index)]


def trace_grad(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Cotangent of ``np.trace``: ``g`` placed on the chosen diagonal of every matrix."""
    shape = shape_of(a)
    eye = to_library(np.eye(shape[axis1], shape[axis2], k=offset, dtype=_float_dtype(g)), foreign_of(g, a))
    g = np.reshape(in_library_of(g, a), shape_of(g) + (1, 1))
    return np.moveaxis(eye * g, (-2, -1), (axis1, axis2))


# --- elementwise functions with branches -------------------------------------------------------------------


def _select_grad(g: Any, mine: Any, wins: Any, ties: Any) -> Any:
    """``g`` to the operand ``mine`` where it ``wins``, half of ``g`` where it ties (the mask ``ties``, or None
    where ties go elsewhere): one product where NumPy finds no tie, as a hand-written gradient has (a lazy
    library's masks are not looked at: that would compute them). Entries that get nothing are +0, as in
    PyTorch's masked gradients (``masked``)."""
    if ties is not None and (is_foreign(ties) or np.any(ties)):
        return unbroadcast(g * wins + (g * 0.5) * ties + 0.0, mine)
    return unbroadcast(masked(g, wins), mine)


def masked(g: Any, mask: Any) -> Any:
    """``g`` where ``mask`` holds, +0 elsewhere (as PyTorch's masked gradients; the product alone gives -0
    for a negative ``g``). A product and an added zero: four times faster than ``np.where``, whose loop NumPy
    does not vectorise. (A ``g`` of exactly -0 where the mask holds becomes +0 too, and an infinite or NaN
    ``g`` where it does not gives NaN, where PyTorch's masks give 0.)"""
    return g * mask + 0.0


def maximum_grad(g: Any, x: Any, y: Any, k: int) -> Any:
    """Cotangent of ``np.maximum(x, y)`` for operand ``k``: to the larger one, ties split evenly (as
    ``torch.maximum``)."""
    mine, other = (x, y) if k == 0 else (y, x)
    return _select_grad(g, mine, np.greater(mine, other), np.equal(mine, other))


def minimum_grad(g: Any, x: Any, y: Any, k: int) -> Any:
    """Cotangent of ``np.minimum(x, y)`` for operand ``k``: to the smaller one, ties split evenly (as
    ``torch.minimum``)."""
    mine, other = (x, y) if k == 0 else (y, x)
    return _select_grad(g, mine, np.less(mine, other), np.equal(mine, other))


def fmax_grad(g: Any, x: Any, y: Any, k: int) -> Any:
    """Cotangent of ``np.fmax`` for operand ``k``, as ``torch.fmax``: a tie goes to ``x``, and a NaN never
    wins unless both arguments are NaN."""
    x_wins = np.greater_equal(x, y) | np.isnan(y)
    return _select_grad(g, x, x_wins, None) if k == 0 else _select_grad(g, y, ~x_wins, None)


def fmin_grad(g: Any, x: Any, y: Any, k: int) -> Any:
    """Cotangent of ``np.fmin`` for operand ``k``, as ``torch.fmin``."""
    x_wins = np.less_equal(x, y) | np.isnan(y)
    return _select_grad(g, x, x_wins, None) if k == 0 else _select_grad(g, y, ~x_wins, None)


def clip_grad(g: Any, a: Any, a_min: Any = None, a_max: Any = None) -> Any:
    """Cotangent of ``np.clip``: ``g`` where ``a_min <= a <= a_max`` (boundaries included, as
    ``torch.clamp``), zero where the input was clipped; either bound may be None."""
    inside = True
    if a_min is not None:
        inside = inside & np.greater_equal(a, a_min)
    if a_max is not None:
        inside = inside & np.less_equal(a, a_max)
    return unbroadcast(g * inside if inside is True else masked(g, inside), a)


def power_base_grad(g: Any, x: Any, y: Any) -> Any:
    """Cotangent of ``x`` in ``x ** y``: ``g * y * x ** (y - 1)``, and zero wherever ``y == 0`` (also at
    ``x == 0``, where ``x ** -1`` is infinite), as ``torch.pow``.

    Higher derivatives call it again with the coefficient ``g * y`` and the exponent ``y - 1`` (its rules
    in ``helper_rules.py``). That coefficient is exactly zero where ``y == 0``, and the term it scales is
    then identically zero, even where the slope ``x ** (y - 2)`` is infinite: so a zero ``g`` gives zero
    against an infinite slope, and the second derivative of ``x ** 0`` (or ``x ** 1``) at ``x == 0`` is 0,
    as PyTorch gives, not ``0 * inf``."""
    if (type(y) is int or type(y) is float or isinstance(y, numbers.Number)) and y >= 1:  # the common x ** 2
        if type(x) is np.ndarray:
            # PyTorch's order, grad * (y * x ** (y - 1)); for x ** 2, 2 * x as x + x: exact, and a ufunc
            # with a Python-number operand costs NumPy more than the arithmetic on a small array (bools
            # excepted: their + is or)
            return g * (x + x if y == 2 and x.dtype.kind != "b" else y * x ** (y - 1))
        # x itself for x ** 1, except in a backward the shim records (``np`` is then its tensor
        # namespace): PyTorch's formula keeps x.pow(1), whose graph depends on x, so the Hessian of a
        # quadratic requires grad there
        plain = y == 2 and np.ndarray is _ARRAY_TYPE
        return g * y * (x if plain else x ** (y - 1))
    if _is_python_scalar(x) and _is_python_scalar(y):
        if y == 0:
            return 0.0 * g
        try:
            return g * y * x ** (y - 1)
        except ZeroDivisionError:  # 0.0 ** negative: the slope is infinite
            return _scaled_slope(g, y * math.inf)
    if isinstance(x, np.ndarray) and x.dtype.kind in "biu":
        x = x.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(np.equal(y, 0), 0, y * np.power(x, y - 1))
    return _scaled_slope(g, slope)


def _scaled_slope(g: Any, slope: Any) -> Any:
    """``g * slope``, except that a zero ``g`` gives zero where the slope is infinite (``0 * inf`` is NaN):
    a term whose coefficient vanishes contributes nothing (see ``power_base_grad``)."""
    if isinstance(g, numbers.Number) and isinstance(slope, numbers.Number):
        return g * slope if g != 0 else 0.0 * g
    with np.errstate(invalid="ignore"):
        return np.where(np.equal(g, 0) & np.isinf(slope), 0, g * slope)


def power_exponent_grad(g: Any, ans: Any, x: Any) -> Any:
    """Cotangent of ``y`` in ``x ** y``: ``g * x ** y * log(x)``, taken as zero where ``x <= 0`` (where
    ``x ** y`` is not differentiable in ``y``)."""
    if _is_python_scalar(x) and _is_python_scalar(ans):
        return g * ans * math.log(x) if x > 0 else 0.0 * g
    positive = np.greater(x, 0)
    log_x = np.log(astype(np.where(positive, x, 1), _float_dtype(ans)))
    with np.errstate(invalid="ignore"):
        return g * np.where(positive, ans * log_x, 0)


# --- indexing ----------------------------------------------------------------------------------------------


def _parts(index: Any) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def same_container(items: list, like: list | tuple) -> list | tuple:
    """``items`` in ``like``'s container: a list, a tuple, or a named tuple (``np.linalg.slogdet``'s
    result, whose constructor takes the fields one by one)."""
    if isinstance(like, tuple) and hasattr(like, "_fields"):
        return type(like)(*items)
    return type(like)(items)


def getitem_grad(g: Any, x: Any, index: Any) -> Any:
    """Cotangent of ``x[index]``: ``g`` scattered into zeros shaped like ``x``; repeated integer indices
    accumulate (``np.add.at``), basic slices assign directly. For a list or tuple ``x``, a list (tuple)
    with one cotangent per item; for a dict, a dict holding only ``index``."""
    if type(x) is np.ndarray and type(index) in _ONE_PART and type(g) in _PLAIN:  # the common case, first
        out = np.zeros(x.shape, np.result_type(x, g))
        out[index] = g
        return out
    if type(x) is np.ndarray and type(index) is np.ndarray and type(g) is np.ndarray:
        gathered = _gather_grad(g, x, index)
        if gathered is not None:
            return gathered
    if isinstance(x, dict):
        return {index: g}  # sparse: keys not read have no entry (a zero cotangent)
    if isinstance(x, (list, tuple)):
        out = [zeros_like_grad(item) for item in x]
        out[index] = g
        return same_container(out, x)
    out = zeros(shape_of(x), np.result_type(x, g), g, x)
    if _is_basic_index(index):
        if type(out) is not np.ndarray and any(p is None for p in _parts(index)):
            # Libraries whose item assignment takes no new axes (Dask): drop them, and g's axes of size 1.
            index = tuple(p for p in _parts(index) if p is not None)
            g = np.reshape(g, shape_of(x[index]))
        out[index] = g
        return out
    return scatter_add(out, index, g)


def add_at(out: np.ndarray, index: Any, g: Any) -> None:
    """``out += getitem_grad(g, out, index)`` in place, for an accumulator the generated code owns
    (``transform/accumulate.py``): a basic index adds into the view, any other accumulates repeats."""
    if _is_basic_index(index):
        out[index] += g
    else:
        np.add.at(out, index, g)


def add_element(out: Any, g: Any, x: Any, index: Any) -> Any:
    """``out + getitem_grad(g, x, index)`` for an ``out`` the generated code just made of ``x``'s shape and
    owns (``transform/accumulate.py``): added in place into a NumPy array, by the general rule otherwise
    (another library's array; the generated code adds containers' cotangents with ``add_grads``)."""
    if type(out) is np.ndarray and type(x) is np.ndarray and (type(index) in _ONE_PART or _is_basic_index(index)):
        out[index] += g
        return out
    return out + getitem_grad(g, x, index)


def _gather_grad(g: np.ndarray, x: np.ndarray, index: np.ndarray) -> np.ndarray | None:
    """The cotangent of a gather ``x[index]`` (one integer array indexing the first axis) of float64 arrays,
    as one weighted ``np.bincount`` over the flat positions the rows land on: a third of the time of
    ``np.add.at`` into zeros, with the same sums in the same order (so the same bits). ``None`` for any
    other case."""
    if index.dtype.kind not in "iu" or x.dtype != np.float64 or g.dtype != np.float64 or x.ndim == 0 \
            or g.shape != index.shape + x.shape[1:]:
        return None
    rows, row = x.shape[0], math.prod(x.shape[1:])
    flat = index.reshape(-1).astype(np.intp, copy=False)   # (uint64 positions would turn float64 below)
    if not flat.size:
        return np.zeros(x.shape)
    if flat.min() < 0:
        flat = np.where(flat < 0, flat + rows, flat)
    positions = flat if row == 1 else (flat[:, None] * row + np.arange(row)).reshape(-1)
    return np.bincount(positions, weights=g.reshape(-1), minlength=rows * row).reshape(x.shape)


# An index of one slice or one integer, and the cotangents that ``getitem_grad`` may write straight into
# NumPy zeros: its fast path, which skips the checks for containers and other libraries' arrays.
_ONE_PART = (slice, int)
_PLAIN = (np.ndarray, float, np.float64)


def sum_of_product(a: Any, b: Any, like: Any) -> Any:
    """``unbroadcast(a * b, like)`` for a scalar ``like`` (a scalar factor's cotangent, ``d_c`` of
    ``c * v``): one dot product, without the temporary array, where ``a`` and ``b`` are real NumPy arrays
    of one shape."""
    if (type(a) is np.ndarray and type(b) is np.ndarray and a.shape == b.shape and a.dtype.kind == "f"
            and b.dtype.kind == "f"):
        return np.vdot(a, b)
    return unbroadcast(a * b, like)


def take_grad(g: Any, a: Any, indices: Any, axis: Any = None, mode: str = "raise") -> Any:
    """Cotangent of ``np.take``: ``g`` scattered back to the taken positions (after ``mode`` wraps or
    clips out-of-range indices), accumulating repeats."""
    n = math.prod(shape_of(a)) if axis is None else shape_of(a)[axis]
    if mode == "wrap":
        indices = np.mod(indices, n)
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    if axis is None:
        return np.reshape(getitem_grad(g, np.ravel(a), indices), shape_of(a))
    return getitem_grad(g, a, (slice(None),) * (axis % ndim_of(a)) + (indices,))


def array_grad(g: Any, obj: Any) -> Any:
    """Cotangent of ``np.array(obj)`` / ``np.asarray(obj)``: ``g`` in ``obj``'s shape (``ndmin`` may have
    added axes), in ``obj``'s floating dtype, and one cotangent per item when ``obj`` is a list or tuple."""
    g = np.reshape(g, shape_of(obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(g[i] for i in range(len(obj)))
    if isinstance(obj, np.ndarray) and obj.dtype.kind == "f" and g.dtype != obj.dtype:
        return np.real(g).astype(obj.dtype)  # a real array made complex (dtype=complex): the real part
    return g


# --- linear algebra ----------------------------------------------------------------------------------------


def matmul_left_grad(g: Any, a: Any, b: Any) -> Any:
    """Cotangent of ``a`` in ``a @ b``, including the 1-D (vector) cases and batch broadcasting."""
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if a_nd == 2 and b_nd == 2:
        return g @ np.swapaxes(b, -1, -2)
    if b_nd == 1:
        return unbroadcast(np.multiply.outer(g, b) if a_nd > 1 else g * b, a)
    if a_nd == 1:
        return unbroadcast(b @ g, a) if b_nd == 2 else unbroadcast(np.sum(b * g[..., None, :], axis=-1), a)
    return unbroadcast(g @ np.swapaxes(b, -1, -2), a)


def matmul_right_grad(g: Any, a: Any, b: Any) -> Any:
    """Cotangent of ``b`` in ``a @ b``."""
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if a_nd == 2 and b_nd == 2:
        return np.swapaxes(a, -1, -2) @ g
    if a_nd == 1:
        return unbroadcast(g * a if b_nd == 1 else a[:, None] * g[..., None, :], b)
    if b_nd == 1:
        return unbroadcast(np.sum(a * g[..., :, None], axis=tuple(range(a_nd - 1))) if a_nd > 2
                           else g @ a, b)
    return unbroadcast(np.swapaxes(a, -1, -2) @ g, b)


def dot_grad(g: Any, a: Any, b: Any, k: int) -> Any:
    """Cotangent of ``np.dot(a, b)`` for operand ``k``: a product with a scalar, a matrix product (which
    covers a 1-D operand on either side), or an N-D contraction of ``a``'s last axis with ``b``'s
    second-to-last. Only the operand asked for is computed."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        # array_like operands written as lists (``*w, b = theta; np.dot(w, x)``): one cotangent per item
        return array_grad(dot_grad(g, np.asarray(a), np.asarray(b), k), (a, b)[k])
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if a_nd == 0 or b_nd == 0:
        return unbroadcast(g * b, a) if k == 0 else unbroadcast(g * a, b)
    if a_nd == 1 or b_nd == 1 or (a_nd == 2 and b_nd == 2):
        return matmul_left_grad(g, a, b) if k == 0 else matmul_right_grad(g, a, b)
    letters = "abcdefghijklmnopqrstuvwxyz"
    a_sub = letters[:a_nd]
    b_sub = letters[a_nd:a_nd + b_nd - 2] + a_sub[-1] + letters[a_nd + b_nd - 2]
    spec = f"{a_sub},{b_sub}->{a_sub[:-1] + b_sub[:-2] + b_sub[-1]}"
    return einsum_grad(g, spec, (a, b), k)


def inner_grad(g: Any, a: Any, b: Any, k: int) -> Any:
    """Cotangent of ``np.inner`` for operand ``k``: a contraction over the last axes, or a product when one
    is a scalar."""
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return unbroadcast(g * b, a) if k == 0 else unbroadcast(g * a, b)
    return tensordot_grad(g, a, b, ((-1,), (-1,)), k)


def _einsum_parts(subscripts: str, operands: tuple) -> tuple[list[str], str]:
    """Explicit input and output subscripts of an einsum, with ``...`` replaced by spare letters (aligned
    from the right, as broadcasting aligns axes)."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    in_subs = inputs.split(",")
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in spec]
    counts = [ndim_of(op) - len(s.replace("...", "")) if "..." in s else 0 for s, op in zip(in_subs, operands)]
    widest = max(counts, default=0)
    ellipsis = "".join(spare[:widest])[::-1]
    expanded = [s.replace("...", ellipsis[widest - n:]) for s, n in zip(in_subs, counts)]
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        letters = "".join(expanded)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return expanded, output


# Sublist labels as NumPy reads them: 0 to 25 are 'A' to 'Z', 26 to 51 are 'a' to 'z' (so that the implicit
# output, sorted by letter, is sorted by label as NumPy sorts it).
_SUBLIST_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist_subscripts(sublist: Any) -> str:
    return "".join("..." if label is Ellipsis else _SUBLIST_LETTERS[operator.index(label)] for label in sublist)


def einsum_call_parts(args: tuple) -> tuple[str, tuple, list[int | None]]:
    """``np.einsum``'s positional arguments as ``(subscripts, operands, operand_of)``.

    A call is either a subscripts string followed by the operands (``einsum("ij,jk", a, b)``) or operands
    interleaved with sublists of integer labels and an optional output sublist at the end
    (``einsum(a, [0, 1], b, [1, 2], [0, 2])``). The second form is converted to the subscripts string NumPy
    converts it to, so that both take the same path. ``operand_of[i]`` is the index among the operands of
    positional argument ``i``, or None for the subscripts string and the sublists, which get no cotangent."""
    if isinstance(args[0], str):
        return args[0], tuple(args[1:]), [None, *range(len(args) - 1)]
    pairs = len(args) // 2
    inputs = ",".join(_sublist_subscripts(args[2 * i + 1]) for i in range(pairs))
    output = "->" + _sublist_subscripts(args[-1]) if len(args) % 2 else ""
    operand_of = [i // 2 if i % 2 == 0 and i < 2 * pairs else None for i in range(len(args))]
    return inputs + output, tuple(args[0:2 * pairs:2]), operand_of


def einsum_grads(g: Any, args: tuple) -> list:
    """Cotangents of ``np.einsum``'s positional arguments ``args`` (either form, see ``einsum_call_parts``):
    one per argument, None for the subscripts string and the sublists."""
    subscripts, operands, operand_of = einsum_call_parts(args)
    return [None if k is None else einsum_grad(g, subscripts, operands, k) for k in operand_of]


@one_partial_of(einsum_grads)
def einsum_grad_at(g: Any, args: tuple, position: int) -> Any:
    """``einsum_grads(g, args)[position]``, computing that cotangent alone."""
    subscripts, operands, operand_of = einsum_call_parts(args)
    k = operand_of[position]
    return None if k is None else einsum_grad(g, subscripts, operands, k)


def einsum_grad(g: Any, subscripts: str, operands: tuple, k: int) -> Any:
    """Cotangent of the ``k``-th operand of ``np.einsum(subscripts, *operands)``: the einsum of ``g`` with
    the other operands, broadcast along indices only this operand has, summed over axes of size 1 that
    were broadcast, and placed on the diagonal for a repeated index (``'ii->i'``)."""
    in_subs, out_sub = _einsum_parts(subscripts, operands)
    target = in_subs[k]
    shape = shape_of(operands[k])
    sizes = dict(zip(target, shape))
    others = [s for i, s in enumerate(in_subs) if i != k]
    other_ops = [op for i, op in enumerate(operands) if i != k]
    available = set(out_sub).union(*others)
    unique = "".join(dict.fromkeys(target))
    present = "".join(c for c in unique if c in available)
    g = in_library_of(g, foreign_of(*operands))
    inputs, contracted = [out_sub, *others], (g, *other_ops)
    path = pairwise_path(inputs, present, [a.shape for a in contracted]) if all(
        type(a) is np.ndarray for a in contracted) else None
    expression = f"{','.join(inputs)}->{present}"
    grad = np.einsum(expression, *contracted) if path is None else np.einsum(expression, *contracted, optimize=path)
    broadcast = tuple(i for i, c in enumerate(present) if sizes[c] == 1 and shape_of(grad)[i] != 1)
    if broadcast:
        grad = np.sum(grad, axis=broadcast, keepdims=True)
    if present != unique:
        grad = np.broadcast_to(np.reshape(grad, [sizes[c] if c in available else 1 for c in unique]),
                               [sizes[c] for c in unique])
    if unique == target:
        return grad
    if is_foreign(grad):
        return _einsum_diagonal(grad, target, unique, sizes)
    out = np.zeros(shape, dtype=np.result_type(grad))
    np.einsum(f"{target}->{unique}", out)[...] = grad  # a writeable view of the diagonal
    return out


def _einsum_diagonal(grad: Any, target: str, unique: str, sizes: dict[str, int]) -> Any:
    """``grad`` (subscripts ``unique``) placed on the diagonal that the repeated indices of ``target``
    read, without writing into a view: each repeat becomes a fresh index tied to the first by an identity
    matrix (for libraries whose einsum returns no writeable view)."""
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in target)
    renamed, eyes, seen = [], [], set()
    for c in target:
        if c in seen:
            fresh = next(spare)
            renamed.append(fresh)
            eyes.append(f"{c}{fresh}")
        else:
            seen.add(c)
            renamed.append(c)
    identities = [to_library(np.eye(sizes[pair[0]], dtype=np.result_type(grad)), grad) for pair in eyes]
    return np.einsum(f"{','.join([unique, *eyes])}->{''.join(renamed)}", grad, *identities)


def tensordot_grad(g: Any, a: Any, b: Any, axes: Any, k: int) -> Any:
    """Cotangent of ``np.tensordot`` for operand ``k``, by rewriting it as the einsum it is."""
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if isinstance(axes, numbers.Integral):
        a_axes, b_axes = list(range(a_nd - axes, a_nd)), list(range(axes))
    else:
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, numbers.Integral) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, numbers.Integral) else list(b_axes)
    a_axes = [i % a_nd for i in a_axes]
    b_axes = [i % b_nd for i in b_axes]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    a_sub = [next(letters) for _ in range(a_nd)]
    b_sub = [next(letters) for _ in range(b_nd)]
    for i, j in zip(a_axes, b_axes):
        b_sub[j] = a_sub[i]
    out = [c for i, c in enumerate(a_sub) if i not in a_axes] + [c for j, c in enumerate(b_sub) if j not in b_axes]
    spec = f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}"
    return einsum_grad(g, spec, (a, b), k)


def det_grad(g: Any, ans: Any, a: Any) -> Any:
    """Cotangent of ``np.linalg.det``: ``g`` times the cofactor matrix, which is ``det(a) * inv(a).T`` for
    an invertible ``a``. It is computed from the SVD ``a = U diag(s) V^T`` as
    ``det(U) det(V) U diag(prod of the other s) V^T``, so that singular matrices get their finite
    gradient too."""
    u, s, vt = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    cofactor = (u * _product_of_others(s, -1)[..., None, :]) @ vt
    return np.reshape(g * sign, shape_of(ans) + (1, 1)) * cofactor


def solve_grads(g: Any, ans: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Cotangents of ``np.linalg.solve(a, b)`` for vector and matrix right-hand sides, with batch
    broadcasting: ``g_b = solve(a^T, g)`` and ``g_a = -g_b x^T``."""
    vector = ndim_of(b) == 1 if _SOLVE_VECTOR_IS_1D else ndim_of(b) == ndim_of(a) - 1
    g_m = g[..., None] if vector else g
    x_m = ans[..., None] if vector else ans
    g_b = np.linalg.solve(np.swapaxes(a, -1, -2), g_m)
    g_a = -(g_b @ np.swapaxes(x_m, -1, -2))
    return unbroadcast(g_a, a), unbroadcast(g_b[..., 0] if vector else g_b, b)


def norm_grad(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``np.linalg.norm`` for every order NumPy accepts: vector p-norms (2, 1, inf, -inf, 0
    and general p) over the flattened array or one axis, and matrix norms ('fro', 'nuc', 1, -1, 2, -2,
    inf, -inf) over two axes. The 2-norm has zero gradient at the origin and ties of max/min-type norms
    split evenly, as PyTorch's ``linalg.norm``."""
    nd = ndim_of(x)
    if isinstance(axis, (tuple, list)) and len(axis) == 1:
        axis = axis[0]
    if axis is None and (ord is None or nd == 1):
        return _vector_norm_grad(expand_reduced(g, x, None, keepdims), expand_reduced(ans, x, None, keepdims),
                                 x, ord, None)
    if axis is None:
        axis = (0, 1)
    if isinstance(axis, numbers.Integral):
        return _vector_norm_grad(expand_reduced(g, x, axis, keepdims), expand_reduced(ans, x, axis, keepdims),
                                 x, ord, axis)
    rows, cols = (a % nd for a in axis)
    moved = np.moveaxis(x, (rows, cols), (-2, -1))
    if keepdims:
        g, ans = (np.moveaxis(v, (rows, cols), (-2, -1)) for v in (g, ans))
    else:
        g, ans = (np.reshape(in_library_of(v, x), shape_of(v) + (1, 1)) for v in (g, ans))
    return np.moveaxis(_matrix_norm_grad(g, ans, moved, ord), (-2, -1), (rows, cols))


def _vector_norm_grad(g: Any, ans: Any, x: Any, ord: Any, axis: Any) -> Any:
    """``g`` and ``ans`` already broadcast against ``x``; the norm runs over ``axis`` (None: all)."""
    if ord is None or ord == 2:
        return ratio_or_zero(g, ans) * x
    if ord == 1:
        return g * np.sign(x)
    if ord == 0:
        return np.zeros_like(x * g)
    magnitude = np.abs(x)
    if np.isinf(ord):
        hit = np.equal(magnitude, ans)
        count = np.sum(hit, axis=axis, keepdims=True, dtype=_float_dtype(g))
        return np.where(hit, g * np.sign(x) / count, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(np.equal(ans, 0), 0, g / ans ** (ord - 1))
        return np.where(np.equal(x, 0), 0, scale * np.sign(x) * magnitude ** (ord - 1))


def _matrix_norm_grad(g: Any, ans: Any, x: Any, ord: Any) -> Any:
    """Matrix norms over the last two axes; ``g`` and ``ans`` have shape ``batch + (1, 1)``."""
    if ord is None or ord == "fro":
        return ratio_or_zero(g, ans) * x
    if ord in ("nuc", 2, -2):
        u, _, vt = np.linalg.svd(x, full_matrices=False)
        if ord == "nuc":
            return g * (u @ vt)
        k = 0 if ord == 2 else -1
        return g * (u[..., :, k, None] * vt[..., None, k, :])
    if ord in (1, -1, np.inf, -np.inf):
        sum_axis = -2 if ord in (1, -1) else -1
        sums = np.sum(np.abs(x), axis=sum_axis, keepdims=True)
        hit = np.equal(sums, ans)
        count = np.sum(hit, axis=-1 if sum_axis == -2 else -2, keepdims=True, dtype=_float_dtype(g))
        return np.where(hit, g / count, 0) * np.sign(x)
    raise ValueError(f"invalid norm order {ord!r} for matrices")


# --- shape operations --------------------------------------------------------------------------------------


def sort_grad(g: Any, a: Any, axis: Any = -1) -> Any:
    """Cotangent of ``np.sort``: ``g`` sent back to where each sorted element came from."""
    if axis is None:
        return np.reshape(sort_grad(np.ravel(g), np.ravel(a), 0), shape_of(a))
    order = np.argsort(a, axis=axis, kind="stable")
    if foreign_of(g, a) is not None:
        # Libraries without put_along_axis: gather through the inverse permutation instead.
        return np.take_along_axis(g, np.argsort(order, axis=axis), axis=axis)
    out = np.zeros(shape_of(a), dtype=np.result_type(a, g))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def diagonal_grad(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Cotangent of ``np.diagonal``: ``g`` placed on the diagonal it was read from."""
    like = foreign_of(g, a)
    if like is not None:
        return _diagonal_grad_by_mask(g, a, offset, axis1, axis2, like)
    out = np.zeros(shape_of(a), dtype=np.result_type(a, g))
    matrices = np.moveaxis(out, (axis1, axis2), (-2, -1))  # a view of out
    i = np.arange(shape_of(g)[-1])
    matrices[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return out


def _diagonal_grad_by_mask(g: Any, a: Any, offset: int, axis1: int, axis2: int, like: Any) -> Any:
    """``diagonal_grad`` without writing into a view: ``g`` moved to the rows its elements sit in (the
    diagonal's ``i``-th element is in row ``i + max(-offset, 0)``), times the identity of that diagonal."""
    shape = shape_of(a)
    rows, cols = shape[axis1], shape[axis2]
    dtype = np.result_type(a, g)
    to_rows = to_library(np.eye(shape_of(g)[-1], rows, k=max(-offset, 0), dtype=dtype), like)
    eye = to_library(np.eye(rows, cols, k=offset, dtype=dtype), like)
    matrices = np.matmul(g, to_rows)[..., :, None] * eye
    return np.moveaxis(matrices, (-2, -1), (axis1, axis2))


def diag_grad(g: Any, v: Any, k: int = 0) -> Any:
    """Cotangent of ``np.diag``: the ``k``-th diagonal of ``g`` for a vector ``v`` (which was put on it),
    ``g`` placed on the ``k``-th diagonal for a matrix ``v`` (which it was read from)."""
    if ndim_of(v) == 1:
        return np.diagonal(g, k).copy()
    return diagonal_grad(g, v, k, 0, 1)


def tile_grad(g: Any, a: Any, reps: Any) -> Any:
    """Cotangent of ``np.tile``: the sum of ``g`` over the copies."""
    reps = (reps,) if isinstance(reps, numbers.Integral) else tuple(reps)
    shape = tuple(shape_of(a))
    d = max(len(shape), len(reps))
    shape_d = (1,) * (d - len(shape)) + shape
    reps_d = (1,) * (d - len(reps)) + reps
    pairs = [n for pair in zip(reps_d, shape_d) for n in pair]
    return np.reshape(np.sum(np.reshape(g, pairs), axis=tuple(range(0, 2 * d, 2))), shape)


def repeat_grad(g: Any, a: Any, repeats: Any, axis: Any = None) -> Any:
    """Cotangent of ``np.repeat``: the sum of ``g`` over the repeats of each element."""
    if axis is None:
        return np.reshape(repeat_grad(np.ravel(g), np.ravel(a), repeats, 0), shape_of(a))
    axis = axis % ndim_of(a)
    source = np.repeat(np.arange(shape_of(a)[axis]), repeats)
    out = zeros(shape_of(a), np.result_type(a, g), g, a)
    return scatter_add(out, (slice(None),) * axis + (source,), g)


def inverse_permutation(axes: Any, ndim: int) -> Any:
    """The permutation that undoes ``np.transpose(·, axes)`` (negative axes allowed; None stays None)."""
    if axes is None:
        return None
    return tuple(np.argsort([a % ndim for a in axes]))


def concatenate_grads(g: Any, arrays: Any, axis: Any = 0) -> list:
    """Cotangents of the pieces of ``np.concatenate(arrays, axis)``: ``g`` split back into them."""
    if axis is None:
        flat = np.ravel(g)
        pieces, start = [], 0
        for a in arrays:
            stop = start + math.prod(shape_of(a))
            pieces.append(np.reshape(flat[start:stop], shape_of(a)))
            start = stop
        return pieces
    # Slices rather than np.split, which Dask does not implement.
    index = [slice(None)] * ndim_of(g)
    pieces, start = [], 0
    for a in arrays:
        stop = start + shape_of(a)[axis]
        index[axis] = slice(start, stop)
        pieces.append(g[tuple(index)])
        start = stop
    return pieces


def stack_grads(g: Any, arrays: Any, axis: int = 0) -> list:
    """Cotangents of the pieces of ``np.stack(arrays, axis)``."""
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def hstack_grads(g: Any, tup: Any) -> list:
    """Cotangents of the pieces of ``np.hstack``: along axis 0 for 1-D (and 0-D) pieces, else axis 1."""
    pieces = [np.atleast_1d(t) for t in tup]
    split = concatenate_grads(g, pieces, 0 if pieces[0].ndim == 1 else 1)
    return [np.reshape(p, shape_of(t)) for p, t in zip(split, tup)]


def vstack_grads(g: Any, tup: Any) -> list:
    """Cotangents of the pieces of ``np.vstack`` (1-D pieces were stacked as rows)."""
    split = concatenate_grads(g, [np.atleast_2d(t) for t in tup], 0)
    return [np.reshape(p, shape_of(t)) for p, t in zip(split, tup)]


# --- constructors ------------------------------------------------------------------------------------------


def summed_to(g: Any, like: Any) -> Any:
    """``unbroadcast(g, like)`` for a call that is not elementwise in ``like``: the cotangent of the fill value
    of ``np.full(3, x)``, of ``np.broadcast_to(x, 3)``, of a 1-D ``m`` in ``np.triu(m, 1)``. A helper rather
    than ``unbroadcast`` in the rule, because the transformer drops ``unbroadcast(e, x)`` from a rule's
    partial for the operand ``x`` that a number accompanies in a two-argument call, taking the call for an
    elementwise one (``_same_shape_operands`` in ``transform/reverse.py``)."""
    return unbroadcast(g, like)


def linspace_grads(g: Any, start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
                   axis: int = 0) -> tuple[Any, Any]:
    """Cotangents of ``start`` and ``stop`` in ``np.linspace``. Sample ``i`` is ``start + (stop - start) * w_i``
    with ``w = linspace(0, 1, num, endpoint)`` (``w = [0]`` for a single sample, which is ``start``): ``stop``
    gets ``g`` weighted by ``w`` and ``start`` by ``1 - w``, summed over the samples' axis and over the axes
    along which an array ``start`` or ``stop`` was broadcast."""
    refuse_linspace_step(retstep)
    g = np.moveaxis(g, axis, 0)
    weights = np.linspace(0.0, 1.0, num, endpoint=endpoint, dtype=_float_dtype(g))
    weights = to_library(np.reshape(weights, (-1,) + (1,) * (ndim_of(g) - 1)), foreign_of(g))
    to_stop = np.sum(g * weights, axis=0)
    return unbroadcast(np.sum(g, axis=0) - to_stop, start), unbroadcast(to_stop, stop)


def refuse_linspace_step(retstep: bool) -> bool:
    """``retstep`` when it is False; ``np.linspace(..., retstep=True)`` returns a (samples, step) pair, whose
    derivative srcgrad does not take (a pair's tangents would add as tuples)."""
    if retstep:
        raise SrcgradError("the derivative of np.linspace(..., retstep=True) is not supported: it returns a "
                           "(samples, step) pair; call it without retstep and compute the step as "
                           "(stop - start) / (num - 1) (or / num with endpoint=False)")
    return retstep


def arange_start_scale(stop: Any) -> float:
    """1.0 when ``np.arange``'s first argument is its start (a stop is given too), 0.0 when it is the stop:
    the scale of the first argument's tangent. (A helper: ``stop is not None`` in a rule would be inlined as
    ``4.0 is not None`` for a literal stop, which Python warns about.)"""
    return 0.0 if stop is None else 1.0


def arange_grads(g: Any, ans: Any, start: Any = None, stop: Any = None, step: Any = 1) -> tuple[Any, Any, Any]:
    """Cotangents of ``np.arange``'s arguments. Element ``i`` is ``start + i * step``; the length, which all
    three set, changes only by jumps. So ``start`` gets the sum of ``g`` and ``step`` the sum of ``i * g``;
    ``stop`` gets zero, and so does the first argument when it is the stop (``np.arange(stop)`` starts at 0)."""
    weighted = np.sum(g * to_library(np.arange(shape_of(ans)[0], dtype=_float_dtype(g)), foreign_of(g)))
    first = np.sum(g) if start is not None and stop is not None else zeros_like_grad(start)
    return first, zeros_like_grad(stop), weighted


def zeros_like_grad(value: Any) -> Any:
    """A zero cotangent shaped like ``value`` (a Python float stays a float)."""
    if isinstance(value, numbers.Number):
        return 0.0
    if isinstance(value, (list, tuple)):
        return same_container([zeros_like_grad(v) for v in value], value)
    if isinstance(value, dict):
        return {}  # a sparse dict cotangent: keys without an entry are zero
    if not isinstance(value, (np.ndarray, np.generic)):
        if is_foreign(value):
            return np.zeros_like(value, dtype=np.result_type(value.dtype, np.float32))
        return None  # strings, functions, objects: no cotangent
    return np.zeros_like(value, dtype=np.result_type(value, np.float32))


def reshaped_back(g: Any, a: Any, order: str = "C") -> Any:
    """The cotangent of ``np.reshape(a, shape, order)`` or ``np.ravel(a, order)``, put back into ``a``'s
    shape by the same index order: reading in Fortran order and writing back in C order would scramble it.
    ``"A"`` and ``"K"`` read in Fortran order exactly when ``a`` is Fortran- and not C-contiguous."""
    if order in ("A", "K") and type(a) is np.ndarray:
        if order == "K" and not (a.flags.c_contiguous or a.flags.f_contiguous):
            raise NotImplementedError("the gradient of a reshape or ravel with order='K' of an array that is "
                                      "neither C- nor Fortran-contiguous; copy it first (np.ascontiguousarray)")
        order = "F" if np.isfortran(a) else "C"
    if order in ("F", "f"):
        return np.reshape(g, np.shape(a), order="F")
    return np.reshape(g, np.shape(a))


def _is_basic_index(index: Any) -> bool:
    """Integers, slices, None and Ellipsis: an index that cannot name a position twice."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def landed_grad(g: Any, index: Any, value: Any) -> Any:
    """The cotangent of ``value`` in ``x[index] = value`` (``g`` has ``x``'s shape): ``g[index]``, except
    that where an advanced index names a position more than once only the write that lands counts — the
    items it overwrote get zero. Which one lands is found by making the same assignment of item numbers.
    A dict's cotangent has entries only for the keys read after the write: a missing one is a zero."""
    if isinstance(g, dict):
        return g[index] if index in g else zeros_like_grad(value)
    picked = g[index]
    if _is_basic_index(index):
        return unbroadcast(picked, value)
    order = np.arange(int(np.prod(np.shape(picked)))).reshape(np.shape(picked))
    owner = np.full(np.shape(g), -1)
    owner[index] = order
    return unbroadcast(np.where(owner[index] == order, picked, 0.0 * picked), value)


# --- complex values ----------------------------------------------------------------------------------------


def is_complex(value: Any) -> bool:
    """Whether ``value`` holds complex numbers (an array of a complex dtype, a complex scalar, a list or
    tuple with one)."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return np.dtype(dtype).kind == "c"
    if isinstance(value, (list, tuple)):
        return any(is_complex(v) for v in value)
    return isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)


def real_like(g: Any, like: Any) -> Any:
    """``g``, or its real part when ``like`` (the value ``g`` is the cotangent of) is real: in the convention
    of JAX and HIPS autograd (a complex cotangent is ``dL/dx - i dL/dy``), a real input of an operation whose
    output is complex gets the real part of its cotangent. Reverse mode applies it to every partial that a
    statement with a complex result gives a value that may be real (``transform/reverse.py``)."""
    if isinstance(g, (list, tuple)) and isinstance(like, (list, tuple)) and len(g) == len(like):
        return same_container([real_like(item, part) for item, part in zip(g, like)], g)  # item by item
    if not is_complex(g) or is_complex(like):
        return g
    return np.real(g)
