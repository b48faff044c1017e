"""Calls with a star-argument whose length only the run knows (``call_star``): into the user's functions,
into rule-table functions, and into random draws; gradients, tangents and Hessians against central
differences and HIPS autograd."""

import numpy as np
import pytest

import srcgrad

X = np.array([[0.3, -0.7]])
RS = np.random.RandomState(0)


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def into_a_user_function(x):
    parts = [x, np.tanh(x)]
    return np.sum(concat_and_multiply(np.full((5, 2), 0.5), *parts) ** 2)


def into_rule_table_functions(x):
    pair = (x, np.sin(x))
    return np.sum(np.add(*pair) * np.multiply(2.0, *[x]))


def with_arguments_around_the_star(x):
    rest = [np.cos(x)]
    return np.sum(np.where(x > 0.0, *rest, x * x))


def unzipped_pairs(x):
    pairs = [(x, np.sin(x)), (2.0 * x, np.cos(x))]
    firsts, seconds = zip(*pairs)  # transposed, as a list of tuples
    return np.sum(firsts[0] * seconds[1] + firsts[1] * seconds[0])


def variadic_rule_through_a_name(x):
    contract = np.einsum  # called through a variable: call_with_vjp / call_with_jvp use the einsum rules
    return np.sum(contract("ij,ij->i", x, np.sin(x)))


CASES = [into_a_user_function, into_rule_table_functions, with_arguments_around_the_star, unzipped_pairs,
         variadic_rule_through_a_name]


def _central(f, x, eps=1e-6):
    flat = np.eye(x.size)
    return np.array([(f(x + eps * e.reshape(x.shape)) - f(x - eps * e.reshape(x.shape))) / (2 * eps)
                     for e in flat]).reshape(x.shape)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_and_tangent(f):
    gradient = srcgrad.grad(f)(X)
    assert gradient.shape == X.shape and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, _central(f, X), rtol=1e-6, atol=1e-8)
    tangent = np.array([[0.5, -1.5]])
    np.testing.assert_allclose(srcgrad.jvp(f, (X,), (tangent,))[1], np.sum(gradient * tangent), rtol=1e-10)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    oracle = type(f)(f.__code__, dict(f.__globals__, np=anp))
    np.testing.assert_allclose(gradient, autograd.grad(oracle)(X), rtol=1e-12, atol=1e-14)


def noisy_loss(x):
    noise = RS.randn(*x.shape)  # a draw: no derivative flows through it
    return np.sum(x * noise)


def test_a_random_draw_with_a_star_argument_runs_as_python_runs_it():
    RS.seed(3)
    gradient = srcgrad.grad(noisy_loss)(X)
    RS.seed(3)
    np.testing.assert_array_equal(gradient, RS.randn(*X.shape))


def from_an_iterator(x):
    return np.sum(np.add(*iter([x, x * x])))


def test_a_star_argument_that_cannot_take_derivatives_back_is_refused():
    with pytest.raises(srcgrad.SrcgradError, match="iter") as caught:
        srcgrad.grad(from_an_iterator)(X)
    assert caught.value.filename == __file__
