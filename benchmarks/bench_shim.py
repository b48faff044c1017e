"""Tensor shim benchmark: srcgrad's define-by-run ``Tensor`` against PyTorch eager on the CPU, side by side
in one process, on the two loops where per-operation overhead is everything:

1. the seed tutorial's norm-doubling loop: ``randn(3)``, double until the norm reaches 1000, backward with
   the gradient ``[0.1, 1.0, 0.0001]``;
2. a 100-step loop on 0-d tensors, ``s = s * 1.01 + x.sin()``, then ``s.backward()``;

and on two training loops from PyTorch's "Learning PyTorch with Examples", where array work counts too:

3. the third-order polynomial fit of ``sin`` on 2000 float32 points, 2000 steps of gradient descent on
   four 0-d parameters (``loss.backward()``, updates under ``no_grad``, ``.grad = None``);
4. the two-layer ReLU net, batch 64, 1000 -> 100 -> 10, 100 steps (``mm``, ``clamp(min=0)``,
   ``pow(2).sum()``, ``grad.zero_()``).

    python3 benchmarks/bench_shim.py             # full run (about half a minute)
    python3 benchmarks/bench_shim.py --quick     # smoke run

The same function runs with ``T`` bound to ``srcgrad`` and to ``torch``. Before timing, each one's gradient
is checked against the closed form (a mismatch raises). Timing follows ``common.py``: calibrated loops,
interleaved rounds, best of N, garbage collector off during a sample. The ratio is shim time / torch time
(below 1: the shim is faster).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

# This checkout's srcgrad (not an installed one), and the benchmark modules beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # benchmarks/common.py

import srcgrad

try:
    import torch
except ImportError:  # optional
    torch = None

SCALAR_STEPS = 100
POLY_STEPS = 2000
NET_STEPS = 100


def norm_doubling(T: ModuleType) -> tuple[Any, int]:
    """The tutorial's cells 12-13."""
    x = T.randn(3, requires_grad=True)
    y = x * 2
    i = 0
    while y.data.norm() < 1000:
        y = y * 2
        i += 1
    y.backward(T.FloatTensor([0.1, 1.0, 0.0001]))
    return x, i


def scalar_loop(T: ModuleType) -> Any:
    x = T.tensor(0.5, requires_grad=True)
    s = T.tensor(1.0)
    for _ in range(SCALAR_STEPS):
        s = s * 1.01 + x.sin()
    s.backward()
    return x


def polynomial_fit(T: ModuleType, steps: int = POLY_STEPS) -> float:
    x = T.linspace(-math.pi, math.pi, 2000)
    y = T.sin(x)
    a, b, c, d = (T.tensor(v, requires_grad=True) for v in (0.1, -0.2, 0.05, 0.3))
    learning_rate = 1e-6
    for _ in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with T.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return loss.item()


_NET_DATA = [np.random.default_rng(0).normal(size=shape).astype(np.float32)
             for shape in ((64, 1000), (64, 10), (1000, 100), (100, 10))]


def two_layer_net(T: ModuleType, steps: int = NET_STEPS) -> float:
    x, y = T.tensor(_NET_DATA[0]), T.tensor(_NET_DATA[1])
    w1 = T.tensor(_NET_DATA[2] * 0.01, requires_grad=True)
    w2 = T.tensor(_NET_DATA[3] * 0.01, requires_grad=True)
    learning_rate = 1e-4
    for _ in range(steps):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with T.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return loss.item()


def check(T: ModuleType) -> None:
    """Both loops give the closed-form gradient (float32 tolerance)."""
    x, i = norm_doubling(T)
    expected = np.array([0.1, 1.0, 0.0001]) * 2.0 ** (i + 1)
    common.check_close("norm", T.__name__, np.array(x.grad.tolist()), expected, rtol=1e-5, atol=0)
    x = scalar_loop(T)
    expected = np.cos(0.5) * sum(1.01 ** k for k in range(SCALAR_STEPS))
    common.check_close("scalar", T.__name__, x.grad.item(), expected, rtol=1e-4, atol=0)


def check_training(modules: dict[str, ModuleType]) -> None:
    """The training loops end at the same loss under srcgrad and PyTorch (float32: to 1e-4)."""
    if "torch" not in modules:
        return
    for name, loop in (("polynomial", lambda T: polynomial_fit(T, 50)), ("two-layer net", lambda T: two_layer_net(T, 5))):
        common.check_close(name, "srcgrad", loop(srcgrad), loop(modules["torch"]), rtol=1e-4, atol=0)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: short samples, 2 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (best-of-N); default 7")
    parser.add_argument("--min-time", type=float, default=None, help="seconds per sample; default 0.2")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 7)
    min_time = args.min_time or (0.01 if args.quick else 0.2)
    modules = {"srcgrad": srcgrad} | ({"torch": torch} if torch is not None else {})
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          + (f"torch {torch.__version__} (threads: {torch.get_num_threads()})" if torch else
             "torch not installed: skipped"))
    for module in modules.values():
        check(module)
    check_training(modules)
    if torch is not None:
        torch.manual_seed(0)
    srcgrad.manual_seed(0)
    results, rows = [], []
    poly_steps, net_steps = (50, 5) if args.quick else (POLY_STEPS, NET_STEPS)
    workloads = (("norm", norm_doubling), ("scalar", scalar_loop),
                 (f"polynomial fit, {poly_steps} steps", lambda T: polynomial_fit(T, poly_steps)),
                 (f"two-layer net, {net_steps} steps", lambda T: two_layer_net(T, net_steps)))
    for key, workload in workloads:
        timings = common.time_interleaved({name: (lambda m=m, w=workload: w(m)) for name, m in modules.items()},
                                          min_time, rounds)
        ratio = timings["srcgrad"].best / timings["torch"].best if "torch" in timings else None
        results.append({"key": key, "ratio": ratio, **{name: t.best for name, t in timings.items()}})
        rows.append([key, common.format_time(timings["srcgrad"].best),
                     common.format_time(timings["torch"].best) if "torch" in timings else "—",
                     common.format_ratio(ratio)])
    print(common.markdown_table(["workload", "srcgrad shim", "torch eager", "shim / torch"], rows))
    return results


if __name__ == "__main__":
    main()
