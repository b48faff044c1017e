"""Train a small MLP on a synthetic two-moons data set with plain gradient descent.

The parameters live in a dict, the layers are methods of a small class, and srcgrad differentiates the
loss with respect to the whole dict. Run: python examples/mlp_two_moons.py
"""

from __future__ import annotations

import numpy as np

import srcgrad


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in the plane, labels 0 and 1."""
    angles = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    lower = np.stack([1.0 - np.cos(angles), 0.5 - np.sin(angles)], axis=1)
    labels = rng.integers(0, 2, size=n)
    points = np.where(labels[:, None] == 0, upper, lower) + rng.normal(scale=noise, size=(n, 2))
    return points, labels


class MLP:
    """tanh hidden layers and a logistic output; the parameters are passed in, not stored."""

    def dense(self, params, name, x):
        return x @ params[name]["W"] + params[name]["b"]

    def forward(self, params, x):
        h = np.tanh(self.dense(params, "hidden1", x))
        h = np.tanh(self.dense(params, "hidden2", h))
        return self.dense(params, "out", h)[:, 0]


model = MLP()


def loss(params, x, y):
    """Mean binary cross-entropy, written stably with logaddexp."""
    logits = model.forward(params, x)
    return np.mean(np.logaddexp(0.0, logits) - y * logits)


def init_params(rng: np.random.Generator, width: int = 16) -> dict:
    def layer(n_in, n_out):
        return {"W": rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), "b": np.zeros(n_out)}

    return {"hidden1": layer(2, width), "hidden2": layer(width, width), "out": layer(width, 1)}


def train(steps: int = 200, learning_rate: float = 0.5, seed: int = 0) -> tuple[dict, list[float], float]:
    """Gradient descent; returns the parameters, the loss curve and the final training accuracy."""
    rng = np.random.default_rng(seed)
    x, y = two_moons(256, 0.1, rng)
    params = init_params(rng)
    value_and_grad = srcgrad.value_and_grad(loss)
    losses = []
    for _ in range(steps):
        value, grads = value_and_grad(params, x, y.astype(float))
        losses.append(float(value))
        params = {name: {k: layer[k] - learning_rate * grads[name][k] for k in layer}
                  for name, layer in params.items()}
    accuracy = float(np.mean((model.forward(params, x) > 0) == (y == 1)))
    return params, losses, accuracy


if __name__ == "__main__":
    _, curve, acc = train()
    print(f"loss: {curve[0]:.4f} -> {curve[-1]:.4f} after {len(curve)} steps; training accuracy {acc:.3f}")
