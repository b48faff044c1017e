"""Smoke tests for benchmarks/bench_core.py: a --quick run completes and every gradient check passes.

Timings are not checked; the gradient checks inside the benchmark raise on any mismatch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_core():
    return _load("bench_core")


def test_quick_run_completes_with_checked_gradients(bench_core, capsys):
    results = bench_core.main(["--quick"])
    keys = [r["key"] for r in results]
    assert keys == list(bench_core.workloads.SPECS) and len(keys) >= 20
    assert keys[:6] == ["mlp", "chain", "loop", "norm", "rnn", "logreg"]
    for r in results:
        assert r["checked"]
        assert "srcgrad" in r["ratios"] and r["ratios"]["srcgrad"] > 0
        # Every installed peer either ran (and was checked) or says why not.
        for peer, version in bench_core.peers.installed().items():
            assert (peer in r["ratios"]) != (peer in r["notes"]), (r["key"], peer)
            if version is None:
                assert r["notes"][peer] == "not installed"
    out = capsys.readouterr().out
    assert "| workload | hand-written | srcgrad | target |" in out


def test_write_docs_replaces_only_the_results_block(bench_core, tmp_path):
    report = bench_core.report
    doc = tmp_path / "b.md"
    doc.write_text(f"intro\n{report.BEGIN}\nold\n{report.END}\noutro\n")
    report.replace_results(doc, "new table")
    assert doc.read_text() == f"intro\n{report.BEGIN}\nnew table\n{report.END}\noutro\n"
    fresh = tmp_path / "c.md"
    report.replace_results(fresh, "t")
    assert fresh.read_text() == f"\n\n{report.BEGIN}\nt\n{report.END}\n"


def test_bar_chart_is_a_png_or_says_why_not(bench_core, tmp_path):
    results = [{"key": "a", "ratios": {"srcgrad": 1.2, "torch": 30.0}}, {"key": "b", "ratios": {"srcgrad": 0.9}}]
    path = tmp_path / "chart.png"
    note = bench_core.report.bar_chart(results, ["torch"], path)
    if note is None:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "matplotlib" in note and not path.exists()


def test_transform_benchmark_quick_run():
    bench_transform = _load("bench_transform")
    tables = bench_transform.main(["--quick"])
    assert "20-line function" in tables["times"] and " ms |" in tables["times"]
    assert "MiB" in tables["memory"]


def test_quick_run_without_optional_frameworks():
    # The peers made unimportable: the script must still run, leaving their columns out.
    code = ("import sys, runpy\nfor m in ('autograd', 'torch', 'tangent', 'jax', 'matplotlib'): sys.modules[m] = None\n"
            f"sys.argv = ['bench_core.py', '--quick']; runpy.run_path({str(BENCH_DIR / 'bench_core.py')!r}, "
            "run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for peer in ("HIPS autograd", "PyTorch eager", "tangent-ad", "JAX eager"):
        assert f"{peer} not installed: skipped" in proc.stdout
    assert "| workload | hand-written | srcgrad | target |\n" in proc.stdout


def test_check_close_fails_loudly(bench_core):
    common = bench_core.common
    common.check_close("w", "c", (np.ones(3), 2.0), (np.ones(3), 2.0))
    with pytest.raises(common.GradientMismatch, match="differs"):
        common.check_close("w", "c", (np.ones(3), 2.0), (np.ones(3), 2.1))
    with pytest.raises(common.GradientMismatch, match="shape"):
        common.check_close("w", "c", np.ones(3), np.ones(4))
