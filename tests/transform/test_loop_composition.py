"""The adjoint of a loop that only doubles a value is one multiplication, bit for bit the same numbers as
the loop; loops it cannot prove that for are left alone."""

from __future__ import annotations

import gast
import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad
from srcgrad.pipeline import reverse_transform
from srcgrad.transform.loops import compose_scaling_loops, scale_repeatedly


def _looped(value, factor, times):
    for _ in range(times):
        value = value * factor
    return value


TINY = np.array([5e-324, -2.5e-310, 1e-300, 0.0, -0.0])
VALUES = [np.array([0.1, -3.0, 1e300, np.inf, np.nan]), TINY, 0.7, -1.5e-320, complex(0.3, -1e308),
          np.array([1 + 2j, -1e-310j]), np.float64(3.0), np.array(2.5)]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("factor", [2, 4, 8.0, 1024, 3, 0.5, np.float64(2.0), 2**70])
@pytest.mark.parametrize("times", [0, 1, 7, 100, 1100])
def test_scale_repeatedly_is_the_loop_bit_for_bit(value, factor, times):
    with np.errstate(over="ignore", invalid="ignore"):
        got, expected = scale_repeatedly(value, factor, times), _looped(value, factor, times)
    assert type(got) is type(expected)
    got_a, expected_a = np.asarray(got), np.asarray(expected)
    assert got_a.dtype == expected_a.dtype and got_a.shape == expected_a.shape
    assert got_a.tobytes() == expected_a.tobytes()


def test_scale_repeatedly_runs_the_loop_for_other_dtypes():
    value = np.array([0.0, 1e-40, 3.0], dtype=np.float32)
    with np.errstate(over="ignore"):
        got = scale_repeatedly(value, 2, 200)
        expected = _looped(value, 2, 200)
    assert got.dtype == np.float32
    assert got.tobytes() == expected.tobytes()   # 0 stays 0 (0 * inf would be nan)


def doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def tripling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 3
    return y


def halving(x):
    y = x * 1000.0
    while np.linalg.norm(y) > 1:
        y = y * 0.5
    return np.sum(y)


def test_the_doubling_adjoint_is_composed_and_exact():
    x = np.array([0.3, -0.7, 1e-3])
    source = reverse_transform(doubling, (0,), False).source
    assert "scale_repeatedly(d_y, 2, n_iter)" in source and "for " not in source.split("adjoint sweep")[1]
    unoptimized = reverse_transform(doubling, (0,), False, optimize=False)
    assert "scale_repeatedly" not in unoptimized.source
    ct = np.array([0.1, 1.0, 0.0001])
    (got,) = reverse_transform(doubling, (0,), False).function(x, ct)
    (expected,) = unoptimized.function(x, ct)
    assert got.dtype == np.float64 and got.tobytes() == expected.tobytes()
    out, vjp_fn = srcgrad.vjp(doubling, x)
    (g,) = vjp_fn(ct)
    trips = int(np.ceil(np.log2(1000 / np.linalg.norm(x * 2)))) + 1
    np.testing.assert_array_equal(g, ct * 2.0 ** trips)
    np.testing.assert_array_equal(out, x * 2.0 ** trips)


@pytest.mark.parametrize("fn", [tripling, halving])
def test_other_factors_run_the_loop_inside_the_call(fn):
    """A factor that is not a power of two ≥ 2 is moved out too, and the call multiplies trip by trip."""
    source = reverse_transform(fn, (0,), False).source
    assert "scale_repeatedly(" in source and "d_y = d_y *" not in source.split("adjoint sweep")[1]
    x = np.array([0.3, -0.7, 0.2])
    ct = np.array([0.1, 1.0, 0.0001]) if fn is tripling else 1.0
    (got,) = reverse_transform(fn, (0,), False).function(x, ct)
    (expected,) = reverse_transform(fn, (0,), False, optimize=False).function(x, ct)
    assert got.dtype == np.float64 and got.tobytes() == expected.tobytes()
    check_grad(lambda x: np.sum(fn(x)) if fn is tripling else fn(x), [x])


def decayed_sum(x, rate, n):
    """A decay rate the loop does not change, beside other work in the same loop."""
    y = x
    total = 0.0
    for t in range(n):
        total = total + np.sum(np.sin(x) * t)
        y = y * rate
    return np.sum(y * y) + total


@pytest.mark.parametrize("rate", [2.0, 0.9, 4])
def test_an_invariant_factor_among_other_statements(rate):
    x = np.array([0.3, -0.7, 0.2])
    generated = reverse_transform(decayed_sum, (0,), False, examples=(x, rate, 6))
    adjoint = generated.source.split("adjoint sweep")[1]
    assert "scale_repeatedly(d_y, rate, len(range_n))" in adjoint and "d_y = d_y * rate" not in adjoint
    (got,) = generated.function(x, rate, 6, 1.0)
    (expected,) = reverse_transform(decayed_sum, (0,), False, optimize=False).function(x, rate, 6, 1.0)
    assert got.dtype == np.float64 and got.tobytes() == expected.tobytes()
    check_grad(lambda x: decayed_sum(x, rate, 6), [x])


def test_loops_that_read_their_variable_are_left_alone():
    namespace = type("N", (), {"bindings": {"range": range, "reversed": reversed}, "ref": lambda self, obj: gast.Name(
        obj.__name__, gast.Load(), None, None)})()
    fn = gast.parse("def f(v, n):\n    for t in range(n):\n        v = v * 2\n    return v, t\n").body[0]
    kept = gast.unparse(compose_scaling_loops(fn, namespace))   # t is read after: its loop stays, empty
    assert "v = scale_repeatedly(v, 2, n)\n    for t in range(n):\n        pass" in kept
    fn = gast.parse("def f(v, n):\n    for t in range(n):\n        v = v * 2\n    return v\n").body[0]
    assert "v = scale_repeatedly(v, 2, n)" in gast.unparse(compose_scaling_loops(fn, namespace))
    fn = gast.parse("def f(v, n):\n    for t in range(v):\n        v = v * 2\n    return v\n").body[0]
    assert "for t in range(v)" in gast.unparse(compose_scaling_loops(fn, namespace))
    fn = gast.parse("def f(v, n):\n    for t in range(n):\n        v = v * 2.5\n    return v\n").body[0]
    assert "v = scale_repeatedly(v, 2.5, n)" in gast.unparse(compose_scaling_loops(fn, namespace))
    # the factor changes in the loop, the value is read by another statement, the factor is the loop index
    for body in ("v = v * c\n        c = c + 1", "v = v * c\n        w = v", "v = v * t",
                 "v = v * 2\n        if t > c:\n            break"):
        fn = gast.parse(f"def f(v, n, c):\n    for t in range(n):\n        {body}\n    return v\n").body[0]
        assert "scale_repeatedly" not in gast.unparse(compose_scaling_loops(fn, namespace)), body
