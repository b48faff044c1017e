"""Hessians of the functions of ``test_higher_order.py`` against ``torch.autograd.functional.hessian`` of
the same computation written with torch, in float64. Control flow is written the same way in both: the
branches and loop trip counts torch runs are the ones srcgrad's generated code runs."""

import math

import numpy as np
import pytest
import test_higher_order as functions

import srcgrad

torch = pytest.importorskip("torch")
T = torch


def const(values):
    return T.tensor(values, dtype=T.float64)


def quadratic_form(x):
    A = const([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 3.0]])
    return 0.5 * x @ A @ x


def rosenbrock(x):
    return T.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def log_sum_exp(x):
    return T.logsumexp(x, 0)


def soft_abs(x):
    return T.sum(T.sqrt(x * x + 0.1))


def trig_mix(x):
    return T.sum(T.sin(x) * T.cos(2.0 * x)) + T.prod(T.cosh(x * 0.3))


def normalized(x):
    return T.sum(x / T.linalg.norm(x)) + T.linalg.norm(x) ** 3


def tanh_layer(x):
    W = const([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
    return T.sum(T.tanh(W @ x) ** 2)


def logistic_loss(w):
    X = const([[1.0, 0.5, -0.3], [0.2, -1.0, 0.7], [-0.4, 0.3, 1.2], [0.9, 0.1, 0.0]])
    y = const([1.0, 0.0, 1.0, 0.0])
    z = X @ w
    return T.mean(T.logaddexp(T.zeros_like(z), z) - y * z)


def softmax_entropy(x):
    return -T.sum(T.softmax(x, 0) * T.log_softmax(x, 0))


def polynomial(x):
    return T.sum(x ** 4 - 2.0 * x ** 3 + x) + x[0] * x[1] * x[2]


def variance_term(x):
    return T.var(x, correction=0) + T.std(x * 2.0, correction=0)


def power_loop(x):
    s = 0.0
    for i in range(1, 4):
        s = s + T.sum(x ** i) / i
    return s


def while_loop(x):
    y = x * 1.0
    for _ in range(3):
        y = T.sin(y) + 0.5 * y
    return T.sum(y * y)


def branchy(x):
    if T.sum(x) > 0:
        return T.sum(T.exp(x) * x)
    return T.sum(x ** 3)


def loop_with_branch(x):
    s = 0.0
    for i in range(4):
        s = s + (T.sum(T.sin(x * i)) if i % 2 == 0 else T.sum(x * x) * i)
    return s


def element_writes(x):
    y = T.stack([x[0] * x[1], T.sin(x[2]), x[0] ** 2])
    return T.sum(y * y)


def list_building(x):
    return T.sum(T.stack([T.tanh(x * (i + 1)) for i in range(3)]) ** 2)


def calls_helper(x):
    def helper(v, scale):
        return T.sum(T.exp(v * scale))
    return helper(x, 0.5) * helper(x, -0.3)


def recursion(x):
    def power(v, n):
        return 1.0 if n == 0 else v * power(v, n - 1)
    return T.sum(power(x, 3))


def early_return(x):
    for i in range(5):
        if T.sum(x * i) > 2.0:
            return T.sum(x ** 2) * i
    return T.sum(T.cos(x))


def matrix_terms(x):
    M = T.outer(x, x) + T.eye(3, dtype=T.float64)
    return T.linalg.det(M) + T.trace(M @ M)


def einsum_terms(x):
    return T.einsum("i,i->", x, T.sin(x)) + T.einsum("i,j->", x, x) ** 2


def clip_and_max(x):
    return T.sum(T.clamp(x, -0.5, 0.5) ** 2) + T.max(x * x)


def cumulative(x):
    return T.sum(T.cumsum(x, 0) ** 2)


def reshaped(x):
    y = T.cat([x, x * 2.0]).reshape(2, 3)
    return T.sum(y.T @ y)


def abs_smooth(x):
    return T.sum(T.abs(x) ** 3)


def logs(x):
    return T.sum(T.log1p(x * x) + T.expm1(x * 0.5))


def arctan_mix(x):
    return T.sum(T.arctan(x) * T.arcsinh(x))


def hypot_terms(x):
    return T.sum(T.hypot(x, x * 0.5 + 1.0))


def where_terms(x):
    return T.sum(T.where(x > 0, x ** 2, T.sin(x)))


def mean_of_squares(x):
    return T.mean((x - T.mean(x)) ** 2) * 10.0


def sigmoid_sum(x):
    return T.sum(1.0 / (1.0 + T.exp(-x)) * x)


def nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(i + 1):
            s = s + T.sum(T.sin(x * (i - j + 1)))
    return s


def while_with_break(x):
    y = x * 1.0
    for _ in range(4):
        y = y * 1.1 + T.sin(y) * 0.1
    return T.sum(y ** 3)


def series(x):
    return sum(T.sum(x ** n) / n for n in range(1, 6))


def continue_loop(x):
    return sum(T.sum(T.exp(x * 0.1 * i)) for i in range(6) if i != 2)


def conditional_expression(x):
    return T.sum(x ** 2 if T.sum(x) > 0 else T.sin(x)) + T.sum(x ** 4)


def attention_like(x):
    scores = T.outer(x, x) / math.sqrt(3.0)
    weights = T.exp(scores - T.amax(scores, dim=1, keepdim=True))
    weights = weights / T.sum(weights, dim=1, keepdim=True)
    return T.sum(weights @ x)


def huber(x):
    a = T.abs(x)
    return T.sum(T.where(a < 0.5, 0.5 * x * x, 0.5 * (a - 0.25)))


TORCH = {f.__name__: f for f in [
    quadratic_form, rosenbrock, log_sum_exp, soft_abs, trig_mix, normalized, tanh_layer, logistic_loss,
    softmax_entropy, polynomial, variance_term, power_loop, while_loop, branchy, loop_with_branch,
    element_writes, list_building, calls_helper, recursion, early_return, matrix_terms, einsum_terms,
    clip_and_max, cumulative, reshaped, abs_smooth, logs, arctan_mix, hypot_terms, where_terms,
    mean_of_squares, sigmoid_sum, nested_loops, while_with_break, series, continue_loop,
    conditional_expression, attention_like, huber]}
POINTS = [functions.POINT, np.array([-0.3, 0.55, -1.2])]


def test_every_hessian_function_has_a_torch_twin():
    assert set(TORCH) == {f.__name__ for f in functions.FUNCTIONS}
    assert len(TORCH) >= 30


@pytest.mark.parametrize("point", range(len(POINTS)))
@pytest.mark.parametrize("name", sorted(TORCH))
def test_hessian_matches_pytorch(name, point):
    x = POINTS[point]
    f = getattr(functions, name)
    expected = torch.autograd.functional.hessian(TORCH[name], torch.tensor(x, dtype=torch.float64)).numpy()
    assert np.all(np.isfinite(expected))
    H = srcgrad.hessian(f)(x)
    assert H.shape == (3, 3) and H.dtype == np.float64
    np.testing.assert_allclose(H, expected, rtol=1e-10, atol=1e-10)
    # the twins compute the same function: the values agree too
    assert float(f(x)) == pytest.approx(float(TORCH[name](torch.tensor(x, dtype=torch.float64))), rel=1e-12)
