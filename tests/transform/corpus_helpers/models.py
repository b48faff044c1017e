"""Model-like classes: layers with parameters, callable models, a small class hierarchy."""

import numpy as np

from . import numerics
from .numerics import softplus

HIDDEN_SCALE = 0.5


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def __call__(self, x):
        return self.W @ x + self.b


class Dense(Linear):
    """A linear layer followed by an activation, reusing the parent's ``__call__`` through ``super()``."""

    def __call__(self, x):
        return np.tanh(super().__call__(x))


class Dense2(Linear):
    """The same, with the explicit two-argument ``super``."""

    def __call__(self, x):
        return np.tanh(super(Dense2, self).__call__(x))  # noqa: UP008


class Activation:
    def apply(self, v):
        return v


class Softplus(Activation):
    def apply(self, v):
        return softplus(v)


class ScaledTanh(Activation):
    def __init__(self, scale):
        self.scale = scale

    def apply(self, v):
        return np.tanh(v) * self.scale


class MLP:
    def __init__(self, layers, activation):
        self.layers = layers
        self.activation = activation

    def forward(self, x):
        h = x
        for layer in self.layers:
            h = self.activation.apply(layer(h))
        return h

    def __call__(self, x):
        return self.forward(x)

    def loss(self, x, target):
        return np.sum((self(x) - target) ** 2)


class Parametric:
    """A model whose parameters are passed in explicitly (a dict), the functional style."""

    def __init__(self, depth):
        self.depth = depth

    def predict(self, params, x):
        h = x
        for i in range(self.depth):
            h = np.tanh(params["W"] @ h + params["b"]) * HIDDEN_SCALE
        return h

    def loss(self, params, x):
        return np.sum(self.predict(params, x) ** 2) + numerics.EPS * np.sum(params["W"] ** 2)


def build_mlp(rng_seed):
    rng = np.random.default_rng(rng_seed)
    layers = [Dense(rng.normal(size=(4, 3)) * 0.5, rng.normal(size=4) * 0.1),
              Linear(rng.normal(size=(2, 4)) * 0.5, np.zeros(2))]
    return MLP(layers, ScaledTanh(1.2))
