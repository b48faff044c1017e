"""Normalising flow with planar layers: samples of a standard normal pushed through a list of layers, each
a dict with u, w and b, the log-determinant accumulated per layer, and the reverse KL to an unnormalised
two-dimensional target density."""

import numpy as np


def target_log_density(z):
    radius = np.sqrt(np.sum(z ** 2, axis=1))
    return -0.5 * ((radius - 2.0) / 0.4) ** 2


def planar_layer(z, u, w, b):
    activation = np.tanh(z @ w + b)
    psi = (1.0 - activation ** 2)[:, None] * w[None, :]
    log_det = np.log(np.abs(1.0 + psi @ u) + 1e-8)
    return z + activation[:, None] * u[None, :], log_det


def flow_kl(layers, num_samples=16, seed=1):
    rs = np.random.RandomState(seed)
    z = rs.randn(num_samples, 2)
    log_q = -0.5 * np.sum(z ** 2, axis=1) - np.log(2 * np.pi)
    for i, layer in enumerate(layers):
        z, log_det = planar_layer(z, layer["u"], layer["w"], layer["b"])
        log_q = log_q - log_det
    return np.mean(log_q - target_log_density(z))
