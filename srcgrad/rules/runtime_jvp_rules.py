"""Forward rules for ``srcgrad.runtime`` (element writes, list building) and Python builtins over lists.

``call_with_vjp`` has none: forward mode calls into the user's functions through ``call_with_jvp``. The
tangent of a ``call_with_vjp`` pair is ``(output tangent, None)``, mirroring the reverse rule of
``call_output``.
"""

import builtins

from ..runtime import (
    COMPILER,
    add_grads,
    assign_index,
    call_output,
    call_star,
    call_with_jvp,
    inexact_only,
    inexact_part,
    list_append,
    list_delete,
    list_extend,
    list_insert,
)
from .helpers import zeros_like_grad
from .jvp_helpers import sum_jvp
from .registry import defjvp
from .star_calls import star_call_tangent, star_call_tangent_tangent


@defjvp(assign_index, argnum=0)
def _(t, ans, x, index, value):
    return assign_index(t, index, zeros_like_grad(value))


@defjvp(assign_index, argnum=2)
def _(t, ans, x, index, value):
    return assign_index(zeros_like_grad(ans), index, t)


@defjvp(list_append, argnum=0)
def _(t, ans, items, value):
    return list_append(t, zeros_like_grad(value))


@defjvp(list_append, argnum=1)
def _(t, ans, items, value):
    return list_append(zeros_like_grad(items), t)


@defjvp(list_extend, argnum=0)
def _(t, ans, items, values):
    return list_extend(t, zeros_like_grad(values))


@defjvp(list_extend, argnum=1)
def _(t, ans, items, values):
    return list_extend(zeros_like_grad(items), t)


@defjvp(list_insert, argnum=0)
def _(t, ans, items, index, value):
    return list_insert(t, index, zeros_like_grad(value))


@defjvp(list_insert, argnum=2)
def _(t, ans, items, index, value):
    return list_insert(zeros_like_grad(items), index, t)


@defjvp(list_delete, argnum=0)
def _(t, ans, items, index):
    return list_delete(t, index)


@defjvp(inexact_only)
def _(t, ans, value):
    return inexact_part(t, ans)


@defjvp(inexact_part)
def _(tt, ans, g, like):
    return inexact_part(tt, like)


@defjvp(call_star, argnum=1)
def _(t, ans, function, before, spread, after):
    return star_call_tangent(t, 0, function, before, spread, after)


@defjvp(call_star, argnum=2)
def _(t, ans, function, before, spread, after):
    return star_call_tangent(t, 1, function, before, spread, after)


@defjvp(call_star, argnum=3)
def _(t, ans, function, before, spread, after):
    return star_call_tangent(t, 2, function, before, spread, after)


@defjvp(star_call_tangent, argnum=0)
def _(tt, ans, t, which, function, before, spread, after):
    return star_call_tangent(tt, which, function, before, spread, after)


@defjvp(star_call_tangent, argnum=3)
def _(tt, ans, t, which, function, before, spread, after):
    return star_call_tangent_tangent(tt, 0, t, which, function, before, spread, after)


@defjvp(star_call_tangent, argnum=4)
def _(tt, ans, t, which, function, before, spread, after):
    return star_call_tangent_tangent(tt, 1, t, which, function, before, spread, after)


@defjvp(star_call_tangent, argnum=5)
def _(tt, ans, t, which, function, before, spread, after):
    return star_call_tangent_tangent(tt, 2, t, which, function, before, spread, after)


@defjvp(add_grads, argnum=0)
def _(t, ans, a, b):
    return t


@defjvp(add_grads, argnum=1)
def _(t, ans, a, b):
    return t


@defjvp(builtins.sum)
def _(t, ans, iterable, start=0):
    return sum_jvp(t)


@defjvp(call_output)
def _(t, ans, pair):
    return t[0]


# Forward mode over forward-mode code that calls a user function (derivatives of order 3 and more): the
# tangent of the (out, out_tangent) pair, by forward mode over the callee's forward code.


def call_with_jvp_tangent(fn, args, tangents, arg_tangents, tangent_tangents):
    return COMPILER.jvp_call_tangent(fn, args, tangents, arg_tangents, tangent_tangents)


@defjvp(call_with_jvp, argnum=1)
def _(t, ans, fn, args, tangents):
    return call_with_jvp_tangent(fn, args, tangents, t, None)


@defjvp(call_with_jvp, argnum=2)
def _(t, ans, fn, args, tangents):
    return call_with_jvp_tangent(fn, args, tangents, None, t)
