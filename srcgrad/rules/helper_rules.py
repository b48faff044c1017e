"""Rules for the rule helpers that forward rules call, so that forward-mode code can itself be
differentiated again — by reverse mode (``hvp``, ``hessian``) or by forward mode (``derivative``).

Each helper is written out as the formula it computes; its rules differentiate that formula."""


from typing import Any

import numpy as np

from ..errors import SrcgradError
from .helpers import (
    arange_start_scale,
    array_grad,
    det_grad,
    einsum_call_parts,
    einsum_grads,
    floor_quotient,
    ieee_divide,
    power_base_grad,
    power_exponent_grad,
    ratio_or_zero,
    reduced_count,
    refuse_linspace_step,
    shape_of,
    unbroadcast,
    zeros_like_grad,
)
from .jvp_helpers import (
    array_tangent,
    broadcast_tangent,
    einsum_operand_tangent,
    float_dtype_or_none,
    norm_kind,
    piecewise_linear_norm_grad,
    svd_norm_grad,
    tangent_dtype,
    with_operand,
)
from .registry import defjvp, defnondiff, defvjp
from .runtime_jvp_rules import call_with_jvp_tangent

defnondiff(zeros_like_grad, reduced_count, tangent_dtype, float_dtype_or_none, refuse_linspace_step,
           arange_start_scale, floor_quotient)

# array_tangent(t) = np.asarray(t) for a list or tuple of tangents, t itself otherwise: the identity on
# values, so its rules only convert between the two forms.


@defvjp(array_tangent)
def _(ct, ans, t):
    return array_grad(ct, t)


@defjvp(array_tangent)
def _(tt, ans, t):
    return array_tangent(tt)


# broadcast_tangent(t, like) = t broadcast to like's shape: linear in t, constant in like.


@defvjp(broadcast_tangent)
def _(ct, ans, t, like):
    return unbroadcast(ct, t)


@defjvp(broadcast_tangent)
def _(tt, ans, t, like):
    return broadcast_tangent(tt, ans)


# power_base_grad(g, x, y) = g * y * x ** (y - 1), zero where y == 0; its derivative in y is
# g * x ** (y - 1) * (1 + y log x), log x taken as zero where x <= 0. power_exponent_grad(g, ans, x) = g * ans * log(x), zero where x <= 0.


def positive_mask(x: Any) -> Any:
    """1 where ``x > 0``, else 0 (a Python float for a Python number): where ``log x`` is taken."""
    if isinstance(x, (int, float)):
        return 1.0 if x > 0 else 0.0
    return np.greater(x, 0).astype(np.result_type(x, np.float32))


def ones_like_value(value: Any) -> Any:
    """Ones shaped like ``value``; a Python number gives ``1.0``."""
    return 1.0 if isinstance(value, (int, float)) else np.ones_like(value)


defnondiff(ones_like_value, positive_mask)


@defvjp(power_base_grad, argnums=(0, 1, 2))
def _(ct, ans, g, x, y):
    return (unbroadcast(power_base_grad(ct, x, y), g), unbroadcast(power_base_grad(ct * g * y, x, y - 1), x),
            unbroadcast(ct * g * x ** (y - 1) + power_exponent_grad(ct * g * y, x ** (y - 1), x), y))


@defjvp(power_base_grad, argnum=0)
def _(t, ans, g, x, y):
    return power_base_grad(t, x, y)


@defjvp(power_base_grad, argnum=1)
def _(t, ans, g, x, y):
    return power_base_grad(g * y * t, x, y - 1)


@defjvp(power_base_grad, argnum=2)
def _(t, ans, g, x, y):
    return t * g * x ** (y - 1) + power_exponent_grad(t * g * y, x ** (y - 1), x)


@defvjp(power_exponent_grad, argnums=(0, 1, 2))
def _(ct, ans, g, power, x):
    return (unbroadcast(power_exponent_grad(ct, power, x), g),
            unbroadcast(power_exponent_grad(ct * g, ones_like_value(power), x), power),
            unbroadcast(ratio_or_zero(ct * g * power, x) * positive_mask(x), x))


@defjvp(power_exponent_grad, argnum=0)
def _(t, ans, g, power, x):
    return power_exponent_grad(t, power, x)


@defjvp(power_exponent_grad, argnum=1)
def _(t, ans, g, power, x):
    return power_exponent_grad(g * t, ones_like_value(power), x)


@defjvp(power_exponent_grad, argnum=2)
def _(t, ans, g, power, x):
    return ratio_or_zero(t * g * power, x) * positive_mask(x)


# ieee_divide(n, d) = n / d, and ratio_or_zero(n, d) = n / d where d != 0, else 0


@defvjp(ieee_divide, argnums=(0, 1))
def _(ct, ans, n, d):
    return unbroadcast(ieee_divide(ct, d), n), unbroadcast(-ieee_divide(ct * ans, d), d)


@defjvp(ieee_divide, argnum=0)
def _(t, ans, n, d):
    return ieee_divide(t, d)


@defjvp(ieee_divide, argnum=1)
def _(t, ans, n, d):
    return -ieee_divide(ans * t, d)


@defvjp(ratio_or_zero, argnums=(0, 1))
def _(ct, ans, n, d):
    return unbroadcast(ratio_or_zero(ct, d), n), unbroadcast(-ratio_or_zero(ct * ans, d), d)


@defjvp(ratio_or_zero, argnum=0)
def _(t, ans, n, d):
    return ratio_or_zero(t, d)


@defjvp(ratio_or_zero, argnum=1)
def _(t, ans, n, d):
    return -ratio_or_zero(ans * t, d)


# det_grad(g, ans, a) = g * cofactor(a) (``ans`` only gives the batch shape), and cofactor(a) = det(a) inv(a)^T: its derivative in ``a`` is
# det(a) (tr(inv(a) da) inv(a)^T - (inv(a) da inv(a))^T). ``ans`` only gives the batch shape.


# Beyond this condition number the inverse has lost at least 12 of float64's 16 digits.
_SINGULAR_CONDITION = 1e12


def _cofactor_parts(g: Any, ans: Any, a: Any) -> tuple[Any, Any]:
    """``g * det(a)`` shaped to broadcast over the matrices, and ``inv(a)^T``; singular matrices refused."""
    if np.any(np.linalg.cond(a) > _SINGULAR_CONDITION):
        raise SrcgradError("second derivatives of np.linalg.det at a singular matrix are not supported (the "
                           "derivative of its cofactor matrix is computed through the inverse)")
    inverse_t = np.swapaxes(np.linalg.inv(a), -1, -2)
    scale = np.reshape(np.multiply(g, np.linalg.det(a)), shape_of(ans) + (1, 1))
    return scale, inverse_t


def det_grad_a_vjp(ct: Any, g: Any, ans: Any, a: Any) -> Any:
    scale, inverse_t = _cofactor_parts(g, ans, a)
    trace_term = np.sum(ct * inverse_t, axis=(-2, -1), keepdims=True) * inverse_t
    return scale * (trace_term - inverse_t @ np.swapaxes(ct, -1, -2) @ inverse_t)


def det_grad_a_jvp(t: Any, g: Any, ans: Any, a: Any) -> Any:
    scale, inverse_t = _cofactor_parts(g, ans, a)
    inverse = np.swapaxes(inverse_t, -1, -2)
    trace = np.sum(inverse_t * t, axis=(-2, -1), keepdims=True)
    return scale * (trace * inverse_t - np.swapaxes(inverse @ t @ inverse, -1, -2))


@defvjp(det_grad, argnums=(0, 1, 2))
def _(ct, ans, g, det, a):
    return (np.sum(ct * det_grad(np.ones_like(g), det, a), axis=(-2, -1)), zeros_like_grad(det),
            det_grad_a_vjp(ct, g, det, a))


@defjvp(det_grad, argnum=0)
def _(t, ans, g, det, a):
    return det_grad(t, det, a)


@defjvp(det_grad, argnum=1)
def _(t, ans, g, det, a):
    return zeros_like_grad(ans)


@defjvp(det_grad, argnum=2)
def _(t, ans, g, det, a):
    return det_grad_a_jvp(t, g, det, a)


# piecewise_linear_norm_grad is piecewise constant. svd_norm_grad (the matrix 2, -2 and nuclear norms and
# p-norms with p < 1) would need the derivatives of the singular value decomposition: its rules refuse.

defnondiff(piecewise_linear_norm_grad, norm_kind)
REFUSING = (svd_norm_grad, call_with_jvp_tangent)


@defvjp(svd_norm_grad, argnums=(0, 1, 2))
def _(ct, ans, g, norm, x, ord=None, axis=None, keepdims=False):
    return refuse_norm_second_derivative(ord, axis)


@defjvp(svd_norm_grad, argnum=0)
def _(t, ans, g, norm, x, ord=None, axis=None, keepdims=False):
    return refuse_norm_second_derivative(ord, axis)


@defjvp(svd_norm_grad, argnum=1)
def _(t, ans, g, norm, x, ord=None, axis=None, keepdims=False):
    return refuse_norm_second_derivative(ord, axis)


@defjvp(svd_norm_grad, argnum=2)
def _(t, ans, g, norm, x, ord=None, axis=None, keepdims=False):
    return refuse_norm_second_derivative(ord, axis)


def refuse_norm_second_derivative(ord: Any, axis: Any) -> Any:
    raise SrcgradError(f"second derivatives of np.linalg.norm(..., ord={ord!r}, axis={axis!r}) are not "
                       "supported (they need derivatives of the singular value decomposition); use the "
                       "Frobenius norm or a vector p-norm with p > 1, or write the norm out")


# einsum_operand_tangent(t, k, operands) is einsum with its k-th positional argument replaced by t: linear
# in t, and in every other operand. ``operands`` are einsum's positional arguments in either form (a
# subscripts string first, or operands interleaved with sublists), which have no cotangent of their own.


def _einsum_operand_cotangents(ct: Any, t: Any, k: int, operands: Any) -> tuple[Any, list]:
    grads = einsum_grads(ct, with_operand(tuple(operands), k, t))
    return grads[k], [zeros_like_grad(op) if j == k else grad for j, (op, grad) in enumerate(zip(operands, grads))]


def einsum_operands_tangent(ts: Any, t: Any, k: int, operands: Any) -> Any:
    """Tangent of ``einsum_operand_tangent`` in its operands: the sum over the operands j other than k of
    the einsum with operand k replaced by ``t`` and operand j by its tangent (the subscripts string and the
    sublists have none)."""
    replaced = with_operand(tuple(operands), k, t)
    _, _, operand_of = einsum_call_parts(replaced)
    total = 0.0
    for j, tangent in enumerate(ts):
        if j != k and operand_of[j] is not None and tangent is not None:
            total = total + np.einsum(*with_operand(replaced, j, tangent))
    return total


@defvjp(einsum_operand_tangent, argnums=(0, 2))
def _(ct, ans, t, k, operands):
    return _einsum_operand_cotangents(ct, t, k, operands)


@defjvp(einsum_operand_tangent, argnum=0)
def _(tt, ans, t, k, operands):
    return einsum_operand_tangent(tt, k, operands)


@defjvp(einsum_operand_tangent, argnum=2)
def _(ts, ans, t, k, operands):
    return einsum_operands_tangent(ts, t, k, operands)


# call_with_jvp_tangent is forward mode over a call in forward-mode code (a second derivative through a
# call into a user function); a third derivative through the call would need forward mode over that.


@defvjp(call_with_jvp_tangent, argnums=(1, 2, 3, 4))
def _(ct, ans, fn, args, tangents, arg_tangents, tangent_tangents):
    return refuse_third_derivative_through_call(fn)


@defjvp(call_with_jvp_tangent, argnum=1)
def _(t, ans, fn, args, tangents, arg_tangents, tangent_tangents):
    return refuse_third_derivative_through_call(fn)


@defjvp(call_with_jvp_tangent, argnum=2)
def _(t, ans, fn, args, tangents, arg_tangents, tangent_tangents):
    return refuse_third_derivative_through_call(fn)


@defjvp(call_with_jvp_tangent, argnum=3)
def _(t, ans, fn, args, tangents, arg_tangents, tangent_tangents):
    return refuse_third_derivative_through_call(fn)


@defjvp(call_with_jvp_tangent, argnum=4)
def _(t, ans, fn, args, tangents, arg_tangents, tangent_tangents):
    return refuse_third_derivative_through_call(fn)


def refuse_third_derivative_through_call(fn: Any) -> Any:
    raise SrcgradError(f"derivatives of order 3 and more through a call into {getattr(fn, '__name__', fn)!r} "
                       "(reverse or forward mode over its second-derivative code) are not supported yet; "
                       "write the callee's body into the caller, or use order 2 (hessian, grad(grad(f)))")
