"""Helpers that the SciPy rules call (``scipy_rules.py``, ``scipy_jvp_rules.py``), with rules of their own for
those that forward rules call, so that forward-mode code through SciPy functions can be differentiated
again (``hessian``, ``hvp``, ``derivative``).

The helpers with rules are small and mostly linear: the triangle a triangular solver or a Cholesky
factorization reads, a transpose chosen by an option, the symmetric matrix built from one triangle, the
polygamma function written with ufuncs (SciPy's ``polygamma`` converts its input to NumPy and rounds float32
up to float64), the weights of a ``logsumexp``, the Fréchet derivative of the matrix exponential. The others
(``*_grads``) compute reverse-mode partials only and need no rules: reverse code is not differentiated
again. Imported only where SciPy is installed.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.linalg
import scipy.special

from ..errors import SrcgradError
from .dispatch import foreign_of, to_library
from .helpers import expand_reduced, shape_of, unbroadcast, zeros_like_grad
from .jvp_helpers import array_tangent
from .registry import defjvp, defnondiff, defvjp

# --- special functions ---------------------------------------------------------------------------------


def polygamma_of(n: Any, x: Any) -> Any:
    """``scipy.special.polygamma(n, x)`` for integers ``n >= 0``, from ufuncs only: ``psi(x)`` for ``n == 0``,
    else ``(-1) ** (n + 1) n! zeta(n + 1, x)``. Unlike SciPy's function it keeps float32 and stays lazy on
    Dask (SciPy's converts its arguments with ``np.asarray``)."""
    if isinstance(n, numbers.Integral):
        if n == 0:
            return scipy.special.psi(x)
        factor = (-1.0) ** (int(n) + 1) * float(scipy.special.gamma(int(n) + 1.0))
        return factor * scipy.special.zeta(int(n) + 1, x)
    n = np.asarray(n)
    dtype = np.float64 if isinstance(x, numbers.Number) else np.result_type(x, np.float32)
    factor = (np.where(np.remainder(n, 2) == 1, 1.0, -1.0) * scipy.special.gamma(n + 1.0)).astype(dtype)
    like = foreign_of(x)
    order = to_library((n + 1).astype(dtype), like)
    higher = to_library(factor, like) * scipy.special.zeta(order, x)
    return np.where(to_library(n == 0, like), scipy.special.psi(x), higher)


# The derivative of the n-th polygamma function is the (n + 1)-th; n is an integer (no derivative).


@defvjp(polygamma_of, argnums=1)
def _(g, ans, n, x):
    return unbroadcast(g * polygamma_of(n + 1, x), x)


@defjvp(polygamma_of, argnum=1)
def _(t, ans, n, x):
    return array_tangent(t) * polygamma_of(n + 1, x)


# --- logsumexp ---------------------------------------------------------------------------------------------


def refuse_return_sign(return_sign: bool, keepdims: bool) -> bool:
    """``keepdims``, once ``return_sign`` is known to be False: ``logsumexp(..., return_sign=True)`` returns a
    (value, sign) pair, whose derivative srcgrad does not take."""
    if return_sign:
        raise SrcgradError("the derivative of scipy.special.logsumexp(..., return_sign=True) is not supported: it "
                           "returns a (value, sign) pair; call it with return_sign=False (with weights b >= 0 "
                           "the sign is +1)")
    return keepdims


defnondiff(refuse_return_sign)


def lse_weights(a: Any, axis: Any = None, b: Any = None) -> Any:
    """The partial derivatives of ``logsumexp(a, axis, b)`` in ``a``: ``b * exp(a - logsumexp(a, axis, b))``
    (``b`` taken as 1 when None), in the shape ``a`` and ``b`` broadcast to; the softmax when ``b`` is None."""
    weights = np.exp(a - scipy.special.logsumexp(a, axis=axis, b=b, keepdims=True))
    return weights if b is None else weights * b


def partial_or_none(value: Any, like: Any) -> Any:
    """``value`` summed to the shape of ``like``, or None when ``like`` is None (an argument left out)."""
    return None if like is None else unbroadcast(value, like)


def logsumexp_grads(g: Any, ans: Any, a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
                    return_sign: bool = False) -> tuple[Any, Any]:
    """Partials of ``scipy.special.logsumexp(a, axis, b, keepdims)`` in ``a`` and in the weights ``b``."""
    refuse_return_sign(return_sign, keepdims)
    like = a if b is None else np.broadcast_to(a, np.broadcast_shapes(shape_of(a), shape_of(b)))
    g = expand_reduced(g, like, axis, keepdims)
    scaled = np.exp(a - expand_reduced(ans, like, axis, keepdims)) * g
    return unbroadcast(scaled if b is None else scaled * b, a), partial_or_none(scaled, b)


# lse_weights(a, axis, b) = y with y_i = b_i exp(a_i) / S and S = sum over the axis of b exp(a): in a,
# dy = y (da - sum(y da)); in b, dy = e db - y sum(e db) with e = exp(a - log S).


@defvjp(lse_weights, argnums=(0, 2))
def _(g, ans, a, axis=None, b=None):
    scaled = g - np.sum(g * ans, axis=axis, keepdims=True)
    e = np.exp(a - scipy.special.logsumexp(a, axis=axis, b=b, keepdims=True))
    return unbroadcast(scaled * ans, a), partial_or_none(scaled * e, b)


@defjvp(lse_weights, argnum=0)
def _(t, ans, a, axis=None, b=None):
    return ans * (array_tangent(t) - np.sum(ans * array_tangent(t), axis=axis, keepdims=True))


@defjvp(lse_weights, argnum=2)
def _(t, ans, a, axis=None, b=None):
    e = np.exp(a - scipy.special.logsumexp(a, axis=axis, b=b, keepdims=True))
    return e * array_tangent(t) - ans * np.sum(e * array_tangent(t), axis=axis, keepdims=True)


# --- triangles, transposes and symmetric matrices (linear; used by the linear-algebra rules) ----------------


def is_transposed(trans: Any) -> bool:
    """Whether ``solve_triangular``'s ``trans`` solves with the transpose (1, 'T'; for real matrices 2 and
    'C' too)."""
    return trans not in (0, "N", "n")


def other_trans(trans: Any) -> int:
    """The ``trans`` of the solve with the transposed matrix: the adjoint of a triangular solve."""
    return 0 if is_transposed(trans) else 1


def cho_lower(c_and_lower: Any) -> bool:
    """Which triangle of ``cho_factor``'s matrix holds the factor: the second item of its pair."""
    return bool(c_and_lower[1])


def triangle(m: Any, lower: bool, unit_diagonal: bool = False) -> Any:
    """The triangle of ``m`` a triangular solver reads: the lower (upper) one, without the diagonal when the
    diagonal is taken as ones (``unit_diagonal``). A projection: it is its own adjoint."""
    k = 1 if unit_diagonal else 0
    return np.tril(m, -k) if lower else np.triu(m, k)


def transpose_if(m: Any, flag: bool) -> Any:
    """``m`` with its last two axes swapped when ``flag``, else ``m``. Its own adjoint."""
    return np.swapaxes(m, -1, -2) if flag else m


def lower_half(m: Any) -> Any:
    """The strictly lower triangle of ``m`` plus half its diagonal (the ``Phi`` of the Cholesky derivative).
    Its own adjoint."""
    return 0.5 * (np.tril(m) + np.tril(m, -1))


def symmetric_from(m: Any, lower: bool) -> Any:
    """The symmetric matrix a factorization reading one triangle of ``m`` sees: that triangle mirrored."""
    if lower:
        return np.tril(m) + np.swapaxes(np.tril(m, -1), -1, -2)
    return np.triu(m) + np.swapaxes(np.triu(m, 1), -1, -2)


def symmetric_from_adjoint(g: Any, lower: bool) -> Any:
    """The adjoint of ``symmetric_from``: ``g + g^T`` on the strict triangle read, ``g`` on the diagonal, zero
    on the other triangle (which the factorization never reads)."""
    if lower:
        return np.tril(np.swapaxes(g, -1, -2)) + np.tril(g, -1)
    return np.triu(np.swapaxes(g, -1, -2)) + np.triu(g, 1)


defnondiff(is_transposed, other_trans, cho_lower)


@defvjp(triangle)
def _(g, ans, m, lower, unit_diagonal=False):
    return triangle(g, lower, unit_diagonal)


@defjvp(triangle)
def _(t, ans, m, lower, unit_diagonal=False):
    return triangle(t, lower, unit_diagonal)


@defvjp(transpose_if)
def _(g, ans, m, flag):
    return transpose_if(g, flag)


@defjvp(transpose_if)
def _(t, ans, m, flag):
    return transpose_if(t, flag)


@defvjp(lower_half)
def _(g, ans, m):
    return lower_half(g)


@defjvp(lower_half)
def _(t, ans, m):
    return lower_half(t)


@defvjp(symmetric_from)
def _(g, ans, m, lower):
    return symmetric_from_adjoint(g, lower)


@defjvp(symmetric_from)
def _(t, ans, m, lower):
    return symmetric_from(t, lower)


@defvjp(symmetric_from_adjoint)
def _(g, ans, m, lower):
    return symmetric_from(g, lower)


@defjvp(symmetric_from_adjoint)
def _(t, ans, m, lower):
    return symmetric_from_adjoint(t, lower)


# --- scipy.linalg: partials of the reverse rules -----------------------------------------------------------


def _outer(u: Any, v: Any) -> Any:
    """``u v^T`` for vectors, ``u @ v^T`` for matrices (right-hand sides with several columns)."""
    if len(shape_of(u)) == 1:
        return np.multiply.outer(u, v)
    return u @ np.swapaxes(v, -1, -2)


def solve_triangular_a_grad(gb: Any, x: Any, a: Any, trans: Any, lower: bool, unit_diagonal: bool) -> Any:
    """The partial of ``a`` in ``x = solve_triangular(a, b, trans, lower, unit_diagonal)``, given the
    partial ``gb`` of ``b``: ``-gb x^T`` (``-x gb^T`` for a transposed solve) on the triangle read."""
    product = -_outer(x, gb) if is_transposed(trans) else -_outer(gb, x)
    return unbroadcast(triangle(product, lower, unit_diagonal), a)


def cho_solve_grads(g: Any, ans: Any, c_and_lower: Any, b: Any) -> tuple[Any, Any]:
    """Partials of ``x = cho_solve((c, lower), b)``, ``x = A^{-1} b`` with ``A = L L^T`` and ``L`` the triangle
    of ``c`` (transposed when it is the upper one): ``b`` gets ``A^{-1} g``, and ``L``, on its triangle,
    ``-(gb x^T + x gb^T) L``. The pair gets ``(partial of c, 0.0)``: ``lower`` is a flag."""
    c, lower = c_and_lower[0], bool(c_and_lower[1])
    gb = scipy.linalg.cho_solve((c, lower), g)
    factor = transpose_if(triangle(c, lower), not lower)
    gl = -((_outer(gb, ans) + _outer(ans, gb)) @ factor)
    return (triangle(transpose_if(gl, not lower), lower), 0.0), gb


def cholesky_grad(g: Any, factor: Any, lower: bool) -> Any:
    """The partial of ``a`` in ``factor = cholesky(a, lower)`` (the upper factor when not ``lower``), for the
    triangle of ``a`` that the factorization reads: ``S = L^{-T} Phi(L^T gL) L^{-1}`` with ``gL`` the partial
    of the lower factor ``L``, then ``S + S^T`` off the diagonal of that triangle and ``S`` on it."""
    low = transpose_if(factor, not lower)
    inner = lower_half(np.swapaxes(low, -1, -2) @ transpose_if(g, not lower))
    left = scipy.linalg.solve_triangular(low, inner, trans=1, lower=True)
    s = scipy.linalg.solve_triangular(low, np.swapaxes(left, -1, -2), trans=1, lower=True)
    return symmetric_from_adjoint(s, lower)


def _cho_factor_keeps_the_other_triangle() -> bool:
    """Whether this SciPy's ``cho_factor`` leaves ``a``'s entries in the triangle the factor does not use
    (up to 1.17, as LAPACK does) or zeroes them (1.18 on)."""
    c, _ = scipy.linalg.cho_factor(np.array([[2.0, 0.5], [0.5, 2.0]]), lower=True)
    return bool(c[0, 1] == 0.5)


CHO_FACTOR_KEEPS = _cho_factor_keeps_the_other_triangle()


def other_triangle(t: Any, lower: bool) -> Any:
    """The part of ``t`` in the triangle ``cho_factor``'s factor does not use, where ``cho_factor`` copies
    ``a`` there (zero where it zeroes it): linear, its own transpose."""
    return t - triangle(t, lower) if CHO_FACTOR_KEEPS else zeros_like_grad(t)


@defvjp(other_triangle)
def _(ct, ans, t, lower):
    return other_triangle(ct, lower)


@defjvp(other_triangle)
def _(tt, ans, t, lower):
    return other_triangle(tt, lower)


def cho_factor_grad(g: Any, ans: Any, lower: bool) -> Any:
    """The partial of ``a`` in ``(c, lower) = cho_factor(a, lower)``: ``c`` holds the factor on one triangle
    and, depending on SciPy's release, ``a`` itself or zeros on the other, so the cotangent of ``c`` splits
    into the factor's and a copy's."""
    gc = g[0] if isinstance(g, (list, tuple)) else g
    if gc is None:
        return zeros_like_grad(ans[0])
    factor = triangle(ans[0], lower)
    return cholesky_grad(triangle(gc, lower), factor, lower) + other_triangle(gc, lower)


def solve_sylvester_grads(g: Any, ans: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    """Partials of ``x = solve_sylvester(a, b, q)`` (``a x + x b = q``): ``q`` gets the solution ``gq`` of the
    transposed equation, ``a`` gets ``-gq x^T`` and ``b`` gets ``-x^T gq``."""
    gq = scipy.linalg.solve_sylvester(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), g)
    return -(gq @ np.swapaxes(ans, -1, -2)), -(np.swapaxes(ans, -1, -2) @ gq), gq


# --- the matrix exponential's Fréchet derivative --------------------------------------------------------------


def expm_frechet_of(a: Any, e: Any) -> Any:
    """The Fréchet derivative ``L(a, e)`` of the matrix exponential at ``a`` in the direction ``e`` (batched
    over leading axes), in the floating dtype of its arguments."""
    a, e = np.broadcast_arrays(np.asarray(a), np.asarray(e))
    dtype = np.result_type(a, e, np.float32)
    out = np.empty(a.shape, dtype=np.result_type(dtype, np.float64))
    for index in np.ndindex(*a.shape[:-2]):
        out[index] = scipy.linalg.expm_frechet(a[index], e[index], compute_expm=False, check_finite=False)
    return out.astype(dtype, copy=False)


def block_upper(a: Any, e: Any) -> Any:
    """The block matrix ``[[a, e], [0, a]]``, whose exponential holds ``L(a, e)`` in its upper right block."""
    a, e = np.broadcast_arrays(a, e)
    zeros = np.zeros_like(a)
    return np.concatenate([np.concatenate([a, e], axis=-1), np.concatenate([zeros, a], axis=-1)], axis=-2)


def upper_right(m: Any) -> Any:
    """The upper right quarter of a block matrix of even size."""
    n = shape_of(m)[-1] // 2
    return m[..., :n, n:]


def block_upper_grads(g: Any, a: Any, e: Any) -> tuple[Any, Any]:
    """Partials of ``block_upper(a, e)``: the two diagonal blocks of ``g`` for ``a``, the upper right one for
    ``e``."""
    n = shape_of(g)[-1] // 2
    return unbroadcast(g[..., :n, :n] + g[..., n:, n:], a), unbroadcast(g[..., :n, n:], e)


def frechet_grads(g: Any, a: Any, e: Any) -> tuple[Any, Any]:
    """Partials of ``expm_frechet_of(a, e)``, the upper right block of ``expm(block_upper(a, e))``: the
    adjoint of the Fréchet derivative of ``expm`` at that block is the Fréchet derivative at its transpose."""
    block = block_upper(a, e)
    lifted = block_upper(np.zeros_like(g), g)
    return block_upper_grads(expm_frechet_of(np.swapaxes(block, -1, -2), lifted), a, e)


@defvjp(expm_frechet_of, argnums=(0, 1))
def _(g, ans, a, e):
    return frechet_grads(g, a, e)


@defjvp(expm_frechet_of, argnum=0)
def _(t, ans, a, e):
    return upper_right(expm_frechet_of(block_upper(a, e), block_upper(t, zeros_like_grad(e))))


@defjvp(expm_frechet_of, argnum=1)
def _(t, ans, a, e):
    return expm_frechet_of(a, t)


@defvjp(block_upper, argnums=(0, 1))
def _(g, ans, a, e):
    return block_upper_grads(g, a, e)


@defjvp(block_upper, argnum=0)
def _(t, ans, a, e):
    return block_upper(t, zeros_like_grad(e))


@defjvp(block_upper, argnum=1)
def _(t, ans, a, e):
    return block_upper(zeros_like_grad(a), t)


@defvjp(upper_right)
def _(g, ans, m):
    return block_upper(zeros_like_grad(g), g)


@defjvp(upper_right)
def _(t, ans, m):
    return upper_right(t)


# --- scipy.stats.multivariate_normal -------------------------------------------------------------------------


def mvn_dim(mean: Any, cov: Any) -> int:
    """The dimension ``multivariate_normal`` infers: the size of ``mean``, else the side of a matrix ``cov``,
    else 1."""
    if not isinstance(cov, (numbers.Number, np.ndarray, np.generic, list, tuple)):
        raise SrcgradError("the derivative of scipy.stats.multivariate_normal with a Covariance object is not "
                           "supported; pass the covariance matrix as an array")
    if mean is not None:
        return int(np.size(mean))
    return shape_of(cov)[0] if len(shape_of(cov)) >= 2 else 1


def mvn_points_shape(x: Any, dim: int) -> tuple[int, ...]:
    """The shape ``multivariate_normal`` gives the points ``x``: the last axis the components, at least 2-D (a
    1-D ``x`` is one point, or points of dimension 1)."""
    shape = tuple(shape_of(x))
    if not shape:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], 1) if dim == 1 else (1, shape[0])
    return shape


def mvn_mean(mean: Any, dim: int) -> Any:
    """The mean as the vector of length ``dim`` that ``multivariate_normal`` uses (zero when None)."""
    if mean is None:
        return 0.0
    return np.reshape(mean, (dim,))


def mvn_cov(cov: Any, dim: int) -> Any:
    """The covariance matrix ``multivariate_normal`` uses: ``cov`` times the identity for a number, the
    diagonal matrix of a vector, and for a matrix its lower triangle mirrored (SciPy reads only that
    triangle)."""
    if dim == 1:
        return np.reshape(cov, (1, 1))
    if len(shape_of(cov)) == 0:
        return cov * np.eye(dim)
    if len(shape_of(cov)) == 1:
        return cov * np.eye(dim)
    return symmetric_from(cov, True)


def mvn_cov_adjoint(g: Any, cov: Any, dim: int) -> Any:
    """The adjoint of ``mvn_cov``, back to the shape of ``cov``."""
    if dim == 1:
        return np.reshape(g, shape_of(cov))
    if len(shape_of(cov)) == 0:
        return np.trace(g)
    if len(shape_of(cov)) == 1:
        return np.diagonal(g).copy()
    return symmetric_from_adjoint(g, True)


defnondiff(mvn_dim, mvn_points_shape)


@defvjp(mvn_mean)
def _(g, ans, mean, dim):
    return partial_or_none(g, mean)


@defjvp(mvn_mean)
def _(t, ans, mean, dim):
    return mvn_mean(t, dim)


@defvjp(mvn_cov)
def _(g, ans, cov, dim):
    return mvn_cov_adjoint(g, cov, dim)


@defjvp(mvn_cov)
def _(t, ans, cov, dim):
    return mvn_cov(t, dim)


def mvn_logpdf_grads(g: Any, ans: Any, x: Any, mean: Any, cov: Any) -> tuple[Any, Any, Any]:
    """Partials of ``multivariate_normal.logpdf(x, mean, cov)`` (``g`` times ``exp(logpdf)`` gives those of
    ``pdf``). With the residuals ``r`` (one row per point), ``w = S^{-1} r``: ``x`` gets ``-g w``, ``mean``
    ``sum(g w)``, and ``cov`` (through ``mvn_cov``) ``(sum(g w w^T) - sum(g) S^{-1}) / 2``."""
    dim = mvn_dim(mean, cov)
    points = np.reshape(x, mvn_points_shape(x, dim))
    rows = np.reshape(points - mvn_mean(mean, dim), (-1, dim))
    sigma = mvn_cov(cov, dim)
    w = np.linalg.solve(sigma, np.swapaxes(rows, -1, -2)).T
    weights = np.reshape(np.broadcast_to(g, shape_of(ans)), (-1, 1))
    gx = np.reshape(-weights * w, shape_of(points))
    g_sigma = 0.5 * (np.swapaxes(weights * w, -1, -2) @ w - np.sum(weights) * np.linalg.inv(sigma))
    g_mean = partial_or_none(np.sum(weights * w, axis=0), mean)
    return np.reshape(gx, shape_of(x)), g_mean, mvn_cov_adjoint(g_sigma, cov, dim)
