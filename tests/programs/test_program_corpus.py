"""srcgrad on the corpus of realistic programs in this directory (see harness.py): autograd against finite
differences as the reference, then srcgrad's reverse and forward mode against both."""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import harness
import numpy as np
import pytest

import srcgrad

autograd = pytest.importorskip("autograd")
pytest.importorskip("scipy")


@dataclass(frozen=True)
class Blocker:
    """Why srcgrad cannot differentiate a program today: the construct, the error class srcgrad raises and
    a fragment of the first line of its message (checked, so the expected failure is this one)."""

    construct: str
    error: type
    message: str

    @property
    def reason(self) -> str:
        return f"{self.construct}: {self.error.__name__} '{self.message}'"


@dataclass(frozen=True)
class Case:
    program: str                      # module prog_*.py
    function: str                     # the differentiated function, called as function(params, *data)
    make_args: Callable[[np.random.Generator], tuple]
    reverse: Blocker | None = None    # srcgrad.value_and_grad refuses the program
    forward: Blocker | None = None    # srcgrad.jvp refuses the program
    seed: int = 0


def _normal(rng, *shape, scale=1.0):
    return scale * rng.standard_normal(shape)


def _one_hot(indices, depth):
    return np.eye(depth)[indices]


# --- example arguments, one function per program -------------------------------------------------------------

def _vae_args(rng):
    def layers(sizes):
        return [(_normal(rng, m, n, scale=0.5), _normal(rng, n, scale=0.1)) for m, n in itertools.pairwise(sizes)]

    encoder, decoder = layers([4, 3, 4]), layers([2, 3, 4])
    data = (rng.random((5, 4)) > 0.5).astype(np.float64)
    return (encoder, decoder), data


def _bnn_args(rng):
    num_weights = (1 * 6 + 6) + (6 * 1 + 1)
    var_params = {"mean": _normal(rng, num_weights, scale=0.5), "log_std": -1.0 + _normal(rng, num_weights, scale=0.1)}
    inputs = np.linspace(-1.0, 1.0, 5)[:, None]
    targets = np.sin(2.0 * inputs) + _normal(rng, 5, 1, scale=0.05)
    return var_params, inputs, targets


def _gp_args(rng):
    x = _normal(rng, 6, 2)
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] + _normal(rng, 6, scale=0.1)
    params = np.array([0.1, np.log(0.1), 0.0, np.log(1.2), np.log(0.8)])
    return params, x, y


def _hmm_args(rng):
    params = {"log_pi": _normal(rng, 3), "log_A": _normal(rng, 3, 3), "log_B": _normal(rng, 3, 4)}
    observations = rng.integers(0, 4, size=6)
    return params, observations


def _lstm_args(rng):
    vocab, hidden = 3, 3
    gate = (vocab + hidden + 1, hidden)
    params = {"init_hiddens": _normal(rng, 1, hidden, scale=0.1), "init_cells": _normal(rng, 1, hidden, scale=0.1),
              "change": _normal(rng, *gate, scale=0.5), "forget": _normal(rng, *gate, scale=0.5),
              "ingate": _normal(rng, *gate, scale=0.5), "outgate": _normal(rng, *gate, scale=0.5),
              "predict": _normal(rng, hidden + 1, vocab, scale=0.5)}
    inputs = _one_hot(rng.integers(0, vocab, size=(4, 2)), vocab)
    return params, inputs


def _gru_args(rng):
    n_in, hidden = 2, 3
    params = tuple(_normal(rng, n_in + hidden + 1, hidden, scale=0.5) for _ in range(3)) + (
        _normal(rng, hidden + 1, 1, scale=0.5),)
    inputs = _normal(rng, 4, 2, n_in)
    targets = _normal(rng, 4, 2, 1)
    return params, inputs, targets


def _rnn_args(rng):
    vocab, hidden = 3, 4
    params = {"W_xh": _normal(rng, vocab, hidden, scale=0.5), "W_hh": _normal(rng, hidden, hidden, scale=0.5),
              "b_h": _normal(rng, hidden, scale=0.1), "W_hy": _normal(rng, hidden, vocab, scale=0.5),
              "b_y": _normal(rng, vocab, scale=0.1), "h0": _normal(rng, hidden, scale=0.1)}
    inputs = _one_hot(rng.integers(0, vocab, size=(5, 2)), vocab)
    return params, inputs


def _ode_args(rng):
    log_rates = np.log(np.array([1.0, 0.5, 1.0, 0.5])) + _normal(rng, 4, scale=0.05)
    y0 = np.array([1.0, 0.8])
    observed = np.abs(np.array([1.0, 0.8]) + _normal(rng, 6, 2, scale=0.1))
    return log_rates, y0, observed


def _ica_args(rng):
    W = np.eye(3) + _normal(rng, 3, 3, scale=0.3)
    X = rng.standard_t(3.0, size=(10, 3)) @ _normal(rng, 3, 3)
    return W, X


def _gmm_args(rng):
    params = {"log_proportions": _normal(rng, 2, scale=0.3), "means": _normal(rng, 2, 2),
              "lower_tris": np.eye(2) + _normal(rng, 2, 2, 2, scale=0.2)}
    data = _normal(rng, 6, 2)
    return params, data


def _logreg_args(rng):
    inputs = _normal(rng, 8, 3)
    targets = (rng.random(8) > 0.5).astype(np.float64)
    return _normal(rng, 4, scale=0.5), inputs, targets


def _softmax_args(rng):
    params = (_normal(rng, 3, 4, scale=0.5), _normal(rng, 4, scale=0.1))
    return params, _normal(rng, 6, 3), rng.integers(0, 4, size=6)


def _mlp_args(rng):
    params = [(_normal(rng, 3, 4, scale=0.6), _normal(rng, 4, scale=0.2)),
              (_normal(rng, 4, 3, scale=0.6), _normal(rng, 3, scale=0.2))]
    return params, _normal(rng, 5, 3), _one_hot(rng.integers(0, 3, size=5), 3)


def _cnn_args(rng):
    params = {"filters": _normal(rng, 2, 2, 3, scale=0.5), "conv_bias": _normal(rng, 3, scale=0.1),
              "W_out": _normal(rng, 3), "b_out": np.array(0.1)}
    return params, _normal(rng, 3, 4, 4), _normal(rng, 3)


def _heat_args(rng):
    return (-1.0, _normal(rng, 5, 5)), _normal(rng, 5, 5, scale=0.3)


def _black_scholes_args(rng):
    params = {"level": np.array(np.log(0.2)), "skew": np.array(-0.1), "curvature": np.array(0.3)}
    strikes = np.array([80.0, 90.0, 100.0, 110.0, 120.0])
    maturities = np.array([0.5, 1.0, 0.5, 1.0, 2.0])
    market_prices = np.array([21.5, 13.0, 6.0, 4.5, 5.0]) + _normal(rng, 5, scale=0.1)
    return params, strikes, maturities, market_prices


def _rosenbrock_args(rng):
    return (_normal(rng, 5, scale=0.5),)


def _soft_kmeans_args(rng):
    return _normal(rng, 3, 2), _normal(rng, 8, 2)


def _mdn_args(rng):
    params = {"W1": _normal(rng, 1, 5), "b1": _normal(rng, 5, scale=0.1), "W2": _normal(rng, 5, 9, scale=0.4),
              "b2": _normal(rng, 9, scale=0.1)}
    x = np.linspace(-1.0, 1.0, 6)[:, None]
    return params, x, np.sin(3.0 * x[:, 0]) + _normal(rng, 6, scale=0.1)


def _planar_flow_args(rng):
    layers = [{"u": _normal(rng, 2, scale=0.5), "w": _normal(rng, 2, scale=0.5), "b": np.array(0.1 * (i + 1))}
              for i in range(2)]
    return (layers,)


def _neural_ode_args(rng):
    params = {"W1": _normal(rng, 2, 4, scale=0.5), "wt": _normal(rng, 4, scale=0.5), "b1": _normal(rng, 4, scale=0.1),
              "W2": _normal(rng, 4, 2, scale=0.5), "b2": _normal(rng, 2, scale=0.1)}
    return params, _normal(rng, 3, 2), _normal(rng, 3, 2)


def _module_objects_args(rng):
    params = {"W1": _normal(rng, 3, 4, scale=0.5), "b1": _normal(rng, 4, scale=0.1),
              "W2": _normal(rng, 4, 2, scale=0.5), "b2": _normal(rng, 2, scale=0.1)}
    return params, _normal(rng, 5, 3), _normal(rng, 5, 2)


def _oscillator_args(rng):
    times = np.linspace(0.0, 2.0, 9)
    observed = np.cos(1.3 * times) * np.exp(-0.2 * times) + _normal(rng, 9, scale=0.05)
    log_params = np.array([np.log(1.5), np.log(0.3), 0.3]) + _normal(rng, 3, scale=0.05)
    return log_params, np.array([1.0, 0.0]), observed, times


def _matfact_args(rng):
    params = {"U": _normal(rng, 4, 2, scale=0.5), "V": _normal(rng, 5, 2, scale=0.5),
              "user_bias": _normal(rng, 4, scale=0.1), "item_bias": _normal(rng, 5, scale=0.1)}
    ratings = rng.integers(1, 6, size=(4, 5)).astype(np.float64)
    observed = (rng.random((4, 5)) > 0.3).astype(np.float64)
    return params, ratings, observed


def _poisson_args(rng):
    stimulus = _normal(rng, 12)
    counts = rng.poisson(2.0, size=12).astype(np.float64)
    return (_normal(rng, 3, scale=0.3), 0.2), stimulus, counts


def _student_t_args(rng):
    params = {"coef": _normal(rng, 2), "log_nu": np.array(1.0), "log_scale": np.array(-0.5)}
    X = _normal(rng, 8, 2)
    y = X @ np.array([1.0, -2.0]) + 0.3 * rng.standard_t(2.0, size=8)
    return params, X, y


def _sinusoid_args(rng):
    t = np.linspace(0.0, 2.0, 10)
    y = 1.5 * np.sin(2 * np.pi * 0.7 * t + 0.2) + _normal(rng, 10, scale=0.1)
    return (1.2, 0.8, 0.3), t, y


def _pendulum_args(rng):
    observed = 2.0 * np.exp(-0.1 * np.arange(1, 9)) * (1.0 + _normal(rng, 8, scale=0.01))
    return np.array([1.0, 0.2]), 0.5, 0.0, observed


def _attention_args(rng):
    params = {name: _normal(rng, 4, 4, scale=0.5) for name in ("Wq", "Wk", "Wv", "Wo")}
    return params, _normal(rng, 3, 4), _normal(rng, 3, 4)


def _layernorm_args(rng):
    params = {"gain": 1.0 + _normal(rng, 4, scale=0.1), "bias": _normal(rng, 4, scale=0.1),
              "W_in": _normal(rng, 4, 6, scale=0.5), "b_in": _normal(rng, 6, scale=0.1),
              "W_out": _normal(rng, 6, 4, scale=0.5)}
    return params, _normal(rng, 3, 4), _normal(rng, 3, 4)


def _kalman_args(rng):
    params = {"A": 0.9 * np.eye(2) + _normal(rng, 2, 2, scale=0.1), "log_q": np.array(-1.0),
              "log_r": np.array(-0.5)}
    return params, _normal(rng, 5, 1), np.array([[1.0, 0.5]])


def _ridge_args(rng):
    hyper = {"log_scales": _normal(rng, 3, scale=0.2), "log_penalty": np.array(0.0)}
    w = np.array([1.0, -1.0, 0.5])
    X_train, X_val = _normal(rng, 8, 3), _normal(rng, 5, 3)
    return hyper, X_train, X_train @ w + _normal(rng, 8, scale=0.2), X_val, X_val @ w + _normal(rng, 5, scale=0.2)


def _deconvolution_args(rng):
    kernel = np.array([0.25, 0.5, 0.25])
    truth = np.repeat(np.array([0.0, 1.0, 0.5, 0.0]), 2)
    observed = np.convolve(truth, kernel, mode="same") + _normal(rng, 8, scale=0.05)  # the same blur
    return truth + _normal(rng, 8, scale=0.1), observed, kernel


def _unrolled_sgd_args(rng):
    meta = {"log_lr": np.array(-1.0), "w0": _normal(rng, 3, scale=0.1), "b0": np.array(0.0)}
    w = np.array([1.0, -1.0, 0.5])
    X_train, X_val = _normal(rng, 8, 3), _normal(rng, 5, 3)
    return meta, X_train, X_train @ w + 0.3, X_val, X_val @ w + 0.3


def _tree_rnn_args(rng):
    params = {"embeddings": _normal(rng, 5, 3, scale=0.5), "W_compose": _normal(rng, 6, 3, scale=0.5),
              "b_compose": _normal(rng, 3, scale=0.1), "w_score": _normal(rng, 3)}
    trees = [((0, 1), 2), (3, (4, (0, 2))), 1]
    return params, trees, np.array([0.5, -0.3, 0.1])


def _stick_breaking_args(rng):
    params = {"fraction_logits": _normal(rng, 4, scale=0.5), "means": np.array([-2.0, 0.0, 2.0, 4.0]),
              "log_stds": _normal(rng, 4, scale=0.2)}
    return params, np.concatenate([_normal(rng, 5) - 2.0, _normal(rng, 5) + 2.0])


def _mlp_fstring_args(rng):
    sizes = [2, 5, 4, 1]
    params = {}
    for i, (m, n) in enumerate(itertools.pairwise(sizes)):
        params[f"W{i}"] = _normal(rng, m, n, scale=0.7)
        params[f"b{i}"] = _normal(rng, n, scale=0.1)
    x = _normal(rng, 7, 2)
    return params, x, 2.0 * x[:, 0] - x[:, 1] ** 2


def _policy_gradient_args(rng):
    states = _normal(rng, 6, 3)
    actions = rng.integers(0, 2, size=6)
    rewards = [float(r) for r in rng.random(6)]
    return _normal(rng, 3, 2, scale=0.5), states, actions, rewards


def _fixed_point_args(rng):
    W = _normal(rng, 3, 3, scale=0.25)
    params = (W, _normal(rng, 3, 2, scale=0.5), _normal(rng, 3, scale=0.1), _normal(rng, 3))
    return params, _normal(rng, 4, 2), _normal(rng, 4)


def _trimmed_args(rng):
    X = _normal(rng, 8, 2)
    y = X @ np.array([1.0, -1.0]) + _normal(rng, 8, scale=0.3)
    return (_normal(rng, 2), _normal(rng, 2)), X, y


def _svm_args(rng):
    X = _normal(rng, 10, 2)
    y = np.sign(X[:, 0] + 0.5 * X[:, 1] + 0.1)
    return np.array([0.8, 0.3, 0.05]), X, y


def _flat_params_args(rng):
    size = 3 * 5 + 5 + 5 * 2 + 2
    return _normal(rng, size, scale=0.5), _normal(rng, 6, 3), (rng.random(6) > 0.5).astype(np.float64)


def _activation_list_args(rng):
    layers = [(_normal(rng, 2, 4, scale=0.6), _normal(rng, 4, scale=0.1)),
              (_normal(rng, 4, 3, scale=0.6), _normal(rng, 3, scale=0.1)),
              (_normal(rng, 3, 1, scale=0.6), _normal(rng, 1, scale=0.1))]
    return layers, _normal(rng, 5, 2), _normal(rng, 5, 1)


def _class_layers_args(rng):
    params = ((_normal(rng, 3, 4, scale=0.6), _normal(rng, 4, scale=0.1)),
              (_normal(rng, 4, 4, scale=0.6), _normal(rng, 4, scale=0.1)),
              (_normal(rng, 4, 3, scale=0.6), _normal(rng, 3, scale=0.1)))
    soft = rng.random((5, 3))
    return params, _normal(rng, 5, 3), soft / soft.sum(axis=1, keepdims=True)


def _latest_session_args(rng):
    params = {"W_embed": _normal(rng, 3, 4, scale=0.5), "b_embed": _normal(rng, 4, scale=0.1),
              "item_factors": _normal(rng, 5, 4, scale=0.5)}
    return params, _normal(rng, 7, 3), np.array([2, 0, 2, 1, 0, 2, 1]), np.array([1, 3, 4])


def _fourier_args(rng):
    x = np.linspace(-2.0, 2.0, 9)
    return _normal(rng, 3), x, np.cos(x) - 0.5 * np.cos(3 * x) + _normal(rng, 9, scale=0.1)


def _multi_horizon_args(rng):
    series = np.sin(0.6 * np.arange(14)) + _normal(rng, 14, scale=0.1)
    return {"ar": _normal(rng, 3, scale=0.3), "bias": np.array(0.05)}, series


def _rnn_history_args(rng):
    params = {"W_x": _normal(rng, 2, 3, scale=0.5), "W_h": _normal(rng, 3, 3, scale=0.5),
              "b": _normal(rng, 3, scale=0.1), "w_out": _normal(rng, 3)}
    return params, _normal(rng, 4, 2, 2), _normal(rng, 4, 2)


def _weight_norm_args(rng):
    params = {"v1": _normal(rng, 3, 4), "g1": 1.0 + _normal(rng, 4, scale=0.1),
              "v2": _normal(rng, 4, 2), "g2": 1.0 + _normal(rng, 2, scale=0.1)}
    return params, _normal(rng, 5, 3), _normal(rng, 5, 2)


def _attention_entropy_args(rng):
    params = {name: _normal(rng, 3, 3, scale=0.6) for name in ("Wq", "Wk", "Wv")}
    return params, _normal(rng, 4, 3), _normal(rng, 4, 3)


def _decoder_emit_args(rng):
    params = {"W_init": _normal(rng, 2, 3, scale=0.5), "W_h": _normal(rng, 3, 3, scale=0.5),
              "W_in": _normal(rng, 4, 3, scale=0.5), "W_out": _normal(rng, 3, 4, scale=0.5)}
    return params, _normal(rng, 2), np.array([1, 3, 0, 2])


# --- the corpus -------------------------------------------------------------------------------------------------

# Refusals shared by several programs.
STAR_ARGS = "star-arguments are supported for a *args parameter, a tuple or list parameter, or a tuple display"
WRITES_CALLERS = "this function writes into its argument {!r}, which belongs to the calling function"
LOOP_CLOSURE = ("the nested function {!r} is used as a value while it reads {}, which the enclosing function binds "
                "more than once")


def _both(construct: str, error: type, message: str) -> dict[str, Blocker]:
    """The same refusal in reverse and in forward mode (srcgrad refuses the construct before either runs)."""
    blocker = Blocker(construct, error, message)
    return {"reverse": blocker, "forward": blocker}


CASES = [
    Case("prog_vae", "negative_elbo", _vae_args),
    Case("prog_bnn", "variational_objective", _bnn_args),
    Case("prog_gp", "negative_log_marginal_likelihood", _gp_args),
    Case("prog_hmm", "hmm_negative_log_likelihood", _hmm_args),
    Case("prog_lstm", "lstm_log_likelihood", _lstm_args),
    Case("prog_gru", "gru_loss", _gru_args),
    Case("prog_rnn_char", "rnn_negative_log_likelihood", _rnn_args),
    Case("prog_ode_rk4", "trajectory_loss", _ode_args),
    Case("prog_ica", "ica_negative_log_likelihood", _ica_args),
    Case("prog_gmm", "gmm_negative_log_likelihood", _gmm_args),
    Case("prog_logreg", "training_loss", _logreg_args),
    Case("prog_softmax_reg", "softmax_regression_loss", _softmax_args),
    Case("prog_mlp", "log_posterior", _mlp_args),
    Case("prog_patch_cnn", "cnn_loss", _cnn_args),
    Case("prog_heat", "heat_loss", _heat_args),
    Case("prog_black_scholes", "smile_loss", _black_scholes_args),
    Case("prog_rosenbrock", "test_objective", _rosenbrock_args),
    Case("prog_soft_kmeans", "soft_kmeans_objective", _soft_kmeans_args),
    Case("prog_mdn", "mdn_loss", _mdn_args),
    Case("prog_planar_flow", "flow_kl", _planar_flow_args),
    Case("prog_neural_ode", "neural_ode_loss", _neural_ode_args),
    Case("prog_matfact", "factorization_loss", _matfact_args),
    Case("prog_module_objects", "module_loss", _module_objects_args),
    Case("prog_damped_oscillator", "oscillator_loss", _oscillator_args),
    Case("prog_poisson_glm", "poisson_glm_nll", _poisson_args),
    Case("prog_student_t", "robust_regression_nll", _student_t_args),
    Case("prog_sinusoid", "sinusoid_loss", _sinusoid_args),
    Case("prog_pendulum", "energy_decay_loss", _pendulum_args),
    Case("prog_attention", "attention_loss", _attention_args),
    Case("prog_layernorm", "block_loss", _layernorm_args),
    Case("prog_kalman", "kalman_negative_log_likelihood", _kalman_args),
    Case("prog_ridge_cv", "validation_loss", _ridge_args),
    Case("prog_deconvolution", "deconvolution_objective", _deconvolution_args),
    Case("prog_unrolled_sgd", "unrolled_validation_loss", _unrolled_sgd_args),
    Case("prog_tree_rnn", "sentiment_loss", _tree_rnn_args),
    Case("prog_stick_breaking", "dp_mixture_nll", _stick_breaking_args),
    Case("prog_mlp_fstring", "huber_regression_loss", _mlp_fstring_args),
    Case("prog_policy_gradient", "reinforce_loss", _policy_gradient_args),
    Case("prog_fixed_point", "equilibrium_loss", _fixed_point_args),
    Case("prog_trimmed_loss", "robust_objective", _trimmed_args),
    Case("prog_svm_hinge", "svm_objective", _svm_args),
    Case("prog_flat_params", "flat_loss", _flat_params_args),
    Case("prog_activation_list", "mixed_activation_loss", _activation_list_args),
    Case("prog_class_layers", "soft_cross_entropy", _class_layers_args),
    Case("prog_latest_session", "next_item_loss", _latest_session_args),
    Case("prog_fourier_features", "series_loss", _fourier_args,
         **_both("closures created in a loop (def term reading the loop variable k), collected in a list and "
                 "called after the loop: Python reads k when they run, a value srcgrad cannot follow",
                 srcgrad.SrcgradSyntaxError, LOOP_CLOSURE.format("term", "k"))),
    Case("prog_multi_horizon", "multi_horizon_loss", _multi_horizon_args,
         **_both("closures created in a loop (def horizon_loss reading the loop variable h), collected in a list "
                 "and called after the loop: Python reads h when they run, a value srcgrad cannot follow",
                 srcgrad.SrcgradSyntaxError, LOOP_CLOSURE.format("horizon_loss", "h"))),
    Case("prog_rnn_history", "history_loss", _rnn_history_args,
         **_both("a helper appending to a list the caller passes it, history.append(h) in rnn_step: srcgrad "
                 "turns the write into a new value, which the caller's list would not see",
                 srcgrad.SrcgradSyntaxError, WRITES_CALLERS.format("history"))),
    Case("prog_weight_norm", "weight_norm_loss", _weight_norm_args,
         **_both("a helper writing a new key into a dict the caller passes it, layer['W'] = ... in "
                 "apply_weight_norm: srcgrad turns the write into a new value, which the caller's dict would not "
                 "see", srcgrad.SrcgradSyntaxError, WRITES_CALLERS.format("layer"))),
    Case("prog_attention_entropy", "regularised_loss", _attention_entropy_args,
         **_both("a method appending to a list attribute of an object made in the function, "
                 "self.maps.append(weights): an in-place method on an attribute has no rule",
                 srcgrad.MissingRuleError, "no derivative rule for the method 'maps.append'")),
    Case("prog_decoder_emit", "decoder_nll", _decoder_emit_args,
         **_both("a nested function appending to a list of the enclosing function, emit(h) -> "
                 "step_log_probs.append(...): the closure gets the list as an argument, and srcgrad refuses a "
                 "write into a list that belongs to the caller", srcgrad.SrcgradSyntaxError,
                 WRITES_CALLERS.format("step_log_probs"))),
]

_BY_NAME = {case.program: case for case in CASES}


def _params(marks_of: Callable[[Case], Blocker | None]) -> list:
    out = []
    for case in CASES:
        blocker = marks_of(case)
        marks = [pytest.mark.xfail(strict=True, raises=blocker.error, reason=blocker.reason)] if blocker else []
        out.append(pytest.param(case.program, id=case.program, marks=marks))
    return out


# --- shared, cached computations -------------------------------------------------------------------------------

@functools.cache
def _args(program: str) -> tuple:
    case = _BY_NAME[program]
    return case.make_args(np.random.default_rng(case.seed))


def _fresh_args(program: str) -> tuple:
    """A private copy of the example arguments (so no test can see another's modifications)."""
    args = _args(program)
    return tuple(harness.rebuild(a, [np.array(x, copy=True) if isinstance(x, np.ndarray) else x
                                     for x in harness.leaves(a)]) for a in args)


def _numpy_fn(program: str) -> Callable:
    return getattr(harness.load_numpy_variant(program), _BY_NAME[program].function)


@functools.cache
def _finite_differences(program: str) -> Any:
    params, *rest = _fresh_args(program)
    return harness.finite_difference_gradient(_numpy_fn(program), params, tuple(rest))


@functools.cache
def _autograd_value_and_grad(program: str) -> tuple[float, Any]:
    fn = getattr(harness.load_autograd_variant(program), _BY_NAME[program].function)
    args = _fresh_args(program)
    return autograd.value_and_grad(fn)(*args)


def _expect_refusal(blocker: Blocker | None, call: Callable) -> Any:
    """Run srcgrad; where the case expects it to fail, check that it fails the expected way before
    re-raising (another error is a test failure, not an expected one: the reason must be updated)."""
    try:
        return call()
    except Exception as error:
        if blocker is not None:
            first_line = str(error).splitlines()[0] if str(error) else ""
            if not (isinstance(error, blocker.error) and blocker.message in first_line):
                raise AssertionError(f"expected {blocker.error.__name__} containing {blocker.message!r}, "
                                     f"got {type(error).__name__}: {first_line}") from error
        raise


# --- the tests -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("program", [case.program for case in CASES])
def test_autograd_matches_finite_differences(program):
    """The reference: autograd's gradient of the same source agrees with finite differences, and its value
    with NumPy's."""
    params, *rest = _fresh_args(program)
    value, grad = _autograd_value_and_grad(program)
    harness.assert_scalars_close(value, _numpy_fn(program)(params, *rest), 1e-12, 1e-12, "autograd value")
    harness.assert_same_structure(grad, params)
    harness.assert_trees_close(grad, _finite_differences(program), harness.FD_RTOL, harness.FD_ATOL,
                               "autograd vs finite differences")


@pytest.mark.parametrize("program", _params(lambda case: case.reverse))
def test_reverse_mode(program):
    """srcgrad.value_and_grad: the value, the gradient's structure, shapes and dtypes, and its entries against
    finite differences and against autograd."""
    case = _BY_NAME[program]
    fn = _numpy_fn(program)
    args = _fresh_args(program)
    value, grad = _expect_refusal(case.reverse, lambda: srcgrad.value_and_grad(fn)(*args))
    expected_value = fn(*_fresh_args(program))
    harness.assert_scalars_close(value, expected_value, 1e-12, 1e-12, "srcgrad value")
    harness.assert_same_structure(grad, args[0])
    harness.assert_trees_close(grad, _finite_differences(program), harness.FD_RTOL, harness.FD_ATOL,
                               "srcgrad vs finite differences")
    harness.assert_trees_close(grad, _autograd_value_and_grad(program)[1], harness.EXACT_RTOL, harness.EXACT_ATOL,
                               "srcgrad vs autograd")
    # srcgrad never modifies its inputs
    for before, after in zip(harness.leaves(_fresh_args(program)), harness.leaves(args)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("program", _params(lambda case: case.forward))
def test_forward_mode(program):
    """srcgrad.jvp along a random direction in the parameters (float data held fixed by zero tangents, integer
    data such as labels and token ids by None tangents) against the gradient dotted with that direction. The
    gradient is autograd's, which the first test checks against finite differences, so a forward-mode failure
    is never a reverse-mode bug seen twice."""
    case = _BY_NAME[program]
    fn = _numpy_fn(program)
    args = _fresh_args(program)
    direction = harness.random_tangent(args[0], np.random.default_rng(case.seed + 1))
    tangents = (direction,) + tuple(harness.zero_tangent(a) if harness.is_float_leafed(a) else None
                                    for a in args[1:])
    out, tangent_out = _expect_refusal(case.forward, lambda: srcgrad.jvp(fn, args, tangents))
    harness.assert_scalars_close(out, fn(*_fresh_args(program)), 1e-12, 1e-12, "jvp primal output")
    assert np.ndim(tangent_out) == 0, f"jvp tangent of a scalar function has shape {np.shape(tangent_out)}"
    assert np.asarray(tangent_out).dtype == np.float64, f"jvp tangent has dtype {np.asarray(tangent_out).dtype}"
    reference = _autograd_value_and_grad(program)[1]
    scale = max(1.0, harness.tree_abs_vdot(reference, direction))
    harness.assert_scalars_close(tangent_out, harness.tree_vdot(reference, direction), harness.EXACT_RTOL,
                                 harness.EXACT_ATOL * scale, "jvp vs gradient . direction")


@pytest.mark.parametrize("program", [case.program for case in CASES if case.reverse is None])
def test_numba_compiled_gradient_equals_the_uncompiled_one_or_warns(program):
    """``grad(f, compile="numba")`` on each program srcgrad differentiates: where Numba compiles the code,
    the same gradient to 1e-12; where it cannot (dicts, helper calls, SciPy), one ``CompileWarning`` and the
    uncompiled gradient."""
    pytest.importorskip("numba", reason="compile='numba' needs Numba: pip install 'srcgrad[numba]'")
    from srcgrad.numba_backend import CompileWarning

    fn = _numpy_fn(program)
    expected = srcgrad.grad(fn)(*_fresh_args(program))
    compiled = srcgrad.grad(fn, compile="numba")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CompileWarning)
        got = compiled(*_fresh_args(program))
    (entry,) = compiled.compiled.values()
    warned = [w for w in caught if issubclass(w.category, CompileWarning)]
    if entry.function is None:
        assert len(warned) == 1
        message = str(warned[0].message)
        assert f"{program}.py:" in message and "running the uncompiled gradient" in message
    else:
        assert not warned
    harness.assert_same_structure(got, expected)
    harness.assert_trees_close(got, expected, 1e-12, 1e-12, "numba-compiled vs uncompiled")
