"""Multi-head self-attention: query, key and value projections from a parameter dict, heads split by
reshape and transpose, softmax(QK^T / sqrt(d)) V, an output projection and a regression loss."""

import numpy as np


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def split_heads(x, num_heads):
    seq_len, d_model = x.shape
    return np.transpose(x.reshape((seq_len, num_heads, d_model // num_heads)), (1, 0, 2))


def self_attention(params, x, num_heads=2):
    q = split_heads(x @ params["Wq"], num_heads)
    k = split_heads(x @ params["Wk"], num_heads)
    v = split_heads(x @ params["Wv"], num_heads)
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(q.shape[-1])
    heads = softmax(scores) @ v
    merged = np.transpose(heads, (1, 0, 2)).reshape((x.shape[0], -1))
    return merged @ params["Wo"]


def attention_loss(params, x, target):
    return np.mean((self_attention(params, x) - target) ** 2)
