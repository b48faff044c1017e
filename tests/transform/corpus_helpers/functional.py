"""Higher-order helpers: functions taking functions, factories returning closures."""

import numpy as np

from .numerics import scaled, softplus


def apply(f, v):
    return f(v)


def apply_twice(f, v):
    return f(f(v))


def compose_apply(f, g, v):
    return f(g(v))


def apply_n(f, v, n):
    h = v
    for i in range(n):
        h = f(h)
    return h


def map_list(f, items):
    return [f(item) for item in items]


def make_affine(a, b):
    def affine(v):
        return a * v + b
    return affine


def make_compose(f, g):
    def composed(v):
        return f(g(v))
    return composed


def make_damped(f, damping):
    def damped(v):
        return v + damping * (f(v) - v)
    return damped


def tanh_act(v):
    return np.tanh(v)


def softplus_act(v):
    return softplus(v)


def sine_act(v):
    return np.sin(v) * 2.0


ACTIVATIONS = {"tanh": tanh_act, "softplus": softplus_act, "sine": sine_act}


def get_activation(name):
    """A module-level function chosen by name (a registry lookup)."""
    if name == "tanh":
        return tanh_act
    if name == "softplus":
        return softplus_act
    return sine_act


def scaled_by_three(v):
    return scaled(v, 3.0)
