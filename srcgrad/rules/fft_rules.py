"""Reverse rules for ``np.fft`` and for the functions that take complex values apart (``conj``, ``imag``,
``angle``, and ``abs`` of a complex value).

The transforms are linear, so each cotangent is a transform of ``g`` (``fft_helpers.py`` says which and
why); ``n``, ``s``, ``axes`` and ``norm`` are constants. Complex cotangents follow JAX's and HIPS
autograd's convention (``dL/dx - i dL/dy``, holomorphic operations transposed without conjugation), and a
real input gets a real cotangent. srcgrad differentiates complex intermediates only where the static
analysis of ``analysis/complex_values.py`` has checked every operation on them; the forward twins of these
rules are in ``fft_jvp_rules.py``.
"""

import numpy as np

from .derive import linear
from .fft_helpers import (
    angle_grad,
    angle_scale,
    complex_abs,
    fft_grad,
    hfft_grad,
    ihfft_grad,
    imag_grad,
    irfft_grad,
    last_of,
    rfft_grad,
    transform_axes,
)
from .helpers import ratio_or_zero
from .registry import defnondiff, defvjp, note_dispatch

# --- complex-to-complex transforms: symmetric, so the same transform carries the cotangent back ----------


@defvjp(np.fft.fft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, None, axis), norm, False)


@defvjp(np.fft.ifft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, None, axis), norm, True)


@defvjp(np.fft.fft2)
def _(g, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, s, axes), norm, False)


@defvjp(np.fft.ifft2)
def _(g, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, s, axes), norm, True)


@defvjp(np.fft.fftn)
def _(g, ans, a, s=None, axes=None, norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, s, axes), norm, False)


@defvjp(np.fft.ifftn)
def _(g, ans, a, s=None, axes=None, norm=None, out=None):
    return fft_grad(g, a, transform_axes(a, s, axes), norm, True)


# --- real input, half spectrum out ------------------------------------------------------------------------


@defvjp(np.fft.rfft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return rfft_grad(g, a, transform_axes(a, None, axis), n, norm)


@defvjp(np.fft.rfft2)
def _(g, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return rfft_grad(g, a, transform_axes(a, s, axes), last_of(s), norm)


@defvjp(np.fft.rfftn)
def _(g, ans, a, s=None, axes=None, norm=None, out=None):
    return rfft_grad(g, a, transform_axes(a, s, axes), last_of(s), norm)


@defvjp(np.fft.ihfft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return ihfft_grad(g, a, n, axis, norm)


# --- half spectrum in, real output ------------------------------------------------------------------------


@defvjp(np.fft.irfft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return irfft_grad(g, a, transform_axes(a, None, axis), norm)


@defvjp(np.fft.irfft2)
def _(g, ans, a, s=None, axes=(-2, -1), norm=None, out=None):
    return irfft_grad(g, a, transform_axes(a, s, axes), norm)


@defvjp(np.fft.irfftn)
def _(g, ans, a, s=None, axes=None, norm=None, out=None):
    return irfft_grad(g, a, transform_axes(a, s, axes), norm)


@defvjp(np.fft.hfft)
def _(g, ans, a, n=None, axis=-1, norm=None, out=None):
    return hfft_grad(g, a, axis, norm)


# --- permutations -----------------------------------------------------------------------------------------


@defvjp(np.fft.fftshift)
def _(g, ans, x, axes=None):
    return np.fft.ifftshift(g, axes)


@defvjp(np.fft.ifftshift)
def _(g, ans, x, axes=None):
    return np.fft.fftshift(g, axes)


# --- taking complex values apart ------------------------------------------------------------------------
# np.real's rule (``g``) is in numpy_rules.py: it holds for complex inputs as it stands.


@linear(np.conjugate)
def _(g, ans, x):
    return np.conjugate(g)


@linear(np.imag)
def _(g, ans, val):
    return imag_grad(g, val)


@defvjp(np.angle)
def _(g, ans, z, deg=False):
    return angle_grad(g, z, deg)


# np.abs of a value that may be complex (analysis/complex_values.py calls this primal in its place):
# g * conj(x) / |x|, which is g * sign(x) for a real x, zero at x == 0 as for np.abs.
@defvjp(complex_abs)
def _(g, ans, x):
    return g * ratio_or_zero(np.conjugate(x), ans)


# Sample frequencies depend only on the length and the spacing; degrees per radian for np.angle(z, deg).
defnondiff(np.fft.fftfreq, np.fft.rfftfreq, angle_scale)

note_dispatch("Dask transforms only along axes held in one chunk (not checked on Dask, whose sweep chunks every "
              "axis)", np.fft.fft, np.fft.ifft, np.fft.fft2, np.fft.ifft2, np.fft.fftn, np.fft.ifftn, np.fft.rfft,
              np.fft.rfft2, np.fft.rfftn, np.fft.ihfft, np.fft.irfft, np.fft.irfft2, np.fft.irfftn, np.fft.hfft)
