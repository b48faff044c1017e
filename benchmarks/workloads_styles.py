"""More workloads, written in the styles real NumPy code comes in, and their hand-written NumPy gradients.

``workloads.py`` registers these in the same ``SPECS`` table as its own six (the runner, ``--only`` and the
peers see one list). Each entry of ``WORKLOADS`` gives the function, the arguments differentiated, the
hand-written gradient and the module-level helpers (functions, classes) the function calls: the peers
re-create those from their source too, with ``np`` bound to their NumPy. A function may therefore use
``np`` and its helpers, and nothing else from this module (sizes are literals or read from the inputs).

The styles: array methods (``x.dot(W)``, ``.sum(axis=1)``, ``.mean()``), ``np.maximum``/``np.where``/
``np.logaddexp``, keep-dims reductions (layer norm, softmax), broadcasting to 3-D (a mixture model), slices
of slices (a stencil), a Python loop over array elements (``x[i]``) with ``+=``, small helper functions
(one with ``*args``) called in a loop, a helper returning a tuple, tuple-unpacking an array, ``for x in
xs`` over an array's rows, a class whose method computes the loss from its attributes, fancy-index
gathers, ``np.einsum`` and a reversed-range Horner loop.

Hand-written gradients are what a person who knows the maths writes: vectorised, each forward value
computed once. Where the function *is* a Python loop over elements or steps (``rosenbrock_loop``,
``horner``, the time-stepping loops), the hand-written gradient walks the same loop (as ``scalar_loop``
in ``workloads.py`` does), so that the ratio measures the differentiation, not the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

HEAT_STEPS, LV_STEPS, LV_DT, CONTROL_STEPS, CONTROL_DT = 50, 100, 0.01, 30, 0.05

# ---------------------------------------------------------------------------------------------------------
# The differentiated functions (and the helpers they call).
# ---------------------------------------------------------------------------------------------------------


def relu_mlp_loss(W1, b1, W2, b2, x, y):
    h = np.maximum(x.dot(W1) + b1, 0)
    out = np.dot(h, W2) + b2
    err = out - y
    return (err * err).sum(axis=1).mean()


def layer_norm_loss(x, gamma, beta, target):
    mu = np.mean(x, axis=-1, keepdims=True)
    xc = x - mu
    var = np.mean(xc ** 2, axis=-1, keepdims=True)
    xhat = xc / np.sqrt(var + 1e-5)
    y = gamma * xhat + beta
    return 0.5 * np.sum((y - target) ** 2)


def attention_loss(Wq, Wk, Wv, x, target):
    q = x @ Wq
    k = x @ Wk
    v = x @ Wv
    scores = q @ k.T / np.sqrt(q.shape[1])
    scores = scores - np.max(scores, axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / np.sum(weights, axis=-1, keepdims=True)
    out = weights @ v
    return 0.5 * np.sum((out - target) ** 2)


def gmm_nll(means, log_sigmas, logits, X):
    d = X.shape[1]
    log_w = logits - np.log(np.sum(np.exp(logits)))
    diff = X[:, None, :] - means[None, :, :]
    sq = np.sum(diff ** 2, axis=2)
    log_p = log_w - d * log_sigmas - 0.5 * sq * np.exp(-2.0 * log_sigmas) - 0.5 * d * np.log(2 * np.pi)
    m = np.max(log_p, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(log_p - m), axis=1))
    return -np.mean(lse)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def heat_1d(u0, c):
    u = u0
    for _ in range(50):
        u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return np.sum(u * u)


def huber_loss(w, X, y):
    r = X @ w - y
    return np.mean(np.where(np.abs(r) <= 1.0, 0.5 * r * r, np.abs(r) - 0.5))


def poisson_nll(w, b, X, counts):
    eta = X @ w + b
    return (np.exp(eta) - counts * eta).mean()


def logreg_logaddexp(w, X, y_pm):
    margins = y_pm * (X @ w)
    return np.sum(np.logaddexp(0.0, -margins)) + 0.005 * np.dot(w, w)


def sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def lstm_loss(W_change, W_forget, W_ingate, W_outgate, xs, h0, c0):
    hiddens = h0
    cells = c0
    for x in xs:
        change = np.tanh(concat_and_multiply(W_change, x, hiddens))
        forget = sigmoid(concat_and_multiply(W_forget, x, hiddens))
        ingate = sigmoid(concat_and_multiply(W_ingate, x, hiddens))
        outgate = sigmoid(concat_and_multiply(W_outgate, x, hiddens))
        cells = cells * forget + ingate * change
        hiddens = outgate * np.tanh(cells)
    return np.sum(hiddens * hiddens)


def lotka_volterra_loss(theta, x0, y0):
    a, b, c, d = theta
    x = x0
    y = y0
    for _ in range(100):
        dx = a * x - b * x * y
        dy = c * x * y - d * y
        x = x + 0.01 * dx
        y = y + 0.01 * dy
    return np.mean((x - 1.0) ** 2 + (y - 1.0) ** 2)


def policy(W, pos, vel):
    return np.tanh(W[0] * pos + W[1] * vel + W[2])


def dynamics(pos, vel, force):
    vel = vel + 0.05 * (force - 0.5 * pos)
    pos = pos + 0.05 * vel
    return pos, vel


def cost(pos, force):
    return np.sum(pos * pos) + 0.1 * np.sum(force * force)


def control_rollout(W, pos, vel):
    total = 0.0
    for _ in range(30):
        force = policy(W, pos, vel)
        pos, vel = dynamics(pos, vel, force)
        total = total + cost(pos, force)
    return total / pos.shape[0]


class TanhRegression:
    def __init__(self, W, b, decay):
        self.W = W
        self.b = b
        self.decay = decay

    def predict(self, X):
        return np.tanh(X @ self.W + self.b)

    def loss(self, X, Y):
        err = self.predict(X) - Y
        return np.mean(err ** 2) + self.decay * np.sum(self.W ** 2)


def class_model_loss(W, b, X, Y):
    model = TanhRegression(W, b, 1e-3)
    return model.loss(X, Y)


def matrix_factorization_loss(U, V, rows, cols, ratings):
    pred = np.sum(U[rows] * V[cols], axis=1)
    err = pred - ratings
    return np.mean(err ** 2) + 0.01 * (np.sum(U ** 2) + np.sum(V ** 2))


def bilinear_loss(W, x, z, target):
    out = np.einsum("ni,kij,nj->nk", x, W, z)
    return 0.5 * np.sum((out - target) ** 2)


def horner_loss(coef, x, y):
    p = coef[-1]
    for k in range(coef.shape[0] - 2, -1, -1):
        p = p * x + coef[k]
    return np.mean((p - y) ** 2)


# ---------------------------------------------------------------------------------------------------------
# Hand-written gradients.
# ---------------------------------------------------------------------------------------------------------


def relu_mlp_grad_hand(W1, b1, W2, b2, x, y):
    h = np.maximum(x.dot(W1) + b1, 0)
    dout = (h.dot(W2) + b2 - y) * (2.0 / x.shape[0])
    dh = dout.dot(W2.T)
    dh *= h > 0
    return x.T.dot(dh), dh.sum(axis=0), h.T.dot(dout), dout.sum(axis=0)


def layer_norm_grad_hand(x, gamma, beta, target):
    xc = x - np.mean(x, axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(xc ** 2, axis=-1, keepdims=True) + 1e-5)
    xhat = xc * inv_std
    dy = gamma * xhat + beta - target
    dxhat = dy * gamma
    dx = inv_std * (dxhat - np.mean(dxhat, axis=-1, keepdims=True)
                    - xhat * np.mean(dxhat * xhat, axis=-1, keepdims=True))
    return dx, np.sum(dy * xhat, axis=0), np.sum(dy, axis=0)


def attention_grad_hand(Wq, Wk, Wv, x, target):
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    scale = 1.0 / np.sqrt(q.shape[1])
    scores = q @ k.T * scale
    a = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    a /= np.sum(a, axis=-1, keepdims=True)
    dout = a @ v - target
    da = dout @ v.T
    ds = a * (da - np.sum(da * a, axis=-1, keepdims=True))
    ds *= scale
    return x.T @ (ds @ k), x.T @ (ds.T @ q), x.T @ (a.T @ dout)


def gmm_nll_grad_hand(means, log_sigmas, logits, X):
    n, d = X.shape
    log_w = logits - np.log(np.sum(np.exp(logits)))
    diff = X[:, None, :] - means[None, :, :]
    sq = np.sum(diff ** 2, axis=2)
    inv_var = np.exp(-2.0 * log_sigmas)
    log_p = log_w - d * log_sigmas - 0.5 * sq * inv_var - 0.5 * d * np.log(2 * np.pi)
    r = np.exp(log_p - np.max(log_p, axis=1, keepdims=True))
    r /= np.sum(r, axis=1, keepdims=True)             # responsibilities; d loss / d log_p = -r / n
    nk = np.sum(r, axis=0)
    d_means = inv_var[:, None] * (nk[:, None] * means - r.T @ X) / n
    d_log_sigmas = (d * nk - inv_var * np.sum(r * sq, axis=0)) / n
    d_logits = np.exp(log_w) - nk / n
    return d_means, d_log_sigmas, d_logits


def rosenbrock_grad_hand(x):
    a = x[1:] - x[:-1] ** 2
    g = np.empty_like(x)
    g[:-1] = -400.0 * x[:-1] * a - 2.0 * (1.0 - x[:-1])
    g[-1] = 0.0
    g[1:] += 200.0 * a
    return g


def rosenbrock_loop_grad_hand(x):
    """The same loop over elements, each element's two partials added as the loop passes it."""
    n = x.shape[0]
    g = np.empty_like(x)
    carry = 0.0
    for i in range(n - 1):
        xi = x[i]
        a = x[i + 1] - xi * xi
        g[i] = carry - 400.0 * xi * a - 2.0 * (1.0 - xi)
        carry = 200.0 * a
    g[n - 1] = carry
    return g


def heat_1d_grad_hand(u0, c):
    u, laps = u0, []
    for _ in range(HEAT_STEPS):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        laps.append(lap)
        u = u[1:-1] + c * lap
    du, dc = 2.0 * u, 0.0
    for lap in reversed(laps):
        dc += du @ lap
        c_du = c * du
        prev = np.empty(du.shape[0] + 2)
        prev[:2] = 0.0
        prev[2:] = c_du
        prev[1:-1] += du - 2.0 * c_du
        prev[:-2] += c_du
        du = prev
    return du, dc


def huber_grad_hand(w, X, y):
    r = X @ w - y
    return np.clip(r, -1.0, 1.0) @ X / r.shape[0]


def poisson_grad_hand(w, b, X, counts):
    dz = (np.exp(X @ w + b) - counts) / X.shape[0]
    return dz @ X, np.sum(dz)


def logreg_logaddexp_grad_hand(w, X, y_pm):
    dz = -y_pm / (1.0 + np.exp(y_pm * (X @ w)))
    return dz @ X + 0.01 * w


def lstm_grad_hand(W_change, W_forget, W_ingate, W_outgate, xs, h0, c0):
    """Back-propagation through time, with one concatenated state per step shared by the four gates."""
    n_in, hidden = xs.shape[2], h0.shape[1]
    ones = np.ones((h0.shape[0], 1))
    h, c = h0, c0
    steps = []
    for x in xs:
        cat = np.hstack((x, h, ones))
        g = np.tanh(cat @ W_change)
        f = 0.5 * (np.tanh(0.5 * (cat @ W_forget)) + 1.0)
        i = 0.5 * (np.tanh(0.5 * (cat @ W_ingate)) + 1.0)
        o = 0.5 * (np.tanh(0.5 * (cat @ W_outgate)) + 1.0)
        c_prev = c
        c = c * f + i * g
        tc = np.tanh(c)
        h = o * tc
        steps.append((cat, g, f, i, o, c_prev, tc))
    dWg, dWf, dWi, dWo = (np.zeros_like(W) for W in (W_change, W_forget, W_ingate, W_outgate))
    rows = slice(n_in, n_in + hidden)
    Wg_h, Wf_h, Wi_h, Wo_h = W_change[rows].T, W_forget[rows].T, W_ingate[rows].T, W_outgate[rows].T
    dh, dc = 2.0 * h, 0.0
    for cat, g, f, i, o, c_prev, tc in reversed(steps):
        dc = dc + dh * o * (1.0 - tc * tc)
        dzo = dh * tc * o * (1.0 - o)
        dzf = dc * c_prev * f * (1.0 - f)
        dzi = dc * g * i * (1.0 - i)
        dzg = dc * i * (1.0 - g * g)
        dc = dc * f
        dWg += cat.T @ dzg
        dWf += cat.T @ dzf
        dWi += cat.T @ dzi
        dWo += cat.T @ dzo
        dh = dzg @ Wg_h + dzf @ Wf_h + dzi @ Wi_h + dzo @ Wo_h
    return dWg, dWf, dWi, dWo


def lotka_volterra_grad_hand(theta, x0, y0):
    a, b, c, d = theta
    x, y, states = x0, y0, []
    for _ in range(LV_STEPS):
        states.append((x, y))
        xy = x * y
        x, y = x + LV_DT * (a * x - b * xy), y + LV_DT * (c * xy - d * y)
    n = x.shape[0]
    dx, dy = (2.0 / n) * (x - 1.0), (2.0 / n) * (y - 1.0)
    da = db = dc = dd = 0.0
    for x, y in reversed(states):
        xy = x * y
        da += LV_DT * (dx @ x)
        db -= LV_DT * (dx @ xy)
        dc += LV_DT * (dy @ xy)
        dd -= LV_DT * (dy @ y)
        dx, dy = (dx * (1.0 + LV_DT * (a - b * y)) + dy * (LV_DT * c) * y,
                  dy * (1.0 + LV_DT * (c * x - d)) - dx * (LV_DT * b) * x)
    return np.array([da, db, dc, dd]), dx, dy


def control_rollout_grad_hand(W, pos, vel):
    w0, w1, w2 = W
    n = pos.shape[0]
    states = []
    for _ in range(CONTROL_STEPS):
        force = np.tanh(w0 * pos + w1 * vel + w2)
        states.append((pos, vel, force))
        vel = vel + CONTROL_DT * (force - 0.5 * pos)
        pos = pos + CONTROL_DT * vel
    dW = np.zeros(3)
    dpos_next, dvel_next = 0.0, 0.0      # cotangents of the state after the step being undone
    pos_next = pos
    for pos, vel, force in reversed(states):
        dpos_new = dpos_next + (2.0 / n) * pos_next        # the step's cost reads its new position
        dvel_new = dvel_next + CONTROL_DT * dpos_new
        dz = (CONTROL_DT * dvel_new + (0.2 / n) * force) * (1.0 - force * force)
        dW[0] += dz @ pos
        dW[1] += dz @ vel
        dW[2] += np.sum(dz)
        dpos_next = dpos_new - (0.5 * CONTROL_DT) * dvel_new + w0 * dz
        dvel_next = dvel_new + w1 * dz
        pos_next = pos
    return dW


def class_model_grad_hand(W, b, X, Y):
    p = np.tanh(X @ W + b)
    dz = (p - Y) * (1.0 - p * p) * (2.0 / p.size)
    return X.T @ dz + 2e-3 * W, np.sum(dz, axis=0)


def matrix_factorization_grad_hand(U, V, rows, cols, ratings):
    Ur, Vc = U[rows], V[cols]
    derr = (np.sum(Ur * Vc, axis=1) - ratings) * (2.0 / ratings.shape[0])
    dU = 0.02 * U
    np.add.at(dU, rows, derr[:, None] * Vc)
    dV = 0.02 * V
    np.add.at(dV, cols, derr[:, None] * Ur)
    return dU, dV


def bilinear_grad_hand(W, x, z, target):
    dout = np.einsum("ni,kij,nj->nk", x, W, z) - target
    return np.einsum("nk,ni,nj->kij", dout, x, z, optimize=True)


def horner_grad_hand(coef, x, y):
    """Horner's loop again, carrying the derivative in x along; the coefficients' gradient is the
    residual's sum against each power of x."""
    p, dp = coef[-1] * x + coef[-2], coef[-1]
    for k in range(coef.shape[0] - 3, -1, -1):
        dp = dp * x + p
        p = p * x + coef[k]
    r = (p - y) * (2.0 / x.shape[0])
    d_coef = np.empty(coef.shape[0])
    d_coef[0] = np.sum(r)
    r_xk = r
    for k in range(1, coef.shape[0]):
        r_xk = r_xk * x
        d_coef[k] = np.sum(r_xk)
    return d_coef, r * dp


# ---------------------------------------------------------------------------------------------------------
# PyTorch copies (a workload without one is left out of the PyTorch column with a note).
# ---------------------------------------------------------------------------------------------------------


def torch_versions(torch: Any) -> dict[str, Callable]:
    def relu_mlp_loss_torch(W1, b1, W2, b2, x, y):
        h = torch.clamp(x.matmul(W1) + b1, min=0)
        err = h @ W2 + b2 - y
        return (err * err).sum(dim=1).mean()

    def layer_norm_loss_torch(x, gamma, beta, target):
        xc = x - torch.mean(x, dim=-1, keepdim=True)
        var = torch.mean(xc ** 2, dim=-1, keepdim=True)
        y = gamma * (xc / torch.sqrt(var + 1e-5)) + beta
        return 0.5 * torch.sum((y - target) ** 2)

    def attention_loss_torch(Wq, Wk, Wv, x, target):
        q, k, v = x @ Wq, x @ Wk, x @ Wv
        scores = q @ k.T / q.shape[1] ** 0.5
        scores = scores - torch.amax(scores, dim=-1, keepdim=True)
        weights = torch.exp(scores)
        weights = weights / torch.sum(weights, dim=-1, keepdim=True)
        return 0.5 * torch.sum((weights @ v - target) ** 2)

    def gmm_nll_torch(means, log_sigmas, logits, X):
        d = X.shape[1]
        log_w = logits - torch.log(torch.sum(torch.exp(logits)))
        sq = torch.sum((X[:, None, :] - means[None, :, :]) ** 2, dim=2)
        log_p = log_w - d * log_sigmas - 0.5 * sq * torch.exp(-2.0 * log_sigmas) - 0.5 * d * np.log(2 * np.pi)
        m = torch.amax(log_p, dim=1, keepdim=True)
        return -torch.mean(m[:, 0] + torch.log(torch.sum(torch.exp(log_p - m), dim=1)))

    def rosenbrock_torch(x):
        return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def rosenbrock_loop_torch(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
        return s

    def heat_1d_torch(u0, c):
        u = u0
        for _ in range(50):
            u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])
        return torch.sum(u * u)

    def huber_loss_torch(w, X, y):
        r = X @ w - y
        return torch.mean(torch.where(torch.abs(r) <= 1.0, 0.5 * r * r, torch.abs(r) - 0.5))

    def poisson_nll_torch(w, b, X, counts):
        eta = X @ w + b
        return (torch.exp(eta) - counts * eta).mean()

    def logreg_logaddexp_torch(w, X, y_pm):
        margins = y_pm * (X @ w)
        return torch.sum(torch.logaddexp(torch.zeros_like(margins), -margins)) + 0.005 * torch.dot(w, w)

    def sigmoid_torch(z):
        return 0.5 * (torch.tanh(0.5 * z) + 1.0)

    def concat_and_multiply_torch(weights, *args):
        cat_state = torch.hstack(args + (torch.ones((args[0].shape[0], 1), dtype=weights.dtype),))
        return cat_state @ weights

    def lstm_loss_torch(W_change, W_forget, W_ingate, W_outgate, xs, h0, c0):
        hiddens, cells = h0, c0
        for x in xs:
            change = torch.tanh(concat_and_multiply_torch(W_change, x, hiddens))
            forget = sigmoid_torch(concat_and_multiply_torch(W_forget, x, hiddens))
            ingate = sigmoid_torch(concat_and_multiply_torch(W_ingate, x, hiddens))
            outgate = sigmoid_torch(concat_and_multiply_torch(W_outgate, x, hiddens))
            cells = cells * forget + ingate * change
            hiddens = outgate * torch.tanh(cells)
        return torch.sum(hiddens * hiddens)

    def lotka_volterra_loss_torch(theta, x0, y0):
        a, b, c, d = theta
        x, y = x0, y0
        for _ in range(100):
            dx = a * x - b * x * y
            dy = c * x * y - d * y
            x = x + 0.01 * dx
            y = y + 0.01 * dy
        return torch.mean((x - 1.0) ** 2 + (y - 1.0) ** 2)

    def control_rollout_torch(W, pos, vel):
        total = 0.0
        for _ in range(30):
            force = torch.tanh(W[0] * pos + W[1] * vel + W[2])
            vel = vel + 0.05 * (force - 0.5 * pos)
            pos = pos + 0.05 * vel
            total = total + torch.sum(pos * pos) + 0.1 * torch.sum(force * force)
        return total / pos.shape[0]

    class TanhRegressionTorch:
        def __init__(self, W, b, decay):
            self.W, self.b, self.decay = W, b, decay

        def predict(self, X):
            return torch.tanh(X @ self.W + self.b)

        def loss(self, X, Y):
            err = self.predict(X) - Y
            return torch.mean(err ** 2) + self.decay * torch.sum(self.W ** 2)

    def class_model_loss_torch(W, b, X, Y):
        return TanhRegressionTorch(W, b, 1e-3).loss(X, Y)

    def matrix_factorization_loss_torch(U, V, rows, cols, ratings):
        err = torch.sum(U[rows] * V[cols], dim=1) - ratings
        return torch.mean(err ** 2) + 0.01 * (torch.sum(U ** 2) + torch.sum(V ** 2))

    def bilinear_loss_torch(W, x, z, target):
        return 0.5 * torch.sum((torch.einsum("ni,kij,nj->nk", x, W, z) - target) ** 2)

    def horner_loss_torch(coef, x, y):
        p = coef[-1]
        for k in range(coef.shape[0] - 2, -1, -1):
            p = p * x + coef[k]
        return torch.mean((p - y) ** 2)

    return {"relu_mlp": relu_mlp_loss_torch, "layernorm": layer_norm_loss_torch, "attention": attention_loss_torch,
            "gmm": gmm_nll_torch, "rosenbrock": rosenbrock_torch, "rosenbrock_loop": rosenbrock_loop_torch,
            "heat": heat_1d_torch, "huber": huber_loss_torch, "poisson": poisson_nll_torch,
            "logaddexp": logreg_logaddexp_torch, "lstm": lstm_loss_torch, "ode": lotka_volterra_loss_torch,
            "control": control_rollout_torch, "class": class_model_loss_torch,
            "factorization": matrix_factorization_loss_torch, "einsum": bilinear_loss_torch,
            "horner": horner_loss_torch}


# ---------------------------------------------------------------------------------------------------------
# Inputs.
# ---------------------------------------------------------------------------------------------------------


def make_args(key: str, rng: np.random.Generator) -> tuple:
    normal = rng.normal
    if key == "relu_mlp":
        batch, n_in, n_hidden, n_out = 64, 100, 200, 10
        return (normal(size=(n_in, n_hidden)) / np.sqrt(n_in), normal(size=n_hidden) * 0.1,
                normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden), normal(size=n_out) * 0.1,
                normal(size=(batch, n_in)), normal(size=(batch, n_out)))
    if key == "layernorm":
        rows, width = 256, 128
        return (normal(size=(rows, width)) * 2.0 + 0.5, 1.0 + 0.1 * normal(size=width), 0.1 * normal(size=width),
                normal(size=(rows, width)))
    if key == "attention":
        seq, d_model, d_k = 128, 64, 32
        return (normal(size=(d_model, d_k)) / np.sqrt(d_model), normal(size=(d_model, d_k)) / np.sqrt(d_model),
                normal(size=(d_model, d_k)) / np.sqrt(d_model), normal(size=(seq, d_model)),
                normal(size=(seq, d_k)))
    if key == "gmm":
        n, k, d = 1000, 8, 3
        return normal(size=(k, d)) * 2.0, 0.2 * normal(size=k), 0.5 * normal(size=k), normal(size=(n, d)) * 2.0
    if key == "rosenbrock":
        return (1.0 + 0.3 * normal(size=50000),)
    if key == "rosenbrock_loop":
        return (1.0 + 0.3 * normal(size=400),)
    if key == "heat":
        return np.sin(np.linspace(0.0, 6.0, 2000)) + 0.1 * normal(size=2000), 0.2
    if key == "huber":
        n, d = 5000, 50
        X = normal(size=(n, d))
        y = X @ normal(size=d) * 0.2 + rng.standard_t(2.0, size=n)    # heavy tails: both branches taken
        return 0.1 * normal(size=d), X, y
    if key == "poisson":
        n, d = 5000, 40
        X = normal(size=(n, d)) / np.sqrt(d)
        return 0.3 * normal(size=d), 0.5, X, rng.poisson(np.exp(X @ (0.3 * normal(size=d)) + 0.5)).astype(float)
    if key == "logaddexp":
        n, d = 5000, 50
        X = normal(size=(n, d))
        return 0.1 * normal(size=d), X, np.where(rng.random(n) < 0.5, -1.0, 1.0)
    if key == "lstm":
        steps, batch, n_in, hidden = 20, 32, 16, 32
        return (*(normal(size=(n_in + hidden + 1, hidden)) / np.sqrt(n_in + hidden) for _ in range(4)),
                normal(size=(steps, batch, n_in)), np.zeros((batch, hidden)), np.zeros((batch, hidden)))
    if key == "ode":
        m = 500
        return np.array([1.1, 0.4, 0.4, 0.9]) + 0.05 * normal(size=4), 1.0 + 0.3 * rng.random(m), \
            1.0 + 0.3 * rng.random(m)
    if key == "control":
        m = 256
        return np.array([-0.8, -0.5, 0.1]) + 0.1 * normal(size=3), normal(size=m), normal(size=m)
    if key == "class":
        n, d, k = 512, 64, 16
        return normal(size=(d, k)) / np.sqrt(d), 0.1 * normal(size=k), normal(size=(n, d)), \
            np.tanh(normal(size=(n, k)))
    if key == "factorization":
        users, items, rank, n = 200, 150, 10, 2000
        return (0.3 * normal(size=(users, rank)), 0.3 * normal(size=(items, rank)), rng.integers(0, users, size=n),
                rng.integers(0, items, size=n), normal(size=n))
    if key == "einsum":
        n, i, j, k = 256, 16, 16, 8
        return 0.1 * normal(size=(k, i, j)), normal(size=(n, i)), normal(size=(n, j)), normal(size=(n, k))
    if key == "horner":
        x = rng.uniform(-1.0, 1.0, size=5000)
        return 0.5 * normal(size=10), x, np.cos(3.0 * x)
    raise KeyError(key)


# key, title, function, argnums, hand-written gradient, helpers, slow peers (left out of --quick runs).
LOOPED = ("jax", "jax.jit")     # JAX eager: a dispatch per operation; jit: compiles the unrolled loop
WORKLOADS: list[dict[str, Any]] = [
    dict(key="relu_mlp", title="ReLU MLP with `x.dot(W)`, `np.dot`, `np.maximum(h, 0)`, `.sum(axis=1).mean()` "
         "(batch 64, 100→200→10)", fn=relu_mlp_loss, argnums=(0, 1, 2, 3), hand=relu_mlp_grad_hand,
         cannot={"autograd": "cannot run `x.dot(W)` with `W` differentiated (`ndarray.dot` takes no ArrayBox, "
                             "and an ArrayBox has no `.dot`)",
                 "jax": "cannot run `x.dot(W)` with `x` a NumPy array and `W` traced (`ndarray.dot` converts "
                        "its argument to a NumPy array); `jax.jit`, given JAX arrays, can"}),
    dict(key="layernorm", title="layer norm + squared error (256×128), wrt x, γ, β", fn=layer_norm_loss,
         argnums=(0, 1, 2), hand=layer_norm_grad_hand),
    dict(key="attention", title="single-head attention with softmax (128 tokens, 64→32)", fn=attention_loss,
         argnums=(0, 1, 2), hand=attention_grad_hand),
    dict(key="gmm", title="Gaussian mixture NLL, log-sum-exp written out (1000×3, 8 components)", fn=gmm_nll,
         argnums=(0, 1, 2), hand=gmm_nll_grad_hand),
    dict(key="rosenbrock", title="Rosenbrock, vectorised (n = 50000)", fn=rosenbrock, argnums=(0,),
         hand=rosenbrock_grad_hand),
    dict(key="rosenbrock_loop", title="Rosenbrock as a Python loop over `x[i]` with `+=` (n = 400)",
         fn=rosenbrock_loop, argnums=(0,), hand=rosenbrock_loop_grad_hand, slow_peers=LOOPED),
    dict(key="heat", title="1-D heat stencil over slices, 50 steps (n = 2000), wrt u₀ and c", fn=heat_1d,
         argnums=(0, 1), hand=heat_1d_grad_hand, slow_peers=LOOPED),
    dict(key="huber", title="Huber regression with `np.where` (5000×50)", fn=huber_loss, argnums=(0,),
         hand=huber_grad_hand),
    dict(key="poisson", title="Poisson regression NLL (5000×40)", fn=poisson_nll, argnums=(0, 1),
         hand=poisson_grad_hand),
    dict(key="logaddexp", title="logistic regression with `np.logaddexp` and L2 (5000×50)", fn=logreg_logaddexp,
         argnums=(0,), hand=logreg_logaddexp_grad_hand),
    dict(key="lstm", title="20-step LSTM from helpers `sigmoid`, `concat_and_multiply(W, *args)` (batch 32, "
         "16→32)", fn=lstm_loss, argnums=(0, 1, 2, 3), hand=lstm_grad_hand,
         helpers=(sigmoid, concat_and_multiply), slow_peers=LOOPED),
    dict(key="ode", title="Lotka–Volterra, 100 explicit Euler steps (500 initial states), wrt θ, x₀, y₀",
         fn=lotka_volterra_loss, argnums=(0, 1, 2), hand=lotka_volterra_grad_hand, slow_peers=LOOPED),
    dict(key="control", title="30-step control rollout through helpers `policy`, `dynamics`, `cost` (256 "
         "states)", fn=control_rollout, argnums=(0,), hand=control_rollout_grad_hand,
         helpers=(policy, dynamics, cost), slow_peers=LOOPED),
    dict(key="class", title="class `TanhRegression`, `loss` method from attributes (512×64→16)",
         fn=class_model_loss, argnums=(0, 1), hand=class_model_grad_hand, helpers=(TanhRegression,)),
    dict(key="factorization", title="matrix factorisation, gathers `U[rows] * V[cols]` (2000 ratings, rank 10)",
         fn=matrix_factorization_loss, argnums=(0, 1), hand=matrix_factorization_grad_hand,
         cannot={"tangent": "gives a wrong gradient where `rows` repeats an index (the gathered rows' cotangents "
                            "overwrite each other instead of adding up; tangent-ad 0.4.0)"}),
    dict(key="einsum", title="bilinear model `np.einsum('ni,kij,nj->nk')` (256, 16×16→8)", fn=bilinear_loss,
         argnums=(0,), hand=bilinear_grad_hand),
    dict(key="horner", title="degree-9 polynomial by Horner's loop over `coef[k]` (5000 points), wrt coef, x",
         fn=horner_loss, argnums=(0, 1), hand=horner_grad_hand),
]
