"""Second and higher derivatives: hessian, hvp, jacfwd, jacrev and derivative, against finite differences
of srcgrad's gradient and against PyTorch's ``torch.autograd.functional.hessian``."""

import inspect
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import srcgrad

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import newton_logistic_regression


def quadratic_form(x):
    A = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 3.0]])
    return 0.5 * x @ A @ x


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def soft_abs(x):
    return np.sum(np.sqrt(x * x + 0.1))


def trig_mix(x):
    return np.sum(np.sin(x) * np.cos(2.0 * x)) + np.prod(np.cosh(x * 0.3))


def normalized(x):
    return np.sum(x / np.linalg.norm(x)) + np.linalg.norm(x) ** 3


def tanh_layer(x):
    W = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
    return np.sum(np.tanh(W @ x) ** 2)


def logistic_loss(w):
    X = np.array([[1.0, 0.5, -0.3], [0.2, -1.0, 0.7], [-0.4, 0.3, 1.2], [0.9, 0.1, 0.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def softmax_entropy(x):
    p = np.exp(x - np.max(x))
    p = p / np.sum(p)
    return -np.sum(p * np.log(p))


def polynomial(x):
    return np.sum(x ** 4 - 2.0 * x ** 3 + x) + x[0] * x[1] * x[2]


def variance_term(x):
    return np.var(x) + np.std(x * 2.0)


def power_loop(x):
    s = 0.0
    for i in range(1, 4):
        s = s + np.sum(x ** i) / i
    return s


def while_loop(x):
    y = x * 1.0
    k = 0
    while k < 3:
        y = np.sin(y) + 0.5 * y
        k += 1
    return np.sum(y * y)


def branchy(x):
    if np.sum(x) > 0:
        return np.sum(np.exp(x) * x)
    return np.sum(x ** 3)


def loop_with_branch(x):
    s = 0.0
    for i in range(4):
        if i % 2 == 0:
            s = s + np.sum(np.sin(x * i))
        else:
            s = s + np.sum(x * x) * i
    return s


def element_writes(x):
    y = np.zeros(3)
    y[0] = x[0] * x[1]
    y[1] = np.sin(x[2])
    y[2] = x[0] ** 2
    return np.sum(y * y)


def list_building(x):
    parts = []
    for i in range(3):
        parts.append(np.tanh(x * (i + 1)))
    return np.sum(np.stack(parts) ** 2)


def _helper(v, scale):
    return np.sum(np.exp(v * scale))


def calls_helper(x):
    return _helper(x, 0.5) * _helper(x, -0.3)


def _recursive_power(v, n):
    if n == 0:
        return 1.0
    return v * _recursive_power(v, n - 1)


def recursion(x):
    return np.sum(_recursive_power(x, 3))


def early_return(x):
    for i in range(5):
        if np.sum(x * i) > 2.0:
            return np.sum(x ** 2) * i
    return np.sum(np.cos(x))


def matrix_terms(x):
    M = np.outer(x, x) + np.eye(3)
    return np.linalg.det(M) + np.trace(M @ M)


def einsum_terms(x):
    return np.einsum("i,i->", x, np.sin(x)) + np.einsum("i,j->", x, x) ** 2


def clip_and_max(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2) + np.max(x * x)


def cumulative(x):
    return np.sum(np.cumsum(x) ** 2)


def reshaped(x):
    y = np.concatenate([x, x * 2.0]).reshape(2, 3)
    return np.sum(y.T @ y)


def abs_smooth(x):
    return np.sum(np.abs(x) ** 3)


def logs(x):
    return np.sum(np.log1p(x * x) + np.expm1(x * 0.5))


def arctan_mix(x):
    return np.sum(np.arctan(x) * np.arcsinh(x))


def hypot_terms(x):
    return np.sum(np.hypot(x, x * 0.5 + 1.0))


def where_terms(x):
    return np.sum(np.where(x > 0, x ** 2, np.sin(x)))


def mean_of_squares(x):
    return np.mean((x - np.mean(x)) ** 2) * 10.0


def sigmoid_sum(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)) * x)


def nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(i + 1):
            s = s + np.sum(np.sin(x * (i - j + 1)))
    return s


def while_with_break(x):
    y = x * 1.0
    k = 0
    while True:
        y = y * 1.1 + np.sin(y) * 0.1
        k += 1
        if k >= 4:
            break
    return np.sum(y ** 3)


def series(x):
    s = 0.0
    term = x * 1.0
    for n in range(1, 6):
        s = s + np.sum(term) / n
        term = term * x
    return s


def continue_loop(x):
    s = 0.0
    for i in range(6):
        if i == 2:
            continue
        s = s + np.sum(np.exp(x * 0.1 * i))
    return s


def conditional_expression(x):
    return np.sum(x ** 2 if np.sum(x) > 0 else np.sin(x)) + np.sum(x ** 4)


def attention_like(x):
    scores = np.outer(x, x) / np.sqrt(3.0)
    weights = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    weights = weights / np.sum(weights, axis=1, keepdims=True)
    return np.sum(weights @ x)


def huber(x):
    a = np.abs(x)
    return np.sum(np.where(a < 0.5, 0.5 * x * x, 0.5 * (a - 0.25)))


FUNCTIONS = [quadratic_form, rosenbrock, log_sum_exp, soft_abs, tanh_layer, logistic_loss, softmax_entropy,
             polynomial, variance_term, power_loop, while_loop, branchy, loop_with_branch, element_writes,
             early_return, clip_and_max, cumulative, abs_smooth, logs, arctan_mix, hypot_terms, where_terms,
             mean_of_squares, sigmoid_sum, nested_loops, while_with_break, series, continue_loop,
             conditional_expression, attention_like, huber, calls_helper, recursion, trig_mix, normalized,
             list_building, matrix_terms, einsum_terms, reshaped]

POINT = np.array([0.4, -0.7, 0.9])


def finite_difference_hessian(f, x, eps=1e-5):
    gradient = srcgrad.grad(f)
    return np.stack([(gradient(x + eps * e) - gradient(x - eps * e)) / (2 * eps) for e in np.eye(x.size)], axis=1)


def spectral_norm(x):
    return np.linalg.norm(np.outer(x, x) + np.eye(3), 2)


def singular_det(x):
    return np.linalg.det(np.outer(x, x))


@pytest.mark.parametrize(("f", "message"), [(spectral_norm, r"np\.linalg\.norm\(\.\.\., ord=2"),
                                            (singular_det, r"np\.linalg\.det at a singular matrix")])
def test_second_derivatives_srcgrad_cannot_take_raise(f, message):
    srcgrad.grad(f)(POINT)  # the first derivative exists
    with pytest.raises(srcgrad.SrcgradError, match=message) as raised:
        srcgrad.hessian(f)(POINT)
    # located at the user's line that asks for it
    lines, start = inspect.getsourcelines(f)
    assert (raised.value.filename, raised.value.lineno) == (__file__, start + 1)
    assert raised.value.source_line.strip() == lines[1].strip()


@pytest.mark.parametrize("f", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_hessian_matches_finite_differences_of_the_gradient(f):
    H = srcgrad.hessian(f)(POINT)
    assert H.shape == (3, 3) and H.dtype == np.float64 and np.all(np.isfinite(H))
    np.testing.assert_allclose(H, finite_difference_hessian(f, POINT), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-10)


# PyTorch comparisons of these Hessians: test_hessian_torch.py; the gradient corpora: test_corpus_hessians.py.


def test_hvp_and_jacobians():
    v = np.array([0.3, -1.0, 0.5])
    H = srcgrad.hessian(attention_like)(POINT)
    np.testing.assert_allclose(srcgrad.hvp(attention_like, (POINT,), (v,)), H @ v, rtol=1e-10)

    def vector_function(x):
        return np.sin(x) * x[0]

    J = srcgrad.jacfwd(vector_function)(POINT)
    np.testing.assert_allclose(J, srcgrad.jacrev(vector_function)(POINT), rtol=1e-12)
    expected = np.diag(np.cos(POINT) * POINT[0])
    expected[:, 0] += np.sin(POINT)
    np.testing.assert_allclose(J, expected, rtol=1e-12)


def quintic(x):
    return math.sin(x) * x ** 3 + math.exp(0.5 * x)


def test_third_and_fourth_derivatives():
    x = 0.7
    third = -math.cos(x) * x ** 3 - 9 * math.sin(x) * x ** 2 + 18 * math.cos(x) * x + 6 * math.sin(x) + 0.125 * math.exp(
        0.5 * x)
    assert srcgrad.derivative(quintic, 3)(x) == pytest.approx(third, rel=1e-12)
    fourth_fd = (srcgrad.derivative(quintic, 3)(x + 1e-5) - srcgrad.derivative(quintic, 3)(x - 1e-5)) / 2e-5
    assert srcgrad.derivative(quintic, 4)(x) == pytest.approx(fourth_fd, rel=1e-6)


def test_hessian_of_a_scalar_function_of_a_float():
    assert srcgrad.hessian(quintic)(0.3) == pytest.approx(srcgrad.derivative(quintic, 2)(0.3), rel=1e-12)


def test_newton_converges_in_fewer_than_15_steps():
    X, y = newton_logistic_regression.make_problem()
    w, steps = newton_logistic_regression.newton(X, y)
    assert steps < 15
    assert np.linalg.norm(srcgrad.grad(newton_logistic_regression.loss)(w, X, y)) < 1e-8


def test_grad_of_grad_is_the_second_derivative():
    x = 0.7
    second = (-math.sin(x) * x ** 3 + 6 * math.cos(x) * x ** 2 + 6 * math.sin(x) * x + 0.25 * math.exp(0.5 * x))
    assert srcgrad.grad(srcgrad.grad(quintic))(x) == pytest.approx(second, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(srcgrad.grad(quintic)))(x) == pytest.approx(
        srcgrad.derivative(quintic, 3)(x), rel=1e-12)


def test_grad_of_grad_of_an_array_function_points_to_hessian():
    with pytest.raises(srcgrad.NonScalarOutputError, match="hessian"):
        srcgrad.grad(srcgrad.grad(rosenbrock))(POINT)
