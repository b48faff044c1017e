"""srcgrad.testing.check_grads: passes on correct gradients of every argument kind, and fails, with the
argument, index, both values and the generated code, on wrong ones."""

from __future__ import annotations

import inspect
import itertools
import math
import re

import numpy as np
import pytest

import srcgrad
from srcgrad.testing import GradCheckSummary, check_grads

RNG = np.random.default_rng(0)


def mlp(params, x, n_layers):
    h = x
    for i in range(n_layers):
        h = np.tanh(h @ params[i]["W"] + params[i]["b"])
    return np.mean(h ** 2)


def polynomial(x, y):
    return np.sum(x ** 3) * y + math.sin(y)


def triple(x):  # a function srcgrad is given a wrong rule for (d(x*x)/dx is 2x, not 3x)
    return x * x


srcgrad.defvjp(triple, lambda g, ans, x: g * 3 * x)


def uses_triple(x, scale):
    return np.sum(triple(x)) * scale


def almost_cube(x):  # a rule that is right at x = 1 only: 3x**2 + (x - 1)
    return x ** 3


srcgrad.defvjp(almost_cube, lambda g, ans, x: g * (3 * x ** 2 + (x - 1.0)))


def uses_almost_cube(x):
    return almost_cube(x)


def scaled(x):  # float32 rule off by 5 %
    return x * 2


srcgrad.defvjp(scaled, lambda g, ans, x: g * np.float32(2.1))


def uses_scaled(x):
    return np.sum(scaled(x))


def vector(x):
    return np.sin(x)


def params(sizes, dtype=np.float64):
    return [{"W": RNG.normal(size=(a, b)).astype(dtype), "b": RNG.normal(size=b).astype(dtype)}
            for a, b in itertools.pairwise(sizes)]


def test_passes_on_arrays_floats_and_nested_parameters():
    summary = check_grads(polynomial, (RNG.normal(size=4), 0.7))
    assert isinstance(summary, GradCheckSummary)
    assert summary.checked == 5 and summary.order == 1
    assert summary.max_tolerance_fraction <= 1
    # a list of dicts of arrays; the integer argument is not differentiable and is skipped
    summary = check_grads(mlp, (params([3, 4, 2]), RNG.normal(size=(5, 3)), 2))
    assert summary.checked == 3 * 4 + 4 + 4 * 2 + 2 + 5 * 3


def test_argnums_restricts_the_check():
    assert check_grads(polynomial, (RNG.normal(size=4), 0.7), argnums=1).checked == 1
    assert check_grads(polynomial, (RNG.normal(size=4), 0.7), argnums=(0,)).checked == 4


def test_float32_uses_float32_steps_and_tolerances():
    x = RNG.normal(size=4).astype(np.float32)
    assert check_grads(polynomial, (x, np.float32(0.7))).checked == 5
    assert check_grads(mlp, (params([3, 2], np.float32), RNG.normal(size=(4, 3)).astype(np.float32), 1),
                       order=2).order == 2


def test_second_order_passes():
    summary = check_grads(polynomial, (RNG.normal(size=3), 0.7), order=2)
    assert summary.checked == 4 + 4 * 4


def test_failure_names_argument_index_values_and_shows_the_code():
    with pytest.raises(AssertionError) as info:
        check_grads(uses_triple, (np.array([1.0, 2.0]), 2.0))
    message = str(info.value)
    assert "check_grads(uses_triple): srcgrad's gradient disagrees with central finite differences in 2 of 3" \
        in message
    assert "d/d args[0][0]: srcgrad 6.0, finite differences 4.0" in message
    assert "d/d args[0][1]: srcgrad 12.0, finite differences 8.0" in message
    assert "args[1]" not in message.split("The generated adjoint", maxsplit=1)[0]  # the scale's gradient is right
    assert "srcgrad.show(uses_triple, *args, argnums=(0, 1))" in message
    assert "def uses_triple_grad(x, scale, d_out):" in message
    line = inspect.getsourcelines(uses_triple)[1] + 1
    assert f"# line {line}: return np.sum(triple(x)) * scale" in message


def test_nested_arguments_are_named_by_their_path():
    def wrong_in_dict(p):
        return np.sum(triple(p["w"]))

    with pytest.raises(AssertionError, match=r"d/d args\[0\]\['w'\]\[1, 0\]: srcgrad"):
        check_grads(wrong_in_dict, ({"w": np.ones((2, 2))},))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_nan_never_agrees():
    def f(x):
        return np.sum(np.sqrt(x))

    with pytest.raises(AssertionError, match="NaN and infinity never agree"):
        check_grads(f, (np.array([1.0, -1.0]),))


def test_second_order_catches_what_first_order_cannot():
    assert check_grads(uses_almost_cube, (1.0,)).checked == 1
    with pytest.raises(AssertionError) as info:
        check_grads(uses_almost_cube, (1.0,), order=2)
    message = str(info.value)
    assert "second derivatives disagree" in message
    assert re.search(r"d/d args\[0\] of the gradient entry args\[0\]: difference of srcgrad's gradient "
                     r"(7\.0|6\.9999).*, second difference of f (6\.0|5\.9999)", message)


def test_float32_catches_a_five_percent_error():
    with pytest.raises(AssertionError, match=re.escape("float32: rtol=0.01")):
        check_grads(uses_scaled, (np.ones(3, dtype=np.float32),))


def test_tolerances_can_be_given():
    x = np.array([1.0, 2.0])
    check_grads(uses_triple, (x, 2.0), rtol=0.6, atol=0.0)
    with pytest.raises(AssertionError, match=re.escape("rtol=0.1, atol=0")):
        check_grads(uses_triple, (x, 2.0), rtol=0.1, atol=0.0)


def test_forward_mode_is_checked_too():
    check_grads(polynomial, (np.ones(2), 1.0), modes=("rev", "fwd"))
    check_grads(polynomial, (np.array([0.3, -1.2]), 0.7), modes="fwd")


def test_argument_errors():
    with pytest.raises(ValueError, match="unknown mode"):
        check_grads(polynomial, (np.ones(2), 1.0), modes=("sideways",))
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        check_grads(polynomial, (np.ones(2), 1.0), order=3)
    with pytest.raises(ValueError, match="no floating-point argument"):
        check_grads(polynomial, (np.arange(2), 1))
    with pytest.raises(ValueError, match="out of range"):
        check_grads(polynomial, (np.ones(2), 1.0), argnums=2)
    with pytest.raises(srcgrad.NonScalarOutputError):
        check_grads(vector, (np.ones(2),))


def test_arguments_are_left_alone():
    x = np.array([0.5, 1.5])
    p = {"w": x.copy()}

    def f(p, x):
        return np.sum(p["w"] * x)

    check_grads(f, (p, x))
    assert np.array_equal(x, [0.5, 1.5]) and np.array_equal(p["w"], [0.5, 1.5])


def test_a_single_array_may_be_passed_as_args():
    def total(x):
        return np.sum(x ** 2)

    assert check_grads(total, np.ones(3)).checked == 3
