"""Third derivatives of functions of one float — ``derivative(f, 3)`` (forward mode over the forward code
over the forward code) and ``grad(grad(grad(f)))`` — against PyTorch (``torch.autograd.grad`` three
times), against central differences of srcgrad's second derivative, and against closed forms where they
are short. Loops, branches, calls, recursion, lists and small arrays built from the input."""

import math

import numpy as np
import pytest

import srcgrad


def quintic(x):
    return math.sin(x) * x ** 3 + math.exp(0.5 * x)


def power_loop(x):
    s = 0.0
    for k in range(1, 5):
        s = s + x ** k / k
    return s


def branch(x):
    if x > 0:
        return x ** 3 * math.exp(x)
    return math.cos(x)


def _gate(v):
    return math.tanh(v) * v


def calls(x):
    return _gate(x) * _gate(2.0 * x)  # inlined: derivatives of any order


def _gate_of_gain(gain):
    def gate(v):
        return math.tanh(gain * v) * v
    return gate


_closure_gate = _gate_of_gain(1.0)  # a closure: called, not inlined


def calls_a_closure(x):
    return _closure_gate(x) * _closure_gate(2.0 * x)


def _power(v, n):
    if n == 0:
        return 1.0
    return v * _power(v, n - 1)


def recursion(x):
    return _power(x, 4) + math.sin(_power(x, 2))


def nested_branches(x):
    y = x * x
    if y > 1.0:
        y = math.log(y) + 1.0
    elif x > 0:
        y = math.sinh(y)
    return y * math.atan(x)


def loop_with_break(x):
    s = 0.0
    term = 1.0
    for k in range(1, 20):
        term = term * x / k
        s = s + term
        if k >= 6:
            break
    return s


def while_loop(x):
    y = x
    k = 0
    while k < 3:
        y = math.sin(y) + 0.5 * y
        k += 1
    return y


def log_sigmoid(x):
    return -math.log1p(math.exp(-x))


def numpy_on_floats(x):
    return np.sqrt(x * x + 1.0) * np.arctan(x)


def list_comprehension(x):
    return sum([x ** i for i in range(4)])


def rational(x):
    return (x * x + 1.0) / (x + 3.0)


def self_power(x):
    return x ** x


def small_array(x):
    v = np.array([x, 2.0 * x, 3.0 * x])
    return float(np.sum(np.exp(v) * np.sin(v)))


def torch_twins(T):
    def gate(v):
        return T.tanh(v) * v

    def power(v, n):
        return 1.0 if n == 0 else v * power(v, n - 1)

    def twin_while(x):
        y = x
        for _ in range(3):
            y = T.sin(y) + 0.5 * y
        return y

    def twin_branches(x):
        y = x * x
        if y > 1.0:
            y = T.log(y) + 1.0
        elif x > 0:
            y = T.sinh(y)
        return y * T.arctan(x)

    def twin_array(x):
        v = T.stack([x, 2.0 * x, 3.0 * x])
        return T.sum(T.exp(v) * T.sin(v))

    return {
        "quintic": lambda x: T.sin(x) * x ** 3 + T.exp(0.5 * x),
        "power_loop": lambda x: sum(x ** k / k for k in range(1, 5)),
        "branch": lambda x: x ** 3 * T.exp(x) if x > 0 else T.cos(x),
        "calls": lambda x: gate(x) * gate(2.0 * x),
        "calls_a_closure": lambda x: gate(x) * gate(2.0 * x),
        "recursion": lambda x: power(x, 4) + T.sin(power(x, 2)),
        "nested_branches": twin_branches,
        "loop_with_break": lambda x: sum(x ** k / math.factorial(k) for k in range(1, 7)),
        "while_loop": twin_while,
        "log_sigmoid": lambda x: -T.log1p(T.exp(-x)),
        "numpy_on_floats": lambda x: T.sqrt(x * x + 1.0) * T.arctan(x),
        "list_comprehension": lambda x: sum(x ** i for i in range(4)),
        "rational": lambda x: (x * x + 1.0) / (x + 3.0),
        "self_power": lambda x: x ** x,
        "small_array": twin_array,
    }


FUNCTIONS = [quintic, power_loop, branch, nested_branches, loop_with_break, while_loop, log_sigmoid,
             numpy_on_floats, list_comprehension, rational, self_power, small_array, calls]
# Through calls into user functions that are not inlined srcgrad goes to order 2 (forward mode over the
# forward code of the call); order 3 refuses.
THROUGH_CALLS = [calls_a_closure, recursion]
POINTS = [0.7, 1.3]
CLOSED_FORMS = {
    "power_loop": lambda x: 2.0 + 6.0 * x,  # (x + x^2/2 + x^3/3 + x^4/4)''' = 2 + 6x
    "rational": lambda x: -60.0 / (x + 3.0) ** 4,  # (x - 3 + 10/(x + 3))''' = -60/(x + 3)^4
    "list_comprehension": lambda x: 6.0,
    "branch": lambda x: math.exp(x) * (x ** 3 + 9 * x ** 2 + 18 * x + 6),
    "loop_with_break": lambda x: sum(x ** (k - 3) / math.factorial(k - 3) for k in range(3, 7)),
}


@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize("f", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_third_derivative_matches_finite_differences_of_the_second(f, x):
    third = srcgrad.derivative(f, 3)(x)
    assert type(third) is float and math.isfinite(third)
    second = srcgrad.derivative(f, 2)
    eps = 1e-4
    assert third == pytest.approx((second(x + eps) - second(x - eps)) / (2 * eps), rel=1e-6, abs=1e-6)
    assert srcgrad.grad(srcgrad.grad(srcgrad.grad(f)))(x) == pytest.approx(third, rel=1e-12, abs=1e-12)
    if f.__name__ in CLOSED_FORMS:
        assert third == pytest.approx(CLOSED_FORMS[f.__name__](x), rel=1e-12)


@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize("f", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_third_derivative_matches_pytorch(f, x):
    torch = pytest.importorskip("torch")
    twin = torch_twins(torch)[f.__name__]
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = twin(t)
    assert out.item() == pytest.approx(f(x), rel=1e-12)
    derivative = out
    for _ in range(3):
        (derivative,) = torch.autograd.grad(derivative, t, create_graph=True)
    assert srcgrad.derivative(f, 3)(x) == pytest.approx(derivative.item(), rel=1e-10, abs=1e-10)


def test_a_dozen_functions():
    assert len(FUNCTIONS) >= 12
    assert set(torch_twins(np)) == {f.__name__ for f in FUNCTIONS + THROUGH_CALLS}


@pytest.mark.parametrize("f", THROUGH_CALLS, ids=[f.__name__ for f in THROUGH_CALLS])
def test_second_derivatives_through_calls_and_a_located_refusal_at_the_third(f):
    torch = pytest.importorskip("torch")
    x = 0.7
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(torch_twins(torch)[f.__name__](t), t, create_graph=True)
    (second,) = torch.autograd.grad(first, t)
    assert srcgrad.derivative(f, 2)(x) == pytest.approx(second.item(), rel=1e-10)
    assert srcgrad.grad(srcgrad.grad(f))(x) == pytest.approx(second.item(), rel=1e-10)
    with pytest.raises(srcgrad.SrcgradError, match="order 3 and more through a call") as raised:
        srcgrad.derivative(f, 3)(x)
    assert raised.value.filename == __file__  # at the line of f that makes the call
