"""Fitting a damped oscillator's parameters to observed positions: the parameters travel as a frozen
dataclass made in the loss, the vector field is a method of an object holding them, bound with
functools.partial to a forcing amplitude and handed to a midpoint integrator written as a generic helper."""

import dataclasses
import functools

import numpy as np


@dataclasses.dataclass(frozen=True)
class Oscillator:
    stiffness: float
    damping: float

    def field(self, state, t, forcing=0.0):
        position, velocity = state[0], state[1]
        acceleration = -self.stiffness * position - self.damping * velocity + forcing * np.cos(t)
        return np.array([velocity, acceleration])


def midpoint(field, state, times):
    path = [state]
    for t0, t1 in zip(times[:-1], times[1:]):  # noqa: RUF007 (as the program was written)
        h = t1 - t0
        half = state + 0.5 * h * field(state, t0)
        state = state + h * field(half, t0 + 0.5 * h)
        path.append(state)
    return np.stack(path)


def oscillator_loss(log_params, initial, observed, times):
    oscillator = Oscillator(np.exp(log_params[0]), np.exp(log_params[1]))
    field = functools.partial(oscillator.field, forcing=log_params[2])
    path = midpoint(field, initial, times)
    return np.mean((path[:, 0] - observed) ** 2)
