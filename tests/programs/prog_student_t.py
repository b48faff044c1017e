"""Robust linear regression with Student-t noise: coefficients, log scale and log degrees of freedom are all
fitted, so gammaln is applied to a function of the parameters."""

import numpy as np
from scipy.special import gammaln


def student_t_logpdf(residual, nu, scale):
    z = residual / scale
    return (gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi) - np.log(scale)
            - (nu + 1) / 2 * np.log1p(z ** 2 / nu))


def robust_regression_nll(params, X, y):
    coef = params["coef"]
    nu = np.exp(params["log_nu"])
    scale = np.exp(params["log_scale"])
    residual = y - X @ coef
    return -np.mean(student_t_logpdf(residual, nu, scale))
