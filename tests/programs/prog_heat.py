"""Heat diffusion on a periodic grid: an explicit five-point stencil built from np.roll, stepped in a loop;
the diffusivity and the initial temperature field are fitted to a target final field."""

import numpy as np


def laplacian(u):
    return np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0) + np.roll(u, 1, axis=1) + np.roll(u, -1, axis=1) - 4 * u


def simulate(u0, diffusivity, num_steps, dt=0.1):
    u = u0
    for _ in range(num_steps):
        u = u + dt * diffusivity * laplacian(u)
    return u


def heat_loss(params, target, num_steps=6):
    log_diffusivity, u0 = params
    final = simulate(u0, np.exp(log_diffusivity), num_steps)
    smoothness = np.mean(laplacian(u0) ** 2)
    return np.mean((final - target) ** 2) + 0.01 * smoothness
