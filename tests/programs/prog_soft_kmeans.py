"""Soft k-means: responsibilities from a softmax over negative squared distances at inverse temperature
beta, normalised in place, and the expected within-cluster squared distance."""

import numpy as np


def pairwise_sq_dists(X, centroids):
    return np.sum((X[:, None, :] - centroids[None, :, :]) ** 2, axis=-1)


def soft_kmeans_objective(centroids, X, beta=2.0):
    d2 = pairwise_sq_dists(X, centroids)
    logits = -beta * d2
    resp = np.exp(logits - logits.max(axis=1, keepdims=True))
    resp /= resp.sum(axis=1, keepdims=True)
    return np.sum(resp * d2) / X.shape[0]
