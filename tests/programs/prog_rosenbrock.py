"""Optimisation test functions: the chained Rosenbrock function as the textbook sum over consecutive pairs,
plus a Rastrigin term, evaluated at one point."""

import numpy as np


def rosenbrock(x, a=1.0, b=100.0):
    return sum(b * (x[i + 1] - x[i] ** 2) ** 2 + (a - x[i]) ** 2 for i in range(len(x) - 1))


def rastrigin(x, amplitude=10.0):
    return amplitude * len(x) + np.sum(x ** 2 - amplitude * np.cos(2 * np.pi * x))


def test_objective(x):
    return rosenbrock(x) + 0.1 * rastrigin(x)
