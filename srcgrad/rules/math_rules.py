"""Rules for the ``math`` module and numeric builtins on Python floats."""

import builtins
import math

from .registry import defnondiff, defvjp


@defvjp(math.sin)
def _(g, ans, x):
    return g * math.cos(x)


@defvjp(math.cos)
def _(g, ans, x):
    return -g * math.sin(x)


@defvjp(math.tan)
def _(g, ans, x):
    return g * (1.0 + ans * ans)


@defvjp(math.asin)
def _(g, ans, x):
    return g / math.sqrt(1.0 - x * x)


@defvjp(math.acos)
def _(g, ans, x):
    return -g / math.sqrt(1.0 - x * x)


@defvjp(math.atan)
def _(g, ans, x):
    return g / (1.0 + x * x)


@defvjp(math.atan2, argnums=(0, 1))
def _(g, ans, y, x):
    return g * x / (x * x + y * y), -g * y / (x * x + y * y)


@defvjp(math.sinh)
def _(g, ans, x):
    return g * math.cosh(x)


@defvjp(math.cosh)
def _(g, ans, x):
    return g * math.sinh(x)


@defvjp(math.tanh)
def _(g, ans, x):
    return g * (1.0 - ans * ans)


@defvjp(math.exp)
def _(g, ans, x):
    return g * ans


@defvjp(math.expm1)
def _(g, ans, x):
    return g * (ans + 1.0)


@defvjp(math.log)
def _(g, ans, x, base=math.e):
    return g / (x * math.log(base))


@defvjp(math.log2)
def _(g, ans, x):
    return g / (x * math.log(2.0))


@defvjp(math.log10)
def _(g, ans, x):
    return g / (x * math.log(10.0))


@defvjp(math.log1p)
def _(g, ans, x):
    return g / (1.0 + x)


@defvjp(math.sqrt)
def _(g, ans, x):
    return g * 0.5 / ans


@defvjp(math.pow, argnums=(0, 1))
def _(g, ans, x, y):
    return g * y * math.pow(x, y - 1.0), g * ans * math.log(x) if x > 0 else 0.0


@defvjp(math.fabs)
def _(g, ans, x):
    return g * math.copysign(1.0, x) if x != 0 else 0.0


@defvjp(math.hypot, argnums=(0, 1))
def _(g, ans, x, y):
    return g * x / ans, g * y / ans


@defvjp(math.erf)
def _(g, ans, x):
    return g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@defvjp(math.erfc)
def _(g, ans, x):
    return -g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@defvjp(builtins.abs)
def _(g, ans, x):
    return g * (x > 0) - g * (x < 0)


@defvjp(builtins.float)
def _(g, ans, x):
    return g


@defvjp(builtins.max, argnums=(0, 1))
def _(g, ans, x, y):
    return g * (x >= y), g * (y > x)


@defvjp(builtins.min, argnums=(0, 1))
def _(g, ans, x, y):
    return g * (x <= y), g * (y < x)


defnondiff(builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
           builtins.str, builtins.type, math.floor, math.ceil, math.trunc, math.isnan,
           math.isinf, math.isfinite, math.copysign)
