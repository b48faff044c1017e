"""Functions with hand-written derivatives (``srcgrad.custom_vjp``) and stop_gradient helpers."""

import numpy as np

import srcgrad


@srcgrad.custom_vjp
def safe_log(v):
    return np.log(v)


def _safe_log_fwd(v):
    return np.log(v), v


def _safe_log_bwd(v, g):
    return (g / v,)


safe_log.defvjp(_safe_log_fwd, _safe_log_bwd)


@srcgrad.custom_vjp
def scaled_product(a, b):
    return a * b * 2.0


def _scaled_product_fwd(a, b):
    return a * b * 2.0, (a, b)


def _scaled_product_bwd(residuals, g):
    a, b = residuals
    return (g * b * 2.0, g * a * 2.0)


scaled_product.defvjp(_scaled_product_fwd, _scaled_product_bwd)


def log_of_softplus(v):
    return safe_log(np.log1p(np.exp(v)) + 0.5)


def detached_norm(v):
    """v scaled by its norm, where the norm is treated as a constant."""
    n = srcgrad.stop_gradient(np.sqrt(np.sum(v * v)))
    return v / n
