"""Rules for SciPy functions (the optional extra ``srcgrad[scipy]``): registered only when SciPy imports.

* ``scipy.special``: log-gamma, digamma and polygamma (in ``x``; the order ``n`` is an integer), gamma,
  error functions, the logistic function and its inverse, ``xlogy``/``xlog1py``, ``betaln``, modified
  Bessel functions (``i0``, ``i1``, their scaled forms, ``iv`` and ``ive`` in ``z``), the normal CDF and its
  logarithm, and ``logsumexp`` (in ``a`` and the weights ``b``).
* ``scipy.stats``: ``logpdf``, ``pdf``, ``cdf`` and ``logcdf`` of ``norm``, ``t``, ``gamma`` and ``beta`` in
  the data, location and scale, and in the shape parameters where the derivative has a closed form (not
  for the CDFs: the derivative of the regularized incomplete gamma and beta functions, or of Student's t
  CDF, in their shape parameter is not one); ``logpmf``, ``pmf``, ``cdf`` and ``logcdf`` of ``poisson`` in
  ``mu`` (the counts are integers); ``logpdf`` and ``pdf`` of ``multivariate_normal``.
* ``scipy.linalg``: ``solve_triangular``, ``cholesky``, ``cho_factor``, ``cho_solve``, ``sqrtm``, ``expm`` and
  ``solve_sylvester`` (which the rules of ``sqrtm`` call).

The distributions are objects and their methods bound methods: the rules are registered for the bound
methods of SciPy's distribution instances (``scipy.stats.norm.logpdf``), whose parameters they mirror
(``x, loc=0, scale=1``). A factorization that reads one triangle of its matrix (``cholesky``, ``cho_factor``,
``multivariate_normal``'s covariance) gets the derivative of what it computes: zero on the triangle it
never reads, which for a symmetric matrix built from other parameters gives the usual gradient.
"""

import math

import numpy as np
import scipy.linalg
import scipy.special

try:
    import scipy.stats as stats
except Exception:  # SciPy's stats fails to import where an optional dependency of it is blocked (a None in
    stats = None  # sys.modules, as for torch): its rules are left out, srcgrad still imports

from .helpers import unbroadcast
from .registry import defsequence, defvjp, note_dispatch
from .scipy_helpers import (
    cho_factor_grad,
    cho_solve_grads,
    cholesky_grad,
    expm_frechet_of,
    logsumexp_grads,
    lse_weights,
    mvn_cov,
    mvn_logpdf_grads,
    mvn_mean,
    other_trans,
    polygamma_of,
    solve_sylvester_grads,
    solve_triangular_a_grad,
)

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)

# --- scipy.special ----------------------------------------------------------------------------------------


@defvjp(scipy.special.gammaln)
def _(g, ans, x):
    return g * scipy.special.psi(x)


@defvjp(scipy.special.psi)
def _(g, ans, x):
    return g * polygamma_of(1, x)


@defvjp(scipy.special.polygamma, argnums=1)
def _(g, ans, n, x):
    return unbroadcast(g * polygamma_of(n + 1, x), x)


@defvjp(scipy.special.gamma)
def _(g, ans, x):
    return g * ans * scipy.special.psi(x)


@defvjp(scipy.special.erf)
def _(g, ans, x):
    return g * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defvjp(scipy.special.erfc)
def _(g, ans, x):
    return -g * TWO_OVER_SQRT_PI * np.exp(-x * x)


@defvjp(scipy.special.expit)
def _(g, ans, x):
    return g * ans * (1 - ans)


@defvjp(scipy.special.logit)
def _(g, ans, x):
    return g / (x * (1 - x))


# x log(y) is taken as 0 where x == 0: its slope in x, log(y), is scaled by the same rule (xlogy(g, y)), so a
# zero cotangent stays zero against log(0).
@defvjp(scipy.special.xlogy, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(scipy.special.xlogy(g, y), x), unbroadcast(g * x / y, y)


@defvjp(scipy.special.xlog1py, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(scipy.special.xlog1py(g, y), x), unbroadcast(g * x / (1 + y), y)


@defvjp(scipy.special.betaln, argnums=(0, 1))
def _(g, ans, a, b):
    psi_ab = scipy.special.psi(a + b)
    return unbroadcast(g * (scipy.special.psi(a) - psi_ab), a), unbroadcast(g * (scipy.special.psi(b) - psi_ab), b)


@defvjp(scipy.special.ndtr)
def _(g, ans, x):
    return g * INV_SQRT_2PI * np.exp(-0.5 * x * x)


# The slope of log Phi(x) is phi(x) / Phi(x) = exp(-x^2 / 2 - log Phi(x)) / sqrt(2 pi): no overflow far out.
@defvjp(scipy.special.log_ndtr)
def _(g, ans, x):
    return g * np.exp(-0.5 * x * x - ans - HALF_LOG_2PI)


# Modified Bessel functions: I_v'(z) = (I_{v-1}(z) + I_{v+1}(z)) / 2 (I_0' = I_1); the scaled ones are
# I_v(z) exp(-|z|). The order v gets no derivative.


@defvjp(scipy.special.i0)
def _(g, ans, x):
    return g * scipy.special.i1(x)


@defvjp(scipy.special.i1)
def _(g, ans, x):
    return g * 0.5 * (scipy.special.i0(x) + scipy.special.iv(2, x))


@defvjp(scipy.special.i0e)
def _(g, ans, x):
    return g * (scipy.special.i1e(x) - np.sign(x) * ans)


@defvjp(scipy.special.i1e)
def _(g, ans, x):
    return g * (0.5 * (scipy.special.i0e(x) + scipy.special.ive(2, x)) - np.sign(x) * ans)


@defvjp(scipy.special.iv, argnums=1)
def _(g, ans, v, z):
    return unbroadcast(g * 0.5 * (scipy.special.iv(v - 1, z) + scipy.special.iv(v + 1, z)), z)


@defvjp(scipy.special.ive, argnums=1)
def _(g, ans, v, z):
    return unbroadcast(g * (0.5 * (scipy.special.ive(v - 1, z) + scipy.special.ive(v + 1, z)) - np.sign(z) * ans), z)


@defvjp(scipy.special.logsumexp, argnums=(0, 2))
def _(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return logsumexp_grads(g, ans, a, axis, b, keepdims, return_sign)

# --- scipy.linalg -----------------------------------------------------------------------------------------


@defvjp(scipy.linalg.solve_triangular, argnums=(0, 1))
def _(g, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    gb = scipy.linalg.solve_triangular(a, g, trans=other_trans(trans), lower=lower, unit_diagonal=unit_diagonal)
    return solve_triangular_a_grad(gb, ans, a, trans, lower, unit_diagonal), gb


@defvjp(scipy.linalg.cholesky)
def _(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky_grad(g, ans, lower)


@defvjp(scipy.linalg.cho_factor)
def _(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    return cho_factor_grad(g, ans, lower)


@defvjp(scipy.linalg.cho_solve, argnums=(0, 1))
def _(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    return cho_solve_grads(g, ans, c_and_lower, b)


# sqrtm(A) = X with X X = A: dX solves X dX + dX X = dA, so A's partial solves X^T G + G X^T = g.
@defvjp(scipy.linalg.sqrtm)
def _(g, ans, A, **options):
    return scipy.linalg.solve_sylvester(np.swapaxes(ans, -1, -2), np.swapaxes(ans, -1, -2), g)


# The adjoint of the Fréchet derivative of expm at A is the Fréchet derivative at A^T.
@defvjp(scipy.linalg.expm)
def _(g, ans, A):
    return expm_frechet_of(np.swapaxes(A, -1, -2), g)


@defvjp(scipy.linalg.solve_sylvester, argnums=(0, 1, 2))
def _(g, ans, a, b, q):
    return solve_sylvester_grads(g, ans, a, b)


defsequence(scipy.linalg.cho_factor)

# --- which rules do not run on other array libraries --------------------------------------------------------

note_dispatch("SciPy's function converts its input to NumPy (computes a Dask array, refuses a CuPy one)",
              scipy.special.polygamma, scipy.special.logsumexp, lse_weights)
note_dispatch("SciPy's linear algebra computes with NumPy (it computes a Dask array, refuses a CuPy one)",
              scipy.linalg.solve_triangular, scipy.linalg.cholesky, scipy.linalg.cho_factor,
              scipy.linalg.cho_solve, scipy.linalg.sqrtm, scipy.linalg.expm, scipy.linalg.solve_sylvester,
              expm_frechet_of)


# --- scipy.stats (where it imports) ----------------------------------------------------------------------
# z = (x - loc) / scale throughout. The partials of pdf are those of logpdf times the density (ans); those of
# cdf are the density; those of logcdf the density divided by the CDF, exp(log density - ans).

if stats is not None:
    # Bound methods are new objects on every attribute access: these are the ones the rule table holds.
    NORM_LOGPDF, NORM_PDF = stats.norm.logpdf, stats.norm.pdf
    NORM_CDF, NORM_LOGCDF = stats.norm.cdf, stats.norm.logcdf
    T_LOGPDF, T_PDF = stats.t.logpdf, stats.t.pdf
    T_CDF, T_LOGCDF = stats.t.cdf, stats.t.logcdf
    GAMMA_LOGPDF, GAMMA_PDF = stats.gamma.logpdf, stats.gamma.pdf
    GAMMA_CDF, GAMMA_LOGCDF = stats.gamma.cdf, stats.gamma.logcdf
    BETA_LOGPDF, BETA_PDF = stats.beta.logpdf, stats.beta.pdf
    BETA_CDF, BETA_LOGCDF = stats.beta.cdf, stats.beta.logcdf
    POISSON_LOGPMF, POISSON_PMF = stats.poisson.logpmf, stats.poisson.pmf
    POISSON_CDF, POISSON_LOGCDF = stats.poisson.cdf, stats.poisson.logcdf
    MVN_LOGPDF, MVN_PDF = stats.multivariate_normal.logpdf, stats.multivariate_normal.pdf
    STATS_METHODS = (NORM_LOGPDF, NORM_PDF, NORM_CDF, NORM_LOGCDF, T_LOGPDF, T_PDF, T_CDF, T_LOGCDF, GAMMA_LOGPDF,
                     GAMMA_PDF, GAMMA_CDF, GAMMA_LOGCDF, BETA_LOGPDF, BETA_PDF, BETA_CDF, BETA_LOGCDF, POISSON_LOGPMF,
                     POISSON_PMF, POISSON_CDF, POISSON_LOGCDF, MVN_LOGPDF, MVN_PDF)

    @defvjp(NORM_LOGPDF, argnums=(0, 1, 2))
    def _(g, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        return (unbroadcast(-g * z / scale, x), unbroadcast(g * z / scale, loc),
                unbroadcast(g * (z * z - 1) / scale, scale))

    @defvjp(NORM_PDF, argnums=(0, 1, 2))
    def _(g, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        weighted = g * ans / scale
        return unbroadcast(-weighted * z, x), unbroadcast(weighted * z, loc), unbroadcast(weighted * (z * z - 1), scale)

    @defvjp(NORM_CDF, argnums=(0, 1, 2))
    def _(g, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        density = g * INV_SQRT_2PI * np.exp(-0.5 * z * z) / scale
        return unbroadcast(density, x), unbroadcast(-density, loc), unbroadcast(-density * z, scale)

    @defvjp(NORM_LOGCDF, argnums=(0, 1, 2))
    def _(g, ans, x, loc=0, scale=1):
        z = (x - loc) / scale
        ratio = g * np.exp(-0.5 * z * z - ans - HALF_LOG_2PI) / scale
        return unbroadcast(ratio, x), unbroadcast(-ratio, loc), unbroadcast(-ratio * z, scale)

    # Student's t with df degrees of freedom: d logpdf / dz = -(df + 1) z / (df + z^2), and
    # d logpdf / d df = (psi((df + 1) / 2) - psi(df / 2) - log1p(z^2 / df) + (z^2 - 1) / (df + z^2)) / 2.

    @defvjp(T_LOGPDF, argnums=(0, 1, 2, 3))
    def _(g, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        slope = -(df + 1) * z / (df + z * z)
        df_slope = 0.5 * (scipy.special.psi(0.5 * (df + 1)) - scipy.special.psi(0.5 * df) - np.log1p(z * z / df)
                          + (z * z - 1) / (df + z * z))
        return (unbroadcast(g * slope / scale, x), unbroadcast(g * df_slope, df), unbroadcast(-g * slope / scale, loc),
                unbroadcast(-g * (1 + z * slope) / scale, scale))

    @defvjp(T_PDF, argnums=(0, 1, 2, 3))
    def _(g, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        weighted = g * ans
        slope = -(df + 1) * z / (df + z * z)
        df_slope = 0.5 * (scipy.special.psi(0.5 * (df + 1)) - scipy.special.psi(0.5 * df) - np.log1p(z * z / df)
                          + (z * z - 1) / (df + z * z))
        return (unbroadcast(weighted * slope / scale, x), unbroadcast(weighted * df_slope, df),
                unbroadcast(-weighted * slope / scale, loc), unbroadcast(-weighted * (1 + z * slope) / scale, scale))

    # The CDFs of t, gamma and beta are not differentiated in their shape parameters (df; a; a and b): an active
    # one is refused where the call is.
    @defvjp(T_CDF, argnums=(0, 2, 3))
    def _(g, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        density = g * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                             - scipy.special.betaln(0.5, 0.5 * df)) / scale
        return unbroadcast(density, x), unbroadcast(-density, loc), unbroadcast(-density * z, scale)

    @defvjp(T_LOGCDF, argnums=(0, 2, 3))
    def _(g, ans, x, df, loc=0, scale=1):
        z = (x - loc) / scale
        ratio = g * np.exp(-0.5 * (df + 1) * np.log1p(z * z / df) - 0.5 * np.log(df)
                           - scipy.special.betaln(0.5, 0.5 * df) - ans) / scale
        return unbroadcast(ratio, x), unbroadcast(-ratio, loc), unbroadcast(-ratio * z, scale)

    # gamma with shape a: y = (x - loc) / scale, log density (a - 1) log y - y - gammaln(a) - log scale.

    @defvjp(GAMMA_LOGPDF, argnums=(0, 1, 2, 3))
    def _(g, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        slope = ((a - 1) / y - 1) / scale
        return (unbroadcast(g * slope, x), unbroadcast(g * (np.log(y) - scipy.special.psi(a)), a),
                unbroadcast(-g * slope, loc), unbroadcast(g * (y - a) / scale, scale))

    @defvjp(GAMMA_PDF, argnums=(0, 1, 2, 3))
    def _(g, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        weighted = g * ans
        slope = ((a - 1) / y - 1) / scale
        return (unbroadcast(weighted * slope, x), unbroadcast(weighted * (np.log(y) - scipy.special.psi(a)), a),
                unbroadcast(-weighted * slope, loc), unbroadcast(weighted * (y - a) / scale, scale))

    @defvjp(GAMMA_CDF, argnums=(0, 2, 3))
    def _(g, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        density = g * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a)) / scale
        return unbroadcast(density, x), unbroadcast(-density, loc), unbroadcast(-density * y, scale)

    @defvjp(GAMMA_LOGCDF, argnums=(0, 2, 3))
    def _(g, ans, x, a, loc=0, scale=1):
        y = (x - loc) / scale
        ratio = g * np.exp(scipy.special.xlogy(a - 1, y) - y - scipy.special.gammaln(a) - ans) / scale
        return unbroadcast(ratio, x), unbroadcast(-ratio, loc), unbroadcast(-ratio * y, scale)

    # beta with shapes a, b: y = (x - loc) / scale, log density (a - 1) log y + (b - 1) log(1 - y) - betaln(a, b)
    # - log scale.

    @defvjp(BETA_LOGPDF, argnums=(0, 1, 2, 3, 4))
    def _(g, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        slope = (a - 1) / y - (b - 1) / (1 - y)
        psi_ab = scipy.special.psi(a + b)
        return (unbroadcast(g * slope / scale, x), unbroadcast(g * (np.log(y) - scipy.special.psi(a) + psi_ab), a),
                unbroadcast(g * (np.log1p(-y) - scipy.special.psi(b) + psi_ab), b),
                unbroadcast(-g * slope / scale, loc),
                unbroadcast(-g * (1 + y * slope) / scale, scale))

    @defvjp(BETA_PDF, argnums=(0, 1, 2, 3, 4))
    def _(g, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        weighted = g * ans
        slope = (a - 1) / y - (b - 1) / (1 - y)
        psi_ab = scipy.special.psi(a + b)
        return (unbroadcast(weighted * slope / scale, x),
                unbroadcast(weighted * (np.log(y) - scipy.special.psi(a) + psi_ab), a),
                unbroadcast(weighted * (np.log1p(-y) - scipy.special.psi(b) + psi_ab), b),
                unbroadcast(-weighted * slope / scale, loc), unbroadcast(-weighted * (1 + y * slope) / scale, scale))

    @defvjp(BETA_CDF, argnums=(0, 3, 4))
    def _(g, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        density = g * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                             - scipy.special.betaln(a, b)) / scale
        return unbroadcast(density, x), unbroadcast(-density, loc), unbroadcast(-density * y, scale)

    @defvjp(BETA_LOGCDF, argnums=(0, 3, 4))
    def _(g, ans, x, a, b, loc=0, scale=1):
        y = (x - loc) / scale
        ratio = g * np.exp(scipy.special.xlogy(a - 1, y) + scipy.special.xlog1py(b - 1, -y)
                           - scipy.special.betaln(a, b) - ans) / scale
        return unbroadcast(ratio, x), unbroadcast(-ratio, loc), unbroadcast(-ratio * y, scale)

    # Poisson with mean mu at the count k - loc: log pmf = xlogy(k, mu) - mu - gammaln(k + 1), and the CDF at k is
    # Q(floor(k) + 1, mu), whose slope in mu is minus the pmf at floor(k). Counts and shifts are integers: no
    # derivative.

    @defvjp(POISSON_LOGPMF, argnums=1)
    def _(g, ans, k, mu, loc=0):
        return unbroadcast(g * ((k - loc) / mu - 1), mu)

    @defvjp(POISSON_PMF, argnums=1)
    def _(g, ans, k, mu, loc=0):
        return unbroadcast(g * ans * ((k - loc) / mu - 1), mu)

    @defvjp(POISSON_CDF, argnums=1)
    def _(g, ans, k, mu, loc=0):
        count = np.floor(k - loc)
        return unbroadcast(-g * np.exp(scipy.special.xlogy(count, mu) - mu - scipy.special.gammaln(count + 1)), mu)

    @defvjp(POISSON_LOGCDF, argnums=1)
    def _(g, ans, k, mu, loc=0):
        count = np.floor(k - loc)
        log_pmf = scipy.special.xlogy(count, mu) - mu - scipy.special.gammaln(count + 1)
        return unbroadcast(-g * np.exp(log_pmf - ans), mu)

    @defvjp(MVN_LOGPDF, argnums=(0, 1, 2))
    def _(g, ans, x, mean=None, cov=1, allow_singular=False):
        return mvn_logpdf_grads(g, ans, x, mean, cov)

    @defvjp(MVN_PDF, argnums=(0, 1, 2))
    def _(g, ans, x, mean=None, cov=1, allow_singular=False):
        return mvn_logpdf_grads(g * ans, ans, x, mean, cov)

    note_dispatch("SciPy's distributions compute with NumPy (they compute a Dask array, refuse a CuPy one)",
                  *STATS_METHODS, mvn_mean, mvn_cov)
