"""Matrix products: ``@``, ``matmul``, ``dot``, ``mm``, ``mv``, ``bmm``, ``outer``, lowered the way PyTorch lowers
them.

All of them compute with ``np.matmul`` and differentiate with its rule; what differs per case is the node
PyTorch records (``DotBackward0``, ``MvBackward0``, ``MmBackward0``, ``BmmBackward0``) and the views it
wraps around the product, because those are what ``grad_fn`` and ``next_functions`` show.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import messages, views
from . import nodes as N
from .dtypes import cpp_name, from_numpy
from .nodes import derivative
from .ops import OUT, record, requires, save_mul
from .tensor import Tensor, edge, wrap

_MATMUL = derivative(np.matmul, (0, 1))


def _product(a: Tensor, b: Tensor, kind: type) -> Tensor:
    ad, bd = a._data, b._data
    out = np.matmul(ad, bd, out=OUT)
    if not requires(a, b):
        return wrap(out)
    out_tensor = record(out, kind, _MATMUL, (edge(a), edge(b)), (ad, bd))
    out_tensor._grad_fn._saved = save_mul(a, b)
    return out_tensor


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``@`` with PyTorch's graph for each case: dot, mv, mm; a vector times a matrix is unsqueeze, mm,
    squeeze; batched operands go through view/expand and ``bmm`` the way PyTorch lowers them."""
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
                           f"{cpp_name(ad.dtype)} != {cpp_name(bd.dtype)}")
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
    return _batched(a, b)


def _batched(a: Tensor, b: Tensor) -> Tensor:
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


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix products of two 3-D tensors: ``BmmBackward0``."""
    for k, t in enumerate((a, b), 1):
        if t._data.ndim != 3:
            raise RuntimeError(messages.BMM_DIMS.format(k))
    (batches, _, inner), (batches_b, inner_b, _) = a._data.shape, b._data.shape
    if (batches, inner) != (batches_b, inner_b):
        raise RuntimeError(messages.BMM_SIZES.format(batches, inner, batches_b, inner_b))
    if a._data.dtype != b._data.dtype:   # (np.matmul would promote; PyTorch refuses)
        raise RuntimeError(messages.SCALAR_TYPE.format(from_numpy(a._data.dtype).scalar_name,
                                                       from_numpy(b._data.dtype).scalar_name))
    return _product(a, b, N.BmmBackward0)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """``a[:, None] * b``, recorded as PyTorch records it (a view of ``a``, then ``MulBackward0``)."""
    for name, t in (("self", a), ("vec2", b)):
        if t._data.ndim != 1:
            raise RuntimeError(messages.OUTER_DIMS.format(name, t._data.ndim))
    return views.reshape(a, -1, 1) * b


METHODS = {"matmul": matmul, "__matmul__": matmul, "__rmatmul__": rmatmul, "dot": dot, "mm": mm, "mv": mv,
           "bmm": bmm, "outer": outer, "ger": outer}
