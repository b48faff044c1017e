"""Self-attention with an attention-entropy regulariser: a small module object keeps the attention maps it
computes in a list attribute during the forward pass, and the loss reads them back afterwards."""

import numpy as np


class AttentionLayer:
    def __init__(self):
        self.maps = []

    def __call__(self, params, x):
        scores = (x @ params["Wq"]) @ (x @ params["Wk"]).T / np.sqrt(params["Wq"].shape[1])
        scores = scores - np.max(scores, axis=1, keepdims=True)
        weights = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        self.maps.append(weights)
        return weights @ (x @ params["Wv"])


def regularised_loss(params, x, target, entropy_weight=0.1):
    layer = AttentionLayer()
    h = layer(params, x)
    h = layer(params, np.tanh(h))
    entropy = 0.0
    for attention in layer.maps:
        entropy = entropy - np.sum(attention * np.log(attention))
    return np.mean((h - target) ** 2) + entropy_weight * entropy / len(layer.maps)
