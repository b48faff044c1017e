"""The boundary between the user and generated code: what a differentiated function accepts (floats,
inexact arrays, containers of them) and how gradients are handed back (the input's type, dtype and
shape, as arrays the caller owns and may write to; gradients of Dask or CuPy inputs stay in their
library)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputTypeError
from .rules.dispatch import is_foreign
from .rules.helpers import shape_of


def check_input(value: Any, position: int | str, fn_name: str) -> None:
    """Raise ``InputTypeError`` unless ``value`` is a float, an inexact array, or a dict/list/tuple of them."""
    if type(value) is float or (type(value) is np.ndarray and value.dtype.kind in "fc"):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            check_input(item, f"{position}[{key!r}]", fn_name)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_input(item, f"{position}[{i}]", fn_name)
        return
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        if not np.issubdtype(dtype, np.inexact):
            raise InputTypeError(
                f"{fn_name}: argument {position} has dtype {dtype}; gradients are only defined for floating-point "
                "inputs. Cast it first, e.g. x.astype(np.float64).")
        return
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        raise InputTypeError(
            f"{fn_name}: argument {position} is the integer {value!r}; gradients are only defined for "
            f"floating-point inputs. Pass {float(value)!r} instead.")
    if not isinstance(value, numbers.Real):
        raise InputTypeError(f"{fn_name}: argument {position} is a {type(value).__name__}; srcgrad differentiates "
                             "with respect to floats and floating-point NumPy arrays.")


def cast_like(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """Give a gradient its input's type (float for a float; the input's dtype and shape for an array), as
    an array the caller owns: writeable, and sharing memory with no other gradient or the cotangent."""
    if (type(gradient) is np.ndarray and type(like) is np.ndarray and gradient.base is None
            and gradient.dtype is like.dtype and gradient.shape == like.shape):
        # The common case, kept short: a fresh array of the input's dtype and shape.
        if id(gradient) in handed_out:
            return gradient.copy()
        handed_out.add(id(gradient))
        return gradient
    if is_foreign(gradient) or is_foreign(like):
        return cast_foreign(gradient, like, handed_out)
    if type(like) is float:
        return float(gradient) if gradient is not None else 0.0
    if isinstance(like, dict):
        given = gradient if isinstance(gradient, dict) else {}
        return {key: cast_like(given.get(key, 0.0), item, handed_out) for key, item in like.items()}
    if isinstance(like, (list, tuple)):
        given = gradient if isinstance(gradient, (list, tuple)) else [0.0] * len(like)
        return type(like)(cast_like(g, item, handed_out) for g, item in zip(given, like))
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and np.ndim(like)):
        gradient = np.zeros(np.shape(like), dtype=getattr(like, "dtype", None))
    if (type(like) is np.ndarray and type(gradient) is np.ndarray and gradient.dtype == like.dtype
            and gradient.shape == like.shape):
        out = gradient
    elif isinstance(like, numbers.Real) and not hasattr(like, "dtype"):
        return float(np.real(gradient))
    else:
        out = np.asarray(gradient, dtype=getattr(like, "dtype", None))
        if out.shape != np.shape(like):
            raise AssertionError(f"internal error: gradient of shape {out.shape} for an input of shape "
                                 f"{np.shape(like)}")
    if out is gradient and (out.base is not None or not out.flags.writeable or id(out) in handed_out):
        out = out.copy()
    handed_out.add(id(out))
    if isinstance(like, np.generic):
        return out[()]
    return out


def cast_foreign(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """``cast_like`` for arrays of another library (Dask, CuPy): the gradient stays in that library, and
    lazy, without ``np.asarray`` (which would compute a Dask graph or fail for device memory). A float
    argument's gradient computed from such arrays is returned as the library's 0-d array: converting it to
    a float would compute it (``float()`` of it gives the number)."""
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and shape_of(like)):
        gradient = np.zeros_like(like) if is_foreign(like) else np.zeros(shape_of(like), dtype=like.dtype)
    if not is_foreign(gradient):  # a gradient that did not depend on the foreign data
        if type(like) is float or (isinstance(like, numbers.Real) and not hasattr(like, "dtype")):
            return float(np.real(gradient))
        gradient = np.asarray(gradient, like=like)
    dtype = getattr(like, "dtype", None)
    if dtype is not None and gradient.dtype != dtype:
        gradient = gradient.astype(dtype)
    shape = tuple(gradient.shape)
    if all(isinstance(n, numbers.Integral) for n in shape) and shape != tuple(shape_of(like)):
        raise AssertionError(f"internal error: gradient of shape {shape} for an input of shape {shape_of(like)}")
    if id(gradient) in handed_out or getattr(gradient, "base", None) is not None:
        gradient = gradient.copy()  # a view (CuPy) or a gradient already handed out: the caller owns a copy
    handed_out.add(id(gradient))
    return gradient


def fresh_gradients(gradients: Sequence[Any], likes: Sequence[Any], seed: Any) -> tuple:
    """Gradients as the user expects them; see ``cast_like``."""
    handed_out = {id(seed)}
    return tuple([cast_like(g, like, handed_out) for g, like in zip(gradients, likes)])


def shape_of_value(value: Any) -> tuple[int, ...]:
    return value.shape if type(value) is np.ndarray else tuple(shape_of(value))
