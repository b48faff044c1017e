"""Differentiable math on tensors: arithmetic, pointwise functions, reductions and matrix products.

Every operation computes its value with one NumPy function (the *primal*) and, when it records, creates
the node PyTorch would create, holding that primal's rule from the shared table and exactly the arguments
the primal received. What PyTorch saves for the node is noted separately (``_saved``) so that in-place
changes of those tensors are detected with PyTorch's error; the rule itself may need other arrays too.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..rules import shim_rules
from ..rules.registry import vjp_rule
from . import messages
from . import nodes as N
from .dtypes import float32, from_numpy, result_type
from .grad_mode import state
from .tensor import NO_EDGE, Tensor, check_dim, edge, result, wrap


def _array_out() -> Any:
    """``out=...`` makes a ufunc return an array even for 0-d inputs (NumPy >= 2.3); older NumPy returns a
    scalar, which ``wrap``/``result`` turn back into an array."""
    try:
        return ... if type(np.negative(np.float32(1), out=...)) is np.ndarray else None
    except TypeError:
        return None


OUT = _array_out()
P0, P1, P01, P10 = (0,), (1,), (0, 1), (1, 0)
SELF, RESULT = "self", "result"


def rule(primal: Any) -> Any:
    found = vjp_rule(primal)
    if found is None:
        raise LookupError(f"no derivative rule registered for {primal!r}")
    return found


def saved(*tensors: Tensor) -> tuple | None:
    """What a node keeps to detect later in-place changes: (version cell, version now, tensor) triples."""
    flat: tuple = ()
    for t in tensors:
        flat += (t._vc, t._vc[0], t)
    return flat or None


def _record(out: Any, kind: type, rule_: Any, pick: tuple | None, edges: tuple, args: tuple,
            kwargs: dict = N.NO_KWARGS) -> Tensor:
    return result(out, kind(edges, rule_, pick, args, out, kwargs))


def _requires(*tensors: Any) -> bool:
    """Whether an operation on ``tensors`` (None for non-tensor operands) is recorded."""
    return state.enabled and any(t is not None and t._rg for t in tensors)


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
    for i in range(1, builtins.min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            return RuntimeError(messages.BROADCAST.format(sa[-i], sb[-i], builtins.max(len(sa), len(sb)) - i))
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


# --- binary arithmetic --------------------------------------------------------------------------------


def _save_mul(a: Tensor, bt: Tensor | None) -> tuple | None:
    """mul/dot/mm save each operand only when the *other* one requires grad."""
    if bt is None:
        return None
    return saved(*([a] if bt._rg else []), *([bt] if a._rg else []))


def _save_div(a: Tensor, bt: Tensor | None) -> tuple | None:
    if bt is None:
        return None
    return saved(bt, *([a] if bt._rg else []))


def _binary(ufunc: np.ufunc, kind: type, save: Any = None, true_div: bool = False):
    rule_ = rule(ufunc)

    def op(a: Tensor, b: Any) -> Tensor:
        ops = operands(a, b, true_div)
        if ops is None:
            return NotImplemented
        ad, bd, bt = ops
        try:
            out = ufunc(ad, bd, out=OUT)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        if state.enabled and (a._rg or (bt is not None and bt._rg)):
            node = kind((edge(a), NO_EDGE if bt is None else edge(bt)), rule_, P01, (ad, bd), out)
            if save is not None:
                node._saved = save(a, bt)
            return result(out, node)
        return wrap(out)
    return op


_add, _sub = _binary(np.add, N.AddBackward0), _binary(np.subtract, N.SubBackward0)
mul = _binary(np.multiply, N.MulBackward0, _save_mul)
div = _binary(np.divide, N.DivBackward0, _save_div, true_div=True)
maximum = _binary(np.maximum, N.MaximumBackward0, lambda a, b: saved(a, *([b] if b is not None else [])))
minimum = _binary(np.minimum, N.MinimumBackward0, lambda a, b: saved(a, *([b] if b is not None else [])))
_R_ADD_SCALED, _R_SUB = rule(shim_rules.add_scaled), rule(np.subtract)


def _scaled(a: Tensor, b: Any, alpha: float, kind: type) -> Tensor:
    """``a + alpha * b`` as one node (PyTorch's ``alpha=``)."""
    ad, bd, bt = operands(a, b)
    out = np.asarray(shim_rules.add_scaled(ad, bd, alpha), dtype=np.result_type(ad, bd))
    if _requires(a, bt):
        return _record(out, kind, _R_ADD_SCALED, P01, (edge(a), NO_EDGE if bt is None else edge(bt)),
                       (ad, bd, alpha))
    return wrap(out)


def add(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    return _add(a, b) if alpha == 1 else _scaled(a, b, alpha, N.AddBackward0)


def sub(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    return _sub(a, b) if alpha == 1 else _scaled(a, b, -alpha, N.SubBackward0)


def rsub(a: Tensor, b: Any, alpha: float = 1) -> Tensor:
    """``b - alpha * a``: ``RsubBackward1`` for a number ``b`` (``2 - x``), ``RsubBackward0`` for a tensor."""
    ops = operands(a, b)
    if ops is None:
        return NotImplemented
    ad, bd, bt = ops
    if alpha != 1:
        ad = ad * alpha
    out = np.subtract(bd, ad, out=OUT)
    if not _requires(a, bt):
        return wrap(out)
    if bt is None:
        return _record(out, N.RsubBackward1, _R_SUB, P1, (edge(a),), (bd, ad))
    return _record(out, N.RsubBackward0, _R_SUB, P10, (edge(a), edge(bt)), (bd, ad))


def rtruediv(a: Tensor, b: Any) -> Tensor:
    """``b / a`` is ``a.reciprocal() * b`` in PyTorch (so the graph shows ReciprocalBackward0)."""
    return mul(reciprocal(a), b)


_R_POW = rule(np.power)


def pow(a: Tensor, exponent: Any) -> Tensor:
    ops = operands(a, exponent)
    if ops is None:
        return NotImplemented
    ad, ed, et = ops
    try:
        out = np.power(ad, ed, out=OUT)
    except ValueError as error:
        if "broadcast" in str(error):
            raise broadcast_error(ad, ed) from None
        raise RuntimeError(str(error)) from None  # "Integers to negative integer powers are not allowed."
    if not _requires(a, et):
        return wrap(out)
    if et is None:
        node = N.PowBackward0((edge(a),), _R_POW, P0, (ad, ed), out)
        node._saved = saved(a)
    else:
        node = N.PowBackward1((edge(a), edge(et)), _R_POW, P01, (ad, ed), out)
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
    out = np.power(bd, ad, out=OUT)
    if not _requires(a):
        return wrap(out)
    out_tensor = _record(out, N.PowBackward2, _R_POW, P1, (edge(a),), (bd, ad))
    out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
    return out_tensor


def square(a: Tensor) -> Tensor:
    return pow(a, 2)


# --- pointwise functions ------------------------------------------------------------------------------


def _unary(name: str, primal: Any, kind: type, save: str | None, floating: bool = True):
    """A one-argument elementwise operation. ``floating``: integer inputs give float32 results."""
    rule_ = rule(primal)
    is_ufunc = isinstance(primal, np.ufunc)

    def op(a: Tensor) -> Tensor:
        ad = a._data
        if floating and ad.dtype.kind != "f":
            ad = ad.astype(np.float32)
        out = primal(ad, out=OUT) if is_ufunc else primal(ad)
        if a._rg and state.enabled:
            node = kind((edge(a),), rule_, P0, (ad,), out)
            out_tensor = result(out, node)
            node._saved = saved(a) if save is SELF else (out_tensor._vc, 0, None) if save is RESULT else None
            return out_tensor
        return wrap(out)
    op.__name__ = op.__qualname__ = name
    return op


exp = _unary("exp", np.exp, N.ExpBackward0, RESULT)
log = _unary("log", np.log, N.LogBackward0, SELF)
sin = _unary("sin", np.sin, N.SinBackward0, SELF)
cos = _unary("cos", np.cos, N.CosBackward0, SELF)
tan = _unary("tan", np.tan, N.TanBackward0, RESULT)
tanh = _unary("tanh", np.tanh, N.TanhBackward0, RESULT)
sqrt = _unary("sqrt", np.sqrt, N.SqrtBackward0, RESULT)
log1p = _unary("log1p", np.log1p, N.Log1PBackward0, SELF)
expm1 = _unary("expm1", np.expm1, N.Expm1Backward0, RESULT)
reciprocal = _unary("reciprocal", np.reciprocal, N.ReciprocalBackward0, RESULT)
sigmoid = _unary("sigmoid", shim_rules.sigmoid, N.SigmoidBackward0, RESULT)
relu = _unary("relu", shim_rules.relu, N.ReluBackward0, RESULT, floating=False)
abs = _unary("abs", np.absolute, N.AbsBackward0, SELF, floating=False)
neg = _unary("neg", np.negative, N.NegBackward0, None, floating=False)
sign = _unary("sign", shim_rules.sign, N.SignBackward0, None, floating=False)
_R_CLIP, _R_CLAMP_TENSOR = rule(np.clip), rule(shim_rules.clamp_tensor)


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``ClampBackward1`` for number bounds, ``ClampBackward0`` when a bound is a tensor."""
    if min is None and max is None:
        raise RuntimeError(messages.CLAMP_NONE)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(a, min, max)
    ad = a._data
    target = result_type(ad, *[b for b in (min, max) if b is not None])
    if target.numpy is not ad.dtype:
        ad = ad.astype(target.numpy)
    out = np.asarray(np.clip(ad, min, max))
    if not _requires(a):
        return wrap(out)
    out_tensor = _record(out, N.ClampBackward1, _R_CLIP, P0, (edge(a),), (ad, min, max))
    out_tensor._grad_fn._saved = saved(a)
    return out_tensor


def _clamp_tensor(a: Tensor, lo: Any, hi: Any) -> Tensor:
    lo_t, hi_t = (b if isinstance(b, Tensor) else None for b in (lo, hi))
    lo_d, hi_d = (b._data if isinstance(b, Tensor) else b for b in (lo, hi))
    out = np.asarray(shim_rules.clamp_tensor(a._data, lo_d, hi_d), dtype=a._data.dtype)
    if not _requires(a, lo_t, hi_t):
        return wrap(out)
    edges = (edge(a), NO_EDGE if lo_t is None else edge(lo_t), NO_EDGE if hi_t is None else edge(hi_t))
    out_tensor = _record(out, N.ClampBackward0, _R_CLAMP_TENSOR, (0, 1, 2), edges, (a._data, lo_d, hi_d))
    out_tensor._grad_fn._saved = saved(a, *[t for t in (lo_t, hi_t) if t is not None])
    return out_tensor


# --- reductions ---------------------------------------------------------------------------------------


def dims(dim: Any, ndim: int) -> int | tuple:
    """A ``dim=`` argument (int or sequence) made non-negative, with PyTorch's range error."""
    if isinstance(dim, (tuple, list)):
        return tuple(check_dim(d, ndim) for d in dim)
    return check_dim(dim, ndim)


def _reduction(primal: Any, whole: type, along: type, name: str):
    """``sum``/``mean`` over everything (``whole`` node) or over ``dim`` (``along`` node)."""
    rule_ = rule(primal)

    def op(a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        ad = a._data
        if dtype is not None:
            ad = ad.astype(dtype.numpy)
        elif primal is np.mean and ad.dtype.kind != "f":
            raise RuntimeError(messages.MEAN_DTYPE.format(from_numpy(ad.dtype).scalar_name))
        elif ad.dtype.kind in "bu":  # PyTorch sums bool and unsigned integers as int64
            ad = ad.astype(np.int64)
        if dim is None and not keepdim:
            out, kind, kwargs = primal(ad), whole, N.NO_KWARGS
        else:
            axis = tuple(range(ad.ndim)) if dim is None else dims(dim, ad.ndim)
            kind, kwargs = along, {"axis": axis, "keepdims": keepdim}
            out = primal(ad, **kwargs)
        if a._rg and state.enabled:
            return _record(out, kind, rule_, P0, (edge(a),), (ad,), kwargs)
        return wrap(out)
    op.__name__ = op.__qualname__ = name
    return op


sum = _reduction(np.sum, N.SumBackward0, N.SumBackward1, "sum")
mean = _reduction(np.mean, N.MeanBackward0, N.MeanBackward1, "mean")


class _ReturnType(tuple):
    """``(values, indices)`` of ``max(dim)``/``min(dim)``, printed as ``torch.return_types.max(...)``."""

    __slots__ = ()
    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self) -> str:
        return f"torch.return_types.{type(self).__name__}(\nvalues={self[0]!r},\nindices={self[1]!r})"


_max_type = type("max", (_ReturnType,), {"__slots__": (), "__module__": "torch.return_types"})
_min_type = type("min", (_ReturnType,), {"__slots__": (), "__module__": "torch.return_types"})
_R_TAKE = rule(shim_rules.take_along_dim)


def _extremum(primal: Any, arg: Any, whole: type, along: type, pairwise: Any, returns: type, name: str):
    """``max()``: the value (ties share the gradient). ``max(dim)``: values and indices (the gradient goes
    to the returned index, via ``take_along_dim``). ``max(other)``: ``maximum``."""
    rule_ = rule(primal)

    def op(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return pairwise(a, dim)
        ad = a._data
        if dim is None:
            out = primal(ad)
            if not _requires(a):
                return wrap(out)
            out_tensor = _record(out, whole, rule_, P0, (edge(a),), (ad,))
            out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
            return out_tensor
        d = check_dim(dim, ad.ndim)
        indices = arg(ad, axis=d) if ad.ndim else np.asarray(0)
        out = shim_rules.take_along_dim(ad, indices, d, keepdim) if ad.ndim else ad.copy()
        idx = wrap(np.expand_dims(indices, d) if keepdim and ad.ndim else np.asarray(indices))
        if not _requires(a):
            return returns((wrap(out), idx))
        values = _record(out, along, _R_TAKE, P0, (edge(a),), (ad, indices, d, keepdim))
        return returns((values, idx))
    op.__name__ = op.__qualname__ = name
    return op


max = _extremum(np.max, np.argmax, N.MaxBackward1, N.MaxBackward0, maximum, _max_type, "max")
min = _extremum(np.min, np.argmin, N.MinBackward1, N.MinBackward0, minimum, _min_type, "min")


def argmax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return wrap(np.asarray(np.argmax(a._data)))
    return wrap(np.asarray(np.argmax(a._data, axis=check_dim(dim, a._data.ndim), keepdims=keepdim)))


def argmin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return wrap(np.asarray(np.argmin(a._data)))
    return wrap(np.asarray(np.argmin(a._data, axis=check_dim(dim, a._data.ndim), keepdims=keepdim)))


_R_NORM, _R_VECTOR_NORM = rule(np.linalg.norm), rule(shim_rules.vector_norm)


def norm(a: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over ``dim`` (all entries by default): ``LinalgVectorNormBackward0``. The 2-norm is
    NumPy's ``linalg.norm`` (and its rule); other orders are ``vector_norm``."""
    ad = a._data
    if ad.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           + from_numpy(ad.dtype).scalar_name)
    axis = None if dim is None else dims(dim, ad.ndim)
    if p in ("fro", 2, None) and (axis is None or not isinstance(axis, tuple) or len(axis) <= 2):
        primal, rule_, args = np.linalg.norm, _R_NORM, (ad,)
        kwargs = {"axis": axis, "keepdims": keepdim} if axis is not None or keepdim else N.NO_KWARGS
    else:
        primal, rule_, args = shim_rules.vector_norm, _R_VECTOR_NORM, (ad, 2 if p == "fro" else p)
        kwargs = {"dim": axis, "keepdim": keepdim}
    out = primal(*args, **kwargs)
    if not _requires(a):
        return wrap(out)
    out_tensor = _record(out, N.LinalgVectorNormBackward0, rule_, P0, (edge(a),), args, kwargs)
    out_tensor._grad_fn._saved = saved(a) + (out_tensor._vc, 0, None)
    return out_tensor


# --- products -----------------------------------------------------------------------------------------

_R_MATMUL = rule(np.matmul)
_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


def _product(a: Tensor, b: Tensor, kind: type) -> Tensor:
    ad, bd = a._data, b._data
    out = np.matmul(ad, bd, out=OUT)
    if not _requires(a, b):
        return wrap(out)
    out_tensor = _record(out, kind, _R_MATMUL, P01, (edge(a), edge(b)), (ad, bd))
    out_tensor._grad_fn._saved = _save_mul(a, b)
    return out_tensor


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``@`` with PyTorch's graph for each case: dot, mv, mm; a vector times a matrix is unsqueeze, mm,
    squeeze; batched operands go through view/expand and ``bmm`` the way PyTorch lowers them."""
    from . import views
    if not isinstance(b, Tensor):
        return NotImplemented
    ad, bd = a._data, b._data
    na, nb = ad.ndim, bd.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if ad.dtype is not bd.dtype:
        if na == 1 and nb == 1:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{from_numpy(ad.dtype).scalar_name} and {from_numpy(bd.dtype).scalar_name}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES.get(ad.dtype.name, ad.dtype.name)} != "
                           f"{_C_NAMES.get(bd.dtype.name, bd.dtype.name)}")
    if na == 1 and nb == 1:
        if ad.shape != bd.shape:
            raise RuntimeError(messages.DOT_SHAPES.format(ad.size, bd.size, ad.size, bd.size))
        return _product(a, b, N.DotBackward0)
    if na == 2 and nb == 1:
        if ad.shape[1] != bd.shape[0]:
            raise RuntimeError(messages.MV_SHAPES.format(bd.shape[0], *ad.shape, bd.shape[0]))
        return _product(a, b, N.MvBackward0)
    if na == 2 and nb == 2:
        if ad.shape[1] != bd.shape[0]:
            raise RuntimeError(messages.MM_SHAPES.format(*ad.shape, *bd.shape))
        return _product(a, b, N.MmBackward0)
    if na == 1 and nb == 2:
        return views.squeeze_dim(matmul(views.unsqueeze(a, 0), b), 0, N.SqueezeBackward4)
    if nb <= 2:  # batched @ matrix or vector: fold the batch into rows
        folded = matmul(views.reshape(a, -1, ad.shape[-1]), b)
        return views.unsafe_view(folded, ad.shape[:-1] + bd.shape[1:])
    return _batched(a, b, views)


def _batched(a: Tensor, b: Tensor, views: Any) -> Tensor:
    ad, bd = a._data, b._data
    a3 = ad if ad.ndim > 1 else ad[None]
    b3 = bd if bd.ndim > 1 else bd[:, None]
    batch = np.broadcast_shapes(a3.shape[:-2], b3.shape[:-2])
    left = views.reshape(views.expand(a if ad.ndim > 1 else views.unsqueeze(a, 0), *batch, *a3.shape[-2:]),
                         -1, *a3.shape[-2:])
    right = views.reshape(views.expand(b if bd.ndim > 1 else views.unsqueeze(b, 1), *batch, *b3.shape[-2:]),
                          -1, *b3.shape[-2:])
    out = _product(left, right, N.BmmBackward0)
    shape = batch + ((a3.shape[-2],) if ad.ndim > 1 else ()) + ((b3.shape[-1],) if bd.ndim > 1 else ())
    return views.unsafe_view(out, shape)


def rmatmul(a: Tensor, b: Any) -> Tensor:
    return matmul(b, a) if isinstance(b, Tensor) else NotImplemented


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    return matmul(a, b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def mv(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 2 or b._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {b._data.ndim}")
    return matmul(a, b)


# --- comparisons and logic (no gradient) --------------------------------------------------------------


def _compare(ufunc: np.ufunc, name: str):
    def op(a: Tensor, b: Any) -> Tensor:
        bd = b._data if isinstance(b, Tensor) else b
        if not isinstance(bd, (int, float, bool, np.ndarray, np.generic)):
            return NotImplemented
        try:
            return wrap(ufunc(a._data, bd, out=OUT))
        except ValueError:
            raise broadcast_error(a._data, bd) from None
    op.__name__ = op.__qualname__ = name
    return op


eq, ne = _compare(np.equal, "eq"), _compare(np.not_equal, "ne")
lt, le = _compare(np.less, "lt"), _compare(np.less_equal, "le")
gt, ge = _compare(np.greater, "gt"), _compare(np.greater_equal, "ge")
logical_and, logical_or = _compare(np.bitwise_and, "logical_and"), _compare(np.bitwise_or, "logical_or")
logical_xor = _compare(np.bitwise_xor, "logical_xor")
floor_divide, remainder = _compare(np.floor_divide, "floor_divide"), _compare(np.remainder, "remainder")


def invert(a: Tensor) -> Tensor:
    return wrap(np.invert(a._data, out=OUT))


def positive(a: Tensor) -> Tensor:
    return a


def equal(a: Tensor, b: Tensor) -> bool:
    return a._data.shape == b._data.shape and bool(np.all(a._data == b._data))


METHODS = {
    "add": add, "__add__": add, "__radd__": add, "sub": sub, "__sub__": sub, "subtract": sub,
    "__rsub__": rsub, "rsub": rsub, "mul": mul, "__mul__": mul, "__rmul__": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "__truediv__": div, "__rtruediv__": rtruediv, "pow": pow,
    "__pow__": pow, "__rpow__": rpow, "square": square, "matmul": matmul, "__matmul__": matmul,
    "__rmatmul__": rmatmul, "dot": dot, "mm": mm, "mv": mv, "exp": exp, "log": log, "sin": sin,
    "cos": cos, "tan": tan, "tanh": tanh, "sqrt": sqrt, "log1p": log1p, "expm1": expm1,
    "reciprocal": reciprocal, "sigmoid": sigmoid, "relu": relu, "abs": abs, "__abs__": abs,
    "absolute": abs, "neg": neg, "negative": neg, "__neg__": neg, "__pos__": positive, "sign": sign,
    "clamp": clamp, "clip": clamp, "sum": sum, "mean": mean, "max": max, "min": min, "maximum": maximum,
    "minimum": minimum, "argmax": argmax, "argmin": argmin, "norm": norm, "eq": eq, "__eq__": eq,
    "ne": ne, "__ne__": ne, "lt": lt, "__lt__": lt, "le": le, "__le__": le, "gt": gt, "__gt__": gt,
    "ge": ge, "__ge__": ge, "__and__": logical_and, "__or__": logical_or, "__xor__": logical_xor,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "__invert__": invert, "__floordiv__": floor_divide, "__mod__": remainder, "equal": equal,
}
