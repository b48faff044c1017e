"""Files shipped with srcgrad: the PyTorch autograd tutorial the Tensor shim was built against.

``tutorial.py`` is the tutorial's code cells as one script that begins with ``import torch``. It lives in
the package (not next to the repository) so that ``python -m srcgrad tutorial`` works from any installed
copy. It is a module only so that packaging ships it; importing it would run the tutorial.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

import srcgrad

_ABSENT = object()


def tutorial_path() -> Path:
    """Where the tutorial script is, for reading or running it."""
    return Path(__file__).with_name("tutorial.py")


def run_tutorial(seed: int | None = 0) -> dict[str, Any]:
    """Run the tutorial with ``import torch`` resolving to srcgrad, and return the script's globals.

    ``torch`` is bound to srcgrad only while the script runs: a real PyTorch imported before or after is
    left alone. ``seed`` goes to ``srcgrad.manual_seed`` first (PyTorch's reference output was recorded
    after ``torch.manual_seed(0)``; the random cells still differ, since the generators differ); ``None``
    leaves the generator as it is."""
    previous = sys.modules.get("torch", _ABSENT)
    sys.modules["torch"] = srcgrad
    try:
        if seed is not None:
            srcgrad.manual_seed(seed)
        return runpy.run_path(str(tutorial_path()), run_name="__main__")
    finally:
        if previous is _ABSENT:
            del sys.modules["torch"]
        else:
            sys.modules["torch"] = previous
