"""Reverse rules for ``np.linalg``'s decompositions and least squares: ``svd``, ``eigh``, ``eigvalsh``, ``eig``,
``eigvals``, ``slogdet``, ``pinv``, ``lstsq`` and ``cholesky``, for real matrices (stacks of them where NumPy
takes stacks). Their forward twins are in linalg_jvp_rules.py; the formulas, and the conventions at repeated
eigenvalues or singular values, at signs and at zero singular values, in linalg_helpers.py. Triangular
solves need no rule of their own: ``np.linalg.solve`` with a triangular factor has its rule.

The results that are tuples (``svd``, ``eigh``, ``eig``, ``slogdet``, ``lstsq``) get one cotangent per item.
"""

import numpy as np

from .linalg_helpers import (
    cholesky_grad,
    eig_grad,
    eigh_grad,
    eigvals_grad,
    eigvalsh_grad,
    lstsq_grads,
    pinv_grad,
    slogdet_grad,
    svd_grad,
)
from .registry import defsequence, defvjp, note_dispatch


@defvjp(np.linalg.svd)
def _(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    return svd_grad(g, ans, a, full_matrices, compute_uv, hermitian)


@defvjp(np.linalg.eigh)
def _(g, ans, a, UPLO="L"):
    return eigh_grad(g, ans, UPLO)


@defvjp(np.linalg.eigvalsh)
def _(g, ans, a, UPLO="L"):
    return eigvalsh_grad(g, a, UPLO)


@defvjp(np.linalg.eig)
def _(g, ans, a):
    return eig_grad(g, ans, a)


@defvjp(np.linalg.eigvals)
def _(g, ans, a):
    return eigvals_grad(g, ans, a)


@defvjp(np.linalg.slogdet)
def _(g, ans, a):
    return slogdet_grad(g, ans, a)


@defvjp(np.linalg.pinv)
def _(g, ans, a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    return pinv_grad(g, ans, a, rcond, hermitian, rtol)


@defvjp(np.linalg.lstsq, argnums=(0, 1))
def _(g, ans, a, b, rcond=None):
    return lstsq_grads(g, ans, a, b, rcond)


@defvjp(np.linalg.cholesky)
def _(g, ans, a, *, upper=False):
    return cholesky_grad(g, ans, upper)


defsequence(np.linalg.svd, np.linalg.eigh, np.linalg.eig, np.linalg.slogdet, np.linalg.lstsq)

note_dispatch("not checked on Dask or CuPy: Dask's SVD needs a matrix chunked along one axis, and the rule checks "
              "the cotangent of the extra singular vectors on the host", np.linalg.svd)
note_dispatch("Dask has no `np.linalg.eigh`", np.linalg.eigh, np.linalg.eigvalsh)
note_dispatch("Dask has no `np.linalg.eig`", np.linalg.eig, np.linalg.eigvals)
note_dispatch("Dask has no `np.linalg.slogdet`", np.linalg.slogdet)
note_dispatch("Dask has no `np.linalg.pinv`", np.linalg.pinv)
note_dispatch("the rule calls `np.linalg.pinv`, which Dask lacks", np.linalg.lstsq)
note_dispatch("not checked on Dask or CuPy: Dask's cholesky needs square chunks", np.linalg.cholesky)
