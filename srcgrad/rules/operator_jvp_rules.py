"""Forward rules for Python's operators (``a + b``, ``a @ b``, ``x[i]`` …) on arrays and numbers.

One rule per differentiable argument of each reverse rule in ``operator_rules.py``; Python floats stay
Python floats, and ``x[index]``'s tangent is ``t[index]`` (the item's tangent for a list or tuple ``x``).
"""

import operator

from .helpers import floor_quotient, power_base_grad, power_exponent_grad
from .registry import defjvp


@defjvp(operator.add, argnum=0)
def _(t, ans, x, y):
    return t


@defjvp(operator.add, argnum=1)
def _(t, ans, x, y):
    return t


@defjvp(operator.sub, argnum=0)
def _(t, ans, x, y):
    return t


@defjvp(operator.sub, argnum=1)
def _(t, ans, x, y):
    return -t


@defjvp(operator.mul, argnum=0)
def _(t, ans, x, y):
    return t * y


@defjvp(operator.mul, argnum=1)
def _(t, ans, x, y):
    return x * t


@defjvp(operator.truediv, argnum=0)
def _(t, ans, x, y):
    return t / y


@defjvp(operator.truediv, argnum=1)
def _(t, ans, x, y):
    return -t * ans / y


@defjvp(operator.pow, argnum=0)
def _(t, ans, x, y):
    return power_base_grad(t, x, y)


@defjvp(operator.pow, argnum=1)
def _(t, ans, x, y):
    return power_exponent_grad(t, ans, x)


@defjvp(operator.neg)
def _(t, ans, x):
    return -t


@defjvp(operator.pos)
def _(t, ans, x):
    return t


@defjvp(operator.matmul, argnum=0)
def _(t, ans, a, b):
    return t @ b


@defjvp(operator.matmul, argnum=1)
def _(t, ans, a, b):
    return a @ t


@defjvp(operator.getitem)
def _(t, ans, x, index):
    return t[index]


@defjvp(operator.mod, argnum=0)
def _(t, ans, x, y):
    return t


@defjvp(operator.mod, argnum=1)
def _(t, ans, x, y):
    return -t * floor_quotient(x, y)
