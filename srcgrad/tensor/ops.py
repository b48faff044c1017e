"""Arithmetic on tensors with PyTorch's type promotion and node names (``+ - * / ** %``), and the helpers
all operation modules share.

Every operation computes its value with one NumPy function (the *primal*) and, when it records, creates
the node PyTorch would create, holding that primal's rule from the shared table (``nodes.derivative``) and
exactly the arguments the primal received. Where a NumPy function is a Python wrapper around an ndarray
method or a ufunc (``np.sum`` around ``add.reduce``, ``np.transpose`` around ``ndarray.transpose``), the
value is computed by what it wraps: the same array, at a third of the cost on small tensors. What PyTorch
saves for the node is noted separately (``_saved``) so that in-place changes of those tensors are detected
with PyTorch's error; the rule itself may need other arrays too.
"""

from __future__ import annotations

import contextvars
from typing import Any

import numpy as np

from ..rules import shim_rules
from . import messages
from . import nodes as N
from .dtypes import float32, result_type
from .grad_mode import state
from .nodes import derivative
from .tensor import NO_EDGE, Tensor, edge, result, wrap


def _array_out() -> Any:
    """``out=...`` makes a ufunc return an array even for 0-d inputs (NumPy >= 2.3); older NumPy returns a
    scalar, which ``wrap``/``result`` turn back into an array."""
    try:
        return ... if type(np.negative(np.float32(1), out=...)) is np.ndarray else None
    except TypeError:
        return None


OUT = _array_out()


def _floating_point_state() -> tuple:
    """NumPy's floating-point error state (a context variable in NumPy 2) and its all-"ignore" value.

    PyTorch computes ``log(0)``, ``1/0`` or ``sqrt(-1)`` silently; NumPy warns. Setting the context variable
    around a NumPy call silences it for that call only (about 0.1 µs; ``np.errstate`` costs 20 times that)
    and leaves the user's own NumPy settings alone. Where NumPy keeps the state elsewhere, a private variable
    stands in and the warnings stay."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar as state  # noqa: PLC0415  (may be absent)
        with np.errstate(all="ignore"):
            return state, state.get()
    except (ImportError, AttributeError):
        return contextvars.ContextVar("srcgrad_floating_point"), None


FP_ERRORS, QUIET = _floating_point_state()


def quietly(function: Any, *args: Any) -> Any:
    """``function(*args)`` without NumPy's floating-point warnings (the hottest operations inline this)."""
    token = FP_ERRORS.set(QUIET)
    try:
        return function(*args)
    finally:
        FP_ERRORS.reset(token)


def saved(*tensors: Tensor) -> tuple | None:
    """What a node keeps to detect later in-place changes: (version cell, version now, tensor) triples."""
    if len(tensors) == 1:
        return saved_one(tensors[0])
    flat: tuple = ()
    for t in tensors:
        flat += saved_one(t)
    return flat or None


def saved_one(t: Tensor) -> tuple:
    """``saved(t)`` for one tensor (the common case, without the loop)."""
    if t._inference:
        raise RuntimeError(messages.INFERENCE_SAVED)
    cell = t._vc
    return (cell, cell[0], t)


def record(out: Any, kind: type, how: tuple, edges: tuple, args: tuple, kwargs: dict = N.NO_KWARGS
           ) -> Tensor:
    """The output tensor of a recorded operation and its node."""
    return result(out, kind(edges, how, args, out, kwargs))


def requires(*tensors: Any) -> bool:
    """Whether an operation on ``tensors`` (None for non-tensor operands) is recorded."""
    if state.enabled:
        for t in tensors:
            if t is not None and t._rg:
                return True
    return False


# --- operand preparation -----------------------------------------------------------------------------


def operands(a: Tensor, b: Any, true_div: bool = False) -> tuple | None:
    """``(a_array, b_array_or_number, b_tensor_or_None)`` cast so that NumPy computes in PyTorch's result
    dtype; None when ``b`` is no operand a tensor combines with. Same-dtype operands and float tensors with
    Python numbers (the common cases) need no casting and return at once."""
    ad = a._data
    if isinstance(b, Tensor):
        bt, bd = b, b._data
        if bd.dtype is ad.dtype and not (true_div and ad.dtype.kind != "f"):
            return ad, bd, bt
    else:
        bt, tb = None, type(b)
        if tb is float or tb is int or tb is bool:
            kind = ad.dtype.kind
            if kind == "f" or (kind in "iu" and tb is not float and not true_div):
                return ad, b, None
            bd = b
        elif isinstance(b, np.ndarray):
            bd = b
        elif isinstance(b, np.generic):
            bd = b.item()
        else:
            return None
    target = result_type(ad, bd)
    if true_div and not target.is_floating_point:
        target = float32
    dt = target.numpy
    return ad.astype(dt, copy=False), bd.astype(dt, copy=False) if isinstance(bd, np.ndarray) else bd, bt


def broadcast_error(ad: Any, bd: Any) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast: the first clash from the right."""
    sa, sb = np.shape(ad), np.shape(bd)
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            return RuntimeError(messages.BROADCAST.format(sa[-i], sb[-i], max(len(sa), len(sb)) - i))
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


# --- binary arithmetic --------------------------------------------------------------------------------


def save_mul(a: Tensor, bt: Tensor | None) -> tuple | None:
    """mul/dot/mm save each operand only when the *other* one requires grad: the other first, as PyTorch
    saves (and packs, with saved_tensors_hooks) them."""
    if bt is None:
        return None
    if not bt._rg:
        return saved_one(bt)
    return saved_one(bt) + saved_one(a) if a._rg else saved_one(a)


def _save_div(a: Tensor, bt: Tensor | None) -> tuple | None:
    if bt is None:
        return None
    return saved(bt, *([a] if bt._rg else []))


def _binary(ufunc: np.ufunc, kind: type, save: Any = None, true_div: bool = False):
    how = derivative(ufunc, (0, 1))
    # the rule without the partial of an operand that needs none, resolved here once, not per node
    somewhere = (object(), 0)
    only_first, only_second = N.pruned(how, (somewhere, NO_EDGE)), N.pruned(how, (NO_EDGE, somewhere))

    def op(a: Tensor, b: Any) -> Tensor:
        ad, b_type = a._data, type(b)
        if b_type is Tensor and b._data.dtype is ad.dtype and not true_div:   # (``operands``' common cases, inline)
            bd, bt = b._data, b
        elif b_type is float and ad.dtype.kind == "f":
            bd, bt = b, None
        else:
            ops = operands(a, b, true_div)
            if ops is None:
                return NotImplemented
            ad, bd, bt = ops
        token = FP_ERRORS.set(QUIET)
        try:
            out = ufunc(ad, bd, out=OUT)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        finally:
            FP_ERRORS.reset(token)
        if not state.enabled:
            return wrap(out)
        # (``_requires`` first: the ``_rg`` property is needed only for a view that may have learned it)
        a_records = a._requires or (a._base is not None and a._rg)
        b_records = bt is not None and (bt._requires or (bt._base is not None and bt._rg))
        if not (a_records or b_records):
            return wrap(out)
        first = edge(a) if a_records else NO_EDGE
        second = edge(bt) if b_records else NO_EDGE
        if first[0] is None:
            chosen = only_second if second[0] is not None else N.pruned(how, (first, second))
        else:
            chosen = how if second[0] is not None else only_first
        node = N.made_for(kind, (first, second), chosen, (ad, bd), out)
        if save is not None:
            node._saved = save(a, bt)
        return result(out, node)
    return op


# ``+`` and ``-``: add() and sub() without alpha= (operators never pass it)
plus, minus = _binary(np.add, N.AddBackward0), _binary(np.subtract, N.SubBackward0)
mul = _binary(np.multiply, N.MulBackward0, save_mul)
div = _binary(np.divide, N.DivBackward0, _save_div, true_div=True)
maximum = _binary(np.maximum, N.MaximumBackward0, lambda a, b: saved(a, *([b] if b is not None else [])))
minimum = _binary(np.minimum, N.MinimumBackward0, lambda a, b: saved(a, *([b] if b is not None else [])))
_ADD_SCALED = derivative(shim_rules.add_scaled, (0, 1))
_RSUB_SCALAR, _RSUB_TENSOR = derivative(np.subtract, (1,)), derivative(np.subtract, (1, 0))


def _scaled(a: Tensor, b: Any, alpha: float, kind: type) -> Tensor:
    """``a + alpha * b`` as one node (PyTorch's ``alpha=``)."""
    ad, bd, bt = operands(a, b)
    out = np.asarray(shim_rules.add_scaled(ad, bd, alpha), dtype=np.result_type(ad, bd))
    if requires(a, bt):
        return record(out, kind, _ADD_SCALED, (edge(a), NO_EDGE if bt is None else edge(bt)),
                       (ad, bd, alpha))
    return wrap(out)


def add(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    return plus(a, b) if alpha == 1 else _scaled(a, b, alpha, N.AddBackward0)


def sub(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    return minus(a, b) if alpha == 1 else _scaled(a, b, -alpha, N.SubBackward0)


def rsub(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    """``b - alpha * a``: ``RsubBackward1`` for a number ``b`` (``2 - x``), ``RsubBackward0`` for a tensor."""
    ops = operands(a, b)
    if ops is None:
        return NotImplemented
    ad, bd, bt = ops
    if alpha != 1:
        ad = ad * alpha
    out = quietly(np.subtract, bd, ad)
    if not requires(a, bt):
        return wrap(out)
    if bt is None:
        return record(out, N.RsubBackward1, _RSUB_SCALAR, (edge(a),), (bd, ad))
    return record(out, N.RsubBackward0, _RSUB_TENSOR, (edge(a), edge(bt)), (bd, ad))


_POW_BASE, _POW_BOTH, _POW_EXPONENT = (derivative(np.power, p) for p in ((0,), (0, 1), (1,)))
_POW_BASE_ONLY = N.pruned(_POW_BASE, ())   # (the rule without the exponent's partial: chosen once here)


def _reciprocal_square(x: np.ndarray) -> np.ndarray:
    return 1 / (x * x)


def _cube(x: np.ndarray) -> np.ndarray:
    square = x * x
    if type(square) is np.ndarray:   # (0-d operands give a NumPy scalar)
        return np.multiply(square, x, out=square)   # (x * x) * x, into the square's memory
    return square * x


# Small integer exponents as products, as PyTorch's CPU kernel computes them: the same bits (NumPy's power
# rounds x ** 3 differently) and a tenth of the time of a general power.
_SMALL_POWERS = {2: np.square, 3: _cube, -1: np.reciprocal, -2: _reciprocal_square}


def pow(a: Tensor, exponent: Any) -> Tensor:
    ad, kind = a._data, type(exponent)
    if (kind is int or kind is float) and ad.dtype.kind == "f":   # (what ``operands`` returns for them)
        ed, et, small = exponent, None, _SMALL_POWERS.get(exponent)
    else:
        ops = operands(a, exponent)
        if ops is None:
            return NotImplemented
        ad, ed, et = ops
        small = None
    token = FP_ERRORS.set(QUIET)
    try:
        out = np.power(ad, ed) if small is None else small(ad)
    except ValueError as error:
        if "broadcast" in str(error):
            raise broadcast_error(ad, ed) from None
        raise RuntimeError(str(error)) from None  # "Integers to negative integer powers are not allowed."
    finally:
        FP_ERRORS.reset(token)
    # (``_requires`` first: the ``_rg`` property is needed only for a view that may have learned it)
    if not state.enabled or not (a._requires or (a._base is not None and a._rg) or (et is not None and et._rg)):
        return wrap(out)
    if et is None:
        node = N.made_for(N.PowBackward0, (edge(a),), _POW_BASE_ONLY, (ad, ed), out)
        node._saved = saved_one(a)
    else:
        node = N.PowBackward1((edge(a), edge(et)), _POW_BOTH, (ad, ed), out)
    out_tensor = result(out, node)
    if et is not None:
        node._saved = saved(a, et) + (out_tensor._vc, 0, None)
    return out_tensor


def rpow(a: Tensor, base: Any) -> Tensor:
    """``base ** a`` for a number ``base``: ``PowBackward2``."""
    ops = operands(a, base)
    if ops is None:
        return NotImplemented
    ad, bd, _ = ops
    out = quietly(np.power, bd, ad)
    if not requires(a):
        return wrap(out)
    out_tensor = record(out, N.PowBackward2, _POW_EXPONENT, (edge(a),), (bd, ad))
    out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
    return out_tensor


def square(a: Tensor) -> Tensor:
    return pow(a, 2)



# --- remainder and floor division ---------------------------------------------------------------------

_REMAINDER, _REMAINDER_SELF = derivative(shim_rules.remainder, (0, 1)), derivative(shim_rules.remainder)


def remainder(a: Tensor, b: Any) -> Tensor:
    """``a % b``: ``RemainderBackward0`` for a number ``b``, ``RemainderBackward1`` for a tensor (the gradient
    is 1 for ``a``, ``-floor(a / b)`` for ``b``)."""
    ops = operands(a, b)
    if ops is None:
        return NotImplemented
    ad, bd, bt = ops
    out = quietly(shim_rules.remainder, ad, bd)
    if not requires(a, bt):
        return wrap(out)
    if bt is None:
        return record(out, N.RemainderBackward0, _REMAINDER_SELF, (edge(a),), (ad, bd))
    out_tensor = record(out, N.RemainderBackward1, _REMAINDER, (edge(a), edge(bt)), (ad, bd))
    out_tensor._grad_fn._saved = saved(a, bt) if bt._rg else None
    return out_tensor


def _without_derivative(ufunc: np.ufunc, aten_name: str, reflected: bool):
    """``a // b``, ``b // a``, ``b % a``: PyTorch computes them but records a node that refuses backward."""
    def op(a: Tensor, b: Any) -> Tensor:
        ops = operands(a, b)
        if ops is None:
            return NotImplemented
        ad, bd, bt = ops
        out = quietly(ufunc, bd, ad) if reflected else quietly(ufunc, ad, bd)
        if not requires(a, bt):
            return wrap(out)
        edges = (edge(a),) if bt is None else (edge(a), edge(bt))
        return result(out, N.NotImplementedNode(edges, (None, None), (aten_name,), out))
    return op


floor_divide = _without_derivative(np.floor_divide, "floor_divide", reflected=False)
rfloordiv = _without_derivative(np.floor_divide, "floor_divide", reflected=True)
rremainder = _without_derivative(np.remainder, "remainder", reflected=True)


def positive(a: Tensor) -> Tensor:
    return a


METHODS = {
    "add": add, "__add__": plus, "__radd__": plus, "sub": sub, "__sub__": minus, "subtract": sub,
    "__rsub__": rsub, "rsub": rsub, "mul": mul, "__mul__": mul, "__rmul__": mul, "multiply": mul,
    "div": div, "divide": div, "true_divide": div, "__truediv__": div, "pow": pow, "__pow__": pow,
    "__rpow__": rpow, "square": square, "maximum": maximum, "minimum": minimum, "__pos__": positive,
    "floor_divide": floor_divide, "__floordiv__": floor_divide, "__rfloordiv__": rfloordiv,
    "remainder": remainder, "__mod__": remainder, "__rmod__": rremainder,
}
