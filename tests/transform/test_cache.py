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


@pytest.fixture(autouse=True)
def every_shape_specialized():
    """These tests count transformations per signature: each shape gets code of its own."""
    previous = srcgrad.set_shape_specialization("always")
    yield
    srcgrad.set_shape_specialization(previous)


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


# --- which shapes get code of their own ------------------------------------------------------------------------


def batch_loss(w, x, y):
    return np.mean((np.tanh(x @ w) - y) ** 2)


def _batch(rng, n):
    return rng.normal(size=(n, 3)), rng.normal(size=n)


def _expected_batch_gradient(w, x, y):
    h = np.tanh(x @ w)
    return x.T @ (2 * (h - y) * (1 - h * h)) / len(y)


def test_a_new_batch_size_runs_the_generic_code_without_transforming(transforms):
    srcgrad.set_shape_specialization("first")
    rng = np.random.default_rng(5)
    w = rng.normal(size=3)
    g = srcgrad.grad(batch_loss)
    for n in (8, 9, 16, 3, 100, 8):
        x, y = _batch(rng, n)
        got = g(w, x, y)
        np.testing.assert_allclose(got, _expected_batch_gradient(w, x, y), rtol=1e-12)
        assert got.shape == (3,) and got.dtype == np.float64
    assert transforms.count("batch_loss") == 2   # the first shapes' code, then the generic code once
    assert "# specialized to w: float64[3], x: float64[8, 3], y: float64[8]" in srcgrad.show(g, variant="all")
    x, y = _batch(rng, 5)
    g(w, x, y)
    assert "# generic variant" in srcgrad.show(g)


def test_other_ranks_and_dtypes_get_code_of_their_own(transforms):
    srcgrad.set_shape_specialization("first")
    g = srcgrad.grad(sine_energy)
    g(np.ones(3))
    g(np.ones(4))                        # same rank: generic
    g(np.ones((2, 2)))                   # another rank: specialized
    g(np.ones(3, dtype=np.float32))      # another dtype: specialized
    assert "specialized to x: float32[3]" in srcgrad.show(g)
    assert transforms.count("sine_energy") == 4


def containers_loss(params, x):
    return np.sum(np.tanh(x @ params[0]) * params[1])


def complex_argument_loss(w, z):
    return np.sum(np.abs(np.fft.fft(z) * w) ** 2)


def test_containers_and_complex_arguments_always_get_code_of_their_own(transforms):
    """Their differentiation depends on what the code is specialized to (the analysis of complex values
    needs their dtype), so the generic code is not used for them."""
    srcgrad.set_shape_specialization("first")
    rng = np.random.default_rng(6)
    g = srcgrad.grad(containers_loss)
    for n in (3, 4):
        params = [rng.normal(size=(n, 2)), rng.normal(size=2)]
        x = rng.normal(size=(5, n))
        d_w, d_b = g(params, x)
        h = np.tanh(x @ params[0])
        np.testing.assert_allclose(d_b, h.sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(d_w, x.T @ ((1 - h * h) * params[1]), rtol=1e-12)
    h = srcgrad.grad(complex_argument_loss)
    for n in (4, 6):
        w, z = rng.normal(size=n), rng.normal(size=n) + 1j * rng.normal(size=n)
        np.testing.assert_allclose(h(w, z), 2 * w * np.abs(np.fft.fft(z)) ** 2, rtol=1e-12)
    assert transforms.count("containers_loss") == 2 and transforms.count("complex_argument_loss") == 2


def test_never_runs_the_generic_code_and_a_bad_policy_is_refused():
    previous = srcgrad.set_shape_specialization("never")
    try:
        g = srcgrad.grad(sine_energy)
        x = np.array([0.2, 0.4])
        np.testing.assert_allclose(g(x), 2 * np.sin(x) * np.cos(x), rtol=1e-14)
        assert "# generic variant" in srcgrad.show(g)
    finally:
        srcgrad.set_shape_specialization(previous)
    with pytest.raises(ValueError, match="one of"):
        srcgrad.set_shape_specialization("sometimes")


def _affine(w, b, x):
    return np.sum(np.tanh(x @ w + b) ** 2) + 0.5 * b * b


def _rows(items, w):
    return np.sum(np.stack(items) @ w)


def test_a_call_whose_code_is_ready_gives_what_the_first_call_gave(transforms):
    """From the second call of a signature on, grad and value_and_grad take a short path (``_ready_call``):
    the same values, types and owned arrays as the first call, which went through the general path."""
    rng = np.random.default_rng(3)
    w, b, x = rng.normal(size=4), 0.25, rng.normal(size=(5, 4))
    for make in (lambda: srcgrad.grad(_affine), lambda: srcgrad.grad(_affine, argnums=(0, 1)),
                 lambda: srcgrad.value_and_grad(_affine, argnums=(0, 1))):
        g = make()
        first, second = g(w, b, x), g(w, b, x)
        flat_first, flat_second = np.hstack(srcgrad_flat(first)), np.hstack(srcgrad_flat(second))
        np.testing.assert_array_equal(flat_first, flat_second)
        for a, c in zip(srcgrad_flat(first), srcgrad_flat(second)):
            assert type(a) is type(c)
            if isinstance(a, np.ndarray):
                assert a is not c and not np.shares_memory(a, c) and not np.shares_memory(c, w)
    dw, db = srcgrad.grad(_affine, argnums=(0, 1))(w, b, x)
    assert type(db) is float and dw.dtype == np.float64 and dw.shape == (4,)
    eps = 1e-6   # and what both calls give is the derivative, by central differences
    np.testing.assert_allclose(dw, [(_affine(w + eps * e, b, x) - _affine(w - eps * e, b, x)) / (2 * eps)
                                    for e in np.eye(4)], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, (_affine(w, b + eps, x) - _affine(w, b - eps, x)) / (2 * eps), rtol=1e-6)


def srcgrad_flat(result):
    if isinstance(result, tuple):
        return [leaf for part in result for leaf in srcgrad_flat(part)]
    return [result]


def test_a_ready_call_still_checks_what_its_signature_does_not_pin(transforms, monkeypatch):
    """An array's or a float's signature pins what the input check looked at; a list's does not (the check
    looks at every item): calls with a list argument take the general path, which checks it each time."""
    checked: list[int] = []
    original = srcgrad.api.check_input

    def counting(value, position, name):
        checked.append(position)
        return original(value, position, name)

    monkeypatch.setattr(srcgrad.api, "check_input", counting)
    w, items = np.ones(3), [np.ones(3), np.ones(3)]
    by_list, by_array = srcgrad.grad(_rows, argnums=0), srcgrad.grad(_rows, argnums=1)
    for _ in range(3):
        np.testing.assert_array_equal(by_array(items, w), [2.0, 2.0, 2.0])
        gradient = by_list(items, w)
        assert isinstance(gradient, list) and len(gradient) == 2
        np.testing.assert_array_equal(gradient[1], [1.0, 1.0, 1.0])
    assert checked.count(1) == 1 and checked.count(0) == 3
    srcgrad.clear_cache()
    np.testing.assert_array_equal(by_array(items, w), [2.0, 2.0, 2.0])   # a cleared cache: transformed anew
    assert transforms.count("_rows") == 3
