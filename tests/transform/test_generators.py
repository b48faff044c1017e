"""Generator functions called from differentiated code (``frontend/generators.py``): a generator whose
caller takes every item at once is run to its end as a function that returns the list of what it yields.
Gradients and forward-mode tangents against central differences in float64 and against HIPS autograd (which
runs the same Python, generators included); the uses a list cannot stand for are refused at their line."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest
from oracles import central

import srcgrad
from srcgrad import SrcgradSyntaxError

THIS_FILE = str(Path(__file__).resolve())
SIZES = (2, 3, 1)


# --- generators ----------------------------------------------------------------------------------------------

def unpack_layers(weights, sizes=SIZES):
    """prog_bnn's helper: (W, b) per layer from a flat vector, which it rebinds after each yield."""
    for m, n in zip(sizes[:-1], sizes[1:]):  # noqa: RUF007
        W = weights[:m * n].reshape((m, n))
        b = weights[m * n:m * n + n]
        yield W, b
        weights = weights[(m + 1) * n:]


def squares(x):
    for v in x:
        yield v * v


def first_positive_run(x):
    for v in x:
        if v < -5.0:
            return
        yield np.sin(v)


def chained(x):
    yield from squares(x)
    yield np.sum(x)
    yield


def scaled_powers(x, n):
    k = 0
    p = x
    while k < n:
        yield p
        p = p * x
        k += 1


def prefix_sums(x, n):
    if n > 0:
        yield from prefix_sums(x, n - 1)
    yield np.sum(x[:n + 1])


def pairs(x):
    for i in range(0, x.shape[0] - 1, 2):
        yield x[i], x[i + 1]


class Stack:
    def __init__(self, scales):
        self.scales = scales

    def layers(self):
        yield from self.scales

    @staticmethod
    def shifted(x):
        for v in x:
            yield v + 1.0

    def forward(self, x):
        h = x
        for s in self.layers():
            h = np.tanh(s * h)
        return np.sum(h ** 2)


STACK = Stack((0.5, -1.5, 2.0))


# --- consumers -----------------------------------------------------------------------------------------------

def mlp(x):
    inputs = np.array([[0.3, -0.8], [1.1, 0.4]])
    for W, b in unpack_layers(x):
        outputs = inputs @ W + b
        inputs = np.tanh(outputs)
    return np.sum(outputs ** 2)


def in_list(x):
    return np.sum(np.stack(list(squares(x))) * x)


def in_tuple(x):
    return np.prod(np.array(tuple(squares(x))))


def in_sum(x):
    return sum(squares(x))


def in_comprehension(x):
    return np.sum(np.array([np.exp(v) for v in chained(x) if v is not None]))


def in_generator_expression(x):
    return sum(np.tanh(v) for v in squares(x))


def unpacked(x):
    a, b, c = squares(x[:3])
    return a * b + np.cos(c)


def enumerated(x):
    total = 0.0
    for i, v in enumerate(squares(x)):
        total = total + i * v
    return total


def early_return_in_generator(x):
    return sum(first_positive_run(x))


def while_generator(x):
    return np.sum(sum(scaled_powers(x, 3)))


def recursive_generator(x):
    return sum(prefix_sums(x, 3))


def mapped(x):
    return sum(map(np.sin, squares(x)))


def zipped_alone(x):
    total = 0.0
    for (a, b), in zip(pairs(x)):
        total = total + a * np.exp(b)
    return total


def nested_generator(x):
    scale = 2.0 * x[0]

    def scaled(u):
        for v in u:
            yield v * scale

    return sum(scaled(x)) + sum(v * v for v in scaled(x))


def nested_generator_called_twice(x):
    scale = 2.0 * x[1]

    def scaled(u):
        for v in u:
            yield v * scale

    total = 0.0
    for v in scaled(x):
        total = total + v * scale
    scale = np.cos(x[2])  # read by the second call, which runs after this binding
    return total + sum(scaled(x))


def method_generator(x):
    return STACK.forward(x)


def static_method_generator(x):
    return sum(np.sin(v) * v for v in Stack.shifted(x))


def listed_then_broken(x):
    total = 0.0
    for v in list(squares(x)):  # the list runs the generator to its end, as Python does: a break is fine
        if v > 1.0:
            break
        total = total + v
    return total


CASES = [mlp, in_list, in_tuple, in_sum, in_comprehension, in_generator_expression, unpacked, enumerated,
         early_return_in_generator, while_generator, recursive_generator, mapped, zipped_alone, nested_generator,
         nested_generator_called_twice, method_generator, static_method_generator, listed_then_broken]

X = np.array([0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 0.4, -1.3, 0.6, 0.8, -0.5, 0.2, 0.7])


def _autograd_twin(f):
    """``f`` with this module's functions and classes rebound to use ``autograd.numpy`` as ``np``."""
    autograd = pytest.importorskip("autograd")
    namespace = dict(f.__globals__, np=autograd.numpy)

    def twin(fn):
        return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)

    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == f.__module__:
            namespace[name] = twin(value)
        elif isinstance(value, type) and value.__module__ == f.__module__:
            members = {k: staticmethod(twin(v.__func__)) if isinstance(v, staticmethod) else
                       twin(v) if isinstance(v, types.FunctionType) else v for k, v in vars(value).items()
                       if k not in ("__dict__", "__weakref__")}
            namespace[name] = type(name, value.__bases__, members)
    namespace["STACK"] = namespace["Stack"](STACK.scales)
    return namespace[f.__name__], autograd


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences_and_autograd(f):
    x = X.copy()
    value, gradient = srcgrad.value_and_grad(f)(x)
    np.testing.assert_array_equal(x, X)
    assert np.isclose(value, f(X), rtol=1e-13, atol=1e-13)
    assert isinstance(gradient, np.ndarray) and gradient.shape == X.shape and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, central(f, X), rtol=1e-6, atol=1e-8)
    oracle, autograd = _autograd_twin(f)
    np.testing.assert_allclose(gradient, autograd.grad(oracle)(X.copy()), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_tangent_against_finite_differences_and_autograd(f):
    tangent = np.linspace(0.4, -1.0, X.size)
    value, derivative = srcgrad.jvp(f, (X.copy(),), (tangent,))
    assert np.isclose(value, f(X), rtol=1e-13, atol=1e-13)
    assert np.ndim(derivative) == 0 and np.asarray(derivative).dtype == np.float64
    np.testing.assert_allclose(derivative, central(f, X) @ tangent, rtol=1e-6, atol=1e-8)
    oracle, autograd = _autograd_twin(f)
    np.testing.assert_allclose(derivative, autograd.grad(oracle)(X.copy()) @ tangent, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("f", [mlp, zipped_alone, nested_generator], ids=lambda f: f.__name__)
def test_hessian_through_a_generator(f):
    x = X[:8].copy() if f is not mlp else X.copy()
    hessian = srcgrad.hessian(f)(x)
    oracle, autograd = _autograd_twin(f)
    assert hessian.shape == (x.size, x.size) and hessian.dtype == np.float64
    np.testing.assert_allclose(hessian, autograd.hessian(oracle)(x), rtol=1e-10, atol=1e-11)


def test_the_program_corpus_helper_rebinds_its_argument_between_yields():
    """prog_bnn's pattern: the generator slices its own argument after each yield; each layer is its own slice."""
    weights = np.arange(13.0)
    layers = list(unpack_layers(weights))
    assert [W.shape for W, _ in layers] == [(2, 3), (3, 1)]
    gradient = srcgrad.grad(lambda w: sum(np.sum(W) * 2.0 + np.sum(b) for W, b in unpack_layers(w)))(weights)
    np.testing.assert_array_equal(gradient, [2.0] * 6 + [1.0] * 3 + [2.0] * 3 + [1.0])


# --- refusals ------------------------------------------------------------------------------------------------

def forever(x):
    k = 0
    while True:  # refused: forever
        yield x[k % 3]
        k += 1


def receives(x):
    for v in x:
        sent = yield v  # refused: receives
        x = x * sent


def returns_a_value(x):
    yield x[0]
    return np.sum(x)  # refused: returns_a_value


def draws(x):
    rs = np.random.RandomState(0)
    for v in x:
        yield v * rs.standard_normal()  # refused: draws


def prints(x):
    for v in x:
        print(v)  # refused: prints
        yield v


def under_errstate(x):
    with np.errstate(divide="ignore"):  # refused: under_errstate
        yield np.log(x)


def only_passed_around(x):
    for v in x:
        yield v * 3.0  # refused: only_passed_around


def breaks(x):
    total = 0.0
    for v in squares(x):  # refused: breaks
        if v > 0.4:
            break
        total = total + v
    return total


def returns_from_loop(x):
    for v in squares(x):  # refused: returns_from_loop
        if v > 0.4:
            return v
    return 0.0


def takes_next(x):
    return next(squares(x))  # refused: takes_next


def kept(x):
    items = squares(x)  # refused: kept
    return sum(items) + sum(items)


def zipped_with_shorter(x):
    total = 0.0
    for a, b in zip(squares(x), x[:2]):  # refused: zipped_with_shorter
        total = total + a * b
    return total


def short_circuit(x):
    if any(v > 1.0 for v in squares(x)):  # refused: short_circuit
        return np.sum(x)
    return np.sum(x * x)


def consume(items):
    return sum(items)


def passed_on(x):
    return consume(squares(x))  # refused: passed_on


def through_numpy(x):
    return np.sum(squares(x))  # refused: through_numpy


def as_value(x):
    def gen(u):
        for v in u:
            yield v * 2.0

    g = gen  # refused: as_value
    return sum(g(x))


def apply(function, x):
    total = 0.0
    for v in function(x):
        total = total + v
    return total


def through_an_argument(x):
    return apply(only_passed_around, x)


def calls_forever(x):
    return sum(forever(x))


def calls_receives(x):
    return sum(receives(x))


def calls_returns_a_value(x):
    return sum(returns_a_value(x))


def calls_draws(x):
    return sum(draws(x))


def calls_prints(x):
    return sum(prints(x))


def calls_under_errstate(x):
    return np.sum(sum(under_errstate(x)))


def mutates_what_it_yields(x):
    h = np.zeros(3)
    for i in range(3):
        h[i] = x[i]  # refused: mutates_what_it_yields
        yield h


def calls_mutates_what_it_yields(x):
    total = 0.0
    for h in mutates_what_it_yields(x):
        total = total + np.sum(h * h)
    return total


def writes_what_the_generator_reads(x):
    buffer = np.zeros(3)
    total = 0.0
    for v in reads_buffer(buffer, x):
        buffer[0] = buffer[0] + v  # refused: writes_what_the_generator_reads
        total = total + v
    return total + np.sum(buffer)


def reads_buffer(buffer, x):
    for i in range(3):
        yield np.sum(buffer) + x[i]


def rebinds_what_the_generator_reads(x):
    scale = 1.0

    def scaled(u):
        for v in u:
            yield v * scale

    total = 0.0
    for v in scaled(x):  # refused: rebinds_what_the_generator_reads
        total = total + v
        scale = scale * 2.0  # Python's generator reads the new scale for its next item
    return total


def writes_what_the_nested_generator_reads(x):
    buffer = x * 1.0

    def scaled(u):
        for v in u:
            yield v * buffer[0]

    total = 0.0
    for v in scaled(x):
        total = total + v
        buffer[0] = buffer[0] * 2.0  # refused: writes_what_the_nested_generator_reads
    return total


REFUSED = {
    calls_forever: ("forever", "never ends"),
    calls_receives: ("receives", "the value of a 'yield' expression"),
    calls_returns_a_value: ("returns_a_value", "a generator's return value"),
    calls_draws: ("draws", "a random draw or an output"),
    calls_prints: ("prints", "a random draw or an output"),
    calls_under_errstate: ("under_errstate", "inside a 'with' block"),
    through_an_argument: ("only_passed_around", "could not tell which function"),
    only_passed_around: ("only_passed_around", "could not tell which function"),
    breaks: ("breaks", "a 'break' leaves the loop"),
    returns_from_loop: ("returns_from_loop", "a 'return' leaves the loop"),
    takes_next: ("takes_next", "passed to 'next'"),
    kept: ("kept", "kept or used other than by walking it"),
    zipped_with_shorter: ("zipped_with_shorter", "'zip' may stop before its end"),
    short_circuit: ("short_circuit", "passed to 'any'"),
    passed_on: ("passed_on", "passed to 'consume'"),
    through_numpy: ("through_numpy", "passed to 'np.sum'"),
    as_value: ("as_value", "is used as a value"),
    calls_mutates_what_it_yields: ("mutates_what_it_yields", "writing an element of 'h'"),
    writes_what_the_generator_reads: ("writes_what_the_generator_reads", "writing an element of 'buffer'"),
    rebinds_what_the_generator_reads: ("rebinds_what_the_generator_reads", "binds scale again"),
    writes_what_the_nested_generator_reads: ("writes_what_the_nested_generator_reads",
                                             "writing an element of 'buffer'"),
}


def _marked_line(case: str) -> int:
    lines = Path(THIS_FILE).read_text().splitlines()
    marked = [i + 1 for i, text in enumerate(lines) if text.rstrip().endswith(f"# refused: {case}")]
    assert len(marked) == 1, case
    return marked[0]


@pytest.mark.parametrize("f", list(REFUSED), ids=lambda f: f.__name__)
def test_refused_at_its_line(f):
    case, message = REFUSED[f]
    line = _marked_line(case)
    for run in (lambda: srcgrad.grad(f)(X[:3].copy()), lambda: srcgrad.jvp(f, (X[:3].copy(),), (np.ones(3),))):
        with pytest.raises(SrcgradSyntaxError) as info:
            run()
        error = info.value
        assert message in str(error).splitlines()[0], str(error)
        assert error.lineno == line and str(Path(error.filename).resolve()) == THIS_FILE, str(error)
        assert error.hint, str(error)
