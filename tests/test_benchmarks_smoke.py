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
    assert [r["key"] for r in results] == ["mlp", "chain", "loop", "norm"]
    for r in results:
        assert r["checked"]
        assert "srcgrad" in r["ratios"] and r["ratios"]["srcgrad"] > 0
    out = capsys.readouterr().out
    assert "| workload | hand-written | srcgrad | ratio | autograd ratio | torch ratio |" in out


def test_quick_run_without_optional_frameworks():
    # autograd and torch made unimportable: the script must still run, leaving their columns out.
    code = ("import sys, runpy; sys.modules['autograd'] = None; sys.modules['torch'] = None; "
            f"sys.argv = ['bench_core.py', '--quick']; runpy.run_path({str(BENCH_DIR / 'bench_core.py')!r}, "
            "run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "autograd not installed: skipped" in proc.stdout
    assert "torch not installed: skipped" in proc.stdout


def test_check_close_fails_loudly(bench_core):
    common = bench_core.common
    common.check_close("w", "c", (np.ones(3), 2.0), (np.ones(3), 2.0))
    with pytest.raises(common.GradientMismatch, match="differs"):
        common.check_close("w", "c", (np.ones(3), 2.0), (np.ones(3), 2.1))
    with pytest.raises(common.GradientMismatch, match="shape"):
        common.check_close("w", "c", np.ones(3), np.ones(4))
