"""Forward rules, one per differentiable argument of each reverse rule in numpy_extra_rules.py.

Most of these functions are linear in the differentiated argument (splits, joins, moves, pads, stencils,
casts) and apply themselves to the tangent, with zeros in place of the other arguments' values where they
are bilinear or where a constant fills in (``np.append``, ``np.select``). Every function they call has
rules of its own, so that forward-mode code can be differentiated again. The conventions at ties and
replaced values are the reverse rules' (``numpy_extra_helpers.py``).
"""

import numpy as np

from .helpers import zeros_like_grad
from .jvp_helpers import array_tangent, dense_tangents
from .numpy_extra_helpers import cast_check, finite_mask, pad_mode, partition_sources
from .registry import defjvp

# --- splitting ----------------------------------------------------------------------------------------------


# --- joining ------------------------------------------------------------------------------------------------


@defjvp(np.append, argnum=0)
def _(t, ans, arr, values, axis=None):
    return np.append(array_tangent(t), zeros_like_grad(values), axis)


@defjvp(np.append, argnum=1)
def _(t, ans, arr, values, axis=None):
    return np.append(zeros_like_grad(arr), array_tangent(t), axis)


@defjvp(np.column_stack)
def _(t, ans, tup):
    return np.column_stack(dense_tangents(t, tup))


def _row_stack(t, ans, tup, *, dtype=None, casting="same_kind"):
    return np.vstack(dense_tangents(t, tup))


if hasattr(np, "row_stack"):
    defjvp(np.row_stack, _row_stack)

# --- products -------------------------------------------------------------------------------------------


@defjvp(np.cross, argnum=0)
def _(t, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return np.cross(array_tangent(t), b, axisa, axisb, axisc, axis)


@defjvp(np.cross, argnum=1)
def _(t, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return np.cross(a, array_tangent(t), axisa, axisb, axisc, axis)


@defjvp(np.kron, argnum=0)
def _(t, ans, a, b):
    return np.kron(array_tangent(t), b)


@defjvp(np.kron, argnum=1)
def _(t, ans, a, b):
    return np.kron(a, array_tangent(t))


# --- moving elements ----------------------------------------------------------------------------------------


@defjvp(np.partition)
def _(t, ans, a, kth, axis=-1, kind="introselect", order=None):
    return np.take_along_axis(array_tangent(t), partition_sources(a, ans, axis), axis=axis)


# The tangent is padded in the same mode; the constant of mode="constant" is a constant (zero tangent).
@defjvp(np.pad)
def _(t, ans, array, pad_width, mode="constant", *, stat_length=None, constant_values=0, end_values=0,
      reflect_type="even"):
    return np.pad(array_tangent(t), pad_width, mode=pad_mode(mode, reflect_type))


# --- selection and replacement ------------------------------------------------------------------------------


@defjvp(np.select, argnum=1)
def _(t, ans, condlist, choicelist, default=0):
    return np.select(condlist, dense_tangents(t, choicelist), zeros_like_grad(default))


@defjvp(np.select, argnum=2)
def _(t, ans, condlist, choicelist, default=0):
    return np.select(condlist, zeros_like_grad(choicelist), array_tangent(t))


@defjvp(np.nan_to_num)
def _(t, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return array_tangent(t) * finite_mask(x, copy)


# --- units and casts ----------------------------------------------------------------------------------------


@defjvp(np.degrees)
def _(t, ans, x):
    return array_tangent(t) * (180 / np.pi)


@defjvp(np.radians)
def _(t, ans, x):
    return array_tangent(t) * (np.pi / 180)


# The tangent takes the output's dtype (a float32 output has a float32 tangent); arrays with axes are refused
# as in the reverse rule.
@defjvp(np.float64)
def _(t, ans, x):
    return np.float64(array_tangent(t)) + cast_check(x)


@defjvp(np.float32)
def _(t, ans, x):
    return np.float32(array_tangent(t)) + cast_check(x)


# --- finite differences -----------------------------------------------------------------------------------


@defjvp(np.gradient)
def _(t, ans, f, *varargs, axis=None, edge_order=1):
    return np.gradient(array_tangent(t), *varargs, axis=axis, edge_order=edge_order)
