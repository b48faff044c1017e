"""Rules for the rule helpers that forward rules call, so that forward-mode code can itself be
differentiated again — by reverse mode (``hvp``, ``hessian``) or by forward mode (``derivative``).

Each helper is written out as the formula it computes; its rules differentiate that formula."""


from .helpers import ieee_divide, power_base_grad, ratio_or_zero, reduced_count, zeros_like_grad
from .registry import defjvp, defnondiff, defvjp

defnondiff(zeros_like_grad, reduced_count)

# power_base_grad(g, x, y) = g * y * x ** (y - 1), zero where y == 0


@defvjp(power_base_grad, argnums=(0, 1))
def _(ct, ans, g, x, y):
    return power_base_grad(ct, x, y), power_base_grad(ct * g * y, x, y - 1)


@defjvp(power_base_grad, argnum=0)
def _(t, ans, g, x, y):
    return power_base_grad(t, x, y)


@defjvp(power_base_grad, argnum=1)
def _(t, ans, g, x, y):
    return power_base_grad(g * y * t, x, y - 1)


# ieee_divide(n, d) = n / d, and ratio_or_zero(n, d) = n / d where d != 0, else 0


@defvjp(ieee_divide, argnums=(0, 1))
def _(ct, ans, n, d):
    return ieee_divide(ct, d), -ieee_divide(ct * ans, d)


@defjvp(ieee_divide, argnum=0)
def _(t, ans, n, d):
    return ieee_divide(t, d)


@defjvp(ieee_divide, argnum=1)
def _(t, ans, n, d):
    return -ieee_divide(ans * t, d)


@defvjp(ratio_or_zero, argnums=(0, 1))
def _(ct, ans, n, d):
    return ratio_or_zero(ct, d), -ratio_or_zero(ct * ans, d)


@defjvp(ratio_or_zero, argnum=0)
def _(t, ans, n, d):
    return ratio_or_zero(t, d)


@defjvp(ratio_or_zero, argnum=1)
def _(t, ans, n, d):
    return -ratio_or_zero(ans * t, d)
