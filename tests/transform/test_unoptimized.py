"""The unoptimized generated code is correct too: for every function of the straight-line and control-flow
corpora (whose optimized gradients are checked against finite differences there), the code generated with
``optimize=False`` gives the same gradients, and it really is unoptimized (the passes change something)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import test_corpus_control
import test_corpus_straight
from gradcheck import Case, assert_close

from srcgrad.pipeline import reverse_transform

CASES = list(test_corpus_straight.CORPUS) + list(test_corpus_control.CORPUS)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_unoptimized_code_gives_the_optimized_gradients(c: Case):
    args = c.args()
    wrt = tuple(c.wrt)
    optimized = reverse_transform(c.fn, wrt, False, examples=args)
    unoptimized = reverse_transform(c.fn, wrt, False, optimize=False, examples=args)
    expected = _leaves(optimized.function(*args, 1.0))
    got = _leaves(unoptimized.function(*args, 1.0))
    assert len(got) == len(expected)
    for k, (g, e) in enumerate(zip(got, expected)):
        scale = max(1.0, float(np.max(np.abs(e))) if np.size(e) else 1.0)
        assert_close(g, e, scale=scale, rtol=1e-9, atol=1e-12,
                     what=f"{c.name}: gradient {k}")


def test_the_passes_change_the_code():
    changed = 0
    for c in CASES:
        args = c.args()
        optimized = reverse_transform(c.fn, tuple(c.wrt), False, examples=args).source
        unoptimized = reverse_transform(c.fn, tuple(c.wrt), False, optimize=False, examples=args).source
        changed += optimized != unoptimized
    assert changed >= len(CASES) // 2
