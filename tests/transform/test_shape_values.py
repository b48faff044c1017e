"""Values computed only from what describes an array (``.shape``, ``.ndim``, ``.size``, ``.dtype``, ``len``) carry
no derivative, in every analysis that decides activity or refuses a call: a pad width ``kernel.shape[0] // 2``
of a differentiated kernel is a constant (prog_deconvolution), as is ``x.shape[0] * 1.0``, while a value that
also reads the array's entries stays differentiated, and a rule's non-differentiable argument that does
depend on them is still refused. Gradients and tangents against central differences in float64."""

import numpy as np
import pytest
from oracles import central

import srcgrad
from srcgrad import MissingRuleError

S = np.array([0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 0.4])
K = np.array([0.2, 0.5, -0.4])


def pad_by_shape(s, k):
    return np.sum(np.pad(s, k.shape[0] // 2, mode="constant")[:s.shape[0]] * k[0] + k[1] * s[-1])


def pad_by_len(s, k):
    width = len(k) // 2
    return np.sum(np.pad(s, width)[1:] ** 2 * k[-1])


def pad_by_size_pair(s, k):
    return np.sum(np.pad(s, (k.size // 2, k.size - 1 - k.size // 2))[:s.shape[0]] * np.cos(k[2]))


def roll_by_shape(s, k):
    return np.sum(np.roll(np.pad(s, np.size(k) // 2), k.shape[0]) * np.mean(k) * s[0])


def fill_by_ndim(s, k):
    return np.sum(np.pad(s, len(k) // 2, mode="constant", constant_values=k.ndim * 0.5) * np.sin(k[0]))


def blur(signal, kernel):
    """prog_deconvolution's helper: the kernel is a float argument, so the call differentiates it too."""
    n = signal.shape[0]
    padded = np.pad(signal, kernel.shape[0] // 2, mode="constant")
    return sum([weight * padded[i:i + n] for i, weight in enumerate(kernel)])


def blurred(s, k):
    return 0.5 * np.sum((blur(s, k) - 0.1) ** 2)


def float_from_shape(s, k):
    scale = k.shape[0] * 1.0  # a constant, though a float
    return np.sum(s * scale) * np.sum(k ** 2) / scale


def shape_and_entries(s, k):
    mixed = k.shape[0] * k[0]  # reads an entry of k: differentiated
    return np.sum(s * mixed) * k[1]


def windows(s, k):
    total = 0.0
    for i in range(len(s) - len(k) + 1):
        total = total + np.sum(s[i:i + len(k)] * k) ** 2 / len(k)
    return total


def fill(s, width):
    return np.full(s.shape, width) * s


def float_width_to_a_helper(s, k):
    return np.sum(fill(s, k.shape[0] / 2.0) * k[0])


CASES = [pad_by_shape, pad_by_len, pad_by_size_pair, roll_by_shape, fill_by_ndim, blurred, float_from_shape,
         shape_and_entries, windows, float_width_to_a_helper]


def _split(f):
    return (lambda s: f(s, K)), (lambda k: f(S, k))


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences(f):
    value, (d_s, d_k) = srcgrad.value_and_grad(f, argnums=(0, 1))(S.copy(), K.copy())
    assert np.isclose(value, f(S, K), rtol=1e-13, atol=1e-14)
    for gradient, like in ((d_s, S), (d_k, K)):
        assert isinstance(gradient, np.ndarray) and gradient.shape == like.shape and gradient.dtype == np.float64
    of_s, of_k = _split(f)
    np.testing.assert_allclose(d_s, central(of_s, S), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d_k, central(of_k, K), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_tangent_against_finite_differences(f):
    t_s, t_k = np.linspace(0.4, -1.0, S.size), np.array([0.7, -0.3, 1.2])
    value, derivative = srcgrad.jvp(f, (S.copy(), K.copy()), (t_s, t_k))
    assert np.isclose(value, f(S, K), rtol=1e-13, atol=1e-14)
    assert np.ndim(derivative) == 0 and np.asarray(derivative).dtype == np.float64
    of_s, of_k = _split(f)
    np.testing.assert_allclose(derivative, central(of_s, S) @ t_s + central(of_k, K) @ t_k, rtol=1e-6, atol=1e-8)


def pad_value_from_entries(s, k):
    return np.sum(np.pad(s, 1, constant_values=k[0]) * k[1])


def test_an_argument_without_rule_that_reads_entries_is_still_refused():
    for run in (lambda: srcgrad.grad(pad_value_from_entries, argnums=(0, 1))(S, K),
                lambda: srcgrad.jvp(pad_value_from_entries, (S, K), (S, K))):
        with pytest.raises(MissingRuleError, match="constant_values, which depend on the differentiated inputs"):
            run()
