"""Neural ODE: a small time-conditioned MLP as the vector field, integrated with explicit Euler steps, the
field passed to the integrator as a lambda over the parameters; the loss compares the endpoint with
targets."""

import numpy as np


def mlp_field(params, y, t):
    h = np.tanh(y @ params["W1"] + t * params["wt"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def odeint_euler(func, y0, t0, t1, num_steps=8):
    dt = (t1 - t0) / num_steps
    y, t = y0, t0
    for _ in range(num_steps):
        y = y + dt * func(y, t)
        t = t + dt
    return y


def neural_ode_loss(params, y0, targets, t1=1.0):
    y1 = odeint_euler(lambda y, t: mlp_field(params, y, t), y0, 0.0, t1)
    return np.mean((y1 - targets) ** 2)
