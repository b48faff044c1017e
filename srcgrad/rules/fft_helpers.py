"""Helpers that the rules of ``fft_rules.py`` and ``fft_jvp_rules.py`` call: the transposes of NumPy's
discrete Fourier transforms, and the complex-aware derivatives of ``abs``, ``imag`` and ``angle``.

Complex cotangents follow the convention of JAX and HIPS autograd: for a real loss ``L`` of ``z = x + iy``,
the cotangent of ``z`` is ``dL/dx - i dL/dy``, so that ``dL = Re(sum(ct * dz))``. A holomorphic operation
passes its cotangent on multiplied by its derivative, without conjugation (the transpose); a real input
whose output is complex keeps the real part of its cotangent.

Every transform of ``np.fft`` is linear over the reals, and its transpose is another transform:

* ``fft``/``fftn`` (and ``ifft``/``ifftn``) are symmetric matrices: the cotangent goes through the same
  transform with the same ``norm``, then is cut or zero-padded back to the input's length along each axis
  (``n``/``s`` zero-pad or crop the input first);
* ``rfft``/``rfftn`` keep the first ``n // 2 + 1`` outputs of the full transform of a real input: their
  cotangent, zero-padded to ``n``, goes through the full forward transform, and the real part is kept;
* ``irfft``/``irfftn`` read the first ``n // 2 + 1`` entries as half of a Hermitian spectrum (the imaginary
  parts of the zero and Nyquist frequencies are ignored): the cotangent goes through the full inverse
  transform, and the entries that stand for two (a frequency and its mirror) are doubled;
* ``hfft`` is ``irfft`` of the conjugate with the opposite ``norm``, and ``ihfft`` the conjugate of ``rfft``.

Transforms along a repeated axis (``axes=(0, 0)``) are refused rather than differentiated.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy as np

from ..errors import SrcgradError
from .dispatch import foreign_of, to_library
from .helpers import is_complex, ratio_or_zero, real_like, shape_of, zeros_like_grad

_SWAPPED_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def complex_abs(x: Any) -> Any:
    """``np.abs(x)``: the primal srcgrad calls for ``np.abs`` of a value that may be complex (the static
    analysis of ``analysis/complex_values.py`` substitutes it), whose rules hold for complex ``x``: the
    cotangent of ``x`` is ``g * conj(x) / |x|`` (zero at ``x == 0``, as for real ``x``)."""
    return np.abs(x)


def swapped_norm(norm: Any) -> Any:
    """The ``norm`` of the transform in the other direction that scales as ``norm`` does this one (what
    ``np.fft.hfft`` and ``ihfft`` pass to ``irfft`` and ``rfft``)."""
    try:
        return _SWAPPED_NORM[norm]
    except (KeyError, TypeError):
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".') from None


def transform_axes(x: Any, s: Any, axes: Any, default: Any = None) -> tuple[int, ...]:
    """The axes an ``np.fft`` transform of ``x`` works along, normalized (0 <= axis < x.ndim), as NumPy
    reads ``s`` and ``axes``: ``axes``; else the last ``len(s)`` axes; else ``default`` (``(-2, -1)`` for
    the 2-D transforms); else all. A repeated axis is refused."""
    ndim = len(shape_of(x))
    if axes is None:
        axes = default if s is None and default is not None else (
            range(ndim) if s is None else range(-len(s), 0))
    if isinstance(axes, numbers.Integral):
        axes = (axes,)
    normalized = tuple(operator.index(a) % ndim if ndim else operator.index(a) for a in axes)
    if len(set(normalized)) != len(normalized):
        raise SrcgradError(f"the derivative of a Fourier transform along a repeated axis ({tuple(axes)}) is not "
                           "supported: apply the transforms one after the other")
    return normalized


def fitted(g: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any:
    """``g`` cut or zero-padded at the end of each of ``axes`` to the length ``shape`` has there: the
    transpose of the zero-padding or cropping that ``n``/``s`` do to a transform's input."""
    crop = [slice(None)] * len(shape_of(g))
    pad = [(0, 0)] * len(shape_of(g))
    for axis in axes:
        have, want = shape_of(g)[axis], shape[axis]
        if have > want:
            crop[axis] = slice(0, want)
        elif have < want:
            pad[axis] = (0, want - have)
    if any(c != slice(None) for c in crop):
        g = g[tuple(crop)]
    if any(p != (0, 0) for p in pad):
        g = np.pad(g, pad)
    return g


def fft_grad(g: Any, x: Any, axes: tuple[int, ...], norm: Any, inverse: bool) -> Any:
    """The cotangent of ``x`` in ``fftn(x, s, axes, norm)`` (``ifftn`` when ``inverse``): the transform is
    a symmetric matrix, so the cotangent goes through the same transform, then back to ``x``'s shape."""
    transform = np.fft.ifftn if inverse else np.fft.fftn
    return real_like(fitted(transform(g, axes=axes, norm=norm), shape_of(x), axes), x)


def rfft_grad(g: Any, x: Any, axes: tuple[int, ...], n: Any, norm: Any) -> Any:
    """The cotangent of the real ``x`` in ``rfftn``, whose last axis ``axes[-1]`` has ``n`` points (``rfft``'s
    ``n``, ``rfftn``'s ``s[-1]``; ``None`` or ``-1``: ``x``'s length) before the transform keeps its first
    ``n // 2 + 1`` outputs: the cotangent, zero-padded to the full spectrum, goes through the full forward
    transform, whose real part is the cotangent of the real input."""
    full = list(shape_of(g))
    full[axes[-1]] = full_length(x, n, axes)
    spectrum = np.fft.fftn(fitted(g, tuple(full), axes[-1:]), axes=axes, norm=norm)
    return fitted(np.real(spectrum), shape_of(x), axes)


def irfft_grad(g: Any, y: Any, axes: tuple[int, ...], norm: Any) -> Any:
    """The cotangent of ``y`` in ``irfftn(y, s, axes, norm)``, whose output ``g`` is the cotangent of: the
    inverse transform of ``g`` kept to the first ``n // 2 + 1`` frequencies of the last axis, where the
    frequencies that stand for themselves and their mirror image count twice."""
    n = shape_of(g)[axes[-1]]
    half = n // 2 + 1
    spectrum = np.fft.ifftn(g, axes=axes, norm=norm)
    kept = [slice(None)] * len(shape_of(g))
    kept[axes[-1]] = slice(0, half)
    weights = np.full(half, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    along = [1] * len(shape_of(g))
    along[axes[-1]] = half
    weights = to_library(np.reshape(weights, along).astype(np.real(spectrum).dtype), foreign_of(g))
    weighted = spectrum[tuple(kept)] * weights
    return real_like(fitted(weighted, shape_of(y), axes), y)


def hfft_grad(g: Any, a: Any, axis: int, norm: Any) -> Any:
    """The cotangent of ``a`` in ``hfft(a, n, axis, norm)`` = ``irfft(conj(a), n, axis, swapped norm)``."""
    axes = transform_axes(a, None, axis)
    return real_like(np.conj(irfft_grad(g, np.conj(a), axes, swapped_norm(norm))), a)


def ihfft_grad(g: Any, x: Any, n: Any, axis: int, norm: Any) -> Any:
    """The cotangent of the real ``x`` in ``ihfft(x, n, axis, norm)`` = ``conj(rfft(x, n, axis, swapped
    norm))``."""
    return rfft_grad(np.conj(g), x, transform_axes(x, None, axis), n, swapped_norm(norm))


def full_length(x: Any, n: Any, axes: tuple[int, ...]) -> int:
    """The number of points along the last transformed axis that ``rfft``'s ``n`` (or ``rfftn``'s
    ``s[-1]``) asks for, or the input's own length there (``None``, or ``-1`` in ``s``)."""
    return shape_of(x)[axes[-1]] if n is None or n == -1 else operator.index(n)


def last_of(s: Any) -> Any:
    """``s[-1]``, or ``None`` when ``s`` is ``None``."""
    return None if s is None else s[-1]


# --- complex values --------------------------------------------------------------------------------------


def imag_grad(g: Any, val: Any) -> Any:
    """The cotangent of ``val`` in ``np.imag(val)``: ``-i g`` for a complex ``val``, zero for a real one
    (whose imaginary part is zero whatever its value)."""
    if is_complex(val):
        return g * -1j
    return zeros_like_grad(g)


def angle_grad(g: Any, z: Any, deg: bool = False) -> Any:
    """The cotangent of ``z`` in ``np.angle(z, deg)``: ``-i g conj(z) / |z|^2`` (zero at ``z == 0``) for a
    complex ``z``; zero for a real one, whose angle is piecewise constant."""
    scale = angle_scale(deg)
    if is_complex(z):
        return g * scale * ratio_or_zero(np.conj(z) * -1j, np.real(z * np.conj(z)))
    return zeros_like_grad(g)


def angle_scale(deg: Any) -> float:
    """Degrees per radian for ``np.angle(z, deg=True)``, else 1."""
    return 180.0 / np.pi if deg else 1.0
