"""Gradient checking against central finite differences in float64.

``check_grad(f, args, argnums)`` runs ``srcgrad.grad(f, argnums=argnums)(*args)`` and compares every
gradient, element by element, with a central difference of ``f`` computed in float64. The comparison is
strict: a step of ``1e-6`` scaled by the magnitude of the perturbed entry, ``rtol=1e-5`` and an absolute
tolerance of ``1e-7`` (scaled by the size of ``f``'s value when that is larger than one, since the rounding
error of the difference quotient grows with it). Non-finite values never match, shapes must equal the
input's and dtypes must be the input's (a Python float input gives a Python float gradient).

The helper also checks that neither srcgrad nor ``f`` modified the caller's arrays.
"""

from __future__ import annotations

import copy
import numbers
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import srcgrad

STEP = 1e-6
RTOL = 1e-5
ATOL = 1e-7


def _as_float64(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    if isinstance(value, np.generic):
        return np.float64(value)
    return float(value)


def _scalar_output(value: Any) -> float:
    out = np.asarray(value)
    assert out.shape == (), f"the function under test returned shape {out.shape}, expected a scalar"
    return float(out)


def finite_difference(f: Callable, args: Sequence[Any], position: int, step: float = STEP) -> Any:
    """The central-difference gradient of scalar ``f`` with respect to ``args[position]``, in float64."""
    args = list(args)
    base = args[position]
    if isinstance(base, np.ndarray):
        x = base.astype(np.float64)
        result = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            h = step * max(1.0, abs(x[index]))
            plus, minus = x.copy(), x.copy()
            plus[index] += h
            minus[index] -= h
            args[position] = plus
            f_plus = _scalar_output(f(*args))
            args[position] = minus
            f_minus = _scalar_output(f(*args))
            result[index] = (f_plus - f_minus) / ((x[index] + h) - (x[index] - h))
        return result
    x = float(base)
    h = step * max(1.0, abs(x))
    args[position] = x + h
    f_plus = _scalar_output(f(*args))
    args[position] = x - h
    f_minus = _scalar_output(f(*args))
    return (f_plus - f_minus) / ((x + h) - (x - h))


def assert_close(actual: Any, expected: Any, scale: float = 1.0, rtol: float = RTOL, atol: float = ATOL,
                 what: str = "gradient") -> None:
    """Elementwise ``|actual - expected| <= atol * scale + rtol * |expected|``, all values finite."""
    actual_arr = np.asarray(actual, dtype=np.float64)
    expected_arr = np.asarray(expected, dtype=np.float64)
    assert actual_arr.shape == expected_arr.shape, f"{what}: shape {actual_arr.shape} != {expected_arr.shape}"
    assert np.all(np.isfinite(actual_arr)), f"{what}: non-finite values in srcgrad's result:\n{actual_arr}"
    assert np.all(np.isfinite(expected_arr)), f"{what}: non-finite values in the reference:\n{expected_arr}"
    np.testing.assert_allclose(actual_arr, expected_arr, rtol=rtol, atol=atol * scale, err_msg=what)


def assert_like_input(gradient: Any, value: Any, what: str) -> None:
    """A gradient has its input's type: a Python float for a float, the same shape and dtype for arrays."""
    if isinstance(value, np.ndarray):
        assert isinstance(gradient, np.ndarray), f"{what}: expected an ndarray, got {type(gradient).__name__}"
        assert gradient.shape == value.shape, f"{what}: shape {gradient.shape} != input shape {value.shape}"
        assert gradient.dtype == value.dtype, f"{what}: dtype {gradient.dtype} != input dtype {value.dtype}"
    elif isinstance(value, np.generic):
        assert np.asarray(gradient).dtype == value.dtype, f"{what}: dtype {np.asarray(gradient).dtype}"
    elif isinstance(value, numbers.Real):
        assert type(gradient) is float, f"{what}: expected a Python float, got {type(gradient).__name__}"


def _snapshot(args: Sequence[Any]) -> list[Any]:
    return [copy.deepcopy(a) for a in args]


def _assert_unchanged(before: Sequence[Any], after: Sequence[Any]) -> None:
    for i, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray):
            assert np.array_equal(a, b, equal_nan=True) and a.dtype == b.dtype, f"argument {i} was modified"
        else:
            assert type(a) is type(b) and (a == b or (a != a and b != b)), f"argument {i} was modified"


def check_grad(f: Callable, args: Sequence[Any], argnums: int | Sequence[int] = 0, step: float = STEP,
               rtol: float = RTOL, atol: float = ATOL) -> Any:
    """Compare srcgrad's gradient of ``f`` at ``args`` with central finite differences; return it."""
    args = list(args)
    before = _snapshot(args)
    gradients = srcgrad.grad(f, argnums=argnums)(*args)
    _assert_unchanged(before, args)
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)
    if single:
        gradients = (gradients,)
    else:
        assert isinstance(gradients, tuple) and len(gradients) == len(positions), \
            f"expected a tuple of {len(positions)} gradients, got {type(gradients).__name__}"
    reference_args = [_as_float64(a) if isinstance(a, (float, np.floating, np.ndarray)) and
                      np.issubdtype(np.asarray(a).dtype, np.floating) else a for a in args]
    scale = max(1.0, abs(_scalar_output(f(*reference_args))))
    for gradient, position in zip(gradients, positions):
        what = f"d/d(argument {position})"
        assert_like_input(gradient, args[position], what)
        expected = finite_difference(f, reference_args, position, step)
        assert_close(gradient, expected, scale, rtol, atol, what)
    _assert_unchanged(before, args)
    return gradients[0] if single else gradients


class Case:
    """One corpus entry: a function, how to draw its arguments, and which arguments are differentiable."""

    def __init__(self, name: str, fn: Callable, make_args: Callable[[np.random.Generator], tuple],
                 wrt: Sequence[int]):
        self.name, self.fn, self.make_args, self.wrt = name, fn, make_args, tuple(wrt)

    def args(self) -> tuple:
        """Arguments drawn from a generator seeded by the case's name, so every run sees the same point."""
        return tuple(self.make_args(np.random.default_rng(zlib.crc32(self.name.encode()))))

    def argnum_choices(self) -> list[int | tuple[int, ...]]:
        """Every differentiable argument on its own, then all of them as a tuple."""
        return list(self.wrt) + [tuple(self.wrt)]

    def __repr__(self) -> str:
        return f"Case({self.name})"


class Corpus(list):
    """A list of cases with a registering decorator: ``@corpus.case(make_args, wrt=(0, 1))``."""

    def case(self, make_args: Callable[[np.random.Generator], tuple], wrt: Sequence[int] = (0,),
             name: str | None = None) -> Callable[[Callable], Callable]:
        def register(fn: Callable) -> Callable:
            self.append(Case(name or fn.__name__, fn, make_args, wrt))
            return fn
        return register

    def params(self) -> list:
        """``pytest.param(case, argnums)`` for every case and each of its argnum choices."""
        import pytest
        return [pytest.param(c, argnums, id=f"{c.name}-{argnums}".replace(" ", ""))
                for c in self for argnums in c.argnum_choices()]
