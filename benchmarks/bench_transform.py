"""One-off costs: how long srcgrad takes to transform functions, and the peak memory of a long loop's gradient.

    python3 benchmarks/bench_transform.py            # prints both tables
    python3 benchmarks/bench_transform.py --quick    # smoke run

Transformation time is the first call of a new ``grad(f)`` (or ``hessian(f)``) on fresh arguments, with
srcgrad's caches emptied, minus a warm call: source to compiled gradient, every variant the first call
builds. It is measured in process (CPU) time, which other work on a shared machine disturbs less than
wall time; on an idle machine the two agree. Best of ``--repeat``. Peak memory is ``tracemalloc``'s peak during one gradient call, against the
hand-written gradient of the same loop."""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# This checkout's srcgrad (not an installed one), and the benchmark modules beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # benchmarks/common.py
import workloads

import srcgrad
from srcgrad import cache

LONG_STEPS = 10_000


def twenty_lines(W1, b1, W2, b2, x, y):
    """A 20-line function: a two-layer network with a normalised, regularised squared loss."""
    a1 = x @ W1 + b1
    h1 = np.tanh(a1)
    mu = np.mean(h1, axis=0)
    centred = h1 - mu
    var = np.mean(centred * centred, axis=0)
    normed = centred / np.sqrt(var + 1e-5)
    a2 = normed @ W2 + b2
    h2 = np.exp(-a2 * a2)
    scaled = 2.0 * h2 - 1.0
    err = scaled - y
    sq = err * err
    data_term = np.mean(np.sum(sq, axis=1))
    w1_norm = np.sum(W1 * W1)
    w2_norm = np.sum(W2 * W2)
    reg = 1e-3 * (w1_norm + w2_norm)
    bias_term = np.sum(b1 * b1) + np.sum(b2 * b2)
    smooth = np.log(1.0 + np.exp(-np.abs(data_term)))
    total = data_term + reg
    total = total + 1e-4 * bias_term
    return total + 0.01 * smooth


def ten_lines(x):
    """A 10-line function of a vector, for the Hessian."""
    a = np.sin(x)
    b = np.cos(x)
    c = a * b + x
    d = np.exp(-c * c)
    e = np.sum(d * x)
    f = np.tanh(c)
    g = np.sum(f * f)
    h = e * g
    k = np.sqrt(h * h + 1.0)
    return k + np.sum(a)


def long_loop(x):
    y = x
    for _ in range(10000):
        y = np.tanh(y + x)
    return np.sum(y)


def long_loop_grad_hand(x):
    ys = []
    y = x
    for _ in range(LONG_STEPS):
        y = np.tanh(y + x)
        ys.append(y)
    dy = np.ones_like(x)
    dx = np.zeros_like(x)
    for y in reversed(ys):
        da = dy * (1 - y * y)
        dx += da
        dy = da
    return dx


def _fresh_copy(fn: Callable) -> Callable:
    """A new function object with ``fn``'s code, so that nothing cached for ``fn`` is found."""
    return type(fn)(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


def _first_call_time(make: Callable[[Callable], Callable], fn: Callable, args: tuple, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        cache.CACHE.clear()
        differentiated = make(_fresh_copy(fn))
        start = time.process_time()
        differentiated(*args)
        first = time.process_time() - start
        start = time.process_time()
        differentiated(*args)
        warm = time.process_time() - start
        best = min(best, first - warm)
    return best


def transformation_times(repeat: int) -> list[list[str]]:
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(8, 16)), rng.normal(size=16), rng.normal(size=(16, 4)), rng.normal(size=4)
    x, y = rng.normal(size=(32, 8)), rng.normal(size=(32, 4))
    cases: list[tuple[str, Callable, Callable, tuple]] = [
        ("20-line function, `grad` wrt 4 arguments", twenty_lines,
         lambda f: srcgrad.grad(f, argnums=(0, 1, 2, 3)), (W1, b1, W2, b2, x, y)),
        ("10-line function, `hessian`", ten_lines, srcgrad.hessian, (rng.normal(size=5),)),
    ]
    for key in ("mlp", "loop", "rnn", "logreg"):
        spec = workloads.SPECS[key]
        cases.append((f"{key} workload, `grad`", spec.fn, lambda f, s=spec: srcgrad.grad(f, argnums=s.argnums),
                      workloads.make_args(key, rng, 8)))
    rows = []
    for title, fn, make, args in cases:
        body = inspect.getsource(fn).splitlines()[1:]
        lines = len([line for line in body if line.strip() and not line.strip().startswith('"""')])
        rows.append([title, str(lines), f"{_first_call_time(make, fn, args, repeat) * 1e3:.1f} ms"])
    return rows


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def peak_memory(steps_check: bool = True) -> list[list[str]]:
    x = np.random.default_rng(1).normal(size=100) * 0.1
    g = srcgrad.grad(long_loop)
    if steps_check:
        common.check_close("long loop", "srcgrad", g(x), long_loop_grad_hand(x))
    g(x)
    hand = _peak(lambda: long_loop_grad_hand(x))
    ours = _peak(lambda: g(x))
    return [[f"{LONG_STEPS}-step loop `y = tanh(y + x)`, x of shape (100,)", f"{hand / 2**20:.1f} MiB",
             f"{ours / 2**20:.1f} MiB", f"{ours / hand:.2f}×"]]


def main(argv: Sequence[str] | None = None) -> dict[str, str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: one repetition")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions (best of); default 7")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 7)
    times = common.markdown_table(["transformed", "lines", "time"], transformation_times(repeat))
    memory = common.markdown_table(["gradient of", "hand-written peak", "srcgrad peak", "ratio"], peak_memory())
    print(times, memory, sep="\n\n")
    return {"times": times, "memory": memory}


if __name__ == "__main__":
    main()
