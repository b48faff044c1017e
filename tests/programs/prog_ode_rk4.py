"""Lotka-Volterra parameter fitting: a fixed-step RK4 integrator that takes the vector field as an argument,
the field bound to the parameters with functools.partial, and the squared error against observed
populations at every step."""

from functools import partial

import numpy as np


def lotka_volterra(state, t, rates):
    prey, predator = state[0], state[1]
    alpha, beta, gamma, delta = rates[0], rates[1], rates[2], rates[3]
    return np.array([alpha * prey - beta * prey * predator, delta * prey * predator - gamma * predator])


def rk4_step(f, y, t, dt):
    k1 = f(y, t)
    k2 = f(y + 0.5 * dt * k1, t + 0.5 * dt)
    k3 = f(y + 0.5 * dt * k2, t + 0.5 * dt)
    k4 = f(y + dt * k3, t + dt)
    return y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)


def trajectory_loss(log_rates, y0, observed, dt=0.1):
    field = partial(lotka_volterra, rates=np.exp(log_rates))
    y = y0
    loss = 0.0
    for step, target in enumerate(observed):
        y = rk4_step(field, y, step * dt, dt)
        loss = loss + np.sum((y - target) ** 2)
    return loss / len(observed)
