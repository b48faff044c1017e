"""Forward functions and rules for the Tensor shim's operations whose PyTorch derivative differs from
NumPy's (or that NumPy has no single function for).

Each is a small named NumPy function plus its rule, registered in the same table as ``numpy_rules``: the
shim computes the forward value with the function and its ``grad_fn`` calls the rule, and the source
transformer can differentiate code that calls these functions too. Where PyTorch made a choice at a kink,
the rule makes the same one: ``relu``'s gradient at 0 is 0, ``max(dim)`` sends the whole gradient to the
returned index, ``clamp`` passes the gradient at its bounds.
"""

import numpy as np

from .derive import elementwise
from .helpers import expand_reduced, landed_grad, masked, unbroadcast
from .registry import RESULT, TorchOp, defvjp, offer_in_shim


def relu(x):
    """``max(x, 0)``; its gradient is 0 at 0 (NumPy's maximum would split it)."""
    return np.maximum(x, 0)


def sigmoid(x):
    """``1 / (1 + exp(-x))`` computed as ``exp(-log(1 + exp(-x)))``, which never overflows."""
    return np.exp(-np.logaddexp(0, -x))


def take_along_dim(a, indices, dim, keepdim=False):
    """The entries of ``a`` at ``indices`` along ``dim``: the values of ``max(dim)``/``min(dim)`` (a 0-d
    ``a`` counts as one entry along dim 0)."""
    values = np.take_along_axis(np.atleast_1d(a), np.expand_dims(indices, dim), dim)
    if np.ndim(a) == 0:
        return np.reshape(values, ())
    return values if keepdim else np.squeeze(values, dim)


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """PyTorch's ``linalg.vector_norm``: the ``ord``-norm of the entries over ``dim`` (all by default)."""
    a = np.abs(x)
    if ord == np.inf:
        return np.max(a, axis=dim, keepdims=keepdim)
    if ord == -np.inf:
        return np.min(a, axis=dim, keepdims=keepdim)
    if ord == 0:
        return np.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
    return np.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1 / ord)


def clamp_tensor(x, lo, hi):
    """``clamp`` with tensor bounds (either may be None): each bound gets the gradient where it wins."""
    return np.minimum(np.maximum(x, lo), hi) if lo is not None and hi is not None else \
        np.maximum(x, lo) if lo is not None else np.minimum(x, hi)


def index_put(a, index, value):
    """``a[index] = value``, in place (the forward of PyTorch's CopySlices); returns ``a``."""
    a[index] = value
    return a


def index_accumulate(a, index, value):
    """``a[index] += value`` with a position named twice receiving both (``np.add.at``; PyTorch's
    ``index_put_(..., accumulate=True)``), in place; returns ``a``."""
    np.add.at(a, index, value)
    return a


def view_of(a, steps):
    """The view of ``a`` that ``steps`` take, each ``(function, args, kwargs)`` such as ``(operator.getitem,
    ((0,),), {})``: how a view tensor is read off its base once the base has changed in place (the forward
    of PyTorch's AsStridedBackward0)."""
    for function, args, kwargs in steps:
        a = function(a, *args, **kwargs)
    return a


def add_scaled(x, y, alpha):
    """``x + alpha * y``: ``add``/``sub`` with PyTorch's ``alpha=`` argument."""
    return x + alpha * y


def cast(a, dtype):
    """``a`` converted to ``dtype``; the gradient is converted back."""
    return a.astype(dtype)


def remainder(x, y):
    """``x - floor(x / y) * y`` (NumPy's and PyTorch's remainder), as a function of both arguments."""
    return np.remainder(x, y)


def sign(x):
    """-1, 0 or 1; its gradient is zero everywhere (PyTorch records it, NumPy's table calls it constant)."""
    return np.sign(x)


def fill(a, value):
    """An array shaped like ``a`` holding ``value`` everywhere (``zero_``, ``fill_``)."""
    return np.full_like(a, value)


@elementwise(relu, torch=TorchOp(("relu",), "ReluBackward0", RESULT, floating=False))
def _(ans, x):
    return ans > 0


@elementwise(sigmoid, torch=TorchOp(("sigmoid",), "SigmoidBackward0", RESULT))
def _(ans, x):
    return ans * (1 - ans)


@defvjp(take_along_dim)
def _(g, ans, a, indices, dim, keepdim=False):
    grad = np.zeros(np.shape(a) or (1,), dtype=np.result_type(g))
    np.put_along_axis(grad, np.expand_dims(indices, dim), expand_reduced(g, a, dim, keepdim), dim)
    return np.reshape(grad, np.shape(a))


@defvjp(vector_norm)
def _(g, ans, x, ord=2, dim=None, keepdim=False):
    return vector_norm_grad(g, ans, x, ord, dim, keepdim)


@defvjp(clamp_tensor, argnums=(0, 1, 2))
def _(g, ans, x, lo, hi):
    above = x >= lo if lo is not None else True
    below = x <= hi if hi is not None else True
    return (masked(g, above & below),
            None if lo is None else unbroadcast(masked(g, x < lo), lo),
            None if hi is None else unbroadcast(masked(g, x > hi), hi))


@defvjp(index_put, argnums=(0, 2))
def _(g, ans, a, index, value):
    kept = np.array(g, copy=True)
    kept[index] = 0
    return kept, landed_grad(g, index, value)


@defvjp(index_accumulate, argnums=(0, 2))
def _(g, ans, a, index, value):
    return g, unbroadcast(g[index], value)


@defvjp(view_of)
def _(g, ans, a, steps):
    grad = np.zeros_like(a, dtype=np.result_type(g))
    view_of(grad, steps)[...] = g
    return grad


@defvjp(add_scaled, argnums=(0, 1))
def _(g, ans, x, y, alpha):
    return unbroadcast(g, x), unbroadcast(g * alpha, y)


@defvjp(cast)
def _(g, ans, a, dtype):
    return np.asarray(g, dtype=np.result_type(a))


@defvjp(remainder, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g * np.floor_divide(x, y), y)


@defvjp(sign)
def _(g, ans, x):
    return np.zeros_like(g)


offer_in_shim(sign, TorchOp(("sign",), "SignBackward0", None, floating=False))


@defvjp(fill)
def _(g, ans, a, value):
    return np.zeros_like(g)


def vector_norm_grad(g, ans, x, ord, dim, keepdim):
    """PyTorch's ``norm_backward``: 0 where the norm is 0, ties of the inf-norm share the gradient."""
    g = expand_reduced(g, x, dim, keepdim)
    norm = expand_reduced(ans, x, dim, keepdim)
    if ord == 0:
        return np.zeros_like(x)
    if ord == 1:
        return g * np.sign(x)
    if ord in (np.inf, -np.inf):
        hits = np.abs(x) == norm
        return np.sign(x) * g * hits / np.sum(hits, axis=dim, keepdims=True)
    scale = np.where(norm == 0, 0, g / np.where(norm == 0, 1, norm ** (ord - 1)))
    return scale * np.sign(x) * np.abs(x) ** (ord - 1)


def unbind(a, axis=0):
    """The slices of ``a`` along ``axis``, as a tuple of views (PyTorch's ``unbind``)."""
    return tuple(np.moveaxis(a, axis, 0))


@defvjp(unbind)
def _(g, ans, a, axis=0):
    """One cotangent per slice (None or 0 where a slice was not used), stacked back along ``axis``."""
    zero = np.zeros_like(ans[0]) if ans else np.zeros(np.shape(a))
    return np.stack([zero if part is None or (np.ndim(part) == 0 and np.size(zero) != 1 and part == 0)
                     else part for part in g], axis=axis)
