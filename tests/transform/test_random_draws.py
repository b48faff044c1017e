"""Random draws inside a differentiated function: no derivative flows through a draw, so its noise is a
constant of the gradient (checked against the noise itself, redrawn from the same seed); a draw whose
parameters depend on the differentiated inputs is refused at its line, with the reparameterisation as the
hint, since srcgrad gives draws no derivative."""

import numpy as np
import pytest

import srcgrad

X = np.array([0.3, -0.7, 1.2])
STATE = np.random.RandomState(0)
GENERATOR = np.random.default_rng(0)


def through_a_generator(x):
    return np.sum(x * GENERATOR.standard_normal(x.shape))


def through_the_global_state(x):
    return np.sum(x * np.random.normal(size=x.shape))


def through_a_random_state(x):
    return np.sum(x * STATE.uniform(-1.0, 1.0, size=3))


def test_a_draw_is_a_constant_of_the_gradient():
    global GENERATOR
    GENERATOR = np.random.default_rng(7)
    gradient = srcgrad.grad(through_a_generator)(X)
    np.testing.assert_array_equal(gradient, np.random.default_rng(7).standard_normal(3))
    np.random.seed(3)
    gradient = srcgrad.grad(through_the_global_state)(X)
    np.random.seed(3)
    np.testing.assert_array_equal(gradient, np.random.normal(size=3))
    STATE.seed(5)
    gradient = srcgrad.grad(through_a_random_state)(X)
    STATE.seed(5)
    np.testing.assert_array_equal(gradient, STATE.uniform(-1.0, 1.0, size=3))


def draw_with_a_differentiated_mean(x):
    return np.sum(STATE.normal(x, 1.0))


def test_a_draw_with_differentiated_parameters_is_refused_at_its_line():
    with pytest.raises(srcgrad.MissingRuleError, match="standard noise") as caught:
        srcgrad.grad(draw_with_a_differentiated_mean)(X)
    assert caught.value.filename == __file__
    assert caught.value.lineno == draw_with_a_differentiated_mean.__code__.co_firstlineno + 1
