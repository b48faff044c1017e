"""A convolution-free CNN: image patches gathered by slicing and stacked, one einsum against the filter bank,
tanh, mean pooling and a linear readout; parameters in a dict, the weight penalty over .items()."""

import numpy as np


def extract_patches(images, size):
    n, height, width = images.shape
    rows = height - size + 1
    cols = width - size + 1
    patches = [[images[:, i:i + rows, j:j + cols] for j in range(size)] for i in range(size)]
    return np.stack([np.stack(row, axis=-1) for row in patches], axis=-2)


def conv_features(params, images):
    size = params["filters"].shape[0]
    patches = extract_patches(images, size)
    maps = np.tanh(np.einsum("nhwij,ijc->nhwc", patches, params["filters"]) + params["conv_bias"])
    return np.mean(maps, axis=(1, 2))


def cnn_loss(params, images, targets, weight_decay=1e-3):
    features = conv_features(params, images)
    predictions = features @ params["W_out"] + params["b_out"]
    penalty = sum([np.sum(value ** 2) for name, value in params.items() if name.startswith("W")])
    return np.mean((predictions - targets) ** 2) + weight_decay * penalty
