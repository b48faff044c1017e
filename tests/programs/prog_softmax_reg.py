"""Multinomial (softmax) regression: a (W, b) tuple, a stable softmax, the log probability of the true labels
picked by fancy indexing under np.errstate, and weight decay."""

import numpy as np


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_regression_loss(params, X, labels, reg=1e-3):
    W, b = params
    probs = softmax(X @ W + b)
    with np.errstate(divide="ignore"):
        log_p = np.log(probs[np.arange(labels.shape[0]), labels])
    return -np.mean(log_p) + reg * np.sum(W ** 2)
