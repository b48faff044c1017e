"""Gradient descent on a chunked data set through a dask.distributed cluster, with srcgrad's gradient.

The loss is plain NumPy code. Called with Dask arrays, the gradient srcgrad generates for it builds a Dask
graph instead of computing (every NumPy call in it dispatches to Dask), and the cluster's worker processes
run it chunk by chunk: the design matrix is generated inside the workers and never exists in one piece.
A text progress bar on stderr follows the iterations. Run (needs ``pip install ".[dask]"``):

    python examples/distributed_logreg.py                 # 2,000,000 x 16 in 8 chunks, 2 workers
    python examples/distributed_logreg.py --compare       # and the same descent in plain NumPy, timed
    python examples/distributed_logreg.py --quick         # a small run (the test suite's)

``--compare`` prints the wall time and the peak resident size of every process of both runs, and with
``--trace`` also the peak of the NumPy allocations of each (by ``tracemalloc``, which slows the workers:
time an untraced run). docs/distributed.md has the numbers of one machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import dataclass, field

import numpy as np

import srcgrad


def loss(w, b, X, y):
    """Mean logistic loss with labels in {0, 1}, written with NumPy as usual."""
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def make_data(rows: int, features: int, chunks: int, seed: int = 0):
    """A lazily generated design matrix and labels: each chunk is drawn where it is computed."""
    import dask.array as da

    state = da.random.RandomState(seed)
    X = state.normal(size=(rows, features), chunks=(-(-rows // chunks), features))
    w_true = np.linspace(-2.0, 2.0, features)
    p = 1.0 / (1.0 + np.exp(-(X @ w_true + 0.5)))
    y = (state.random_sample(size=rows, chunks=X.chunks[0]) < p) * 1.0
    return X, y


class ProgressBar:
    """``[#####-----] 5/10 loss 0.4123  0.31 s/step`` on one line of stderr, redrawn in place."""

    def __init__(self, total: int, width: int = 30, stream=None):
        self.total, self.width = total, width
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.perf_counter()

    def update(self, done: int, loss_value: float) -> None:
        filled = self.width * done // self.total
        rate = (time.perf_counter() - self.start) / max(done, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} loss {loss_value:.4f}  {rate:.2f} s/step")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


@dataclass
class Run:
    """What one descent produced and cost."""

    w: np.ndarray
    b: float
    losses: list[float]
    seconds: float
    traced_peak: dict[str, int | None] = field(default_factory=dict)  # process -> NumPy bytes at peak
    max_rss: dict[str, int] = field(default_factory=dict)      # process -> peak resident bytes


def descend(X, y, steps: int, lr: float, compute, progress: ProgressBar | None = None) -> tuple:
    """Gradient descent from zero: ``compute(value, g_w, g_b)`` turns the step's (lazy) results into
    NumPy values; the parameters themselves stay small NumPy arrays in this process."""
    value_and_grad = srcgrad.value_and_grad(loss, argnums=(0, 1))
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for step in range(1, steps + 1):
        value, (g_w, g_b) = value_and_grad(w, b, X, y)
        value, g_w, g_b = compute(value, g_w, g_b)
        w, b = w - lr * g_w, b - lr * float(g_b)
        losses.append(float(value))
        if progress is not None:
            progress.update(step, losses[-1])
    return w, b, losses


def _rss_bytes(usage) -> int:
    """The peak resident size in a ``resource.getrusage`` result, in bytes (Linux reports KiB)."""
    return usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024


# The workers run library functions only (``client.run`` sends a function by reference, and a worker
# cannot import this example when it is loaded under another name, as the tests do).


def run_distributed(rows: int, features: int, chunks: int, steps: int, lr: float, workers: int,
                    trace: bool = False, regenerate: bool = False, quiet: bool = False) -> Run:
    """The descent on a LocalCluster of ``workers`` processes. The data is generated in the workers once
    and kept there (each holds its share of the chunks), or with ``regenerate`` generated again inside
    every step, which holds only the chunks in use but repeats the work.

    With ``trace``, NumPy allocations are traced in the workers, which slows their Python-heavy
    communication several times: the wall time of a traced run is not the one to quote. The client process
    (which also runs the scheduler) is never traced; its peak resident size is reported."""
    import tracemalloc

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        if trace:
            client.run(tracemalloc.start)
        started = time.perf_counter()
        X, y = make_data(rows, features, chunks)
        if not regenerate:
            X, y = client.persist([X, y])  # generated in the workers, once, and kept there

        def compute(*values):
            return client.compute(list(values), sync=True)

        progress = None if quiet else ProgressBar(steps)
        w, b, losses = descend(X, y, steps, lr, compute, progress)
        seconds = time.perf_counter() - started
        traced: dict[str, int | None] = {"client": None}
        peaks = client.run(tracemalloc.get_traced_memory) if trace else {}
        if trace:
            client.run(tracemalloc.stop)
        rss = {"client": _rss_bytes(resource.getrusage(resource.RUSAGE_SELF))}
        for i, (address, usage) in enumerate(client.run(resource.getrusage, resource.RUSAGE_SELF).items()):
            traced[f"worker {i + 1}"] = peaks[address][1] if trace else None
            rss[f"worker {i + 1}"] = _rss_bytes(usage)
    return Run(w, b, losses, seconds, traced, rss)


def run_numpy(rows: int, features: int, chunks: int, steps: int, lr: float, trace: bool = False,
              quiet: bool = False) -> Run:
    """The same descent with the same data, materialized as NumPy arrays in this one process."""
    import tracemalloc

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    X, y = make_data(rows, features, chunks)
    X, y = X.compute(scheduler="sync"), y.compute(scheduler="sync")
    progress = None if quiet else ProgressBar(steps)
    w, b, losses = descend(X, y, steps, lr, lambda *values: values, progress)
    seconds = time.perf_counter() - started
    traced = {"numpy": tracemalloc.get_traced_memory()[1] if trace else None}
    if trace:
        tracemalloc.stop()
    return Run(w, b, losses, seconds, traced, {"numpy": _rss_bytes(resource.getrusage(resource.RUSAGE_SELF))})


def _mb(n: int | None) -> str:
    return "not traced" if n is None else f"{n / 2**20:.0f} MiB"


def report(distributed: Run, numpy: Run | None, rows: int, features: int) -> str:
    lines = [f"data: {rows:,} x {features} float64 = {_mb(rows * features * 8)}", "",
             "| run | wall time | process | NumPy peak (tracemalloc) | peak RSS |", "|---|---|---|---|---|"]
    for name, run in (("dask.distributed", distributed), ("plain NumPy", numpy)):
        if run is None:
            continue
        for i, process in enumerate(run.traced_peak):
            first = (name, f"{run.seconds:.1f} s") if i == 0 else ("", "")
            lines.append(f"| {first[0]} | {first[1]} | {process} | {_mb(run.traced_peak[process])} | "
                         f"{_mb(run.max_rss[process])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare", action="store_true", help="also run the descent in plain NumPy")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the chunks inside every step instead of keeping them in the workers")
    parser.add_argument("--trace", action="store_true",
                        help="trace NumPy allocations (peak per process; slows the workers down)")
    parser.add_argument("--quick", action="store_true", help="20,000 rows in 4 chunks, 5 steps")
    options = parser.parse_args(argv)
    if options.quick:
        options.rows, options.chunks, options.steps = 20_000, 4, 5
    shape = (options.rows, options.features, options.chunks)
    distributed = run_distributed(*shape, options.steps, options.lr, options.workers, options.trace,
                                  options.regenerate)
    print(f"dask.distributed: loss {distributed.losses[0]:.4f} -> {distributed.losses[-1]:.4f} "
          f"in {options.steps} steps, {distributed.seconds:.1f} s")
    numpy = None
    if options.compare:
        numpy = run_numpy(*shape, options.steps, options.lr, options.trace)
        difference = max(np.max(np.abs(numpy.w - distributed.w)), abs(numpy.b - distributed.b))
        print(f"plain NumPy: loss {numpy.losses[-1]:.4f}, {numpy.seconds:.1f} s; "
              f"largest difference in the parameters: {difference:.1e}")
    print(report(distributed, numpy, options.rows, options.features))
    return {"distributed": distributed, "numpy": numpy}


if __name__ == "__main__":
    main()
