"""Whole programs through np.fft: real inputs, complex intermediates, a real loss.

Each function below calls some of the transforms (every one of ``np.fft``'s is called by at least one) and
takes its complex values apart again (``np.abs``, ``np.real``, ``np.imag``, ``.real``/``.imag``,
``np.angle``, ``np.conj``, ``z * np.conj(z)``). ``srcgrad.grad``, ``srcgrad.jvp`` and ``srcgrad.hessian``
are checked against central differences in float64, against PyTorch (``torch.fft``, the same program
written with torch operations) and, where it differentiates the function, against HIPS autograd
(``autograd.numpy.fft``, the same source run with ``np`` bound to ``autograd.numpy``; it has no derivative
of ``hfft``/``ihfft``, of real transforms of odd length, or of ``norm="backward"``/``"forward"`` for them).
Values, shapes and dtypes are asserted; NaN never counts as agreement.

Then what srcgrad refuses: an operation that has not been verified for complex operands, a complex value
passed into or out of a function srcgrad differentiates through, a differentiated exponent of a complex base,
a cast that would drop imaginary parts and transforms along a repeated axis, each at the user's line."""

from __future__ import annotations

import numpy as np
import pytest

import srcgrad
from srcgrad.errors import InputTypeError, MissingRuleError, SrcgradError

try:
    import torch
except ImportError:  # the PyTorch comparisons are skipped; finite differences still run
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

RNG = np.random.default_rng(20250301)
N = 16
X = RNG.normal(size=N)
M = RNG.normal(size=(4, 6))
W_HALF = RNG.uniform(0.5, 1.5, size=N // 2 + 1)
H = RNG.normal(size=N // 2 + 1) + 1j * RNG.normal(size=N // 2 + 1)
K = RNG.normal(size=N) + 1j * RNG.normal(size=N)
W16 = RNG.normal(size=N)
W24 = RNG.normal(size=24)
W46 = RNG.normal(size=(4, 6))
W83 = RNG.normal(size=(8, 3))
W44 = RNG.normal(size=(4, 4))
W47 = RNG.normal(size=(4, 7))
H2 = RNG.normal(size=(4, 4)) + 1j * RNG.normal(size=(4, 4))
C8 = RNG.normal(size=(3, 8)) + 1j * RNG.normal(size=(3, 8))


def agree(got, want, rtol: float = 1e-9, atol: float = 1e-11) -> None:
    """Same shape, no NaN on either side (NaN never counts as agreement), values close."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert not np.any(np.isnan(got)), f"srcgrad gives NaN: {got}"
    assert not np.any(np.isnan(want)), f"the reference gives NaN: {want}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=False)


def central(f, x, eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        out[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def c(T, value):
    """A NumPy constant as a torch tensor."""
    return T.as_tensor(value)


# --- the programs, each with its PyTorch twin ---------------------------------------------------------------


def power_spectrum(x):
    spec = np.fft.rfft(x)
    return np.sum(np.abs(spec) ** 2 * W_HALF)


def t_power_spectrum(T, x):
    return T.sum(T.abs(T.fft.rfft(x)) ** 2 * c(T, W_HALF))


def fft_filter(x):
    y = np.fft.irfft(np.fft.rfft(x) * H, n=len(x))
    return np.sum(y ** 2 * W16)


def t_fft_filter(T, x):
    y = T.fft.irfft(T.fft.rfft(x) * c(T, H), n=x.shape[0])
    return T.sum(y ** 2 * c(T, W16))


def circular_convolution(x):
    return np.sum(np.real(np.fft.ifft(np.fft.fft(x) * K)) ** 3)


def t_circular_convolution(T, x):
    return T.sum(T.real(T.fft.ifft(T.fft.fft(x) * c(T, K))) ** 3)


def centred_power_2d(x):
    power = np.abs(np.fft.fftshift(np.fft.fft2(x))) ** 2
    return np.sum(power * W46)


def t_centred_power_2d(T, x):
    return T.sum(T.abs(T.fft.fftshift(T.fft.fft2(x))) ** 2 * c(T, W46))


def cropped_orthonormal(x):
    z = np.fft.fft(x, n=10, norm="ortho")
    return np.sum(z.real ** 2 - z.imag * W16[:10]) + np.sum(z.conj().real * W16[6:])


def t_cropped_orthonormal(T, x):
    z = T.fft.fft(x, n=10, norm="ortho")
    return T.sum(z.real ** 2 - z.imag * c(T, W16[:10])) + T.sum(z.conj().real * c(T, W16[6:]))


def padded_inverse(x):
    z = np.fft.ifft(x, n=24, norm="forward")
    return np.sum(np.real(z * np.conj(z)) * W24)


def t_padded_inverse(T, x):
    z = T.fft.ifft(x, n=24, norm="forward")
    return T.sum(T.real(z * T.conj(z)) * c(T, W24))


def transform_of_some_axes(x):
    z = np.fft.fftn(x, s=(3, 8), axes=(1, 0))
    return np.sum(np.abs(z) * W83)


def t_transform_of_some_axes(T, x):
    return T.sum(T.abs(T.fft.fftn(x, s=(3, 8), dim=(1, 0))) * c(T, W83))


def phase_of_inverse(x):
    z = np.fft.ifftn(x * 1.5, norm="ortho") + 2.5  # off the branch cut of the angle
    return np.sum(np.angle(z) * W46) + np.sum(np.imag(z) ** 2)


def t_phase_of_inverse(T, x):
    z = T.fft.ifftn(x * 1.5, norm="ortho") + 2.5
    return T.sum(T.angle(z) * c(T, W46)) + T.sum(T.imag(z) ** 2)


def half_plane_power(x):
    return np.sum(np.abs(np.fft.rfft2(x)) ** 2 * W44)


def t_half_plane_power(T, x):
    return T.sum(T.abs(T.fft.rfft2(x)) ** 2 * c(T, W44))


def filtered_image(x):
    y = np.fft.irfft2(np.fft.rfft2(x) * H2, s=x.shape)
    return np.sum(np.tanh(y) * W46)


def t_filtered_image(T, x):
    y = T.fft.irfft2(T.fft.rfft2(x) * c(T, H2), s=tuple(x.shape))
    return T.sum(T.tanh(y) * c(T, W46))


def odd_real_transform(x):
    z = np.fft.rfftn(x, s=(5, 7), axes=(0, 1), norm="forward")
    return np.sum(np.abs(z) ** 3)


def t_odd_real_transform(T, x):
    return T.sum(T.abs(T.fft.rfftn(x, s=(5, 7), dim=(0, 1), norm="forward")) ** 3)


def odd_inverse_real_transform(x):
    y = np.fft.irfftn(np.fft.rfftn(x) * 1.5j + x[:, :4], s=(4, 7), axes=(0, 1))
    return np.sum(np.sin(y) * W47)


def t_odd_inverse_real_transform(T, x):
    y = T.fft.irfftn(T.fft.rfftn(x) * 1.5j + x[:, :4], s=(4, 7), dim=(0, 1))
    return T.sum(T.sin(y) * c(T, W47))


def hermitian_signal(x):
    y = np.fft.hfft(np.fft.ifft(x)[:9], n=N, norm="ortho")
    return np.sum(y * W16) + 0.1 * np.sum(y ** 2)


def t_hermitian_signal(T, x):
    y = T.fft.hfft(T.fft.ifft(x)[:9], n=N, norm="ortho")
    return T.sum(y * c(T, W16)) + 0.1 * T.sum(y ** 2)


def inverse_hermitian(x):
    z = np.fft.ihfft(x, n=13, norm="backward")
    return np.sum(np.abs(z - 0.3j) ** 2)


def t_inverse_hermitian(T, x):
    z = T.fft.ihfft(x, n=13, norm="backward")
    return T.sum(T.abs(z - 0.3j) ** 2)


def fractional_delay(x):
    freqs = np.fft.fftfreq(len(x))
    delay = 3.0 * x[0]
    shifted = np.fft.ifft(np.fft.fft(x) * np.exp(-2j * np.pi * freqs * delay))
    return np.sum(np.real(shifted) ** 2 * W16) + np.sum(np.fft.ifftshift(np.real(shifted)) * W16)


def t_fractional_delay(T, x):
    freqs = c(T, np.fft.fftfreq(N))
    delay = 3.0 * x[0]
    shifted = T.fft.ifft(T.fft.fft(x) * T.exp(-2j * np.pi * freqs * delay))
    return T.sum(T.real(shifted) ** 2 * c(T, W16)) + T.sum(T.fft.ifftshift(T.real(shifted)) * c(T, W16))


def cross_spectrum(x):
    z = np.fft.fft(x)
    w = z[1:9] * np.conj(z[:8]) / (1.0 + np.abs(z[:8]))
    both = np.concatenate([w, x[:4]])
    mixed = C8 @ w
    return np.sum(both.real) + np.mean(both.imag ** 2) + np.sum(np.angle(mixed)) + np.sum(abs(mixed) * 0.5)


def t_cross_spectrum(T, x):
    z = T.fft.fft(x)
    w = z[1:9] * T.conj(z[:8]) / (1.0 + T.abs(z[:8]))
    both = T.cat([w, x[:4].to(T.complex128)])
    mixed = c(T, C8) @ w
    return T.sum(both.real) + T.mean(both.imag ** 2) + T.sum(T.angle(mixed)) + T.sum(T.abs(mixed) * 0.5)


def complex_powers(x):
    z = np.fft.rfft(x)
    return np.sum(np.real(z ** 2) + np.imag(z ** 3) * 0.1) + np.sum(np.square(z).imag)


def t_complex_powers(T, x):
    z = T.fft.rfft(x)
    return T.sum(T.real(z ** 2) + T.imag(z ** 3) * 0.1) + T.sum(T.square(z).imag)


def first_order_lowpass(x):
    freqs = np.fft.fftfreq(len(x))
    response = 1.0 / (1.0 + 1j * freqs / 0.1)
    return np.sum(np.abs(np.fft.ifft(np.fft.fft(x) * response)) ** 2 * W16)


def t_first_order_lowpass(T, x):
    response = c(T, 1.0 / (1.0 + 1j * np.fft.fftfreq(N) / 0.1))
    return T.sum(T.abs(T.fft.ifft(T.fft.fft(x) * response)) ** 2 * c(T, W16))


GAUSS = np.exp(-np.add.outer(np.fft.fftfreq(4) ** 2, np.fft.fftfreq(6) ** 2) * 8.0)


def smoothed_image(x):
    freqs = np.fft.rfftfreq(x.shape[1])
    smooth = np.real(np.fft.ifft2(np.fft.fft2(x) * GAUSS, axes=(0, 1)))
    return np.sum(smooth ** 2 * W46) + np.sum(np.abs(np.fft.rfft(x, axis=1)) * freqs)


def t_smoothed_image(T, x):
    smooth = T.real(T.fft.ifft2(T.fft.fft2(x) * c(T, GAUSS), dim=(0, 1)))
    return T.sum(smooth ** 2 * c(T, W46)) + T.sum(T.abs(T.fft.rfft(x, dim=1)) * c(T, np.fft.rfftfreq(6)))


# (function, its torch twin, input, autograd differentiates it)
PROGRAMS = [
    (power_spectrum, t_power_spectrum, X, True),
    (fft_filter, t_fft_filter, X, True),
    (circular_convolution, t_circular_convolution, X, True),
    (centred_power_2d, t_centred_power_2d, M, True),
    (cropped_orthonormal, t_cropped_orthonormal, X, False),   # .real/.imag: autograd's boxes have neither
    (padded_inverse, t_padded_inverse, X, True),
    (transform_of_some_axes, t_transform_of_some_axes, M, True),
    (phase_of_inverse, t_phase_of_inverse, M, True),
    (half_plane_power, t_half_plane_power, M, True),
    (filtered_image, t_filtered_image, M, True),
    (odd_real_transform, t_odd_real_transform, M, False),     # odd lengths
    (odd_inverse_real_transform, t_odd_inverse_real_transform, M, False),
    (hermitian_signal, t_hermitian_signal, X, False),         # hfft
    (inverse_hermitian, t_inverse_hermitian, X, False),       # ihfft
    (fractional_delay, t_fractional_delay, X, True),
    (cross_spectrum, t_cross_spectrum, X, False),             # .real/.imag
    (complex_powers, t_complex_powers, X, False),             # .imag
    (first_order_lowpass, t_first_order_lowpass, X, True),
    (smoothed_image, t_smoothed_image, M, True),
]
IDS = [p[0].__name__ for p in PROGRAMS]


def test_every_transform_is_called_by_some_program():
    import inspect

    source = "".join(inspect.getsource(p[0]) for p in PROGRAMS)
    for name in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
                 "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq"):
        assert f"np.fft.{name}(" in source, name


def torch_gradient(t_f, x):
    leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = t_f(torch, leaf)
    (gradient,) = torch.autograd.grad(value, leaf)
    return float(value.detach()), gradient.numpy()


# --- reverse mode -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "t_f", "x", "autograd_ok"), PROGRAMS, ids=IDS)
def test_gradient_against_finite_differences(f, t_f, x, autograd_ok):
    before = x.copy()
    gradient = srcgrad.grad(f)(x)
    assert type(gradient) is np.ndarray and gradient.shape == x.shape and gradient.dtype == np.float64
    agree(gradient, central(f, x), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(x, before)


@requires_torch
@pytest.mark.parametrize(("f", "t_f", "x", "autograd_ok"), PROGRAMS, ids=IDS)
def test_value_and_gradient_against_pytorch(f, t_f, x, autograd_ok):
    value, gradient = srcgrad.value_and_grad(f)(x)
    t_value, t_gradient = torch_gradient(t_f, x)
    agree(value, t_value, rtol=1e-12)
    agree(gradient, t_gradient, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize(("f", "t_f", "x", "autograd_ok"), [p for p in PROGRAMS if p[3]],
                         ids=[p[0].__name__ for p in PROGRAMS if p[3]])
def test_gradient_against_autograd(f, t_f, x, autograd_ok):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    oracle = type(f)(f.__code__, dict(f.__globals__, np=anp), f.__name__)
    agree(srcgrad.grad(f)(x), autograd.grad(oracle)(x), rtol=1e-9, atol=1e-10)


def test_float32_inputs_get_float32_gradients():
    x = X.astype(np.float32)
    gradient = srcgrad.grad(power_spectrum)(x)
    assert gradient.dtype == np.float32 and gradient.shape == x.shape
    agree(gradient, srcgrad.grad(power_spectrum)(X), rtol=1e-4, atol=1e-3)


@requires_torch
def test_vjp_of_a_vector_output():
    def magnitudes(x):
        return np.abs(np.fft.rfft(x, norm="ortho"))

    out, backward = srcgrad.vjp(magnitudes, X)
    assert out.shape == (N // 2 + 1,) and out.dtype == np.float64
    (cotangent,) = backward(W_HALF)
    leaf = torch.tensor(X, requires_grad=True)
    torch.abs(torch.fft.rfft(leaf, norm="ortho")).backward(torch.as_tensor(W_HALF))
    agree(cotangent, leaf.grad.numpy())


def test_gradient_where_the_spectrum_vanishes_is_finite():
    """|z| has a kink at z == 0: the convention of np.abs (a zero slope) holds for complex z, as PyTorch's."""
    x = np.zeros(N)
    x[::2] = 1.0  # rfft(x) is zero but at the zero and Nyquist frequencies

    def magnitude_sum(v):
        return np.sum(np.abs(np.fft.fft(v)))

    for f in (power_spectrum, magnitude_sum):
        gradient = srcgrad.grad(f)(x)
        assert np.all(np.isfinite(gradient))
        # where the spectrum vanishes, only the two nonzero frequencies' terms remain
        spectrum = np.fft.fft(x)
        expected = np.real(np.fft.fft(np.where(spectrum == 0, 0, np.conj(spectrum) / np.where(
            spectrum == 0, 1, np.abs(spectrum)))))
        if f is magnitude_sum:
            agree(gradient, expected, rtol=1e-12, atol=1e-12)
    if torch is not None:
        agree(srcgrad.grad(power_spectrum)(x), torch_gradient(t_power_spectrum, x)[1])
        leaf = torch.tensor(x, requires_grad=True)
        torch.sum(torch.abs(torch.fft.fft(leaf))).backward()
        agree(srcgrad.grad(magnitude_sum)(x), leaf.grad.numpy())


# --- complex values from elsewhere ------------------------------------------------------------------------

KERNEL = np.fft.fft(np.hanning(N))


def times_global_spectrum(x):
    return np.sum(np.abs(x * KERNEL))


def times_argument(x, kernel):
    return np.sum(np.abs(x * kernel) ** 2 + np.real(kernel * x))


def test_a_complex_global_is_tracked():
    """Before np.fft was supported, np.abs of a real array times a complex global got np.abs's real rule
    (g * sign(x)): a wrong gradient. The global is now seen as complex, and np.abs gets the complex rule."""
    agree(srcgrad.grad(times_global_spectrum)(X), np.sign(X) * np.abs(KERNEL), rtol=1e-12)


def test_a_complex_argument_that_is_not_differentiated_is_tracked():
    expected = 2 * X * np.abs(K) ** 2 + np.real(K)
    agree(srcgrad.grad(times_argument)(X, K), expected, rtol=1e-12)
    with pytest.raises(InputTypeError, match="complex"):
        srcgrad.grad(times_argument, argnums=1)(X, K)


# --- forward mode and second order --------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "t_f", "x", "autograd_ok"), PROGRAMS, ids=IDS)
def test_forward_mode(f, t_f, x, autograd_ok):
    tangent = np.random.default_rng(7).normal(size=x.shape)
    value, derivative = srcgrad.jvp(f, (x,), (tangent,))
    assert np.ndim(derivative) == 0 and isinstance(derivative, float | np.floating)
    agree(value, f(x), rtol=1e-12)
    eps = 1e-6
    agree(derivative, (f(x + eps * tangent) - f(x - eps * tangent)) / (2 * eps), rtol=1e-6, atol=1e-6)
    agree(derivative, np.sum(srcgrad.grad(f)(x) * tangent), rtol=1e-10, atol=1e-11)
    if torch is not None:
        agree(derivative, np.sum(torch_gradient(t_f, x)[1] * tangent), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize(("f", "t_f", "x", "autograd_ok"), PROGRAMS, ids=IDS)
def test_hessian(f, t_f, x, autograd_ok):
    """Reverse mode over forward mode, with complex tangents in between: against finite differences of the
    gradient and, exactly, against PyTorch's Hessian."""
    hessian = srcgrad.hessian(f)(x)
    assert hessian.shape == x.shape * 2 and hessian.dtype == np.float64
    gradient = srcgrad.grad(f)
    columns = [central(lambda v, i=i: gradient(v)[i], x, 1e-5) for i in np.ndindex(x.shape)]
    agree(hessian, np.reshape(np.stack(columns), x.shape * 2), rtol=1e-5, atol=1e-5)
    if torch is not None:
        expected = torch.autograd.functional.hessian(lambda v: t_f(torch, v), torch.tensor(x)).numpy()
        agree(hessian, expected, rtol=1e-8, atol=1e-9)


# --- refusals -----------------------------------------------------------------------------------------------


def maximum_of_spectrum(x):
    z = np.fft.fft(x)
    return np.sum(np.abs(np.maximum(z, 0.5)))


def norm_of_spectrum(x):
    z = np.fft.rfft(x)
    return np.linalg.norm(z)


def sorted_spectrum(x):
    z = np.fft.fft(x)
    return np.sum(np.real(np.sort(z)) * W16)


def tanh_of_spectrum(x):
    z = np.fft.fft(x) * 0.1
    return np.sum(np.real(np.tanh(z)))


def _energy_of_power(power):
    def energy(z):
        return np.sum(np.abs(z) ** power)
    return energy


_spectrum_energy = _energy_of_power(2)  # a closure: called, not inlined


def passes_a_complex_value(x):
    z = np.fft.rfft(x)
    return _spectrum_energy(z)


def _spectrum_of_scaled(scale):
    def spectrum(x):
        return np.fft.rfft(x * scale)
    return spectrum


_spectrum = _spectrum_of_scaled(2.0)  # a closure: called, not inlined


def receives_a_complex_value(x):
    z = _spectrum(x)
    return np.sum(np.abs(z))


def _inlined_energy(z):
    return np.sum(np.abs(z) ** 2)


def _inlined_spectrum(x):
    return np.fft.rfft(x * 2.0)


def inlined_helper_gets_a_complex_value(x):
    return _inlined_energy(np.fft.rfft(x))


def inlined_helper_returns_a_complex_value(x):
    return np.sum(np.abs(_inlined_spectrum(x)))


def returns_a_spectrum(x):
    z = np.fft.rfft(x)
    return np.sum(z)


def differentiated_exponent(x):
    z = np.fft.rfft(x)
    return np.sum(np.abs(z ** x[0]))


def casts_to_real(x):
    z = np.fft.fft(x)
    return np.sum(z, dtype=np.float64)


REFUSED = [maximum_of_spectrum, norm_of_spectrum, sorted_spectrum, tanh_of_spectrum, passes_a_complex_value,
           returns_a_spectrum, differentiated_exponent, casts_to_real]


@pytest.mark.parametrize("f", REFUSED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("mode", ["grad", "jvp", "hessian"])
def test_unverified_operations_on_complex_values_are_refused_at_their_line(f, mode):
    with pytest.raises(MissingRuleError) as raised:
        if mode == "grad":
            srcgrad.grad(f)(X)
        elif mode == "jvp":
            srcgrad.jvp(f, (X,), (W16,))
        else:
            srcgrad.hessian(f)(X)
    assert raised.value.filename == __file__
    assert raised.value.lineno == f.__code__.co_firstlineno + 2
    assert "complex" in str(raised.value)
    if f is passes_a_complex_value:
        assert "'_spectrum_energy'" in str(raised.value) and "function boundary" in str(raised.value)


@pytest.mark.parametrize("f", [inlined_helper_gets_a_complex_value, inlined_helper_returns_a_complex_value],
                         ids=lambda f: f.__name__)
def test_a_complex_value_crosses_an_inlined_helper(f):
    """Inlined, the helper's operations are checked by the complex-value analysis like the caller's own."""
    gradient = srcgrad.grad(f)(X.copy())
    np.testing.assert_allclose(gradient, central(f, X), rtol=1e-6, atol=1e-7)
    _, tangent = srcgrad.jvp(f, (X,), (W16,))
    assert tangent == pytest.approx(gradient @ W16, rel=1e-10)
    torch = pytest.importorskip("torch")
    t = torch.tensor(X, requires_grad=True)
    spectrum = torch.fft.rfft(t if f is inlined_helper_gets_a_complex_value else t * 2.0)
    value = torch.sum(torch.abs(spectrum) ** 2) if f is inlined_helper_gets_a_complex_value else \
        torch.sum(torch.abs(spectrum))
    value.backward()
    np.testing.assert_allclose(gradient, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_complex_value_returned_by_a_called_function_is_refused_in_it():
    with pytest.raises(MissingRuleError, match="complex") as raised:
        srcgrad.grad(receives_a_complex_value)(X)
    assert raised.value.filename == __file__
    assert raised.value.lineno == _spectrum.__code__.co_firstlineno + 1


def test_a_transform_along_a_repeated_axis_is_refused_at_its_line():
    def repeated_axes(x):
        z = np.fft.fftn(x, axes=(0, 0))
        return np.sum(np.abs(z))

    with pytest.raises(SrcgradError, match="repeated axis") as raised:
        srcgrad.grad(repeated_axes)(M)
    assert raised.value.lineno == repeated_axes.__code__.co_firstlineno + 1


def test_complex_inputs_and_outputs_stay_refused():
    with pytest.raises(InputTypeError, match="complex"):
        srcgrad.grad(lambda z: np.sum(np.abs(np.fft.fft(z))))(K)
    with pytest.raises(SrcgradError, match="complex"):
        srcgrad.jvp(lambda x: np.fft.fft(x), (X,), (W16,))


def test_nan_never_counts_as_agreement():
    with pytest.raises(AssertionError, match="NaN"):
        agree(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    with pytest.raises(AssertionError, match="NaN"):
        agree(np.array([0.0]), np.array([np.nan]))
