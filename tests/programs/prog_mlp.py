"""Multilayer perceptron classifier: parameters as a list of (W, b) tuples, ReLU hidden layers, a
log-softmax output, and an L2 penalty summed with a list comprehension."""

import numpy as np


def relu(x):
    return np.maximum(0.0, x)


def neural_net_predict(params, inputs):
    for W, b in params[:-1]:
        inputs = relu(inputs @ W + b)
    W, b = params[-1]
    logits = inputs @ W + b
    return logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))


def l2_norm(params):
    return sum([np.sum(W ** 2) for W, _ in params])


def log_posterior(params, inputs, targets, l2_reg=0.01):
    log_prior = -l2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return -(log_prior + log_lik) / inputs.shape[0]
