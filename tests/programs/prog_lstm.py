"""LSTM character model: gates computed by concat_and_multiply over the input and hidden state, the update
and the readout as nested functions reading the parameter dict, and the average log likelihood of one-hot
sequences."""

import numpy as np


def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def logsumexp_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))


def lstm_log_likelihood(params, inputs):
    def update_lstm(x, hiddens, cells):
        change = np.tanh(concat_and_multiply(params["change"], x, hiddens))
        forget = sigmoid(concat_and_multiply(params["forget"], x, hiddens))
        ingate = sigmoid(concat_and_multiply(params["ingate"], x, hiddens))
        outgate = sigmoid(concat_and_multiply(params["outgate"], x, hiddens))
        cells = cells * forget + ingate * change
        hiddens = outgate * np.tanh(cells)
        return hiddens, cells

    def hiddens_to_log_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp_rows(output)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init_hiddens"], num_sequences, axis=0)
    cells = np.repeat(params["init_cells"], num_sequences, axis=0)
    log_probs = [hiddens_to_log_probs(hiddens)]
    for x in inputs[:-1]:
        hiddens, cells = update_lstm(x, hiddens, cells)
        log_probs.append(hiddens_to_log_probs(hiddens))
    total = 0.0
    for t in range(inputs.shape[0]):
        total = total + np.sum(log_probs[t] * inputs[t])
    return -total / (inputs.shape[0] * num_sequences)
