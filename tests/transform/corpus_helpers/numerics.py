"""Small numeric helpers of the kind a project keeps in a utilities module."""

import numpy as np

EPS = 1e-3
DECAY = 0.8
COEFFS = (0.5, -1.0, 0.25, 2.0, -0.3)


def softplus(v):
    return np.log1p(np.exp(v))


def smooth_abs(v, eps=EPS):
    return np.sqrt(v * v + eps)


def scaled(v, scale=2.0, shift=0.0):
    return v * scale + shift


def logsumexp(v):
    m = np.max(v)
    return m + np.log(np.sum(np.exp(v - m)))


def normalize(v):
    return v / np.sqrt(np.sum(v * v) + EPS)


def horner(coeffs, t):
    """Horner's rule, recursively: coeffs[0] + t * (coeffs[1] + t * (...))."""
    if len(coeffs) == 1:
        return coeffs[0]
    return coeffs[0] + t * horner(coeffs[1:], t)


def power(t, n):
    """t ** n by recursive squaring."""
    if n == 0:
        return t * 0.0 + 1.0
    if n % 2 == 0:
        half = power(t, n // 2)
        return half * half
    return t * power(t, n - 1)


def discounted_sum(v, decay=DECAY):
    total = 0.0
    weight = 1.0
    for item in v:
        total = total + weight * item
        weight = weight * decay
    return total


def fixed_point_sqrt(a):
    """Newton's iteration for sqrt(a), stopping when converged (a while loop with break)."""
    y = a
    k = 0
    while True:
        y = 0.5 * (y + a / y)
        k += 1
        if k >= 30 or np.max(np.abs(y * y - a)) < 1e-13:
            break
    return y


def first_large(v, threshold):
    """The first element above the threshold times its index, or the sum when there is none (early return)."""
    for i in range(v.shape[0]):
        if v[i] > threshold:
            return v[i] * (i + 1.0)
    return np.sum(v)


def cumulative(v):
    """Running sums built by element writes."""
    out = np.zeros_like(v)
    acc = 0.0
    for i in range(v.shape[0]):
        acc = acc + v[i]
        out[i] = acc
    return out


def rolling_products(v):
    """Products of neighbours collected with list appends."""
    parts = []
    for i in range(v.shape[0] - 1):
        parts.append(v[i] * v[i + 1])
    return np.stack(parts)


def clipped_steps(v, steps, lr=0.1):
    """Gradient-descent-like updates with continue and an early exit."""
    h = v
    for k in range(steps):
        if k == 1:
            continue
        h = h - lr * np.sin(h)
        if np.max(np.abs(h)) > 50.0:
            return h * 0.0
    return h


def is_even_chain(t, n):
    if n == 0:
        return t
    return is_odd_chain(np.cos(t), n - 1)


def is_odd_chain(t, n):
    if n == 0:
        return t * t
    return is_even_chain(t * 1.3 + 0.1, n - 1)
