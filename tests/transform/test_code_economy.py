"""What the generated code no longer does: store a value twice, recompute a common subexpression, allocate
a new cotangent per accumulation, call helpers that static types make unnecessary. Every case is checked
against central finite differences and against the unoptimized code."""

from __future__ import annotations

import numpy as np
from gradcheck import assert_close, check_grad

from srcgrad.pipeline import reverse_transform


def _agree_with_unoptimized(fn, args, argnums, rtol=1e-12):
    optimized = reverse_transform(fn, argnums, False, examples=args)
    unoptimized = reverse_transform(fn, argnums, False, optimize=False, examples=args)
    got = optimized.function(*args, 1.0)
    expected = unoptimized.function(*args, 1.0)
    assert len(got) == len(expected) == len(argnums)
    for k, (g, e) in enumerate(zip(got, expected)):
        assert np.shape(g) == np.shape(e)
        assert np.asarray(g).dtype == np.asarray(e).dtype
        assert_close(g, e, scale=max(1.0, float(np.max(np.abs(e)))), rtol=rtol, atol=1e-14, what=f"gradient {k}")
    return optimized.source


def rnn(Wx, Wh, b, h0, xs):
    h = h0
    for t in range(4):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def _rnn_args(rng):
    return (rng.normal(size=(3, 5)) * 0.5, rng.normal(size=(5, 5)) * 0.5, rng.normal(size=5) * 0.1,
            rng.normal(size=(2, 5)), rng.normal(size=(4, 2, 3)))


def test_a_loop_pushes_the_carried_state_once():
    """``h = tanh(...)`` in a loop: the adjoint reads both the old ``h`` and the tanh value; the tanh value is
    the new ``h``, so only ``h`` is stored."""
    args = _rnn_args(np.random.default_rng(0))
    check_grad(rnn, args, (0, 1, 2, 3))
    source = _agree_with_unoptimized(rnn, args, (0, 1, 2, 3))
    loop = source.split("for t in range_4:")[1].split("# adjoint sweep")[0]
    assert loop.count("stack.append(") == 1, source
    assert "stack.append(h)" in loop


def carried_then_changed(x):
    h = x
    for _ in range(3):
        t = np.sin(h)
        h = t
        t = t * 2.0   # the copy no longer equals t at the end of the body
        h = h + t
    return np.sum(h)


def test_a_copy_changed_later_in_the_body_is_still_stored():
    args = (np.array([0.3, -1.2, 2.0]),)
    check_grad(carried_then_changed, args, 0)
    _agree_with_unoptimized(carried_then_changed, args, (0,))
