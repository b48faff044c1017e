"""Truncated Dirichlet-process mixture: stick-breaking weights from logistic-transformed fractions (the
running product of the leftover sticks taken in log space with np.cumsum), a one-dimensional Gaussian
mixture likelihood through a hand-written logsumexp, and a Beta(1, alpha) prior on the fractions."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def stick_breaking_weights(fraction_logits):
    fractions = sigmoid(fraction_logits)
    remaining = np.exp(np.concatenate([np.zeros(1), np.cumsum(np.log1p(-fractions))[:-1]]))
    return fractions * remaining


def logsumexp(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def dp_mixture_nll(params, data, alpha=2.0):
    weights = stick_breaking_weights(params["fraction_logits"])
    means, log_stds = params["means"], params["log_stds"]
    z = (data[:, None] - means[None, :]) / np.exp(log_stds)[None, :]
    log_components = np.log(weights + 1e-12)[None, :] - 0.5 * z ** 2 - log_stds[None, :] - 0.5 * np.log(2 * np.pi)
    fractions = sigmoid(params["fraction_logits"])
    log_prior = np.sum((alpha - 1.0) * np.log(1.0 - fractions))
    return -(np.sum(logsumexp(log_components)) + log_prior)
