"""The matmul chain's gradient on a GPU through CuPy, against the same gradient on the CPU with NumPy.

    python benchmarks/bench_gpu.py            # n = 512 ... 4096, float64 and float32
    python benchmarks/bench_gpu.py --quick    # n = 256 and 512

srcgrad generates the gradient of ``tanh_chain`` (three ``tanh(h @ W)`` layers, as in bench_core.py) once
per input signature; called with CuPy arrays, every NumPy call in it dispatches to CuPy, so the same code
runs on the device. Before timing, the GPU gradient is compared with the CPU one (a mismatch raises). GPU
timings synchronize the device before starting the clock and before stopping it, so that they measure
finished kernels, not queued ones. Each time is the best per-call time over interleaved rounds of at least
``--min-time`` seconds each. The table is printed as Markdown. Without cupy or a GPU, only the CPU column
is measured and the script says why.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import srcgrad


def tanh_chain(x, W1, W2, W3):
    h1 = np.tanh(x @ W1)
    h2 = np.tanh(h1 @ W2)
    h3 = np.tanh(h2 @ W3)
    return np.sum(h3)


def tanh_chain_grad_hand(x, W1, W2, W3):
    """The hand-written gradient, for the GPU's own reference time."""
    h1 = np.tanh(x @ W1)
    h2 = np.tanh(h1 @ W2)
    h3 = np.tanh(h2 @ W3)
    d3 = 1 - h3 * h3
    d2 = (d3 @ W3.T) * (1 - h2 * h2)
    d1 = (d2 @ W2.T) * (1 - h1 * h1)
    return x.T @ d1, h1.T @ d2, h2.T @ d3


def load_cupy():
    """``(cupy, device name)``, or ``(None, reason)`` when there is no usable GPU."""
    try:
        import cupy
    except Exception as error:
        return None, f"cupy is not importable ({type(error).__name__}: {error})"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "cupy sees no GPU"
        name = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)["name"]
    except Exception as error:
        return None, f"cupy sees no GPU ({type(error).__name__}: {error})"
    return cupy, name.decode() if isinstance(name, bytes) else str(name)


def best_time(fn: Callable[[], object], sync: Callable[[], None], min_time: float, rounds: int) -> float:
    """Best per-call seconds over ``rounds`` samples of at least ``min_time`` seconds each."""
    sync()
    start = time.perf_counter()
    fn()
    sync()
    once = max(time.perf_counter() - start, 1e-6)
    loops = max(1, int(min_time / once))
    best = float("inf")
    for _ in range(rounds):
        sync()
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        sync()
        best = min(best, (time.perf_counter() - start) / loops)
    return best


def check(gpu: tuple, cpu: tuple, cupy, label: str) -> None:
    for k, (g, c) in enumerate(zip(gpu, cpu)):
        if not isinstance(g, cupy.ndarray):
            raise AssertionError(f"{label}: gradient {k} is a {type(g).__name__}, not a CuPy array")
        host = cupy.asnumpy(g)
        if host.dtype != c.dtype or host.shape != c.shape:
            raise AssertionError(f"{label}: gradient {k} is {host.dtype}{host.shape}, the CPU's {c.dtype}{c.shape}")
        rtol = 1e-9 if c.dtype == np.float64 else 2e-3
        scale = float(np.max(np.abs(c))) or 1.0
        if not np.allclose(host, c, rtol=rtol, atol=rtol * scale) or np.any(np.isnan(host)):
            raise AssertionError(f"{label}: gradient {k} differs from the CPU's by "
                                 f"{float(np.max(np.abs(host - c))):.3g} (scale {scale:.3g})")


def measure(gradient: Callable, n: int, dtype: str, cupy, min_time: float, rounds: int) -> dict:
    """One row: the CPU time, and with a GPU its time and the hand-written gradient's there."""
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, n)).astype(dtype)
    params = [(rng.normal(size=(n, n)) / np.sqrt(n)).astype(dtype) for _ in range(3)]
    cpu = gradient(x, *params)
    row = {"n": n, "dtype": dtype, "cpu": best_time(lambda: gradient(x, *params), lambda: None, min_time, rounds)}
    if cupy is not None:
        x_d = cupy.asarray(x)
        params_d = [cupy.asarray(p) for p in params]
        sync = cupy.cuda.Device().synchronize
        check(gradient(x_d, *params_d), cpu, cupy, f"n={n} {dtype}")
        row["gpu"] = best_time(lambda: gradient(x_d, *params_d), sync, min_time, rounds)
        row["gpu_hand"] = best_time(lambda: tanh_chain_grad_hand(x_d, *params_d), sync, min_time, rounds)
    return row


def run(sizes: list[int], dtypes: list[str], min_time: float, rounds: int) -> list[dict]:
    cupy, device = load_cupy()
    gradient = srcgrad.grad(tanh_chain, argnums=(1, 2, 3))
    rows = []
    for dtype in dtypes:
        for n in sizes:
            rows.append(measure(gradient, n, dtype, cupy, min_time, rounds))
            print(f"n={n} {dtype}: done", file=sys.stderr, flush=True)
    print(table(rows, device if cupy is not None else None))
    if cupy is None:
        print(f"\nGPU column skipped: {device}.")
    return rows


def table(rows: list[dict], device: str | None) -> str:
    lines = [f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, NumPy "
             f"{np.__version__}" + (f"; GPU: {device}" if device else ""), "",
             "| n | dtype | NumPy CPU (ms) | CuPy GPU (ms) | GPU speed-up | hand-written GPU (ms) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        gpu = f"{r['gpu'] * 1e3:.3f}" if "gpu" in r else "—"
        speedup = f"{r['cpu'] / r['gpu']:.1f}×" if "gpu" in r else "—"
        hand = f"{r['gpu_hand'] * 1e3:.3f}" if "gpu_hand" in r else "—"
        lines.append(f"| {r['n']} | {r['dtype']} | {r['cpu'] * 1e3:.2f} | {gpu} | {speedup} | {hand} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 256 and 512, short samples")
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)
    if options.quick:
        options.sizes, options.min_time, options.rounds = [256, 512], 0.05, 3
    return run(options.sizes, options.dtypes, options.min_time, options.rounds)


if __name__ == "__main__":
    main()
