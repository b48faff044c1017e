"""A two-layer network with weight normalisation: each layer is a small dict of direction v and gain g, and
a helper fills in the layer's effective weight matrix W = g * v / ||v|| in place before the forward pass."""

import numpy as np


def apply_weight_norm(layer):
    layer["W"] = layer["g"] * layer["v"] / np.sqrt(np.sum(layer["v"] ** 2, axis=0))


def weight_norm_loss(params, x, y):
    hidden_layer = {"v": params["v1"], "g": params["g1"]}
    output_layer = {"v": params["v2"], "g": params["g2"]}
    apply_weight_norm(hidden_layer)
    apply_weight_norm(output_layer)
    h = np.tanh(x @ hidden_layer["W"])
    return np.mean((h @ output_layer["W"] - y) ** 2)
