"""Gradients over a real dask.distributed cluster: two worker processes, started and closed here.

The logistic-regression loss runs over a 2,000,000 x 16 design matrix in 8 chunks of 250,000 rows, made
lazily by ``da.random`` from a seed: each chunk is generated inside the worker that uses it, so no process
ever holds the whole matrix (256 MB), which the test checks with tracemalloc in the client and in both
workers. The reference is the closed-form gradient ``X^T (sigmoid(X w + b) - y) / n`` in NumPy, summed
chunk by chunk over the very same chunks. The MLP loss runs on a smaller chunked data set, against
srcgrad's NumPy path on the same values."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import srcgrad  # noqa: E402

pytestmark = pytest.mark.cluster

ROWS, FEATURES, CHUNKS = 2_000_000, 16, 8
MATRIX_BYTES = ROWS * FEATURES * 8


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, memory_limit="6GiB")
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def design_matrix(seed: int = 7):
    """The lazily generated data: features, labels in {0, 1} and true weights to draw them from."""
    state = da.random.RandomState(seed)
    X = state.normal(size=(ROWS, FEATURES), chunks=(ROWS // CHUNKS, FEATURES))
    w_true = np.linspace(-1.0, 1.0, FEATURES)
    y = (state.random_sample(size=ROWS, chunks=ROWS // CHUNKS) < 1.0 / (1.0 + np.exp(-(X @ w_true)))) * 1.0
    return X, y


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_z = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (shifted - log_z), axis=1))


def test_logistic_regression_gradient_on_two_worker_processes(client):
    X, y = design_matrix()
    w = np.linspace(0.5, -0.5, FEATURES) * 0.2
    b = 0.05
    client.run(tracemalloc.start)  # library functions: a worker imports them by name
    tracemalloc.start()
    try:
        g_w, g_b = srcgrad.grad(logistic_loss, argnums=(0, 1))(w, b, X, y)
        assert isinstance(g_w, da.Array) and isinstance(g_b, da.Array)
        assert g_w.shape == (FEATURES,) and g_w.dtype == np.float64 and g_b.shape == ()
        g_w, g_b = client.compute([g_w, g_b], sync=True)
        client_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        worker_peaks = {address: traced[1] for address, traced in client.run(tracemalloc.get_traced_memory).items()}
        client.run(tracemalloc.stop)
    assert len(worker_peaks) == 2
    # Nobody materialized the matrix (256 MB): the client (which also runs the scheduler) holds no data,
    # and each worker holds a few of its chunks at a time (32 MB each).
    assert client_peak < MATRIX_BYTES / 16, client_peak
    for address, peak in worker_peaks.items():
        assert peak < MATRIX_BYTES, (address, peak)

    # The reference, chunk by chunk over the same seeded chunks, in plain NumPy.
    expected_w, expected_b = np.zeros(FEATURES), 0.0
    for X_block, y_block in zip(X.to_delayed().ravel(), y.to_delayed().ravel()):
        X_i, y_i = client.compute([X_block, y_block], sync=True)
        residual = 1.0 / (1.0 + np.exp(-(X_i @ w + b))) - y_i
        expected_w += X_i.T @ residual
        expected_b += residual.sum()
    expected_w, expected_b = expected_w / ROWS, expected_b / ROWS
    assert np.all(np.isfinite(g_w)) and np.isfinite(g_b)
    np.testing.assert_allclose(g_w, expected_w, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(g_b, expected_b, rtol=1e-9, atol=1e-13)
    assert np.max(np.abs(expected_w)) > 1e-3  # a gradient that is not trivially zero


def test_mlp_gradient_on_two_worker_processes(client):
    rng = np.random.default_rng(11)
    n, hidden, classes = 100_000, 32, 4
    state = da.random.RandomState(3)
    X = state.normal(size=(n, FEATURES), chunks=(n // 4, FEATURES))
    Y = (state.randint(0, classes, size=n, chunks=n // 4)[:, None] == np.arange(classes)) * 1.0
    params = (rng.normal(size=(FEATURES, hidden)) * 0.3, rng.normal(size=hidden) * 0.1,
              rng.normal(size=(hidden, classes)) * 0.3, rng.normal(size=classes) * 0.1)
    X_np, Y_np = client.compute([X, Y], sync=True)
    assert Y_np.shape == (n, classes) and np.all(Y_np.sum(axis=1) == 1.0)
    argnums = (0, 1, 2, 3)
    expected = srcgrad.grad(mlp_loss, argnums=argnums)(*params, X_np, Y_np)
    lazy = srcgrad.grad(mlp_loss, argnums=argnums)(*params, X, Y)
    assert all(isinstance(g, da.Array) for g in lazy)
    got = client.compute(list(lazy), sync=True)
    for g, e, p in zip(got, expected, params):
        assert g.shape == p.shape and g.dtype == np.float64
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-13)
