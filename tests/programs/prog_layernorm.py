"""A pre-norm residual MLP block: layer normalisation with learned gain and bias, a GELU (tanh form)
feed-forward layer, a residual connection, and a squared error on the block's output."""

import numpy as np


def layer_norm(x, gain, bias, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gain * (x - mean) / np.sqrt(var + eps) + bias


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def residual_block(params, x):
    h = layer_norm(x, params["gain"], params["bias"])
    h = gelu(h @ params["W_in"] + params["b_in"])
    return x + h @ params["W_out"]


def block_loss(params, x, target):
    return np.mean((residual_block(params, x) - target) ** 2)
