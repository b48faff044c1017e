"""Array creation and scatters that stay in the caller's array library (Dask, CuPy, ...).

Generated code and rule helpers call NumPy functions; an argument of another library that implements
NumPy's dispatch protocols (``__array_function__``, NEP 18; ``__array_ufunc__``, NEP 13) takes the call
over. Three things do not dispatch by themselves, and this module handles them:

* functions that create arrays from shapes (``np.zeros``, ``np.eye``) return NumPy arrays unless told
  which library to use (``like=``, NEP 35);
* ``np.asarray`` and in-place writes into a NumPy array pull a lazy (Dask) array into memory, or fail for
  device (CuPy) arrays;
* ``np.add.at`` is a ufunc method that Dask does not implement.

Every function keeps NumPy's own path first and unchanged: a NumPy caller pays one ``type()`` check.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def is_foreign(value: Any) -> bool:
    """Whether ``value`` is an array of another library that NumPy dispatches to (not an ndarray, a NumPy
    scalar or a Python number)."""
    kind = type(value)
    return (kind is not np.ndarray and hasattr(kind, "__array_function__")
            and not isinstance(value, (np.ndarray, np.generic)))


def foreign_of(*values: Any) -> Any:
    """The first of ``values`` that is a foreign array, or ``None``."""
    for value in values:
        if type(value) is not np.ndarray and is_foreign(value):
            return value
    return None


def astype(value: Any, dtype: Any) -> Any:
    """``value.astype(dtype)``, in the value's own library; ``np.asarray(value, dtype=dtype)`` for a value
    without the method (the Tensor shim's recorded backward, where ``np`` is its tensor namespace)."""
    convert = getattr(value, "astype", None)
    return convert(dtype) if convert is not None else np.asarray(value, dtype=dtype)


def to_library(array: np.ndarray, like: Any) -> Any:
    """``array`` (a small NumPy array built by a rule: an identity, index positions) in ``like``'s library,
    so that combining it with ``like`` neither fails (CuPy refuses NumPy operands) nor computes (Dask)."""
    return array if like is None else np.asarray(array, like=like)


def zeros(shape: tuple[int, ...], dtype: Any, *likes: Any) -> Any:
    """``np.zeros(shape, dtype)`` in the library of the first foreign array among ``likes``."""
    like = foreign_of(*likes)
    if like is None:
        return np.zeros(shape, dtype=dtype)
    return np.zeros(shape, dtype=dtype, like=like)


def copy(x: Any) -> Any:
    """A copy the caller may write into (``np.copy`` is not implemented by Dask; the method is)."""
    if type(x) is np.ndarray:
        return np.array(x, copy=True)
    if is_foreign(x):
        return x.copy()
    return np.array(x, copy=True)


def scatter_add(out: Any, index: Any, values: Any) -> Any:
    """``out[index] += values`` with repeated indices accumulating (``np.add.at``); returns ``out``.

    NumPy and libraries that implement ``ufunc.at`` (CuPy) scatter in place. For the others (Dask), the
    sum is a weighted ``bincount`` of the flat positions the index selects, which every library with
    ``np.bincount`` runs lazily; the result is a new array."""
    if type(out) is np.ndarray and foreign_of(values) is None:
        np.add.at(out, index, values)
        return out
    try:
        np.add.at(out, index, values)
        return out
    except (TypeError, NotImplementedError, ValueError, IndexError):
        pass  # no ufunc.at (Dask), or not for this kind of index: the bincount below takes any index
    shape = tuple(out.shape)
    size = math.prod(shape)
    parts = index if isinstance(index, tuple) else (index,)
    if any(is_foreign(p) for p in parts):
        positions = np.reshape(np.arange(size, like=out), shape)[index]
    else:
        positions = to_library(np.reshape(np.arange(size), shape)[index], out)
    weights = np.broadcast_to(values, tuple(positions.shape))
    positions, weights = np.broadcast_arrays(np.ravel(positions), np.ravel(weights))
    if np.iscomplexobj(weights):  # bincount takes real weights: the real and imaginary parts one by one
        summed = np.bincount(positions, weights=np.real(weights), minlength=size) \
            + 1j * np.bincount(positions, weights=np.imag(weights), minlength=size)
    else:
        summed = np.bincount(positions, weights=weights, minlength=size)
    return out + np.reshape(summed, shape).astype(out.dtype)
