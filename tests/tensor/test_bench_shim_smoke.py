"""Smoke test for benchmarks/bench_shim.py: a --quick run completes and both loops' gradients check."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_shim.py"


def test_quick_run_checks_gradients_and_reports_ratios(capsys):
    spec = importlib.util.spec_from_file_location("bench_shim", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_shim"] = module
    spec.loader.exec_module(module)
    results = module.main(["--quick"])
    assert [r["key"] for r in results] == ["norm", "scalar", "polynomial fit, 50 steps", "two-layer net, 5 steps"]
    assert all(r["srcgrad"] > 0 for r in results)
    assert "| workload | srcgrad shim | torch eager | shim / torch |" in capsys.readouterr().out
