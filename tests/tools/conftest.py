"""Shared helpers of the tools tests (command line, pytest plugin, docs, examples).

The ``pytester`` plugin is requested in the module that uses it (test_pytest_plugin.py), not here: pytest
refuses ``pytest_plugins`` in a conftest below the root when the whole suite is collected.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = Path(__file__).resolve().parent / "data"


def run_srcgrad(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m srcgrad ARGS`` in a fresh interpreter, the way a user runs it (stdout is a pipe)."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "srcgrad", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=environment, timeout=120)


@pytest.fixture
def srcgrad_cli():
    return run_srcgrad
