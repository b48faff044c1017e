"""Variational autoencoder on binary data: an encoder and a decoder MLP, each a list of (W, b) layers, and the
evidence lower bound estimated with one reparameterised sample drawn from a seeded RandomState."""

import numpy as np


def mlp_forward(layers, inputs):
    for W, b in layers[:-1]:
        inputs = np.tanh(np.dot(inputs, W) + b)
    W_out, b_out = layers[-1]
    return np.dot(inputs, W_out) + b_out


def split_gaussian(outputs):
    half = outputs.shape[-1] // 2
    return outputs[:, :half], outputs[:, half:]


def sample_gaussian(mean, log_std, rs):
    eps = rs.randn(*mean.shape)
    return mean + eps * np.exp(log_std)


def gaussian_log_density(x, mean, log_std):
    z = (x - mean) / np.exp(log_std)
    return np.sum(-0.5 * z ** 2 - log_std - 0.5 * np.log(2 * np.pi), axis=-1)


def bernoulli_log_density(targets, logits):
    signs = 2 * targets - 1
    return -np.sum(np.logaddexp(0.0, -signs * logits), axis=-1)


def negative_elbo(params, data, seed=0):
    encoder, decoder = params
    rs = np.random.RandomState(seed)
    q_mean, q_log_std = split_gaussian(mlp_forward(encoder, data))
    latents = sample_gaussian(q_mean, q_log_std, rs)
    log_q = gaussian_log_density(latents, q_mean, q_log_std)
    log_prior = gaussian_log_density(latents, 0.0, 0.0)
    log_lik = bernoulli_log_density(data, mlp_forward(decoder, latents))
    return -np.mean(log_lik + log_prior - log_q)
