"""Control flow: branches, loops and their combinations, each checked against central finite differences;
the tutorial's norm-doubling loop and a vanilla RNN checked against real PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gradcheck import Case, Corpus, assert_close, check_grad

import srcgrad

CORPUS = Corpus()
case = CORPUS.case


def normal(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.normal(size=shape)


def positive(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.uniform(0.5, 2.0, size=shape)


# --- branches -----------------------------------------------------------------------------------------


def if_else_on_array_sum(x):
    if np.sum(x) > 0:
        y = x ** 2
    else:
        y = -x ** 3
    return np.sum(y)


case(lambda r: (np.abs(normal(r, 5)),), name="if_else_on_array_sum_taken")(if_else_on_array_sum)
case(lambda r: (-np.abs(normal(r, 5)),), name="if_else_on_array_sum_not_taken")(if_else_on_array_sum)


def if_elif_else_chain(x, w):
    m = np.max(x)
    if m > 2.0:
        y = np.sum(x * w)
    elif m > 0.5:
        y = np.sum(np.sin(x) * w ** 2)
    else:
        y = np.sum(np.exp(x)) * np.sum(w)
    return y


case(lambda r: (normal(r, 4) + 3.0, normal(r, 4)), wrt=(0, 1), name="if_elif_else_first")(if_elif_else_chain)
case(lambda r: (np.array([0.6, 0.9, -0.2, 0.1]), normal(r, 4)), wrt=(0, 1),
     name="if_elif_else_second")(if_elif_else_chain)
case(lambda r: (-np.abs(normal(r, 4)), normal(r, 4)), wrt=(0, 1),
     name="if_elif_else_third")(if_elif_else_chain)


@case(lambda r: (normal(r, 6), normal(r, 6)), wrt=(0, 1))
def conditional_expressions(x, y):
    a = x * 2.0 if np.sum(x) > np.sum(y) else x / 2.0
    b = np.tanh(y) if np.max(y) > 10.0 else y ** 2
    return np.sum(a * b) + (np.sum(x) if np.min(x) < 0 else 0.0)


@case(lambda r: (normal(r, 5), 0.7), wrt=(0, 1))
def and_or_not_conditions(x, t):
    s = np.sum(x ** 2)
    if s > 0 and t < 1.0:
        y = s * t
    else:
        y = s + t
    if t > 5.0 or np.min(x) < -10.0:
        y = y * 0.0
    if not (t > 0.5 and np.max(x) > 100.0):
        y = y + np.sum(np.cos(x)) * t
    return y


@case(lambda r: (0.8, 1.9), wrt=(0, 1))
def and_or_as_values_on_floats(a, b):
    scale = a or 1.0
    other = b and a * b
    return scale * other + ((a > b and a) or b)


@case(lambda r: (1.3,), wrt=(0,))
def piecewise_float_elif(a):
    if a < -1.0:
        y = -a - 0.5
    elif a < 1.0:
        y = 0.5 * a ** 2
    elif a < 2.0:
        y = math.sin(a) * a
    else:
        y = math.log(a)
    return y


@case(lambda r: (normal(r, 4),), wrt=(0,))
def if_without_else_reassigning_parameter(x):
    if np.sum(x) < 100.0:
        x = x * 3.0
    if np.sum(x) > 100.0:
        x = x - 1.0
    return np.sum(x ** 2)


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def nested_ifs(x, y):
    if np.sum(x) > -10.0:
        if np.sum(y) > 10.0:
            z = x * y
        else:
            z = x + y * y
            if np.max(z) > -5.0:
                z = np.sin(z)
    else:
        z = x
    return np.sum(z)


# --- for loops ----------------------------------------------------------------------------------------


@case(lambda r: (normal(r, 7),), wrt=(0,))
def for_computed_bounds(x):
    n = x.shape[0]
    s = 0.0
    for i in range(1, n - 1):
        s = s + x[i - 1] * x[i + 1] - x[i] ** 2
    return s


@case(lambda r: (normal(r, 9),), wrt=(0,))
def for_with_step(x):
    s = 0.0
    for i in range(0, len(x), 2):
        s = s + np.sin(x[i]) * (i + 1)
    return s


@case(lambda r: (normal(r, 6),), wrt=(0,))
def for_negative_step(x):
    n = len(x)
    acc = x[n - 1]
    for i in range(n - 2, -1, -1):
        acc = np.tanh(acc) * x[i] + x[i]
    return acc


@case(lambda r: (normal(r, 8),), wrt=(0,))
def for_negative_step_by_two(x):
    s = 1.0
    for i in range(len(x) - 1, 0, -2):
        s = s * (1.0 + 0.1 * x[i]) + x[i - 1] ** 2
    return s


@case(lambda r: (normal(r, 4), 5), wrt=(0,))
def for_int_argument_bound(x, n):
    y = x
    for i in range(n):
        y = np.sin(y) + 0.1 * i * y
    return np.sum(y)


@case(lambda r: (normal(r, 3), 0), wrt=(0,))
def for_zero_iterations(x, n):
    y = x * 2.0
    for i in range(n):
        y = y * y
    return np.sum(y ** 2)


@case(lambda r: (normal(r, 4, 4),), wrt=(0,))
def nested_loops_triangular(A):
    s = 0.0
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            s = s + A[i, j] * A[j, i]
    return s


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def nested_loops_carried(x, y):
    z = x
    for i in range(3):
        w = y
        for j in range(2):
            w = np.sin(w + z * j)
        z = z * 0.5 + w
    return np.sum(z * y)


@case(lambda r: (normal(r, 5), 2.0), wrt=(0, 1))
def horner_polynomial(c, x):
    p = 0.0
    for i in range(len(c)):
        p = p * x + c[i]
    return p


@case(lambda r: (positive(r, 6),), wrt=(0,))
def loop_product(x):
    p = 1.0
    for i in range(len(x)):
        p = p * x[i]
    return p


@case(lambda r: (normal(r, 3),), wrt=(0,))
def loop_integer_powers(x):
    s = 0.0
    for k in range(4):
        s = s + np.sum(x ** k) / (k + 1)
    return s


@case(lambda r: (normal(r, 5),), wrt=(0,))
def loop_concatenate_growth(x):
    out = x[0:1] * 1.0
    for i in range(1, len(x)):
        out = np.concatenate([out, out[-1:] * x[i:i + 1]])
    return np.sum(out)


@case(lambda r: (normal(r, 3), 4), wrt=(0,))
def sin_cos_accumulation(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sin(x * i) * np.cos(x + i)
    return np.sum(s)


# --- loop-carried parameters, iterative algorithms, RNN -----------------------------------------------


@case(lambda r: (normal(r, 4), normal(r, 4, 4) * 0.5), wrt=(0, 1))
def loop_reassigns_parameter(x, W):
    for i in range(3):
        x = np.tanh(W @ x)
    return np.sum(x)


@case(lambda r: (normal(r, 3) * 0.5, normal(r, 6, 2), normal(r, 3, 3) * 0.4, normal(r, 3, 2) * 0.4,
                 normal(r, 3) * 0.1), wrt=(0, 1, 2, 3, 4))
def rnn_tanh(h, x, W, U, b):
    for t in range(x.shape[0]):
        h = np.tanh(W @ h + U @ x[t] + b)
    return np.sum(h ** 2)


@case(lambda r: (normal(r, 4, 4) + 4.0 * np.eye(4), normal(r, 4)), wrt=(0, 1))
def power_iteration(A, v):
    for k in range(6):
        v = A @ v
        v = v / np.linalg.norm(v)
    return v @ A @ v


@case(lambda r: (positive(r, 4),), wrt=(0,))
def newton_sqrt_fixed_steps(a):
    y = a
    for i in range(6):
        y = 0.5 * (y + a / y)
    return np.sum(y)


@case(lambda r: (normal(r, 3), normal(r, 8, 3), normal(r, 8), 0.05), wrt=(0, 1, 2, 3))
def unrolled_gradient_descent(w, X, y, lr):
    for step in range(4):
        residual = X @ w - y
        w = w - lr * (X.T @ residual)
    return np.sum((X @ w - y) ** 2)


@case(lambda r: (normal(r, 3), 0.5, 0.1), wrt=(0, 1, 2))
def euler_integration(y, k, dt):
    t = 0.0
    for i in range(10):
        y = y + dt * (-k * y + np.sin(t))
        t = t + dt
    return np.sum(y ** 2)


@case(lambda r: (0.3, 3.7), wrt=(0, 1))
def logistic_map_floats(x, r_):
    for i in range(8):
        x = r_ * x * (1.0 - x)
    return x


# --- while loops --------------------------------------------------------------------------------------


@case(lambda r: (normal(r, 3) * 0.1,), wrt=(0,))
def while_norm_growth(x):
    y = x * 2.0
    while np.sum(y ** 2) < 100.0:
        y = y * 1.5
    return np.sum(np.sin(y))


@case(lambda r: (normal(r, 4), 5), wrt=(0,))
def while_counter(x, n):
    i = 0
    s = 0.0
    while i < n:
        s = s + np.sin(x * i)
        i += 1
    return np.sum(s)


@case(lambda r: (positive(r, 3) * 4.0,), wrt=(0,))
def while_newton_until_converged(a):
    y = a
    err = 1.0
    while err > 1e-10:
        y_new = 0.5 * (y + a / y)
        err = np.max(np.abs(y_new - y))
        y = y_new
    return np.sum(y * np.arange(1, 4))


@case(lambda r: (normal(r, 3) * 0.3, 6), wrt=(0,))
def while_two_conditions(x, n):
    i = 0
    y = x
    while i < n and np.sum(y ** 2) < 50.0:
        y = y * 1.3 + 0.1
        i = i + 1
    return np.sum(y)


@case(lambda r: (normal(r, 3) + 100.0,), wrt=(0,))
def while_zero_iterations(x):
    y = x * 1.0
    while np.sum(y) < 0.0:
        y = y * 2.0
    return np.sum(y ** 2)


@case(lambda r: (normal(r, 3) * 0.2,), wrt=(0,))
def while_inside_for(x):
    s = 0.0
    for i in range(3):
        y = x + i
        while np.sum(np.abs(y)) < 20.0:
            y = y * 2.0
        s = s + np.sum(np.tanh(y / 10.0))
    return s


# --- loops in branches, branches in loops -------------------------------------------------------------


def loops_in_branches(x):
    s = 0.0
    if np.sum(x) > 0:
        for i in range(3):
            s = s + np.sum(x ** (i + 1))
    else:
        for i in range(2):
            s = s * 2.0 + np.sum(np.exp(x * i))
    return s


case(lambda r: (np.abs(normal(r, 4)) * 0.5,), name="loops_in_branches_then")(loops_in_branches)
case(lambda r: (-np.abs(normal(r, 4)) * 0.5,), name="loops_in_branches_else")(loops_in_branches)


@case(lambda r: (normal(r, 8),), wrt=(0,))
def branches_in_loops(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] ** 2
        elif x[i] > -0.5:
            s = s - x[i] * 3.0
        else:
            s = s * 0.5 + np.sin(x[i])
    return s


@case(lambda r: (normal(r, 7),), wrt=(0,))
def running_max_with_if(x):
    m = x[0]
    for i in range(1, len(x)):
        if x[i] > m:
            m = x[i]
    return m * np.sum(x)


@case(lambda r: (normal(r, 6), normal(r, 6)), wrt=(0, 1))
def conditional_expression_in_loop(x, y):
    s = 0.0
    for i in range(len(x)):
        s = s + (x[i] * y[i] if x[i] > y[i] else x[i] + y[i])
    return s


@case(lambda r: (normal(r, 4), normal(r, 4)), wrt=(0, 1))
def if_in_while(x, y):
    k = 0
    while k < 6:
        if k % 2 == 0:
            x = x + np.sin(y)
        else:
            y = y * np.cos(x)
        k = k + 1
    return np.sum(x * y)


@case(lambda r: (normal(r, 5), normal(r, 5)), wrt=(0, 1))
def softmax_temperature_annealing(logits, target):
    loss = 0.0
    temperature = 2.0
    for step in range(3):
        z = logits / temperature
        z = z - np.max(z)
        p = np.exp(z) / np.sum(np.exp(z))
        loss = loss + np.sum((p - target) ** 2)
        temperature = temperature * 0.5
    return loss


# --- the corpus against finite differences ------------------------------------------------------------


def test_corpus_size():
    assert len(CORPUS) >= 30
    assert len({c.name for c in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("c,argnums", CORPUS.params())
def test_gradient_matches_finite_differences(c: Case, argnums):
    check_grad(c.fn, c.args(), argnums)


# --- against PyTorch ----------------------------------------------------------------------------------


def norm_doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def test_norm_doubling_vjp_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([0.3367, 0.1288, 0.2345])
    v = np.array([0.1, 1.0, 0.0001])
    out, vjp_fn = srcgrad.vjp(norm_doubling, x)
    (dx,) = vjp_fn(v)

    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = xt * 2
    while yt.data.norm() < 1000:
        yt = yt * 2
    yt.backward(torch.tensor(v, dtype=torch.float64))

    assert_close(out, yt.detach().numpy(), rtol=1e-12, atol=0.0, what="output")
    assert dx.dtype == np.float64 and dx.shape == (3,)
    assert_close(dx, xt.grad.numpy(), rtol=1e-12, atol=0.0, what="vjp")


HIDDEN, INPUT, STEPS = 32, 5, 20


def vanilla_rnn_loss(W_ih, W_hh, b_ih, b_hh, xs, h, v):
    loss = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(W_ih @ xs[t] + b_ih + W_hh @ h + b_hh)
        loss = loss + h @ v
    return loss


def test_vanilla_rnn_matches_pytorch():
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(7)
    scale = 1.0 / math.sqrt(HIDDEN)
    W_ih = r.uniform(-scale, scale, (HIDDEN, INPUT))
    W_hh = r.uniform(-scale, scale, (HIDDEN, HIDDEN))
    b_ih = r.uniform(-scale, scale, HIDDEN)
    b_hh = r.uniform(-scale, scale, HIDDEN)
    xs = r.normal(size=(STEPS, INPUT))
    h0 = r.normal(size=HIDDEN) * 0.1
    v = r.normal(size=HIDDEN)
    args = (W_ih, W_hh, b_ih, b_hh, xs, h0, v)
    grads = srcgrad.grad(vanilla_rnn_loss, argnums=(0, 1, 2, 3, 4, 5))(*args)

    rnn = torch.nn.RNN(INPUT, HIDDEN, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_ih))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        rnn.bias_hh_l0.copy_(torch.from_numpy(b_hh))
    xs_t = torch.tensor(xs, requires_grad=True)
    h0_t = torch.tensor(h0[None, :], requires_grad=True)
    outputs, _ = rnn(xs_t, h0_t)
    loss = (outputs @ torch.from_numpy(v)).sum()
    loss.backward()
    expected = (rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad, rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad,
                xs_t.grad, h0_t.grad[0])

    assert_close(vanilla_rnn_loss(*args), loss.item(), rtol=1e-12, atol=1e-12, what="loss")
    names = ["W_ih", "W_hh", "b_ih", "b_hh", "xs", "h0"]
    for got, want, arg, label in zip(grads, expected, args, names):
        assert got.shape == arg.shape and got.dtype == np.float64, label
        assert_close(got, want.numpy(), rtol=1e-10, atol=1e-12, what=f"d/d{label}")


def test_vanilla_rnn_matches_finite_differences():
    r = np.random.default_rng(8)
    args = (r.normal(size=(4, 2)) * 0.5, r.normal(size=(4, 4)) * 0.5, r.normal(size=4) * 0.1,
            r.normal(size=4) * 0.1, r.normal(size=(6, 2)), r.normal(size=4) * 0.1, r.normal(size=4))
    check_grad(vanilla_rnn_loss, args, (0, 1, 2, 3, 4, 5, 6))


# --- generated code shape -----------------------------------------------------------------------------


def sin_cos_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sin(x * i) * np.cos(x + i)
    return s


def sin_cos_loop_summed(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sin(x * i) * np.cos(x + i)
    return np.sum(s)


def _has_tape(source: str) -> bool:
    return "stack.pop" in source or "append" in source


def test_scalar_loop_with_recomputable_body_needs_no_stack():
    source = srcgrad.show(sin_cos_loop, 0.3, 50)
    assert not _has_tape(source), source
    check_grad(sin_cos_loop, (0.3, 50), 0)


def test_summed_scalar_loop_needs_no_stack():
    source = srcgrad.show(sin_cos_loop_summed, 0.3, 50)
    assert not _has_tape(source), source
