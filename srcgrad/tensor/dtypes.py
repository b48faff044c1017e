"""PyTorch's dtypes over NumPy's, and PyTorch's type-promotion rules.

NumPy and PyTorch disagree on promotion in ways users see: ``int64 tensor * 1.5`` is float32 in PyTorch
(NumPy: float64), ``int64 + float32`` is float32 (NumPy: float64), a 0-d float64 tensor does not widen a
float32 vector, and integer true division gives the default float dtype. ``result_type`` reproduces
PyTorch's rule so that every operation can ask it *only* when the operands' dtypes differ.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class dtype:
    """A tensor element type; ``repr`` is PyTorch's (``torch.float32``) so printed output matches."""

    __slots__ = ("_category", "is_floating_point", "is_signed", "itemsize", "legacy_name", "name", "numpy")

    def __init__(self, name: str, numpy_type: Any, legacy_name: str):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.legacy_name = legacy_name  # "FloatTensor": what error messages and Tensor.type() call it
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize
        self._category = {"b": 0, "u": 1, "i": 1, "f": 2}[self.numpy.kind]

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    @property
    def scalar_name(self) -> str:
        """PyTorch's C++ name ("Float", "Long") that some error messages use."""
        return self.legacy_name[:-len("Tensor")]

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, "HalfTensor")
float32 = dtype("float32", np.float32, "FloatTensor")
float64 = dtype("float64", np.float64, "DoubleTensor")
uint8 = dtype("uint8", np.uint8, "ByteTensor")
int8 = dtype("int8", np.int8, "CharTensor")
int16 = dtype("int16", np.int16, "ShortTensor")
int32 = dtype("int32", np.int32, "IntTensor")
int64 = dtype("int64", np.int64, "LongTensor")
bool = dtype("bool", np.bool_, "BoolTensor")
half, double, short, long = float16, float64, int16, int64
float, int = float32, int32

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
DEFAULT_FLOAT = float32
_FROM_NUMPY = {d.numpy: d for d in ALL}
_NAMES = {d.name: d for d in ALL}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy(numpy_dtype: np.dtype) -> dtype:
    """The dtype of an array (``TypeError`` for element types PyTorch has no tensor for)."""
    found = _FROM_NUMPY.get(numpy_dtype)
    if found is None:
        raise TypeError(f"can't convert np.ndarray of type {numpy_dtype}. The only supported types are: "
                        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return found


def to_numpy(d: Any) -> np.dtype | None:
    """NumPy's dtype for a ``dtype=`` argument: a srcgrad dtype, a NumPy dtype, or a Python type."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.numpy
    if d is builtins.float:
        return float32.numpy
    if d is builtins.int:
        return int64.numpy
    return from_numpy(np.dtype(d)).numpy


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: like NumPy's, except that any integer with a float gives that float."""
    if a is b:
        return a
    if a._category == 2 and b._category < 2:
        return a
    if b._category == 2 and a._category < 2:
        return b
    return from_numpy(np.promote_types(a.numpy, b.numpy))


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge the result of a higher-priority operand class with a lower one (PyTorch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher._category == 2:
        return higher
    if higher is bool or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> dtype:
    """The dtype PyTorch gives an operation on ``operands`` (arrays standing for tensors, or Python numbers).

    Tensors with dimensions decide first; 0-d tensors only when of a higher category (bool < integer <
    float); Python numbers only by category, taking the default dtype of it (float32, int64).
    """
    dims = zeros = scalars = None
    for op in operands:
        if isinstance(op, np.ndarray):
            d = from_numpy(op.dtype)
            if op.ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zeros = d if zeros is None else promote_types(zeros, d)
        else:
            d = bool if isinstance(op, builtins.bool) else int64 if isinstance(op, builtins.int) else DEFAULT_FLOAT
            scalars = d if scalars is None else promote_types(scalars, d)
    return _combine(dims, _combine(zeros, scalars))


_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def cpp_name(numpy_dtype: Any) -> str:
    """The C++ type PyTorch's kernel messages name a dtype by (``float``, ``long int``, ``c10::Half``)."""
    return _CPP_NAMES.get(numpy_dtype.name, numpy_dtype.name)
