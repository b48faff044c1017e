"""Helpers that derivative rules call: broadcasting, reductions, ties, scatter, contractions.

They run inside generated adjoint code and inside the Tensor shim, so each works on NumPy arrays and on
plain Python numbers, and takes the fast path when there is nothing to do.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def shape_of(value: Any) -> tuple[int, ...]:
    """``np.shape`` without its overhead for the common cases."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return shape
    if isinstance(value, numbers.Number):
        return ()
    return np.shape(value)


def unbroadcast(g: Any, like: Any) -> Any:
    """Sum the cotangent ``g`` over the axes along which ``like`` was broadcast, so that the result has
    ``like``'s shape. Reverse-mode's answer to NumPy's broadcasting, for every binary operator."""
    g_shape = shape_of(g)
    target = shape_of(like)
    if g_shape == target:
        return g
    extra = len(g_shape) - len(target)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(target) if n == 1 and shape_of(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if not target and isinstance(like, numbers.Number) and isinstance(g, np.ndarray):
        return g[()]
    return g


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(a % ndim for a in axis)
    return (axis % ndim,)


def expand_reduced(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Reshape the cotangent of a reduction so that it broadcasts against the reduced input ``like``."""
    shape = shape_of(like)
    if keepdims or not shape:
        return g
    kept = [1 if i in _normalize_axes(axis, len(shape)) else n for i, n in enumerate(shape)]
    return np.reshape(g, kept)


def repeat_reduced(g: Any, like: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The cotangent of ``np.sum(like, axis, keepdims)``: ``g`` spread back over the summed axes."""
    shape = shape_of(like)
    if not shape:
        return g
    return np.broadcast_to(expand_reduced(g, like, axis, keepdims), shape)


def reduced_count(like: Any, axis: Any = None) -> int:
    """How many elements of ``like`` each output of a reduction over ``axis`` combines."""
    shape = shape_of(like)
    count = 1
    for i in _normalize_axes(axis, len(shape)):
        count *= shape[i]
    return count


def extremum_grad(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``max``/``min`` reductions: split evenly between tied extrema, as PyTorch's
    ``amax``/``amin`` and full ``max()``/``min()`` do."""
    if not shape_of(x):
        return g
    hit = x == expand_reduced(ans, x, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=True)
    return expand_reduced(g, x, axis, keepdims) * hit / count


def prod_grad(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``np.prod``: the product of all *other* elements, exact even where ``x`` has zeros
    (``ans / x`` would divide by zero)."""
    if not shape_of(x):
        return g
    if axis is None:
        flat = np.ravel(x)
        others = _exclusive_cumprod(flat, 0) * _exclusive_cumprod(flat[::-1], 0)[::-1]
        return np.reshape(others, shape_of(x)) * g
    if isinstance(axis, (tuple, list)):
        moved = np.moveaxis(x, axis, tuple(range(-len(axis), 0)))
        merged = np.reshape(moved, moved.shape[: moved.ndim - len(axis)] + (-1,))
        others = _exclusive_cumprod(merged, -1) * np.flip(_exclusive_cumprod(np.flip(merged, -1), -1), -1)
        others = np.moveaxis(np.reshape(others, moved.shape), tuple(range(-len(axis), 0)), axis)
    else:
        others = _exclusive_cumprod(x, axis) * np.flip(_exclusive_cumprod(np.flip(x, axis), axis), axis)
    return others * expand_reduced(g, x, axis, keepdims)


def _exclusive_cumprod(x: np.ndarray, axis: int) -> np.ndarray:
    ones_shape = list(x.shape)
    ones_shape[axis] = 1
    shifted = np.concatenate([np.ones(ones_shape, dtype=x.dtype), np.take(x, range(x.shape[axis] - 1), axis)],
                             axis=axis)
    return np.cumprod(shifted, axis=axis)


def _is_basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, numbers.Integral)) for p in parts)


def getitem_grad(g: Any, x: Any, index: Any) -> Any:
    """Cotangent of ``x[index]``: ``g`` scattered into zeros shaped like ``x``; repeated integer indices
    accumulate (``np.add.at``), basic slices assign directly."""
    if isinstance(x, (list, tuple)):
        out = [0.0] * len(x)
        out[index] = g
        return type(x)(out) if isinstance(x, tuple) else out
    out = np.zeros(shape_of(x), dtype=np.result_type(x, g))
    if _is_basic_index(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def matmul_left_grad(g: Any, a: Any, b: Any) -> Any:
    """Cotangent of ``a`` in ``a @ b``, including the 1-D (vector) cases and batch broadcasting."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 2 and b_nd == 2:
        return g @ b.T
    if b_nd == 1:
        return unbroadcast(np.multiply.outer(g, b) if a_nd > 1 else g * b, a)
    if a_nd == 1:
        return unbroadcast(b @ g, a) if b_nd == 2 else unbroadcast(np.sum(b * g[..., None, :], axis=-1), a)
    return unbroadcast(g @ np.swapaxes(b, -1, -2), a)


def matmul_right_grad(g: Any, a: Any, b: Any) -> Any:
    """Cotangent of ``b`` in ``a @ b``."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 2 and b_nd == 2:
        return a.T @ g
    if a_nd == 1:
        return unbroadcast(np.multiply.outer(a, g) if b_nd > 1 else g * a, b)
    if b_nd == 1:
        return unbroadcast(np.sum(a * g[..., :, None], axis=tuple(range(a_nd - 1))) if a_nd > 2
                           else g @ a, b)
    return unbroadcast(np.swapaxes(a, -1, -2) @ g, b)


def dot_grads(g: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Cotangents of ``np.dot(a, b)``: a product of scalars, a matrix product, or an N-D contraction of
    ``a``'s last axis with ``b``'s second-to-last."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 0 or b_nd == 0:
        return unbroadcast(g * b, a), unbroadcast(g * a, b)
    if a_nd <= 2 and b_nd <= 2:
        return matmul_left_grad(g, a, b), matmul_right_grad(g, a, b)
    letters = "abcdefghijklmnopqrstuvwxyz"
    a_sub = letters[:a_nd]
    b_sub = letters[a_nd:a_nd + b_nd - 2] + a_sub[-1] + letters[a_nd + b_nd - 2]
    spec = f"{a_sub},{b_sub}->{a_sub[:-1] + b_sub[:-2] + b_sub[-1]}"
    return einsum_grad(g, spec, (a, b), 0), einsum_grad(g, spec, (a, b), 1)


def _einsum_parts(subscripts: str, operands: tuple) -> tuple[list[str], str]:
    """Explicit input and output subscripts of an einsum, with ``...`` replaced by spare letters."""
    spec = subscripts.replace(" ", "")
    inputs, _, output = spec.partition("->")
    in_subs = inputs.split(",")
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in spec]
    widest = max((np.ndim(op) - len(s.replace("...", "")) for s, op in zip(in_subs, operands) if "..." in s),
                 default=0)
    ellipsis = "".join(spare[:widest])[::-1]
    expanded = []
    for sub, op in zip(in_subs, operands):
        if "..." in sub:
            n = np.ndim(op) - len(sub.replace("...", ""))
            sub = sub.replace("...", ellipsis[len(ellipsis) - n:] if n else "")
        expanded.append(sub)
    if "->" in spec:
        output = output.replace("...", ellipsis)
    else:
        letters = "".join(expanded)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return expanded, output


def einsum_grad(g: Any, subscripts: str, operands: tuple, k: int) -> Any:
    """Cotangent of the ``k``-th operand of ``np.einsum(subscripts, *operands)``."""
    in_subs, out_sub = _einsum_parts(subscripts, operands)
    target = in_subs[k]
    if len(set(target)) != len(target):
        raise NotImplementedError(f"the gradient of einsum with a repeated index in '{target}' (a diagonal)")
    others = [s for i, s in enumerate(in_subs) if i != k]
    other_ops = [op for i, op in enumerate(operands) if i != k]
    available = set(out_sub).union(*others) if others else set(out_sub)
    present = "".join(c for c in target if c in available)
    grad = np.einsum(f"{','.join([out_sub] + others)}->{present}", g, *other_ops)
    if present != target:
        target_shape = np.shape(operands[k])
        grad = np.reshape(grad, [n if c in available else 1 for c, n in zip(target, target_shape)])
        grad = np.broadcast_to(grad, target_shape)
    return grad


def tensordot_grads(g: Any, a: Any, b: Any, axes: Any = 2) -> tuple[Any, Any]:
    """Cotangents of ``np.tensordot`` by rewriting it as the einsum it is."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if isinstance(axes, numbers.Integral):
        a_axes, b_axes = list(range(a_nd - axes, a_nd)), list(range(axes))
    else:
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, numbers.Integral) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, numbers.Integral) else list(b_axes)
    a_axes = [i % a_nd for i in a_axes]
    b_axes = [i % b_nd for i in b_axes]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    a_sub = [next(letters) for _ in range(a_nd)]
    b_sub = [next(letters) for _ in range(b_nd)]
    for i, j in zip(a_axes, b_axes):
        b_sub[j] = a_sub[i]
    out = [c for i, c in enumerate(a_sub) if i not in a_axes] + [c for j, c in enumerate(b_sub) if j not in b_axes]
    spec = f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}"
    return einsum_grad(g, spec, (a, b), 0), einsum_grad(g, spec, (a, b), 1)


def norm_grad(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Cotangent of ``np.linalg.norm`` for the 2-norm / Frobenius norm (zero at the origin, as PyTorch
    gives) and the 1-norm of vectors."""
    if ord in (None, 2, "fro") and (ord != 2 or axis is not None or np.ndim(x) == 1):
        scale = expand_reduced(g, x, axis, keepdims) / expand_reduced(ans, x, axis, keepdims)
        return np.where(expand_reduced(ans, x, axis, keepdims) == 0, 0.0, scale) * x
    if ord == 1 and (np.ndim(x) == 1 or axis is not None and not isinstance(axis, tuple)):
        return expand_reduced(g, x, axis, keepdims) * np.sign(x)
    raise NotImplementedError(f"the gradient of np.linalg.norm with ord={ord!r} on a {np.ndim(x)}-D input")


def concatenate_grads(g: Any, arrays: Any, axis: Any = 0) -> list:
    """Cotangents of the pieces of ``np.concatenate(arrays, axis)``: ``g`` split back into them."""
    if axis is None:
        sizes = np.cumsum([np.size(a) for a in arrays])[:-1]
        return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(np.ravel(g), sizes), arrays)]
    sizes = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]
    return list(np.split(g, sizes, axis=axis))


def stack_grads(g: Any, arrays: Any, axis: int = 0) -> list:
    """Cotangents of the pieces of ``np.stack(arrays, axis)``."""
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def zeros_like_grad(value: Any) -> Any:
    """A zero cotangent shaped like ``value`` (a Python float stays a float)."""
    if isinstance(value, numbers.Number):
        return 0.0
    if isinstance(value, (list, tuple)):
        return type(value)(zeros_like_grad(v) for v in value)
    return np.zeros_like(value, dtype=np.result_type(value, np.float32))
