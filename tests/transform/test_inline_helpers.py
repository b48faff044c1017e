"""Small helper functions inlined into their caller (``frontend/inline_helpers.py``), and the analyses that
make the inlined code fast: tuple items read from the names they were built of (``frontend/tuple_items.py``)
and shapes computed from shapes (``analysis/shapes.py``).

Inlined or not, the gradient must be the same: each case is checked against central differences and against
HIPS autograd running the same source (helpers included), in reverse mode, forward mode and for the Hessian.
The generated code is checked to hold the helper's lines (quoted with the helper's name) and no call of it;
what is not inlined still works; a redefined helper is seen; refusals inside a helper name its line."""

from __future__ import annotations

import inspect
import types

import numpy as np
import pytest
from callee_module import imported_square_sum
from oracles import central

import srcgrad
from srcgrad.frontend.tuple_items import forward_tuple_items

X = np.array([0.3, -0.7, 1.2, 0.4])


def sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def affine(w, v, shift=0.25):
    return w[0] * v + w[1] + shift


def concat_and_multiply(weights, *args):
    stacked = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return stacked @ weights


def step(pos, vel, force):
    vel = vel + 0.1 * (force - 0.5 * pos)
    pos = pos + 0.1 * vel
    return pos, vel


def energy(pos, force):
    return np.sum(pos * pos) + 0.1 * np.sum(force * force)


def clipped(v):
    if np.sum(v) > 0:
        return v * 2.0  # an early return
    return np.sin(v)


def relu_sum(v):
    total = 0.0
    for k in range(v.shape[0]):
        total = total + sigmoid(v[k]) * v[k]
    return total


def one_line_helper(x):
    return np.sum(sigmoid(x * 3.0) * x)


def helper_with_a_default(x):
    return np.sum(np.tanh(affine(x, x)) + affine(x, x, 1.0))


def helper_returning_a_pair_in_a_loop(x):
    pos, vel, total = x, np.zeros_like(x), 0.0
    for _ in range(5):
        force = np.tanh(x[0] * pos + x[1])
        pos, vel = step(pos, vel, force)
        total = total + energy(pos, force)
    return total


def star_args_helper_called_four_times(x):
    weights = np.outer(np.arange(1.0, 4.0), x)[:, :2] * 0.3
    inputs = x.reshape(2, 2)
    h = np.zeros((2, 1)) + x[3]
    gates = [concat_and_multiply(weights, inputs[:, :1], h) for _ in range(2)]
    return np.sum(sigmoid(gates[0]) * np.tanh(gates[1])) + np.sum(concat_and_multiply(weights, inputs[:, 1:], h))


def helper_calling_helpers(x):
    return relu_sum(x) + one_line_helper(x)


def helper_with_an_early_return(x):
    return np.sum(clipped(x) * x) + np.sum(clipped(-x))


def helper_with_a_keyword(x):
    return np.sum(affine(x, x, shift=0.5) ** 2)


def helper_not_inlined(x):
    return imported_square_sum(x * 2.0, weight=0.5)  # of another module: called as written


class Regression:
    offset = 0.5  # a class constant: read through the object, constant

    def __init__(self, w, b, decay=1e-2):
        self.w = w
        self.b = b * 2.0
        self.decay = decay

    def predict(self, v):
        return np.tanh(self.w * v + self.b) + self.offset

    def __call__(self, v):
        return self.predict(v) * self.w[0]

    def loss(self, v, target):
        err = self(v) - target
        return np.mean(err ** 2) + self.decay * np.sum(self.w ** 2)


def object_with_methods(x):
    model = Regression(x, x[1])
    return model.loss(np.linspace(-1.0, 1.0, 4), 0.3)


def objects_in_a_loop(x):
    total = 0.0
    for k in range(3):
        layer = Regression(x * (k + 1.0), x[k])
        total = total + np.sum(layer.predict(x))
    return total


def object_passed_on(x):
    model = Regression(x, x[2])
    return np.sum(apply_model(model, x))  # the object escapes: its fields are read from it


def apply_model(m, v):
    return m.predict(v) * m.b


CASES = [one_line_helper, helper_with_a_default, helper_returning_a_pair_in_a_loop,
         star_args_helper_called_four_times, helper_calling_helpers, object_with_methods, objects_in_a_loop,
         object_passed_on, helper_with_an_early_return, helper_with_a_keyword, helper_not_inlined]
HELPERS = [sigmoid, affine, concat_and_multiply, step, energy, clipped, relu_sum, one_line_helper, apply_model]


def _with_autograd_numpy(f):
    """``f`` and every helper rebuilt over one globals dict in which ``np`` is ``autograd.numpy``."""
    anp = pytest.importorskip("autograd.numpy")
    namespace = dict(f.__globals__, np=anp)
    for function in [*HELPERS, f]:
        namespace[function.__name__] = types.FunctionType(function.__code__, namespace, function.__name__,
                                                          function.__defaults__)
    methods = {name: types.FunctionType(m.__code__, namespace, name, m.__defaults__)
               for name, m in vars(Regression).items() if inspect.isfunction(m)}
    namespace["Regression"] = type("Regression", (), {**methods, "offset": Regression.offset})
    return namespace[f.__name__]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences_and_autograd(f):
    x = X.copy()
    gradient = srcgrad.grad(f)(x)
    assert gradient.shape == X.shape and gradient.dtype == np.float64
    np.testing.assert_array_equal(x, X)
    np.testing.assert_allclose(gradient, central(f, X), rtol=1e-6, atol=1e-8)
    autograd = pytest.importorskip("autograd")
    np.testing.assert_allclose(gradient, autograd.grad(_with_autograd_numpy(f))(X.copy()), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_mode_and_hessian(f):
    tangent = np.linspace(0.4, -1.0, X.size)
    value, jvp = srcgrad.jvp(f, (X.copy(),), (tangent,))
    assert value == pytest.approx(f(X.copy()), rel=1e-14)
    np.testing.assert_allclose(jvp, srcgrad.grad(f)(X.copy()) @ tangent, rtol=1e-10)
    hessian = srcgrad.hessian(f)(X.copy())
    expected = np.stack([central(lambda v, i=i: srcgrad.grad(f)(v)[i], X) for i in range(X.size)])
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6)
    autograd = pytest.importorskip("autograd")
    np.testing.assert_allclose(hessian, autograd.hessian(_with_autograd_numpy(f))(X.copy()), rtol=1e-9, atol=1e-11)


def test_the_generated_code_holds_the_helpers_lines_and_no_call_of_them():
    source = srcgrad.show(helper_returning_a_pair_in_a_loop, X)
    for helper in (step, energy):
        assert f"call_with_vjp({helper.__name__}" not in source
        first = inspect.getsourcelines(helper)[1] + 1
        assert f"# line {first}, in {helper.__name__}: " in source
    assert "call_output" not in source and "step_out[0]" not in source  # the pair was read from its names


@pytest.mark.parametrize("f", CASES[:-1], ids=lambda f: f.__name__)
def test_every_helper_call_of_the_inlinable_cases_is_inlined(f):
    source = srcgrad.show(f, X)
    assert "call_with_vjp" not in source and "call_output" not in source
    assert ", in " in source


def test_an_object_that_escapes_is_made_and_read_as_an_object():
    source = srcgrad.show(object_passed_on, X)
    assert "new_object(Regression)" in source and "set_field(" in source


def test_a_redefined_method_is_seen_by_code_that_inlined_it():
    first = srcgrad.grad(object_with_methods)(X.copy())
    original = Regression.predict

    def predict(self, v):
        return np.sin(self.w * v)

    Regression.predict = predict
    try:
        changed = srcgrad.grad(object_with_methods)(X.copy())
        np.testing.assert_allclose(changed, central(object_with_methods, X), rtol=1e-6, atol=1e-8)
        assert not np.allclose(changed, first)
    finally:
        Regression.predict = original
    np.testing.assert_allclose(srcgrad.grad(object_with_methods)(X.copy()), first, rtol=1e-14)


class Squares:
    def __init__(self, w):
        self.w = w

    def value(self):
        return np.sum(self.w ** 2)


class Sines:
    def __init__(self, w):
        self.w = w

    def value(self):
        return np.sum(np.sin(self.w))


def object_of_either_class(x):
    if x[0] > 0:
        model = Squares(x)
    else:
        model = Sines(x)
    return model.value()


def object_replaced_in_a_loop(x):
    model = Squares(x)
    total = 0.0
    for _ in range(2):
        total = total + model.value()  # a Squares on the first trip, a Sines on the second
        model = Sines(x)
    return total


def test_a_method_called_before_its_object_is_replaced_in_a_loop_is_each_trips_own():
    expected = 2 * X + np.cos(X)
    np.testing.assert_allclose(srcgrad.grad(object_replaced_in_a_loop)(X.copy()), expected, rtol=1e-14)
    np.testing.assert_allclose(srcgrad.grad(object_replaced_in_a_loop)(X.copy()),
                               central(object_replaced_in_a_loop, X), rtol=1e-6)


def test_a_method_of_an_object_made_in_either_branch_is_the_objects_own():
    for sign in (1.0, -1.0):
        x = X * sign
        expected = 2 * x if sign > 0 else np.cos(x)
        np.testing.assert_allclose(srcgrad.grad(object_of_either_class)(x), expected, rtol=1e-14)
        _, tangent = srcgrad.jvp(object_of_either_class, (x,), (np.ones(4),))
        assert tangent == pytest.approx(np.sum(expected), rel=1e-14)


def test_a_helper_of_another_module_is_called_as_written():
    source = srcgrad.show(helper_not_inlined, X)
    assert "call_with_vjp(with_constants(imported_square_sum, (1,)), x_times_2_0, 0.5)" in source


def _redefinable(x):
    return np.sum(swapped_helper(x))


def swapped_helper(v):
    return np.sin(v)


def test_a_redefined_helper_is_seen_by_code_that_inlined_it():
    first = srcgrad.grad(_redefinable)(X.copy())
    np.testing.assert_allclose(first, np.cos(X), rtol=1e-14)
    global swapped_helper
    original = swapped_helper

    def swapped_helper(v):
        return v ** 3

    try:
        np.testing.assert_allclose(srcgrad.grad(_redefinable)(X.copy()), 3 * X ** 2, rtol=1e-14)
    finally:
        swapped_helper = original
    np.testing.assert_allclose(srcgrad.grad(_redefinable)(X.copy()), np.cos(X), rtol=1e-14)


def recursive_helper(v, depth):
    if depth == 0:
        return v
    return np.sin(recursive_helper(v, depth - 1))


def calls_a_recursive_helper(x):
    return np.sum(recursive_helper(x, 3))


def test_a_recursive_helper_is_not_inlined_into_itself():
    expected = np.cos(np.sin(np.sin(X))) * np.cos(np.sin(X)) * np.cos(X)
    np.testing.assert_allclose(srcgrad.grad(calls_a_recursive_helper)(X.copy()), expected, rtol=1e-12)


def writes_into_its_argument(v):
    v[0] = 0.0
    return np.sum(v)


def calls_a_helper_that_writes_into_its_argument(x):
    y = x * 2.0
    return writes_into_its_argument(y) + np.sum(y)


def helper_without_a_rule(v):
    return np.sum(np.frexp(v)[0] * v)


def calls_a_helper_without_a_rule(x):
    return helper_without_a_rule(x * 2.0)


@pytest.mark.parametrize(("f", "helper", "match"), [
    (calls_a_helper_that_writes_into_its_argument, writes_into_its_argument, "writes into"),
    (calls_a_helper_without_a_rule, helper_without_a_rule, "frexp"),
], ids=["argument-write", "no-rule"])
def test_refusals_inside_a_helper_name_the_helpers_line(f, helper, match):
    with pytest.raises(srcgrad.SrcgradError, match=match) as caught:
        srcgrad.grad(f)(X.copy())
    first, last = inspect.getsourcelines(helper)[1], inspect.getsourcelines(helper)[1] + 2
    assert caught.value.filename == __file__ and first <= caught.value.lineno <= last


def test_tuple_items_are_read_from_the_names_they_were_built_of():
    import gast

    fn = gast.parse("def f(a, b):\n    t = (a, b)\n    p = t[1]\n    b = 2\n    q = t[1]\n    return p + q\n").body[0]
    forward_tuple_items(fn)
    assert gast.unparse(fn).splitlines()[2:5] == ["    p = b", "    b = 2", "    q = t[1]"]
