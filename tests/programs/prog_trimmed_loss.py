"""Robust regression with a least-trimmed-squares objective (the smallest squared residuals kept after
np.sort) plus a pinball (quantile) loss for an upper quantile written with np.maximum."""

import numpy as np


def trimmed_squares(residuals, keep_fraction=0.75):
    keep = int(keep_fraction * residuals.shape[0])
    return np.mean(np.sort(residuals ** 2)[:keep])


def pinball(residuals, quantile):
    return np.mean(np.maximum(quantile * residuals, (quantile - 1.0) * residuals))


def robust_objective(params, X, y, quantile=0.9):
    coef, upper_coef = params[0], params[1]
    median_fit = trimmed_squares(y - X @ coef)
    upper_fit = pinball(y - X @ upper_coef, quantile)
    return median_fit + upper_fit
