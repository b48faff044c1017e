"""Rules for Python's operators (``a + b``, ``a @ b``, ``x[i]`` …) on arrays and numbers.

The transformer keeps operators as operators in the generated primal code, so that Python floats stay
floats; it looks their rules up under the ``operator`` module's functions. ``+ - * / **`` share their NumPy
counterparts' rules (``numpy_rules.py`` registers each for both); the others are here.
"""

import operator

from .helpers import getitem_grad, matmul_left_grad, matmul_right_grad
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


defnondiff(operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne, operator.not_,
           operator.floordiv, operator.mod, operator.and_, operator.or_, operator.xor, operator.invert,
           operator.truth, operator.is_, operator.is_not, operator.contains)
