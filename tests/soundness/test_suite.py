"""The adversarial soundness suite: every case of the ``adversarial_*.py`` modules, in reverse mode, forward mode
and (for smooth cases) the Hessian, against finite differences (``soundness_check``). A case passes when srcgrad
is right or raises a located ``SrcgradError``; failures say SILENTLY WRONG, CRASH, UNLOCATED or MUTATED INPUT.

``python -m tests.soundness.test_suite`` runs every check outside pytest and prints the per-category summary,
the failures and every refusal's first line; under pytest the counts and the failures are printed after
pytest's own summary (``SOUNDNESS_REFUSALS=1`` lists the refusals there too). The harness itself is tested at the end of this file:
right gradients pass, and wrong values, NaNs, wrong dtypes, crashes, unlocated errors and mutated inputs are
each caught as what they are."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import soundness_check as sc  # noqa: E402

import srcgrad  # noqa: E402
from srcgrad.errors import InputTypeError, LocatedError, SrcgradError  # noqa: E402

CASES = sc.load_cases()
pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
SMOOTH = [c for c in CASES if c.smooth]


# Known gaps, each a refusal that is not located at the user's lines (it points into a library function
# srcgrad transforms, into generated code, or nowhere). Strict: a fix makes the test XPASS, which fails, so
# the entry is removed. A SILENTLY WRONG result, a crash or a changed input is never listed here.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _params(cases: list, mode: str) -> list:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(c.id, mode)])]
                         if (c.id, mode) in KNOWN_GAPS else []) for c in cases]


def _run(c: sc.Case, mode: str) -> None:
    try:
        sc.check(c, mode)
        return
    except sc.SoundnessFailure as failure:
        message = str(failure)
    pytest.fail(message, pytrace=False)  # outside the handler: no "during handling of the above exception"


@pytest.mark.parametrize("c", _params(CASES, "reverse"))
def test_reverse(c):
    _run(c, "reverse")


@pytest.mark.parametrize("c", _params(CASES, "forward"))
def test_forward(c):
    _run(c, "forward")


@pytest.mark.parametrize("c", _params(SMOOTH, "hessian"))
def test_hessian(c):
    _run(c, "hessian")


# ------------------------------------------------------------------------------------------------------------
# the registry


def test_registry_has_enough_distinct_cases():
    assert len(CASES) >= 170, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.fn for c in CASES}) == len(CASES)
    assert {c.category for c in CASES} >= {"containers", "aliasing", "mutation", "ruleless", "outputs", "inputs",
                                           "scope", "control"}


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_case_is_well_formed(c):
    """The plain function runs on the inputs and the finite-difference reference exists wherever srcgrad may
    return a value (no kink within a few steps of the point); computing it leaves the case's inputs alone."""
    before = c.fresh_args()
    sc.info(c)
    for mode in sc.modes(c):
        if sc.must_refuse(c, mode):
            continue
        if mode == "reverse":
            sc.reference_gradient(c)
        elif mode == "forward":
            sc.reference_directional(c, sc.tangents(c))
        else:
            sc.reference_hessian(c, sc._argnums(c)[0])
    assert sc.same_tree(c.fresh_args(), before) is None


# ------------------------------------------------------------------------------------------------------------
# the harness itself: functions srcgrad certainly differentiates, and injected wrong answers


def good_sin(x):
    return np.sum(np.sin(x) * x)


def good_two(s, m):
    return s * np.sum(np.tanh(m) ** 2) + s ** 3


def good_tree(d):
    return np.sum(d["a"] * d["b"][0]) + d["b"][1] ** 2


def good_complex(z):
    return np.sum(np.abs(z) ** 2)


def good_pair(x):
    return np.sum(x * x), np.sin(x)


def mutates_argument(x):
    x *= 2.0
    return np.sum(x ** 2)


def returns_text(x):
    return f"{np.sum(x):.3f}"


def has_kink(x):
    return np.sum(np.abs(x))


def _harness_case(fn, args, **options):
    return sc.build(fn, args=args, category="harness", record=False, **options)


X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])


def test_harness_accepts_right_gradients():
    cases = [_harness_case(good_sin, (X,), smooth=True), _harness_case(good_two, (0.7, M)),
             _harness_case(good_tree, ({"a": X, "b": [X * 2.0, 0.4]},)),
             _harness_case(good_sin, (X.astype(np.float32),), loose=True, name="good_sin_float32")]
    for c in cases:
        for mode in sc.modes(c):
            assert sc.check(c, mode).status == "correct", (c.id, mode)


def test_reference_uses_fresh_copies():
    c = _harness_case(mutates_argument, (X,))
    want = sc.reference_gradient(c)
    assert np.allclose(want.value, 8.0 * X, rtol=1e-9)   # sum((2x)^2): each evaluation on its own copy
    assert np.array_equal(c.args[0], X)


def _expect_failure(kind, check, c, **injected):
    with pytest.raises(sc.SoundnessFailure) as info:
        check(c, **injected)
    assert info.value.kind == kind, str(info.value)
    return str(info.value)


def _grad_times(factor):
    return lambda f, argnums: (lambda *args: srcgrad.grad(f, argnums=argnums)(*args) * factor)


def _grad_returning(make):
    return lambda f, argnums: (lambda *args: make(*args))


def test_harness_catches_wrong_gradients():
    c = _harness_case(good_sin, (X,))
    assert sc.check_reverse(c).status == "correct"
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_times(1.001))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_times(1.0 + 1e-5))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: np.full(3, np.nan)))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: np.zeros(3)))
    right = srcgrad.grad(good_sin)(X.copy())
    nan_one = right.copy()
    nan_one[1] = np.nan
    assert "not finite" in _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c,
                                           grad=_grad_returning(lambda x: nan_one))
    assert "dtype" in _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c,
                                      grad=_grad_returning(lambda x: right.astype(np.float32)))
    assert "shape" in _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c,
                                      grad=_grad_returning(lambda x: right.reshape(3, 1)))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: list(right)))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: right + 0j))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: None))
    # a value where none exists
    text = _harness_case(returns_text, (X,))
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, text, grad=_grad_returning(lambda x: np.zeros(3)))


def test_harness_catches_wrong_tangents_and_hessians():
    c = _harness_case(good_sin, (X,), smooth=True)
    ts = sc.tangents(c)
    right_out, right_tangent = srcgrad.jvp(good_sin, (X.copy(),), tuple(ts))
    assert sc.check_forward(c).status == "correct"
    for bad in [(right_out, right_tangent * 1.0001), (right_out, np.nan), (right_out + 1e-3, right_tangent),
                (right_out, np.array([right_tangent])), (right_out, None), right_tangent]:
        _expect_failure(sc.SILENTLY_WRONG, sc.check_forward, c, jvp=lambda f, p, t, bad=bad: bad)
    H = srcgrad.hessian(good_sin)(X.copy())
    assert sc.check_hessian(c).status == "correct"
    off = H.copy()
    off[0, 1] += 1e-3
    for bad in [off, H * np.nan, H[0], H.astype(np.float32)]:
        _expect_failure(sc.SILENTLY_WRONG, sc.check_hessian, c, hessian=lambda f, k, bad=bad: (lambda *a: bad))


def _raising(err):
    def grad(f, argnums):
        def call(*args):
            raise err
        return call
    return grad


def test_harness_forward_mode_of_tuple_outputs():
    c = _harness_case(good_pair, (X,))
    assert sc.must_refuse(c, "reverse")            # grad of a tuple: only an error is sound
    assert not sc.must_refuse(c, "forward")        # jvp of a tuple: a tuple of tangents
    assert sc.check_forward(c).status == "correct"
    ts = sc.tangents(c)
    out, (t0, t1) = srcgrad.jvp(good_pair, (X.copy(),), tuple(ts))
    bad_array = t1.copy()
    bad_array[2] += 1e-3
    for bad in [(out, (t0, bad_array)), (out, (t0 * 1.01, t1)), (out, (t0, t1[:2])), (out, t1), (out, (t0,)),
                ((out[0], out[1] * 2.0), (t0, t1))]:
        _expect_failure(sc.SILENTLY_WRONG, sc.check_forward, c, jvp=lambda f, p, t, bad=bad: bad)
    _expect_failure(sc.SILENTLY_WRONG, sc.check_reverse, c, grad=_grad_returning(lambda x: np.zeros(3)))


def test_harness_classifies_errors():
    c = _harness_case(good_sin, (X,))
    first = sc.source_range(good_sin)[1]
    here = os.path.realpath(__file__)
    located = LocatedError("no", here, first + 1)
    assert sc.check_reverse(c, grad=_raising(located)).status == "refused"
    assert sc.check_reverse(c, grad=_raising(InputTypeError("good_sin: argument 0 is bad"))).status == "refused"
    _expect_failure(sc.CRASH, sc.check_reverse, c, grad=_raising(TypeError("boom")))
    _expect_failure(sc.CRASH, sc.check_reverse, c, grad=_raising(IndexError("boom")))
    _expect_failure(sc.UNLOCATED, sc.check_reverse, c, grad=_raising(LocatedError("no", None, None)))
    _expect_failure(sc.UNLOCATED, sc.check_reverse, c, grad=_raising(LocatedError("no", here, first - 3)))
    _expect_failure(sc.UNLOCATED, sc.check_reverse, c, grad=_raising(LocatedError("no", sc.__file__, first + 1)))
    _expect_failure(sc.UNLOCATED, sc.check_reverse, c, grad=_raising(SrcgradError("something went wrong")))

    def mutating(f, argnums):
        def call(x):
            x[0] += 1.0
            return srcgrad.grad(good_sin)(X.copy())
        return call

    _expect_failure(sc.MUTATED, sc.check_reverse, c, grad=mutating)

    def mutating_refusal(f, argnums):
        def call(x):
            x[0] += 1.0
            raise located
        return call

    _expect_failure(sc.MUTATED, sc.check_reverse, c, grad=mutating_refusal)


def test_harness_times_out(monkeypatch):
    monkeypatch.setattr(sc, "CALL_SECONDS", 0.2)
    c = _harness_case(good_sin, (X,))

    def hangs(f, argnums):
        def call(*args):
            while True:
                time.sleep(0.01)
        return call

    assert "timed out" in _expect_failure(sc.CRASH, sc.check_reverse, c, grad=hangs)


def test_harness_complex_inputs_accept_either_convention():
    z = np.array([0.3 + 0.5j, -0.7 + 0.2j])
    c = _harness_case(good_complex, (z,))
    want = sc.reference_gradient(c)
    assert np.allclose(want.value, 2.0 * z, rtol=1e-8)
    for right in (2.0 * z, 2.0 * np.conj(z)):
        assert sc.mismatch(right, want) is None
    assert sc.mismatch(2.0 * z.real + 0j, want) is not None
    assert sc.mismatch(2.0 * z.real, want) is not None


def test_harness_rejects_broken_cases():
    c = _harness_case(has_kink, (np.array([0.3, 0.0, 1.2]),))
    with pytest.raises(sc.BrokenCase):
        sc.reference_gradient(c)


def test_location_check_uses_function_lines():
    c = _harness_case(good_two, (0.7, M))
    filename, first, last = sc.source_range(good_two)
    assert filename == os.path.realpath(__file__)
    assert last == first + 1
    assert sc.location_problem(c, LocatedError("x", __file__, first)) is None
    assert sc.location_problem(c, LocatedError("x", __file__, last + 1)) is not None


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # srcgrad's and NumPy's warnings about the adversarial code
    start = time.perf_counter()
    sc.run_all(CASES)
    print(sc.summary(refusals=True))
    print(f"{len(CASES)} cases in {time.perf_counter() - start:.1f} s")
