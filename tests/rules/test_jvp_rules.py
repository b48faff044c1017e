"""Every forward rule against central finite differences and against its reverse rule.

The cases are those of ``cases.py`` (shared with the reverse-rule tests). For each differentiable argument
a random tangent ``t`` (for a list argument, one per item, some of them zero as for inactive items) goes
through the forward rule, which gives the contribution ``J t`` to the output's tangent. Two checks:

* at smooth points, ``J t`` equals the fourth-order central difference of the primal along ``t``, element
  by element, relative to the size of the derivative (float64);
* at every point, smooth or not, ``<g, J t>`` from the forward rule equals ``<J^T g, t>`` from the reverse
  rule for a random cotangent ``g``, to 1e-10 relative to the size of the terms: the two rules make the
  same choices at ties, kinks and zeros.

Complex arguments, tangents and outputs (``cases_fft.py``) are compared through their real and imaginary
parts, and ``<g, J t>`` is ``Re(sum(g * J t))``, the pairing of JAX's and HIPS autograd's convention.

A few points where reverse rules were once wrong (``ORDER_AND_REPEAT_CASES``: index order F, a position
written twice) get both checks too.

NaN never counts as agreement (infinities must match exactly). The contribution must broadcast to the
output's shape and keep its dtype: float32 stays float32, Python floats stay Python floats. A rule must
modify neither its tangent nor its arguments.
"""

from __future__ import annotations

import copy
import importlib.util
import numbers
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcgrad import runtime
from srcgrad.function_values import call_value_with_jvp, call_value_with_vjp
from srcgrad.rules import jvp_rules, shim_rules, vjp_rule
from srcgrad.rules.registry import ARGNUMS_VARIADIC


def _load_cases():
    name = "srcgrad_rule_test_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("cases.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = _load_cases()



def _floats(n: int, dom=cases.REAL):
    return lambda d: [d.flt(dom) for _ in range(n)]


# Array_like arguments written as lists (``np.exp([x, y])``): their tangent comes as a list, one per item.
_LIST = [
    (np.negative, lambda d: cases.call(_floats(3)(d))),
    (np.square, lambda d: cases.call(_floats(2)(d))),
    (np.sqrt, lambda d: cases.call(_floats(3, cases.POS)(d))),
    (np.log, lambda d: cases.call([d.arr((2,), cases.POS), d.arr((2,), cases.POS)])),
    (np.cos, lambda d: cases.call(_floats(2)(d))),
    (np.multiply, lambda d: cases.call(_floats(3)(d), d.flt())),
    (np.subtract, lambda d: cases.call(d.flt(), _floats(2)(d))),
    (np.divide, lambda d: cases.call(_floats(2)(d), _floats(2, cases.NONZERO)(d))),
    (np.power, lambda d: cases.call(_floats(2, cases.POS)(d), d.pick([2, 2.0, 0.5]))),
    (np.maximum, lambda d: cases.call(_floats(3, cases.EVEN)(d), d.flt(cases.ODD))),
    (np.clip, lambda d: cases.call(_floats(4, cases.ODD)(d), -0.5, 0.5)),
    (np.max, lambda d: cases.call(list(d.arr((4,), cases.DISTINCT)))),
    (np.prod, lambda d: cases.call(_floats(3, cases.PROD_FACTORS)(d))),
    (np.linalg.norm, lambda d: cases.call(_floats(3, cases.NONZERO)(d))),
    (np.cumprod, lambda d: cases.call(_floats(3)(d))),
    (np.mean, lambda d: cases.call([d.arr((2,)), d.arr((2,))], 0)),
    (np.std, lambda d: cases.call([0.5, -0.5, d.flt()])),
]
LIST_CASES = [cases.Case(primal, make, "list") for primal, make in _LIST]

# call_with_vjp and call_with_jvp have no forward rule: forward mode calls the user's functions through
# call_with_jvp, and call_with_jvp's reverse rule serves reverse mode over forward mode (the same for the
# calls of function values).
CALLS = (runtime.call_with_vjp, runtime.call_with_jvp, call_value_with_vjp, call_value_with_jvp)
CASES = [c for c in cases.CASES if c.primal not in CALLS] + LIST_CASES
SMOOTH = [c for c in CASES if c.smooth]

# Points where reverse rules were once wrong (an index order other than C; a position written twice, where
# only the last write lands): each forward rule is checked against finite differences, and the reverse
# rule as its transpose.
_REPEATED = np.array([0, 0])
ORDER_AND_REPEAT_CASES = [
    cases.Case(np.reshape, lambda d: cases.call(d.arr((2, 3)), (3, 2), order="F"), "order-F"),
    cases.Case(np.ravel, lambda d: cases.call(d.arr((2, 3)), "F"), "order-F"),
    cases.Case(runtime.assign_index, lambda d: cases.call(d.arr((3,)), _REPEATED, d.arr((2,))), "repeated"),
    cases.Case(shim_rules.index_put, lambda d: cases.call(d.arr((3,)), _REPEATED, d.arr((2,))), "repeated"),
]
STEP = 1e-3
FD_RTOL = 1e-6
ADJOINT_RTOL = 1e-10

# SRCGRAD_JVP_EXAMPLES raises the number of examples per case for a longer local run.
EXAMPLES = int(os.environ.get("SRCGRAD_JVP_EXAMPLES", "10"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --- tangents and arguments ------------------------------------------------------------------------------


def tangent_like(value, draw, items_may_be_zero: bool = True):
    """A random tangent of ``value``'s type: an array of its floating dtype, a Python float for a number,
    one tangent per item of a list or tuple (some of them zero, as for inactive items), and None for what
    has no tangent (a function)."""
    rng = draw.rng
    if cases.is_label_list(value):
        return None  # np.einsum's sublists: structure
    if isinstance(value, (list, tuple)):
        return type(value)(zero_tangent(v) if items_may_be_zero and draw.int(0, 3) == 0
                           else tangent_like(v, draw, items_may_be_zero) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "c":
        return cases.direction_like(value, rng)  # a complex argument (cases_fft.py): a complex tangent
    if isinstance(value, np.ndarray):
        dtype = value.dtype if value.dtype.kind == "f" else np.dtype(np.float64)
        return rng.normal(size=value.shape).astype(dtype)
    if isinstance(value, np.generic):
        return (value.dtype if value.dtype.kind == "f" else np.dtype(np.float64)).type(rng.normal())
    if isinstance(value, numbers.Number):
        return float(rng.normal())
    return None


def zero_tangent(value):
    if cases.is_label_list(value):
        return None
    if isinstance(value, (list, tuple)):
        return type(value)(zero_tangent(v) for v in value)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.zeros(np.shape(value), dtype=value.dtype if value.dtype.kind == "f" else np.float64)
    if isinstance(value, numbers.Number):
        return 0.0
    return None


def moved(value, t, s: float):
    """``value + s * t`` leaf by leaf (Python floats stay Python floats)."""
    if t is None:
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(moved(v, ti, s) for v, ti in zip(value, t))
    if isinstance(value, np.ndarray):
        return value + s * t
    return type(value)(value + s * t) if isinstance(value, np.generic) else float(value + s * t)


def replace(args: tuple, position: int, new) -> tuple:
    return (*args[:position], new, *args[position + 1:])


def to_float32(value):
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, (list, tuple)):
        return type(value)(to_float32(v) for v in value)
    return value


# --- outputs -----------------------------------------------------------------------------------------------


def expanded(contribution, ans):
    """The contribution broadcast to the output's shape, item by item for a list output; fails when its
    shape does not broadcast to the output's."""
    if isinstance(ans, (list, tuple)):
        assert isinstance(contribution, (list, tuple)), f"contribution {type(contribution)} for a sequence"
        assert len(contribution) == len(ans)
        return [expanded(c, a) for c, a in zip(contribution, ans)]
    shape = np.shape(ans)
    assert contribution is not None
    assert np.broadcast_shapes(np.shape(contribution), shape) == shape, \
        f"contribution of shape {np.shape(contribution)} for an output of shape {shape}"
    numbers = cases.as_numbers(contribution)
    return np.broadcast_to(numbers.astype(np.complex128) if np.iscomplexobj(ans) else numbers, shape)


def flat(value) -> np.ndarray:
    if isinstance(value, (list, tuple)):
        parts = [flat(v) for v in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    if value is None or not cases.is_value(value):
        return np.zeros(0)  # a function's tangent: none
    numbers = cases.as_numbers(value)
    if numbers.dtype.kind == "c":  # a complex value: its real parts, then its imaginary parts
        return np.concatenate([np.ravel(numbers.real), np.ravel(numbers.imag)])
    return np.ravel(numbers)


def check_dtypes(contribution, ans) -> None:
    """A Python float output gets a Python float contribution; a floating array keeps its dtype."""
    if isinstance(ans, (list, tuple)):
        for c, a in zip(contribution, ans):
            check_dtypes(c, a)
        return
    if type(ans) is float:
        assert type(contribution) is float, f"a Python float output got a {type(contribution).__name__}"
    elif isinstance(ans, (np.ndarray, np.generic)) and ans.dtype.kind == "f":
        assert np.result_type(contribution) == ans.dtype, \
            f"a {ans.dtype} output got a {np.result_type(contribution)} contribution"


def dot(a, b) -> tuple[float, float]:
    """``<a, b>`` over matching leaves (a missing leaf on either side counts as zero) and the sum of the
    magnitudes of its terms."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        pairs = [dot(x, y) for x, y in zip(a, b)]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    if a is None or b is None or not cases.is_value(a) or not cases.is_value(b):
        return 0.0, 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        terms = cases.as_numbers(a) * cases.as_numbers(b)  # complex values: Re(sum(ct * dz)) (cases_fft.py)
        return float(np.real(np.sum(terms))), float(np.sum(np.abs(terms)))


# --- calling the rules -----------------------------------------------------------------------------------


def arguments(case, args) -> list[tuple[int, int]]:
    """``(index among the rule's differentiable arguments, position in args)`` for the arguments checked:
    not those without a tangent, as ``np.einsum``'s subscripts and sublists among its variadic arguments."""
    rule = vjp_rule(case.primal)
    positions = cases.differentiable_positions(rule, args)
    checked = case.check if case.check is not None else range(len(positions))
    return [(k, positions[k]) for k in checked if has_tangent(args[positions[k]])]


def has_tangent(value) -> bool:
    if cases.is_label_list(value):
        return False
    if isinstance(value, (list, tuple)):
        return any(has_tangent(v) for v in value)
    return cases.is_value(value)


def call_forward(case, k: int, position: int, t, ans, args, kwargs):
    """The forward rule's contribution for the tangent ``t`` of ``args[position]``; checks that the rule
    leaves its inputs alone."""
    reverse = vjp_rule(case.primal)
    rules = jvp_rules(case.primal)
    before = copy.deepcopy((t, args, kwargs))
    if reverse.argnums == ARGNUMS_VARIADIC:
        contribution = rules[ARGNUMS_VARIADIC].function(t, k, ans, *args, **kwargs)
    else:
        contribution = rules[position].function(t, ans, *args, **kwargs)
    np.testing.assert_equal((t, args, kwargs), before, err_msg="the forward rule modified its inputs")
    return contribution


def primal(case, args, kwargs):
    # A copy of the arguments: some primals write into theirs (the shim's index_put).
    with np.errstate(all="ignore"):
        return case.primal(*copy.deepcopy(args), **kwargs)


def directional_derivative(case, args, kwargs, position, t) -> np.ndarray:
    """``J t`` by the fourth-order central difference along ``t``, with steps that move no element by more
    than ``2 * STEP`` (as the reverse-rule tests' unit-scale directions do)."""
    def at(s):
        return flat(primal(case, replace(args, position, moved(args[position], t, s)), kwargs))

    h = STEP / max(float(np.max(np.abs(flat(t)), initial=0.0)), 1e-3)
    return (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)


def adjoint_rtol(ans) -> float:
    """1e-10, or a few roundings where the output (hence the contribution) has a lower precision than
    float64 (``np.array(x, dtype=np.float32)``)."""
    if isinstance(ans, (np.ndarray, np.generic)) and ans.dtype.kind == "f":
        return max(ADJOINT_RTOL, 4 * float(np.finfo(ans.dtype).eps))
    return ADJOINT_RTOL


# --- the tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SMOOTH + ORDER_AND_REPEAT_CASES, ids=lambda c: c.id)
@SETTINGS
@given(data=st.data())
def test_forward_rule_matches_finite_differences(case, data):
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    ans = primal(case, args, kwargs)
    value = flat(ans)
    assert np.all(np.isfinite(value)), "the case drew a point outside the primal's domain"
    for k, position in arguments(case, args):
        t = tangent_like(args[position], draw)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            contribution = call_forward(case, k, position, t, ans, args, kwargs)
        got = flat(expanded(contribution, ans))
        check_dtypes(contribution, ans)
        if case.python_floats:
            assert type(contribution) is float, f"contribution is {type(contribution).__name__}, not float"
        expected = directional_derivative(case, args, kwargs, position, t)
        assert np.all(np.isfinite(got)) and np.all(np.isfinite(expected)), (got, expected)
        scale = float(np.max(np.abs(expected), initial=0.0))
        tol = FD_RTOL * scale + 1e-10 * (1.0 + float(np.max(np.abs(value), initial=0.0)))
        error = float(np.max(np.abs(got - expected), initial=0.0))
        assert error <= tol, (f"argument {position}: forward rule gives {got}, finite differences {expected} "
                              f"(error {error:.3g}, tolerance {tol:.3g})")


@pytest.mark.parametrize("case", CASES + ORDER_AND_REPEAT_CASES, ids=lambda c: c.id)
@SETTINGS
@given(data=st.data())
def test_forward_rule_is_the_transpose_of_the_reverse_rule(case, data):
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    ans = primal(case, args, kwargs)
    g = cases.cotangent_like(ans, draw.rng)
    with np.errstate(all="ignore"):
        partials, positions = cases.call_rule(case, g, ans, args, kwargs)
    for k, position in arguments(case, args):
        t = tangent_like(args[position], draw)
        with np.errstate(all="ignore"):
            contribution = call_forward(case, k, position, t, ans, args, kwargs)
        check_dtypes(contribution, ans)
        forward, forward_size = dot(g, expanded(contribution, ans))
        reverse, reverse_size = dot(partials[k], t)
        assert not np.isnan(forward) and not np.isnan(reverse), (forward, reverse)
        if not (np.isfinite(forward) and np.isfinite(reverse)):
            assert forward == reverse, f"argument {position}: <g, J t> = {forward}, <J^T g, t> = {reverse}"
            continue
        tol = adjoint_rtol(ans) * (forward_size + reverse_size)
        assert abs(forward - reverse) <= tol, (
            f"argument {position}: <g, J t> = {forward!r} from the forward rule, <J^T g, t> = {reverse!r} "
            f"from the reverse rule (tolerance {tol:.3g})")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@settings(max_examples=max(EXAMPLES // 2, 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_forward_rule_keeps_float32(case, data):
    """With float32 arrays and float32 tangents, a float32 output gets a float32 contribution (where NumPy
    itself keeps float32)."""
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    args = tuple(to_float32(a) for a in args)
    ans = primal(case, args, kwargs)
    if "dtype" in kwargs or isinstance(ans, (list, tuple)) or np.result_type(ans) != np.float32:
        return
    for k, position in arguments(case, args):
        leaves = [leaf for _, leaf in cases.leaves(args[position])]
        if not any(isinstance(leaf, np.ndarray) and leaf.dtype == np.float32 for leaf in leaves):
            continue  # a Python float's tangent is a Python float: NumPy keeps float32 when it is added
        t = tangent_like(args[position], draw)
        with np.errstate(all="ignore"):
            contribution = call_forward(case, k, position, t, ans, args, kwargs)
        expanded(contribution, ans)
        assert np.result_type(contribution) == np.float32, \
            f"argument {position}: a float32 output got a {np.result_type(contribution)} contribution"
