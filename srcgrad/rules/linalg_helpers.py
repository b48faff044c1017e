"""Helpers for the rules of ``np.linalg``'s decompositions (linalg_rules.py, linalg_jvp_rules.py), and the rules
of the helpers that forward rules call, so that forward-mode code can be differentiated again (Hessians).

Conventions, for real float64 and float32 input:

* Triangles. ``eigh``, ``eigvalsh`` and ``cholesky`` read one triangle of their argument (the lower one by
  default; ``UPLO="U"`` or ``upper=True`` the upper one) and take the matrix to be symmetric. Their derivatives
  are those of that function: the other triangle gets a zero gradient, and an off-diagonal entry of the read
  triangle counts twice (it stands for two entries of the symmetric matrix).
* Repeated eigenvalues and singular values. The derivatives of eigenvectors and singular vectors divide by
  the gaps ``w_j - w_i`` (``s_j**2 - s_i**2`` for the SVD). Where a gap is at most ``n * eps * max|w|`` (a
  tie, up to the rounding of the decomposition) its term is taken as zero. That is the exact derivative of
  every function that does not depend on which basis of a repeated eigenspace the decomposition returns
  (sums of eigenvalues, projectors, ``U @ diag(s) @ Vt``); for one that does, there is no derivative, and the
  result is that of the basis held fixed. Test and use them at well-separated spectra.
* Signs and order. Singular vectors and eigenvectors are defined up to sign, and ``eig`` returns its
  eigenvalues in no set order. LAPACK's choices are piecewise constant (they can change under a change of the
  matrix far smaller than a gap, where the outputs jump); the derivatives are those of the outputs NumPy
  returned, with their signs and order held.
* Zero singular values. The part of a singular vector's derivative outside the span of the others divides by
  its singular value; for a rectangular matrix with a zero singular value that part has no limit, and is
  taken as zero (``ratio_or_zero``).
* Refusals (``SrcgradError``), never a wrong value: ``eig``/``eigvals`` with complex eigenvalues; ``slogdet``
  of a singular matrix; ``svd`` and ``pinv`` with ``hermitian=True``; ``svd(full_matrices=True)`` of a
  rectangular matrix when the extra columns of ``U`` (rows of ``Vt``) get a nonzero cotangent, and in forward
  mode; ``pinv`` and ``lstsq`` when ``rcond``/``rtol`` cuts off singular values that are not negligible.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import SrcgradError
from .helpers import ratio_or_zero, shape_of, zeros_like_grad
from .registry import defjvp, defnondiff, defsequence, defvjp, note_dispatch

# --- small pieces ---------------------------------------------------------------------------------------


def _t(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _eps(value: Any) -> float:
    dtype = np.result_type(value, np.float32)
    return float(np.finfo(dtype).eps) if dtype.kind == "f" else float(np.finfo(np.float64).eps)


def _lower(uplo: Any) -> bool:
    """Whether ``UPLO`` names the lower triangle; NumPy's own check runs before any rule."""
    return str(uplo).upper() != "U"


def _part(g: Any, i: int, like: Any) -> Any:
    """Item ``i`` of the cotangent ``g`` of a tuple output, as an array shaped like ``like``: a missing item
    (``None``) or a zero number (a zero cotangent of any structure) is zeros."""
    item = None if isinstance(g, numbers.Number) else g[i]
    if item is None:
        return np.zeros(shape_of(like), dtype=np.result_type(like, np.float32))
    if isinstance(item, numbers.Number) or shape_of(item) != shape_of(like):
        return np.full(shape_of(like), item, dtype=np.result_type(like, np.float32))
    return item


# --- helpers that forward rules call (each has rules below) ----------------------------------------------


def from_triangle(x: Any, uplo: Any = "L") -> Any:
    """The symmetric matrix that ``eigh``, ``eigvalsh`` and ``cholesky`` see in ``x``: its lower triangle
    (``uplo="L"``) mirrored onto the upper one, or the upper triangle mirrored down."""
    if _lower(uplo):
        return np.tril(x) + _t(np.tril(x, -1))
    return np.triu(x) + _t(np.triu(x, 1))


def to_triangle(c: Any, uplo: Any = "L") -> Any:
    """The adjoint of ``from_triangle``: a cotangent of the symmetric matrix sent back to the triangle that
    was read (diagonal once, each off-diagonal entry of the triangle gets both of its mirror images)."""
    if _lower(uplo):
        return np.tril(c) + np.tril(_t(c), -1)
    return np.triu(c) + np.triu(_t(c), 1)


def inverse_gaps(w: Any) -> Any:
    """``F[..., i, j] = 1 / (w_j - w_i)`` for the values ``w`` along the last axis, and 0 on the diagonal and
    wherever ``|w_j - w_i| <= n * eps * max|w|`` (a repeated value: see the module's conventions)."""
    gaps = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    n = shape_of(w)[-1]
    scale = np.max(np.abs(w), axis=-1, keepdims=True) if n else 0.0
    tol = np.expand_dims(n * _eps(w) * scale, -1)
    separated = np.abs(gaps) > tol
    return np.where(separated, 1.0 / np.where(separated, gaps, 1.0), 0.0)


def checked(value: Any, problem: Any) -> Any:
    """``value`` itself, or a ``SrcgradError`` when ``problem`` (a message from one of the ``*_problem``
    checks) is not None. Forward rules route a decomposition's result through it so that their refusals
    cannot be optimized away."""
    if problem is not None:
        raise SrcgradError(problem)
    return value


def residuals_like(d: Any, shape: Any) -> Any:
    """The tangent of ``lstsq``'s residuals from the per-column values ``d``: shaped like the residuals
    (``shape``: one value per right-hand side), or empty when ``lstsq`` returned none (rank < N or M <= N)."""
    if shape[0] == 0:
        return np.reshape(d, (-1,))[:0]
    return np.reshape(d, shape)


def residuals_like_grad(g: Any, d: Any, shape: Any) -> Any:
    """The adjoint of ``residuals_like`` in ``d``."""
    if shape[0] == 0:
        return np.zeros_like(d)
    return np.reshape(g, shape_of(d))


def eig_vectors(w: Any, a: Any) -> Any:
    """The unit eigenvectors of ``a`` (from ``np.linalg.eig``) in the order of the eigenvalues ``w`` (which
    ``np.linalg.eigvals`` returned: the two LAPACK calls need not order them alike). Refuses complex ones."""
    values, vectors = checked(np.linalg.eig(a), eig_problem((w, w)))
    checked(None, eig_problem((values, vectors)))
    order = np.argmin(np.abs(np.expand_dims(w, -1) - np.expand_dims(values, -2)), axis=-1)
    return np.take_along_axis(vectors, np.expand_dims(order, -2), axis=-1)


# --- checks (no derivative: they only decide whether a rule refuses) ---------------------------------------


def rectangular(u: Any) -> float:
    """1.0 when the factor ``u`` has more rows than columns (a rectangular SVD: its singular vectors have a
    part outside the span of the others), 0.0 for a square one."""
    shape = shape_of(u)
    return 1.0 if shape[-2] > shape[-1] else 0.0


def svd_problem(a: Any, full_matrices: Any, compute_uv: Any, hermitian: Any) -> str | None:
    """Why forward mode cannot differentiate this ``np.linalg.svd`` call, or None."""
    if hermitian:
        return ("the derivative of np.linalg.svd(..., hermitian=True) is not supported: it reads one triangle "
                "of the matrix; use hermitian=False, or np.linalg.eigh")
    shape = shape_of(a)
    if full_matrices and compute_uv and shape[-1] != shape[-2]:
        return ("the derivative of np.linalg.svd(a, full_matrices=True) of a rectangular matrix is not "
                "supported in forward mode: the extra columns of U (rows of Vt) are an arbitrary basis, "
                "without a derivative; pass full_matrices=False (or compute_uv=False)")
    return None


def eig_problem(ans: Any) -> str | None:
    """Why the derivative of ``np.linalg.eig``/``eigvals`` at this result is refused, or None."""
    if np.iscomplexobj(ans[0]) or np.iscomplexobj(ans[1]):
        return ("the derivative of np.linalg.eig or np.linalg.eigvals is supported for real eigenvalues only; "
                "this matrix has complex ones (srcgrad does not differentiate complex values); for a symmetric "
                "matrix use np.linalg.eigh or eigvalsh")
    return None


def slogdet_problem(ans: Any) -> str | None:
    """Why the derivative of ``np.linalg.slogdet`` at this result is refused (a singular matrix), or None."""
    if np.any(np.equal(ans[0], 0)):
        return ("the derivative of np.linalg.slogdet at a singular matrix does not exist (its log|det| is "
                "-inf)")
    return None


def _cut_off_problem(s: Any, cutoff: Any, what: str) -> str | None:
    """A message when singular values that are not negligible fall below ``cutoff`` (the function then
    jumps, or follows a truncated SVD whose derivative srcgrad does not implement)."""
    if shape_of(s)[-1] == 0:
        return None
    top = np.max(s, axis=-1, keepdims=True)
    negligible = 100.0 * shape_of(s)[-1] * _eps(s) * top
    if np.any((s <= cutoff) & (s > negligible)):
        return (f"the derivative of {what} is not supported where rcond (or rtol) cuts off singular values "
                "that are not negligible (the truncated result has other derivatives); lower the cutoff, or "
                "write the truncated SVD out")
    return None


def _numpy_pinv_rcond(a: Any, rcond: Any, rtol: Any) -> Any:
    """The relative cutoff ``np.linalg.pinv`` applies, by its own rules for ``rcond`` and ``rtol``."""
    if rcond is None:
        if rtol is np._NoValue:
            return 1e-15
        if rtol is None:
            return max(shape_of(a)[-2:]) * _eps(a)
        return rtol
    return rcond


def pinv_problem(a: Any, rcond: Any = None, hermitian: Any = False, rtol: Any = np._NoValue) -> str | None:
    """Why the derivative of this ``np.linalg.pinv`` call is refused, or None."""
    if hermitian:
        return ("the derivative of np.linalg.pinv(..., hermitian=True) is not supported: it reads one triangle "
                "of the matrix; use hermitian=False")
    s = np.linalg.svd(a, compute_uv=False)
    relative = np.expand_dims(np.asarray(_numpy_pinv_rcond(a, rcond, rtol)), -1)
    return _cut_off_problem(s, relative * np.max(s, axis=-1, keepdims=True), "np.linalg.pinv")


def lstsq_rcond(a: Any, rcond: Any = None) -> float:
    """The relative cutoff ``np.linalg.lstsq`` applies: machine precision times ``max(M, N)`` by default,
    machine precision for a negative ``rcond`` (LAPACK's convention)."""
    if rcond is None:
        return max(shape_of(a)[-2:]) * _eps(a)
    return _eps(a) if rcond < 0 else float(rcond)


def lstsq_problem(a: Any, rcond: Any = None) -> str | None:
    """Why the derivative of this ``np.linalg.lstsq`` call is refused, or None."""
    s = np.linalg.svd(a, compute_uv=False)
    return _cut_off_problem(s, lstsq_rcond(a, rcond) * np.max(s, axis=-1, keepdims=True), "np.linalg.lstsq")


defnondiff(rectangular, svd_problem, eig_problem, slogdet_problem, pinv_problem, lstsq_rcond, lstsq_problem)


# --- reverse rules' helpers -------------------------------------------------------------------------------


def svd_grad(g: Any, ans: Any, a: Any, full_matrices: Any = True, compute_uv: Any = True,
             hermitian: Any = False) -> Any:
    """Cotangent of ``np.linalg.svd``. With singular vectors, for ``A = U diag(s) Vt`` (k = min(M, N)
    columns of U, rows of Vt) and ``F_ij = 1 / (s_j^2 - s_i^2)``:
    ``U [(J + J^T) S + diag(gs) + S (K + K^T)] Vt + (I - U U^T) gU S^-1 Vt + U S^-1 gVt (I - V Vt)`` with
    ``J = F * (U^T gU)`` and ``K = F * (Vt gVt^T)``. Without them, ``U diag(gs) Vt``.

    ``full_matrices=True`` on a rectangular matrix: the extra columns of U (rows of Vt) are an arbitrary
    basis of a complement, without a derivative; a nonzero cotangent on them is refused."""
    problem = svd_problem(a, False, compute_uv, hermitian)
    if problem is not None:
        raise SrcgradError(problem)
    if not compute_uv:
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        return (u * np.expand_dims(g, -2)) @ vt
    u, s, vt = ans
    g_u, g_s, g_vt = _part(g, 0, u), _part(g, 1, s), _part(g, 2, vt)
    k = shape_of(s)[-1]
    if shape_of(u)[-1] != k or shape_of(vt)[-2] != k:
        if np.any(g_u[..., :, k:] != 0) or np.any(g_vt[..., k:, :] != 0):
            raise SrcgradError("the derivative of np.linalg.svd(a, full_matrices=True) of a rectangular matrix "
                               "is not supported when the extra columns of U (rows of Vt) are used: they are an "
                               "arbitrary basis, without a derivative; pass full_matrices=False")
        u, vt, g_u, g_vt = u[..., :, :k], vt[..., :k, :], g_u[..., :, :k], g_vt[..., :k, :]
    v, g_v = _t(vt), _t(g_vt)
    f = inverse_gaps(s * s)
    j = f * (_t(u) @ g_u)
    kk = f * (vt @ g_v)
    row = np.expand_dims(s, -2)
    col = np.expand_dims(s, -1)
    inner = (j + _t(j)) * row + col * (kk + _t(kk))
    inner = inner + g_s[..., None] * np.eye(k, dtype=inner.dtype)
    out = u @ inner @ vt
    if shape_of(u)[-2] > k:
        out = out + ratio_or_zero(g_u - u @ (_t(u) @ g_u), row) @ vt
    if shape_of(vt)[-1] > k:
        out = out + u @ _t(ratio_or_zero(g_v - v @ (vt @ g_v), row))
    return out


def eigh_grad(g: Any, ans: Any, uplo: Any = "L") -> Any:
    """Cotangent of ``np.linalg.eigh``: ``V (diag(gw) + F * (V^T gV)) V^T`` with ``F_ij = 1 / (w_j - w_i)``,
    sent back to the triangle that was read (``to_triangle``)."""
    w, v = ans
    g_w, g_v = _part(g, 0, w), _part(g, 1, v)
    inner = inverse_gaps(w) * (_t(v) @ g_v) + g_w[..., None] * np.eye(shape_of(w)[-1], dtype=v.dtype)
    return to_triangle(v @ inner @ _t(v), uplo)


def eigvalsh_grad(g: Any, a: Any, uplo: Any = "L") -> Any:
    """Cotangent of ``np.linalg.eigvalsh``: ``V diag(g) V^T``, sent back to the triangle that was read."""
    v = np.linalg.eigh(a, uplo)[1]
    return to_triangle((v * np.expand_dims(g, -2)) @ _t(v), uplo)


def eig_grad(g: Any, ans: Any, a: Any) -> Any:
    """Cotangent of ``np.linalg.eig`` for real eigenvalues: NumPy's eigenvectors have unit length, so the
    cotangent ``gV`` first loses its component along each vector (``gU = gV - V diag(V^T gV)``); then
    ``V^-T (diag(gw) + F * (V^T gU)) V^T`` with ``F_ij = 1 / (w_j - w_i)``."""
    checked(None, eig_problem(ans))
    w, v = ans
    g_w, g_v = _part(g, 0, w), _part(g, 1, v)
    g_u = g_v - v * np.sum(v * g_v, axis=-2, keepdims=True)
    inner = inverse_gaps(w) * (_t(v) @ g_u) + g_w[..., None] * np.eye(shape_of(w)[-1], dtype=v.dtype)
    return np.linalg.solve(_t(v), inner @ _t(v))


def eigvals_grad(g: Any, ans: Any, a: Any) -> Any:
    """Cotangent of ``np.linalg.eigvals`` for real eigenvalues: ``V^-T diag(g) V^T``."""
    checked(None, eig_problem((ans, ans)))
    v = eig_vectors(ans, a)
    return np.linalg.solve(_t(v), np.expand_dims(g, -1) * _t(v))


def slogdet_grad(g: Any, ans: Any, a: Any) -> Any:
    """Cotangent of ``np.linalg.slogdet``: ``g_logabsdet * inv(a)^T``; the sign is piecewise constant."""
    checked(None, slogdet_problem(ans))
    g_log = _part(g, 1, ans[1])
    return np.reshape(g_log, shape_of(g_log) + (1, 1)) * _t(np.linalg.inv(a))


def pinv_grad(g: Any, ans: Any, a: Any, rcond: Any = None, hermitian: Any = False,
              rtol: Any = np._NoValue) -> Any:
    """Cotangent of ``P = np.linalg.pinv(a)`` where its rank is locally constant:
    ``-P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)``."""
    checked(None, pinv_problem(a, rcond, hermitian, rtol))
    p, p_t, g_t = ans, _t(ans), _t(g)
    left = g_t @ (p @ p_t)
    right = (p_t @ p) @ g_t
    return -(p_t @ g @ p_t) + left - a @ (p @ left) + right - (right @ p) @ a


def lstsq_grads(g: Any, ans: Any, a: Any, b: Any, rcond: Any = None) -> tuple[Any, Any]:
    """Cotangents of ``x, residuals, rank, s = np.linalg.lstsq(a, b)``. ``x = P b`` with ``P = pinv(a)``
    (same cutoff); with ``r = b - a x``: ``dx = -P dA x + P P^T dA^T r + (I - P A) dA^T P^T x + P db``. The
    residuals ``|r_j|^2`` (given when a has full column rank and M > N, where ``A^T r = 0``) change by
    ``2 r_j^T (db_j - dA x_j)``; the singular values as ``np.linalg.svd``'s; the rank not at all."""
    checked(None, lstsq_problem(a, rcond))
    x, residuals, _, s = ans
    vector = np.ndim(b) == 1
    g_x = _part(g, 0, x)
    g_res = _part(g, 1, residuals)
    g_s = _part(g, 3, s)
    p = np.linalg.pinv(a, lstsq_rcond(a, rcond))
    x_m = x[:, None] if vector else x
    b_m = b[:, None] if vector else b
    gx_m = g_x[:, None] if vector else g_x
    r = b_m - a @ x_m
    p_t = _t(p)
    g_a = -(p_t @ gx_m @ _t(x_m)) + r @ _t(p @ (p_t @ gx_m))
    y = p_t @ x_m
    g_a = g_a + y @ _t(gx_m - _t(a) @ (p_t @ gx_m))
    g_b = p_t @ gx_m
    if shape_of(residuals)[0]:
        scaled = 2.0 * r * np.reshape(g_res, (1, -1))
        g_a = g_a - scaled @ _t(x_m)
        g_b = g_b + scaled
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    g_a = g_a + (u * g_s) @ vt
    return g_a, (g_b[:, 0] if vector else g_b)


def cholesky_grad(g: Any, ans: Any, upper: Any = False) -> Any:
    """Cotangent of ``np.linalg.cholesky``: for ``A = L L^T``, ``L^-T Phi(L^T gL) L^-1`` with ``Phi`` the lower
    triangle with half its diagonal, sent back to the triangle that was read (the upper one, with
    ``U = L^T``, for ``upper=True``)."""
    lower, g_l = (_t(ans), _t(g)) if upper else (ans, g)
    x = _t(lower) @ g_l
    phi = 0.5 * (np.tril(x) + np.tril(x, -1))
    y = np.linalg.solve(_t(lower), phi)
    return to_triangle(_t(np.linalg.solve(_t(lower), _t(y))), "U" if upper else "L")


# --- rules of the helpers that forward rules call --------------------------------------------------------
# from_triangle and to_triangle are linear in their first argument and adjoint to each other.


@defvjp(from_triangle)
def _(ct, ans, x, uplo="L"):
    return to_triangle(ct, uplo)


@defjvp(from_triangle)
def _(t, ans, x, uplo="L"):
    return from_triangle(t, uplo)


@defvjp(to_triangle)
def _(ct, ans, c, uplo="L"):
    return from_triangle(ct, uplo)


@defjvp(to_triangle)
def _(t, ans, c, uplo="L"):
    return to_triangle(t, uplo)


# inverse_gaps(w)_ij = 1 / (w_j - w_i): its derivative is -F_ij^2 (dw_j - dw_i), zero where F is.


@defvjp(inverse_gaps)
def _(ct, ans, w):
    q = ct * ans * ans
    return np.sum(q, axis=-1) - np.sum(q, axis=-2)


@defjvp(inverse_gaps)
def _(t, ans, w):
    return -(ans * ans) * (np.expand_dims(t, -2) - np.expand_dims(t, -1))


# checked(value, problem) is the identity on value, which may be a decomposition's tuple: its cotangents then
# add item by item.

defsequence(checked)


@defvjp(checked)
def _(ct, ans, value, problem):
    return ct


@defjvp(checked)
def _(t, ans, value, problem):
    return t


# residuals_like(d, shape) reshapes d (or drops it): linear in d.


@defvjp(residuals_like)
def _(ct, ans, d, shape):
    return residuals_like_grad(ct, d, shape)


@defjvp(residuals_like)
def _(t, ans, d, shape):
    return residuals_like(t, shape)


# eig_vectors(w, a) is np.linalg.eig(a)'s eigenvectors, ordered as w: w only picks the order, which is locally
# constant, so its partial is zero.


@defvjp(eig_vectors, argnums=(0, 1))
def _(ct, ans, w, a):
    return zeros_like_grad(w), eig_grad((0.0 * w, ct), (w, ans), a)


@defjvp(eig_vectors, argnum=0)
def _(t, ans, w, a):
    return zeros_like_grad(ans)


@defjvp(eig_vectors, argnum=1)
def _(t, ans, w, a):
    p = np.linalg.solve(ans, t @ ans)
    du = ans @ (inverse_gaps(w) * p)
    return du - ans * np.sum(ans * du, axis=-2, keepdims=True)


note_dispatch("Dask has no `np.linalg.eig`", eig_vectors)
