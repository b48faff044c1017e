"""Core benchmark: srcgrad gradients against hand-written NumPy gradients and the peers, in one process.

    python3 benchmarks/bench_core.py                 # full run, prints the tables
    python3 benchmarks/bench_core.py --write-docs    # also rewrites docs/benchmarks.md's results + chart
    python3 benchmarks/bench_core.py --quick         # smoke run: small sizes, short samples

Candidates: srcgrad, HIPS ``autograd``, PyTorch eager (CPU), ``tangent-ad``, JAX eager and ``jax.jit``
(CPU, float64), each skipped with a note when not installed. Every gradient is checked against the
hand-written one before anything is timed; a mismatch raises. See README.md for the method.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# This checkout's srcgrad (not an installed one), and the benchmark modules beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bench_transform
import common  # benchmarks/common.py
import peers
import report
import workloads

import srcgrad

DOCS = Path(__file__).resolve().parent.parent / "docs"


def check_candidates(title: str, candidates: dict[str, Any], notes: dict[str, str] | None = None) -> None:
    """Check every candidate against the hand-written gradient, on each of its first two calls.

    Both calls are checked because srcgrad's first call with a new input signature runs the variant that
    also returns the output and later calls run the gradient-only variant, which is the one timed; and
    ``jax.jit`` compiles on its first call. The calls also warm caches up, so no transformation is timed.
    A peer whose first call raises (it cannot run this code) is taken out with a note in ``notes``; srcgrad
    raising, or any candidate's gradient differing, is an error."""
    expected = peers.normalise(candidates["hand"]())
    for name, fn in list(candidates.items()):
        if name != "hand":
            for call in ("first call", "second call"):
                try:
                    got = fn()
                except Exception as error:
                    if name == "srcgrad" or notes is None:
                        raise
                    notes[name] = f"cannot run it ({peers.failure(error)})"
                    del candidates[name]
                    break
                common.check_close(title, f"{name} ({call})", peers.normalise(got), expected)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 128x128 matmul chain, short samples, 2 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (best-of-N); default 7")
    parser.add_argument("--min-time", type=float, default=None,
                        help="minimum seconds per timing sample; default 0.2")
    parser.add_argument("--chain-size", type=int, default=None, help="matmul chain size; default 1000")
    parser.add_argument("--only", action="append", choices=list(workloads.SPECS),
                        help="run only this workload (repeatable)")
    parser.add_argument("--skip", action="append", choices=list(peers.PEERS), default=[],
                        help="leave this peer out even if it is installed (repeatable)")
    parser.add_argument("--write-docs", action="store_true",
                        help="rewrite the results part of docs/benchmarks.md and docs/benchmarks.png")
    return parser.parse_args(argv)


def header() -> str:
    versions = peers.installed()
    parts = [f"python {platform.python_version()}, numpy {np.__version__}, srcgrad {srcgrad.__version__}, "
             f"{os.cpu_count()} CPUs"]
    for name in ("autograd", "torch", "tangent", "jax"):
        label = report.LABELS[name]
        if versions[name] is None:
            parts.append(f"{label} not installed: skipped")
        elif name == "torch":
            parts.append(f"{label} {versions[name]} ({peers.torch.get_num_threads()} threads)")
        else:
            parts.append(f"{label} {versions[name]}")
    if os.environ.get("OPENBLAS_CORETYPE"):
        parts.append(f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}")
    return "; ".join(parts)


def run_workload(key: str, rng: np.random.Generator, args: argparse.Namespace, rounds: int,
                 min_time: float, chain_size: int) -> dict[str, Any]:
    spec = workloads.SPECS[key]
    title = spec.title.replace("N×N", f"{chain_size}×{chain_size}")
    inputs = workloads.make_args(key, rng, chain_size)
    skip = set(args.skip) | (set(spec.slow_peers) if args.quick else set())
    candidates, notes = peers.candidates(spec, inputs, skip)
    for name in spec.slow_peers if args.quick else ():
        if notes.get(name) == "left out (--skip)" and name not in args.skip:
            notes[name] = "left out of --quick runs (seconds per call or compilation)"
    check_candidates(title, candidates, notes)
    sample_time = min(min_time, spec.max_sample_time or min_time)
    timings = common.time_interleaved(candidates, sample_time, rounds)
    hand = timings["hand"].best
    print(f"  {key}: checked and timed", file=sys.stderr, flush=True)
    return {"key": key, "title": title, "target": spec.target, "checked": True, "timings": timings, "hand": hand,
            "notes": notes, "ratios": {name: t.best / hand for name, t in timings.items() if name != "hand"}}


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    rounds = args.rounds if args.rounds is not None else (2 if args.quick else 7)
    min_time = args.min_time if args.min_time is not None else (0.005 if args.quick else 0.2)
    chain_size = args.chain_size if args.chain_size is not None else (128 if args.quick else 1000)
    keys = [k for k in workloads.SPECS if k in set(args.only or workloads.SPECS)]

    head = header()
    print(head, flush=True)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    results = [run_workload(key, rng, args, rounds, min_time, chain_size) for key in keys]
    shown = [p for p in peers.PEERS if any(p in r["ratios"] for r in results)]

    table = report.ratio_table(results, shown)
    method = (f"Ratios: best-of-{rounds} time / hand-written best-of-{rounds} time (lower is better). Every "
              f"gradient matched the hand-written one (np.allclose, rtol 1e-7) before timing; {rounds} "
              f"interleaved rounds, samples ≥ {min_time:g} s. Total {time.perf_counter() - started:.0f} s.\n\n"
              f"{report.summary(results, shown)}")
    details = report.detail_table(results)
    left_out = report.notes(results)
    print(f"\n{table}\n\n{method}\n\nPer candidate (best and median over the rounds; calls per sample):\n\n"
          f"{details}")
    for line in left_out:
        print(f"Note: {line}")
    if args.write_docs:
        chart_note = report.bar_chart(results, shown, DOCS / "benchmarks.png")
        body = [f"Measured on: {head}.", "", table, "", method, ""]
        body += ["![ratios to the hand-written gradient, log axis](benchmarks.png)" if chart_note is None
                 else f"({chart_note})", ""]
        body += [f"- {line}" for line in left_out]
        body += ["", "<details><summary>Best and median per candidate</summary>", "", details, "", "</details>"]
        report.replace_results(DOCS / "benchmarks.md", "\n".join(body))
        tables = bench_transform.main(["--quick"] if args.quick else [])
        report.replace_results(DOCS / "benchmarks.md", f"{tables['times']}\n\n{tables['memory']}", "transform")
    return results


if __name__ == "__main__":
    main()
