"""``show(f)`` says which variant it shows, shows the code calls actually ran, and ``inspect.getsource`` of
the generated function gives exactly those lines."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import srcgrad


@pytest.fixture(autouse=True)
def first_shapes_specialized():
    previous = srcgrad.set_shape_specialization("first")
    yield
    srcgrad.set_shape_specialization(previous)


def scaled_energy(x, w):
    return np.sum(w * np.tanh(x) ** 2)


def other_energy(x):
    return np.sum(np.exp(x) * x)


def test_before_any_call_the_generic_variant_says_so():
    source = srcgrad.show(other_energy)
    assert source.splitlines()[1].strip() == ("# generic variant, for arguments of any shape; calls run code "
                                              "specialized to their arguments")
    assert source == inspect.getsource(srcgrad.generated_function(other_energy))


def test_after_calls_show_gives_the_code_the_last_call_ran():
    g = srcgrad.grad(scaled_energy)
    x, w = np.array([0.1, -0.4, 0.3]), 2.0
    np.testing.assert_allclose(g(x, w), 2.0 * 2 * np.tanh(x) / np.cosh(x) ** 2, rtol=1e-14)
    shown = srcgrad.show(g)
    assert shown.splitlines()[1].strip() == "# specialized to x: float64[3], w: float"
    assert shown == srcgrad.show(scaled_energy)
    assert shown == inspect.getsource(srcgrad.generated_function(g))
    assert shown == srcgrad.show(scaled_energy, x, w)   # what show with these arguments gives

    g(np.ones((2, 2)), 1.5)
    latest = srcgrad.show(g)
    assert latest.splitlines()[1].strip() == "# specialized to x: float64[2, 2], w: float"
    assert latest == inspect.getsource(srcgrad.generated_function(g))
    every = srcgrad.show(g, variant="all")
    assert every.count("def scaled_energy_grad(") == 2
    assert every.index("float64[3]") < every.index("float64[2, 2]")
    assert every.endswith(latest)
    generic = srcgrad.show(g, variant="generic")
    assert "# generic variant" in generic and generic == srcgrad.show(scaled_energy, variant="generic")


def test_an_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant must be 'last', 'all' or 'generic', not 'newest'"):
        srcgrad.show(other_energy, variant="newest")


def test_the_forward_variant_names_its_signature_too():
    x = np.array([0.5, 1.0])
    source = srcgrad.show(other_energy, x, mode="forward")
    assert source.splitlines()[1].strip() == "# specialized to x: float64[2]"
    assert "def other_energy_jvp(" in source
