"""Adversarial cases: functions srcgrad may have no rule for, or once treated as constants — remainders,
index tricks (``np.r_``), array constructors fed with inputs, ``eval``/``exec``, sorting, interpolation,
polynomial and signal helpers, Python-level reductions (``math.fsum``, ``statistics``), conversions to Python
numbers, piecewise functions away from their kinks, powers at zero."""

import functools
import math
import operator
import statistics

import numpy as np
from soundness_check import registry

case, add = registry("ruleless")

X = np.array([0.3, -0.7, 1.2])
XM = np.array([0.3, -0.5, 1.2])          # away from the kinks of the remainders below
X4 = np.array([0.3, -0.7, 1.2, 0.5])
XZ = np.array([0.0, -0.7, 1.2])          # a zero entry: derivatives of powers at 0
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])
SQ = np.array([[0.3, -0.7], [0.5, 0.9]])
GRID = np.array([0.0, 0.4, 1.0])
WEIGHTS = np.array([1.0, -2.0, 0.5])

sin_each = np.vectorize(math.sin)

try:
    import scipy.special as special
except ImportError:  # the cases that need SciPy are left out where it is not installed
    special = None


@case(args=(XM,))
def percent_operator(x):
    return np.sum((x % 0.7) ** 2 * x)


@case(args=(XM,))
def remainder_function(x):
    return np.sum(np.remainder(x * x, 0.9) * x)


@case(args=(XM,))
def mod_function(x):
    return np.sum(np.mod(np.exp(x), 0.8))


@case(args=(XM,))
def fmod_function(x):
    return np.sum(np.fmod(x, 0.8) * np.cos(x))


@case(args=(XM,))
def math_fmod(x):
    return math.fmod(x[0], 0.2) * x[2] + math.fmod(x[2] * 3.0, 1.0)


@case(args=(XM,))
def scalar_mod_of_element(x):
    return (x[2] % 0.5) * x[0]


@case(args=(X,), smooth=True)
def r_concatenation(x):
    v = np.r_[x, 2.0 * x]
    return np.sum(v * np.arange(6.0) * v)


@case(args=(X,), smooth=True)
def c_column_stack(x):
    m = np.c_[x, np.sin(x)]
    return np.sum(m * np.array([1.0, 3.0]) * m)


@case(args=(X,), smooth=True)
def linspace_from_elements(x):
    v = np.linspace(x[0], x[1], 5)
    return np.sum(v * v * x[2])


@case(args=(X,), smooth=True)
def full_from_element(x):
    v = np.full(3, x[0])
    return np.sum(v * x)


@case(args=(X,), smooth=True)
def full_like_from_element(x):
    v = np.full_like(x, x[1])
    return np.sum(v * v * x)


@case(args=(X,))
def math_copysign(x):
    return math.copysign(x[0], -1.0) * x[2] + math.copysign(2.0, x[1]) * x[0]


@case(args=(X,), smooth=True)
def meshgrid_inputs(x):
    a, b = np.meshgrid(x, x * x)
    return np.sum(a * b * np.arange(9.0).reshape(3, 3))


@case(args=(M,), smooth=True)
def einsum_sublist_form(m):
    t = np.einsum(m, [0, 1], [1, 0])
    return np.sum(t * t * np.arange(6.0).reshape(3, 2))


@case(args=(M,), smooth=True)
def einsum_string_trace_like(m):
    return np.einsum("ij,ij->", m, np.sin(m))


@case(args=(X,), smooth=True)
def eval_expression(x):
    return np.sum(eval("x * x"))


@case(args=(X,), smooth=True)
def exec_statement(x):
    scope = {"x": x, "np": np}
    exec("y = np.sum(x ** 3)", scope)
    return scope["y"]


@case(args=(X,), smooth=True)
def globals_lookup(x):
    return np.sum(globals()["WEIGHTS"] * x * x)


@case(args=(X,))
def builtin_sorted(x):
    s = sorted(x * np.array([1.0, 2.0, -0.5]))
    return s[0] * 3.0 + s[2] * s[1]


@case(args=(X,))
def np_sort(x):
    return np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0]))


@case(args=(M,))
def np_sort_along_axis(m):
    return np.sum(np.sort(m, axis=0) * np.arange(6.0).reshape(2, 3))


@case(args=(X4,))
def np_unique(x):
    return np.sum(np.unique(x * x) * np.arange(4.0))


@case(args=(X,), smooth=True)
def interp_wrt_values(x):
    return np.interp(0.5, GRID, x) + np.interp(0.7, GRID, x * x)


@case(args=(X,))
def interp_wrt_point(x):
    return np.interp(x[0], GRID, WEIGHTS) * x[2]


@case(args=(X,), smooth=True)
def polyval_coefficients(x):
    return np.polyval(x, 0.7) * np.polyval(x, x[2])


@case(args=(X,), smooth=True)
def convolve_full(x):
    return np.sum(np.convolve(x, x * x) * np.arange(5.0))


@case(args=(X,), smooth=True)
def correlate_valid(x):
    return np.sum(np.correlate(x, np.array([1.0, 2.0])) ** 2)


@case(args=(X,), smooth=True)
def trapezoid_rule(x):
    return np.trapezoid(x * x, dx=0.5) + np.trapezoid(x, x=np.array([0.0, 0.3, 1.0]))


@case(args=(X,), smooth=True)
def cumprod_of_input(x):
    return np.sum(np.cumprod(x + 2.0) * np.array([1.0, -1.0, 0.5]))


@case(args=(X,), smooth=True)
def diff_twice(x):
    return np.sum(np.diff(x * x * x, n=2) * x[0]) + np.sum(np.diff(x) ** 2)


@case(args=(X4,), smooth=True)
def gradient_function(x):
    return np.sum(np.gradient(x * x) * np.arange(4.0))


@case(args=(X,), smooth=True)
def roll_by_one(x):
    return np.sum(np.roll(x, 1) * x * np.arange(1.0, 4.0))


@case(args=(X,), smooth=True)
def tile_twice(x):
    return np.sum(np.tile(x, 2) * np.arange(6.0) * np.tile(x, 2))


@case(args=(X,), smooth=True)
def repeat_each(x):
    return np.sum(np.repeat(x, [1, 2, 3]) ** 2 * np.arange(6.0))


@case(args=(SQ,), smooth=True)
def kron_with_itself(m):
    return np.sum(np.kron(m, m) * np.arange(16.0).reshape(4, 4))


@case(args=(X,), smooth=True)
def cross_product(x):
    return np.sum(np.cross(x, x * x + 1.0) ** 2)


@case(args=(X,), smooth=True)
def vectorized_math_sin(x):
    return np.sum(sin_each(x) * x)


@case(args=(X,), smooth=True)
def reduce_multiply(x):
    return functools.reduce(operator.mul, x + 2.0)


@case(args=(X,), smooth=True)
def map_math_sin(x):
    return sum(map(math.sin, x)) * x[0]


@case(args=(X,), smooth=True)
def math_fsum(x):
    return math.fsum(x * x) * 2.0 + x[1]


@case(args=(X,), smooth=True)
def statistics_mean(x):
    return statistics.mean(x * x) + statistics.mean([x[0], x[2]])


@case(args=(X,))
def nanmax_reduction(x):
    return np.nanmax(x * np.array([1.0, np.nan, 0.5])) * x[1]


@case(args=(X,), smooth=True)
def nansum_reduction(x):
    return np.nansum(x * x * np.array([1.0, np.nan, 2.0]))


@case(args=(X4,))
def median_even(x):
    return np.median(x * x) * x[0]


@case(args=(X4,))
def percentile_interpolated(x):
    return np.percentile(x, 30.0) + np.percentile(x * x, 75.0)


@case(args=(X,))
def quantile_method_nearest(x):
    return np.quantile(x * 2.0, 0.5, method="nearest") * x[2]


@case(args=(X,), smooth=True)
def frompyfunc_logistic(x):
    logistic = np.frompyfunc(lambda v: 1.0 / (1.0 + math.exp(-v)), 1, 1)
    return float(np.sum(logistic(x).astype(np.float64) * x))


@case(args=(X,), smooth=True)
def float_of_element(x):
    return float(x[0]) * x[1] + float(np.sum(x * x))


@case(args=(X,), smooth=True)
def item_method(x):
    return x.item(2) * x[0] + (x[1] * x[1]).item()


@case(args=(X,), smooth=True)
def tolist_arithmetic(x):
    l = (x * x).tolist()
    return l[0] * l[2] + l[1] * x[0]


@case(args=(X,), smooth=True)
def numpy_float64_constructor(x):
    return np.float64(x[0]) * np.float64(x[1] * x[2]) + np.float32(1.0)


@case(args=(X,))
def int_of_element(x):
    return int(x[2]) * x[0] + int(x[1] * 3.0) * x[2]


@case(args=(X,))
def round_builtin(x):
    return round(x[2], 1) * x[0] + round(float(x[1])) * x[2]


@case(args=(X,))
def floor_and_ceil(x):
    return np.sum(np.floor(x * 3.0) * x) + np.sum(np.ceil(x) * x * x)


@case(args=(X,))
def sign_times_value(x):
    return np.sum(np.sign(x) * x * x)


@case(args=(XZ,), smooth=True)
def power_zero_exponent(x):
    return np.sum(np.power(x, 0.0) * 2.0) + np.sum(x * x)


@case(args=(XZ,), smooth=True)
def power_operator_int_zero(x):
    return np.sum(x ** 0) + np.sum(x ** 2) * 0.5


@case(args=(XZ,), smooth=True)
def power_one_at_zero(x):
    return np.sum(x ** 1.0 * np.array([1.0, 2.0, 3.0])) + np.sum(np.power(x, 2.0))


@case(args=(XZ,), smooth=True)
def power_three_at_zero(x):
    return np.sum(x ** 3 + np.power(x, 4))


@case(args=(X,))
def abs_away_from_zero(x):
    return np.sum(np.abs(x) * x)


@case(args=(X,))
def maximum_away_from_ties(x):
    return np.sum(np.maximum(x, 0.1) * np.minimum(x, 1.0))


@case(args=(X,))
def max_reduction_unique(x):
    return np.max(x * x) + np.min(x) * x[0] + np.ptp(x)


@case(args=(X,))
def argmax_as_index(x):
    return x[np.argmax(x)] * x[np.argmin(x)]


@case(args=(X,))
def where_branches(x):
    return np.sum(np.where(x > 0, np.sin(x), x ** 3))


@case(args=(X,))
def clip_function(x):
    return np.sum(np.clip(x * 2.0, -1.0, 2.0) * x)


@case(args=(X,), smooth=True)
def hypot_and_arctan2(x):
    return np.sum(np.hypot(x, 0.5) + np.arctan2(x, 2.0)) * x[0]


@case(args=(X,), smooth=True)
def math_module_on_elements(x):
    return math.hypot(x[0], x[1]) * math.atan2(x[2], x[0]) + math.erf(x[1])


@case(args=(X,), smooth=True)
def logaddexp_and_sinc(x):
    return np.sum(np.logaddexp(x, 2.0 * x) + np.sinc(x))


@case(args=(X,), smooth=True)
def expm1_log1p_cbrt(x):
    return np.sum(np.expm1(x) * np.log1p(x * x) + np.cbrt(x + 2.0))


@case(args=(X,), smooth=True)
def float_power_function(x):
    return np.sum(np.float_power(x + 2.0, 1.5))


@case(args=(X,), smooth=True)
def i0_bessel(x):
    return np.sum(np.i0(x) * x)


@case(args=(SQ,), smooth=True)
def determinant(m):
    return np.linalg.det(m * m + np.eye(2))


@case(args=(SQ,), smooth=True)
def solve_and_inverse(m):
    a = m + 2.0 * np.eye(2)
    return np.sum(np.linalg.solve(a, np.array([1.0, 2.0]))) + np.trace(np.linalg.inv(a))


@case(args=(SQ,))
def eigvalsh_symmetric(m):
    return np.sum(np.linalg.eigvalsh(m + m.T) * np.array([1.0, 2.0]))


@case(args=(X,))
def vector_norm_orders(x):
    return np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf) * x[0]


@case(args=(X,))
def nextafter_and_spacing(x):
    return np.sum(np.nextafter(x, 2.0) * x)


@case(args=(X,), smooth=True)
def ldexp_scaling(x):
    return np.sum(np.ldexp(x, 2) * x)


@case(args=(X,), smooth=True)
def fft_magnitude(x):
    return np.sum(np.abs(np.fft.fft(x)) ** 2)


@case(args=(X,), smooth=True)
def prod_nonzero(x):
    return np.prod(x + 2.0) * np.prod(x[:2])


if special is not None:

    @case(args=(X,), smooth=True)
    def scipy_expit(x):
        return np.sum(special.expit(x) * x)

    @case(args=(X,), smooth=True)
    def scipy_gammaln(x):
        return np.sum(special.gammaln(x + 2.0) * x)


# Integer and boolean results: piecewise constant, so no derivative flows through them (the cast is what
# the rules of the float computation underneath would miss).
XC = np.array([0.6, -1.3, 2.2])  # x * 2.5 and x * 3 away from integers


@case(args=(XC,))
def full_with_integer_dtype(x):
    return np.sum(np.full(3, x[0] * 2.5, dtype=int) * x)


@case(args=(XC,))
def astype_int(x):
    return np.sum((x * 3).astype(int) * x)


@case(args=(XC,))
def astype_numpy_integer(x):
    return np.sum((x * 3).astype(np.int32) * x) + np.sum((x > 0).astype(np.float64) * x)


@case(args=(XC,))
def array_with_positional_integer_dtype(x):
    return np.sum(np.array(x * 2.5, np.int16) * x)


@case(args=(XC,))
def sum_with_integer_dtype(x):
    return np.sum(x * 2.5, dtype=np.int64) * x[1]


@case(args=(XC,))
def linspace_with_integer_dtype(x):
    return np.sum(np.linspace(0.0, x[2] * 2.5, 3, dtype="int32") * x)


@case(args=(XC,))
def dtype_chosen_at_run_time(x):
    kind = int if x.size > 2 else float
    return np.sum(np.asarray(x * 3, dtype=kind) * x)


@case(args=(XC,), smooth=True)
def float_dtype_chosen_at_run_time(x):
    kind = np.float64 if x.size > 2 else int
    return np.sum(np.asarray(x * 3, dtype=kind) * x)
