"""Rules for Python's operators (``a + b``, ``a @ b``, ``x[i]`` …) on arrays and numbers.

The transformer keeps operators as operators in the generated primal code, so that Python floats stay
floats; it looks their rules up under the ``operator`` module's functions. ``+ - * / **`` share their NumPy
counterparts' rules (``numpy_rules.py`` registers each for both); the others are here.
"""

import operator

from .helpers import floor_quotient, getitem_grad, matmul_left_grad, matmul_right_grad, unbroadcast
from .registry import defnondiff, defvjp


@defvjp(operator.neg)
def _(g, ans, x):
    return -g


@defvjp(operator.pos)
def _(g, ans, x):
    return g


@defvjp(operator.matmul, argnums=(0, 1))
def _(g, ans, a, b):
    return matmul_left_grad(g, a, b), matmul_right_grad(g, a, b)


@defvjp(operator.getitem)
def _(g, ans, x, index):
    return getitem_grad(g, x, index)


# x % y is x - (x // y) * y: away from its jumps it moves with x one for one and with y by minus the
# quotient (x // y rather than np.floor_divide, so that Python floats give Python floats; a string x, which
# % formats, is refused).
@defvjp(operator.mod, argnums=(0, 1))
def _(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g * floor_quotient(x, y), y)


defnondiff(operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne, operator.not_,
           operator.floordiv, operator.and_, operator.or_, operator.xor, operator.invert,
           operator.truth, operator.is_, operator.is_not, operator.contains)
