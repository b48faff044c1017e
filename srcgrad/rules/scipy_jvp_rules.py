"""Forward rules for SciPy functions, one per differentiable argument of each reverse rule in scipy_rules.py.

Same parameters as the reverse rule after the tangent: ``rule(t, ans, *primal_args)`` returns ``J_argnum @ t``.
Every function these rules call has rules of its own (SciPy's special functions, NumPy, the linear helpers
of ``scipy_helpers.py``), so that forward-mode code through SciPy can be differentiated again.
"""

import numpy as np
import scipy.linalg
import scipy.special

from .jvp_helpers import array_tangent
from .registry import defjvp
from .scipy_helpers import (
    cho_lower,
    expm_frechet_of,
    is_transposed,
    lower_half,
    lse_weights,
    mvn_cov,
    mvn_dim,
    mvn_mean,
    mvn_points_shape,
    other_triangle,
    polygamma_of,
    refuse_return_sign,
    symmetric_from,
    transpose_if,
    triangle,
)
from .scipy_rules import HALF_LOG_2PI, INV_SQRT_2PI, TWO_OVER_SQRT_PI, stats

# --- scipy.special ----------------------------------------------------------------------------------------


@defjvp(scipy.special.gammaln)
def _(t, ans, x):
    return array_tangent(t) * scipy.special.psi(x)


@defjvp(scipy.special.psi)
def _(t, ans, x):
    return array_tangent(t) * polygamma_of(1, x)


@defjvp(scipy.special.polygamma, argnum=1)
def _(t, ans, n, x):
    return array_tangent(t) * polygamma_of(n + 1, x)


@defjvp(scipy.special.gamma)
def _(t, ans, x):
    return array_tangent(t) * ans * scipy.special.psi(x)


@defjvp(scipy.special.erf)
def _(t, ans, x):
    return array_tangent(t) * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defjvp(scipy.special.erfc)
def _(t, ans, x):
    return -array_tangent(t) * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defjvp(scipy.special.expit)
def _(t, ans, x):
    return array_tangent(t) * ans * (1 - ans)


@defjvp(scipy.special.logit)
def _(t, ans, x):
    return array_tangent(t) / (x * (1 - x))


@defjvp(scipy.special.xlogy, argnum=0)
def _(t, ans, x, y):
    return scipy.special.xlogy(array_tangent(t), y)


@defjvp(scipy.special.xlogy, argnum=1)
def _(t, ans, x, y):
    return array_tangent(t) * x / y


@defjvp(scipy.special.xlog1py, argnum=0)
def _(t, ans, x, y):
    return scipy.special.xlog1py(array_tangent(t), y)


@defjvp(scipy.special.xlog1py, argnum=1)
def _(t, ans, x, y):
    return array_tangent(t) * x / (1 + y)


@defjvp(scipy.special.betaln, argnum=0)
def _(t, ans, a, b):
    return array_tangent(t) * (scipy.special.psi(a) - scipy.special.psi(a + b))


@defjvp(scipy.special.betaln, argnum=1)
def _(t, ans, a, b):
    return array_tangent(t) * (scipy.special.psi(b) - scipy.special.psi(a + b))


@defjvp(scipy.special.ndtr)
def _(t, ans, x):
    return array_tangent(t) * INV_SQRT_2PI * np.exp(-0.5 * x * x)


@defjvp(scipy.special.log_ndtr)
def _(t, ans, x):
    return array_tangent(t) * np.exp(-0.5 * x * x - ans - HALF_LOG_2PI)


@defjvp(scipy.special.i0)
def _(t, ans, x):
    return array_tangent(t) * scipy.special.i1(x)


@defjvp(scipy.special.i1)
def _(t, ans, x):
    return array_tangent(t) * 0.5 * (scipy.special.i0(x) + scipy.special.iv(2, x))


@defjvp(scipy.special.i0e)
def _(t, ans, x):
    return array_tangent(t) * (scipy.special.i1e(x) - np.sign(x) * ans)


@defjvp(scipy.special.i1e)
def _(t, ans, x):
    return array_tangent(t) * (0.5 * (scipy.special.i0e(x) + scipy.special.ive(2, x)) - np.sign(x) * ans)


@defjvp(scipy.special.iv, argnum=1)
def _(t, ans, v, z):
    return array_tangent(t) * 0.5 * (scipy.special.iv(v - 1, z) + scipy.special.iv(v + 1, z))


@defjvp(scipy.special.ive, argnum=1)
def _(t, ans, v, z):
    return array_tangent(t) * (0.5 * (scipy.special.ive(v - 1, z) + scipy.special.ive(v + 1, z)) - np.sign(z) * ans)


@defjvp(scipy.special.logsumexp, argnum=0)
def _(t, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return np.sum(array_tangent(t) * lse_weights(a, axis, b), axis=axis,
                  keepdims=refuse_return_sign(return_sign, keepdims))


@defjvp(scipy.special.logsumexp, argnum=2)
def _(t, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    e = np.exp(a - scipy.special.logsumexp(a, axis=axis, b=b, keepdims=True))
    return np.sum(array_tangent(t) * e, axis=axis, keepdims=refuse_return_sign(return_sign, keepdims))

# --- scipy.linalg -----------------------------------------------------------------------------------------
# A factorization reading one triangle sees the tangent of that triangle mirrored (symmetric_from). The lower
# Cholesky factor L of A moves by dL = L Phi(L^{-1} dA L^{-T}) (Phi: the lower triangle, half the diagonal).


@defjvp(scipy.linalg.solve_triangular, argnum=0)
def _(t, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    moved = transpose_if(triangle(array_tangent(t), lower, unit_diagonal), is_transposed(trans)) @ ans
    return -scipy.linalg.solve_triangular(a, moved, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


@defjvp(scipy.linalg.solve_triangular, argnum=1)
def _(t, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    return scipy.linalg.solve_triangular(a, array_tangent(t), trans=trans, lower=lower, unit_diagonal=unit_diagonal)


@defjvp(scipy.linalg.cholesky)
def _(t, ans, a, lower=False, overwrite_a=False, check_finite=True):
    factor = transpose_if(ans, not lower)
    half = scipy.linalg.solve_triangular(factor, symmetric_from(array_tangent(t), lower), lower=True)
    inner = scipy.linalg.solve_triangular(factor, np.swapaxes(half, -1, -2), lower=True)
    return transpose_if(factor @ lower_half(inner), not lower)


@defjvp(scipy.linalg.cho_factor)
def _(t, ans, a, lower=False, overwrite_a=False, check_finite=True):
    factor = transpose_if(triangle(ans[0], lower), not lower)
    half = scipy.linalg.solve_triangular(factor, symmetric_from(array_tangent(t), lower), lower=True)
    inner = scipy.linalg.solve_triangular(factor, np.swapaxes(half, -1, -2), lower=True)
    d_factor = transpose_if(factor @ lower_half(inner), not lower)
    return d_factor + other_triangle(array_tangent(t), lower), 0.0


# x = A^{-1} b with A = L L^T: dx = -A^{-1} (dL L^T + L dL^T) x.
@defjvp(scipy.linalg.cho_solve, argnum=0)
def _(t, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    lower = cho_lower(c_and_lower)
    factor = transpose_if(triangle(c_and_lower[0], lower), not lower)
    d_factor = transpose_if(triangle(t[0], lower), not lower)
    moved = d_factor @ (np.swapaxes(factor, -1, -2) @ ans) + factor @ (np.swapaxes(d_factor, -1, -2) @ ans)
    return -scipy.linalg.cho_solve(c_and_lower, moved)


@defjvp(scipy.linalg.cho_solve, argnum=1)
def _(t, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    return scipy.linalg.cho_solve(c_and_lower, array_tangent(t))


@defjvp(scipy.linalg.sqrtm)
def _(t, ans, A, **options):
    return scipy.linalg.solve_sylvester(ans, ans, array_tangent(t))


@defjvp(scipy.linalg.expm)
def _(t, ans, A):
    return expm_frechet_of(A, array_tangent(t))


@defjvp(scipy.linalg.solve_sylvester, argnum=0)
def _(t, ans, a, b, q):
    return scipy.linalg.solve_sylvester(a, b, -(array_tangent(t) @ ans))


@defjvp(scipy.linalg.solve_sylvester, argnum=1)
def _(t, ans, a, b, q):
    return scipy.linalg.solve_sylvester(a, b, -(ans @ array_tangent(t)))


@defjvp(scipy.linalg.solve_sylvester, argnum=2)
def _(t, ans, a, b, q):
    return scipy.linalg.solve_sylvester(a, b, array_tangent(t))


# --- scipy.stats (where it imports) ----------------------------------------------------------------------

if stats is not None:
    from .scipy_rules import (
        BETA_CDF,
        BETA_LOGCDF,
        BETA_LOGPDF,
        BETA_PDF,
        GAMMA_CDF,
        GAMMA_LOGCDF,
        GAMMA_LOGPDF,
        GAMMA_PDF,
        MVN_LOGPDF,
        MVN_PDF,
        NORM_CDF,
        NORM_LOGCDF,
        NORM_LOGPDF,
        NORM_PDF,
        POISSON_CDF,
        POISSON_LOGCDF,
        POISSON_LOGPMF,
        POISSON_PMF,
        T_CDF,
        T_LOGCDF,
        T_LOGPDF,
        T_PDF,
    )

    @defjvp(NORM_LOGPDF, argnum=0)
    def _(t, ans, x, loc=0, scale=1):
        return -array_tangent(t) * (x - loc) / (scale * scale)

    @defjvp(NORM_LOGPDF, argnum=1)
    def _(t, ans, x, loc=0, scale=1):
        return array_tangent(t) * (x - loc) / (scale * scale)

    @defjvp(NORM_LOGPDF, argnum=2)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * (z * z - 1) / scale

    @defjvp(NORM_PDF, argnum=0)
    def _(t, ans, x, loc=0, scale=1):
        return -array_tangent(t) * ans * (x - loc) / (scale * scale)

    @defjvp(NORM_PDF, argnum=1)
    def _(t, ans, x, loc=0, scale=1):
        return array_tangent(t) * ans * (x - loc) / (scale * scale)

    @defjvp(NORM_PDF, argnum=2)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * ans * (z * z - 1) / scale

    @defjvp(NORM_CDF, argnum=0)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * INV_SQRT_2PI * np.exp(-0.5 * z * z) / scale

    @defjvp(NORM_CDF, argnum=1)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * INV_SQRT_2PI * np.exp(-0.5 * z * z) / scale

    @defjvp(NORM_CDF, argnum=2)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * INV_SQRT_2PI * np.exp(-0.5 * z * z) * z / scale

    @defjvp(NORM_LOGCDF, argnum=0)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * np.exp(-0.5 * z * z - ans - HALF_LOG_2PI) / scale

    @defjvp(NORM_LOGCDF, argnum=1)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * np.exp(-0.5 * z * z - ans - HALF_LOG_2PI) / scale

    @defjvp(NORM_LOGCDF, argnum=2)
    def _(t, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * np.exp(-0.5 * z * z - ans - HALF_LOG_2PI) * z / scale

    @defjvp(T_LOGPDF, argnum=0)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * (df + 1) * z / ((df + z * z) * scale)

    @defjvp(T_LOGPDF, argnum=1)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * 0.5 * (scipy.special.psi(0.5 * (df + 1)) - scipy.special.psi(0.5 * df)
                                         - np.log1p(z * z / df) + (z * z - 1) / (df + z * z))

    @defjvp(T_LOGPDF, argnum=2)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * (df + 1) * z / ((df + z * z) * scale)

    @defjvp(T_LOGPDF, argnum=3)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * (df * (z * z - 1) / (df + z * z)) / scale

    @defjvp(T_PDF, argnum=0)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * ans * (df + 1) * z / ((df + z * z) * scale)

    @defjvp(T_PDF, argnum=1)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * ans * 0.5 * (scipy.special.psi(0.5 * (df + 1)) - scipy.special.psi(0.5 * df)
                                               - np.log1p(z * z / df) + (z * z - 1) / (df + z * z))

    @defjvp(T_PDF, argnum=2)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * ans * (df + 1) * z / ((df + z * z) * scale)

    @defjvp(T_PDF, argnum=3)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * ans * (df * (z * z - 1) / (df + z * z)) / scale

    @defjvp(T_CDF, argnum=0)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                         - scipy.special.betaln(0.5, 0.5 * df)) / scale

    @defjvp(T_CDF, argnum=2)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                          - scipy.special.betaln(0.5, 0.5 * df)) / scale

    @defjvp(T_CDF, argnum=3)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * z * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                              - scipy.special.betaln(0.5, 0.5 * df)) / scale

    @defjvp(T_LOGCDF, argnum=0)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return array_tangent(t) * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                         - scipy.special.betaln(0.5, 0.5 * df) - ans) / scale

    @defjvp(T_LOGCDF, argnum=2)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                          - scipy.special.betaln(0.5, 0.5 * df) - ans) / scale

    @defjvp(T_LOGCDF, argnum=3)
    def _(t, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        return -array_tangent(t) * z * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                                              - scipy.special.betaln(0.5, 0.5 * df) - ans) / scale

    @defjvp(GAMMA_LOGPDF, argnum=0)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * ((a - 1) / (x - loc) - 1 / scale)

    @defjvp(GAMMA_LOGPDF, argnum=1)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * (np.log((x - loc) / scale) - scipy.special.psi(a))

    @defjvp(GAMMA_LOGPDF, argnum=2)
    def _(t, ans, x, a, loc=0, scale=1):
        return -array_tangent(t) * ((a - 1) / (x - loc) - 1 / scale)

    @defjvp(GAMMA_LOGPDF, argnum=3)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * ((x - loc) / scale - a) / scale

    @defjvp(GAMMA_PDF, argnum=0)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * ans * ((a - 1) / (x - loc) - 1 / scale)

    @defjvp(GAMMA_PDF, argnum=1)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * ans * (np.log((x - loc) / scale) - scipy.special.psi(a))

    @defjvp(GAMMA_PDF, argnum=2)
    def _(t, ans, x, a, loc=0, scale=1):
        return -array_tangent(t) * ans * ((a - 1) / (x - loc) - 1 / scale)

    @defjvp(GAMMA_PDF, argnum=3)
    def _(t, ans, x, a, loc=0, scale=1):
        return array_tangent(t) * ans * ((x - loc) / scale - a) / scale

    @defjvp(GAMMA_CDF, argnum=0)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a)) / scale

    @defjvp(GAMMA_CDF, argnum=2)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a)) / scale

    @defjvp(GAMMA_CDF, argnum=3)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * y * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a)) / scale

    @defjvp(GAMMA_LOGCDF, argnum=0)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a) - ans) / scale

    @defjvp(GAMMA_LOGCDF, argnum=2)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a) - ans) / scale

    @defjvp(GAMMA_LOGCDF, argnum=3)
    def _(t, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        log_ratio = scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a) - ans
        return -array_tangent(t) * y * np.exp(log_ratio) / scale

    @defjvp(BETA_LOGPDF, argnum=0)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * ((a - 1) / y - (b - 1) / (1 - y)) / scale

    @defjvp(BETA_LOGPDF, argnum=1)
    def _(t, ans, x, a, b, loc=0, scale=1):
        return array_tangent(t) * (np.log((x - loc) / scale) - scipy.special.psi(a) + scipy.special.psi(a + b))

    @defjvp(BETA_LOGPDF, argnum=2)
    def _(t, ans, x, a, b, loc=0, scale=1):
        return array_tangent(t) * (np.log1p(-(x - loc) / scale) - scipy.special.psi(b) + scipy.special.psi(a + b))

    @defjvp(BETA_LOGPDF, argnum=3)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * ((a - 1) / y - (b - 1) / (1 - y)) / scale

    @defjvp(BETA_LOGPDF, argnum=4)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * (1 + y * ((a - 1) / y - (b - 1) / (1 - y))) / scale

    @defjvp(BETA_PDF, argnum=0)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * ans * ((a - 1) / y - (b - 1) / (1 - y)) / scale

    @defjvp(BETA_PDF, argnum=1)
    def _(t, ans, x, a, b, loc=0, scale=1):
        return array_tangent(t) * ans * (np.log((x - loc) / scale) - scipy.special.psi(a) + scipy.special.psi(a + b))

    @defjvp(BETA_PDF, argnum=2)
    def _(t, ans, x, a, b, loc=0, scale=1):
        return array_tangent(t) * ans * (np.log1p(-(x - loc) / scale) - scipy.special.psi(b)
                                         + scipy.special.psi(a + b))

    @defjvp(BETA_PDF, argnum=3)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * ans * ((a - 1) / y - (b - 1) / (1 - y)) / scale

    @defjvp(BETA_PDF, argnum=4)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * ans * (1 + y * ((a - 1) / y - (b - 1) / (1 - y))) / scale

    @defjvp(BETA_CDF, argnum=0)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                         - scipy.special.betaln(a, b)) / scale

    @defjvp(BETA_CDF, argnum=3)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                          - scipy.special.betaln(a, b)) / scale

    @defjvp(BETA_CDF, argnum=4)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * y * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                              - scipy.special.betaln(a, b)) / scale

    @defjvp(BETA_LOGCDF, argnum=0)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                         - scipy.special.betaln(a, b) - ans) / scale

    @defjvp(BETA_LOGCDF, argnum=3)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                          - scipy.special.betaln(a, b) - ans) / scale

    @defjvp(BETA_LOGCDF, argnum=4)
    def _(t, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        return -array_tangent(t) * y * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                                              - scipy.special.betaln(a, b) - ans) / scale

    @defjvp(POISSON_LOGPMF, argnum=1)
    def _(t, ans, k, mu, loc=0):
        return array_tangent(t) * ((k - loc) / mu - 1)

    @defjvp(POISSON_PMF, argnum=1)
    def _(t, ans, k, mu, loc=0):
        return array_tangent(t) * ans * ((k - loc) / mu - 1)

    @defjvp(POISSON_CDF, argnum=1)
    def _(t, ans, k, mu, loc=0):
        count = np.floor(k - loc)
        return -array_tangent(t) * np.exp(scipy.special.xlogy(count, mu) - mu - scipy.special.gammaln(count + 1))

    @defjvp(POISSON_LOGCDF, argnum=1)
    def _(t, ans, k, mu, loc=0):
        count = np.floor(k - loc)
        return -array_tangent(t) * np.exp(scipy.special.xlogy(count, mu) - mu - scipy.special.gammaln(count + 1) - ans)

    # multivariate_normal: with the residuals r (one row per point) and w = S^{-1} r, d logpdf = -w . dx, w . dmean,
    # and (w^T dS w - tr(S^{-1} dS)) / 2, reshaped to the output (SciPy squeezes it).

    @defjvp(MVN_LOGPDF, argnum=0)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(mvn_cov(cov, dim), np.swapaxes(residuals, -1, -2)), -1, -2)
        return np.reshape(-np.sum(w * np.reshape(array_tangent(t), mvn_points_shape(x, dim)), axis=-1), np.shape(ans))

    @defjvp(MVN_LOGPDF, argnum=1)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(mvn_cov(cov, dim), np.swapaxes(residuals, -1, -2)), -1, -2)
        return np.reshape(np.sum(w * mvn_mean(array_tangent(t), dim), axis=-1), np.shape(ans))

    @defjvp(MVN_LOGPDF, argnum=2)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        sigma = mvn_cov(cov, dim)
        d_sigma = mvn_cov(array_tangent(t), dim)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(sigma, np.swapaxes(residuals, -1, -2)), -1, -2)
        quadratic = np.sum(w * (w @ d_sigma), axis=-1)
        return np.reshape(0.5 * (quadratic - np.trace(np.linalg.solve(sigma, d_sigma))), np.shape(ans))

    @defjvp(MVN_PDF, argnum=0)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(mvn_cov(cov, dim), np.swapaxes(residuals, -1, -2)), -1, -2)
        return -ans * np.reshape(np.sum(w * np.reshape(array_tangent(t), mvn_points_shape(x, dim)), axis=-1),
                                 np.shape(ans))

    @defjvp(MVN_PDF, argnum=1)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(mvn_cov(cov, dim), np.swapaxes(residuals, -1, -2)), -1, -2)
        return ans * np.reshape(np.sum(w * mvn_mean(array_tangent(t), dim), axis=-1), np.shape(ans))

    @defjvp(MVN_PDF, argnum=2)
    def _(t, ans, x, mean=None, cov=1, allow_singular=False):
        dim = mvn_dim(mean, cov)
        sigma = mvn_cov(cov, dim)
        d_sigma = mvn_cov(array_tangent(t), dim)
        residuals = np.reshape(x, mvn_points_shape(x, dim)) - mvn_mean(mean, dim)
        w = np.swapaxes(np.linalg.solve(sigma, np.swapaxes(residuals, -1, -2)), -1, -2)
        quadratic = np.sum(w * (w @ d_sigma), axis=-1)
        return ans * np.reshape(0.5 * (quadratic - np.trace(np.linalg.solve(sigma, d_sigma))), np.shape(ans))
