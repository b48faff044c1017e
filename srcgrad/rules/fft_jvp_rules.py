"""Forward rules, one per differentiable argument of each reverse rule in fft_rules.py.

Every transform of ``np.fft`` is linear over the reals, so its tangent is the transform of the tangent
with the same ``n``/``s``, axes and ``norm`` (``irfft`` ignores the imaginary parts that its input's
tangent may have at the zero and Nyquist frequencies just as it ignores the input's). The functions that take
complex values apart have tangents written with functions that have rules of their own, so that
forward-mode code can be differentiated again (Hessians).
"""

import numpy as np

from .fft_helpers import angle_scale, complex_abs
from .helpers import ratio_or_zero
from .jvp_helpers import array_tangent
from .registry import defjvp

# --- the transforms ---------------------------------------------------------------------------------------


@defjvp(np.fft.fft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.fft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.ifft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.ifft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.fft2)
def _(t, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return np.fft.fft2(array_tangent(t), s, axes, norm)


@defjvp(np.fft.ifft2)
def _(t, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return np.fft.ifft2(array_tangent(t), s, axes, norm)


@defjvp(np.fft.fftn)
def _(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.fftn(array_tangent(t), s, axes, norm)


@defjvp(np.fft.ifftn)
def _(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.ifftn(array_tangent(t), s, axes, norm)


@defjvp(np.fft.rfft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.rfft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.rfft2)
def _(t, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return np.fft.rfft2(array_tangent(t), s, axes, norm)


@defjvp(np.fft.rfftn)
def _(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.rfftn(array_tangent(t), s, axes, norm)


@defjvp(np.fft.ihfft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.ihfft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.irfft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.irfft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.irfft2)
def _(t, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return np.fft.irfft2(array_tangent(t), s, axes, norm)


@defjvp(np.fft.irfftn)
def _(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.irfftn(array_tangent(t), s, axes, norm)


@defjvp(np.fft.hfft)
def _(t, ans, a, n=None, axis=-1, norm=None, out=None):
    return np.fft.hfft(array_tangent(t), n, axis, norm)


@defjvp(np.fft.fftshift)
def _(t, ans, x, axes=None):
    return np.fft.fftshift(array_tangent(t), axes)


@defjvp(np.fft.ifftshift)
def _(t, ans, x, axes=None):
    return np.fft.ifftshift(array_tangent(t), axes)


# --- taking complex values apart ------------------------------------------------------------------------


# d angle(z) = Im(conj(z) dz) / |z|^2 (zero at z == 0, as the reverse rule), in degrees when deg=True.
@defjvp(np.angle)
def _(t, ans, z, deg=False):
    return ratio_or_zero(np.imag(np.conjugate(z) * array_tangent(t)), np.real(z * np.conjugate(z))) * angle_scale(deg)


# d|z| = Re(conj(z) dz) / |z| (zero at z == 0).
@defjvp(complex_abs)
def _(t, ans, x):
    return ratio_or_zero(np.real(np.conjugate(x) * array_tangent(t)), ans)
