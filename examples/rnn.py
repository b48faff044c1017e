"""A vanilla (Elman) RNN that learns to predict the next value of a sine wave, trained with gradients that
srcgrad generates for a loop over time.

The loss walks the sequence with an ordinary ``for`` loop and overwrites the hidden state ``h`` at every
step. srcgrad's adjoint runs the loop backwards (backpropagation through time) and keeps, on a stack, only
the values its derivative rules read: the previous ``h`` for the matrix product and ``tanh``'s output. The
gradient is checked against finite differences with ``srcgrad.testing.check_grads`` before training.

Run: python examples/rnn.py   (python -m srcgrad show examples/rnn.py:loss shows the generated code)
"""

from __future__ import annotations

import numpy as np

import srcgrad
from srcgrad.testing import check_grads


def loss(params, xs):
    """Mean squared error of one-step-ahead predictions over a batch of sequences ``xs`` (time, batch)."""
    h = np.zeros((xs.shape[1], params["W_hh"].shape[0]))
    total = 0.0
    for t in range(xs.shape[0] - 1):
        h = np.tanh(xs[t][:, None] * params["w_xh"] + h @ params["W_hh"] + params["b_h"])
        prediction = h @ params["w_hy"] + params["b_y"]
        total = total + np.mean((prediction - xs[t + 1]) ** 2)
    return total / (xs.shape[0] - 1)


def sine_batch(rng: np.random.Generator, length: int = 24, batch: int = 16) -> np.ndarray:
    """Sine waves with random phases and frequencies, shape (length, batch)."""
    phase = rng.uniform(0.0, 2 * np.pi, size=batch)
    frequency = rng.uniform(0.2, 0.4, size=batch)
    t = np.arange(length)[:, None]
    return np.sin(frequency * t + phase)


def init_params(rng: np.random.Generator, hidden: int = 12) -> dict:
    return {"w_xh": rng.normal(scale=0.5, size=hidden), "W_hh": rng.normal(scale=0.3, size=(hidden, hidden)),
            "b_h": np.zeros(hidden), "w_hy": rng.normal(scale=0.3, size=hidden), "b_y": 0.0}


def train(steps: int = 300, learning_rate: float = 0.2, seed: int = 0) -> tuple[dict, list[float]]:
    """Gradient descent on fresh batches; returns the parameters and the loss at every step."""
    rng = np.random.default_rng(seed)
    params = init_params(rng)
    value_and_grad = srcgrad.value_and_grad(loss)
    losses = []
    for _ in range(steps):
        value, grads = value_and_grad(params, sine_batch(rng))
        losses.append(float(value))
        params = {name: params[name] - learning_rate * grads[name] for name in params}
    return params, losses


def main(steps: int = 300) -> list[float]:
    rng = np.random.default_rng(1)
    small = init_params(rng, hidden=3)
    summary = check_grads(loss, (small, sine_batch(rng, length=6, batch=2)))
    print(f"gradient check: {summary.checked} entries agree with finite differences")
    _, losses = train(steps)
    print(f"loss {losses[0]:.4f} -> {np.mean(losses[-20:]):.4f} (mean of the last 20 steps) in {steps} steps")
    return losses


if __name__ == "__main__":
    main()
