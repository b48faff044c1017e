"""Golden files of generated code: ``srcgrad.show`` must reproduce ``golden/<name>.golden`` byte for byte.

Generated code is part of srcgrad's interface (people read it, debug it and step through it), so any
change to it should be deliberate. After an intended change, regenerate the files with
``SRCGRAD_UPDATE_GOLDEN=1 python3 -m pytest tests/transform/test_golden.py`` and review the diff.
The functions below are golden inputs: the generated code quotes their lines, so editing or moving them
changes the golden files too."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import srcgrad

GOLDEN_DIR = Path(__file__).with_name("golden")
UPDATE = os.environ.get("SRCGRAD_UPDATE_GOLDEN") == "1"


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def logistic_regression(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def if_else(x, w):
    if np.sum(x) > 0:
        y = np.tanh(x) * w
    else:
        y = x ** 2
    return np.sum(y)


def for_loop(h, W, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h ** 2)


GOLDEN = {
    "mlp_loss": (mlp_loss, (0, 1, 2, 3)),
    "logistic_regression": (logistic_regression, (0, 1)),
    "if_else": (if_else, (0, 1)),
    "for_loop": (for_loop, (0, 1)),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_generated_code_matches_golden_file(name):
    fn, argnums = GOLDEN[name]
    source = srcgrad.show(fn, argnums=argnums)
    path = GOLDEN_DIR / f"{name}.golden"
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(source)
    assert path.exists(), f"{path} is missing; create it with SRCGRAD_UPDATE_GOLDEN=1"
    expected = path.read_text()
    assert source == expected, (f"generated code for {name} differs from {path}; if the change is intended, "
                                "rerun with SRCGRAD_UPDATE_GOLDEN=1 and review the diff")


def test_golden_files_are_valid_python_without_stray_files():
    assert sorted(p.stem for p in GOLDEN_DIR.iterdir()) == sorted(GOLDEN)
    for path in GOLDEN_DIR.iterdir():
        compile(path.read_text(), str(path), "exec")
