"""Every function of the gradient corpora (straight-line code, control flow, calls) has a Hessian in each
of its differentiable float arguments, equal to central finite differences of srcgrad's gradient — or
srcgrad refuses with an error that says why (a ``custom_vjp`` defines reverse mode only)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import test_corpus_calls
import test_corpus_control
import test_corpus_straight

import srcgrad

CORPORA = (test_corpus_straight, test_corpus_control, test_corpus_calls)
MAX_SIZE = 40  # a Hessian costs one Hessian-vector product per input element
REFUSED = {"custom_vjp_inside_helper": "custom_vjp", "custom_vjp_called_directly_and_nested": "custom_vjp"}


def _is_float_input(x) -> bool:
    return isinstance(x, float) or (isinstance(x, np.ndarray) and x.dtype == np.float64)


def _params():
    params = []
    for corpus in CORPORA:
        for case in corpus.CORPUS:
            args = case.args()
            for argnum in case.wrt:
                if _is_float_input(args[argnum]) and np.size(args[argnum]) <= MAX_SIZE:
                    params.append(pytest.param(case, argnum, id=f"{corpus.__name__[12:]}-{case.name}-{argnum}"))
    return params


PARAMS = _params()


def test_the_sweep_covers_the_corpora():
    assert len(PARAMS) >= 300


def finite_difference_hessian(f, args, argnum, eps=1e-5):
    gradient = srcgrad.grad(f, argnums=argnum)
    x = args[argnum]
    columns = []
    for k in range(np.size(x)):
        step = float(eps) if isinstance(x, float) else np.eye(np.size(x))[k].reshape(np.shape(x)) * eps
        plus = list(args)
        plus[argnum] = x + step
        minus = list(args)
        minus[argnum] = x - step
        columns.append((np.asarray(gradient(*plus)) - np.asarray(gradient(*minus))) / (2 * eps))
    return np.stack(columns, axis=-1).reshape(np.shape(x) + np.shape(x))


@pytest.mark.parametrize(("case", "argnum"), PARAMS)
def test_hessian_matches_finite_differences_of_the_gradient(case, argnum):
    args = case.args()
    if case.name in REFUSED:
        with pytest.raises(srcgrad.SrcgradError, match=REFUSED[case.name]) as raised:
            srcgrad.hessian(case.fn, argnums=argnum)(*args)
        # located at the user's line that calls the custom_vjp function (in the caller or a callee)
        called = re.search(r"'(\w+)' is a custom_vjp", str(raised.value)).group(1)
        assert raised.value.filename.endswith(".py") and f"{called}(" in raised.value.source_line
        return
    H = np.asarray(srcgrad.hessian(case.fn, argnums=argnum)(*args))
    x = args[argnum]
    assert H.shape == np.shape(x) + np.shape(x) and H.dtype == np.float64
    assert np.all(np.isfinite(H))
    expected = finite_difference_hessian(case.fn, args, argnum)
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-6 * scale)
