"""The benchmarked functions, written once as plain NumPy code, and their hand-written NumPy gradients.

Each ``Spec`` names the function, which arguments are differentiated, how to make its inputs, the
hand-written gradient every candidate is checked against, and the issue's target ratio. ``grad`` workloads
return the gradients wrt ``argnums``; the ``vjp`` workload returns ``(output, cotangent of the input)``.

The peers run the *same source*: ``peers.py`` re-executes these functions' code with ``np`` bound to
``autograd.numpy`` or ``jax.numpy`` (only PyTorch, whose API differs, gets its own copies below).

``workloads_styles.py`` holds more workloads, written in other styles; they are registered below, after
these six, in the same ``SPECS`` table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import workloads_styles

RNN_STEPS = 20

# ---------------------------------------------------------------------------------------------------------
# The differentiated functions.
# ---------------------------------------------------------------------------------------------------------


def mlp_loss(W1, b1, W2, b2, x, y_onehot):
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    logp = z - lse
    return -np.mean(np.sum(y_onehot * logp, axis=1))


def tanh_chain(x, W1, W2, W3):
    h1 = np.tanh(x @ W1)
    h2 = np.tanh(h1 @ W2)
    h3 = np.tanh(h2 @ W3)
    return np.sum(h3)


def scalar_loop(x):
    s = 0.0
    for i in range(1000):
        s = s + np.sin(x * i) * np.cos(x + i)
    return s


def norm_doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def rnn_loss(Wx, Wh, b, h0, xs):
    h = h0
    for t in range(20):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def logreg_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.log(1.0 + np.exp(z)) - y * z)


# ---------------------------------------------------------------------------------------------------------
# Hand-written gradients: what a person who knows the maths writes.
# ---------------------------------------------------------------------------------------------------------


def mlp_loss_grad_hand(W1, b1, W2, b2, x, y_onehot):
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    z = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(z)
    p = e / np.sum(e, axis=1, keepdims=True)
    # d(-mean_b sum_k y log p)/dlogits = (p * sum_k y - y) / B
    dlogits = (p * np.sum(y_onehot, axis=1, keepdims=True) - y_onehot) / x.shape[0]
    dW2 = h.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    da = (dlogits @ W2.T) * (1 - h * h)
    dW1 = x.T @ da
    db1 = np.sum(da, axis=0)
    return dW1, db1, dW2, db2


def tanh_chain_grad_hand(x, W1, W2, W3):
    h1 = np.tanh(x @ W1)
    h2 = np.tanh(h1 @ W2)
    h3 = np.tanh(h2 @ W3)
    d3 = 1 - h3 * h3
    dW3 = h2.T @ d3
    d2 = (d3 @ W3.T) * (1 - h2 * h2)
    dW2 = h1.T @ d2
    d1 = (d2 @ W2.T) * (1 - h1 * h1)
    dW1 = x.T @ d1
    return dW1, dW2, dW3


def scalar_loop_grad_hand(x):
    g = 0.0
    for i in range(1000):
        g = g + np.cos(x * i) * i * np.cos(x + i) - np.sin(x * i) * np.sin(x + i)
    return g


def norm_doubling_vjp_hand(x, cotangent):
    """Run the forward loop, counting the doublings; the vjp multiplies the cotangent by 2**count."""
    y = x * 2
    count = 1
    while np.linalg.norm(y) < 1000:
        y = y * 2
        count += 1
    return y, cotangent * 2.0 ** count


def rnn_loss_grad_hand(Wx, Wh, b, h0, xs):
    """Back-propagation through time: keep every hidden state, then walk the steps backwards."""
    hs = [h0]
    for t in range(RNN_STEPS):
        hs.append(np.tanh(xs[t] @ Wx + hs[-1] @ Wh + b))
    dh = 2 * hs[-1]
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in reversed(range(RNN_STEPS)):
        da = dh * (1 - hs[t + 1] * hs[t + 1])
        dWx += xs[t].T @ da
        dWh += hs[t].T @ da
        db += np.sum(da, axis=0)
        dh = da @ Wh.T
    return dWx, dWh, db


def logreg_loss_grad_hand(w, b, X, y):
    z = X @ w + b
    e = np.exp(z)
    dz = (e / (1.0 + e) - y) / X.shape[0]
    return X.T @ dz, np.sum(dz)


# ---------------------------------------------------------------------------------------------------------
# PyTorch copies (its reductions and norms are spelled differently).
# ---------------------------------------------------------------------------------------------------------


def torch_versions(torch: Any) -> dict[str, Callable]:
    def mlp_loss_torch(W1, b1, W2, b2, x, y_onehot):
        h = torch.tanh(x @ W1 + b1)
        logits = h @ W2 + b2
        m = torch.amax(logits, dim=1, keepdim=True)
        z = logits - m
        lse = torch.log(torch.sum(torch.exp(z), dim=1, keepdim=True))
        logp = z - lse
        return -torch.mean(torch.sum(y_onehot * logp, dim=1))

    def tanh_chain_torch(x, W1, W2, W3):
        h1 = torch.tanh(x @ W1)
        h2 = torch.tanh(h1 @ W2)
        h3 = torch.tanh(h2 @ W3)
        return torch.sum(h3)

    def scalar_loop_torch(x):
        s = 0.0
        for i in range(1000):
            s = s + torch.sin(x * i) * torch.cos(x + i)
        return s

    def norm_doubling_torch(x):
        y = x * 2
        while torch.linalg.norm(y) < 1000:
            y = y * 2
        return y

    def rnn_loss_torch(Wx, Wh, b, h0, xs):
        h = h0
        for t in range(20):
            h = torch.tanh(xs[t] @ Wx + h @ Wh + b)
        return torch.sum(h * h)

    def logreg_loss_torch(w, b, X, y):
        z = X @ w + b
        return torch.mean(torch.log(1.0 + torch.exp(z)) - y * z)

    return {"mlp": mlp_loss_torch, "chain": tanh_chain_torch, "loop": scalar_loop_torch,
            "norm": norm_doubling_torch, "rnn": rnn_loss_torch, "logreg": logreg_loss_torch,
            **workloads_styles.torch_versions(torch)}


# ---------------------------------------------------------------------------------------------------------
# Workload specifications.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Spec:
    key: str
    title: str
    fn: Callable
    argnums: tuple[int, ...]
    hand: Callable                  # hand(*args) -> gradients (grad) or (out, cotangent) (vjp)
    target: float | None            # the target ratio to the hand-written gradient
    mode: str = "grad"              # "grad", or "vjp" (args are (x, cotangent))
    max_sample_time: float | None = None
    slow_peers: tuple[str, ...] = ()   # left out of --quick runs: seconds per call or per compilation
    helpers: tuple[Any, ...] = ()      # module-level functions and classes ``fn`` calls (re-created by the peers)
    cannot: dict[str, str] = field(default_factory=dict)   # peer -> why it cannot run this source (left out)


def make_args(key: str, rng: np.random.Generator, chain_size: int) -> tuple:
    if key == "mlp":
        batch, n_in, n_hidden, n_out = 32, 64, 128, 10
        return (rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in), rng.normal(size=n_hidden) * 0.1,
                rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden), rng.normal(size=n_out) * 0.1,
                rng.normal(size=(batch, n_in)), np.eye(n_out)[rng.integers(0, n_out, size=batch)])
    if key == "chain":
        n = chain_size
        return (rng.normal(size=(n, n)),) + tuple(rng.normal(size=(n, n)) / np.sqrt(n) for _ in range(3))
    if key == "loop":
        return (0.37,)
    if key == "norm":
        return rng.normal(size=3), np.array([0.1, 1.0, 0.0001])
    if key == "rnn":
        batch, n_in, n_hidden = 16, 32, 64
        return (rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in),
                rng.normal(size=(n_hidden, n_hidden)) / np.sqrt(n_hidden), rng.normal(size=n_hidden) * 0.1,
                np.zeros((batch, n_hidden)), rng.normal(size=(RNN_STEPS, batch, n_in)))
    if key == "logreg":
        n, d = 1000, 50
        X = rng.normal(size=(n, d))
        return rng.normal(size=d) * 0.1, 0.1, X, (rng.random(n) < 0.5).astype(np.float64)
    return workloads_styles.make_args(key, rng)


SPECS: dict[str, Spec] = {spec.key: spec for spec in [
    Spec("mlp", "MLP loss (batch 32, 64→128 tanh→10, softmax cross-entropy)", mlp_loss, (0, 1, 2, 3),
         mlp_loss_grad_hand, 1.3),
    Spec("chain", "three N×N matmul+tanh layers", tanh_chain, (1, 2, 3), tanh_chain_grad_hand, 1.05,
         max_sample_time=0.1),
    Spec("loop", "scalar loop, 1000 × `sin(x*i)*cos(x+i)` on a float", scalar_loop, (0,), scalar_loop_grad_hand,
         1.3, slow_peers=("jax", "jax.jit")),
    Spec("norm", "norm-doubling `while` loop, `vjp` (shape (3,))", norm_doubling, (0,), norm_doubling_vjp_hand,
         1.5, mode="vjp"),
    Spec("rnn", "20-step tanh RNN (batch 16, 32→64), loss Σh²", rnn_loss, (0, 1, 2), rnn_loss_grad_hand, 1.5),
    Spec("logreg", "logistic regression (1000×50), mean log-loss", logreg_loss, (0, 1), logreg_loss_grad_hand,
         None),
]}

SPECS.update({w["key"]: Spec(target=None, **w) for w in workloads_styles.WORKLOADS})
