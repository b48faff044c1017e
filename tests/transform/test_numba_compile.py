"""``grad(f, compile="numba")`` (``numba_backend.py``) and the lowering into Numba's subset
(``numba_lowering.py``).

The lowered code is still Python: run without Numba it must give the generated code's gradient, which
checks the rewrites on every Python. With Numba installed, each function here that Numba compiles must give
the uncompiled gradient to 1e-12, and each it cannot must warn (or, with ``"numba!"``, raise) naming the
user's line, and still give the right gradient."""

from __future__ import annotations

import re
import sys
import warnings

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad
from srcgrad import numba_backend
from srcgrad.codegen import to_source
from srcgrad.numba_backend import CompileError, CompileWarning, lowered_source
from srcgrad.numba_lowering import VECTORISED_UFUNCS, vectorised_name


def scalar_loop(x):
    s = 0.0
    for i in range(200):
        s = s + np.sin(x * i) * np.cos(x + i)
    return s


def rosenbrock_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def lotka_volterra(theta, x0, y0):
    a, b, c, d = theta
    x = x0
    y = y0
    for _ in range(30):
        dx = a * x - b * x * y
        dy = c * x * y - d * y
        x = x + 0.01 * dx
        y = y + 0.01 * dy
    return np.mean((x - 1.0) ** 2 + (y - 1.0) ** 2)


def rnn(Wx, Wh, b, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def stencil(u, k):
    for _ in range(5):
        u = u + k * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return np.sum(u * u)


def early_exit(x):
    total = 0.0
    for i in range(3, 40, 2):
        total = total + np.sin(x * i)
        if total > 2.5:
            break
    return total * x


def leaky(w, xs):
    h = 0.0
    n = 0
    while n < xs.shape[0]:
        h = 0.9 * h + np.tanh(w * xs[n])
        n += 1
    return h * h


def row_softmax_mean(W, x):
    z = x @ W
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return np.mean(e / np.sum(e, axis=1, keepdims=True) * z)


def broadcast_sums(W, b):
    z = np.tanh(W + b)
    return np.sum(np.sum(z, axis=0, keepdims=True) * W)


RNG = np.random.default_rng(11)
CASES = {
    "scalar_loop": (scalar_loop, (0.3,), 0),
    "rosenbrock_loop": (rosenbrock_loop, (RNG.normal(size=12),), 0),
    "lotka_volterra": (lotka_volterra, (np.array([1.1, 0.4, 0.4, 0.9]), RNG.uniform(0.5, 1.5, 20),
                                        RNG.uniform(0.5, 1.5, 20)), (0, 1, 2)),
    "rnn": (rnn, (0.3 * RNG.normal(size=(3, 4)), 0.3 * RNG.normal(size=(4, 4)), RNG.normal(size=4),
                  RNG.normal(size=(2, 4)), RNG.normal(size=(5, 2, 3))), (0, 1, 2)),
    "stencil": (stencil, (RNG.normal(size=16), 0.2), (0, 1)),
    "early_exit": (early_exit, (0.7,), 0),
    "leaky": (leaky, (0.8, RNG.normal(size=9)), 0),
    "broadcast_sums": (broadcast_sums, (RNG.normal(size=(3, 4)), RNG.normal(size=4)), (0, 1)),
}
# what Numba compiles (the others use an operation outside its subset: np.max over an axis)
COMPILED = ["scalar_loop", "rosenbrock_loop", "lotka_volterra", "rnn", "early_exit", "leaky", "broadcast_sums"]


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _assert_same(got, expected, rtol):
    got, expected = _leaves(got), _leaves(expected)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype
        assert np.all(np.isfinite(b))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(b)))))


def _generated(fn, args, argnums):
    srcgrad.grad(fn, argnums=argnums)(*args)
    (generated,) = [g for g, _ in srcgrad.grad(fn, argnums=argnums).variants.values()] or [None]
    return generated


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_lowered_code_is_python_that_gives_the_same_gradient(name):
    fn, args, argnums = CASES[name]
    g = srcgrad.grad(fn, argnums=argnums)
    expected = g(*args)
    ((generated, _),) = g.variants.values()
    lowered = lowered_source(generated.source)
    code = "\n".join(line for line in lowered.splitlines() if not line.lstrip().startswith("#"))
    assert "reversed(" not in code and re.search(r"\bstack\.", code) is None
    assert ".sum(axis=(" not in code and "keepdims=True" not in code
    assert lowered.count("# line ") == generated.source.count("# line ")   # the user's lines stay
    namespace = dict(generated.namespace)
    # ``numpy_tanh(x)`` is ``np.tanh(x)`` computed by NumPy's loop from compiled code
    namespace.update({vectorised_name(u): getattr(np, u) for u in VECTORISED_UFUNCS})
    exec(compile(lowered, f"<lowered {name}>", "exec"), namespace)
    got = namespace[generated.function.__name__](*args, 1.0)
    _assert_same(got, (expected,) if not isinstance(expected, tuple) else expected, 1e-13)


def test_each_variable_gets_its_own_stack_and_dead_restores_go_with_their_pushes():
    fn, args, argnums = CASES["lotka_volterra"]
    g = srcgrad.grad(fn, argnums=argnums)
    g(*args)
    ((generated, _),) = g.variants.values()
    lowered = lowered_source(generated.source)
    for stack in set(re.findall(r"\b(stack_\w+) = \[\]", lowered)):
        assert lowered.count(f"{stack}.append(") == lowered.count(f"{stack}.pop()") >= 1
    # the pushes of x and y before their first assignment (None) and their restores at the end are gone
    forward = lowered.split("# adjoint sweep")[0]
    assert forward.index("stack_x.append(x)") > forward.index("for _ in range_")
    assert not re.search(r"^    [xy] = stack_\w+\.pop\(\)", lowered, re.MULTILINE)


def test_a_reversed_range_runs_its_indices_backwards_for_any_start_step_and_count():
    import gast

    from srcgrad.numba_lowering import lower_for_numba

    source = ("def f(r, n):\n    out = []\n    for i in reversed(r):\n        out.append(i)\n"
              "    for i in reversed(r[:n]):\n        out.append(-i)\n    return out\n")
    fn = gast.parse(source).body[0]
    fn.body.insert(0, gast.parse("r = range(*r)").body[0])
    lowered = to_source(lower_for_numba(fn, "np"))
    assert "reversed" not in lowered
    namespace: dict = {}
    exec(lowered, namespace)
    for spec in [(5,), (3, 11, 2), (10, 0, -3), (4, 4), (0, 7, 3)]:
        r = range(*spec)
        for n in (0, 1, 2, 50):
            assert namespace["f"](spec, n) == list(reversed(r)) + [-i for i in reversed(r[:n])], (spec, n)


numba = pytest.importorskip("numba", reason="compile='numba' needs Numba: pip install 'srcgrad[numba]'")


@pytest.mark.parametrize("name", COMPILED)
def test_numba_compiles_the_gradient_and_it_equals_the_uncompiled_one(name):
    fn, args, argnums = CASES[name]
    expected = srcgrad.grad(fn, argnums=argnums)(*args)
    compiled = srcgrad.grad(fn, argnums=argnums, compile="numba!")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        got = compiled(*args)
        again = compiled(*args)
    (entry,) = compiled.compiled.values()
    assert entry.function is not None and entry.reason is None   # the compiled code ran
    _assert_same(got, expected, 1e-12)
    _assert_same(again, expected, 1e-12)
    if name in ("scalar_loop", "rosenbrock_loop", "lotka_volterra"):
        check_grad(fn, list(args), argnums=argnums)


def test_value_and_grad_compiles_too():
    fn, args, argnums = CASES["rosenbrock_loop"]
    value, gradient = srcgrad.value_and_grad(fn, compile="numba!")(*args)
    expected_value, expected = srcgrad.value_and_grad(fn)(*args)
    assert value == pytest.approx(expected_value, rel=1e-13)
    _assert_same(gradient, expected, 1e-12)


def test_outside_numbas_subset_it_warns_naming_the_line_and_runs_the_uncompiled_gradient():
    W, x = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 3))
    g = srcgrad.grad(row_softmax_mean, compile="numba")
    with pytest.warns(CompileWarning) as caught:
        got = g(W, x)
    message = str(caught[0].message)
    assert "row_softmax_mean" in message and "test_numba_compile.py" in message
    assert "(at line " in message and "np.max(z, axis=1, keepdims=True)" in message
    assert "running the uncompiled gradient" in message
    _assert_same(got, srcgrad.grad(row_softmax_mean)(W, x), 1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        g(W, x)   # once per signature


def test_the_strict_form_raises_instead():
    W, x = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 3))
    with pytest.raises(CompileError, match=r"row_softmax_mean .*np\.max\(z, axis=1, keepdims=True\)"):
        srcgrad.grad(row_softmax_mean, compile="numba!")(W, x)


def test_without_numba_it_warns_and_runs_the_uncompiled_gradient(monkeypatch):
    monkeypatch.setattr(numba_backend, "numba_available", lambda: False)
    fn, args, _ = CASES["scalar_loop"]
    with pytest.warns(CompileWarning, match=r"Numba is not installed \(pip install 'srcgrad\[numba\]'\)"):
        got = srcgrad.grad(fn, compile="numba")(*args)
    assert got == srcgrad.grad(fn)(*args)
    with pytest.raises(CompileError, match="Numba is not installed"):
        srcgrad.grad(fn, compile="numba!")(*args)


def test_a_compiled_gradient_that_disagrees_is_never_used(monkeypatch):
    fn, args, _ = CASES["scalar_loop"]
    real = numba_backend.compile_generated

    def broken(source, name, namespace, filename):
        compiled = real(source, name, namespace, filename)
        return lambda *call: tuple(2.0 * v for v in compiled(*call))

    monkeypatch.setattr(numba_backend, "compile_generated", broken)
    g = srcgrad.grad(fn, compile="numba")
    with pytest.warns(CompileWarning, match="differs from the uncompiled one"):
        got = g(*args)
    assert got == srcgrad.grad(fn)(*args)
    assert g(*args) == got


def test_bad_compile_values_and_show():
    with pytest.raises(ValueError, match="compile must be one of None, 'numba', 'numba!'"):
        srcgrad.grad(scalar_loop, compile="jit")
    shown = srcgrad.show(rosenbrock_loop, np.ones(4), compile="numba")
    assert "reversed" not in shown and "# line " in shown and shown.startswith("def rosenbrock_loop_grad(")


@pytest.mark.parametrize("name", ["scalar_loop", "rosenbrock_loop", "lotka_volterra", "leaky"])
def test_jvp_compiles_too(name):
    fn, args, _ = CASES[name]
    tangents = tuple(RNG.normal(size=np.shape(a)) if np.ndim(a) else 0.7 for a in args)
    if name == "leaky":
        tangents = (0.7, None)
    expected = srcgrad.jvp(fn, args, tangents)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        got = srcgrad.jvp(fn, args, tangents, compile="numba!")
        again = srcgrad.jvp(fn, args, tangents, compile="numba!")
    _assert_same(got, expected, 1e-12)
    _assert_same(again, expected, 1e-12)


def test_jvp_outside_numbas_subset_warns_once_and_is_right():
    W, x = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 3))
    tangents = (RNG.normal(size=(3, 4)), None)
    expected = srcgrad.jvp(row_softmax_mean, (W, x), tangents)
    with pytest.warns(CompileWarning, match=r"row_softmax_mean .*running the uncompiled gradient"):
        got = srcgrad.jvp(row_softmax_mean, (W, x), tangents, compile="numba")
    _assert_same(got, expected, 1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        _assert_same(srcgrad.jvp(row_softmax_mean, (W, x), tangents, compile="numba"), expected, 1e-15)


def test_large_arrays_go_to_numpys_vectorised_loops_and_small_ones_stay_compiled():
    from srcgrad.numba_overloads import UFUNC_STUBS, VECTORISED_FROM

    numpy_tanh, numpy_exp = UFUNC_STUBS["numpy_tanh"], UFUNC_STUBS["numpy_exp"]

    @numba.njit
    def both(x, s):
        return numpy_tanh(x), numpy_exp(x), numpy_tanh(s)

    for size in (3, VECTORISED_FROM - 1, VECTORISED_FROM, 4 * VECTORISED_FROM):
        x = RNG.normal(size=size)
        t, e, s = both(x, 0.25)
        if size >= VECTORISED_FROM:   # NumPy's own loop: NumPy's bits
            np.testing.assert_array_equal(t, np.tanh(x))
            np.testing.assert_array_equal(e, np.exp(x))
        np.testing.assert_allclose(t, np.tanh(x), rtol=1e-15)
        np.testing.assert_allclose(e, np.exp(x), rtol=1e-15)
        assert s == pytest.approx(np.tanh(0.25), rel=1e-15) and t.shape == x.shape and t.dtype == np.float64
    x2 = RNG.normal(size=(40, 30))
    np.testing.assert_array_equal(both(x2, 0.0)[0], np.tanh(x2))   # any number of dimensions
    assert "numpy_tanh(" in srcgrad.show(rnn, *CASES["rnn"][1], argnums=(0, 1, 2), compile="numba")


def test_the_split_vjp_is_python_that_gives_the_same_cotangents():
    """The forward sweep and backward function ``numba_split`` makes of a vjp's closure, run as Python."""
    from srcgrad.cache import reverse_generated
    from srcgrad.numba_backend import lowered_vjp_sources
    from srcgrad.numba_split import TYPED_LIST

    for name in ("lotka_volterra", "early_exit", "rnn", "leaky"):
        fn, args, _ = CASES[name]
        generated = reverse_generated(fn, tuple(range(len(args))), True, False, args, closure=True)
        forward, backward = lowered_vjp_sources(generated.source)
        assert "def " not in forward.split("\n", 1)[1] and "stack." not in forward + backward
        namespace = dict(generated.namespace)
        namespace.update({vectorised_name(u): getattr(np, u) for u in VECTORISED_UFUNCS})
        namespace[TYPED_LIST] = list
        exec(compile(forward + "\n" + backward, f"<split {name}>", "exec"), namespace)
        out, state = namespace[re.search(r"def (\w+)\(", forward).group(1)](*args)
        expected_out, expected_backward = srcgrad.vjp(fn, *args)
        assert out == pytest.approx(expected_out, rel=1e-14)
        for cotangent in (1.0, -0.3):   # the backward function may run again
            got = namespace[re.search(r"def (\w+)\(", backward).group(1)](cotangent, *state)
            _assert_same(got, expected_backward(cotangent), 1e-13)


@pytest.mark.parametrize("name", ["scalar_loop", "rosenbrock_loop", "lotka_volterra", "rnn", "early_exit", "leaky"])
def test_vjp_compiles_its_forward_sweep_and_backward_function(name):
    from srcgrad.cache import reverse_generated

    fn, args, _ = CASES[name]
    expected_out, expected_backward = srcgrad.vjp(fn, *args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no CompileWarning, and none of Numba's deprecation warnings
        for _ in range(3):   # first call (checked against the uncompiled closure), then compiled
            out, backward = srcgrad.vjp(fn, *args, compile="numba!")
            assert out == pytest.approx(expected_out, rel=1e-13)
            for cotangent in (1.0, 0.25):
                _assert_same(backward(cotangent), expected_backward(cotangent), 1e-12)
    pair = reverse_generated(fn, tuple(range(len(args))), True, False, args, closure=True).compiled["numba!"]
    assert pair.forward_ok and pair.backward_ok


def test_a_vjp_outside_numbas_subset_warns_and_gives_the_uncompiled_cotangents():
    fn, args, _ = CASES["stencil"]   # np.roll's cotangent is outside Numba's subset
    expected_out, expected_backward = srcgrad.vjp(fn, *args)
    with pytest.warns(CompileWarning, match=r"stencil \(.*test_numba_compile.py:\d+\): .*running the uncompiled"):
        out, backward = srcgrad.vjp(fn, *args, compile="numba")
        got = backward(1.0)
    _assert_same(got, expected_backward(1.0), 1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        out, backward = srcgrad.vjp(fn, *args, compile="numba")
        _assert_same(backward(0.5), expected_backward(0.5), 1e-15)
    with pytest.raises(CompileError):
        srcgrad.vjp(fn, *args, compile="numba!")[1](1.0)


SCALE = 2.0
WEIGHTS = np.array([1.0, -2.0, 0.5])


def scaled_loop(x):
    s = 0.0
    for i in range(20):
        s = s + SCALE * np.sin(x * i)
    return s


def weighted(x):
    return np.sum(WEIGHTS * np.tanh(x))


def test_a_rebound_global_is_seen_by_the_compiled_gradient(monkeypatch):
    g = srcgrad.grad(scaled_loop, compile="numba!")
    first = g(0.3)
    assert first == pytest.approx(srcgrad.grad(scaled_loop)(0.3), rel=1e-12)
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 5.0)
    again = g(0.3)
    assert again == pytest.approx(2.5 * first, rel=1e-12)
    assert again == pytest.approx(srcgrad.grad(scaled_loop)(0.3), rel=1e-12)
    _, tangent = srcgrad.jvp(scaled_loop, (0.3,), (1.0,), compile="numba!")
    assert tangent == pytest.approx(again, rel=1e-12)


def test_code_reading_a_global_array_is_not_compiled_and_sees_it_change():
    x = RNG.normal(size=3)
    g = srcgrad.grad(weighted, compile="numba")
    with pytest.warns(CompileWarning, match=r"reads the global 'WEIGHTS' \(ndarray\).*pass it as an argument"):
        g(x)
    saved = WEIGHTS.copy()
    try:
        WEIGHTS[:] = [3.0, 3.0, 3.0]
        np.testing.assert_allclose(g(x), 3.0 * (1 - np.tanh(x) ** 2), rtol=1e-14)
    finally:
        WEIGHTS[:] = saved


def gathered(x, idx):
    return np.sum(np.sin(x[idx]))


def test_an_index_array_with_repeats_after_the_first_call_still_accumulates():
    """The first call's check sees one set of values; an index array may repeat positions in a later call
    of the same signature, where ``out[idx] = g`` would keep one contribution: such indices stay uncompiled."""
    x = RNG.normal(size=5)
    g = srcgrad.grad(gathered, compile="numba")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)
        g(x, np.array([0, 1, 2]))
        got = g(x, np.array([0, 0, 1]))
    expected = np.zeros(5)
    np.add.at(expected, [0, 0, 1], np.cos(x[[0, 0, 1]]))
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_a_complex_sum_of_products_is_not_conjugated():
    from srcgrad.numba_overloads import sum_of_product  # (importing the module registers the overloads)

    @numba.njit
    def through(a, b):
        return sum_of_product(a, b, 0.0)

    a, b = RNG.normal(size=4) + 1j * RNG.normal(size=4), RNG.normal(size=4) + 1j * RNG.normal(size=4)
    assert through(a, b) == pytest.approx(np.sum(a * b), rel=1e-14)
    x, y = RNG.normal(size=(2, 3)), RNG.normal(size=3)   # shapes that broadcast
    assert through(x, y) == pytest.approx(np.sum(x * y), rel=1e-14)
    assert through(x, x) == pytest.approx(np.sum(x * x), rel=1e-14)


def powered(x, y):
    return np.sum(x ** y)


def test_a_zero_exponent_gives_zero_slopes_even_at_infinite_bases_after_the_first_call():
    g = srcgrad.grad(powered, compile="numba!")
    x = np.array([0.5, 2.0, 3.0])
    np.testing.assert_allclose(g(x, 2.0), 2 * x, rtol=1e-14)
    at_inf = np.array([0.5, np.inf, 0.0])
    expected = srcgrad.grad(powered)(at_inf, 0.0)
    np.testing.assert_array_equal(expected, np.zeros(3))   # as torch.pow's gradient at exponent 0
    np.testing.assert_array_equal(g(at_inf, 0.0), expected)
