"""Records: objects whose attributes carry derivatives (``records.py``). Objects of the user's classes made
in the differentiated function from differentiated values, dataclasses and namedtuples made there or passed
in, their methods, properties and bound methods used as values. Gradients, forward-mode tangents and
Hessians against central differences and HIPS autograd (which runs the same Python source); what is
refused, at the user's line."""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import numpy as np
import pytest
from oracles import central, check_forward_and_hessian, check_gradient

import srcgrad

X = np.array([0.3, -0.7, 1.2])
INPUT = np.array([0.5, -1.0, 2.0])


class Linear:
    def __init__(self, w, b=0.0, scale=1.0):
        self.w = w
        self.b = b * scale
        self.history = []

    def __call__(self, v):
        return np.tanh(self.w * v + self.b)

    def twice(self, v):
        return self(self(v))


class Affine:
    def __init__(self, w, b):
        self.w, self.b = w, b  # field by field
        self.b += 0.5 * w[0]
        self.parts = []
        self.parts.append(w * 2.0)

    @property
    def gain(self):
        return np.exp(self.w[1])

    def apply(self, v):
        return self.gain * (self.w * v + self.b) + self.parts[0]


class Stack:
    def __init__(self, layers):
        self.layers = layers

    def apply(self, v):
        for layer in self.layers:
            v = layer(v)
        return v


@dataclasses.dataclass
class Params:
    w: np.ndarray
    b: float
    activation: str = "tanh"


@dataclasses.dataclass(frozen=True)
class FrozenParams:
    w: np.ndarray
    b: float


class Pair(NamedTuple):
    w: np.ndarray
    b: float


def integrate(field, y, h):
    for _ in range(2):
        y = y + h * field(y)
    return y


def object_made_in_the_function(x):
    layer = Linear(x, b=x[0], scale=2.0)
    return np.sum(layer(INPUT) ** 2)


def method_calling_methods(x):
    return np.sum(Linear(x * 0.5, x[2]).twice(INPUT))


def tuple_assignment_augmented_field_and_a_list_field(x):
    return np.sum(Affine(x, x[2]).apply(INPUT))


def objects_holding_objects(x):
    stack = Stack([Linear(x), Linear(x * x, x[1])])
    return np.sum(stack.apply(INPUT))


def bound_method_passed_to_an_integrator(x):
    return np.sum(integrate(Linear(x, 0.1).twice, INPUT, 0.1))


class Field:
    def __init__(self, rates):
        self.rates = rates

    def __call__(self, y, forcing=0.0):
        return -self.rates * np.sin(y) + forcing

    def damped(self, y, damping):
        return self(y) - damping * y


def methods_bound_by_partials(x):
    field = Field(np.exp(x))
    forced = functools.partial(field, forcing=x[0])
    damped = functools.partial(field.damped, damping=x[2] ** 2)
    return np.sum(integrate(forced, INPUT, 0.1) * integrate(damped, INPUT, 0.2))


def dataclass_made_in_the_function(x):
    params = Params(x, b=x[1])
    return np.sum(np.tanh(params.w * INPUT + params.b))


def namedtuple_made_in_the_function(x):
    pair = Pair(np.sin(x), x[0] * x[1])
    w, b = pair
    return np.sum(pair.w * pair[1] * INPUT) + b * np.sum(w)


def records_in_a_list(x):
    layers = [Linear(x), Linear(-x, x[0])]
    return sum([np.sum(layer(INPUT)) for layer in layers])


CASES = [object_made_in_the_function, method_calling_methods, tuple_assignment_augmented_field_and_a_list_field,
         objects_holding_objects, bound_method_passed_to_an_integrator, dataclass_made_in_the_function,
         namedtuple_made_in_the_function, records_in_a_list, methods_bound_by_partials]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_against_finite_differences_and_autograd(f):
    check_gradient(f, X.copy())


@pytest.mark.parametrize("f", [c for c in CASES if c is not tuple_assignment_augmented_field_and_a_list_field],
                         ids=lambda f: f.__name__)
def test_forward_mode_and_hessian(f):
    check_forward_and_hessian(f, X)


def test_a_property_has_first_derivatives_and_refuses_second_ones():
    f = tuple_assignment_augmented_field_and_a_list_field
    tangent = np.array([0.2, -0.4, 1.0])
    _, jvp = srcgrad.jvp(f, (X,), (tangent,))
    np.testing.assert_allclose(jvp, central(f, X) @ tangent, rtol=1e-6)
    with pytest.raises(srcgrad.MissingRuleError, match=r"property Affine\.gain"):
        srcgrad.hessian(f)(X)


def loss_of_params(params, v):
    return np.sum((np.tanh(params.w * v + params.b) - 0.5) ** 2)


def loss_of_pair(pair, v):
    return np.sum(np.sin(pair.w) * pair[1] * v) + pair.b ** 2


def _loss_of_flat(flat):
    return loss_of_params(Params(flat[:3], flat[3]), INPUT)


@pytest.mark.parametrize("kind", [Params, FrozenParams])
def test_gradient_of_a_dataclass_input_is_a_dataclass(kind):
    params = kind(X.copy(), 0.25)
    gradient = srcgrad.grad(loss_of_params)(params, INPUT)
    assert type(gradient) is kind and gradient is not params
    flat = np.concatenate([X, [0.25]])
    expected = central(_loss_of_flat, flat)
    assert gradient.w.shape == (3,) and gradient.w.dtype == np.float64 and type(gradient.b) is float
    np.testing.assert_allclose(gradient.w, expected[:3], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gradient.b, expected[3], rtol=1e-6)
    np.testing.assert_array_equal(params.w, X)  # the input is left alone
    if kind is Params:
        assert gradient.activation == "tanh"  # a setting, handed back as it is


def test_gradient_of_a_namedtuple_input_is_a_namedtuple():
    pair = Pair(X.copy(), 0.7)
    gradient = srcgrad.grad(loss_of_pair)(pair, INPUT)
    assert type(gradient) is Pair
    expected = central(lambda flat: loss_of_pair(Pair(flat[:3], flat[3]), INPUT), np.concatenate([X, [0.7]]))
    np.testing.assert_allclose(np.concatenate([gradient.w, [gradient.b]]), expected, rtol=1e-6, atol=1e-9)


def test_tangents_of_dataclass_and_namedtuple_inputs():
    params, direction = Params(X.copy(), 0.25), Params(np.array([1.0, 0.0, -1.0]), 0.5)
    _, jvp = srcgrad.jvp(loss_of_params, (params, INPUT), (direction, np.zeros(3)))
    gradient = srcgrad.grad(loss_of_params)(params, INPUT)
    np.testing.assert_allclose(jvp, gradient.w @ direction.w + gradient.b * direction.b, rtol=1e-10)
    pair, along = Pair(X.copy(), 0.7), Pair(np.ones(3), -1.0)
    _, jvp = srcgrad.jvp(loss_of_pair, (pair, INPUT), (along, np.zeros(3)))
    gradient = srcgrad.grad(loss_of_pair)(pair, INPUT)
    np.testing.assert_allclose(jvp, gradient.w.sum() - gradient.b, rtol=1e-10)
    with pytest.raises(ValueError, match="must be a Params"):
        srcgrad.jvp(loss_of_params, (params, INPUT), ({"w": X, "b": 1.0}, np.zeros(3)))


class Clipped:
    __slots__ = ("w",)  # objects with slots are made by calling the class, not inlined

    def __init__(self, w, limit):
        self.w = w
        if limit is None:
            return
        self.w = np.minimum(w, limit)

    def total(self):
        return np.sum(self.w ** 2)


def object_whose_constructor_is_called(x):
    return Clipped(x * 2.0, 1.0).total()


def test_a_constructor_is_generated_code_that_returns_the_object():
    source = srcgrad.show(object_whose_constructor_is_called, X)
    assert "set_field(self, 'w', w)" in source and "def init___grad(self, w, limit):" in source
    assert "call_with_vjp(with_constants(Clipped, (1,)), x_times_2_0, 1.0)" in source
    gradient = check_gradient(object_whose_constructor_is_called, X.copy())
    np.testing.assert_allclose(gradient, 8.0 * X * (2.0 * X < 1.0) + 0.0, rtol=1e-12)


def test_an_inlined_constructor_and_methods_read_the_fields_from_their_values():
    source = srcgrad.show(object_made_in_the_function, X)
    assert "# line 25, in Linear.__init__: self.w = w" in source
    assert "# line 30, in Linear.__call__: return np.tanh(self.w * v + self.b)" in source
    assert "call_with_vjp" not in source and "set_field" not in source and "field_cotangent" not in source


class Counter:
    def __init__(self, w):
        self.w = w
        self.total = 0.0

    def add(self, v):
        self.total = self.total + self.w * v  # changes the object after it was made
        return v


def method_changing_its_object(x):
    counter = Counter(x)
    counter.add(INPUT)
    return np.sum(counter.total)


class Base:
    def __init__(self, w):
        self.w = w


class Child(Base):
    def __init__(self, w, c):
        super().__init__(w)
        self.c = c


def parent_constructor_through_super(x):
    return np.sum(Child(x, 2.0).w)


class OwnNew:
    def __new__(cls, w):
        obj = super().__new__(cls)
        obj.w = w
        return obj


def class_with_its_own_new(x):
    return np.sum(OwnNew(x).w)


class Lazy:
    def __init__(self, w):
        self.w = w

    def __getattr__(self, name):  # computed from a field, out of sight of get_field
        if name == "doubled":
            return self.w * 2.0
        raise AttributeError(name)


def attribute_from_getattr(x):
    return np.sum(Lazy(x).doubled)


@pytest.mark.parametrize(("f", "match"), [
    (method_changing_its_object, "assigning the attribute 'total'"),
    (attribute_from_getattr, r"Lazy\.doubled is neither stored in the object nor a property"),
    (parent_constructor_through_super, "assigning the attribute 'w'"),
    (class_with_its_own_new, "no derivative rule for 'OwnNew'"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_what_is_refused_is_refused_at_the_users_line(f, match):
    with pytest.raises(srcgrad.SrcgradError, match=match) as caught:
        srcgrad.grad(f)(X.copy())
    assert caught.value.filename == __file__


def test_an_attribute_from_getattr_is_refused_in_forward_mode_too():
    with pytest.raises(srcgrad.MissingRuleError, match=r"Lazy\.doubled") as caught:
        srcgrad.jvp(attribute_from_getattr, (X.copy(),), (np.ones(3),))
    assert caught.value.filename == __file__


class Scaled:
    scale = 3.0  # a value of the class: constant, as a module global is

    def __init__(self, w):
        self.w = w

    @staticmethod
    def squash(v):
        return np.tanh(v)

    def apply(self, v):
        return self.squash(self.scale * self.w * v)


def class_constant_and_static_method(x):
    made = Scaled(x)
    return np.sum(made.apply(INPUT)) + made.scale * np.sum(made.w)


def test_class_constants_and_static_methods_are_constants():
    x = X.copy()
    gradient = srcgrad.grad(class_constant_and_static_method)(x)
    expected = 3.0 * INPUT * (1 - np.tanh(3.0 * x * INPUT) ** 2) + 3.0
    np.testing.assert_allclose(gradient, expected, rtol=1e-12)
    np.testing.assert_allclose(gradient, central(class_constant_and_static_method, x), rtol=1e-7)
    _, tangent = srcgrad.jvp(class_constant_and_static_method, (x,), (np.ones(3),))
    np.testing.assert_allclose(tangent, np.sum(expected), rtol=1e-12)


def test_an_object_made_from_constants_is_plain_python():
    layer = functools.partial(Linear, np.ones(3))
    gradient = srcgrad.grad(lambda v: np.sum(layer()(v)))(INPUT)
    np.testing.assert_allclose(gradient, 1 - np.tanh(INPUT) ** 2)
