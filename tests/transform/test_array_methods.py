"""The array-method tables of srcgrad/frontend/array_methods.py, which are read off the rule table.

Two parts: the tables' contents (every method whose NumPy function the rule table knows, none that updates
its array in place, none whose arguments would land on other parameters; rules registered later count),
and whole gradients of functions that call the methods, against central finite differences. The second
part installs the tables in the desugaring pass (``desugar_with_the_tables``), which is a no-op once
srcgrad/frontend/desugar.py imports them from array_methods.py."""

from __future__ import annotations

import gast
import numpy as np
import pytest

import srcgrad
from srcgrad.frontend import array_methods, desugar
from srcgrad.frontend.array_methods import (
    ARRAY_ATTRIBUTES,
    ARRAY_METHODS,
    STATIC_ATTRIBUTES,
    adapter_for,
    astype_keywords,
    in_rule_table,
    packed_positions,
    same_positions,
)
from srcgrad.rules import registry

# --- the tables ---------------------------------------------------------------------------------------------

# The methods the desugaring pass lowered before the tables were derived, with their functions.
HAND_WRITTEN = {
    "sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min, "var": np.var, "std": np.std,
    "cumsum": np.cumsum, "dot": np.dot, "reshape": np.reshape, "transpose": np.transpose, "ravel": np.ravel,
    "flatten": np.ravel, "squeeze": np.squeeze, "swapaxes": np.swapaxes, "clip": np.clip, "copy": np.copy,
    "trace": np.trace, "argmax": np.argmax, "argmin": np.argmin, "all": np.all, "any": np.any,
    "round": np.round, "astype": np.asarray,
}


def test_every_hand_written_method_is_still_lowered_to_its_function():
    for name, function in HAND_WRITTEN.items():
        assert name in ARRAY_METHODS, name
        assert ARRAY_METHODS[name][0] is function, name


def test_methods_whose_functions_have_rules_now_are_lowered():
    for name in ("cumprod", "diagonal", "repeat", "take", "nonzero", "argsort", "searchsorted", "argpartition"):
        assert name in ARRAY_METHODS, name
        assert ARRAY_METHODS[name] == (getattr(np, name), same_positions)


def test_every_entry_is_in_the_rule_table():
    assert len(ARRAY_METHODS) >= len(HAND_WRITTEN) + 8
    for name, (function, adapter) in ARRAY_METHODS.items():
        assert in_rule_table(function), name
        assert adapter in (same_positions, packed_positions, astype_keywords), name


def test_methods_that_update_their_array_are_not_lowered():
    # np.sort and np.partition have rules, but x.sort() sorts x itself and returns None.
    assert in_rule_table(np.sort) and in_rule_table(np.partition)
    for name in ("sort", "partition", "fill", "put", "resize", "itemset", "setfield", "setflags"):
        assert name not in ARRAY_METHODS, name


# NumPy 2.2 and older give their C methods no signature to read: the table then falls back on a fixed list.
METHODS_HAVE_SIGNATURES = array_methods._signature(np.ndarray.take) is not None


@pytest.mark.skipif(not METHODS_HAVE_SIGNATURES, reason="this NumPy's array methods carry no signatures")
def test_a_method_whose_arguments_would_land_elsewhere_is_not_lowered():
    # x.compress(condition) is np.compress(condition, x): the receiver is not the first argument.
    assert adapter_for(np.ndarray.compress, np.compress) is None
    assert adapter_for(np.ndarray.take, np.take) is same_positions
    assert adapter_for(np.ndarray.reshape, np.reshape) is packed_positions
    # x.clip(min=0) reaches np.clip's keyword-only min.
    assert adapter_for(np.ndarray.clip, np.clip) is same_positions


def test_methods_without_a_same_named_function_or_a_rule_are_left_alone():
    for name in ("item", "tolist", "view", "byteswap", "tobytes"):
        assert name not in ARRAY_METHODS, name
    # np.conjugate has a rule (complex values, srcgrad/rules/fft_rules.py): z.conj() is lowered to it
    assert ARRAY_METHODS["conj"][0] is np.conjugate and ARRAY_METHODS["conjugate"][0] is np.conjugate


def test_a_rule_registered_later_lowers_its_method():
    assert "choose" not in ARRAY_METHODS and not in_rule_table(np.choose)
    saved = registry.snapshot()
    registry.defvjp(np.choose, lambda g, ans, a, choices, out=None, mode="raise": np.zeros_like(a))
    try:
        assert ARRAY_METHODS["choose"] == (np.choose, same_positions)
        assert "choose" in set(ARRAY_METHODS)
    finally:
        registry.restore(saved)
    assert "choose" not in ARRAY_METHODS


def test_attributes():
    assert ARRAY_ATTRIBUTES["T"] is np.transpose
    assert ARRAY_ATTRIBUTES["real"] is np.real
    assert ("imag" in ARRAY_ATTRIBUTES) == in_rule_table(np.imag)
    assert ("mT" in ARRAY_ATTRIBUTES) == in_rule_table(np.matrix_transpose)
    assert STATIC_ATTRIBUTES == {"shape", "ndim", "size", "dtype"}
    for name in STATIC_ATTRIBUTES | {"flat", "base", "strides", "data"}:
        assert name not in ARRAY_ATTRIBUTES, name


def _names(n):
    return [gast.Name(f"a{i}", gast.Load(), None, None) for i in range(n)]


def test_adapters():
    like = gast.Constant(0, None)
    assert packed_positions([], like) == []
    one = _names(1)
    assert packed_positions(one, like) == one
    packed = packed_positions(_names(2), like)
    assert len(packed) == 1 and isinstance(packed[0], gast.Tuple) and len(packed[0].elts) == 2
    keywords = astype_keywords(_names(2), like)
    assert [k.arg for k in keywords] == ["dtype", "order"]
    assert same_positions(one, like) == one


# --- whole gradients ----------------------------------------------------------------------------------------


@pytest.fixture
def desugar_with_the_tables(monkeypatch):
    """The desugaring pass reading the derived tables (what it does once it imports them)."""
    monkeypatch.setattr(desugar, "ARRAY_METHODS", array_methods.ARRAY_METHODS)
    monkeypatch.setattr(desugar, "ARRAY_ATTRIBUTES", array_methods.ARRAY_ATTRIBUTES)


X = np.array([[0.7, -1.2, 0.4], [1.5, 0.3, -0.8], [-0.6, 0.9, 1.1]])
W = np.array([[0.2, -0.5, 1.3], [0.8, 0.1, -0.4], [-1.0, 0.6, 0.3]])


def cumulative_product(x):
    return np.sum(x.cumprod() * np.arange(9.0)) + np.sum(x.cumprod(axis=1) ** 2)


def diagonal_and_trace(x):
    return np.sum(x.diagonal() ** 3) + np.sum(x.diagonal(1) * 2.0) + x.trace(offset=-1)


def repeat_and_take(x):
    return np.sum(x.repeat(2) * np.arange(18.0)) + np.sum(x.take([0, 2]) ** 2) + np.sum(x.take([2, 2], axis=1))


def reductions_with_axes(x):
    return np.sum(x.max(axis=0) * x.min(1)) + x.mean() * x.std() + np.sum(x.var(axis=1, ddof=1)) + x.prod()


def shapes(x):
    y = x.reshape(1, 9).transpose(1, 0).flatten().reshape((3, 3)).T
    return np.sum(y * W) + np.sum(x.swapaxes(0, 1).ravel() * np.arange(9.0)) + np.sum(x.squeeze() ** 2)


def sorting_and_indices(x):
    order = x.argsort(axis=None)
    positive = (x > 0).nonzero()
    where = x.ravel().searchsorted(0.5, sorter=x.ravel().argsort())
    return np.sum(x.ravel()[order] * np.arange(9.0)) + np.sum(x[positive] ** 2) + x.ravel()[where % 9] * 0.0


def casts_clips_products(x):
    return np.sum(x.astype(np.float64).clip(min=-1.0, max=1.0) * x) + np.sum(x.dot(W) ** 2) + np.sum(x.real)


def copies(x):
    y = x.copy()
    return np.sum(y * y.round(1)) + np.sum(x.cumsum(0))


METHOD_FUNCTIONS = [cumulative_product, diagonal_and_trace, repeat_and_take, reductions_with_axes, shapes,
                    sorting_and_indices, casts_clips_products, copies]


def _central(f, x, eps=1e-6):
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


@pytest.mark.parametrize("f", METHOD_FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_through_methods_against_finite_differences(f, desugar_with_the_tables):
    gradient = srcgrad.grad(f)(X)
    assert gradient.shape == X.shape and gradient.dtype == np.float64 and np.all(np.isfinite(gradient))
    np.testing.assert_allclose(gradient, _central(f, X), rtol=1e-6, atol=1e-8)
    tangent = W[::-1].copy()
    _, derivative = srcgrad.jvp(f, (X,), (tangent,))
    np.testing.assert_allclose(derivative, np.sum(gradient * tangent), rtol=1e-10)


def test_the_generated_code_calls_the_functions(desugar_with_the_tables):
    code = [line for line in srcgrad.show(cumulative_product, X).splitlines() if not line.strip().startswith("#")]
    assert any("np.cumprod(x" in line for line in code)
    assert not any(".cumprod(" in line.replace("np.cumprod(", "") for line in code)


def sort_in_place(x):
    y = x * 2.0
    y.sort()
    return np.sum(y * np.arange(9.0).reshape(3, 3))


def test_an_in_place_method_is_not_turned_into_a_new_value(desugar_with_the_tables):
    # x.sort() must not become np.sort(x), which would leave y unsorted: refused or right, never wrong.
    try:
        gradient = srcgrad.grad(sort_in_place)(X)
    except srcgrad.SrcgradError as error:
        assert "sort" in str(error)
        return
    np.testing.assert_allclose(gradient, _central(sort_in_place, X), rtol=1e-6, atol=1e-8)
