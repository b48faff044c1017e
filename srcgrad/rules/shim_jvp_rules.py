"""Forward rules for the Tensor shim's primitives in ``shim_rules.py``.

One rule per differentiable argument of each reverse rule there, making the same choices at kinks:
``relu``'s slope at 0 is 0, ``clamp`` passes the tangent at its bounds, ``take_along_dim`` follows the
returned index, and tied entries of an inf-norm share the tangent.
"""

import numpy as np

from .jvp_helpers import vector_norm_jvp
from .registry import defjvp
from .shim_rules import (
    add_scaled,
    cast,
    clamp_tensor,
    fill,
    index_accumulate,
    index_put,
    remainder,
    sign,
    take_along_dim,
    unbind,
    vector_norm,
    view_of,
)


@defjvp(unbind)
def _(t, ans, a, axis=0):
    return unbind(t, axis)


@defjvp(take_along_dim)
def _(t, ans, a, indices, dim, keepdim=False):
    return take_along_dim(t, indices, dim, keepdim)


@defjvp(vector_norm)
def _(t, ans, x, ord=2, dim=None, keepdim=False):
    return vector_norm_jvp(t, ans, x, ord, dim, keepdim)


@defjvp(clamp_tensor, argnum=0)
def _(t, ans, x, lo, hi):
    above = x >= lo if lo is not None else True
    below = x <= hi if hi is not None else True
    return t * (above & below)


@defjvp(clamp_tensor, argnum=1)
def _(t, ans, x, lo, hi):
    return t * (x < lo)


@defjvp(clamp_tensor, argnum=2)
def _(t, ans, x, lo, hi):
    return t * (x > hi)


@defjvp(index_put, argnum=0)
def _(t, ans, a, index, value):
    kept = np.array(t, copy=True)
    kept[index] = 0
    return kept


@defjvp(index_put, argnum=2)
def _(t, ans, a, index, value):
    placed = np.zeros(np.shape(ans), dtype=np.result_type(ans, np.float32))
    placed[index] = t
    return placed


@defjvp(index_accumulate, argnum=0)
def _(t, ans, a, index, value):
    return t


@defjvp(index_accumulate, argnum=2)
def _(t, ans, a, index, value):
    placed = np.zeros(np.shape(ans), dtype=np.result_type(ans, np.float32))
    np.add.at(placed, index, t)
    return placed


@defjvp(view_of)
def _(t, ans, a, steps):
    return view_of(t, steps)


@defjvp(add_scaled, argnum=0)
def _(t, ans, x, y, alpha):
    return t


@defjvp(add_scaled, argnum=1)
def _(t, ans, x, y, alpha):
    return t * alpha


@defjvp(cast)
def _(t, ans, a, dtype):
    return np.asarray(t, dtype=np.result_type(ans))


@defjvp(remainder, argnum=0)
def _(t, ans, x, y):
    return t


@defjvp(remainder, argnum=1)
def _(t, ans, x, y):
    return -t * np.floor_divide(x, y)


@defjvp(sign)
def _(t, ans, x):
    return np.zeros_like(t)


@defjvp(fill)
def _(t, ans, a, value):
    return np.zeros_like(t)
