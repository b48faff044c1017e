"""Compiled gradients: ``grad(f, compile="numba")`` against the hand-written gradient, srcgrad's uncompiled
gradient and ``jax.jit(jax.grad(f))``, side by side in one process, on the loop workloads of
``workloads.py`` (the ones whose generated code Numba compiles).

    python3 benchmarks/bench_compiled.py            # full run
    python3 benchmarks/bench_compiled.py --quick    # smoke run

Every candidate's gradient is checked against the hand-written one before timing. Times are best-of-N per
call after the first (compiled) call; compile time is the first call's time minus a later call's, for
srcgrad's Numba code and for JAX's jit. Run with one BLAS thread (OMP_NUM_THREADS=1) as docs/compiled.md
does. Peers that are not installed are left out with a note."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# This checkout's srcgrad (not an installed one), and the benchmark modules beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # benchmarks/common.py
import peers  # benchmarks/peers.py
import workloads

import srcgrad
from srcgrad.numba_backend import CompileWarning, numba_available

KEYS = ("loop", "rosenbrock_loop", "ode", "control", "rnn", "heat")


def _first_call(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def run(key: str, rounds: int, min_time: float) -> dict[str, Any]:
    spec = workloads.SPECS[key]
    args = workloads.make_args(key, np.random.default_rng(0), 24)
    candidates: dict[str, Callable[[], Any]] = {"hand": lambda: spec.hand(*args)}
    plain = srcgrad.grad(spec.fn, argnums=spec.argnums)
    candidates["srcgrad"] = lambda: plain(*args)
    compiled = srcgrad.grad(spec.fn, argnums=spec.argnums, compile="numba")
    candidates["srcgrad numba"] = lambda: compiled(*args)
    notes, compile_times = [], {}
    if peers.jax is not None and "jax.jit" not in spec.cannot:
        made = peers.BUILDERS["jax.jit"](spec, args)
        if isinstance(made, str):
            notes.append(f"jax.jit: {made}")
        else:
            candidates["jax.jit"] = made
    else:
        notes.append("jax.jit: " + (spec.cannot.get("jax.jit") or "not installed"))
    expected = spec.hand(*args)
    for name, candidate in candidates.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CompileWarning)
            result, first = _first_call(candidate)
        for warning in caught:
            notes.append(f"{name}: {warning.message}")
        _, again = _first_call(candidate)
        if name in ("srcgrad numba", "jax.jit"):
            compile_times[name] = max(first - again, 0.0)
        got = result if isinstance(result, tuple) else (result,)
        common.check_close(key, name, got if len(got) > 1 else got[0],
                           expected if isinstance(expected, tuple) and len(expected) > 1 else
                           (expected[0] if isinstance(expected, tuple) else expected))
    used = any(entry.function is not None for entry in compiled.compiled.values())
    timings = common.time_interleaved(candidates, min_time, rounds)
    return {"key": key, "title": spec.title, "timings": timings, "compile": compile_times, "notes": notes,
            "compiled": used}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few rounds, short samples")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--only", nargs="*", choices=KEYS)
    options = parser.parse_args(argv)
    rounds = options.rounds or (2 if options.quick else 7)
    min_time = 0.005 if options.quick else 0.2
    if not numba_available():
        print("Numba is not installed (pip install 'srcgrad[numba]'): nothing to compare")
        return
    import numba

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, Numba {numba.__version__}, "
          f"JAX {peers.jax.__version__ if peers.jax is not None else 'not installed'}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {platform.machine()}")
    rows, notes = [], []
    for key in options.only or KEYS:
        result = run(key, rounds, min_time)
        t = {name: timing.best for name, timing in result["timings"].items()}
        hand = t["hand"]

        def cell(name: str, t: dict[str, float] = t, hand: float = hand) -> str:
            if name not in t:
                return "—"
            return f"{common.format_time(t[name])} ({t[name] / hand:.2f}×)"

        vs_jax = f"{t['srcgrad numba'] / t['jax.jit']:.2f}×" if "jax.jit" in t else "—"
        compile_cell = " / ".join(f"{result['compile'][name]:.2f} s" if name in result["compile"] else "—"
                                  for name in ("srcgrad numba", "jax.jit"))
        rows.append([result["title"], common.format_time(hand), cell("srcgrad"),
                     cell("srcgrad numba") + ("" if result["compiled"] else " (not compiled)"), cell("jax.jit"),
                     vs_jax, compile_cell])
        notes += [f"{key}: {note}" for note in result["notes"]]
    print()
    print(common.markdown_table(["workload", "hand-written", "srcgrad", "srcgrad numba", "jax.jit(grad)",
                                 "numba / jax.jit", "compile: numba / jax"], rows))
    print(f"\nBest of {rounds} interleaved rounds per call (ratio to the hand-written gradient); every gradient "
          "matched the hand-written one (rtol 1e-7) before timing.")
    for note in notes:
        print(f"Note: {note}")


if __name__ == "__main__":
    main()
