"""Make this directory's helpers importable (what they exercised is reported by tests/run_summaries.py)."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

