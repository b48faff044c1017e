"""Vanilla RNN character model: a parameter dict, one-hot inputs, log-softmax readout at every step and the
mean log likelihood accumulated in a plain loop with enumerate."""

import numpy as np


def log_softmax(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def rnn_step(params, x, hiddens):
    pre = np.dot(x, params["W_xh"]) + np.dot(hiddens, params["W_hh"]) + params["b_h"]
    return np.tanh(pre)


def readout(params, hiddens):
    return log_softmax(np.dot(hiddens, params["W_hy"]) + params["b_y"])


def rnn_negative_log_likelihood(params, inputs):
    num_steps, num_sequences, _ = inputs.shape
    hiddens = np.tile(params["h0"], (num_sequences, 1))
    log_lik = 0.0
    for t, x in enumerate(inputs):
        log_probs = readout(params, hiddens)
        log_lik += np.sum(log_probs * x)
        if t < num_steps - 1:
            hiddens = rnn_step(params, x, hiddens)
    return -log_lik / (num_steps * num_sequences)
