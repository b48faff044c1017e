"""The kinds of values the alias analysis (``aliasing.py``) tells apart, and what it knows of the functions,
methods and attributes that make them.

A *scalar* is immutable (``+=`` rebinds it), an *array* or a *list* is updated in place, a *tuple* is
immutable but may hold mutable objects, and an *unknown* value is assumed to be any of them."""

from __future__ import annotations

import builtins
import types
from typing import Any

import numpy as np

NO_EXAMPLE = object()
SCALAR, ARRAY, LIST, TUPLE, UNKNOWN = "scalar", "array", "list", "tuple", "unknown"

# NumPy functions whose result may share memory with their first argument. A rule-table function not listed
# here returns fresh memory; tests/soundness/test_declared_tables.py checks that on every rule's test cases.
VIEW_FUNCTIONS: tuple[Any, ...] = (
    np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.rollaxis, np.squeeze, np.expand_dims,
    np.atleast_1d, np.atleast_2d, np.atleast_3d, np.asarray, np.asanyarray, np.ascontiguousarray,
    np.asfortranarray, np.broadcast_to, np.broadcast_arrays, np.diagonal, np.real, np.imag, np.flip, np.fliplr,
    np.flipud, np.rot90, np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit, np.matrix_transpose,
    np.permute_dims, np.diag, np.unstack, np.diff, np.einsum,
    list, tuple,  # a new container holding the same objects (an array's rows are views of it)
)
VIEW_IDS = {id(f) for f in VIEW_FUNCTIONS}
VIEW_METHODS = {"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze", "diagonal", "__array__"}
FRESH_METHODS = {"copy", "flatten", "astype", "sum", "mean", "prod", "max", "min", "var", "std", "cumsum",
                 "cumprod", "dot", "clip", "trace", "argmax", "argmin", "all", "any", "round", "tolist", "item",
                 "conj", "conjugate", "repeat", "take", "nonzero", "argsort", "ptp", "get", "keys", "values",
                 "items", "count", "index"}
LIST_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort"}
ARRAY_MUTATORS = {"sort", "fill", "put", "resize", "itemset", "setfield", "partition", "setflags"}
VIEW_ATTRIBUTES = {"T", "mT", "real", "imag", "flat", "base"}
STATIC_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "flags"}
SCALAR_BUILTINS = {builtins.float, builtins.int, builtins.bool, builtins.len, builtins.abs, builtins.round,
                    builtins.complex, builtins.str, builtins.isinstance, builtins.hash, builtins.id}
NEW_CONTAINERS = {builtins.list: "list", builtins.sorted: "list", builtins.tuple: "tuple"}
ITERATORS = {builtins.zip, builtins.enumerate, builtins.reversed, builtins.map, builtins.filter, builtins.iter}



def kind_of_value(value: Any) -> str:
    """The kind of an example argument or a global's value."""
    if value is NO_EXAMPLE:
        return UNKNOWN
    if value is None or isinstance(value, (int, float, complex, str, bytes, np.generic, types.ModuleType)) or \
            callable(value):
        return SCALAR
    if isinstance(value, np.ndarray):
        return ARRAY
    if isinstance(value, list):
        return LIST
    if isinstance(value, tuple):
        return TUPLE
    return UNKNOWN


def element_kind(value: Any) -> str:
    """The kind every element of an example list or tuple has (UNKNOWN when they differ)."""
    if isinstance(value, (list, tuple)) and value:
        kinds = {kind_of_value(v) for v in value}
        return kinds.pop() if len(kinds) == 1 else UNKNOWN
    return UNKNOWN


def join(a: str | None, b: str) -> str:
    """The kind of an object that one program point may make with kind ``a`` and another with ``b``."""
    return b if a is None or a == b else UNKNOWN


def returns_scalar(callee: Any) -> bool:
    """Builtins and ``math`` functions, whose results are immutable numbers, strings or booleans."""
    return callee in SCALAR_BUILTINS or (isinstance(callee, types.BuiltinFunctionType)
                                         and getattr(callee, "__module__", None) == "math")
