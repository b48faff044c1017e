"""Newton's method on a small logistic-regression problem: each step solves with the Hessian that
srcgrad.hessian computes (reverse mode over generated forward-mode code). Run:
python examples/newton_logistic_regression.py"""

from __future__ import annotations

import numpy as np

import srcgrad


def make_problem(seed: int = 0, n: int = 200, d: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(size=(n, d - 1)), np.ones((n, 1))], axis=1)
    true_w = rng.normal(size=d)
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-X @ true_w))).astype(float)
    return X, y


def loss(w, X, y):
    """Mean logistic loss with a small ridge term (so the Hessian is positive definite)."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.01 * np.sum(w * w)


def newton(X: np.ndarray, y: np.ndarray, tol: float = 1e-10, max_steps: int = 50) -> tuple[np.ndarray, int]:
    w = np.zeros(X.shape[1])
    gradient = srcgrad.grad(loss)
    hessian = srcgrad.hessian(loss)
    for step in range(1, max_steps + 1):
        g = gradient(w, X, y)
        w = w - np.linalg.solve(hessian(w, X, y), g)
        if np.linalg.norm(g) < tol:
            return w, step
    return w, max_steps


if __name__ == "__main__":
    X, y = make_problem()
    w, steps = newton(X, y)
    print(f"converged in {steps} Newton steps; gradient norm {np.linalg.norm(srcgrad.grad(loss)(w, X, y)):.2e}")
