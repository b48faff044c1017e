"""Gaussian-process regression: the negative log marginal likelihood of an RBF kernel with learned mean,
noise, output scale and length scales, through a Cholesky factor and two triangular solves."""

import numpy as np


def rbf_covariance(kernel_params, x, xp):
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))


def unpack_params(params):
    mean = params[0]
    noise_scale = np.exp(params[1]) + 1e-4
    return mean, params[2:], noise_scale


def negative_log_marginal_likelihood(params, x, y):
    mean, kernel_params, noise_scale = unpack_params(params)
    n = y.shape[0]
    cov = rbf_covariance(kernel_params, x, x) + noise_scale * np.eye(n)
    L = np.linalg.cholesky(cov)
    residual = y - mean
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, residual))
    return 0.5 * np.dot(residual, alpha) + np.sum(np.log(np.diag(L))) + 0.5 * n * np.log(2 * np.pi)
