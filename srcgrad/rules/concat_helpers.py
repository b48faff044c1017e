"""Runtime helper primals for NumPy's index-trick concatenators, ``np.r_[...]`` and ``np.c_[...]``, with their
rules.

``np.r_[a, b]`` is an indexing expression on an object, not a call, so the rule table has nothing to key it
on; the transformer can write it as the call ``r_concat(a, b)`` (``np.c_[...]`` as ``c_concat``), whose rules
are here. The items are arrays or numbers (the slices and directive strings the index tricks also read are
not supported), and each helper computes exactly what its index trick computes:

* ``np.r_`` makes a number (or a 0-d array) a one-element array and concatenates along the first axis;
* ``np.c_`` makes every item at least 2-D, a 1-D array a column and a number a 1 x 1 array, and concatenates
  along the last axis.

The reverse rules split the cotangent back along that axis and undo the promotions, so that every item gets a
cotangent in its own shape: a Python float for a Python number, a floating array's own dtype. The forward
rules concatenate the tangent with zeros for the other items; that helper has rules of its own, so that the
forward code can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .helpers import _is_python_scalar, array_grad, concatenate_grads, shape_of, zeros_like_grad
from .registry import ARGNUMS_VARIADIC, defjvp, defvjp


def r_concat(*items: Any) -> Any:
    """``np.r_[items]``: arrays and numbers concatenated along the first axis, a number as one element."""
    return np.r_[items]


def c_concat(*items: Any) -> Any:
    """``np.c_[items]``: arrays and numbers concatenated along the last axis, a 1-D array as a column."""
    return np.c_[items]


def _promoted_shape(item: Any, columns: bool) -> tuple[int, ...]:
    """The shape ``item`` has when ``np.r_`` (``np.c_`` when ``columns``) concatenates it."""
    shape = tuple(shape_of(item))
    if not columns:
        return shape or (1,)
    if len(shape) >= 2:
        return shape
    return (shape[0], 1) if shape else (1, 1)


def _item_cotangent(piece: Any, item: Any) -> Any:
    """A piece of the concatenation's cotangent as the cotangent of ``item``: ``array_grad``'s (in the
    item's shape, a floating array's own dtype, one per element of a list), a Python float for a Python
    number and a NumPy scalar of the item's floating dtype for a NumPy scalar."""
    if _is_python_scalar(item):
        return np.reshape(piece, ()).item()
    if isinstance(item, np.generic):
        return array_grad(piece, np.asarray(item))[()]
    return array_grad(piece, item)


def concat_grads(g: Any, items: Any, columns: bool = False) -> list:
    """Cotangents of the items of ``r_concat(*items)`` (``c_concat(*items)`` when ``columns``): ``g`` split
    as ``np.concatenate``'s is, along the axis the items were concatenated on in their promoted shapes."""
    promoted = [np.reshape(item, _promoted_shape(item, columns)) for item in items]
    pieces = concatenate_grads(g, promoted, -1 if columns else 0)
    return [_item_cotangent(piece, item) for piece, item in zip(pieces, items)]


def concat_tangent(t: Any, k: int, items: Any, columns: bool = False) -> Any:
    """The tangent of ``r_concat(*items)`` (``c_concat`` when ``columns``) contributed by the tangent ``t`` of
    item ``k``: the same concatenation of ``t`` with zeros in place of the other items (it is linear in each
    item), so it has the output's shape and floating dtype."""
    parts = tuple(t if j == k else zeros_like_grad(item) for j, item in enumerate(items))
    return c_concat(*parts) if columns else r_concat(*parts)


def concat_tangent_grads(ct: Any, t: Any, k: int, items: Any, columns: bool = False) -> tuple[Any, list]:
    """Cotangents of ``concat_tangent``'s ``t`` (its piece of ``ct``) and ``items`` (zero: only their shapes
    are read)."""
    replaced = tuple(t if j == k else item for j, item in enumerate(items))
    return concat_grads(ct, replaced, columns)[k], [zeros_like_grad(item) for item in items]


@defvjp(r_concat, argnums=ARGNUMS_VARIADIC)
def _(g, ans, *items):
    return concat_grads(g, items)


@defvjp(c_concat, argnums=ARGNUMS_VARIADIC)
def _(g, ans, *items):
    return concat_grads(g, items, True)


@defjvp(r_concat, argnum=ARGNUMS_VARIADIC)
def _(t, k, ans, *items):
    return concat_tangent(t, k, items)


@defjvp(c_concat, argnum=ARGNUMS_VARIADIC)
def _(t, k, ans, *items):
    return concat_tangent(t, k, items, True)


@defvjp(concat_tangent, argnums=(0, 2))
def _(ct, ans, t, k, items, columns=False):
    return concat_tangent_grads(ct, t, k, items, columns)


@defjvp(concat_tangent, argnum=0)
def _(tt, ans, t, k, items, columns=False):
    return concat_tangent(tt, k, items, columns)


@defjvp(concat_tangent, argnum=2)
def _(ts, ans, t, k, items, columns=False):
    return zeros_like_grad(ans)
