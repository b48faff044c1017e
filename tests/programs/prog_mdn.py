"""Mixture density network: an MLP whose output is split into mixture logits, means and log standard
deviations (returned as a dict by a helper), and the negative log likelihood of scalar targets."""

import numpy as np


def mlp(params, x):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def mixture_heads(outputs, num_components):
    logits, means, log_stds = np.split(outputs, 3, axis=1)
    log_weights = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return {"log_weights": log_weights, "means": means, "log_stds": log_stds, "k": num_components}


def mdn_loss(params, x, y, num_components=3):
    heads = mixture_heads(mlp(params, x), num_components)
    z = (y[:, None] - heads["means"]) / np.exp(heads["log_stds"])
    log_probs = heads["log_weights"] - 0.5 * z ** 2 - heads["log_stds"] - 0.5 * np.log(2 * np.pi)
    m = np.max(log_probs, axis=1, keepdims=True)
    return -np.mean(m[:, 0] + np.log(np.sum(np.exp(log_probs - m), axis=1)))
