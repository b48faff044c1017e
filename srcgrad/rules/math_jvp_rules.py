"""Forward rules for the ``math`` module and numeric builtins on Python floats.

One rule per differentiable argument of each reverse rule in ``math_rules.py``. Tangents of Python floats
are Python floats; where a derivative is infinite (``math.sqrt`` at 0, ``math.asin`` at ±1) the rule gives
±inf as the reverse rule does, instead of raising ``ZeroDivisionError``.
"""

import builtins
import math

from .helpers import LN2, LN10, ieee_divide, power_base_grad, power_exponent_grad, ratio_or_zero
from .registry import defjvp


@defjvp(math.sin)
def _(t, ans, x):
    return t * math.cos(x)


@defjvp(math.cos)
def _(t, ans, x):
    return -t * math.sin(x)


@defjvp(math.tan)
def _(t, ans, x):
    return t * (1.0 + ans * ans)


@defjvp(math.asin)
def _(t, ans, x):
    return ieee_divide(t, math.sqrt(1.0 - x * x))


@defjvp(math.acos)
def _(t, ans, x):
    return ieee_divide(-t, math.sqrt(1.0 - x * x))


@defjvp(math.atan)
def _(t, ans, x):
    return t / (1.0 + x * x)


@defjvp(math.atan2, argnum=0)
def _(t, ans, y, x):
    return ieee_divide(t, x * x + y * y) * x


@defjvp(math.atan2, argnum=1)
def _(t, ans, y, x):
    return -ieee_divide(t, x * x + y * y) * y


@defjvp(math.sinh)
def _(t, ans, x):
    return t * math.cosh(x)


@defjvp(math.cosh)
def _(t, ans, x):
    return t * math.sinh(x)


@defjvp(math.tanh)
def _(t, ans, x):
    return t * (1.0 - ans * ans)


@defjvp(math.asinh)
def _(t, ans, x):
    return t / math.sqrt(x * x + 1.0)


@defjvp(math.acosh)
def _(t, ans, x):
    return ieee_divide(t, math.sqrt(x * x - 1.0))


@defjvp(math.atanh)
def _(t, ans, x):
    return t / (1.0 - x * x)


@defjvp(math.degrees)
def _(t, ans, x):
    return t * (180.0 / math.pi)


@defjvp(math.radians)
def _(t, ans, x):
    return t * (math.pi / 180.0)


@defjvp(math.exp)
def _(t, ans, x):
    return t * ans


@defjvp(math.expm1)
def _(t, ans, x):
    return t * (ans + 1.0)


if hasattr(math, "exp2"):  # Python 3.11+
    @defjvp(math.exp2)
    def _(t, ans, x):
        return t * ans * LN2


if hasattr(math, "cbrt"):  # Python 3.11+
    @defjvp(math.cbrt)
    def _(t, ans, x):
        return ieee_divide(t, 3.0 * ans * ans)


@defjvp(math.log)
def _(t, ans, x, base=math.e):
    return t / (x * math.log(base))


@defjvp(math.log2)
def _(t, ans, x):
    return t / (x * LN2)


@defjvp(math.log10)
def _(t, ans, x):
    return t / (x * LN10)


@defjvp(math.log1p)
def _(t, ans, x):
    return t / (1.0 + x)


@defjvp(math.sqrt)
def _(t, ans, x):
    return ieee_divide(t * 0.5, ans)


@defjvp(math.pow, argnum=0)
def _(t, ans, x, y):
    return power_base_grad(t, x, y)


@defjvp(math.pow, argnum=1)
def _(t, ans, x, y):
    return power_exponent_grad(t, ans, x)


@defjvp(math.fabs)
def _(t, ans, x):
    return t * math.copysign(1.0, x) if x != 0 else 0.0


@defjvp(math.hypot, argnum=0)
def _(t, ans, x, y):
    return ratio_or_zero(t, ans) * x


@defjvp(math.hypot, argnum=1)
def _(t, ans, x, y):
    return ratio_or_zero(t, ans) * y


@defjvp(math.erf)
def _(t, ans, x):
    return t * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@defjvp(math.erfc)
def _(t, ans, x):
    return -t * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@defjvp(builtins.abs)
def _(t, ans, x):
    return t * (x > 0) - t * (x < 0)


@defjvp(builtins.float)
def _(t, ans, x):
    return float(t)


@defjvp(builtins.max, argnum=0)
def _(t, ans, x, y):
    return t * ((x > y) + 0.5 * (x == y))


@defjvp(builtins.max, argnum=1)
def _(t, ans, x, y):
    return t * ((y > x) + 0.5 * (x == y))


@defjvp(builtins.min, argnum=0)
def _(t, ans, x, y):
    return t * ((x < y) + 0.5 * (x == y))


@defjvp(builtins.min, argnum=1)
def _(t, ans, x, y):
    return t * ((y < x) + 0.5 * (x == y))


@defjvp(math.fmod, argnum=0)
def _(t, ans, x, y):
    return t


@defjvp(math.fmod, argnum=1)
def _(t, ans, x, y):
    return -t * math.trunc(x / y)


@defjvp(math.copysign, argnum=0)
def _(t, ans, x, y):
    return t * ratio_or_zero(ans, x)


@defjvp(math.copysign, argnum=1)
def _(t, ans, x, y):
    return 0.0 * t
