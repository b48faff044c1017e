"""Shared by the Dask and CuPy rule sweeps: the rule case table, and arguments moved to another library.

Each case of tests/rules/cases.py is drawn with NumPy arguments; the sweep runs the primal and its reverse
rule once on those and once on the same values in another array library, and compares. The NumPy partials
themselves are checked against finite differences and PyTorch by tests/rules."""

from __future__ import annotations

import copy
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from srcgrad.rules import vjp_rule
from srcgrad.rules.registry import dispatch_note


def load_cases():
    """tests/rules/cases.py, under the module name test_rules_fd.py gives it (loaded once)."""
    name = "srcgrad_rule_test_cases"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "rules" / "cases.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = load_cases()


def sweep_cases() -> list:
    """Cases of rules that claim to be dispatch-safe and take arrays (not only Python floats), without
    the (output, backward) pairs of call_with_vjp, which the model tests cover through real calls."""
    return [c for c in cases.CASES
            if dispatch_note(c.primal) is None and not c.python_floats and c.project is None]


def convert(value: Any, to: Callable[[np.ndarray], Any]) -> Any:
    """``value`` with every floating NumPy array (and NumPy float scalar) passed through ``to``; index
    arrays, Python numbers and options stay as they are."""
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "fc":
        return to(np.asarray(value))
    if isinstance(value, list):
        return [convert(v, to) for v in value]
    if isinstance(value, tuple):
        return tuple(convert(v, to) for v in value)
    return value


def holds_arrays(value: Any) -> bool:
    """Whether ``value`` (arguments) holds a floating NumPy array that ``convert`` would move: a case of
    Python floats only is no test of another library."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype.kind in "fc"
    if isinstance(value, (list, tuple)):
        return any(holds_arrays(v) for v in value)
    if isinstance(value, dict):
        return any(holds_arrays(v) for v in value.values())
    return False


def reference(case, draw) -> tuple[tuple, dict, Any, Any, tuple]:
    """Draw a case: ``(args, kwargs, ans, g, partials)`` computed with NumPy."""
    args, kwargs = case.make(draw)
    with np.errstate(all="ignore"):
        ans = case.primal(*copy.deepcopy(args), **kwargs)
    g = cases.cotangent_like(ans, draw.rng)
    with np.errstate(all="ignore"):
        partials = vjp_rule(case.primal).partials(g, ans, *args, **kwargs)
    return args, kwargs, ans, g, partials


def pairs(got: tuple, expected: tuple) -> list[tuple[Any, Any]]:
    """Partials flattened (a list argument has a list of partials), aligned with the NumPy ones."""
    out = []
    for p, r in zip(got, expected):
        if isinstance(r, (list, tuple)):
            assert isinstance(p, (list, tuple)) and len(p) == len(r)
            out += list(zip(p, r))
        else:
            out.append((p, r))
    return out


def assert_same(value: np.ndarray, expected: Any, what: str) -> None:
    """Same shape, same dtype, same numbers (NaN on either side fails; infinities must match)."""
    expected = np.asarray(expected)
    assert value.shape == expected.shape, f"{what}: shape {value.shape}, NumPy gives {expected.shape}"
    assert value.dtype == expected.dtype, f"{what}: dtype {value.dtype}, NumPy gives {expected.dtype}"
    assert not np.any(np.isnan(value)) and not np.any(np.isnan(expected)), f"{what}: NaN"
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12, err_msg=what)
