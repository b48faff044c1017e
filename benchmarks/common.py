"""Shared helpers for the benchmarks: gradient checks, calibrated interleaved timing, table formatting.

Timing method (see README.md): every candidate is first checked against the hand-written reference; then a
loop count is calibrated per candidate so that one timing sample takes at least ``min_time`` seconds; then
``rounds`` interleaved rounds each take one sample of every candidate (the order rotates from round to
round), and the best (smallest) per-call time over the rounds is reported. As in ``timeit``, the garbage
collector is disabled while a sample runs.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class GradientMismatch(AssertionError):
    """A candidate's gradient differs from the hand-written one."""


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        out: list[Any] = []
        for v in value:
            out.extend(_leaves(v))
        return out
    return [value]


def check_close(workload: str, candidate: str, got: Any, expected: Any,
                rtol: float = 1e-7, atol: float = 1e-10) -> None:
    """Raise ``GradientMismatch`` unless ``got`` and ``expected`` (nested tuples of arrays) agree."""
    got_leaves, exp_leaves = _leaves(got), _leaves(expected)
    if len(got_leaves) != len(exp_leaves):
        raise GradientMismatch(f"{workload}/{candidate}: {len(got_leaves)} gradient parts, expected "
                               f"{len(exp_leaves)}")
    for k, (g, e) in enumerate(zip(got_leaves, exp_leaves)):
        g_arr, e_arr = np.asarray(g), np.asarray(e)
        if g_arr.shape != e_arr.shape:
            raise GradientMismatch(f"{workload}/{candidate}: gradient part {k} has shape {g_arr.shape}, "
                                   f"expected {e_arr.shape}")
        if not np.allclose(g_arr, e_arr, rtol=rtol, atol=atol):
            diff = np.max(np.abs(g_arr - e_arr)) if g_arr.size else 0.0
            raise GradientMismatch(f"{workload}/{candidate}: gradient part {k} differs from the hand-written "
                                   f"one (max abs difference {diff:.3g})")


def _sample(fn: Callable[[], Any], loops: int) -> float:
    """Seconds for ``loops`` calls of ``fn``, with the garbage collector off (as ``timeit`` does)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        return time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def calibrate(fn: Callable[[], Any], min_time: float, max_loops: int = 1_000_000) -> int:
    """The smallest loop count (growing roughly geometrically) whose sample takes at least ``min_time``."""
    loops = 1
    while True:
        elapsed = _sample(fn, loops)
        if elapsed >= min_time or loops >= max_loops:
            return loops
        if elapsed <= 0:
            loops *= 10
        else:
            # Aim a little past the target, but grow at least 2x and at most 100x per step.
            factor = min(100.0, max(2.0, 1.2 * min_time / elapsed))
            loops = min(max_loops, math.ceil(loops * factor))


@dataclass
class Timing:
    name: str
    loops: int
    samples: list[float] = field(default_factory=list)   # seconds per call, one per round

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return float(np.median(self.samples))


def time_interleaved(candidates: dict[str, Callable[[], Any]], min_time: float, rounds: int,
                     loops: dict[str, int] | None = None) -> dict[str, Timing]:
    """Best-of-``rounds`` per-call times, taking one sample of every candidate in each round.

    ``loops`` fixes the loop count for some candidates (e.g. 1 for slow workloads); the others are
    calibrated against ``min_time``."""
    names = list(candidates)
    timings = {}
    for name in names:
        fixed = (loops or {}).get(name)
        n = fixed if fixed is not None else calibrate(candidates[name], min_time)
        timings[name] = Timing(name, n)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            t = timings[name]
            t.samples.append(_sample(candidates[name], t.loops) / t.loops)
    return timings


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def format_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
