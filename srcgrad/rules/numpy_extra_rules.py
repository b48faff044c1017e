"""Reverse rules for more of NumPy: splitting and joining, products, padding, selection, casts, stencils.

Each rule is a template inlined into generated code, as in ``numpy_rules.py``; the branches live in
``numpy_extra_helpers.py``. Their forward twins are in ``numpy_extra_jvp_rules.py``. The split functions and
``np.gradient`` return lists (``np.gradient`` one array per axis), so their cotangent ``g`` is a list too,
with a zero (or ``None``) for a piece that does not reach the output.
"""

import numpy as np

from .derive import linear
from .helpers import array_grad, ndim_of, vstack_grads
from .numpy_extra_helpers import (
    append_grads,
    cast_grad,
    column_stack_grads,
    cross_grads,
    finite_mask,
    gradient_grad,
    hsplit_axis,
    joined_pieces,
    kron_grads,
    pad_grad,
    partition_destinations,
    rollaxis_inverse,
    select_grads,
    take_along_axis_grad,
)
from .registry import defnondiff, defsequence, defvjp, note_dispatch

# --- splitting: the cotangents of the pieces joined back ----------------------------------------------------


@linear(np.split)
def _(g, ans, ary, indices_or_sections, axis=0):
    return joined_pieces(g, ans, axis)


@linear(np.array_split)
def _(g, ans, ary, indices_or_sections, axis=0):
    return joined_pieces(g, ans, axis)


@linear(np.hsplit)
def _(g, ans, ary, indices_or_sections):
    return joined_pieces(g, ans, hsplit_axis(ary))


@linear(np.vsplit)
def _(g, ans, ary, indices_or_sections):
    return joined_pieces(g, ans, 0)


@linear(np.dsplit)
def _(g, ans, ary, indices_or_sections):
    return joined_pieces(g, ans, 2)


# --- joining ------------------------------------------------------------------------------------------------


@defvjp(np.append, argnums=(0, 1))
def _(g, ans, arr, values, axis=None):
    return append_grads(g, arr, values, axis)


@defvjp(np.column_stack)
def _(g, ans, tup):
    return column_stack_grads(g, tup)


def _row_stack(g, ans, tup, *, dtype=None, casting="same_kind"):
    return vstack_grads(g, tup)


# np.row_stack is NumPy 2's deprecated name for np.vstack; it may be gone from later versions.
if hasattr(np, "row_stack"):
    defvjp(np.row_stack, _row_stack)

# --- products -------------------------------------------------------------------------------------------


@defvjp(np.cross, argnums=(0, 1))
def _(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return cross_grads(g, a, b, axisa, axisb, axisc, axis)


@defvjp(np.kron, argnums=(0, 1))
def _(g, ans, a, b):
    return kron_grads(g, a, b)


# --- moving elements ----------------------------------------------------------------------------------------


@linear(np.rollaxis)
def _(g, ans, a, axis, start=0):
    return np.transpose(g, rollaxis_inverse(ndim_of(g), axis, start))


@linear(np.rot90)
def _(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(g, -k, axes)


# Tied values are matched in order of appearance (``partition_sources``), as the forward rule matches them.
@defvjp(np.partition)
def _(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return array_grad(np.take_along_axis(g, partition_destinations(a, ans, axis), axis=axis), a)


@linear(np.take_along_axis)
def _(g, ans, arr, indices, axis=-1):
    return take_along_axis_grad(g, arr, indices, axis)


# Modes that copy elements (constant, edge, reflect, symmetric, wrap); the others are refused by pad_grad.
# The constant of mode="constant" is not differentiated: an active constant_values is refused at the call.
@defvjp(np.pad)
def _(g, ans, array, pad_width, mode="constant", *, stat_length=None, constant_values=0, end_values=0,
      reflect_type="even"):
    return pad_grad(g, array, pad_width, mode, reflect_type)


# --- selection and replacement ------------------------------------------------------------------------------


@defvjp(np.select, argnums=(1, 2))
def _(g, ans, condlist, choicelist, default=0):
    return select_grads(g, condlist, choicelist, default)


# Slope 1 where x is finite, 0 where NumPy replaced a NaN or an infinity by a constant.
@defvjp(np.nan_to_num)
def _(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return g * finite_mask(x, copy)


# --- units and casts ----------------------------------------------------------------------------------------


@defvjp(np.degrees)
def _(g, ans, x):
    return g * (180 / np.pi)


@defvjp(np.radians)
def _(g, ans, x):
    return g * (np.pi / 180)


# A cast that rounds (np.float32) passes the cotangent unrounded, as every dtype= in the table does.
@defvjp(np.float64)
def _(g, ans, x):
    return cast_grad(g, x)


@defvjp(np.float32)
def _(g, ans, x):
    return cast_grad(g, x)


# --- finite differences -----------------------------------------------------------------------------------


# Linear in f; the spacings (varargs) are constants: an active spacing is refused at the call.
@defvjp(np.gradient)
def _(g, ans, f, *varargs, axis=None, edge_order=1):
    return gradient_grad(g, f, varargs, axis, edge_order)


# Where np.partition would put each element: indices, as np.argsort's.
defnondiff(np.argpartition)

defsequence(np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit, np.gradient)

note_dispatch("Dask has no `np.split`", np.split)
note_dispatch("Dask has no `np.array_split`", np.array_split)
note_dispatch("Dask has no `np.hsplit`", np.hsplit)
note_dispatch("Dask has no `np.vsplit`", np.vsplit)
note_dispatch("Dask has no `np.dsplit`", np.dsplit)
note_dispatch("Dask has no `np.column_stack`", np.column_stack)
if hasattr(np, "row_stack"):
    note_dispatch("the primal passes `dtype=` to `np.vstack`; Dask's `vstack` takes none", np.row_stack)
note_dispatch("Dask has no `np.cross`", np.cross)
note_dispatch("Dask has no `np.kron`", np.kron)
note_dispatch("Dask has no `np.partition` (and the rule sorts with NumPy)", np.partition)
note_dispatch("Dask has no `np.take_along_axis`", np.take_along_axis)
note_dispatch("not checked on Dask, whose `gradient` needs chunks longer than `edge_order + 1`", np.gradient)
note_dispatch("the primal converts to NumPy (computes a Dask array)", np.float64, np.float32)
