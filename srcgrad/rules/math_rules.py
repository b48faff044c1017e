"""Rules for the ``math`` module and numeric builtins on Python floats.

Partials of Python floats are Python floats. Where a derivative is infinite (``math.sqrt`` at 0,
``math.asin`` at ±1) the rule gives ±inf as NumPy would, instead of raising ``ZeroDivisionError``.
"""

import builtins
import math

from .helpers import LN2, LN10, ieee_divide, power_base_grad, power_exponent_grad, ratio_or_zero
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
    return ieee_divide(g, math.sqrt(1.0 - x * x))


@defvjp(math.acos)
def _(g, ans, x):
    return ieee_divide(-g, math.sqrt(1.0 - x * x))


@defvjp(math.atan)
def _(g, ans, x):
    return g / (1.0 + x * x)


@defvjp(math.atan2, argnums=(0, 1))
def _(g, ans, y, x):
    scale = ieee_divide(g, x * x + y * y)
    return scale * x, -scale * y


@defvjp(math.sinh)
def _(g, ans, x):
    return g * math.cosh(x)


@defvjp(math.cosh)
def _(g, ans, x):
    return g * math.sinh(x)


@defvjp(math.tanh)
def _(g, ans, x):
    return g * (1.0 - ans * ans)


@defvjp(math.asinh)
def _(g, ans, x):
    return g / math.sqrt(x * x + 1.0)


@defvjp(math.acosh)
def _(g, ans, x):
    return ieee_divide(g, math.sqrt(x * x - 1.0))


@defvjp(math.atanh)
def _(g, ans, x):
    return g / (1.0 - x * x)


@defvjp(math.degrees)
def _(g, ans, x):
    return g * (180.0 / math.pi)


@defvjp(math.radians)
def _(g, ans, x):
    return g * (math.pi / 180.0)


@defvjp(math.exp)
def _(g, ans, x):
    return g * ans


@defvjp(math.expm1)
def _(g, ans, x):
    return g * (ans + 1.0)


if hasattr(math, "exp2"):  # Python 3.11+
    @defvjp(math.exp2)
    def _(g, ans, x):
        return g * ans * LN2


if hasattr(math, "cbrt"):  # Python 3.11+
    @defvjp(math.cbrt)
    def _(g, ans, x):
        return ieee_divide(g, 3.0 * ans * ans)


@defvjp(math.log)
def _(g, ans, x, base=math.e):
    return g / (x * math.log(base))


@defvjp(math.log2)
def _(g, ans, x):
    return g / (x * LN2)


@defvjp(math.log10)
def _(g, ans, x):
    return g / (x * LN10)


@defvjp(math.log1p)
def _(g, ans, x):
    return g / (1.0 + x)


@defvjp(math.sqrt)
def _(g, ans, x):
    return ieee_divide(g * 0.5, ans)


@defvjp(math.pow, argnums=(0, 1))
def _(g, ans, x, y):
    return power_base_grad(g, x, y), power_exponent_grad(g, ans, x)


@defvjp(math.fabs)
def _(g, ans, x):
    return g * math.copysign(1.0, x) if x != 0 else 0.0


@defvjp(math.hypot, argnums=(0, 1))
def _(g, ans, x, y):
    scale = ratio_or_zero(g, ans)
    return scale * x, scale * y


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
    return g * ((x > y) + 0.5 * (x == y)), g * ((y > x) + 0.5 * (x == y))


@defvjp(builtins.min, argnums=(0, 1))
def _(g, ans, x, y):
    return g * ((x < y) + 0.5 * (x == y)), g * ((y < x) + 0.5 * (x == y))


# fmod(x, y) is x - trunc(x / y) * y: away from its jumps it moves with x one for one and with y by minus
# the quotient.
@defvjp(math.fmod, argnums=(0, 1))
def _(g, ans, x, y):
    return g, -g * math.trunc(x / y)


# copysign(x, y) is |x| with the sign of y: slope +1 in x where x already has y's sign, -1 where not, which is
# ans / x exactly (0 at x == 0, the kink, as for math.fabs); the sign of y is piecewise constant.
@defvjp(math.copysign, argnums=(0, 1))
def _(g, ans, x, y):
    return g * ratio_or_zero(ans, x), 0.0 * g


defnondiff(builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
           builtins.str, builtins.type, math.floor, math.ceil, math.trunc, math.isnan,
           math.isinf, math.isfinite)
