"""GRU sequence regressor: parameters as a tuple of weight matrices, gates built by concat_and_multiply over
*args, and the squared error summed over time steps with sum() of a generator over zip."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def gru_step(params, x, h):
    W_z, W_r, W_h, _ = params
    z = sigmoid(concat_and_multiply(W_z, x, h))
    r = sigmoid(concat_and_multiply(W_r, x, h))
    h_tilde = np.tanh(concat_and_multiply(W_h, x, r * h))
    return (1 - z) * h + z * h_tilde


def gru_loss(params, inputs, targets):
    W_out = params[3]
    h = np.zeros((inputs.shape[1], W_out.shape[0] - 1))
    predictions = []
    for x in inputs:
        h = gru_step(params, x, h)
        predictions.append(concat_and_multiply(W_out, h))
    return sum(np.mean((p - y) ** 2) for p, y in zip(predictions, targets)) / len(predictions)
