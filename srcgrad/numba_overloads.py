"""Numba versions of the rule helpers generated code calls, for ``numba_backend``: each helper gets a stub of
the same name, and ``_<name>_numba`` picks its implementation by the argument types when Numba compiles
(``@overload``). The typing functions take no annotations: Numba compares their signatures with the
implementations'. ``export`` copies a stub, its typing function and its registration into an exported
module.

Importing this module imports Numba, so ``numba_backend`` imports it only when it compiles."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numba.core import types as numba_types
from numba.core.errors import NumbaPerformanceWarning
from numba.extending import overload
from numba.np.numpy_support import as_dtype
from numba.typed import List as TypedList  # noqa: F401  (numba_backend binds it in compiled code)

from . import runtime
from .numba_lowering import VECTORISED_UFUNCS, vectorised_name
from .rules import helpers as rule_helpers
from .rules import jvp_helpers, sequence_rules
from .transform import loops


def njit(function: Callable) -> Callable:
    """``numba.njit`` with NumPy's error model: a float division by zero gives inf or nan, as the uncompiled
    code's NumPy values do, instead of raising."""
    return numba.njit(cache=False, error_model="numpy")(function)


def call_quietly(function: Callable, args: tuple) -> Any:
    """Call (and so compile) ``function``, without Numba's performance warnings: they are about generated
    code (``h.T @ g`` on a transposed view), nothing a user can act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaPerformanceWarning)
        return function(*args)


def float_dtype(*values: Any) -> Any:
    """The floating dtype of a cotangent of ``values`` (Numba types), as ``rule_helpers._float_dtype``."""
    dtypes = [as_dtype(v.dtype) if isinstance(v, numba_types.Array) else np.dtype(np.float64)
              for v in values if isinstance(v, (numba_types.Array, numba_types.Number))]
    return np.result_type(*dtypes, np.float32).type


def zero_cotangent(value):
    """Stands for ``runtime.zero_cotangent`` in code Numba compiles."""
    raise NotImplementedError("zero_cotangent runs only inside code Numba compiles")


def _zero_cotangent_numba(value):
    if isinstance(value, (numba_types.Number, numba_types.NoneType, numba_types.Boolean, numba_types.Omitted)):
        return lambda value: 0.0
    if isinstance(value, numba_types.Array):
        dtype = float_dtype(value)
        return lambda value: np.zeros(value.shape, dtype)
    return None


def getitem_grad(g, x, index):
    """Stands for ``rule_helpers.getitem_grad`` in code Numba compiles."""
    raise NotImplementedError("getitem_grad runs only inside code Numba compiles")


def _basic_index(index) -> bool:
    """An integer, a slice, or a tuple of them: each position written once. An index array may repeat a
    position, where ``out[index] = g`` (or ``+=``) would keep one contribution: left to the uncompiled
    helper, which accumulates (``np.add.at``)."""
    parts = index.types if isinstance(index, numba_types.BaseTuple) else (index,)
    return all(isinstance(p, (numba_types.Integer, numba_types.SliceType)) for p in parts)


def _getitem_grad_numba(g, x, index):
    if isinstance(x, numba_types.Array) and _basic_index(index):
        dtype = float_dtype(x, g)

        def scatter(g, x, index):
            out = np.zeros(x.shape, dtype)
            out[index] = g
            return out
        return scatter
    return None


def add_element(out, g, x, index):
    """Stands for ``rule_helpers.add_element`` in code Numba compiles."""
    raise NotImplementedError("add_element runs only inside code Numba compiles")


def _add_element_numba(out, g, x, index):
    if isinstance(out, numba_types.Array) and _basic_index(index):
        def add(out, g, x, index):
            out[index] += g
            return out
        return add
    return None


def sum_of_product(a, b, like):
    """Stands for ``rule_helpers.sum_of_product`` in code Numba compiles."""
    raise NotImplementedError("sum_of_product runs only inside code Numba compiles")


def _sum_of_product_numba(a, b, like):
    if (isinstance(a, numba_types.Array) and isinstance(b, numba_types.Array) and a.ndim == b.ndim
            and all(isinstance(v.dtype, numba_types.Float) for v in (a, b))):
        def dot(a, b, like):   # (np.dot: np.vdot would conjugate; other shapes broadcast)
            if a.shape == b.shape:
                return np.dot(np.ascontiguousarray(a).ravel(), np.ascontiguousarray(b).ravel())
            return np.sum(a * b)
        return dot
    if isinstance(a, numba_types.Array) or isinstance(b, numba_types.Array):
        return lambda a, b, like: np.sum(a * b)
    return lambda a, b, like: a * b


def scale_repeatedly(value, factor, times):
    """Stands for ``loops.scale_repeatedly`` in code Numba compiles."""
    raise NotImplementedError("scale_repeatedly runs only inside code Numba compiles")


def _scale_repeatedly_numba(value, factor, times):
    def scale(value, factor, times):
        for _ in range(times):
            value = value * factor
        return value
    return scale


def unbroadcast(g, like):
    """Stands for ``rule_helpers.unbroadcast`` in code Numba compiles."""
    raise NotImplementedError("unbroadcast runs only inside code Numba compiles")


def _unbroadcast_numba(g, like):
    if isinstance(like, numba_types.Number) or (isinstance(like, numba_types.Array) and like.ndim == 0):
        if isinstance(g, numba_types.Array):
            return lambda g, like: np.sum(g)
        return lambda g, like: g
    if not (isinstance(like, numba_types.Array) and isinstance(g, numba_types.Array) and g.ndim >= like.ndim):
        return None
    dtype, lead, ndim = float_dtype(g), g.ndim - like.ndim, g.ndim

    def summed(g, like):
        if lead == 0 and g.shape == like.shape:   # (``lead`` is a constant: Numba drops the dead branch)
            return np.ascontiguousarray(g).reshape(like.shape)
        out = np.zeros(like.size, dtype)
        flat = np.ascontiguousarray(g).ravel()
        for i in range(flat.size):
            rest, j, stride = i, 0, 1
            for d in range(ndim - 1, -1, -1):
                position = rest % g.shape[d]
                rest //= g.shape[d]
                if d >= lead:
                    if like.shape[d - lead] != 1:
                        j += position * stride
                    stride *= like.shape[d - lead]
            out[j] += flat[i]
        return out.reshape(like.shape)
    return summed


def repeat_reduced(g, like, axis=None, keepdims=False):
    """Stands for ``rule_helpers.repeat_reduced`` in code Numba compiles."""
    raise NotImplementedError("repeat_reduced runs only inside code Numba compiles")


def _repeat_reduced_numba(g, like, axis=None, keepdims=False):
    if not isinstance(like, numba_types.Array):
        return lambda g, like, axis=None, keepdims=False: g
    if isinstance(g, numba_types.Number):   # a sum over every axis
        return lambda g, like, axis=None, keepdims=False: np.full(like.shape, g)
    if not (isinstance(g, numba_types.Array) and isinstance(axis, numba_types.Integer)):
        return None
    if g.ndim == like.ndim:   # the reduced axis kept (keepdims=True)
        return lambda g, like, axis=None, keepdims=False: np.ascontiguousarray(np.broadcast_to(g, like.shape))
    if g.ndim == like.ndim - 1:
        return lambda g, like, axis=None, keepdims=False: np.ascontiguousarray(
            np.broadcast_to(np.expand_dims(g, axis), like.shape))
    return None


def reduced_count(like, axis=None):
    """Stands for ``rule_helpers.reduced_count`` in code Numba compiles."""
    raise NotImplementedError("reduced_count runs only inside code Numba compiles")


def _reduced_count_numba(like, axis=None):
    if isinstance(axis, (numba_types.NoneType, numba_types.Omitted)):
        return lambda like, axis=None: like.size
    if isinstance(axis, numba_types.Integer):
        return lambda like, axis=None: like.shape[axis]
    if isinstance(axis, numba_types.UniTuple) and isinstance(axis.dtype, numba_types.Integer):
        def count(like, axis=None):
            total = 1
            for a in axis:
                total *= like.shape[a]
            return total
        return count
    return None


def plus_grad(g, a, b, which):
    """Stands for ``sequence_rules.plus_grad`` in code Numba compiles."""
    raise NotImplementedError("plus_grad runs only inside code Numba compiles")


def _plus_grad_numba(g, a, b, which):
    if a == b and isinstance(a, (numba_types.Array, numba_types.Number)):
        return lambda g, a, b, which: unbroadcast(g, a if which == 0 else b)
    return None


def matmul_left_grad(g, a, b):
    """Stands for ``rule_helpers.matmul_left_grad`` in code Numba compiles."""
    raise NotImplementedError("matmul_left_grad runs only inside code Numba compiles")


def _matmul_left_grad_numba(g, a, b):
    if not (isinstance(a, numba_types.Array) and isinstance(b, numba_types.Array)):
        return None
    if a.ndim == 2 and b.ndim == 2:
        return lambda g, a, b: g @ np.ascontiguousarray(b.T)
    if a.ndim == 2 and b.ndim == 1:
        return lambda g, a, b: np.outer(g, b)
    if a.ndim == 1 and b.ndim == 2:
        return lambda g, a, b: np.ascontiguousarray(b) @ g
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * b
    return None


def matmul_right_grad(g, a, b):
    """Stands for ``rule_helpers.matmul_right_grad`` in code Numba compiles."""
    raise NotImplementedError("matmul_right_grad runs only inside code Numba compiles")


def _matmul_right_grad_numba(g, a, b):
    if not (isinstance(a, numba_types.Array) and isinstance(b, numba_types.Array)):
        return None
    if a.ndim == 2 and b.ndim == 2:
        return lambda g, a, b: np.ascontiguousarray(a.T) @ g
    if a.ndim == 1 and b.ndim == 2:
        return lambda g, a, b: np.outer(a, g)
    if a.ndim == 2 and b.ndim == 1:
        return lambda g, a, b: g @ np.ascontiguousarray(a)
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * a
    return None


def times_grad(g, a, b, which):
    """Stands for ``sequence_rules.times_grad`` in code Numba compiles."""
    raise NotImplementedError("times_grad runs only inside code Numba compiles")


def _times_grad_numba(g, a, b, which):
    if a == b and isinstance(a, (numba_types.Array, numba_types.Number)):
        return lambda g, a, b, which: unbroadcast(g * (b if which == 0 else a), a if which == 0 else b)
    return None


def add_grads(a, b):
    """Stands for ``runtime.add_grads`` in code Numba compiles."""
    raise NotImplementedError("add_grads runs only inside code Numba compiles")


def _add_grads_numba(a, b):
    if all(isinstance(v, (numba_types.Array, numba_types.Number)) for v in (a, b)):
        return lambda a, b: a + b
    return None


def plus(a, b):
    """Stands for ``runtime.plus`` in code Numba compiles."""
    raise NotImplementedError("plus runs only inside code Numba compiles")


def _plus_numba(a, b):
    if all(isinstance(v, (numba_types.Array, numba_types.Number)) for v in (a, b)):
        return lambda a, b: a + b
    return None


def times(a, b):
    """Stands for ``runtime.times`` in code Numba compiles."""
    raise NotImplementedError("times runs only inside code Numba compiles")


def _times_numba(a, b):
    if all(isinstance(v, (numba_types.Array, numba_types.Number)) for v in (a, b)):
        return lambda a, b: a * b
    return None


def array_tangent(t):
    """Stands for ``jvp_helpers.array_tangent`` in code Numba compiles."""
    raise NotImplementedError("array_tangent runs only inside code Numba compiles")


def _array_tangent_numba(t):
    if isinstance(t, (numba_types.Array, numba_types.Number)):
        return lambda t: t
    return None


def broadcast_tangent(t, like):
    """Stands for ``jvp_helpers.broadcast_tangent`` in code Numba compiles."""
    raise NotImplementedError("broadcast_tangent runs only inside code Numba compiles")


def _broadcast_tangent_numba(t, like):
    if not isinstance(like, numba_types.Array):
        return lambda t, like: t
    if isinstance(t, numba_types.Number):
        return lambda t, like: np.full(like.shape, t)
    if isinstance(t, numba_types.Array) and t.ndim == like.ndim:
        def widened(t, like):
            if t.shape == like.shape:
                return np.ascontiguousarray(t)
            return np.ascontiguousarray(np.broadcast_to(t, like.shape))
        return widened
    return None


def power_base_grad(g, x, y):
    """Stands for ``rule_helpers.power_base_grad`` in code Numba compiles."""
    raise NotImplementedError("power_base_grad runs only inside code Numba compiles")


def _power_base_grad_numba(g, x, y):
    if not (isinstance(y, numba_types.Number) and all(isinstance(v, (numba_types.Array, numba_types.Float))
                                                      for v in (g, x))):
        return None
    if isinstance(g, numba_types.Float) and isinstance(x, numba_types.Float):
        def scalar_slope(g, x, y):
            if y >= 1:
                return g * y * x ** (y - 1)
            if y == 0:
                return 0.0 * g
            slope = y * x ** (y - 1)      # infinite at x == 0 (the code is compiled with NumPy's error model)
            return g * slope if g != 0 else 0.0 * g
        return scalar_slope

    def slope(g, x, y):
        if y >= 1:
            return g * y * x ** (y - 1)
        if y == 0:   # a zero slope, also where x is infinite (the uncompiled helper's np.where)
            return g * 0.0 + np.zeros(x.shape)
        slope = y * x ** (y - 1)
        return np.where((g == 0) & np.isinf(slope), 0.0, g * slope)
    return slope


# Arrays at least this large go to NumPy's vectorised loop from compiled code: leaving compiled code costs
# about 2 µs, which Numba's element-by-element loop (about 6 ns an element slower) repays from here.
VECTORISED_FROM = 512


def _vectorised(ufunc: Any) -> Callable:
    """The typing function of ``numpy_<ufunc>``: NumPy's loop (through object mode) for a large float
    array, Numba's own below ``VECTORISED_FROM`` elements and for anything else."""
    def typing(x):
        if isinstance(x, numba_types.Array) and isinstance(x.dtype, numba_types.Float):
            out_type = numba_types.Array(x.dtype, x.ndim, "C")

            def through_numpy(x):
                if x.size < VECTORISED_FROM:
                    return np.ascontiguousarray(ufunc(x))
                with numba.objmode(out=out_type):
                    out = np.ascontiguousarray(ufunc(x))
                return out
            return through_numpy
        return lambda x: ufunc(x)   # noqa: PLW0108  (Numba takes an implementation, not the ufunc)
    return typing


def _vectorised_stub(name: str) -> Callable:
    def stub(x):
        raise NotImplementedError(f"{vectorised_name(name)} runs only inside code Numba compiles")
    stub.__name__ = stub.__qualname__ = vectorised_name(name)
    overload(stub)(_vectorised(getattr(np, name)))
    return stub


# ``numpy_exp`` and the others ``numba_lowering`` writes for VECTORISED_UFUNCS: name -> stub
UFUNC_STUBS: dict[str, Callable] = {vectorised_name(name): _vectorised_stub(name) for name in VECTORISED_UFUNCS}


# srcgrad's helper -> (its stub, the typing function that implements the stub)
TABLE: dict[Callable, tuple[Callable, Callable]] = {
    runtime.zero_cotangent: (zero_cotangent, _zero_cotangent_numba),
    rule_helpers.getitem_grad: (getitem_grad, _getitem_grad_numba),
    rule_helpers.add_element: (add_element, _add_element_numba),
    rule_helpers.sum_of_product: (sum_of_product, _sum_of_product_numba),
    loops.scale_repeatedly: (scale_repeatedly, _scale_repeatedly_numba),
    rule_helpers.unbroadcast: (unbroadcast, _unbroadcast_numba),
    rule_helpers.repeat_reduced: (repeat_reduced, _repeat_reduced_numba),
    rule_helpers.reduced_count: (reduced_count, _reduced_count_numba),
    sequence_rules.plus_grad: (plus_grad, _plus_grad_numba),
    rule_helpers.matmul_left_grad: (matmul_left_grad, _matmul_left_grad_numba),
    rule_helpers.matmul_right_grad: (matmul_right_grad, _matmul_right_grad_numba),
    sequence_rules.times_grad: (times_grad, _times_grad_numba),
    runtime.add_grads: (add_grads, _add_grads_numba),
    runtime.plus: (plus, _plus_numba),
    runtime.times: (times, _times_numba),
    jvp_helpers.array_tangent: (array_tangent, _array_tangent_numba),
    jvp_helpers.broadcast_tangent: (broadcast_tangent, _broadcast_tangent_numba),
    rule_helpers.power_base_grad: (power_base_grad, _power_base_grad_numba),
}
for _stub, _typing in TABLE.values():
    overload(_stub)(_typing)
# id(srcgrad's helper) -> the stub Numba compiles in its place
VERSIONS: dict[int, Callable] = {id(helper): stub for helper, (stub, _) in TABLE.items()}
