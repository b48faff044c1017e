"""Every benchmark workload's hand-written gradient (benchmarks/workloads.py, workloads_styles.py) against
central finite differences, HIPS autograd on the same source, and srcgrad.

The benchmark checks every candidate against the hand-written gradient, so a wrong hand-written gradient
would make every candidate fail, or worse, pass a wrong one; these checks pin the reference itself. The
inputs are the benchmark's own (the matmul chain at 24×24); finite differences are taken along two random
directions through all the differentiated arguments at once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(BENCH_DIR / f"{name}.py"):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# workloads imports workloads_styles, peers imports workloads and common: loaded in that order, by file.
_load("workloads_styles")
workloads = _load("workloads")
common = _load("common")
peers = _load("peers")

KEYS = list(workloads.SPECS)


def _args(key: str) -> tuple:
    return workloads.make_args(key, np.random.default_rng(7), 24)


def _relu_mlp_np_dot(W1, b1, W2, b2, x, y):
    # relu_mlp with x.dot(W1) spelled np.dot(x, W1): HIPS autograd cannot run the array method.
    h = np.maximum(np.dot(x, W1) + b1, 0)
    err = np.dot(h, W2) + b2 - y
    return (err * err).sum(axis=1).mean()


AUTOGRAD_SPELLING = {"relu_mlp": _relu_mlp_np_dot}


def test_at_least_twenty_workloads_each_with_inputs_and_a_hand_written_gradient():
    assert len(KEYS) >= 20
    versions = workloads.torch_versions(peers.torch) if peers.torch is not None else {}
    for key in KEYS:
        spec = workloads.SPECS[key]
        assert spec.key == key and callable(spec.hand) and spec.argnums
        assert set(spec.cannot) <= set(peers.PEERS)
        if peers.torch is not None and key not in versions:
            assert peers.torch_candidate(spec, _args(key)) == "no PyTorch version of this workload"


@pytest.mark.parametrize("key", KEYS)
def test_hand_written_gradient_matches_autograd_and_srcgrad(key):
    spec = workloads.SPECS[key]
    args = _args(key)
    expected = peers.normalise(spec.hand(*args))
    run_srcgrad = peers.srcgrad_candidate(spec, args)
    for call in ("first call", "second call"):
        common.check_close(key, f"srcgrad ({call})", peers.normalise(run_srcgrad()), expected)
    if peers.autograd is None:
        pytest.skip("autograd is not installed")
    if key in AUTOGRAD_SPELLING:
        assert "autograd" in spec.cannot
        grad_fn = peers.autograd.grad(peers.same_source(AUTOGRAD_SPELLING[key], peers.anp), argnum=spec.argnums)
        got = grad_fn(*args)
    else:
        got = peers.autograd_candidate(spec, args)()
    common.check_close(key, "HIPS autograd", peers.normalise(got), expected)


@pytest.mark.parametrize("key", KEYS)
def test_hand_written_gradient_matches_finite_differences(key):
    spec = workloads.SPECS[key]
    args = _args(key)
    rng = np.random.default_rng(11)
    if spec.mode == "vjp":
        x, cotangent = args
        grads = (peers.normalise(spec.hand(x, cotangent))[1],)

        def value(shifted):
            return float(np.sum(cotangent * spec.fn(*shifted)))
        wrt = (0,)
        base = (x,)
    else:
        grads = peers.normalise(spec.hand(*args))
        grads = grads if isinstance(grads, tuple) else (grads,)

        def value(shifted):
            return float(spec.fn(*shifted))
        wrt = spec.argnums
        base = args
    assert len(grads) == len(wrt)
    for _ in range(2):
        direction = {i: rng.normal(size=np.shape(base[i])) for i in wrt}
        directional = sum(float(np.sum(g * direction[i])) for g, i in zip(grads, wrt))
        h = 1e-6

        def at(t):
            return value(tuple(a + t * direction[i] if i in direction else a for i, a in enumerate(base)))
        centre = at(0.0)
        fd = (at(h) - at(-h)) / (2 * h)
        # Rounding in f(x ± h) is ~|f| 1e-16 / h = |f| 1e-10; the truncation error ~h².
        assert abs(fd - directional) <= 1e-6 * abs(directional) + 1e-8 * abs(centre) + 1e-8, (key, fd, directional)
