"""Gaussian mixture model: the log likelihood of data under a mixture with full covariances parameterised by
square roots, per-cluster densities from scipy.stats.multivariate_normal and scipy.special.logsumexp over
clusters."""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal as mvn


def unpack_params(params):
    normalized_log_proportions = params["log_proportions"] - logsumexp(params["log_proportions"])
    return normalized_log_proportions, params["means"], params["lower_tris"]


def gmm_negative_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_params(params)):
        cov = np.dot(cov_sqrt.T, cov_sqrt) + 0.1 * np.eye(data.shape[1])
        cluster_lls.append(log_proportion + mvn.logpdf(data, mean, cov))
    return -np.sum(logsumexp(np.vstack(cluster_lls), axis=0))
