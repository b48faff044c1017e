"""Core benchmark: srcgrad gradients against hand-written NumPy gradients, side by side in one process.

    python3 benchmarks/bench_core.py            # full run (a few minutes at most on 2 cores)
    python3 benchmarks/bench_core.py --quick    # smoke run: small sizes, short samples

Also timed when importable: HIPS ``autograd`` and PyTorch eager on the CPU (skipped with a note otherwise).
Every gradient is checked against the hand-written one before anything is timed; a mismatch raises.
See README.md for the method.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # benchmarks/common.py

import srcgrad

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # optional
    autograd = None
    anp = None

try:
    import torch
except ImportError:  # optional
    torch = None


# ---------------------------------------------------------------------------------------------------------
# The differentiated functions, written as plain NumPy code for srcgrad.
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


# ---------------------------------------------------------------------------------------------------------
# Hand-written gradients.
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


# ---------------------------------------------------------------------------------------------------------
# The same functions for HIPS autograd (which needs autograd.numpy) and PyTorch eager.
# ---------------------------------------------------------------------------------------------------------

def mlp_loss_autograd(W1, b1, W2, b2, x, y_onehot):
    h = anp.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    m = anp.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
    logp = z - lse
    return -anp.mean(anp.sum(y_onehot * logp, axis=1))


def tanh_chain_autograd(x, W1, W2, W3):
    h1 = anp.tanh(x @ W1)
    h2 = anp.tanh(h1 @ W2)
    h3 = anp.tanh(h2 @ W3)
    return anp.sum(h3)


def scalar_loop_autograd(x):
    s = 0.0
    for i in range(1000):
        s = s + anp.sin(x * i) * anp.cos(x + i)
    return s


def norm_doubling_autograd(x):
    y = x * 2
    while anp.linalg.norm(y) < 1000:
        y = y * 2
    return y


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


def _torch_leaf(a: np.ndarray) -> Any:
    return torch.from_numpy(a).requires_grad_()


# ---------------------------------------------------------------------------------------------------------
# Workloads: zero-argument callables, NumPy in and NumPy out for every candidate.
# ---------------------------------------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    candidates: dict[str, Callable[[], Any]]      # "hand" first, then "srcgrad", "autograd", "torch"
    rounds: int
    max_sample_time: float | None = None    # caps --min-time for slow workloads


def build_mlp(rng: np.random.Generator, rounds: int) -> Workload:
    batch, n_in, n_hidden, n_out = 32, 64, 128, 10
    W1 = rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in)
    b1 = rng.normal(size=n_hidden) * 0.1
    W2 = rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden)
    b2 = rng.normal(size=n_out) * 0.1
    x = rng.normal(size=(batch, n_in))
    y_onehot = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    args = (W1, b1, W2, b2, x, y_onehot)

    srcgrad_fn = srcgrad.grad(mlp_loss, argnums=(0, 1, 2, 3))
    candidates: dict[str, Callable[[], Any]] = {
        "hand": lambda: mlp_loss_grad_hand(*args),
        "srcgrad": lambda: srcgrad_fn(*args),
    }
    if autograd is not None:
        autograd_fn = autograd.grad(mlp_loss_autograd, argnum=(0, 1, 2, 3))
        candidates["autograd"] = lambda: autograd_fn(*args)
    if torch is not None:
        def torch_grad():
            params = [_torch_leaf(a) for a in args[:4]]
            loss = mlp_loss_torch(*params, torch.from_numpy(x), torch.from_numpy(y_onehot))
            return tuple(g.numpy() for g in torch.autograd.grad(loss, params))
        candidates["torch"] = torch_grad
    return Workload(f"MLP loss grad ({batch}×{n_in}→{n_hidden} tanh→{n_out}, softmax CE)", candidates, rounds)


def build_chain(rng: np.random.Generator, n: int, rounds: int) -> Workload:
    x = rng.normal(size=(n, n))
    W1, W2, W3 = (rng.normal(size=(n, n)) / np.sqrt(n) for _ in range(3))

    srcgrad_fn = srcgrad.grad(tanh_chain, argnums=(1, 2, 3))
    candidates: dict[str, Callable[[], Any]] = {
        "hand": lambda: tanh_chain_grad_hand(x, W1, W2, W3),
        "srcgrad": lambda: srcgrad_fn(x, W1, W2, W3),
    }
    if autograd is not None:
        autograd_fn = autograd.grad(tanh_chain_autograd, argnum=(1, 2, 3))
        candidates["autograd"] = lambda: autograd_fn(x, W1, W2, W3)
    if torch is not None:
        def torch_grad():
            params = [_torch_leaf(W) for W in (W1, W2, W3)]
            out = tanh_chain_torch(torch.from_numpy(x), *params)
            return tuple(g.numpy() for g in torch.autograd.grad(out, params))
        candidates["torch"] = torch_grad
    # A call at full size takes ~0.2 s here, so a sample of one call is plenty: cap the sample time at 0.1 s.
    return Workload(f"3-layer {n}×{n} matmul+tanh chain", candidates, rounds, max_sample_time=0.1)


def build_scalar_loop(rounds: int) -> Workload:
    x = 0.37
    srcgrad_fn = srcgrad.grad(scalar_loop)
    candidates: dict[str, Callable[[], Any]] = {
        "hand": lambda: scalar_loop_grad_hand(x),
        "srcgrad": lambda: srcgrad_fn(x),
    }
    if autograd is not None:
        autograd_fn = autograd.grad(scalar_loop_autograd)
        candidates["autograd"] = lambda: autograd_fn(x)
    if torch is not None:
        def torch_grad():
            xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            (g,) = torch.autograd.grad(scalar_loop_torch(xt), [xt])
            return g.item()
        candidates["torch"] = torch_grad
    return Workload("scalar loop, 1000 × sin·cos on a float", candidates, rounds)


def build_norm_doubling(rng: np.random.Generator, rounds: int) -> Workload:
    x = rng.normal(size=3)
    cotangent = np.array([0.1, 1.0, 0.0001])

    def srcgrad_vjp():
        out, vjp_fn = srcgrad.vjp(norm_doubling, x)
        return out, vjp_fn(cotangent)[0]

    candidates: dict[str, Callable[[], Any]] = {
        "hand": lambda: norm_doubling_vjp_hand(x, cotangent),
        "srcgrad": srcgrad_vjp,
    }
    if autograd is not None:
        autograd_make_vjp = autograd.make_vjp(norm_doubling_autograd)

        def autograd_vjp():
            vjp_fn, out = autograd_make_vjp(x)
            return out, vjp_fn(cotangent)
        candidates["autograd"] = autograd_vjp
    if torch is not None:
        ct = torch.from_numpy(cotangent)

        def torch_vjp():
            xt = _torch_leaf(x)
            out = norm_doubling_torch(xt)
            (g,) = torch.autograd.grad(out, [xt], grad_outputs=ct)
            return out.detach().numpy(), g.numpy()
        candidates["torch"] = torch_vjp
    return Workload("norm-doubling while loop, vjp (shape (3,))", candidates, rounds)


# ---------------------------------------------------------------------------------------------------------
# Driver.
# ---------------------------------------------------------------------------------------------------------

def check_workload(workload: Workload) -> None:
    """Check every candidate against the hand-written gradient, on each of its first two calls.

    Both calls are checked because srcgrad's first call with a new input signature runs the variant that
    also returns the output (to check it is a scalar) and later calls run the gradient-only variant, which
    is the one timed. The calls also warm up caches, so no transformation is timed."""
    expected = workload.candidates["hand"]()
    for name, fn in workload.candidates.items():
        if name != "hand":
            for call in ("first call", "second call"):
                common.check_close(workload.name, f"{name} ({call})", fn(), expected)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 128x128 matmul chain, short samples, 2 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (best-of-N); default 7")
    parser.add_argument("--min-time", type=float, default=None,
                        help="minimum seconds per timing sample; default 0.2")
    parser.add_argument("--chain-size", type=int, default=None, help="matmul chain size; default 1000")
    parser.add_argument("--only", action="append", choices=["mlp", "chain", "loop", "norm"],
                        help="run only this workload (repeatable)")
    parser.add_argument("--skip", action="append", choices=["autograd", "torch"],
                        help="leave this framework out even if it is installed (repeatable)")
    return parser.parse_args(argv)


def _header() -> str:
    lines = [(f"python {platform.python_version()}, numpy {np.__version__}, srcgrad {srcgrad.__version__}, "
              f"{os.cpu_count()} CPUs")]
    if autograd is not None:
        try:
            lines.append(f"autograd {importlib.metadata.version('autograd')}")
        except importlib.metadata.PackageNotFoundError:
            lines.append("autograd (version unknown)")
    else:
        lines.append("autograd not installed: skipped")
    lines.append(f"torch {torch.__version__} (eager, CPU, {torch.get_num_threads()} threads)"
                 if torch is not None else "torch not installed: skipped")
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        lines.append(f"OPENBLAS_CORETYPE={coretype}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    rounds = args.rounds if args.rounds is not None else (2 if args.quick else 7)
    min_time = args.min_time if args.min_time is not None else (0.005 if args.quick else 0.2)
    chain_size = args.chain_size if args.chain_size is not None else (128 if args.quick else 1000)
    only = set(args.only or ["mlp", "chain", "loop", "norm"])

    print(_header(), flush=True)
    rng = np.random.default_rng(0)
    builders = [
        ("mlp", lambda: build_mlp(rng, rounds)),
        ("chain", lambda: build_chain(rng, chain_size, rounds)),
        ("loop", lambda: build_scalar_loop(rounds)),
        ("norm", lambda: build_norm_doubling(rng, rounds)),
    ]
    started = time.perf_counter()
    results = []
    for key, build in builders:
        if key not in only:
            continue
        workload = build()
        for name in args.skip or []:
            workload.candidates.pop(name, None)
        check_workload(workload)
        sample_time = min(min_time, workload.max_sample_time or min_time)
        timings = common.time_interleaved(workload.candidates, sample_time, workload.rounds)
        hand = timings["hand"].best
        result = {"workload": workload.name, "key": key, "checked": True,
                  "timings": timings, "hand": hand,
                  "ratios": {name: t.best / hand for name, t in timings.items() if name != "hand"}}
        results.append(result)
        print(f"  {key}: checked and timed", file=sys.stderr, flush=True)

    rows = []
    for r in results:
        ratios = r["ratios"]
        rows.append([r["workload"], common.format_time(r["hand"]), common.format_time(r["timings"]["srcgrad"].best),
                     common.format_ratio(ratios["srcgrad"]), common.format_ratio(ratios.get("autograd")),
                     common.format_ratio(ratios.get("torch"))])
    print()
    print(common.markdown_table(
        ["workload", "hand-written", "srcgrad", "ratio", "autograd ratio", "torch ratio"], rows))
    print()
    print(f"Ratios are best-of-{rounds} time / hand-written best-of-{rounds} time (lower is better); every "
          f"gradient matched the hand-written one (np.allclose) before timing. {rounds} interleaved rounds; "
          f"samples >= {min_time:g} s ({min(min_time, 0.1):g} s for the matmul chain). "
          f"Total {time.perf_counter() - started:.0f} s.")
    detail_rows = []
    for r in results:
        for name, t in r["timings"].items():
            detail_rows.append([r["key"], name, common.format_time(t.best), common.format_time(t.median),
                                f"{t.median / t.best:.2f}", str(t.loops)])
    print()
    print("Per candidate (best and median over the rounds; calls per sample):")
    print()
    print(common.markdown_table(["workload", "candidate", "best", "median", "median/best", "calls/sample"],
                                detail_rows))
    if autograd is None:
        print("Note: autograd is not installed; its column is skipped (pip install autograd).")
    if torch is None:
        print("Note: torch is not installed; its column is skipped.")
    for name in args.skip or []:
        print(f"Note: {name} left out (--skip {name}).")
    return results


if __name__ == "__main__":
    main()
