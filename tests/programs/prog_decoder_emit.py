"""A greedy-free sequence decoder trained by teacher forcing: the step loop hands each hidden state to a
nested emit() function that appends the step's log-probabilities to the enclosing list; the loss is the
negative log likelihood of the target tokens."""

import numpy as np


def decoder_nll(params, context, targets):
    step_log_probs = []

    def emit(h):
        logits = h @ params["W_out"]
        step_log_probs.append(logits - np.log(np.sum(np.exp(logits))))

    h = np.tanh(context @ params["W_init"])
    previous = np.zeros(params["W_out"].shape[1])
    for token in targets:
        h = np.tanh(h @ params["W_h"] + previous @ params["W_in"])
        emit(h)
        previous = np.eye(params["W_out"].shape[1])[token]
    log_probs = np.stack(step_log_probs)
    return -np.sum(log_probs[np.arange(len(targets)), targets]) / len(targets)
