"""Hidden Markov model: the forward algorithm in log space with a hand-written logsumexp, parameters as
unnormalised log probabilities in a dict."""

import numpy as np


def logsumexp(a, axis=None, keepdims=False):
    a_max = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    if keepdims:
        return out
    if axis is None:
        return out.reshape(())
    return np.squeeze(out, axis=axis)


def normalize_log(log_weights, axis=-1):
    return log_weights - logsumexp(log_weights, axis=axis, keepdims=True)


def hmm_negative_log_likelihood(params, observations):
    log_pi = normalize_log(params["log_pi"])
    log_A = normalize_log(params["log_A"], axis=1)
    log_B = normalize_log(params["log_B"], axis=1)
    log_alpha = log_pi + log_B[:, observations[0]]
    for obs in observations[1:]:
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, obs]
    return -logsumexp(log_alpha)
