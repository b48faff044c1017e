"""Rules for NumPy: ufuncs, reductions, linear algebra and shape operations.

Each rule is written to be read: it is inlined into generated code as it stands. Logic that needs branches
(broadcasting, axes, ties, special points) lives in named helpers in ``helpers.py``, so that every rule is
a few straight-line statements ending in one ``return``.
"""

import operator

import numpy as np

from .derive import elementwise, linear
from .helpers import (
    LN2,
    LN10,
    arange_grads,
    array_grad,
    clip_grad,
    concatenate_grads,
    cumprod_grad,
    cumsum_grad,
    det_grad,
    diag_grad,
    diagonal_grad,
    diff_grad,
    dot_grad,
    einsum_grads,
    expand_reduced,
    extremum_grad,
    fmax_grad,
    fmin_grad,
    hstack_grads,
    inner_grad,
    inverse_permutation,
    linspace_grads,
    matmul_left_grad,
    matmul_right_grad,
    maximum_grad,
    minimum_grad,
    norm_grad,
    power_base_grad,
    power_exponent_grad,
    prod_grad,
    ratio_or_zero,
    reduced_count,
    repeat_grad,
    repeat_reduced,
    reshaped_back,
    solve_grads,
    sort_grad,
    stack_grads,
    summed_to,
    take_grad,
    tensordot_grad,
    tile_grad,
    trace_grad,
    unbroadcast,
    vstack_grads,
    zeros_like_grad,
)
from .registry import ARGNUMS_VARIADIC, RESULT, SELF, TorchOp, defnondiff, defvjp

# --- arithmetic ufuncs -------------------------------------------------------------------------------


@defvjp(operator.add, argnums=(0, 1))
@defvjp(np.add, argnums=(0, 1))
def _add(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(g, y)


@defvjp(operator.sub, argnums=(0, 1))
@defvjp(np.subtract, argnums=(0, 1))
def _subtract(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g, y)


@defvjp(operator.mul, argnums=(0, 1))
@defvjp(np.multiply, argnums=(0, 1))
def _multiply(g, ans, x, y):
    return unbroadcast(g * y, x), unbroadcast(g * x, y)


@defvjp(operator.truediv, argnums=(0, 1))
@defvjp(np.divide, argnums=(0, 1))
def _divide(g, ans, x, y):
    # y is constant along the axes that unbroadcast sums over: dividing (and negating) after the sum costs
    # operations on y's shape, not on the broadcast shape (a softmax's normaliser)
    return unbroadcast(g / y, x), -unbroadcast(g * ans, y) / y


@defvjp(operator.pow, argnums=(0, 1))
@defvjp(np.power, argnums=(0, 1))
def _power(g, ans, x, y):
    return unbroadcast(power_base_grad(g, x, y), x), unbroadcast(power_exponent_grad(g, ans, x), y)


@defvjp(np.float_power, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(power_base_grad(g, x, y), x), unbroadcast(power_exponent_grad(g, ans, x), y)


@elementwise(np.negative, torch=TorchOp(("neg", "negative"), "NegBackward0", None, floating=False))
def _(ans, x):
    return -1


@elementwise(np.positive)
def _(ans, x):
    return 1


@elementwise(np.reciprocal, torch=TorchOp(("reciprocal",), "ReciprocalBackward0", RESULT))
def _(ans, x):
    return -ans * ans


@elementwise(np.square)
def _(ans, x):
    return 2 * x


@elementwise(np.sqrt, torch=TorchOp(("sqrt",), "SqrtBackward0", RESULT))
def _(ans, x):
    return 0.5 / ans


@elementwise(np.cbrt)
def _(ans, x):
    return 1 / (3 * ans * ans)


@elementwise(np.absolute, torch=TorchOp(("abs", "absolute"), "AbsBackward0", SELF, floating=False))
def _(ans, x):
    return np.sign(x)


@elementwise(np.fabs)
def _(ans, x):
    return np.sign(x)


@defvjp(np.maximum, argnums=(0, 1))
def _(g, ans, x, y):
    return maximum_grad(g, x, y, 0), maximum_grad(g, x, y, 1)


@defvjp(np.minimum, argnums=(0, 1))
def _(g, ans, x, y):
    return minimum_grad(g, x, y, 0), minimum_grad(g, x, y, 1)


@defvjp(np.fmax, argnums=(0, 1))
def _(g, ans, x, y):
    return fmax_grad(g, x, y, 0), fmax_grad(g, x, y, 1)


@defvjp(np.fmin, argnums=(0, 1))
def _(g, ans, x, y):
    return fmin_grad(g, x, y, 0), fmin_grad(g, x, y, 1)


@defvjp(np.hypot, argnums=(0, 1))
def _(g, ans, x, y):
    scale = ratio_or_zero(g, ans)
    return unbroadcast(scale * x, x), unbroadcast(scale * y, y)


# exp(x - ans) = 1 / (1 + exp(y - x)): written without ans, the forward sweep need not compute
# logaddexp when only the gradient is asked for (a logistic loss), and an infinite x gives 1, not nan
@defvjp(np.logaddexp, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g / (1.0 + np.exp(y - x)), x), unbroadcast(g / (1.0 + np.exp(x - y)), y)


@defvjp(np.logaddexp2, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * np.exp2(x - ans), x), unbroadcast(g * np.exp2(y - ans), y)


# x % y is x - floor(x / y) * y (np.fmod: x - trunc(x / y) * y): away from the jumps, where the quotient
# changes, it moves with x one for one and with y by minus the quotient (np.mod is np.remainder).
@defvjp(np.remainder, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g * np.floor_divide(x, y), y)


@defvjp(np.fmod, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g * np.trunc(np.divide(x, y)), y)


# copysign(x, y) is |x| with the sign of y: its slope in x is +1 where x already has y's sign and -1 where not,
# which is ans / x exactly (0 at x == 0, the kink, as for np.abs). The sign of y is piecewise constant.
@defvjp(np.copysign, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g * ratio_or_zero(ans, x), x), zeros_like_grad(y)


@defvjp(np.where, argnums=(1, 2))
def _(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, g, 0), x), unbroadcast(np.where(condition, 0, g), y)


@defvjp(np.clip)
def _(g, ans, a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):
    return clip_grad(g, a, a_min if min is None else min, a_max if max is None else max)


# --- exponentials, logarithms, trigonometry ------------------------------------------------------------


@elementwise(np.exp, torch=TorchOp(("exp",), "ExpBackward0", RESULT))
def _(ans, x):
    return ans


@elementwise(np.exp2, torch=TorchOp(("exp2",), "Exp2Backward0", RESULT))
def _(ans, x):
    return ans * LN2


@elementwise(np.expm1, torch=TorchOp(("expm1",), "Expm1Backward0", RESULT))
def _(ans, x):
    return ans + 1


@elementwise(np.log, torch=TorchOp(("log",), "LogBackward0", SELF))
def _(ans, x):
    return 1 / x


@elementwise(np.log2, torch=TorchOp(("log2",), "Log2Backward0", SELF))
def _(ans, x):
    return 1 / (x * LN2)


@elementwise(np.log10, torch=TorchOp(("log10",), "Log10Backward0", SELF))
def _(ans, x):
    return 1 / (x * LN10)


@elementwise(np.log1p, torch=TorchOp(("log1p",), "Log1PBackward0", SELF))
def _(ans, x):
    return 1 / (1 + x)


@elementwise(np.sin, torch=TorchOp(("sin",), "SinBackward0", SELF))
def _(ans, x):
    return np.cos(x)


@elementwise(np.cos, torch=TorchOp(("cos",), "CosBackward0", SELF))
def _(ans, x):
    return -np.sin(x)


@elementwise(np.tan, torch=TorchOp(("tan",), "TanBackward0", RESULT))
def _(ans, x):
    return 1 + ans * ans


@elementwise(np.arcsin, torch=TorchOp(("arcsin", "asin"), "AsinBackward0", SELF))
def _(ans, x):
    return 1 / np.sqrt(1 - x * x)


@elementwise(np.arccos, torch=TorchOp(("arccos", "acos"), "AcosBackward0", SELF))
def _(ans, x):
    return -1 / np.sqrt(1 - x * x)


@elementwise(np.arctan, torch=TorchOp(("arctan", "atan"), "AtanBackward0", SELF))
def _(ans, x):
    return 1 / (1 + x * x)


@defvjp(np.arctan2, argnums=(0, 1))
def _(g, ans, y, x):
    return unbroadcast(g * x / (x * x + y * y), y), unbroadcast(-g * y / (x * x + y * y), x)


@elementwise(np.sinh, torch=TorchOp(("sinh",), "SinhBackward0", SELF))
def _(ans, x):
    return np.cosh(x)


@elementwise(np.cosh, torch=TorchOp(("cosh",), "CoshBackward0", SELF))
def _(ans, x):
    return np.sinh(x)


@elementwise(np.tanh, torch=TorchOp(("tanh",), "TanhBackward0", RESULT))
def _(ans, x):
    return 1 - ans * ans


@elementwise(np.arcsinh, torch=TorchOp(("arcsinh", "asinh"), "AsinhBackward0", SELF))
def _(ans, x):
    return 1 / np.sqrt(x * x + 1)


@elementwise(np.arccosh, torch=TorchOp(("arccosh", "acosh"), "AcoshBackward0", SELF))
def _(ans, x):
    return 1 / np.sqrt(x * x - 1)


@elementwise(np.arctanh, torch=TorchOp(("arctanh", "atanh"), "AtanhBackward0", SELF))
def _(ans, x):
    return 1 / (1 - x * x)


@elementwise(np.deg2rad, torch=TorchOp(("deg2rad",), "Deg2RadBackward0"))
def _(ans, x):
    return np.pi / 180


@elementwise(np.rad2deg, torch=TorchOp(("rad2deg",), "Rad2DegBackward0"))
def _(ans, x):
    return 180 / np.pi


@elementwise(np.sinc, torch=TorchOp(("sinc",), "SincBackward0", SELF))
def _(ans, x):
    return np.where(x == 0, 0.0, (np.cos(np.pi * x) - ans) / np.where(x == 0, 1.0, x))


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


@defvjp(np.amax)
def _(g, ans, a, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.amin)
def _(g, ans, a, axis=None, out=None, keepdims=False):
    return extremum_grad(g, ans, a, axis, keepdims)


@defvjp(np.var)
def _(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return expand_reduced(g, a, axis, keepdims) * 2 * centered / (reduced_count(a, axis) - ddof)


@defvjp(np.std)
def _(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    scale = ratio_or_zero(expand_reduced(g, a, axis, keepdims), expand_reduced(ans, a, axis, keepdims))
    return scale * centered / (reduced_count(a, axis) - ddof)


@defvjp(np.cumsum)
def _(g, ans, a, axis=None, dtype=None, out=None):
    return cumsum_grad(g, a, axis)


@defvjp(np.cumprod)
def _(g, ans, a, axis=None, dtype=None, out=None):
    return cumprod_grad(g, ans, a, axis)


@defvjp(np.diff)
def _(g, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return diff_grad(g, a, n, axis, prepend, append)


@defvjp(np.sort)
def _(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return sort_grad(g, a, axis)


@defvjp(np.trace)
def _(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return trace_grad(g, a, offset, axis1, axis2)


# --- linear algebra --------------------------------------------------------------------------------------


@defvjp(np.matmul, argnums=(0, 1))
def _(g, ans, x1, x2):
    return matmul_left_grad(g, x1, x2), matmul_right_grad(g, x1, x2)


@defvjp(np.dot, argnums=(0, 1))
def _(g, ans, a, b, out=None):
    return dot_grad(g, a, b, 0), dot_grad(g, a, b, 1)


@defvjp(np.vdot, argnums=(0, 1))
def _(g, ans, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@defvjp(np.outer, argnums=(0, 1))
def _(g, ans, a, b, out=None):
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


@defvjp(np.inner, argnums=(0, 1))
def _(g, ans, a, b):
    return inner_grad(g, a, b, 0), inner_grad(g, a, b, 1)


@defvjp(np.tensordot, argnums=(0, 1))
def _(g, ans, a, b, axes=2):
    return tensordot_grad(g, a, b, axes, 0), tensordot_grad(g, a, b, axes, 1)


# Every positional argument is variadic, so that the sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]), whose
# first argument is an operand, gets its operands' cotangents too (None for the subscripts and sublists).
@defvjp(np.einsum, argnums=ARGNUMS_VARIADIC)
def _(g, ans, *operands, **options):
    return einsum_grads(g, operands)


@defvjp(np.linalg.inv)
def _(g, ans, a):
    ans_t = np.swapaxes(ans, -1, -2)
    return -(ans_t @ g @ ans_t)


@defvjp(np.linalg.det)
def _(g, ans, a):
    return det_grad(g, ans, a)


@defvjp(np.linalg.solve, argnums=(0, 1))
def _(g, ans, a, b):
    return solve_grads(g, ans, a, b)


@defvjp(np.linalg.norm)
def _(g, ans, x, ord=None, axis=None, keepdims=False):
    return norm_grad(g, ans, x, ord, axis, keepdims)


# --- shape operations ------------------------------------------------------------------------------------


@defvjp(np.reshape)
def _(g, ans, a, shape=None, order="C", **kwargs):
    return reshaped_back(g, a, order)


@linear(np.ravel)
def _(g, ans, a, order="C"):
    return reshaped_back(g, a, order)


@linear(np.squeeze)
def _(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@linear(np.expand_dims)
def _(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@linear(np.atleast_1d)
def _(g, ans, a):
    return np.reshape(g, np.shape(a))


@linear(np.atleast_2d)
def _(g, ans, a):
    return np.reshape(g, np.shape(a))


@linear(np.transpose)
def _(g, ans, a, axes=None):
    return np.transpose(g, inverse_permutation(axes, np.ndim(g)))


@linear(np.swapaxes)
def _(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@linear(np.moveaxis)
def _(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


@linear(np.broadcast_to)
def _(g, ans, array, shape):
    return summed_to(g, array)


@linear(np.flip)
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
    return hstack_grads(g, tup)


@defvjp(np.vstack)
def _(g, ans, tup, dtype=None, casting="same_kind"):
    return vstack_grads(g, tup)


@defvjp(np.array)
def _(g, ans, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    return array_grad(g, object)


@defvjp(np.asarray)
def _(g, ans, a, dtype=None, order=None, *, device=None, copy=None, like=None):
    return array_grad(g, a)


@linear(np.copy)
def _(g, ans, a, order="K", subok=False):
    return g


@linear(np.atleast_3d)
def _(g, ans, a):
    return np.reshape(g, np.shape(a))


@linear(np.fliplr)
def _(g, ans, m):
    return np.fliplr(g)


@linear(np.flipud)
def _(g, ans, m):
    return np.flipud(g)


@linear(np.roll)
def _(g, ans, a, shift, axis=None):
    return np.roll(g, np.negative(shift), axis)


@linear(np.diagonal)
def _(g, ans, a, offset=0, axis1=0, axis2=1):
    return diagonal_grad(g, a, offset, axis1, axis2)


@linear(np.diag)
def _(g, ans, v, k=0):
    return diag_grad(g, v, k)


# A 1-D m is broadcast to a square matrix: summed_to sums the rows back.
@linear(np.triu)
def _(g, ans, m, k=0):
    return summed_to(np.triu(g, k), m)


@linear(np.tril)
def _(g, ans, m, k=0):
    return summed_to(np.tril(g, k), m)


@linear(np.tile)
def _(g, ans, A, reps):
    return tile_grad(g, A, reps)


@linear(np.repeat)
def _(g, ans, a, repeats, axis=None):
    return repeat_grad(g, a, repeats, axis)


@linear(np.real)
def _(g, ans, val):
    return g


@linear(np.take)
def _(g, ans, a, indices, axis=None, out=None, mode="raise"):
    return take_grad(g, a, indices, axis, mode)


# --- constructors whose values depend on their arguments --------------------------------------------------
# A dtype that rounds the output is ignored, as everywhere in the table: a derivative is never rounded.


@defvjp(np.full, argnums=1)
def _(g, ans, shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    return summed_to(g, fill_value)


# The array ``a`` gives only the shape and dtype: its partial is zero (not a missing rule: np.full_like(x, c)
# with an active x is common and must not be refused).
@defvjp(np.full_like, argnums=(0, 1))
def _(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return zeros_like_grad(a), summed_to(g, fill_value)


@defvjp(np.linspace, argnums=(0, 1))
def _(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    return linspace_grads(g, start, stop, num, endpoint, retstep, axis)


@defvjp(np.arange, argnums=(0, 1, 2))
def _(g, ans, start=None, stop=None, step=1, *, dtype=None, device=None, like=None):
    return arange_grads(g, ans, start, stop, step)


# Constants to differentiation: shapes, constructors from shapes, piecewise constant functions (rounding,
# signs, integer division), comparisons and logic, indices. np.meshgrid is not here: it returns a tuple of
# arrays, which has no rule yet, so an active call is refused rather than given a zero gradient.
defnondiff(
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones,
    np.empty, np.eye, np.identity, np.sign, np.floor, np.ceil, np.round,
    np.rint, np.trunc, np.around, np.fix, np.argmax, np.argmin, np.argsort, np.nonzero,
    np.isnan, np.isinf, np.isfinite, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
    np.greater_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
    np.floor_divide, np.result_type, np.allclose, np.isclose, np.array_equal, np.count_nonzero,
    np.searchsorted, np.digitize, np.tril_indices, np.triu_indices, np.diag_indices,
)
