"""Recursion through differentiated code: two Python frames per level, and past the limit a located
``RecursionDepthError`` that says how to go deeper (it is still a ``RecursionError``)."""

from __future__ import annotations

import sys

import pytest

import srcgrad
from srcgrad.locate import FRAMES_PER_CALL
from srcgrad.rules import registry


def chain(x, n):
    if n == 0:
        return x * x
    return chain(x, n - 1) * 1.0


def endless(x, k=0):
    """A primal with a rule: srcgrad calls it as it is, and the recursion is all the user's."""
    return endless(x, k + 1)


def calls_endless(x):
    return x * endless(x)


def test_two_frames_per_level():
    assert FRAMES_PER_CALL == 2
    depth = (sys.getrecursionlimit() - 200) // FRAMES_PER_CALL   # 400 at the default limit: 3 frames failed
    assert srcgrad.grad(chain)(1.5, depth) == 3.0
    value, tangent = srcgrad.jvp(chain, (1.5, depth), (1.0, None))
    assert (value, tangent) == (2.25, 3.0)


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_past_the_limit_a_located_error_says_what_to_do(mode):
    depth = sys.getrecursionlimit()
    with pytest.raises(srcgrad.RecursionDepthError) as info:
        if mode == "grad":
            srcgrad.grad(chain)(1.5, depth)
        else:
            srcgrad.jvp(chain, (1.5, depth), (1.0, None))
    error = info.value
    assert isinstance(error, RecursionError) and isinstance(error, srcgrad.SrcgradError)
    assert error.filename == __file__ and error.lineno == chain.__code__.co_firstlineno + 3
    assert "return chain(x, n - 1) * 1.0" in str(error)
    assert f"recursion limit ({depth})" in str(error)
    assert "sys.setrecursionlimit(2 * depth + 200)" in error.hint
    assert error.__traceback__ is not None and error.__cause__ is None


def test_with_a_raised_limit_the_same_recursion_runs():
    depth = sys.getrecursionlimit()
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(FRAMES_PER_CALL * depth + 400)
    try:
        assert srcgrad.grad(chain)(1.5, depth) == 3.0
    finally:
        sys.setrecursionlimit(previous)


def test_the_users_own_endless_recursion_stays_a_plain_recursion_error():
    saved = registry.snapshot()
    try:
        srcgrad.defvjp(endless, lambda g, ans, x, k=0: g)
        with pytest.raises(RecursionError) as info:
            srcgrad.grad(calls_endless)(1.5)
    finally:
        registry.restore(saved)
    assert not isinstance(info.value, srcgrad.SrcgradError)
