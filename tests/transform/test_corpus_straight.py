"""A corpus of straight-line NumPy functions of the kind people differentiate, each checked against central
finite differences for every differentiable argument on its own and for all of them as a tuple."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from gradcheck import Case, Corpus, assert_close, check_grad

import srcgrad

CORPUS = Corpus()
case = CORPUS.case


def normal(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.normal(size=shape)


def positive(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.uniform(0.5, 2.0, size=shape)


def onehot(r: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.eye(k)[r.integers(0, k, size=n)]


def spd(r: np.random.Generator, n: int) -> np.ndarray:
    a = r.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


# Module-level constants that functions read as globals (never differentiated).
REPEATED_INDEX = np.array([0, 2, 2, 1, 0, 4, 2])
ROWS = np.array([0, 1, 1, 3])
COLS = np.array([2, 0, 0, 1])
MASK = np.array([True, False, True, True, False, False])
EPS = 1e-5


# --- classic losses -----------------------------------------------------------------------------------


@case(lambda r: (normal(r, 4), 0.3, normal(r, 6, 4), r.integers(0, 2, 6).astype(float)), wrt=(0, 1, 2))
def logistic_regression_loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


@case(lambda r: (normal(r, 4), 0.3, normal(r, 6, 4), np.sign(normal(r, 6))), wrt=(0, 1))
def logistic_loss_logaddexp(w, b, X, y):
    margins = y * (X.dot(w) + b)
    return np.sum(np.logaddexp(0.0, -margins)) / X.shape[0] + 0.01 * np.sum(w ** 2)


@case(lambda r: (normal(r, 4, 5) * 0.5, normal(r, 5) * 0.1, normal(r, 5, 3) * 0.5, normal(r, 3) * 0.1,
                 normal(r, 7, 4), onehot(r, 7, 3)), wrt=(0, 1, 2, 3, 4))
def mlp_softmax_cross_entropy(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_z = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    log_probs = shifted - log_z
    return -np.mean(np.sum(Y * log_probs, axis=1))


@case(lambda r: (normal(r, 4, 6) * 0.5, normal(r, 6, 3) * 0.5, normal(r, 5, 4), onehot(r, 5, 3)),
      wrt=(0, 1, 2))
def mlp_relu_logsumexp(W1, W2, X, Y):
    h = np.maximum(X @ W1, 0.0)
    logits = h @ W2
    m = logits.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    return np.sum(lse - np.sum(logits * Y, axis=-1, keepdims=True)) / len(X)


@case(lambda r: (normal(r, 5), normal(r, 8, 5), normal(r, 8), 0.7), wrt=(0, 1, 2, 3))
def ridge_regression(w, X, y, lam):
    residual = X @ w - y
    return residual @ residual / X.shape[0] + lam * (w @ w)


@case(lambda r: (normal(r, 12) * 2.0, 1.0), wrt=(0, 1))
def huber_loss_where(r_, delta):
    a = np.abs(r_)
    return np.mean(np.where(a <= delta, 0.5 * r_ ** 2, delta * (a - 0.5 * delta)))


@case(lambda r: (normal(r, 12) * 2.0, 0.8), wrt=(0, 1))
def huber_loss_minimum(r_, delta):
    a = np.abs(r_)
    quadratic = np.minimum(a, delta)
    linear = a - quadratic
    return np.sum(0.5 * quadratic ** 2 + delta * linear)


@case(lambda r: (normal(r, 6), normal(r, 6)), wrt=(0, 1))
def cosine_similarity(a, b):
    return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))


@case(lambda r: (normal(r, 4, 5), normal(r, 4, 5)), wrt=(0, 1))
def rowwise_cosine_similarity(A, B):
    num = np.sum(A * B, axis=1)
    den = np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1)
    return np.mean(num / den)


@case(lambda r: (normal(r, 10), 0.2, -0.3), wrt=(0, 1, 2))
def gaussian_log_likelihood(x, mu, log_sigma):
    sigma = np.exp(log_sigma)
    z = (x - mu) / sigma
    return np.sum(-0.5 * z ** 2 - log_sigma - 0.5 * np.log(2 * np.pi))


@case(lambda r: (normal(r, 4), normal(r, 4, 4) * 0.5, normal(r, 4)), wrt=(0, 1, 2))
def multivariate_gaussian_nll(x, A, mu):
    cov = A @ A.T + np.eye(4)
    diff = x - mu
    return 0.5 * diff @ np.linalg.solve(cov, diff) + 0.5 * np.log(np.linalg.det(cov))


@case(lambda r: (normal(r, 10), r.poisson(2.0, 10).astype(float)), wrt=(0,))
def poisson_nll(eta, y):
    return np.sum(np.exp(eta) - y * eta)


@case(lambda r: (normal(r, 5), normal(r, 9, 5), np.sign(normal(r, 9))), wrt=(0, 1))
def hinge_loss(w, X, y):
    return np.mean(np.maximum(0.0, 1.0 - y * (X @ w))) + 0.5 * np.dot(w, w)


@case(lambda r: (normal(r, 7), normal(r, 7), 0.3, 0.6), wrt=(0, 1, 2, 3))
def elastic_net(w, target, l1, l2):
    return np.sum((w - target) ** 2) + l1 * np.abs(w).sum() + l2 * np.square(w).sum()


@case(lambda r: (normal(r, 3, 5), normal(r, 3, 5)), wrt=(0, 1))
def kl_between_softmaxes(a, b):
    p = np.exp(a - a.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    log_p = np.log(p)
    q = np.exp(b - b.max(axis=1, keepdims=True))
    log_q = np.log(q / q.sum(axis=1, keepdims=True))
    return np.sum(p * (log_p - log_q))


@case(lambda r: (normal(r, 6), normal(r, 6)), wrt=(0,))
def binary_cross_entropy_with_logits(logits, targets):
    t = 1.0 / (1.0 + np.exp(-targets))
    return np.mean(np.maximum(logits, 0) - logits * t + np.log1p(np.exp(-np.abs(logits))))


# --- attention and normalisation ---------------------------------------------------------------------


@case(lambda r: (normal(r, 4, 8), normal(r, 5, 8), normal(r, 5, 3), normal(r, 4, 3)), wrt=(0, 1, 2))
def attention(Q, K, V, W):
    d = Q.shape[-1]
    scores = Q @ K.T / np.sqrt(d)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    out = weights @ V
    return np.sum(out * W)


@case(lambda r: (normal(r, 2, 3, 4), normal(r, 2, 5, 4), normal(r, 2, 5, 4)), wrt=(0, 1, 2))
def batched_attention_einsum(Q, K, V):
    scores = np.einsum("bqd,bkd->bqk", Q, K) / math.sqrt(Q.shape[-1])
    scores = scores - np.max(scores, axis=2, keepdims=True)
    e = np.exp(scores)
    a = e / np.sum(e, axis=2, keepdims=True)
    out = np.matmul(a, V)
    return np.sum(np.tanh(out))


@case(lambda r: (normal(r, 2, 3, 4), normal(r, 2, 5, 4)), wrt=(0, 1))
def attention_transpose_swapaxes(Q, K):
    s = Q @ np.swapaxes(K, -1, -2)
    s2 = Q @ K.transpose(0, 2, 1)
    return np.sum(s * s2) / 10.0


@case(lambda r: (normal(r, 4, 6), positive(r, 6), normal(r, 6), normal(r, 4, 6)), wrt=(0, 1, 2))
def layer_norm(x, gamma, beta, W):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + EPS)
    return np.sum((gamma * x_hat + beta) * W)


@case(lambda r: (normal(r, 8, 3), positive(r, 3), normal(r, 3), normal(r, 8, 3)), wrt=(0, 1, 2))
def batch_norm(x, gamma, beta, W):
    mu = np.mean(x, axis=0)
    sigma = np.std(x, axis=0)
    y = gamma * (x - mu) / (sigma + EPS) + beta
    return np.sum(np.tanh(y) * W)


@case(lambda r: (normal(r, 5, 4), normal(r, 4)), wrt=(0, 1))
def rms_norm(x, g):
    rms = np.sqrt(np.mean(np.square(x), axis=-1, keepdims=True) + 1e-6)
    return np.sum(np.sin(x / rms * g))


# --- features, kernels, linear algebra ---------------------------------------------------------------


@case(lambda r: (normal(r, 9), normal(r, 4), normal(r, 9)), wrt=(0, 1))
def polynomial_features(x, w, y):
    features = np.stack([np.ones_like(x), x, x ** 2, x ** 3], axis=1)
    pred = features @ w
    return np.mean((pred - y) ** 2)


@case(lambda r: (normal(r, 4, 3), normal(r, 5, 3), 0.7), wrt=(0, 1, 2))
def rbf_kernel(X, Z, gamma):
    sq = np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=1)[None, :] - 2.0 * X @ Z.T
    return np.sum(np.exp(-gamma * sq))


@case(lambda r: (normal(r, 4), spd(r, 4)), wrt=(0, 1))
def quadratic_form(x, A):
    return x.T @ A @ x + x @ np.dot(A, x)


@case(lambda r: (spd(r, 4), normal(r, 4, 4)), wrt=(0, 1))
def inverse_weighted_sum(A, B):
    return np.sum(np.linalg.inv(A) * B)


@case(lambda r: (normal(r, 3, 3) + 3 * np.eye(3),), wrt=(0,))
def determinant(A):
    return np.linalg.det(A) + np.log(np.abs(np.linalg.det(A @ A.T)))


@case(lambda r: (spd(r, 4), normal(r, 4), normal(r, 4, 2)), wrt=(0, 1, 2))
def linear_solve(A, b, B):
    x = np.linalg.solve(A, b)
    X = np.linalg.solve(A, B)
    return np.sum(x ** 2) + np.sum(np.sin(X))


@case(lambda r: (normal(r, 4, 3), normal(r, 3, 5), normal(r, 4, 5)), wrt=(0, 1, 2))
def frobenius_residual(A, B, C):
    return np.linalg.norm(A @ B - C) ** 2 + np.linalg.norm(A, "fro")


@case(lambda r: (normal(r, 6), normal(r, 3, 4)), wrt=(0, 1))
def vector_and_matrix_norms(x, M):
    return (np.linalg.norm(x) + np.linalg.norm(x, ord=1) + np.linalg.norm(M, axis=0).sum()
            + np.linalg.norm(M, axis=1, keepdims=True).mean())


@case(lambda r: (normal(r, 3, 4), normal(r, 4, 5)), wrt=(0, 1))
def einsum_single_contraction(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B) ** 2)


@case(lambda r: (normal(r, 3), normal(r, 3, 4), normal(r, 4)), wrt=(0, 1, 2))
def einsum_bilinear_form(u, A, v):
    return np.einsum("i,ij,j->", u, A, v)


@case(lambda r: (normal(r, 2, 3, 4), normal(r, 2, 4, 5)), wrt=(0, 1))
def einsum_batched_single(A, B):
    return np.sum(np.cos(np.einsum("bij,bjk->bik", A, B)))


@case(lambda r: (normal(r, 4, 4),), wrt=(0,))
def einsum_trace_and_transpose(A):
    return np.einsum("ii->", A) * 2.0 + np.sum(np.sin(A) * A.T)


@case(lambda r: (normal(r, 3, 4), normal(r, 4, 5)), wrt=(0, 1))
def tensordot_and_outer(A, B):
    return np.sum(np.tensordot(A, B, axes=1) ** 2) + np.sum(np.outer(A[0], B[:, 1])) + np.inner(A[1], B[:, 0])


@case(lambda r: (normal(r, 4, 4), normal(r, 4)), wrt=(0, 1))
def trace_and_vdot(A, v):
    return np.trace(A) + A.trace() + np.vdot(v, A @ v)


# --- concatenation, stacking, reshaping ---------------------------------------------------------------


@case(lambda r: (normal(r, 3), normal(r, 4)), wrt=(0, 1))
def concatenate_vectors(x, y):
    z = np.concatenate([x, 2.0 * y, x * y[:3]])
    return np.sum(z ** 2 * np.arange(10))


@case(lambda r: (normal(r, 2, 3), normal(r, 4, 3)), wrt=(0, 1))
def concatenate_and_vstack(A, B):
    C = np.concatenate((A, B), axis=0)
    D = np.vstack([A, np.tanh(B)])
    return np.sum(C * D)


@case(lambda r: (normal(r, 3, 2), normal(r, 3, 4)), wrt=(0, 1))
def hstack_columns(A, B):
    return np.sum(np.sin(np.hstack([A, B, A])))


@case(lambda r: (normal(r, 5), normal(r, 5)), wrt=(0, 1))
def stack_axis0_and_axis1(x, y):
    s0 = np.stack([x, y, x * y])
    s1 = np.stack((x, y), axis=1)
    return np.sum(s0 ** 2) + np.sum(s1[:, 0] * s1[:, 1])


@case(lambda r: (normal(r, 12), normal(r, 3)), wrt=(0, 1))
def reshape_transpose(x, w):
    M = x.reshape(4, 3)
    N = np.reshape(x, (3, 4)).T
    return np.sum((M @ w) ** 2) + np.sum(M * N) + np.sum(x.reshape(2, 6).T.ravel() * np.arange(12))


@case(lambda r: (normal(r, 1, 4, 1), normal(r, 4)), wrt=(0, 1))
def squeeze_expand_dims(x, y):
    s = np.squeeze(x)
    e = np.expand_dims(y, 0)
    return np.sum(s * y) + np.sum(e.T * x.squeeze(axis=0)) + np.sum(np.atleast_2d(y) ** 2)


@case(lambda r: (normal(r, 2, 3, 4),), wrt=(0,))
def moveaxis_flip(x):
    return np.sum(np.moveaxis(x, 0, -1) * np.arange(2)) + np.sum(np.flip(x, axis=1)[:, 0, :] ** 2)


# --- indexing reads -----------------------------------------------------------------------------------


@case(lambda r: (normal(r, 8),), wrt=(0,))
def basic_slices(x):
    return np.sum(x[1:4] ** 2) + np.sum(x[::-1] * np.arange(8)) + x[-1] * x[0] + np.sum(x[::3])


@case(lambda r: (normal(r, 4, 5),), wrt=(0,))
def matrix_slices(A):
    return (np.sum(A[:, 1] * A[2, :4]) + np.sum(A[1:3, ::2] ** 2) + A[3, 4] + np.sum(A[..., 0])
            + np.sum(A[None, :, 2]) + np.sum(A[-2:, -3:] ** 3))


@case(lambda r: (normal(r, 5),), wrt=(0,))
def integer_array_index_with_repeats(x):
    gathered = x[REPEATED_INDEX]
    return np.sum(gathered ** 2 * np.arange(7)) + np.sum(x[np.array([4, 4, 4])])


@case(lambda r: (normal(r, 4, 3), np.array([2, 0, 2, 2])), wrt=(0,))
def integer_index_argument(A, idx):
    rows = A[idx]
    picked = A[ROWS, COLS]
    return np.sum(rows * rows) + np.sum(np.sin(picked)) + np.sum(A[idx, 1])


@case(lambda r: (normal(r, 6), normal(r, 6)), wrt=(0, 1))
def boolean_mask_reads(x, y):
    return np.sum(x[MASK] ** 2) + np.sum(y[y > 0]) + np.sum(x[x < y] * 3.0)


@case(lambda r: (normal(r, 5, 4),), wrt=(0,))
def take_along_axis(A):
    return np.sum(np.take(A, np.array([3, 1, 1]), axis=1) ** 2) + np.sum(np.take(A, np.array([0, 7])))


# --- broadcasting of every binary operator ------------------------------------------------------------


@case(lambda r: (normal(r, 3, 1), normal(r, 1, 4)), wrt=(0, 1))
def broadcast_add_sub(x, y):
    return np.sum((x + y) ** 2) + np.sum(np.sin(x - y)) + np.sum((y - x) * (x + y))


@case(lambda r: (normal(r, 3, 1), normal(r, 4)), wrt=(0, 1))
def broadcast_mul(x, y):
    return np.sum(np.tanh(x * y))


@case(lambda r: (positive(r, 3, 1), positive(r, 2, 1, 4)), wrt=(0, 1))
def broadcast_div(x, y):
    return np.sum(x / y) + np.sum(y / x ** 2)


@case(lambda r: (positive(r, 3, 1), normal(r, 4)), wrt=(0, 1))
def broadcast_pow(x, y):
    return np.sum(x ** y) + np.sum(np.power(x, 2.5)) + np.sum(2.0 ** y)


@case(lambda r: (normal(r, 5), 1.7, -0.4), wrt=(0, 1, 2))
def scalar_float_with_array(x, a, b):
    return np.sum(a * x ** 2 + b * x + a / (1.0 + x ** 2) - b ** 2 / a + (x - a) / 2.0)


@case(lambda r: (normal(r, 3, 4), normal(r, 4), normal(r, 3)), wrt=(0, 1, 2))
def matmul_vector_broadcasts(A, v, u):
    return np.sum((A @ v) * u) + u @ A @ v + np.sum(np.matmul(A, v) ** 2)


@case(lambda r: (normal(r, 2, 3, 4), normal(r, 4, 5)), wrt=(0, 1))
def matmul_batched_broadcast(A, B):
    return np.sum(np.tanh(A @ B))


@case(lambda r: (normal(r, 3, 4) * 3, positive(r, 4)), wrt=(0, 1))
def floor_division(x, y):
    return np.sum((x // 1.0) * x * y) + np.sum((x // y) * y)


@case(lambda r: (normal(r, 3, 4), normal(r, 4)), wrt=(0, 1))
def ufunc_binary_broadcasts(x, y):
    return (np.sum(np.add(x, y) * np.multiply(x, y)) + np.sum(np.subtract(x, y) ** 2)
            + np.sum(np.divide(x, 2.0 + y ** 2)) + np.sum(np.arctan2(x, 1.5 + y ** 2)))


@case(lambda r: (normal(r, 5),), wrt=(0,))
def unary_operators(x):
    return np.sum(-x * +x) + np.sum(np.negative(x) ** 3) - np.sum(np.abs(-x))


# --- reductions ---------------------------------------------------------------------------------------


@case(lambda r: (normal(r, 4, 5),), wrt=(0,))
def max_min_reductions(A):
    return (np.max(A) + A.min() + np.sum(A.max(axis=0)) + np.sum(np.min(A, axis=1))
            + np.sum(np.max(A, axis=1, keepdims=True) * A))


@case(lambda r: (normal(r, 6, 3),), wrt=(0,))
def var_std(x):
    return np.var(x) + np.sum(x.std(axis=0)) + np.std(x, ddof=1) + np.sum(np.var(x, axis=1, ddof=1))


@case(lambda r: (normal(r, 3, 4), normal(r, 3, 4)), wrt=(0, 1))
def cumsum_axes(x, w):
    return np.sum(np.cumsum(x) * w.ravel()) + np.sum(np.cumsum(x, axis=1) ** 2) + np.sum(x.cumsum(axis=0) * w)


@case(lambda r: (normal(r, 2, 3, 4),), wrt=(0,))
def sums_over_axes(x):
    return (np.sum(np.sum(x, axis=(0, 2)) ** 2) + np.mean(x, axis=(1, 2)) @ np.arange(2.0)
            + np.sum(x.sum(1) ** 2) + np.sum(np.mean(x, axis=-1, keepdims=True) * x))


@case(lambda r: (positive(r, 5), positive(r, 2, 3)), wrt=(0, 1))
def products(x, A):
    return np.prod(x) + np.sum(np.prod(A, axis=0)) + A.prod()


# --- elementwise functions ----------------------------------------------------------------------------


@case(lambda r: (normal(r, 10) * 2.0,), wrt=(0,))
def clip_values(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2) + np.sum(x.clip(-1.0, 1.0) * x)


@case(lambda r: (normal(r, 8), normal(r, 8)), wrt=(0, 1))
def where_leaky_relu_and_select(x, y):
    leaky = np.where(x > 0, x, 0.01 * x)
    larger = np.where(x > y, x, y)
    return np.sum(leaky ** 2) + np.sum(larger * np.arange(8)) + np.sum(np.where(x > 0.5, 1.0, y))


@case(lambda r: (normal(r, 4, 3), normal(r, 3)), wrt=(0, 1))
def maximum_minimum_broadcast(x, y):
    return (np.sum(np.maximum(x, y) ** 2) + np.sum(np.minimum(x, 0.2) * x)
            + np.sum(np.fmax(x, y) * np.fmin(x, y)))


@case(lambda r: (r.uniform(-0.9, 0.9, 6),), wrt=(0,))
def trig_and_hyperbolic(x):
    return np.sum(np.sin(x) * np.cos(x) + np.tan(x) + np.arcsin(x) + np.arccos(x) * np.arctan(x)
                  + np.sinh(x) + np.cosh(x) + np.arctanh(x) + np.arcsinh(x))


@case(lambda r: (positive(r, 6),), wrt=(0,))
def logs_exps_roots(x):
    return np.sum(np.log(x) + np.log2(x) + np.log10(x) + np.log1p(x) + np.expm1(-x) + np.exp2(x)
                  + np.sqrt(x) + np.cbrt(x) + np.reciprocal(x) + np.square(x))


@case(lambda r: (normal(r, 7),), wrt=(0,))
def softplus_sigmoid_tanh(x):
    softplus = np.logaddexp(0.0, x)
    sigmoid = 1.0 / (1.0 + np.exp(-x))
    return np.sum(softplus * sigmoid + np.tanh(x) ** 2 + np.logaddexp2(x, 1.0))


@case(lambda r: (normal(r, 5), normal(r, 5)), wrt=(0, 1))
def smooth_abs_and_hypot(x, y):
    return np.sum(np.sqrt(x ** 2 + 1e-3)) + np.sum(np.hypot(x, y)) + np.sum(np.sinc(x))


# --- math module on floats ----------------------------------------------------------------------------


@case(lambda r: (0.7, 1.3), wrt=(0, 1))
def math_functions(a, b):
    return (math.sin(a) * math.exp(b) + math.log(b) + math.sqrt(a + b) + math.tanh(a - b)
            + math.atan2(a, b) + math.pow(b, a) + math.hypot(a, b) + math.cos(a * b))


@case(lambda r: (0.4, 2.1), wrt=(0, 1))
def math_functions_more(a, b):
    return (math.asin(a) + math.acos(a / 2) + math.atan(b) + math.sinh(a) + math.cosh(b) + math.tan(a)
            + math.log1p(b) + math.expm1(a) + math.log2(b) + math.log10(b) + math.erf(a) + math.erfc(b)
            + math.fabs(a - b) + abs(a - b) + math.log(b, 3.0))


@case(lambda r: (0.4, normal(r, 3)), wrt=(0, 1))
def math_and_numpy_mixed(t, x):
    scale = math.exp(-t) * math.cos(t)
    return scale * np.sum(x ** 2) + max(t, 0.1) * min(t, 2.0) + float(np.sum(x)) * t


@case(lambda r: (0.9, 0.35), wrt=(0, 1))
def python_float_arithmetic(a, b):
    c = a * b + a / b - b ** 3 + a ** b
    c += 2.0 * a
    c *= b
    c -= a / 3
    c /= 1.0 + b
    return c


# --- statement-level conveniences ---------------------------------------------------------------------


@case(lambda r: (normal(r, 2), normal(r, 3)), wrt=(0, 1))
def tuple_unpacking_and_augassign(x, y):
    a, b = x[0], x[1]
    s = a * b
    s += np.sum(y * a)
    s *= 2.0
    s -= b ** 2
    t: float = s / 3.0
    return t


@case(lambda r: (normal(r, 4, 3),), wrt=(0,))
def shapes_and_sizes_are_constants(X):
    n, d = X.shape
    centred = X - X.sum(axis=0) / n
    cov = centred.T @ centred / (n - 1)
    return np.sum(cov ** 2) / d + X.size * np.mean(X) + X.ndim * np.sum(X)


@case(lambda r: (normal(r, 6),), wrt=(0,))
def reassignment_chain(x):
    y = x
    y = np.sin(y) + y
    y = y * x
    x = x + y
    return np.sum(x * y)


@case(lambda r: (normal(r, 4), normal(r, 4)), wrt=(0, 1))
def unused_argument_and_constant_output_term(x, unused):
    c = np.ones(4)
    z = np.zeros_like(x) + c
    return np.sum(x * z) + 3.0


@case(lambda r: (normal(r, 4), normal(r, 4)), wrt=(0, 1))
def array_constructors_from_active_values(x, y):
    M = np.array([x, y])
    return np.sum(np.asarray(M) ** 2 * np.arange(8).reshape(2, 4)) + np.sum(np.broadcast_to(x, (3, 4)) * y)


# --- parametrization ----------------------------------------------------------------------------------


PARAMS = CORPUS.params()


def test_corpus_size():
    assert len(CORPUS) >= 60
    assert len({c.name for c in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("c,argnums", PARAMS)
def test_gradient_matches_finite_differences(c: Case, argnums: Any):
    check_grad(c.fn, c.args(), argnums)


@pytest.mark.parametrize("c", CORPUS, ids=lambda c: c.name)
def test_value_and_grad_value_matches_function(c: Case):
    args = c.args()
    value, gradients = srcgrad.value_and_grad(c.fn, argnums=tuple(c.wrt))(*args)
    assert_close(value, c.fn(*args), what="value", atol=1e-12)
    expected = srcgrad.grad(c.fn, argnums=tuple(c.wrt))(*args)
    for got, want in zip(gradients, expected):
        assert_close(got, want, atol=1e-12, rtol=1e-12)
