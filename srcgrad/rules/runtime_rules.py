"""Rules for ``srcgrad.runtime`` (element writes, list building) and Python builtins over lists."""

import builtins

from ..runtime import (
    add_grads,
    assign_index,
    call_output,
    call_star,
    call_with_jvp,
    call_with_jvp_cotangents,
    call_with_vjp,
    enter_errstate,
    inexact_only,
    inexact_part,
    leave_errstate,
    list_append,
    list_delete,
    list_extend,
    list_insert,
    list_position,
    sum_grad,
    with_constants,
    zero_cotangent,
)
from .helpers import landed_grad, zeros_like_grad
from .registry import defnondiff, defvjp
from .star_calls import star_call_grads, star_call_tangent, star_call_tangent_grads


@defvjp(assign_index, argnums=(0, 2))
def _(g, ans, x, index, value):
    return assign_index(g, index, zeros_like_grad(value)), landed_grad(g, index, value)


@defvjp(list_append, argnums=(0, 1))
def _(g, ans, items, value):
    return g[:-1], g[-1]


@defvjp(list_extend, argnums=(0, 1))
def _(g, ans, items, values):
    return g[:len(items)], g[len(items):]


@defvjp(list_insert, argnums=(0, 2))
def _(g, ans, items, index, value):
    return list_delete(g, list_position(len(items), index)), g[list_position(len(items), index)]


@defvjp(list_delete)
def _(g, ans, items, index):
    return list_insert(g, list_position(len(items), index), zeros_like_grad(items[index]))


defnondiff(list_position)


@defvjp(inexact_only)
def _(g, ans, value):
    return inexact_part(g, ans)


@defvjp(inexact_part)
def _(ct, ans, g, like):
    return inexact_part(ct, like)


@defvjp(call_star, argnums=(1, 2, 3))
def _(g, ans, function, before, spread, after):
    return star_call_grads(g, function, before, spread, after)


@defvjp(star_call_tangent, argnums=(0, 3, 4, 5))
def _(g, ans, t, which, function, before, spread, after):
    return star_call_tangent_grads(g, t, which, function, before, spread, after)


@defvjp(add_grads, argnums=(0, 1))
def _(g, ans, a, b):
    return g, g


@defvjp(builtins.sum)
def _(g, ans, iterable, start=0):
    return sum_grad(g, iterable)


@defvjp(call_with_vjp, argnums="*")
def _(g, ans, fn, *args):
    return ans[1](g[0])


@defvjp(call_output)
def _(g, ans, pair):
    return (g, None)


defnondiff(zero_cotangent)
defnondiff(enter_errstate, leave_errstate)
defnondiff(with_constants)


@defvjp(call_with_jvp, argnums=(1, 2))
def _(g, ans, fn, args, tangents):
    return call_with_jvp_cotangents(g, ans, fn, args, tangents)
