"""Adversarial cases: callees and scope — user functions that mutate or return their arguments, methods that
write to ``self``, closures over mutable state, lambdas, callable objects, functions chosen at run time,
``getattr``/``operator``/dunder calls (some of them in place), ``setattr``, ``vars()``, ``locals()``."""

import builtins
import functools
import operator

import numpy as np
from soundness_check import registry

case, add = registry("scope")

X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])
FUNCS = {"a": np.sin, "b": np.cos}


def _scale_in_place(a):
    a *= 2.0


def _identity(a):
    return a


def _set_first(a, v):
    a[0] = v


def _append_and_return(items, v):
    items.append(v)
    return items


def _row_energy(r):
    return np.sum(r * r)


def _square(v):
    return v * v


def _apply_twice(fn, v):
    return fn(fn(v))


def _fill_recursively(a, i, x):
    if i == len(a):
        return a
    a[i] = x[i] * x[i - 1]
    return _fill_recursively(a, i + 1, x)


def _logged(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


class Box:
    pass


class Model:
    def __init__(self):
        self.buf = np.zeros(3)
        self.scale = 1.5

    def loss(self, x):
        self.buf[...] = x * x
        return np.sum(self.buf * x) * self.scale

    def loss_via_attribute_rebind(self, x):
        self.hidden = np.sin(x)
        self.hidden = self.hidden * x
        return np.sum(self.hidden)


class Scaled:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.sum(self.w * np.sin(x) * x)


class Accumulating:
    def __init__(self):
        self.parts = []

    def __call__(self, x):
        self.parts = [x * x]
        self.parts.append(np.cos(x))
        return np.sum(self.parts[0] * self.parts[1])


class Helper:
    @staticmethod
    def scale(v):
        return 3.0 * v

    @classmethod
    def twice(cls, v):
        return cls.scale(v) * 2.0


def _make_closure_over_list():
    state = [np.array([1.0, 2.0, 3.0])]

    def closed(x):
        state[0] = state[0] * 0.0 + x
        return np.sum(state[0] * x * x)

    return closed


def _make_closure_over_scalar():
    k = 2.5

    def closed_scalar(x):
        return np.sum(np.tanh(k * x))

    return closed_scalar


@case(args=(X,), smooth=True, helpers=(_scale_in_place,))
def callee_mutates_local(x):
    a = x * 1.0
    _scale_in_place(a)
    return np.sum(a * x)


@case(args=(X,), smooth=True, helpers=(_scale_in_place,))
def callee_mutates_argument(x):
    _scale_in_place(x)
    return np.sum(x * x)


@case(args=(X,), smooth=True, helpers=(_identity,))
def callee_returns_its_argument(x):
    a = x * 1.0
    b = _identity(a)
    b += x * x
    return np.sum(a * x)


@case(args=(X,), smooth=True, helpers=(_set_first,))
def callee_setitem(x):
    a = x.copy()
    _set_first(a, x[1] * x[2])
    return np.sum(a * a)


@case(args=(X,), smooth=True, helpers=(_append_and_return,))
def callee_appends_and_returns_list(x):
    l = [x]
    m = _append_and_return(l, np.sin(x))
    m[0] = m[0] * 2.0
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True, helpers=(_fill_recursively,))
def recursive_callee_writes(x):
    a = np.ones(3)
    _fill_recursively(a, 1, x)
    return np.sum(a * x)


add(Model().loss, args=(X,), smooth=True, name="method_writes_self_buffer")
add(Model().loss_via_attribute_rebind, args=(X,), smooth=True, name="method_rebinds_self_attribute")
add(Scaled(np.array([1.0, -2.0, 0.5])), args=(X,), smooth=True, name="callable_object")
add(Accumulating(), args=(X,), smooth=True, name="callable_object_list_attribute")
add(_make_closure_over_list(), args=(X,), smooth=True, name="closure_over_mutable_list")
add(_make_closure_over_scalar(), args=(X,), smooth=True, name="closure_over_scalar")
add(lambda x: np.sum(x * x * x), args=(X,), smooth=True, name="top_level_lambda")
add(functools.partial(np.power, 2.0), args=(0.7,), smooth=True, name="partial_of_numpy_function")


@case(args=(X,), smooth=True)
def lambda_capturing_local(x):
    k = x[0]
    g = lambda v: v * k
    return np.sum(g(x) * x)


@case(args=(X,), smooth=True)
def nested_def_capturing_local(x):
    k = np.sin(x)

    def inner(v):
        return v * k

    return np.sum(inner(x))


@case(args=(X,), smooth=True)
def getattr_numpy_function(x):
    return np.sum(getattr(np, "sin")(x) * x)


@case(args=(X,), smooth=True)
def getattr_array_method(x):
    return getattr(x * x, "sum")() * x[0]


@case(args=(X,), smooth=True)
def dispatch_through_dict(x):
    return np.sum({"a": np.sin, "b": np.cos}["a"](x) * x)


@case(args=(X,), smooth=True)
def dispatch_through_global_dict(x):
    key = "b" if x.shape[0] == 3 else "a"
    return np.sum(FUNCS[key](x) * x)


@case(args=(X,))
def function_chosen_by_value(x):
    fn = np.sin if x[0] > 0 else np.cos
    return np.sum(fn(x) * x)


@case(args=(X,), smooth=True, helpers=(_apply_twice,))
def function_passed_to_helper(x):
    return np.sum(_apply_twice(np.tanh, x))


@case(args=(M,), smooth=True, helpers=(_row_energy,))
def apply_along_axis(m):
    return np.sum(np.apply_along_axis(_row_energy, 1, m) * np.array([1.0, 2.0]))


@case(args=(X,), smooth=True, helpers=(_square,))
def map_user_function(x):
    return sum(list(map(_square, x))) * x[0]


@case(args=(X,), smooth=True)
def builtins_module_sum(x):
    return builtins.sum(x * x) + builtins.max(x[0], 0.1)


@case(args=(X,), smooth=True)
def generator_expression(x):
    return sum(v ** 2 for v in x)


def _pieces(x):
    for i in range(x.shape[0]):
        yield x[i] * x[-1 - i]


def _filling(x):
    h = np.zeros(3)
    for i in range(3):
        h[i] = x[i]
        yield h


def _shifted_by(buffer, x):
    for i in range(3):
        yield np.sum(buffer) + x[i]


@case(args=(X,), smooth=True, helpers=(_pieces,))
def generator_function_walked(x):
    total = 0.0
    for i, v in enumerate(_pieces(x)):
        total = total + np.sin(v) * i
    return total + sum(w * w for w in _pieces(x))


@case(args=(X,), smooth=True, helpers=(_pieces,), expect="refuse")
def generator_function_walked_twice(x):
    items = _pieces(x)  # Python's second pass finds the generator empty
    return sum(items) + sum(items)


@case(args=(X,), smooth=True, helpers=(_pieces,), expect="refuse")
def generator_function_left_early(x):
    total = 0.0
    for v in _pieces(x):
        total = total + v
        break
    return total


@case(args=(X,), smooth=True, helpers=(_filling,), expect="refuse")
def generator_function_yielding_what_it_updates(x):
    return sum(np.sum(h * h) for h in _filling(x))


@case(args=(X,), smooth=True, helpers=(_shifted_by,), expect="refuse")
def generator_function_reading_what_the_loop_updates(x):
    buffer = np.zeros(3)
    for v in _shifted_by(buffer, x):
        buffer[0] = buffer[0] + v  # Python's generator sees the new buffer on its next item
    return np.sum(buffer)


@case(args=(X,), smooth=True)
def partial_inside(x):
    p = functools.partial(np.power, 2.0)
    return np.sum(p(x))


@case(args=(X,), smooth=True)
def operator_mul(x):
    return np.sum(operator.mul(x, x) * x)


@case(args=(X,), smooth=True)
def operator_iadd_in_place(x):
    a = x * 1.0
    b = operator.iadd(a, x * x)
    return np.sum(a * b)


@case(args=(X,), smooth=True)
def operator_setitem(x):
    a = x.copy()
    operator.setitem(a, 0, x[1] * x[2])
    return np.sum(a * a)


@case(args=(X,), smooth=True)
def ndarray_iadd_dunder(x):
    a = x * 2.0
    np.ndarray.__iadd__(a, x)
    return np.sum(a * a)


@case(args=(X,), smooth=True)
def setitem_dunder(x):
    a = x * 1.0
    a.__setitem__(0, x[0] ** 2)
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def setattr_on_object(x):
    b = Box()
    setattr(b, "v", x * x)
    return np.sum(b.v * x)


@case(args=(X,), smooth=True)
def attribute_alias_mutation(x):
    b = Box()
    b.v = x * 1.0
    a = b.v
    a *= 3.0
    return np.sum(b.v * x)


@case(args=(X,), smooth=True)
def vars_lookup(x):
    y = x * x
    return np.sum(vars()["y"] * x)


@case(args=(X,), smooth=True)
def locals_lookup(x):
    y = np.sin(x)
    return np.sum(locals()["y"] * x)


@case(args=(X,), smooth=True)
def static_and_class_methods(x):
    return np.sum(Helper.scale(x) * Helper.twice(x))


@case(args=(X,), smooth=True, helpers=(_logged, _square))
def decorated_helper_call(x):
    return np.sum(_logged(_square)(x) * x)
