"""End to end through SciPy: ``srcgrad.grad``, ``srcgrad.jvp`` and ``srcgrad.hessian`` of model log-likelihoods
that call ``scipy.special``, ``scipy.stats`` and ``scipy.linalg``, against central finite differences and
against HIPS autograd, which has rules for many of the same functions (its own wrappers of them). Skipped
without SciPy; the last test checks that srcgrad imports without it.

The distributions are instances and their methods bound methods (``scipy.stats.norm.logpdf``): the tests
of functions that call them need srcgrad to find the rules of a method of an object in the function's scope
(``STATS_CALLS``)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from gradcheck import assert_close, check_grad, finite_difference

pytest.importorskip("scipy")
import scipy.linalg
import scipy.special
import scipy.special as sp
import scipy.stats
from scipy.special import logsumexp
from scipy.stats import norm

import srcgrad

# --- helpers ---------------------------------------------------------------------------------------------


def check_jvp(f, args, position, rng, rtol=1e-5, atol=1e-7):
    """``srcgrad.jvp`` along a random direction of argument ``position`` against the central difference."""
    x = args[position]
    direction = rng.normal(size=np.shape(x)) if isinstance(x, np.ndarray) else float(rng.normal())
    tangents = [None] * len(args)
    tangents[position] = direction
    out, tangent = srcgrad.jvp(f, args, tangents)
    np.testing.assert_allclose(out, f(*args), rtol=1e-12)

    def along(s):
        moved = list(args)
        moved[position] = x + s * direction
        return f(*moved)

    h = 1e-6
    expected = (along(h) - along(-h)) / (2 * h)
    scale = max(1.0, abs(float(f(*args))))
    assert_close(tangent, expected, scale, rtol, atol, "jvp")
    return tangent


def check_hessian(f, args, position, rtol=1e-5, atol=1e-6):
    """``srcgrad.hessian`` against central differences of srcgrad's gradient (itself checked against
    differences of ``f``), and for symmetry."""
    hessian = srcgrad.hessian(f, argnums=position)(*args)
    x = np.asarray(args[position], dtype=np.float64)
    gradient = srcgrad.grad(f, argnums=position)

    def grad_at(value):
        moved = list(args)
        moved[position] = value if isinstance(args[position], np.ndarray) else float(value)
        return np.asarray(gradient(*moved), dtype=np.float64)

    columns = []
    for index in np.ndindex(*x.shape):
        h = 1e-5 * max(1.0, abs(x[index]))
        step = np.zeros_like(x)
        step[index] = h
        columns.append((grad_at(x + step) - grad_at(x - step)) / (2 * h))
    expected = np.moveaxis(np.reshape(np.stack(columns), x.shape + x.shape), tuple(range(x.ndim)),
                           tuple(range(x.ndim, 2 * x.ndim)))
    scale = max(1.0, float(np.max(np.abs(expected))))
    assert_close(hessian, expected, scale, rtol, atol, "hessian")
    flat = np.reshape(hessian, (x.size, x.size))
    np.testing.assert_allclose(flat, flat.T, rtol=1e-9, atol=1e-9 * scale)
    return hessian


def autograd_or_skip():
    autograd = pytest.importorskip("autograd")
    pytest.importorskip("autograd.scipy")
    return autograd


def _keyword_call(x):
    return norm.logpdf(x, loc=0.25, scale=1.5)


def _bound_methods_supported() -> tuple[bool, str]:
    """Whether srcgrad differentiates calls of the distributions' bound methods, to second order."""
    try:
        srcgrad.hessian(_keyword_call)(0.3)
    except srcgrad.SrcgradError as error:
        return False, f"srcgrad does not find the rules of scipy.stats.norm.logpdf in user code: {error}"
    return True, ""


_SUPPORTED, _WHY = _bound_methods_supported()
STATS_CALLS = pytest.mark.skipif(not _SUPPORTED, reason=_WHY)


# --- scipy.special ---------------------------------------------------------------------------------------


def special_mix(x, y):
    return (np.sum(sp.gammaln(x) + sp.digamma(x) + sp.polygamma(2, x) + 0.1 * sp.gamma(x))
            + np.sum(sp.erf(y) * sp.erfc(y) + sp.expit(y) + sp.logit(sp.expit(0.5 * y)) + sp.xlogy(y, x)
                     + sp.xlog1py(x, x))
            + np.sum(sp.i0(y) + sp.i1(y) + sp.i0e(y) + sp.i1e(y) + sp.iv(1.5, x) + sp.ive(2, y))
            + np.sum(sp.ndtr(y) + sp.log_ndtr(y) + sp.betaln(x, x + 1.0)))


def test_special_functions_gradient_jvp_and_hessian():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.6, 2.5, size=4), rng.normal(size=4)
    check_grad(special_mix, (x, y), argnums=(0, 1))
    check_jvp(special_mix, (x, y), 0, rng)
    check_jvp(special_mix, (x, y), 1, rng)
    check_hessian(special_mix, (x, y), 0)
    check_hessian(special_mix, (x, y), 1)


def special_autograd_mix(x, y):
    return (np.sum(sp.gammaln(x) * sp.digamma(x) + sp.polygamma(1, x) + sp.gamma(x))
            + np.sum(sp.erf(y) + sp.erfc(y * y))
            + np.sum(sp.expit(y) * sp.logit(sp.expit(y)) + sp.i0(y) + sp.i1(y) + sp.iv(2, x)))


def test_special_functions_match_autograd():
    autograd = autograd_or_skip()
    import autograd.numpy as anp
    import autograd.scipy.special as asp

    def oracle(x, y):
        return (anp.sum(asp.gammaln(x) * asp.digamma(x) + asp.polygamma(1, x) + asp.gamma(x))
                + anp.sum(asp.erf(y) + asp.erfc(y * y))
                + anp.sum(asp.expit(y) * asp.logit(asp.expit(y)) + asp.i0(y) + asp.i1(y) + asp.iv(2, x)))

    rng = np.random.default_rng(1)
    x, y = rng.uniform(0.6, 2.5, size=5), rng.normal(size=5)
    np.testing.assert_allclose(special_autograd_mix(x, y), oracle(x, y), rtol=1e-13)
    for position in (0, 1):
        np.testing.assert_allclose(srcgrad.grad(special_autograd_mix, argnums=position)(x, y),
                                   autograd.grad(oracle, position)(x, y), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(srcgrad.hessian(special_autograd_mix)(x, y), autograd.hessian(oracle)(x, y),
                               rtol=1e-9, atol=1e-10)


# Gaussian mixture: log-likelihood of the points X under K isotropic Gaussians, with logsumexp over the
# components; the second form weights the components with logsumexp's b instead of adding log weights.


def gmm_loglik(means, log_sigmas, logits, X):
    log_w = logits - logsumexp(logits)
    d = X[:, None, :] - means[None, :, :]
    sigma2 = np.exp(2.0 * log_sigmas)
    log_density = (-0.5 * np.sum(d * d, axis=2) / sigma2 - X.shape[1] * (log_sigmas + 0.5 * np.log(2 * np.pi)))
    return np.sum(logsumexp(log_density + log_w, axis=1))


def gmm_loglik_weights(means, log_sigmas, logits, X):
    weights = np.exp(logits - logsumexp(logits, keepdims=True))
    d = X[:, None, :] - means[None, :, :]
    sigma2 = np.exp(2.0 * log_sigmas)
    log_density = (-0.5 * np.sum(d * d, axis=2) / sigma2 - X.shape[1] * (log_sigmas + 0.5 * np.log(2 * np.pi)))
    return np.sum(logsumexp(log_density, axis=1, b=weights[None, :]))


def _gmm_args(seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3, 2)), rng.normal(scale=0.3, size=3), rng.normal(size=3), rng.normal(size=(20, 2))


@pytest.mark.parametrize("f", [gmm_loglik, gmm_loglik_weights])
def test_gmm_loglikelihood(f):
    args = _gmm_args()
    rng = np.random.default_rng(3)
    check_grad(f, args, argnums=(0, 1, 2))
    for position in (0, 1, 2):
        check_jvp(f, args, position, rng)
    check_hessian(f, args, 0)
    check_hessian(f, args, 2)


def test_gmm_weights_and_log_weights_agree():
    args = _gmm_args(4)
    for position in (0, 1, 2):
        np.testing.assert_allclose(srcgrad.grad(gmm_loglik_weights, argnums=position)(*args),
                                   srcgrad.grad(gmm_loglik, argnums=position)(*args), rtol=1e-10, atol=1e-12)


def test_gmm_matches_autograd():
    autograd = autograd_or_skip()
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp as alogsumexp

    def oracle(means, log_sigmas, logits, X):
        log_w = logits - alogsumexp(logits)
        d = X[:, None, :] - means[None, :, :]
        log_density = (-0.5 * anp.sum(d * d, axis=2) / anp.exp(2.0 * log_sigmas)
                       - X.shape[1] * (log_sigmas + 0.5 * anp.log(2 * anp.pi)))
        return anp.sum(alogsumexp(log_density + log_w, axis=1))

    args = _gmm_args(5)
    for position in (0, 1, 2):
        np.testing.assert_allclose(srcgrad.grad(gmm_loglik, argnums=position)(*args),
                                   autograd.grad(oracle, position)(*args), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(srcgrad.hessian(gmm_loglik, argnums=2)(*args),
                               autograd.hessian(oracle, 2)(*args), rtol=1e-9, atol=1e-10)


# Beta-binomial counts: log C(n, k) + betaln(k + a, n - k + b) - betaln(a, b), with a, b = exp(theta).


def beta_binomial_loglik(theta, k, n):
    a, b = np.exp(theta[0]), np.exp(theta[1])
    log_choose = sp.gammaln(n + 1.0) - sp.gammaln(k + 1.0) - sp.gammaln(n - k + 1.0)
    return np.sum(log_choose + sp.betaln(k + a, n - k + b) - sp.betaln(a, b))


def test_beta_binomial():
    rng = np.random.default_rng(6)
    n = rng.integers(5, 20, size=12).astype(float)
    k = np.floor(rng.uniform(0, 1, size=12) * (n + 1))
    theta = np.array([0.3, -0.2])
    check_grad(beta_binomial_loglik, (theta, k, n))
    check_jvp(beta_binomial_loglik, (theta, k, n), 0, rng)
    hessian = check_hessian(beta_binomial_loglik, (theta, k, n), 0)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    import autograd.scipy.special as aspecial

    def oracle(theta):
        a, b = anp.exp(theta[0]), anp.exp(theta[1])
        log_choose = aspecial.gammaln(n + 1.0) - aspecial.gammaln(k + 1.0) - aspecial.gammaln(n - k + 1.0)
        return anp.sum(log_choose + aspecial.betaln(k + a, n - k + b) - aspecial.betaln(a, b))

    np.testing.assert_allclose(srcgrad.grad(beta_binomial_loglik)(theta, k, n), autograd.grad(oracle)(theta),
                               rtol=1e-10)
    np.testing.assert_allclose(hessian, autograd.hessian(oracle)(theta), rtol=1e-9)


def logsumexp_sign(a):
    value, sign = logsumexp(a, return_sign=True)
    return value * sign


def test_logsumexp_return_sign_is_refused():
    with pytest.raises(srcgrad.SrcgradError, match="return_sign=True"):
        srcgrad.grad(logsumexp_sign)(np.array([0.5, 1.0]))


# --- scipy.stats ---------------------------------------------------------------------------------------------
# Independent component analysis with Student-t sources: log p(X | W) = sum log t(W x_i; df, 0, scale)
# + n log |det W|.


def ica_loglik(W, X, df, scale):
    S = X @ W.T
    return np.sum(scipy.stats.t.logpdf(S, df, 0.0, scale)) + X.shape[0] * np.log(np.abs(np.linalg.det(W)))


def _ica_args():
    rng = np.random.default_rng(7)
    return np.eye(3) + 0.3 * rng.normal(size=(3, 3)), rng.standard_t(4.0, size=(25, 3)), 3.5, 1.3


@STATS_CALLS
def test_student_t_ica():
    args = _ica_args()
    rng = np.random.default_rng(8)
    check_grad(ica_loglik, args, argnums=(0, 2, 3))
    for position in (0, 2, 3):
        check_jvp(ica_loglik, args, position, rng)
    check_hessian(ica_loglik, args, 0)
    check_hessian(ica_loglik, args, 2)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    from autograd.scipy.stats import t as at

    def oracle(W, X, df, scale):
        return anp.sum(at.logpdf(anp.dot(X, W.T), df, 0.0, scale)) + X.shape[0] * anp.log(anp.abs(anp.linalg.det(W)))

    for position in (0, 2, 3):
        np.testing.assert_allclose(srcgrad.grad(ica_loglik, argnums=position)(*args),
                                   autograd.grad(oracle, position)(*args), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(srcgrad.hessian(ica_loglik)(*args), autograd.hessian(oracle)(*args), rtol=1e-9,
                               atol=1e-9)


# Poisson regression: y_i ~ Poisson(exp(x_i . beta)); the Hessian is -X^T diag(mu) X.


def poisson_loglik(beta, X, y):
    return np.sum(scipy.stats.poisson.logpmf(y, np.exp(X @ beta)))


def poisson_censored(beta, X, y):
    mu = np.exp(X @ beta)
    return np.sum(scipy.stats.poisson.logcdf(y, mu) + scipy.stats.poisson.cdf(y + 1, mu)
                  + scipy.stats.poisson.pmf(y, mu))


@STATS_CALLS
def test_poisson_regression():
    rng = np.random.default_rng(9)
    X = rng.normal(scale=0.5, size=(30, 3))
    beta = np.array([0.4, -0.3, 0.2])
    y = rng.poisson(np.exp(X @ beta)).astype(float)
    check_grad(poisson_loglik, (beta, X, y))
    check_jvp(poisson_loglik, (beta, X, y), 0, rng)
    hessian = check_hessian(poisson_loglik, (beta, X, y), 0)
    mu = np.exp(X @ beta)
    np.testing.assert_allclose(hessian, -(X.T * mu) @ X, rtol=1e-10)
    check_grad(poisson_censored, (beta, X, y))
    check_jvp(poisson_censored, (beta, X, y), 0, rng)
    check_hessian(poisson_censored, (beta, X, y), 0)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    from autograd.scipy.stats import poisson as apoisson

    np.testing.assert_allclose(srcgrad.grad(poisson_loglik)(beta, X, y),
                               autograd.grad(lambda b: anp.sum(apoisson.logpmf(y, anp.exp(anp.dot(X, b)))))(beta),
                               rtol=1e-10)


# Normal, gamma and beta densities and CDFs, with location, scale and shape parameters differentiated.


def location_scale_mix(x, mu, s, a):
    return (np.sum(norm.logpdf(x, mu, s) + norm.cdf(x, loc=mu, scale=s) + norm.logcdf(x, mu, s))
            + np.sum(scipy.stats.norm.pdf(x, mu, s) + scipy.stats.t.pdf(x, a + 2.0, mu, s)
                     + scipy.stats.t.cdf(x, 4.0, mu, s) + scipy.stats.t.logcdf(x, 3.0, loc=mu, scale=s))
            + np.sum(scipy.stats.gamma.logpdf(x + 3.0, a, mu, s) + scipy.stats.gamma.pdf(x + 3.0, a, loc=mu, scale=s)
                     + scipy.stats.gamma.cdf(x + 3.0, 2.5, mu, s) + scipy.stats.gamma.logcdf(x + 3.0, 2.0, mu, s))
            + np.sum(scipy.stats.beta.logpdf(x, a, 2.0, mu - 2.5, 5.0) + scipy.stats.beta.pdf(x, 2.0, a, mu - 2.5, 5.0)
                     + scipy.stats.beta.cdf(x, 2.0, 3.0, loc=mu - 2.5, scale=s + 4.0)
                     + scipy.stats.beta.logcdf(x, 1.5, 2.5, mu - 2.5, s + 4.0)))


@STATS_CALLS
def test_distributions_in_data_location_scale_and_shape():
    rng = np.random.default_rng(10)
    args = (rng.normal(size=6), 0.2, 1.3, 2.2)
    check_grad(location_scale_mix, args, argnums=(0, 1, 2, 3))
    for position in range(4):
        check_jvp(location_scale_mix, args, position, rng)
        check_hessian(location_scale_mix, args, position)


def normal_mix(x, mu, s):
    return (np.sum(scipy.stats.norm.logpdf(x, mu, s) + scipy.stats.norm.cdf(x, mu, s) + scipy.stats.norm.pdf(x, mu, s))
            + np.sum(scipy.stats.gamma.logpdf(x + 3.0, s + 1.0))
            + np.sum(scipy.stats.beta.logpdf(x * 0.1 + 0.5, s, mu + 1.0)))


@STATS_CALLS
def test_distributions_match_autograd():
    autograd = autograd_or_skip()
    import autograd.numpy as anp
    import autograd.scipy.stats as astats

    def oracle(x, mu, s):
        return (anp.sum(astats.norm.logpdf(x, mu, s) + astats.norm.cdf(x, mu, s) + astats.norm.pdf(x, mu, s))
                + anp.sum(astats.gamma.logpdf(x + 3.0, s + 1.0))
                + anp.sum(astats.beta.logpdf(x * 0.1 + 0.5, s, mu + 1.0)))

    rng = np.random.default_rng(11)
    args = (rng.normal(size=5), 0.3, 1.4)
    for position in range(3):
        np.testing.assert_allclose(srcgrad.grad(normal_mix, argnums=position)(*args),
                                   autograd.grad(oracle, position)(*args), rtol=1e-10, atol=1e-12)


# A multivariate normal with a covariance built from a factor: log p(X | mean, L L^T + I / 2).


def mvn_loglik(mean, L, X):
    cov = L @ L.T + 0.5 * np.eye(L.shape[0])
    return np.sum(scipy.stats.multivariate_normal.logpdf(X, mean, cov)) + np.log(
        scipy.stats.multivariate_normal.pdf(X[0], mean, cov))


@STATS_CALLS
def test_multivariate_normal():
    rng = np.random.default_rng(12)
    args = (rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=(15, 3)))
    check_grad(mvn_loglik, args, argnums=(0, 1, 2))
    for position in range(3):
        check_jvp(mvn_loglik, args, position, rng)
    check_hessian(mvn_loglik, args, 0)
    check_hessian(mvn_loglik, args, 1)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    from autograd.scipy.stats import multivariate_normal as amvn

    def oracle(mean, L, X):
        cov = anp.dot(L, L.T) + 0.5 * anp.eye(L.shape[0])
        return anp.sum(amvn.logpdf(X, mean, cov)) + amvn.logpdf(X[0], mean, cov)

    for position in range(3):
        np.testing.assert_allclose(srcgrad.grad(mvn_loglik, argnums=position)(*args),
                                   autograd.grad(oracle, position)(*args), rtol=1e-9, atol=1e-11)


def t_cdf_in_df(x, df):
    return np.sum(scipy.stats.t.cdf(x, df))


def gamma_cdf_in_shape(x, a):
    return np.sum(scipy.stats.gamma.cdf(x, a))


@STATS_CALLS
@pytest.mark.parametrize(("f", "name"), [(t_cdf_in_df, "df"), (gamma_cdf_in_shape, "a")])
def test_cdf_shape_parameters_are_refused(f, name):
    x = np.array([0.5, 1.5])
    with pytest.raises(srcgrad.MissingRuleError, match=f"argument\\(s\\) {name}"):
        srcgrad.grad(f, argnums=1)(x, 2.5)
    assert np.all(np.isfinite(srcgrad.grad(f)(x, 2.5)))  # the data is differentiated


def poisson_in_counts(k, mu):
    return np.sum(scipy.stats.poisson.logpmf(k, mu))


@STATS_CALLS
def test_poisson_counts_get_no_gradient():
    assert np.all(srcgrad.grad(poisson_in_counts)(np.array([1.0, 3.0]), 2.0) == 0.0)


# --- scipy.linalg --------------------------------------------------------------------------------------------
# Gaussian-process regression: the negative log marginal likelihood in log length scale and log noise, through
# cho_factor / cho_solve (either triangle), cholesky with solve_triangular, and the transposed solve.


def _kernel(theta, X):
    ell, noise = np.exp(theta[0]), np.exp(theta[1])
    d = X[:, None] - X[None, :]
    return np.exp(-0.5 * d * d / (ell * ell)) + noise * np.eye(X.shape[0])


def gp_nll_lower(theta, X, y):
    factor = scipy.linalg.cho_factor(_kernel(theta, X), lower=True)
    alpha = scipy.linalg.cho_solve(factor, y)
    return 0.5 * (y @ alpha) + np.sum(np.log(np.diag(factor[0])))


def gp_nll_upper(theta, X, y):
    c, lower = scipy.linalg.cho_factor(_kernel(theta, X))
    alpha = scipy.linalg.cho_solve((c, lower), y)
    return 0.5 * (y @ alpha) + np.sum(np.log(np.diag(c)))


def gp_nll_triangular(theta, X, y):
    L = scipy.linalg.cholesky(_kernel(theta, X), lower=True)
    z = scipy.linalg.solve_triangular(L, y, lower=True)
    return 0.5 * (z @ z) + np.sum(np.log(np.diag(L)))


def gp_nll_transposed(theta, X, y):
    U = scipy.linalg.cholesky(_kernel(theta, X))
    z = scipy.linalg.solve_triangular(U, y, trans="T")
    w = scipy.linalg.solve_triangular(U, z)
    return 0.5 * (y @ w) + np.sum(np.log(np.diag(U)))


GP = [gp_nll_lower, gp_nll_upper, gp_nll_triangular, gp_nll_transposed]


def _gp_args():
    rng = np.random.default_rng(13)
    X = np.sort(rng.uniform(0, 3, size=8))
    return np.array([-0.2, -1.5]), X, np.sin(2 * X) + 0.1 * rng.normal(size=8)


@pytest.mark.parametrize("f", GP)
def test_gaussian_process(f):
    args = _gp_args()
    rng = np.random.default_rng(14)
    check_grad(f, args)
    check_jvp(f, args, 0, rng)
    check_hessian(f, args, 0)
    np.testing.assert_allclose(f(*args), gp_nll_lower(*args), rtol=1e-12)
    np.testing.assert_allclose(srcgrad.grad(f)(*args), srcgrad.grad(gp_nll_lower)(*args), rtol=1e-9)


def test_gaussian_process_matches_autograd():
    autograd = autograd_or_skip()
    import autograd.numpy as anp
    from autograd.scipy.linalg import solve_triangular as asolve

    def oracle(theta, X, y):
        d = X[:, None] - X[None, :]
        K = anp.exp(-0.5 * d * d / anp.exp(2 * theta[0])) + anp.exp(theta[1]) * anp.eye(X.shape[0])
        L = anp.linalg.cholesky(K)
        z = asolve(L, y, lower=True)
        return 0.5 * anp.dot(z, z) + anp.sum(anp.log(anp.diag(L)))

    args = _gp_args()
    expected = autograd.grad(oracle)(*args)
    for f in GP:
        np.testing.assert_allclose(srcgrad.grad(f)(*args), expected, rtol=1e-9)
    np.testing.assert_allclose(srcgrad.hessian(gp_nll_lower)(*args), autograd.hessian(oracle)(*args), rtol=1e-7)


# A continuous-time Markov chain: transition probabilities expm(Q t) of a generator Q whose off-diagonal rates
# are exp(log_rates), and the log-likelihood of observed transition counts.


def ctmc_loglik(log_rates, t, counts):
    n = counts.shape[0]
    off = np.exp(log_rates) * (1.0 - np.eye(n))
    Q = off - np.diag(np.sum(off, axis=1))
    P = scipy.linalg.expm(Q * t)
    return np.sum(counts * np.log(P))


def test_expm_of_a_generator():
    rng = np.random.default_rng(15)
    args = (rng.normal(scale=0.3, size=(3, 3)), 0.7, rng.integers(1, 9, size=(3, 3)).astype(float))
    check_grad(ctmc_loglik, args, argnums=(0, 1))
    check_jvp(ctmc_loglik, args, 0, rng)
    check_jvp(ctmc_loglik, args, 1, rng)
    check_hessian(ctmc_loglik, args, 0)
    check_hessian(ctmc_loglik, args, 1)
    torch = pytest.importorskip("torch")
    rates = torch.tensor(args[0], requires_grad=True)
    off = torch.exp(rates) * (1.0 - torch.eye(3, dtype=torch.float64))
    P = torch.linalg.matrix_exp((off - torch.diag(off.sum(1))) * args[1])
    torch.sum(torch.tensor(args[2]) * torch.log(P)).backward()
    np.testing.assert_allclose(srcgrad.grad(ctmc_loglik)(*args), rates.grad.numpy(), rtol=1e-10)


def sqrtm_energy(A):
    root = scipy.linalg.sqrtm(A @ A.T + np.eye(A.shape[0]))
    return np.trace(root) + np.sum(root * root[::-1])


def test_sqrtm():
    rng = np.random.default_rng(16)
    A = rng.normal(size=(3, 3))
    check_grad(sqrtm_energy, (A,))
    check_jvp(sqrtm_energy, (A,), 0, rng)
    check_hessian(sqrtm_energy, (A,), 0)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    from autograd.scipy.linalg import sqrtm as asqrtm

    def oracle(A):
        root = asqrtm(anp.dot(A, A.T) + anp.eye(3))
        return anp.trace(root) + anp.sum(root * root[::-1])

    np.testing.assert_allclose(srcgrad.grad(sqrtm_energy)(A), autograd.grad(oracle)(A), rtol=1e-9)


def triangular_solves(a, b):
    x = scipy.linalg.solve_triangular(a, b, lower=True, unit_diagonal=True)
    y = scipy.linalg.solve_triangular(a, x, trans=1)
    return np.sum(y * y) + np.sum(scipy.linalg.solve_triangular(a, b, trans="T", lower=True))


def test_solve_triangular_options():
    rng = np.random.default_rng(17)
    a = rng.normal(size=(4, 4)) + 6.0 * np.eye(4)
    b = rng.normal(size=(4, 2))
    check_grad(triangular_solves, (a, b), argnums=(0, 1))
    check_jvp(triangular_solves, (a, b), 0, rng)
    check_jvp(triangular_solves, (a, b), 1, rng)
    check_hessian(triangular_solves, (a, b), 0)
    check_hessian(triangular_solves, (a, b), 1)


def test_finite_differences_see_one_triangle():
    """cholesky reads one triangle: the other one gets no gradient, and the gradient is exact for it."""
    rng = np.random.default_rng(18)
    B = rng.normal(size=(3, 3))
    A = B @ B.T + 3 * np.eye(3)
    gradient = srcgrad.grad(cholesky_cubes)(A)
    np.testing.assert_array_equal(np.triu(gradient, 1), 0.0)
    assert_close(gradient, finite_difference(cholesky_cubes, (A,), 0), 1.0, 1e-5, 1e-7)


def cholesky_cubes(a):
    return np.sum(scipy.linalg.cholesky(a, lower=True) ** 3)


# --- without SciPy -------------------------------------------------------------------------------------------


def test_srcgrad_imports_without_scipy():
    code = ("import sys\n"
            "sys.modules['scipy'] = None\n"
            "import numpy as np, srcgrad\n"
            "from srcgrad.rules.registry import registered_vjp_rules\n"
            "assert not any('scipy' in r.function.__module__ for r in registered_vjp_rules())\n"
            "assert 'srcgrad.rules.scipy_rules' not in sys.modules\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
