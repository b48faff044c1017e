"""Bayesian neural network regression by black-box variational inference: a diagonal Gaussian over the flat
weight vector, reparameterised samples, and the weights unpacked layer by layer by a generator."""

import numpy as np

LAYER_SIZES = (1, 6, 1)


def unpack_layers(weights, layer_sizes=LAYER_SIZES):
    num_samples = weights.shape[0]
    for m, n in zip(layer_sizes[:-1], layer_sizes[1:]):  # noqa: RUF007
        W = weights[:, :m * n].reshape((num_samples, m, n))
        b = weights[:, m * n:m * n + n].reshape((num_samples, 1, n))
        yield W, b
        weights = weights[:, (m + 1) * n:]


def predictions(weights, inputs):
    inputs = np.expand_dims(inputs, 0)
    for W, b in unpack_layers(weights):
        outputs = np.einsum("snd,sdo->sno", inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def log_posterior(weights, inputs, targets, prior_var=1.0, noise_var=0.01):
    log_prior = -np.sum(weights ** 2, axis=1) / (2 * prior_var)
    preds = predictions(weights, inputs)
    log_lik = -np.sum((preds - targets) ** 2, axis=(1, 2)) / (2 * noise_var)
    return log_prior + log_lik


def variational_objective(var_params, inputs, targets, num_samples=4, seed=0):
    mean, log_std = var_params["mean"], var_params["log_std"]
    rs = np.random.RandomState(seed)
    samples = rs.randn(num_samples, mean.shape[0]) * np.exp(log_std) + mean
    entropy = 0.5 * mean.shape[0] * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
    return -(np.mean(log_posterior(samples, inputs, targets)) + entropy)
