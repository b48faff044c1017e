"""Damped pendulum: leapfrog integration of the angle and angular velocity, the total energy at each step,
and a loss that matches the energy decay of an observed swing; length and damping are the parameters."""

import numpy as np

GRAVITY = 9.81


def energy(theta, omega, length, mass=1.0):
    kinetic = 0.5 * mass * (length * omega) ** 2
    potential = mass * GRAVITY * length * (1.0 - np.cos(theta))
    return kinetic + potential


def simulate_energies(params, theta0, omega0, num_steps, dt=0.05):
    length, damping = params[0], params[1]
    theta, omega = theta0, omega0
    energies = []
    for _ in range(num_steps):
        omega_half = omega + 0.5 * dt * (-GRAVITY / length * np.sin(theta) - damping * omega)
        theta = theta + dt * omega_half
        omega = omega_half + 0.5 * dt * (-GRAVITY / length * np.sin(theta) - damping * omega_half)
        energies.append(energy(theta, omega, length))
    return np.array(energies)


def energy_decay_loss(params, theta0, omega0, observed_energies):
    energies = simulate_energies(params, theta0, omega0, observed_energies.shape[0])
    return np.mean((np.log(energies) - np.log(observed_energies)) ** 2)
