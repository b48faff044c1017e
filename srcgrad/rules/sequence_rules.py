"""``+`` and ``*`` where an operand may be a Python list or tuple.

On arrays and numbers ``a + b`` adds and ``a * b`` multiplies; on lists and tuples they concatenate and
repeat. Which one a ``+`` in the user's code does is known only at run time when an operand is not proven
to be a number or an array, so the transformer gives such an operator the primals ``plus`` and ``times``
(``a + b`` and ``a * b`` exactly) whose rules look at the values: a concatenation's cotangent is split at
the first operand's length, a repetition's is summed over the copies, and an arithmetic one is the
ordinary rule. The operators proven numeric keep the fast operator rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..runtime import add_grads, plus, times, zero_cotangent, zip_lists
from .helpers import unbroadcast
from .registry import ARGNUMS_VARIADIC, defjvp, defsequence, defvjp, note_dispatch


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _as_items(g: Any, like: Any) -> list:
    """A sequence cotangent as a list, with a zero number standing for zeros shaped like ``like``."""
    if _is_sequence(g):
        return list(g)
    return list(zero_cotangent(like))


def plus_grad(g: Any, a: Any, b: Any, which: int) -> Any:
    """The cotangent of operand ``which`` of ``a + b``."""
    operand = a if which == 0 else b
    if _is_sequence(a) or _is_sequence(b):
        items = _as_items(g, [*a, *b])
        part = items[:len(a)] if which == 0 else items[len(a):]
        return type(operand)(part)
    return unbroadcast(g, operand)


def times_grad(g: Any, a: Any, b: Any, which: int) -> Any:
    """The cotangent of operand ``which`` of ``a * b``: for a repetition, the sum over the copies."""
    operand, other = (a, b) if which == 0 else (b, a)
    if _is_sequence(operand):
        items = _as_items(g, operand * other)
        n = len(operand)
        total: Any = list(zero_cotangent(list(operand)))
        for start in range(0, len(items), n or 1):
            total = add_grads(total, items[start:start + n])
        return type(operand)(total)
    if _is_sequence(other):
        return zero_cotangent(operand)  # the repeat count
    return unbroadcast(g * other, operand)


def plus_tangent(t: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``a + b`` from the tangent ``t`` of operand ``which`` alone (the transpose of
    ``plus_grad``): padded with zeros for a concatenation, broadcast to the sum's shape for arithmetic."""
    if _is_sequence(a) or _is_sequence(b):
        return type(a)([*t, *zero_cotangent(b)]) if which == 0 else type(b)([*zero_cotangent(a), *t])
    return t + zero_cotangent(b) if which == 0 else zero_cotangent(a) + t


def times_tangent(t: Any, a: Any, b: Any, which: int) -> Any:
    """The tangent of ``a * b`` from the tangent ``t`` of operand ``which`` alone."""
    operand, other = (a, b) if which == 0 else (b, a)
    if _is_sequence(operand):
        return type(operand)(list(t) * other)
    if _is_sequence(other):
        return zero_cotangent(other * operand)
    return t * other


@defvjp(plus, argnums=(0, 1))
def _(g, ans, a, b):
    return plus_grad(g, a, b, 0), plus_grad(g, a, b, 1)


@defvjp(times, argnums=(0, 1))
def _(g, ans, a, b):
    return times_grad(g, a, b, 0), times_grad(g, a, b, 1)


# Forward rules in terms of ``plus`` and ``times`` themselves: ``t + 0`` and ``t * b`` concatenate or repeat
# tangents exactly as the primal concatenates or repeats values, and stay differentiable to any order.
@defjvp(plus, argnum=0)
def _(t, ans, a, b):
    return plus(t, zero_cotangent(b))


@defjvp(plus, argnum=1)
def _(t, ans, a, b):
    return plus(zero_cotangent(a), t)


@defjvp(times, argnum=0)
def _(t, ans, a, b):
    return times(t, b)


@defjvp(times, argnum=1)
def _(t, ans, a, b):
    return times(a, t)


# Rules for the helpers themselves, so that code using them can be differentiated again (Hessians go
# reverse over forward, ``jvp`` of a gradient forward over reverse). Each helper is linear in its first
# argument; ``times`` is bilinear, so its helpers also depend on the other operand's value.

@defvjp(plus_tangent, argnums=(0, 1, 2))
def _(g, ans, tangent, a, b, which):
    return plus_grad(g, a, b, which), zero_cotangent(a), zero_cotangent(b)


@defvjp(plus_grad, argnums=(0, 1, 2))
def _(g, ans, cotangent, a, b, which):
    return plus_tangent(g, a, b, which), zero_cotangent(a), zero_cotangent(b)


@defvjp(times_tangent, argnums=(0, 1, 2))
def _(g, ans, tangent, a, b, which):
    return times_grad(g, a, b, which), times_partner_tangent(g, tangent, a, b, which, 0, a), \
        times_partner_tangent(g, tangent, a, b, which, 1, b)


@defvjp(times_grad, argnums=(0, 1, 2))
def _(g, ans, cotangent, a, b, which):
    return times_tangent(g, a, b, which), times_partner_tangent(cotangent, g, a, b, which, 0, a), \
        times_partner_tangent(cotangent, g, a, b, which, 1, b)


@defjvp(plus_tangent, argnum=0)
def _(t, ans, tangent, a, b, which):
    return plus_tangent(t, a, b, which)


@defjvp(plus_grad, argnum=0)
def _(t, ans, cotangent, a, b, which):
    return plus_grad(t, a, b, which)


@defjvp(times_tangent, argnum=0)
def _(t, ans, tangent, a, b, which):
    return times_tangent(t, a, b, which)


@defjvp(times_grad, argnum=0)
def _(t, ans, cotangent, a, b, which):
    return times_grad(t, a, b, which)


@defjvp(times_tangent, argnum=1)
def _(t, ans, tangent, a, b, which):
    return times_partner_tangent(t, tangent, a, b, which, 0, None)


@defjvp(times_tangent, argnum=2)
def _(t, ans, tangent, a, b, which):
    return times_partner_tangent(t, tangent, a, b, which, 1, None)


@defjvp(times_grad, argnum=1)
def _(t, ans, cotangent, a, b, which):
    return times_partner_tangent(t, cotangent, a, b, which, 0, ans)


@defjvp(times_grad, argnum=2)
def _(t, ans, cotangent, a, b, which):
    return times_partner_tangent(t, cotangent, a, b, which, 1, ans)


def times_partner_tangent(t: Any, first: Any, a: Any, b: Any, which: int, position: int, reduce_to: Any) -> Any:
    """``first * t`` (reduced to ``reduce_to``'s shape when given) where operand ``position`` of ``a * b`` is
    the multiplier of operand ``which``, else zero: the term of ``times_tangent``/``times_grad`` that comes
    through the multiplier — their tangent from its tangent ``t``, or its cotangent (``reduce_to`` the
    operand itself). A repetition depends on no operand's value."""
    if position == which or _is_sequence(a) or _is_sequence(b):
        return zero_cotangent(first if reduce_to is None else reduce_to)
    product = first * t
    return product if reduce_to is None else unbroadcast(product, reduce_to)


@defjvp(plus_tangent, argnum=1)
@defjvp(plus_tangent, argnum=2)
def _(t, ans, tangent, a, b, which):
    return zero_cotangent(ans)


@defjvp(plus_grad, argnum=1)
@defjvp(plus_grad, argnum=2)
def _(t, ans, cotangent, a, b, which):
    return zero_cotangent(ans)


@defvjp(times_partner_tangent, argnums=(0, 1, 2, 3))
def _(g, ans, tangent, partner, a, b, which, position, reduce_to):
    return times_partner_tangent(g, partner, a, b, which, position, tangent), \
        times_partner_tangent(g, tangent, a, b, which, position, partner), zero_cotangent(a), zero_cotangent(b)


note_dispatch("the concatenation and repetition branches build Python lists; the arithmetic branch is the "
              "operator's own rule", plus, times, plus_grad, plus_tangent, times_grad, times_tangent,
              times_partner_tangent)


@defjvp(times_partner_tangent, argnum=0)
def _(t, ans, tangent, partner, a, b, which, position, reduce_to):
    return times_partner_tangent(t, partner, a, b, which, position, reduce_to)


@defjvp(times_partner_tangent, argnum=1)
def _(t, ans, tangent, partner, a, b, which, position, reduce_to):
    return times_partner_tangent(tangent, t, a, b, which, position, reduce_to)


@defjvp(times_partner_tangent, argnum=2)
@defjvp(times_partner_tangent, argnum=3)
def _(t, ans, tangent, partner, a, b, which, position, reduce_to):
    return zero_cotangent(ans)


# zip_lists(*sequences): item j of sequence k lands in tuple j at place k. Its cotangent for sequence k is
# place k of each tuple's cotangent, in the sequence's own container, zero past the shortest sequence.
defsequence(zip_lists)


def unzip_grad(g: Any, k: int, sequences: tuple) -> Any:
    """The cotangent of sequence ``k`` of ``zip_lists(*sequences)`` from the output's cotangent ``g``."""
    rows = list(g) if _is_sequence(g) or isinstance(g, np.ndarray) else []  # zero: no rows
    items = [rows[j][k] if j < len(rows) and (_is_sequence(rows[j]) or isinstance(rows[j], np.ndarray))
             else zero_cotangent(item) for j, item in enumerate(sequences[k])]
    return in_container_of(items, sequences[k])  # an array's rows go back as an array


@defvjp(zip_lists, argnums=ARGNUMS_VARIADIC)
def _(g, ans, *sequences):
    return [unzip_grad(g, k, sequences) for k in range(len(sequences))]


@defjvp(zip_lists, argnum=ARGNUMS_VARIADIC)
def _(t, k, ans, *sequences):
    return zip_lists(*[t if j == k else zero_cotangent(s) for j, s in enumerate(sequences)])


# list(items) and tuple(items): the same values in another container. The cotangent goes back in the
# argument's container (a list, a tuple, or the rows of an array); the tangent is the tangent's items in the
# result's container.
defsequence(list, tuple)



def in_container_of(g: Any, like: Any) -> Any:
    """``g``'s items in ``like``'s container: a list, a tuple, or stacked as an array's rows; a zero ``g``
    stays a zero."""
    if not (_is_sequence(g) or isinstance(g, np.ndarray)):
        return zero_cotangent(like)
    if not isinstance(like, (list, tuple)):  # an array (NumPy's or another library's): its rows
        return np.stack([zero_cotangent(like[0]) if item is None else item for item in g]) if len(g) \
            else zero_cotangent(like)
    return tuple(g) if isinstance(like, tuple) else list(g)


@defvjp(list)
def _(g, ans, iterable):
    return in_container_of(g, iterable)


@defvjp(tuple)
def _(g, ans, iterable):
    return in_container_of(g, iterable)


@defjvp(list)
def _(t, ans, iterable):
    return in_container_of(t, ans)


@defjvp(tuple)
def _(t, ans, iterable):
    return in_container_of(t, ans)


defsequence(in_container_of)  # a list, a tuple or an array: a sequence as far as + and * go


@defvjp(in_container_of)
def _(ct, ans, g, like):
    return in_container_of(ct, g)


@defjvp(in_container_of)
def _(t, ans, g, like):
    return in_container_of(t, like)
