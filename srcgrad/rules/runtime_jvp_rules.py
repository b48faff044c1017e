"""Forward rules for ``srcgrad.runtime`` (element writes, list building) and Python builtins over lists.

``call_with_vjp`` has none: forward mode calls into the user's functions through ``call_with_jvp``. The
tangent of a ``call_with_vjp`` pair is ``(output tangent, None)``, mirroring the reverse rule of
``call_output``.
"""

import builtins

from ..runtime import add_grads, assign_index, call_output, list_append
from .helpers import zeros_like_grad
from .jvp_helpers import sum_jvp
from .registry import defjvp


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
