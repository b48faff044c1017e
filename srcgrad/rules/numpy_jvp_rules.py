"""Forward rules for NumPy: ufuncs, reductions, linear algebra and shape operations.

One rule per differentiable argument of each reverse rule in ``numpy_rules.py``, with the same parameters
after the tangent: ``rule(t, ans, *primal_args, **primal_kwargs)`` returns ``J_argnum @ t``. ``t`` has its
argument's shape; NumPy broadcasts the contribution to the output's. Linear functions (reshapes, flips,
sums, contractions in one operand) apply themselves to ``t``. Conventions at non-differentiable points
(ties, kinks, zeros) are those of the reverse rules, with the branching logic in ``jvp_helpers.py``.

An array_like argument written as a list (``np.exp([x, y])``) has a list of tangents, one per item;
``array_tangent`` makes it the array NumPy makes of the argument before Python operators see it.
"""

import numpy as np

from .helpers import (
    arange_start_scale,
    power_base_grad,
    power_exponent_grad,
    ratio_or_zero,
    reduced_count,
    refuse_linspace_step,
    zeros_like_grad,
)
from .jvp_helpers import (
    array_jvp,
    array_tangent,
    clip_jvp,
    cumprod_jvp,
    dense_tangents,
    det_jvp,
    diff_jvp,
    einsum_operand_tangent,
    extremum_jvp,
    float_dtype_or_none,
    norm_jvp,
    prod_jvp,
    reshape_tangent,
    select_jvp,
    solve_a_jvp,
    sort_jvp,
    tangent_dtype,
)
from .registry import ARGNUMS_VARIADIC, defjvp

# --- arithmetic ufuncs -------------------------------------------------------------------------------


@defjvp(np.add, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t)


@defjvp(np.add, argnum=1)
def _(t, ans, x, y):
    return array_tangent(t)


@defjvp(np.subtract, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t)


@defjvp(np.subtract, argnum=1)
def _(t, ans, x, y):
    return -array_tangent(t)


@defjvp(np.multiply, argnum=0)
def _(t, ans, x, y):
    return np.multiply(t, y)


@defjvp(np.multiply, argnum=1)
def _(t, ans, x, y):
    return np.multiply(x, t)


@defjvp(np.divide, argnum=0)
def _(t, ans, x, y):
    return np.divide(t, y)


@defjvp(np.divide, argnum=1)
def _(t, ans, x, y):
    return -array_tangent(t) * ans / y


@defjvp(np.power, argnum=0)
def _(t, ans, x, y):
    return power_base_grad(array_tangent(t), x, y)


@defjvp(np.power, argnum=1)
def _(t, ans, x, y):
    return power_exponent_grad(array_tangent(t), ans, x)


@defjvp(np.float_power, argnum=0)
def _(t, ans, x, y):
    return power_base_grad(array_tangent(t), x, y)


@defjvp(np.float_power, argnum=1)
def _(t, ans, x, y):
    return power_exponent_grad(array_tangent(t), ans, x)


@defjvp(np.maximum, argnum=0)
def _(t, ans, x, y):
    return select_jvp(t, np.greater(x, y), np.less(x, y))


@defjvp(np.maximum, argnum=1)
def _(t, ans, x, y):
    return select_jvp(t, np.greater(y, x), np.less(y, x))


@defjvp(np.minimum, argnum=0)
def _(t, ans, x, y):
    return select_jvp(t, np.less(x, y), np.greater(x, y))


@defjvp(np.minimum, argnum=1)
def _(t, ans, x, y):
    return select_jvp(t, np.less(y, x), np.greater(y, x))


@defjvp(np.fmax, argnum=0)
def _(t, ans, x, y):
    return np.where(np.greater_equal(x, y) | np.isnan(y), array_tangent(t), 0)


@defjvp(np.fmax, argnum=1)
def _(t, ans, x, y):
    return np.where(np.greater_equal(x, y) | np.isnan(y), 0, array_tangent(t))


@defjvp(np.fmin, argnum=0)
def _(t, ans, x, y):
    return np.where(np.less_equal(x, y) | np.isnan(y), array_tangent(t), 0)


@defjvp(np.fmin, argnum=1)
def _(t, ans, x, y):
    return np.where(np.less_equal(x, y) | np.isnan(y), 0, array_tangent(t))


@defjvp(np.hypot, argnum=0)
def _(t, ans, x, y):
    return ratio_or_zero(array_tangent(t), ans) * x


@defjvp(np.hypot, argnum=1)
def _(t, ans, x, y):
    return ratio_or_zero(array_tangent(t), ans) * y


@defjvp(np.logaddexp, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t) * np.exp(x - ans)


@defjvp(np.logaddexp, argnum=1)
def _(t, ans, x, y):
    return array_tangent(t) * np.exp(y - ans)


@defjvp(np.logaddexp2, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t) * np.exp2(x - ans)


@defjvp(np.logaddexp2, argnum=1)
def _(t, ans, x, y):
    return array_tangent(t) * np.exp2(y - ans)


@defjvp(np.remainder, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t)


@defjvp(np.remainder, argnum=1)
def _(t, ans, x, y):
    return -array_tangent(t) * np.floor_divide(x, y)


@defjvp(np.fmod, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t)


@defjvp(np.fmod, argnum=1)
def _(t, ans, x, y):
    return -array_tangent(t) * np.trunc(np.divide(x, y))


@defjvp(np.copysign, argnum=0)
def _(t, ans, x, y):
    return array_tangent(t) * ratio_or_zero(ans, x)


@defjvp(np.copysign, argnum=1)
def _(t, ans, x, y):
    return 0.0 * array_tangent(t)


@defjvp(np.where, argnum=1)
def _(t, ans, condition, x, y):
    return np.where(condition, array_tangent(t), 0)


@defjvp(np.where, argnum=2)
def _(t, ans, condition, x, y):
    return np.where(condition, 0, array_tangent(t))


@defjvp(np.clip)
def _(t, ans, a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):
    return clip_jvp(t, a, a_min if min is None else min, a_max if max is None else max)


# --- exponentials, logarithms, trigonometry ------------------------------------------------------------


@defjvp(np.arctan2, argnum=0)
def _(t, ans, y, x):
    return array_tangent(t) * x / (x * x + y * y)


@defjvp(np.arctan2, argnum=1)
def _(t, ans, y, x):
    return -array_tangent(t) * y / (x * x + y * y)


# --- reductions ------------------------------------------------------------------------------------------


@defjvp(np.sum)
def _(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(t, axis=axis, dtype=float_dtype_or_none(dtype), keepdims=keepdims)


@defjvp(np.mean)
def _(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.mean(t, axis=axis, dtype=float_dtype_or_none(dtype), keepdims=keepdims)


@defjvp(np.prod)
def _(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return prod_jvp(t, ans, a, axis, keepdims)


@defjvp(np.max)
def _(t, ans, a, axis=None, out=None, keepdims=False):
    return extremum_jvp(t, ans, a, axis, keepdims)


@defjvp(np.min)
def _(t, ans, a, axis=None, out=None, keepdims=False):
    return extremum_jvp(t, ans, a, axis, keepdims)


@defjvp(np.amax)
def _(t, ans, a, axis=None, out=None, keepdims=False):
    return extremum_jvp(t, ans, a, axis, keepdims)


@defjvp(np.amin)
def _(t, ans, a, axis=None, out=None, keepdims=False):
    return extremum_jvp(t, ans, a, axis, keepdims)


@defjvp(np.var)
def _(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return np.sum(centered * t, axis=axis, keepdims=keepdims) * 2 / (reduced_count(a, axis) - ddof)


@defjvp(np.std)
def _(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return ratio_or_zero(np.sum(centered * t, axis=axis, keepdims=keepdims), ans) / (reduced_count(a, axis) - ddof)


@defjvp(np.cumsum)
def _(t, ans, a, axis=None, dtype=None, out=None):
    return np.cumsum(t, axis=axis, dtype=float_dtype_or_none(dtype))


@defjvp(np.cumprod)
def _(t, ans, a, axis=None, dtype=None, out=None):
    return cumprod_jvp(t, ans, a, axis)


@defjvp(np.diff)
def _(t, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return diff_jvp(t, n, axis, prepend, append)


@defjvp(np.sort)
def _(t, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return sort_jvp(t, a, axis)


@defjvp(np.trace)
def _(t, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return np.trace(t, offset, axis1, axis2, dtype=float_dtype_or_none(dtype))


# --- linear algebra --------------------------------------------------------------------------------------


@defjvp(np.matmul, argnum=0)
def _(t, ans, x1, x2):
    return np.matmul(t, x2)


@defjvp(np.matmul, argnum=1)
def _(t, ans, x1, x2):
    return np.matmul(x1, t)


@defjvp(np.dot, argnum=0)
def _(t, ans, a, b, out=None):
    return np.dot(t, b)


@defjvp(np.dot, argnum=1)
def _(t, ans, a, b, out=None):
    return np.dot(a, t)


@defjvp(np.vdot, argnum=0)
def _(t, ans, a, b):
    return np.vdot(t, b)


@defjvp(np.vdot, argnum=1)
def _(t, ans, a, b):
    return np.vdot(a, t)


@defjvp(np.outer, argnum=0)
def _(t, ans, a, b, out=None):
    return np.outer(t, b)


@defjvp(np.outer, argnum=1)
def _(t, ans, a, b, out=None):
    return np.outer(a, t)


@defjvp(np.inner, argnum=0)
def _(t, ans, a, b):
    return np.inner(t, b)


@defjvp(np.inner, argnum=1)
def _(t, ans, a, b):
    return np.inner(a, t)


@defjvp(np.tensordot, argnum=0)
def _(t, ans, a, b, axes=2):
    return np.tensordot(t, b, axes)


@defjvp(np.tensordot, argnum=1)
def _(t, ans, a, b, axes=2):
    return np.tensordot(a, t, axes)


@defjvp(np.einsum, argnum=ARGNUMS_VARIADIC)
def _(t, k, ans, *operands, **options):
    return einsum_operand_tangent(t, k, operands)


@defjvp(np.linalg.inv)
def _(t, ans, a):
    return -(ans @ t @ ans)


@defjvp(np.linalg.det)
def _(t, ans, a):
    return det_jvp(t, ans, a)


@defjvp(np.linalg.solve, argnum=0)
def _(t, ans, a, b):
    return solve_a_jvp(t, ans, a, b)


@defjvp(np.linalg.solve, argnum=1)
def _(t, ans, a, b):
    return np.linalg.solve(a, t)


@defjvp(np.linalg.norm)
def _(t, ans, x, ord=None, axis=None, keepdims=False):
    return norm_jvp(t, ans, x, ord, axis, keepdims)


# --- shape operations ------------------------------------------------------------------------------------


@defjvp(np.reshape)
def _(t, ans, a, shape=None, order="C", **kwargs):
    return reshape_tangent(t, shape, order, **kwargs)


@defjvp(np.concatenate)
def _(t, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return np.concatenate(dense_tangents(t, arrays), axis=axis)


@defjvp(np.stack)
def _(t, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return np.stack(dense_tangents(t, arrays), axis=axis)


@defjvp(np.hstack)
def _(t, ans, tup, dtype=None, casting="same_kind"):
    return np.hstack(dense_tangents(t, tup))


@defjvp(np.vstack)
def _(t, ans, tup, dtype=None, casting="same_kind"):
    return np.vstack(dense_tangents(t, tup))


@defjvp(np.array)
def _(t, ans, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    return array_jvp(t, object, dtype, ndmin)


@defjvp(np.asarray)
def _(t, ans, a, dtype=None, order=None, *, device=None, copy=None, like=None):
    return array_jvp(t, a, dtype)


# --- constructors whose values depend on their arguments --------------------------------------------------
# Contributions have the output's shape: a fill value or a start is a scalar where the output is not.


@defjvp(np.full, argnum=1)
def _(t, ans, shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    return np.full(np.shape(ans), array_tangent(t), dtype=tangent_dtype(ans))


@defjvp(np.full_like, argnum=0)
def _(t, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return zeros_like_grad(ans)


@defjvp(np.full_like, argnum=1)
def _(t, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return np.full(np.shape(ans), array_tangent(t), dtype=tangent_dtype(ans))


# np.linspace is linear in (start, stop): the tangent is the same linspace from the tangent to zero (from
# zero to the tangent).
@defjvp(np.linspace, argnum=0)
def _(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    return np.linspace(array_tangent(t), zeros_like_grad(stop), num, endpoint, refuse_linspace_step(retstep),
                       float_dtype_or_none(dtype), axis)


@defjvp(np.linspace, argnum=1)
def _(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    return np.linspace(zeros_like_grad(start), array_tangent(t), num, endpoint, refuse_linspace_step(retstep),
                       float_dtype_or_none(dtype), axis)


# np.arange(start, stop, step)[i] is start + i * step; a lone first argument is the stop.
@defjvp(np.arange, argnum=0)
def _(t, ans, start=None, stop=None, step=1, *, dtype=None, device=None, like=None):
    return np.full(np.shape(ans), array_tangent(t) * arange_start_scale(stop), dtype=tangent_dtype(ans))


@defjvp(np.arange, argnum=1)
def _(t, ans, start=None, stop=None, step=1, *, dtype=None, device=None, like=None):
    return zeros_like_grad(ans)


@defjvp(np.arange, argnum=2)
def _(t, ans, start=None, stop=None, step=1, *, dtype=None, device=None, like=None):
    return array_tangent(t) * np.arange(np.size(ans), dtype=tangent_dtype(ans))
