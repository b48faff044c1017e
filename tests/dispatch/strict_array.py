"""A stand-in for CuPy on a machine without a GPU: an array type that, like CuPy, runs NumPy calls through
the dispatch protocols and refuses what CuPy refuses.

``StrictArray`` wraps a NumPy array. NumPy functions and ufuncs called with one run on the wrapped arrays
and return ``StrictArray`` results (a full reduction gives a 0-d array, as CuPy does, not a NumPy
scalar). Like CuPy it refuses to mix with NumPy arrays in an operation (a NumPy array among the operands of a
ufunc, or a floating one among the arguments of a function, raises ``TypeError``; Python and NumPy
scalars are fine, and so are NumPy integer arrays as indices, shifts or repeats) and refuses implicit
conversion (``np.asarray(x)`` raises). So a rule that builds a NumPy
array and combines it with the data, or pulls the data into NumPy, fails here as it would on a GPU."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


class StrictArray(NDArrayOperatorsMixin):
    def __init__(self, data):
        self.data = np.asarray(data) if not isinstance(data, np.ndarray) else data

    # --- the protocols ------------------------------------------------------------------------------------

    def __array__(self, dtype=None, copy=None):
        raise TypeError("implicit conversion of a StrictArray to a NumPy array is not allowed (as in CuPy)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            kwargs["out"] = tuple(unwrap(o) for o in kwargs["out"])
        result = getattr(ufunc, method)(*(unwrap(x) for x in inputs), **kwargs)
        if method == "at":
            return None
        return wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        if func in _CONSTRUCTORS:  # a like= call: NumPy builds it, then it moves to the "device"
            # (np.linspace also dispatches on its endpoints, which may be StrictArrays: the device's data)
            args = tuple(a.data if isinstance(a, StrictArray) else a for a in args)
            return wrap(func(*args, **kwargs), always=True)
        result = func(*unwrap_all(args), **unwrap_all(kwargs))
        return wrap(result)

    # --- what generated code and rules read -------------------------------------------------------------

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    T = property(lambda self: StrictArray(self.data.T))
    base = property(lambda self: None)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return wrap(self.data[unwrap_index(index)], always=True)

    def __setitem__(self, index, value):
        if isinstance(value, np.ndarray):
            raise TypeError("setting a StrictArray item from a NumPy array is not allowed (as in CuPy)")
        self.data[unwrap_index(index)] = unwrap(value)

    def __float__(self):
        return float(self.data)

    def __bool__(self):
        return bool(self.data)

    def __repr__(self):
        return f"StrictArray({self.data!r})"

    def astype(self, dtype, copy=True):
        return StrictArray(self.data.astype(dtype, copy=copy))

    def copy(self):
        return StrictArray(self.data.copy())

    def reshape(self, *shape, **kwargs):
        return StrictArray(self.data.reshape(*shape, **kwargs))

    def ravel(self):
        return StrictArray(self.data.ravel())

    def sum(self, *args, **kwargs):
        return wrap(self.data.sum(*args, **kwargs), always=True)

    def max(self, *args, **kwargs):
        return wrap(self.data.max(*args, **kwargs), always=True)

    def mean(self, *args, **kwargs):
        return wrap(self.data.mean(*args, **kwargs), always=True)

    def get(self):
        """The NumPy array (CuPy's device-to-host copy)."""
        return self.data


_CONSTRUCTORS = {np.zeros, np.ones, np.empty, np.full, np.eye, np.identity, np.arange, np.asarray, np.array,
                 np.linspace}


def unwrap(value):
    if isinstance(value, StrictArray):
        return value.data
    if isinstance(value, np.ndarray):
        raise TypeError(f"a NumPy array of shape {value.shape} mixed into an operation on StrictArrays "
                        "(CuPy refuses this too)")
    return value


def unwrap_all(value):
    """Arguments of a NumPy function: NumPy integer and boolean arrays pass (shifts, repeats, indices: CuPy
    takes such host-side parameters), floating ones are data and raise."""
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap_all(v) for v in value)
    if isinstance(value, dict):
        return {k: unwrap_all(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return value
    return unwrap(value)


def unwrap_index(index):
    """Indices may be NumPy integer or boolean arrays (CuPy copies them to the device)."""
    if isinstance(index, tuple):
        return tuple(unwrap_index(i) for i in index)
    if isinstance(index, StrictArray):
        return index.data
    return index


def wrap(result, always: bool = False):
    if isinstance(result, np.ndarray):
        return StrictArray(result)
    if isinstance(result, np.generic) and (always or result.dtype.kind in "biufc"):
        return StrictArray(np.asarray(result))
    if isinstance(result, (list, tuple)) and any(isinstance(r, np.ndarray) for r in result):
        items = [wrap(r) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)  # SVDResult
    if always and isinstance(result, numbers.Number) and not isinstance(result, bool):
        return StrictArray(np.asarray(result))
    return result


def to_strict(array: np.ndarray) -> StrictArray:
    return StrictArray(np.array(array, copy=True))


def to_numpy(value):
    return value.data if isinstance(value, StrictArray) else np.asarray(value)
