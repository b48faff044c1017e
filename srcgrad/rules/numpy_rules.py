"""Rules for NumPy: ufuncs, reductions, linear algebra and shape operations.

Each rule is written to be read: it is inlined into generated code as it stands. Logic that needs branches
(broadcasting, axes, ties) lives in named helpers in ``srcgrad.runtime``.
"""

import numpy as np

from .helpers import (concatenate_grads, dot_grads, einsum_grad, expand_reduced, extremum_grad, getitem_grad,
                       matmul_left_grad, matmul_right_grad, norm_grad, prod_grad, reduced_count, repeat_reduced,
                       stack_grads, tensordot_grads, unbroadcast)
from .registry import ARGNUMS_VARIADIC, defnondiff, defvjp

# --- arithmetic ufuncs -------------------------------------------------------------------------------


@defvjp(np.add, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(g, y)


@defvjp(np.subtract, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g, y)


@defvjp(np.multiply, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * y, x), unbroadcast(g * x, y)


@defvjp(np.divide, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g / y, x), unbroadcast(-g * ans / y, y)


@defvjp(np.power, argnums=(0, 1))
def _(g, ans, x, y):
    return (unbroadcast(g * y * np.power(x, y - 1), x),
            unbroadcast(g * ans * np.log(np.where(x > 0, x, 1)), y))


@defvjp(np.negative)
def _(g, ans, x):
    return -g


@defvjp(np.positive)
def _(g, ans, x):
    return g


@defvjp(np.reciprocal)
def _(g, ans, x):
    return -g * ans * ans


@defvjp(np.square)
def _(g, ans, x):
    return g * 2 * x


@defvjp(np.sqrt)
def _(g, ans, x):
    return g * 0.5 / ans


@defvjp(np.cbrt)
def _(g, ans, x):
    return g / (3 * ans * ans)


@defvjp(np.absolute)
def _(g, ans, x):
    return g * np.sign(x)


@defvjp(np.fabs)
def _(g, ans, x):
    return g * np.sign(x)


@defvjp(np.maximum, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * ((x > y) + 0.5 * (x == y)), x), unbroadcast(g * ((y > x) + 0.5 * (x == y)), y)


@defvjp(np.minimum, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * ((x < y) + 0.5 * (x == y)), x), unbroadcast(g * ((y < x) + 0.5 * (x == y)), y)


@defvjp(np.fmax, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * ((x > y) + 0.5 * (x == y)), x), unbroadcast(g * ((y > x) + 0.5 * (x == y)), y)


@defvjp(np.fmin, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * ((x < y) + 0.5 * (x == y)), x), unbroadcast(g * ((y < x) + 0.5 * (x == y)), y)


@defvjp(np.hypot, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * x / ans, x), unbroadcast(g * y / ans, y)


@defvjp(np.logaddexp, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * np.exp(x - ans), x), unbroadcast(g * np.exp(y - ans), y)


@defvjp(np.logaddexp2, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * np.exp2(x - ans), x), unbroadcast(g * np.exp2(y - ans), y)


@defvjp(np.where, argnums=(1, 2))
def _(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, g, 0), x), unbroadcast(np.where(condition, 0, g), y)


@defvjp(np.clip)
def _(g, ans, a, a_min=None, a_max=None):
    inside = np.ones(np.shape(a), dtype=bool)
    if a_min is not None:
        inside = inside & (a >= a_min)
    if a_max is not None:
        inside = inside & (a <= a_max)
    return g * inside


# --- exponentials, logarithms, trigonometry ------------------------------------------------------------


@defvjp(np.exp)
def _(g, ans, x):
    return g * ans


@defvjp(np.exp2)
def _(g, ans, x):
    return g * ans * np.log(2)


@defvjp(np.expm1)
def _(g, ans, x):
    return g * (ans + 1)


@defvjp(np.log)
def _(g, ans, x):
    return g / x


@defvjp(np.log2)
def _(g, ans, x):
    return g / (x * np.log(2))


@defvjp(np.log10)
def _(g, ans, x):
    return g / (x * np.log(10))


@defvjp(np.log1p)
def _(g, ans, x):
    return g / (1 + x)


@defvjp(np.sin)
def _(g, ans, x):
    return g * np.cos(x)


@defvjp(np.cos)
def _(g, ans, x):
    return -g * np.sin(x)


@defvjp(np.tan)
def _(g, ans, x):
    return g * (1 + ans * ans)


@defvjp(np.arcsin)
def _(g, ans, x):
    return g / np.sqrt(1 - x * x)


@defvjp(np.arccos)
def _(g, ans, x):
    return -g / np.sqrt(1 - x * x)


@defvjp(np.arctan)
def _(g, ans, x):
    return g / (1 + x * x)


@defvjp(np.arctan2, argnums=(0, 1))
def _(g, ans, y, x):
    return unbroadcast(g * x / (x * x + y * y), y), unbroadcast(-g * y / (x * x + y * y), x)


@defvjp(np.sinh)
def _(g, ans, x):
    return g * np.cosh(x)


@defvjp(np.cosh)
def _(g, ans, x):
    return g * np.sinh(x)


@defvjp(np.tanh)
def _(g, ans, x):
    return g * (1 - ans * ans)


@defvjp(np.arcsinh)
def _(g, ans, x):
    return g / np.sqrt(x * x + 1)


@defvjp(np.arccosh)
def _(g, ans, x):
    return g / np.sqrt(x * x - 1)


@defvjp(np.arctanh)
def _(g, ans, x):
    return g / (1 - x * x)


@defvjp(np.deg2rad)
def _(g, ans, x):
    return g * (np.pi / 180)


@defvjp(np.rad2deg)
def _(g, ans, x):
    return g * (180 / np.pi)


@defvjp(np.sinc)
def _(g, ans, x):
    return g * np.where(x == 0, 0.0, (np.cos(np.pi * x) - ans) / np.where(x == 0, 1.0, x))


# --- reductions ------------------------------------------------------------------------------------------


@defvjp(np.sum)
def _(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return repeat_reduced(g, a, axis, keepdims)


@defvjp(np.mean)
def _(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return repeat_reduced(g, a, axis, keepdims) / reduced_count(a, axis)


@defvjp(np.prod)
def _(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return prod_grad(g, a, axis, keepdims)


@defvjp(np.max)
def _(g, ans, a, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.min)
def _(g, ans, a, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.var)
def _(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return expand_reduced(g, a, axis, keepdims) * 2 * centered / (reduced_count(a, axis) - ddof)


@defvjp(np.std)
def _(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    scale = expand_reduced(g, a, axis, keepdims) / expand_reduced(ans, a, axis, keepdims)
    return scale * centered / (reduced_count(a, axis) - ddof)


@defvjp(np.cumsum)
def _(g, ans, a, axis=None, dtype=None, out=None):
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), np.shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


@defvjp(np.trace)
def _(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return np.moveaxis(np.eye(np.shape(a)[axis1], np.shape(a)[axis2], k=offset) * np.reshape(
        g, np.shape(g) + (1, 1)), (-2, -1), (axis1, axis2))


# --- linear algebra --------------------------------------------------------------------------------------


@defvjp(np.matmul, argnums=(0, 1))
def _(g, ans, x1, x2):
    return matmul_left_grad(g, x1, x2), matmul_right_grad(g, x1, x2)


@defvjp(np.dot, argnums=(0, 1))
def _(g, ans, a, b, out=None):
    return dot_grads(g, a, b)


@defvjp(np.vdot, argnums=(0, 1))
def _(g, ans, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@defvjp(np.outer, argnums=(0, 1))
def _(g, ans, a, b, out=None):
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


@defvjp(np.inner, argnums=(0, 1))
def _(g, ans, a, b):
    return tensordot_grads(g, a, b, ((-1,), (-1,)))


@defvjp(np.tensordot, argnums=(0, 1))
def _(g, ans, a, b, axes=2):
    return tensordot_grads(g, a, b, axes)


@defvjp(np.einsum, argnums=ARGNUMS_VARIADIC)
def _(g, ans, subscripts, *operands, **options):
    return [einsum_grad(g, subscripts, operands, k) for k in range(len(operands))]


@defvjp(np.linalg.inv)
def _(g, ans, a):
    ans_t = np.swapaxes(ans, -1, -2)
    return -(ans_t @ g @ ans_t)


@defvjp(np.linalg.det)
def _(g, ans, a):
    return np.reshape(g * ans, np.shape(ans) + (1, 1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@defvjp(np.linalg.solve, argnums=(0, 1))
def _(g, ans, a, b):
    vector = np.ndim(b) == np.ndim(a) - 1
    g_b = np.linalg.solve(np.swapaxes(a, -1, -2), g[..., None] if vector else g)
    ans_m = ans[..., None] if vector else ans
    return -(g_b @ np.swapaxes(ans_m, -1, -2)), g_b[..., 0] if vector else g_b


@defvjp(np.linalg.norm)
def _(g, ans, x, ord=None, axis=None, keepdims=False):
    return norm_grad(g, ans, x, ord, axis, keepdims)


# --- shape operations ------------------------------------------------------------------------------------


@defvjp(np.reshape)
def _(g, ans, a, *args, **kwargs):
    return np.reshape(g, np.shape(a))


@defvjp(np.ravel)
def _(g, ans, a, order="C"):
    return np.reshape(g, np.shape(a))


@defvjp(np.squeeze)
def _(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@defvjp(np.expand_dims)
def _(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@defvjp(np.atleast_1d)
def _(g, ans, a):
    return np.reshape(g, np.shape(a))


@defvjp(np.atleast_2d)
def _(g, ans, a):
    return np.reshape(g, np.shape(a))


@defvjp(np.transpose)
def _(g, ans, a, axes=None):
    return np.transpose(g, None if axes is None else np.argsort(axes))


@defvjp(np.swapaxes)
def _(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@defvjp(np.moveaxis)
def _(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


@defvjp(np.broadcast_to)
def _(g, ans, array, shape):
    return unbroadcast(g, array)


@defvjp(np.flip)
def _(g, ans, m, axis=None):
    return np.flip(g, axis)


@defvjp(np.concatenate)
def _(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return concatenate_grads(g, arrays, axis)


@defvjp(np.stack)
def _(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return stack_grads(g, arrays, axis)


@defvjp(np.hstack)
def _(g, ans, tup, dtype=None, casting="same_kind"):
    return concatenate_grads(g, tup, 0 if np.ndim(tup[0]) == 1 else 1)


@defvjp(np.vstack)
def _(g, ans, tup, dtype=None, casting="same_kind"):
    return [np.reshape(p, np.shape(a)) for p, a in zip(concatenate_grads(g, [np.atleast_2d(t) for t in tup], 0), tup)]


@defvjp(np.array)
def _(g, ans, object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None):
    return g if not isinstance(object, (list, tuple)) else [g[i] for i in range(len(object))]


@defvjp(np.asarray)
def _(g, ans, a, dtype=None, order=None, like=None):
    return g if not isinstance(a, (list, tuple)) else [g[i] for i in range(len(a))]


@defvjp(np.copy)
def _(g, ans, a, order="K", subok=False):
    return g


@defvjp(np.real)
def _(g, ans, val):
    return g


@defvjp(np.take)
def _(g, ans, a, indices, axis=None, out=None, mode="raise"):
    if axis is None:
        return np.reshape(getitem_grad(np.ravel(g), np.ravel(a), np.ravel(indices)), np.shape(a)) \
            if np.ndim(indices) else np.reshape(getitem_grad(g, np.ravel(a), indices), np.shape(a))
    index = (slice(None),) * (axis % np.ndim(a)) + (indices,)
    return getitem_grad(g, a, index)


defnondiff(
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.zeros, np.ones,
    np.empty, np.full, np.eye, np.identity, np.arange, np.linspace, np.sign, np.floor, np.ceil, np.round,
    np.rint, np.trunc, np.argmax, np.argmin, np.argsort, np.nonzero,
    np.isnan, np.isinf, np.isfinite, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
    np.greater_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
    np.floor_divide, np.mod, np.result_type, np.allclose, np.isclose, np.array_equal, np.count_nonzero,
    np.searchsorted, np.digitize, np.tril_indices, np.triu_indices, np.diag_indices, np.meshgrid,
)
