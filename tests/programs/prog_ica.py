"""Independent component analysis: maximum likelihood of an unmixing matrix with heavy-tailed Student-t
sources (scipy.stats.t.logpdf) and the log-determinant of the unmixing."""

import numpy as np
from scipy.stats import t


def ica_negative_log_likelihood(W, X, dof=3.0):
    sources = np.dot(X, W.T)
    log_density = np.sum(t.logpdf(sources, dof))
    log_det = np.log(np.abs(np.linalg.det(W)))
    return -(log_density + X.shape[0] * log_det) / X.shape[0]
