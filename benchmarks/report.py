"""Turning results into the markdown tables and the bar chart of docs/benchmarks.md.

The runner rewrites only the parts of docs/benchmarks.md between ``<!-- results:begin -->`` and
``<!-- results:end -->`` (and the ``transform`` markers); the prose around them is kept."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def markers(block: str) -> tuple[str, str]:
    return f"<!-- {block}:begin -->", f"<!-- {block}:end -->"
LABELS = {"srcgrad": "srcgrad", "autograd": "HIPS autograd", "torch": "PyTorch eager", "tangent": "tangent-ad",
          "jax": "JAX eager", "jax.jit": "JAX jit"}


def ratio_table(results: Sequence[dict[str, Any]], peers: Sequence[str]) -> str:
    header = ["workload", "hand-written", "srcgrad", "target"] + [LABELS[p] for p in peers]
    rows = []
    for r in results:
        target = r["target"]
        mark = "" if target is None else (" ✓" if r["ratios"]["srcgrad"] <= target else " ✗")
        rows.append([r["title"], common.format_time(r["hand"]), common.format_ratio(r["ratios"]["srcgrad"]) + mark,
                     "—" if target is None else f"≤ {target:g}×"]
                    + [common.format_ratio(r["ratios"].get(p)) for p in peers])
    return common.markdown_table(header, rows)


def summary(results: Sequence[dict[str, Any]], peers: Sequence[str]) -> str:
    """The figures the speed targets are stated in: srcgrad's geometric mean over the workloads, how many are
    within 1.5× of the hand-written gradient, and the workloads where HIPS autograd or PyTorch eager (the
    peers the targets name) is faster."""
    ratios = [r["ratios"]["srcgrad"] for r in results]
    geomean = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
    within = sum(x <= 1.5 for x in ratios)
    slower = [f"{r['key']} ({LABELS[p]} {r['ratios'][p] / r['ratios']['srcgrad']:.2f}× srcgrad's time)"
              for r in results for p in peers if p in ("autograd", "torch")
              and r["ratios"].get(p) is not None and r["ratios"][p] < r["ratios"]["srcgrad"]]
    return (f"srcgrad: geometric mean {geomean:.2f}× over {len(ratios)} workloads; {within} of {len(ratios)} "
            f"within 1.5×. Faster than srcgrad (HIPS autograd, PyTorch eager): {', '.join(slower) or 'none'}.")


def detail_table(results: Sequence[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        for name, t in r["timings"].items():
            rows.append([r["key"], name, common.format_time(t.best), common.format_time(t.median),
                         f"{t.median / t.best:.2f}", str(t.loops)])
    return common.markdown_table(["workload", "candidate", "best", "median", "median/best", "calls/sample"], rows)


def notes(results: Sequence[dict[str, Any]]) -> list[str]:
    """One line per peer left out of a workload (not installed, or unable to run it), merged across
    workloads where the reason is the same."""
    by_reason: dict[tuple[str, str], list[str]] = {}
    for r in results:
        for peer, reason in r["notes"].items():
            by_reason.setdefault((peer, reason), []).append(r["key"])
    return [f"{LABELS.get(peer, peer)}: {reason} ({', '.join(keys)})" for (peer, reason), keys in by_reason.items()]


def bar_chart(results: Sequence[dict[str, Any]], peers: Sequence[str], path: Path) -> str | None:
    """A grouped bar chart of the ratios on a log axis, saved to ``path``; None, or why not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[bench]'): no chart written"
    names = ["srcgrad", *peers]
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(10.0, 0.5 * len(results)), 4.8), dpi=110)
    for k, name in enumerate(names):
        xs, ys = [], []
        for i, r in enumerate(results):
            if r["ratios"].get(name) is not None:
                xs.append(i + (k - (len(names) - 1) / 2) * width)
                ys.append(r["ratios"][name])
        ax.bar(xs, ys, width, label=LABELS[name])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("gradient time / hand-written NumPy (log)")
    ax.set_xticks(range(len(results)), [r["key"] for r in results], rotation=45, ha="right")
    ax.legend(ncol=3, fontsize=8)
    ax.set_title("Gradient time as a multiple of the hand-written NumPy gradient (lower is better)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return None


def replace_results(doc: Path, body: str, name: str = "results") -> None:
    """Put ``body`` between the ``name`` markers of ``doc`` (appending the markers if missing)."""
    text = doc.read_text() if doc.exists() else ""
    begin, end = markers(name)
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)
