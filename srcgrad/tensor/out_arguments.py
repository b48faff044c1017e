"""``out=`` on the ``torch.*`` functions: the result written into a given tensor, as PyTorch writes it.

The value is computed as usual and copied into ``out``, which is resized (with PyTorch's deprecation
warning when it held elements of another shape) and keeps its dtype, so a result that cannot be cast to
it is refused. Nothing is recorded: PyTorch refuses ``out=`` whenever autograd would have to follow it."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import messages
from .dtypes import from_numpy
from .grad_mode import no_grad, state
from .tensor import Tensor


def _needs_grad(args: tuple, kwargs: dict, out: Tensor) -> bool:
    values = (*args, *kwargs.values(), out)
    for value in values:
        if isinstance(value, Tensor) and value._rg:
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) and v._rg for v in value):
            return True
    return False


def write_out(result: Tensor, out: Tensor) -> Tensor:
    """Copy ``result`` into ``out`` (resized to its shape, in ``out``'s dtype) and return ``out``."""
    value, data = result._data, out._data
    have, want = from_numpy(value.dtype), from_numpy(data.dtype)
    if have._category > want._category:
        raise RuntimeError(messages.CANNOT_CAST.format(have.scalar_name, want.scalar_name))
    if data.shape != value.shape:
        if data.size:
            warnings.warn(messages.OUT_RESIZED.format(list(data.shape), list(value.shape)), UserWarning,
                          stacklevel=3)
        out._data = data = np.empty(value.shape, data.dtype)
    data[...] = value
    out._vc[0] += 1
    return out


def with_out(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``function`` taking ``out=`` as the ``torch.*`` functions do."""
    @functools.wraps(function)
    def call(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        if out is None:
            return function(*args, **kwargs)
        if state.enabled and _needs_grad(args, kwargs, out):
            raise RuntimeError(messages.OUT_NEEDS_GRAD.format(name))
        with no_grad():
            return write_out(function(*args, **kwargs), out)
    return call
