"""Sinusoid fitting: amplitude, frequency and phase as a tuple of Python floats, the mean squared error
against noisy samples."""

import numpy as np


def sinusoid(t, amplitude, frequency, phase):
    return amplitude * np.sin(2 * np.pi * frequency * t + phase)


def sinusoid_loss(params, t, y):
    amplitude, frequency, phase = params
    return np.mean((sinusoid(t, amplitude, frequency, phase) - y) ** 2)
