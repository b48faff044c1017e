"""Constructors: ``tensor``, ``ones``, ``zeros``, ``arange``, ``randn`` ... and the legacy ``FloatTensor``.

Dtypes follow PyTorch: Python floats give float32, Python ints int64, bools bool; NumPy arrays keep their
dtype. Random numbers come from NumPy's ``Generator`` reseeded by ``manual_seed`` (the same seed gives
the same numbers on every run, not PyTorch's numbers).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import devices, dtypes, messages
from .tensor import Tensor, warn_once, wrap


def _finish(data: np.ndarray, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Apply ``dtype=`` and ``requires_grad=`` to a freshly made array."""
    if dtype is not None:
        data = data.astype(dtypes.to_numpy(dtype), copy=False)
    t = wrap(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(messages.INT_GRAD_FACTORY)
        t._rg = True
    return t


def _plain(data: Any) -> Any:
    """Nested sequences with tensors in them, as plain numbers (what ``torch.tensor([a, b])`` reads)."""
    if isinstance(data, Tensor):
        if data._rg:
            warn_once(messages.TO_SCALAR_REQUIRES_GRAD, stacklevel=5)
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_plain(item) for item in data]
    return data


def _sizes(data: Any) -> list:
    """The shape PyTorch reads off nested sequences: the lengths along the first element at each depth."""
    sizes = []
    while isinstance(data, (list, tuple)):
        sizes.append(len(data))
        if not data:
            break
        data = data[0]
    return sizes


def _check_rectangular(data: Any, sizes: list, dim: int) -> None:
    if len(data) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(data)})")
    if dim + 1 < len(sizes):
        for item in data:
            if not isinstance(item, (list, tuple)):
                raise TypeError("not a sequence")
            _check_rectangular(item, sizes, dim + 1)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested sequences, a NumPy array, a tensor)."""
    devices.check(device)
    if isinstance(data, Tensor):
        warnings.warn(messages.COPY_CONSTRUCT, UserWarning, stacklevel=2)
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        array = data.copy()
    else:
        if isinstance(data, (list, tuple)):
            data = _plain(data)
            _check_rectangular(data, _sizes(data), 0)
        array = np.array(data)
        # Python numbers give the default dtypes, unless a dtype is asked for: then they convert straight to
        # it (a float64 tensor of 0.1 holds the double nearest 0.1, not a float32 rounding of it).
        if dtype is None and array.dtype.kind == "f" and not isinstance(data, np.generic):
            array = array.astype(np.float32)
        elif dtype is None and array.dtype.kind in "iu" and not isinstance(data, np.generic):
            array = array.astype(np.int64)
    dtypes.from_numpy(array.dtype)  # refuse element types PyTorch has no tensor for
    return _finish(array, dtype, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    devices.check(device)
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and (dtype is None or dtypes.to_numpy(dtype) == data.dtype):
        return wrap(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory."""
    dtypes.from_numpy(array.dtype)
    return wrap(array)


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _float(dtype: Any) -> np.dtype:
    return dtypes.to_numpy(dtype) if dtype is not None else dtypes.DEFAULT_FLOAT.numpy


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _finish(np.zeros(_size(size), _float(dtype)), None, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _finish(np.ones(_size(size), _float(dtype)), None, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    devices.check(device)
    if dtype is None:
        dtype = dtypes.bool if isinstance(fill_value, bool) else \
            dtypes.int64 if isinstance(fill_value, int) else dtypes.DEFAULT_FLOAT
    return _finish(np.full(_size((size,)), fill_value, dtypes.to_numpy(dtype)), None, requires_grad)


def _like(a: Tensor, fill: Any, dtype: Any, requires_grad: bool) -> Tensor:
    numpy_dtype = dtypes.to_numpy(dtype) if dtype is not None else a._data.dtype
    return _finish(np.full(a._data.shape, fill, numpy_dtype), None, requires_grad)


def zeros_like(a: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _like(a, 0, dtype, requires_grad)


def ones_like(a: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _like(a, 1, dtype, requires_grad)


def empty_like(a: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _like(a, 0, dtype, requires_grad)


def full_like(a: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _like(a, fill_value, dtype, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``arange(end)`` or ``arange(start, end, step)``: int64 unless an argument is a float."""
    devices.check(device)
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.DEFAULT_FLOAT if is_float else dtypes.int64
    return _finish(np.arange(start, end, step).astype(dtypes.to_numpy(dtype)), None, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _finish(spaced(start, end, steps, _float(dtype)), None, requires_grad)


def spaced(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """``steps`` values from ``start`` to ``end`` as PyTorch's CPU kernel computes them: the step in the
    output's precision, the first half counted up from ``start`` and the second half down from ``end``,
    each value ``start + step * i`` rounded once (a fused multiply-add: computed wider, then rounded).
    float32 matches PyTorch bit for bit; float64, computed in long double, may differ in the last bit in
    about one value in 10⁵, where rounding twice differs from the fused operation. (``np.linspace``
    counts from ``start`` only: 650 of 2000 float32 values of ``linspace(-pi, pi, 2000)`` differed.)"""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = np.dtype(dtype)
    if steps <= 1 or dtype not in (np.float32, np.float64):
        return np.linspace(start, end, steps).astype(dtype)
    low, high = dtype.type(start), dtype.type(end)
    step = dtype.type(dtype.type(high - low) / dtype.type(steps - 1))
    wide = np.float64 if dtype == np.float32 else np.longdouble
    index = np.arange(steps)
    up = wide(low) + wide(step) * index.astype(wide)
    down = wide(high) - wide(step) * (steps - 1 - index).astype(wide)
    return np.where(index < steps // 2, up, down).astype(dtype)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    devices.check(device)
    return _finish(np.eye(n, m, dtype=_float(dtype)), None, requires_grad)


# --- random numbers --------------------------------------------------------------------------------------


class Generator:
    """The global source of random numbers: NumPy's PCG64, reseedable like PyTorch's."""

    def __init__(self, seed: int = 0):
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


default_generator = Generator(np.random.SeedSequence().entropy % (1 << 63))


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator: the random tensors that follow are the same on every run."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def _random(draw: str, size: tuple, dtype: Any, requires_grad: bool) -> Tensor:
    numpy_dtype = _float(dtype)
    if numpy_dtype.kind != "f":
        raise RuntimeError(f'"check_uniform_bounds" not implemented for '
                           f"'{dtypes.from_numpy(numpy_dtype).scalar_name}'")
    sample = getattr(default_generator.numpy, draw)(_size(size), dtype=np.float64).astype(numpy_dtype)
    return _finish(sample, None, requires_grad)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    """Standard normal samples."""
    devices.check(device)
    return _random("standard_normal", size, dtype, requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    """Uniform samples from [0, 1)."""
    devices.check(device)
    return _random("random", size, dtype, requires_grad)


def randn_like(a: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(a._data.shape, dtype=dtype or dtypes.from_numpy(a._data.dtype), requires_grad=requires_grad)


def rand_like(a: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(a._data.shape, dtype=dtype or dtypes.from_numpy(a._data.dtype), requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    devices.check(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    return _finish(default_generator.numpy.integers(low, high, _size((size,))),
                   dtype or dtypes.int64, requires_grad)


# --- legacy typed constructors ----------------------------------------------------------------------------


def legacy_new(dtype: dtypes.dtype, args: tuple) -> Tensor:
    """``FloatTensor(2, 3)`` (uninitialized, here zeros) or ``FloatTensor([1, 2])`` (data)."""
    if not args:
        return wrap(np.zeros(0, dtype.numpy))
    if all(isinstance(a, int) for a in args) or (len(args) == 1 and isinstance(args[0], tuple)
                                                 and type(args[0]).__name__ == "Size"):
        return wrap(np.zeros(_size(args), dtype.numpy))
    if len(args) == 1:
        data = args[0]._data if isinstance(args[0], Tensor) else args[0]
        return wrap(np.array(_plain(data), dtype=dtype.numpy))
    raise TypeError(f"new() received an invalid combination of arguments - got {args!r}")


class _LegacyType(type):
    """``isinstance(t, FloatTensor)`` is true for float32 tensors, as in PyTorch."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype is cls.dtype.numpy


def _legacy(dtype: dtypes.dtype) -> type:
    def new(cls: type, *args: Any) -> Tensor:
        return legacy_new(dtype, args)
    return _LegacyType(dtype.legacy_name, (), {"__new__": new, "dtype": dtype, "__module__": "torch"})


FloatTensor = _legacy(dtypes.float32)
DoubleTensor = _legacy(dtypes.float64)
HalfTensor = _legacy(dtypes.float16)
LongTensor = _legacy(dtypes.int64)
IntTensor = _legacy(dtypes.int32)
ShortTensor = _legacy(dtypes.int16)
CharTensor = _legacy(dtypes.int8)
ByteTensor = _legacy(dtypes.uint8)
BoolTensor = _legacy(dtypes.bool)
