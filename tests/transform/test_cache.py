"""The code cache: weak on functions, a bounded LRU of signatures per function, and cleared on request."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import srcgrad
import srcgrad.cache


@pytest.fixture
def transforms(monkeypatch):
    """The names of the functions transformed (reverse mode) while the test runs."""
    calls: list[str] = []
    original = srcgrad.cache.reverse_variants

    def counting(fn, *args, **kwargs):
        calls.append(fn.__name__)
        return original(fn, *args, **kwargs)

    monkeypatch.setattr(srcgrad.cache, "reverse_variants", counting)
    return calls


@pytest.fixture
def small_limit():
    previous = srcgrad.set_cache_limit(4)
    yield 4
    srcgrad.set_cache_limit(previous)


def sine_energy(x):
    return np.sum(np.sin(x) ** 2)


def _entries_of(fn) -> int:
    owner = srcgrad.cache.CACHE._owner(fn)
    return len(srcgrad.cache.CACHE._table(owner).get(owner, ()))


def test_a_dropped_closure_frees_its_code():
    def make(scale):
        def energy(x):
            return np.sum(x * x) * scale
        return energy

    energy = make(3.0)
    np.testing.assert_allclose(srcgrad.grad(energy)(np.array([1.0, 2.0])), [6.0, 12.0])
    out, back = srcgrad.vjp(energy, np.array([1.0, 2.0]))
    assert out == 15.0 and back(1.0)[0].tolist() == [6.0, 12.0]
    assert _entries_of(energy) >= 1
    alive = weakref.ref(energy)
    del energy, back
    gc.collect()
    assert alive() is None


def test_lambdas_made_in_a_loop_do_not_accumulate():
    before = srcgrad.cache_info().functions
    for i in range(20):
        out, back = srcgrad.vjp(lambda x, i=i: np.sum(x * x) * i, np.ones(2))
        assert out == 2.0 * i and back(1.0)[0].tolist() == [2.0 * i, 2.0 * i]
    del back
    gc.collect()
    assert srcgrad.cache_info().functions <= before + 1


def test_each_function_keeps_at_most_the_limit(small_limit, transforms):
    g = srcgrad.grad(sine_energy)
    srcgrad.clear_cache(sine_energy)
    for n in range(1, 11):
        x = np.linspace(0.1, 1.0, n)
        np.testing.assert_allclose(g(x), 2 * np.sin(x) * np.cos(x), rtol=1e-14)
    assert _entries_of(sine_energy) <= small_limit
    assert len(g.variants) <= small_limit
    info = srcgrad.cache_info()
    assert info.limit == small_limit and info.entries >= _entries_of(sine_energy)
    # the most recent signatures are still there; the first one was dropped and is transformed again
    transformed = len(transforms)
    g(np.linspace(0.1, 1.0, 10))
    assert len(transforms) == transformed
    g(np.linspace(0.1, 1.0, 1))
    assert len(transforms) == transformed + 1


def test_the_least_recently_used_goes_first(small_limit, transforms):
    g = srcgrad.grad(sine_energy)
    srcgrad.clear_cache(sine_energy)
    first = np.ones(1)
    for n in range(1, small_limit + 1):
        g(np.ones(n))
        g(first)   # keeps the first signature recently used
    transformed = len(transforms)
    g(np.ones(small_limit + 1))   # evicts the least recently used, not the first
    g(first)
    assert len(transforms) == transformed + 1


def test_clear_cache_transforms_anew(transforms):
    g = srcgrad.grad(sine_energy)
    x = np.array([0.3, 0.7])
    expected = g(x)
    srcgrad.clear_cache(sine_energy)
    assert _entries_of(sine_energy) == 0
    transformed = len(transforms)
    np.testing.assert_array_equal(g(x), expected)   # the grad function's own variants were dropped too
    assert len(transforms) > transformed
    srcgrad.clear_cache()
    assert srcgrad.cache_info().entries == 0
    np.testing.assert_array_equal(g(x), expected)


class Model:
    def __init__(self, scale):
        self.scale = scale

    def loss(self, w):
        return np.sum(w * w) * self.scale


def test_bound_methods_are_cached_per_instance(transforms):
    one, two = Model(1.0), Model(2.0)
    w = np.array([1.0, -1.0])
    np.testing.assert_array_equal(srcgrad.grad(one.loss)(w), [2.0, -2.0])
    transformed = len(transforms)
    np.testing.assert_array_equal(srcgrad.grad(one.loss)(w), [2.0, -2.0])   # a new bound method, same code
    assert len(transforms) == transformed
    np.testing.assert_array_equal(srcgrad.grad(two.loss)(w), [4.0, -4.0])
    assert _entries_of(one.loss) >= 2


@pytest.mark.parametrize("limit", [0, -1, 2.0, "8"])
def test_the_limit_must_be_a_positive_int(limit):
    with pytest.raises(ValueError, match="positive int"):
        srcgrad.set_cache_limit(limit)
    assert srcgrad.cache_info().limit >= 1
