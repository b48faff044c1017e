"""Poisson GLM for spike counts: a linear filter on a lagged design matrix built by slicing, exponential
link, the full log likelihood including log(k!) through scipy.special.gammaln of the data, and a ridge
penalty."""

import numpy as np
from scipy.special import gammaln


def lagged_design(stimulus, num_lags):
    columns = [stimulus[num_lags - 1 - lag:stimulus.shape[0] - lag] for lag in range(num_lags)]
    return np.stack(columns, axis=1)


def poisson_glm_nll(params, stimulus, counts, ridge=0.1):
    weights, bias = params
    X = lagged_design(stimulus, weights.shape[0])
    log_rate = X @ weights + bias
    y = counts[weights.shape[0] - 1:]
    log_lik = np.sum(y * log_rate - np.exp(log_rate) - gammaln(y + 1.0))
    return -log_lik / y.shape[0] + ridge * np.sum(weights ** 2)
