"""Forward rules, one per differentiable argument of each reverse rule in linalg_rules.py.

They are written in operations that have rules themselves (and in the helpers of linalg_helpers.py, which
have rules too), so that forward-mode code can be differentiated again: the Hessian of a function of a
decomposition differentiates these bodies by reverse mode. A decomposition that the tangent needs but the
call did not return (the singular vectors behind ``compute_uv=False``, the eigenvectors behind
``eigvalsh``) is computed again, by the primal itself.
"""

import numpy as np

from .helpers import ratio_or_zero
from .linalg_helpers import (
    checked,
    eig_problem,
    eig_vectors,
    from_triangle,
    inverse_gaps,
    lstsq_problem,
    lstsq_rcond,
    pinv_problem,
    rectangular,
    residuals_like,
    slogdet_problem,
    svd_problem,
)
from .registry import defjvp

# A = U diag(s) Vt with dP = U^T dA V and F_ij = 1 / (s_j^2 - s_i^2): ds = diag(dP),
# dU = U (F * (dP S + S dP^T)) + (I - U U^T) dA V S^-1, dV = V (F * (S dP + dP^T S)) + (I - V V^T) dA^T U S^-1.


@defjvp(np.linalg.svd)
def _(t, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    usv = checked(ans if compute_uv else np.linalg.svd(a, full_matrices=False),
                  svd_problem(a, full_matrices, compute_uv, hermitian))
    u = usv[0]
    s = usv[1]
    v = np.swapaxes(usv[2], -1, -2)
    dp = np.swapaxes(u, -1, -2) @ t @ v
    dp_t = np.swapaxes(dp, -1, -2)
    ds = np.diagonal(dp, 0, -2, -1)
    f = inverse_gaps(s * s)
    row = np.expand_dims(s, -2)
    col = np.expand_dims(s, -1)
    du = u @ (f * (dp * row + col * dp_t)) + ratio_or_zero(rectangular(u) * (t @ v - u @ dp), row)
    dv = v @ (f * (col * dp + dp_t * row)) + ratio_or_zero(
        rectangular(v) * (np.swapaxes(t, -1, -2) @ u - v @ dp_t), row)
    return (du, ds, np.swapaxes(dv, -1, -2)) if compute_uv else ds


# S = the symmetric matrix read from one triangle, S = V diag(w) V^T, dP = V^T dS V: dw = diag(dP) and
# dV = V (F * dP) with F_ij = 1 / (w_j - w_i).


@defjvp(np.linalg.eigh)
def _(t, ans, a, UPLO="L"):
    v = ans[1]
    dp = np.swapaxes(v, -1, -2) @ from_triangle(t, UPLO) @ v
    return (np.diagonal(dp, 0, -2, -1), v @ (inverse_gaps(ans[0]) * dp))


@defjvp(np.linalg.eigvalsh)
def _(t, ans, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    return np.sum(v * (from_triangle(t, UPLO) @ v), axis=-2)


# A = V diag(w) V^-1 with unit columns of V, dP = V^-1 dA V: dw = diag(dP); dU = V (F * dP), F as for eigh,
# and dV = dU less each column's component along its own (unit) vector.


@defjvp(np.linalg.eig)
def _(t, ans, a):
    wv = checked(ans, eig_problem(ans))
    v = wv[1]
    dp = np.linalg.solve(v, t @ v)
    du = v @ (inverse_gaps(wv[0]) * dp)
    return (np.diagonal(dp, 0, -2, -1), du - v * np.sum(v * du, axis=-2, keepdims=True))


@defjvp(np.linalg.eigvals)
def _(t, ans, a):
    v = eig_vectors(ans, a)
    return np.diagonal(np.linalg.solve(v, t @ v), 0, -2, -1)


# d log|det A| = tr(A^-1 dA); the sign is piecewise constant.


@defjvp(np.linalg.slogdet)
def _(t, ans, a):
    return (0.0 * ans[0], np.trace(np.linalg.solve(checked(a, slogdet_problem(ans)), t), 0, -2, -1))


# dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P, where the rank is locally constant.


@defjvp(np.linalg.pinv)
def _(t, ans, a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    p = checked(ans, pinv_problem(a, rcond, hermitian, rtol))
    p_t = np.swapaxes(p, -1, -2)
    t_t = np.swapaxes(t, -1, -2)
    left = (p @ p_t) @ t_t
    right = t_t @ (p_t @ p)
    return -(p @ t @ p) + left - left @ (a @ p) + right - p @ (a @ right)


# x = P b with P = pinv(a) at lstsq's cutoff, r = b - a x:
# dx = -P dA x + P P^T dA^T r + (I - P A) dA^T P^T x + P db, d|r_j|^2 = 2 r_j^T (db_j - dA x_j),
# ds = diag(U^T dA V), and the rank does not change.


@defjvp(np.linalg.lstsq, argnum=0)
def _(t, ans, a, b, rcond=None):
    x = checked(ans[0], lstsq_problem(a, rcond))
    p = np.linalg.pinv(a, lstsq_rcond(a, rcond))
    p_t = np.swapaxes(p, -1, -2)
    t_t = np.swapaxes(t, -1, -2)
    r = b - a @ x
    y = t_t @ (p_t @ x)
    dx = -(p @ (t @ x)) + p @ (p_t @ (t_t @ r)) + y - p @ (a @ y)
    usv = np.linalg.svd(a, full_matrices=False)
    ds = np.sum(usv[0] * (t @ np.swapaxes(usv[2], -1, -2)), axis=-2)
    return (dx, residuals_like(-2.0 * np.sum(r * (t @ x), axis=0), np.shape(ans[1])), 0.0, ds)


@defjvp(np.linalg.lstsq, argnum=1)
def _(t, ans, a, b, rcond=None):
    x = checked(ans[0], lstsq_problem(a, rcond))
    p = np.linalg.pinv(a, lstsq_rcond(a, rcond))
    r = b - a @ x
    return (p @ t, residuals_like(2.0 * np.sum(r * t, axis=0), np.shape(ans[1])), 0.0, 0.0 * ans[3])


# A = L L^T: dL = L Phi(L^-1 dA L^-T), Phi the lower triangle with half its diagonal (U = L^T for upper=True).


@defjvp(np.linalg.cholesky)
def _(t, ans, a, *, upper=False):
    lower = np.swapaxes(ans, -1, -2) if upper else ans
    y = np.linalg.solve(lower, from_triangle(t, "U" if upper else "L"))
    m = np.linalg.solve(lower, np.swapaxes(y, -1, -2))
    dl = lower @ (0.5 * (np.tril(m) + np.tril(m, -1)))
    return np.swapaxes(dl, -1, -2) if upper else dl
