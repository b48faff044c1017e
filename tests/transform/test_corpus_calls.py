"""Calls, the way people structure code: helpers in the same module and in another one (``corpus_helpers``),
keyword and default arguments, deep call trees, calls in loops and branches, recursion and mutual recursion,
closures, functions passed as arguments, methods and callable models, module-level constants, pytrees,
``has_aux``, ``custom_vjp`` and ``stop_gradient`` inside call trees, callees with their own control flow —
each checked against central finite differences. Then caching, redefinition, threads, and the constructs
srcgrad rejects."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from corpus_helpers import functional, models, numerics, rules, trees
from corpus_helpers.functional import apply, apply_twice, compose_apply
from corpus_helpers.numerics import horner, power, smooth_abs, softplus
from gradcheck import Case, Corpus, assert_close, check_grad, finite_difference

import srcgrad
import srcgrad.cache

CORPUS = Corpus()
case = CORPUS.case


def normal(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.normal(size=shape)


def positive(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.uniform(0.5, 2.0, size=shape)


def small(r: np.random.Generator, *shape: int) -> np.ndarray:
    return r.normal(size=shape) * 0.4


# --- module-level constants and objects the corpus uses --------------------------------------------------

GAIN = 1.7
BIAS = np.array([0.1, -0.2, 0.3])
MIXING = np.array([[0.9, 0.2, -0.1], [0.0, 0.7, 0.3], [-0.2, 0.1, 1.1]])
POWERS = (1, 2, 3)

_RNG = np.random.default_rng(1234)
LINEAR = models.Linear(_RNG.normal(size=(3, 3)) * 0.5, _RNG.normal(size=3) * 0.1)
EXPLICIT_SUPER = models.Dense2(_RNG.normal(size=(3, 3)) * 0.5, _RNG.normal(size=3) * 0.1)
MLP = models.MLP([models.Linear(_RNG.normal(size=(4, 3)) * 0.5, _RNG.normal(size=4) * 0.1),
                  models.Linear(_RNG.normal(size=(2, 4)) * 0.5, np.zeros(2))], models.ScaledTanh(1.2))
SOFTPLUS_MLP = models.MLP([models.Linear(_RNG.normal(size=(3, 3)) * 0.5, np.zeros(3))], models.Softplus())
IDENTITY_MLP = models.MLP([models.Linear(_RNG.normal(size=(3, 3)) * 0.5, np.zeros(3))], models.Activation())
PARAMETRIC = models.Parametric(depth=2)

affine = functional.make_affine(1.5, 0.2)
damped_softplus = functional.make_damped(softplus, 0.3)
sin_of_tanh = functional.make_compose(np.sin, functional.tanh_act)
affine_then_damped = functional.make_compose(damped_softplus, affine)
mixer = functional.make_affine(MIXING[0], BIAS)  # closes over arrays


# --- helpers in this module ---------------------------------------------------------------------------------


def _affine(v, a, b=0.5):
    return a * v + b


def _activate(v):
    return np.tanh(_affine(v, 0.8)) + 0.1 * v


def _weighted(v, w, power=2.0):
    return np.sum(w * v ** power)


def _mix(a, b):
    return np.sin(a) * b + a * a


def _level4(v):
    return np.exp(-v * v)


def _level3(v, scale):
    return _level4(v * scale) + np.sin(v)


def _level2(v, w):
    return _level3(v + w, 0.7) * w


def _level1(v, w):
    return np.sum(_level2(v, w) + _level3(w, 1.3))


def _pair(v):
    return v * 2.0, np.cos(v)


def _triple_list(v):
    return [v, v * v, np.sin(v)]


def _floats(t, s):
    return t * s + t * t / (1.0 + s * s)


def _mixed(v, t):
    return np.sum(v * t) + t ** 3


def _repeat(v, n):
    out = v
    for i in range(n):
        out = out * 0.9 + np.sin(out)
    return out


def _ignores_second(v, w):
    return v * 3.0


def _writes_its_argument(v):
    v = np.copy(v)
    v[0] = v[0] * 10.0
    v[1] += 5.0
    return np.sum(v * v)


def _aug_assign(v, w):
    acc = v * 1.0
    acc += w
    acc *= v
    acc -= 0.5 * w
    acc /= 2.0
    return acc


def _rec_sum(v, n):
    if n == 0:
        return v
    return v + 0.5 * _rec_sum(np.sin(v), n - 1)


def _tree_reduce(v):
    """Divide and conquer over the array's halves."""
    if v.shape[0] == 1:
        return v[0] * v[0]
    mid = v.shape[0] // 2
    return _tree_reduce(v[:mid]) * 0.7 + np.sin(_tree_reduce(v[mid:]))


def _is_positive(v):
    return np.sum(v) > 0


def _squared_norm(v):
    return np.sum(v * v)


class Scaler:
    FACTOR = 2.5

    def __init__(self, offset):
        self.offset = offset

    def scale(self, v):
        return v * self.FACTOR + self.offset

    def twice(self, v):
        return self.scale(self.scale(v))


SCALER = Scaler(0.25)


# --- same-module helpers, keywords, defaults ---------------------------------------------------------------


@case(lambda r: (normal(r, 4),))
def helper_chain(x):
    return np.sum(_activate(_affine(x, 2.0)))


@case(lambda r: (positive(r, 4), normal(r, 4)), wrt=(0, 1))
def keyword_and_default_arguments(x, w):
    return _weighted(x, w) + _weighted(x, w, 3.0) + _weighted(x, w=w, power=1.5) + _weighted(v=x, w=w)


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def keywords_out_of_order(x, y):
    return np.sum(_mix(b=y, a=x) + _affine(b=y, a=2.0, v=x))


@case(lambda r: (small(r, 4), small(r, 4)), wrt=(0, 1))
def deep_call_tree(x, w):
    return _level1(x, w)


@case(lambda r: (normal(r, 3),))
def same_helper_many_times(x):
    return np.sum(_mix(x, x) + _mix(x * 2.0, x) + _mix(_mix(x, 0.5), x))


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def call_results_as_arguments(x, y):
    return np.sum(_mix(_activate(x), _affine(y, x)))


@case(lambda r: (0.7, 1.3), wrt=(0, 1))
def helper_on_python_floats(t, s):
    return _floats(t, s) * _floats(s, t) + _floats(t * t, 0.5)


@case(lambda r: (normal(r, 3), 0.8), wrt=(0, 1))
def helper_on_array_and_float(x, t):
    return _mixed(x, t) + _mixed(x * x, t * 2.0)


@case(lambda r: (normal(r, 3),))
def helper_returns_tuple_unpacked(x):
    a, b = _pair(x)
    c, d = _pair(a * b)
    return np.sum(a * d + b * c)


@case(lambda r: (normal(r, 3),))
def helper_returns_tuple_indexed(x):
    res = _pair(x)
    return np.sum(res[0] * res[1])


@case(lambda r: (normal(r, 3),))
def helper_returns_list(x):
    parts = _triple_list(x)
    total = 0.0
    for p in parts:
        total = total + np.sum(p)
    return total + np.sum(parts[1] * parts[2])


@case(lambda r: (small(r, 3),))
def helper_with_integer_argument(x):
    return np.sum(_repeat(x, 3) + _repeat(x, 0))


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def helper_ignores_an_argument(x, y):
    return np.sum(_ignores_second(x, y))


@case(lambda r: (normal(r, 4),))
def helper_writes_its_argument(x):
    return _writes_its_argument(x) + np.sum(x ** 3) + _writes_its_argument(np.sin(x))


@case(lambda r: (positive(r, 3), normal(r, 3)), wrt=(0, 1))
def helper_with_augmented_assignments(x, y):
    return np.sum(_aug_assign(x, y) ** 2)


@case(lambda r: (normal(r, 3),))
def method_on_module_object(x):
    return np.sum(SCALER.twice(x) ** 2) + np.sum(SCALER.scale(x))


@case(lambda r: (normal(r, 3),))
def module_level_constants(x):
    return np.sum(np.tanh(MIXING @ x + BIAS) * GAIN) + np.sum(x ** POWERS[2]) * numerics.DECAY


# --- functions imported from another module ---------------------------------------------------------------


@case(lambda r: (normal(r, 4),))
def imported_by_name(x):
    return np.sum(softplus(x)) + np.sum(smooth_abs(x)) + np.sum(smooth_abs(x, 0.1))


@case(lambda r: (normal(r, 4),))
def imported_module_attribute(x):
    return numerics.logsumexp(x) + np.sum(numerics.normalize(x) * numerics.scaled(x, 0.5, 1.0))


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def imported_with_keywords(x, y):
    return np.sum(numerics.scaled(x, scale=y) + numerics.scaled(v=y, scale=x, shift=0.5) + numerics.scaled(x))


@case(lambda r: (normal(r, 4),))
def imported_calls_imported(x):
    # functional.scaled_by_three calls numerics.scaled, which the functional module imported
    return np.sum(functional.scaled_by_three(x) * functional.softplus_act(x))


@case(lambda r: (normal(r, 4),))
def imported_uses_its_module_constant(x):
    return np.sum(numerics.discounted_sum(x)) + np.sum(numerics.smooth_abs(x) * numerics.EPS)


# --- recursion ---------------------------------------------------------------------------------------------


@case(lambda r: (0.7,))
def recursive_horner_on_float(t):
    return horner(numerics.COEFFS, t)


@case(lambda r: (normal(r, 4),))
def recursive_horner_on_array(x):
    return np.sum(horner(numerics.COEFFS, x))


@case(lambda r: (normal(r, 5), normal(r, 3)), wrt=(0, 1))
def recursive_horner_trainable_coefficients(c, x):
    return np.sum(horner(c, x))


@case(lambda r: (0.9,))
def recursive_power_on_float(t):
    return power(t, 7) + power(t, 4)


@case(lambda r: (positive(r, 3),))
def recursive_power_on_array(x):
    return np.sum(power(x, 5))


@case(lambda r: (small(r, 3),))
def recursion_in_this_module(x):
    return np.sum(_rec_sum(x, 4))


@case(lambda r: (normal(r, 6),))
def divide_and_conquer_recursion(x):
    return _tree_reduce(x)


@case(lambda r: (small(r, 3),))
def mutual_recursion_imported(x):
    return np.sum(numerics.is_even_chain(x, 5) + numerics.is_odd_chain(x, 2))


EXPRESSION = (trees.ADD, (trees.MUL, (trees.VAR,), (trees.SIN, (trees.VAR,))),
              (trees.EXP, (trees.MUL, 0.3, (trees.ADD, (trees.VAR,), 1.0))))


@case(lambda r: (normal(r, 3),))
def tree_evaluation_nested_tuples(x):
    return np.sum(trees.evaluate(EXPRESSION, x))


LIST_EXPRESSION = [trees.ADD, [trees.VAR], [trees.MUL, np.array([0.5, -1.0, 2.0]), [trees.SIN, [trees.VAR]]],
                   [trees.SIN, [trees.ADD, [trees.VAR], [trees.VAR]]]]


@case(lambda r: (normal(r, 3),))
def tree_evaluation_nested_lists(x):
    return np.sum(trees.evaluate_list(LIST_EXPRESSION, x) ** 2)


# --- calls inside loops and branches -------------------------------------------------------------------------


@case(lambda r: (small(r, 3), small(r, 3)), wrt=(0, 1))
def calls_in_for_loop(x, w):
    h = x
    for i in range(3):
        h = _activate(h) * w + _mix(h, 0.3)
    return np.sum(h)


@case(lambda r: (small(r, 3),))
def calls_in_while_loop(x):
    h = x
    k = 0
    while k < 4 and _squared_norm(h) < 100.0:
        h = _affine(np.sin(h), 1.2, 0.1)
        k += 1
    return np.sum(h)


@case(lambda r: (np.abs(normal(r, 3)),), name="call_in_branch_taken")
@case(lambda r: (-np.abs(normal(r, 3)),), name="call_in_branch_not_taken")
def call_in_branch(x):
    if _is_positive(x):
        y = _activate(x)
    else:
        y = _mix(x, x) + numerics.softplus(x)
    return np.sum(y)


@case(lambda r: (normal(r, 4),))
def calls_in_list_comprehension(x):
    parts = [_mix(x[i], x[i + 1]) for i in range(3)]
    return sum(parts) + np.sum(np.stack([_affine(p, 2.0) for p in parts]))


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def call_results_appended(x, y):
    outs = []
    for scale in (0.5, 1.0, 2.0):
        outs.append(_mix(x * scale, y))
    return np.sum(np.stack(outs) ** 2)


@case(lambda r: (normal(r, 3),))
def call_in_conditional_expression(x):
    y = _activate(x) if _squared_norm(x) > 1.0 else _mix(x, 2.0)
    return np.sum(y)


@case(lambda r: (normal(r, 3), normal(r, 3), normal(r, 3)), wrt=(0, 1, 2))
def loop_over_tuple_of_arrays_with_calls(a, b, c):
    total = 0.0
    for i, v in enumerate((a, b, c)):
        total = total + (i + 1.0) * np.sum(_mix(v, a))
    return total


@case(lambda r: (normal(r, 3, 3),))
def loop_over_rows_with_calls(m):
    total = 0.0
    for row in m:
        total = total + numerics.logsumexp(row) * np.sum(_activate(row))
    return total


# --- callees with control flow of their own -------------------------------------------------------------------


@case(lambda r: (normal(r, 5),))
def callee_with_for_loop(x):
    return numerics.discounted_sum(x) + numerics.discounted_sum(x * x, 0.5)


@case(lambda r: (positive(r, 3),))
def callee_with_while_and_break(a):
    return np.sum(numerics.fixed_point_sqrt(a) * a)


@case(lambda r: (np.array([0.1, -0.3, 2.5, 0.4]),), name="callee_with_early_return_found")
@case(lambda r: (np.array([0.1, -0.3, 0.5, 0.4]),), name="callee_with_early_return_not_found")
def callee_with_early_return(x):
    return numerics.first_large(x * 1.0, 2.0) + numerics.first_large(x * x, 100.0)


@case(lambda r: (normal(r, 4),))
def callee_with_element_writes(x):
    return np.sum(numerics.cumulative(x) ** 2)


@case(lambda r: (normal(r, 5),))
def callee_with_list_appends(x):
    return np.sum(numerics.rolling_products(x) * numerics.rolling_products(np.sin(x)))


@case(lambda r: (normal(r, 3),))
def callee_with_continue_and_early_exit(x):
    return np.sum(numerics.clipped_steps(x, 4) + numerics.clipped_steps(x, 2, lr=0.3))


# --- closures and free variables ---------------------------------------------------------------------------------


@case(lambda r: (normal(r, 3),))
def closure_from_factory(x):
    return np.sum(affine(x) ** 2)


@case(lambda r: (normal(r, 3),))
def closure_over_user_function(x):
    return np.sum(damped_softplus(x) * x)


@case(lambda r: (normal(r, 3),))
def closure_over_numpy_functions(x):
    return np.sum(sin_of_tanh(x) + sin_of_tanh(2.0 * x))


@case(lambda r: (normal(r, 3),))
def closure_of_closures(x):
    return np.sum(affine_then_damped(x) ** 2)


@case(lambda r: (normal(r, 3),))
def closure_over_arrays(x):
    return np.sum(mixer(x) * np.cos(x))


# --- functions passed as arguments ------------------------------------------------------------------------------


@case(lambda r: (normal(r, 3),))
def apply_module_level_function(x):
    return np.sum(apply(functional.tanh_act, x) + apply(np.exp, x * 0.1) + apply(_activate, x))


@case(lambda r: (normal(r, 3),))
def apply_twice_user_function(x):
    return np.sum(apply_twice(functional.sine_act, x) + apply_twice(softplus, x))


@case(lambda r: (normal(r, 3),))
def compose_user_and_numpy(x):
    return np.sum(compose_apply(functional.softplus_act, np.sin, x) + compose_apply(np.tanh, _activate, x))


@case(lambda r: (small(r, 3),))
def function_argument_in_loop(x):
    return np.sum(functional.apply_n(numerics.softplus, x, 3) + functional.apply_n(np.sin, x, 2))


@case(lambda r: (normal(r, 3, 2),))
def map_user_function_over_rows(m):
    outs = functional.map_list(functional.softplus_act, [m[0], m[1], m[2]])
    return np.sum(np.stack(outs) * m)


@case(lambda r: (normal(r, 3),))
def function_from_registry_function(x):
    act = functional.get_activation("softplus")
    return np.sum(act(x) + functional.get_activation("sine")(x))


@case(lambda r: (normal(r, 3),))
def function_from_registry_dict(x):
    return np.sum(functional.ACTIVATIONS["tanh"](x) * functional.ACTIVATIONS["sine"](x))


@case(lambda r: (normal(r, 3),))
def closure_passed_as_argument(x):
    return np.sum(apply(affine, x) * apply_twice(damped_softplus, x))


@case(lambda r: (normal(r, 3),))
def bound_method_passed_as_argument(x):
    return np.sum(apply(MLP.forward, x)) + np.sum(apply(LINEAR, x) ** 2)


# --- methods, callable models, class hierarchies ----------------------------------------------------------------


@case(lambda r: (normal(r, 3),))
def layer_uses_self_attributes(x):
    return np.sum(np.tanh(LINEAR(x)))


@case(lambda r: (normal(r, 3),))
def model_forward_method(x):
    return np.sum(MLP.forward(x) ** 2)


@case(lambda r: (normal(r, 3),))
def callable_model_object(x):
    return np.sum(MLP(x) * np.array([1.0, -2.0]))


@case(lambda r: (normal(r, 3), normal(r, 2)), wrt=(0, 1))
def method_calling_methods(x, target):
    return MLP.loss(x, target)


@case(lambda r: (normal(r, 3),))
def overridden_methods_in_subclasses(x):
    return np.sum(SOFTPLUS_MLP(x)) + np.sum(IDENTITY_MLP(x) ** 2)


@case(lambda r: (normal(r, 3),))
def explicit_super_call(x):
    return np.sum(EXPLICIT_SUPER(x) ** 2)


@case(lambda r: (normal(r, 3),))
def class_attribute_constant(x):
    return np.sum(SCALER.scale(x) * Scaler.FACTOR)


# --- custom_vjp and stop_gradient in call trees ------------------------------------------------------------------


@case(lambda r: (normal(r, 4),))
def custom_vjp_inside_helper(x):
    return np.sum(rules.log_of_softplus(x))


@case(lambda r: (positive(r, 3), normal(r, 3)), wrt=(0, 1))
def custom_vjp_called_directly_and_nested(x, y):
    return np.sum(rules.scaled_product(x, y) + rules.safe_log(x) * _mix(y, x))


@case(lambda r: (normal(r, 3),))
def stop_gradient_of_constant_branch(x):
    # stop_gradient of something that does not depend on x: the gradient is the true one
    return np.sum(x * srcgrad.stop_gradient(BIAS) + _activate(x))


# --- more shapes of call sites -----------------------------------------------------------------------------------


class Geometry:
    @staticmethod
    def square(v):
        return v * v

    @classmethod
    def cube(cls, v):
        return v * cls.square(v)


def _sum_items(items):
    total = 0.0
    for item in items:
        total = total + np.sum(item)
    return total


def _renamed_locals(d_out, out, call_with_vjp):
    # parameter names that generated code also likes to use
    return d_out * out + call_with_vjp


def _constant_result(v):
    return 3.0


def _one_or_double(v, flag):
    if flag:
        return 1.0
    return v * 2.0


def _array_default(v, w=BIAS):
    return v * w


def _ping(v, n):
    if n == 0:
        return v
    return _pong(v * 0.9, n - 1) + 0.1 * v


def _pong(v, n):
    if n == 0:
        return np.sin(v)
    return _ping(np.tanh(v), n - 1)


@case(lambda r: (normal(r, 3),))
def static_and_class_methods(x):
    return np.sum(Geometry.square(x) + Geometry.cube(x) + Geometry().square(x))


@case(lambda r: (normal(r, 3), normal(r, 3)), wrt=(0, 1))
def list_literal_passed_to_callee(x, y):
    return _sum_items([x, y * y, np.sin(x)]) + _sum_items((x * y, y))


@case(lambda r: (normal(r, 3),))
def parameter_names_like_generated_ones(x):
    return np.sum(_renamed_locals(x, x * 2.0, np.sin(x)))


@case(lambda r: (normal(r, 3), 0.7), wrt=(0, 1))
def same_callee_float_and_array_signatures(x, t):
    return np.sum(numerics.scaled(x, 2.0)) + numerics.scaled(t, 2.0) * numerics.scaled(t * x[0], 0.5)


@case(lambda r: (normal(r, 3),))
def callee_result_independent_of_input(x):
    return np.sum(x) * _constant_result(x) + _one_or_double(x, True) * np.sum(x) + np.sum(_one_or_double(x, False))


@case(lambda r: (normal(r, 3),))
def callee_with_array_default(x):
    return np.sum(_array_default(x) + _array_default(x, x))


@case(lambda r: (0.3,))
def recursion_called_with_keywords(t):
    return horner(coeffs=numerics.COEFFS, t=t) + power(n=3, t=t)


@case(lambda r: (0.5,))
def deep_recursion(t):
    return horner(tuple([0.05] * 60), t)


@case(lambda r: (small(r, 3),))
def mutual_recursion_in_this_module(x):
    return np.sum(_ping(x, 5))


# --- the corpus, checked ---------------------------------------------------------------------------------------


def test_corpus_size():
    functions = {c.fn for c in CORPUS}
    assert len(functions) >= 50, len(functions)


@pytest.mark.parametrize(("c", "argnums"), CORPUS.params())
def test_gradient_matches_finite_differences(c: Case, argnums):
    check_grad(c.fn, c.args(), argnums)


# --- stop_gradient, where finite differences see the true derivative -----------------------------------------


def test_stop_gradient_inside_a_callee():
    x = np.array([0.3, -1.2, 0.8])
    w = np.array([1.0, 2.0, -0.5])

    def loss(v):
        return np.sum(w * rules.detached_norm(v))

    np.testing.assert_allclose(srcgrad.grad(loss)(x), w / np.sqrt(np.sum(x * x)), rtol=1e-12)


def _detached_scale(v):
    return v * srcgrad.stop_gradient(_squared_norm(v))


def stop_gradient_two_levels(x):
    return np.sum(_detached_scale(x))


def test_stop_gradient_two_levels_down():
    x = np.array([0.3, -1.2, 0.8])
    np.testing.assert_allclose(srcgrad.grad(stop_gradient_two_levels)(x), np.full(3, np.sum(x * x)), rtol=1e-12)


# --- pytrees through call trees ----------------------------------------------------------------------------------


def _leaves(tree, path=()):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(tree, (list, tuple)):
        for i, value in enumerate(tree):
            yield from _leaves(value, (*path, i))
    else:
        yield path, tree


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _replaced(tree, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {k: _replaced(v, rest, value) if k == head else v for k, v in tree.items()}
    return type(tree)([_replaced(v, rest, value) if i == head else v for i, v in enumerate(tree)])


def check_tree_grad(f, args, argnums=0):
    """Every leaf of every differentiated argument against central differences; types and structure kept."""
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)
    grads = srcgrad.grad(f, argnums=argnums)(*args)
    grads = (grads,) if single else grads
    scale = max(1.0, abs(float(f(*args))))
    for g, position in zip(grads, positions):
        tree = args[position]
        assert type(g) is type(tree)
        for path, leaf in _leaves(tree):
            got = _get(g, path)

            def perturbed(v, p=path, pos=position):
                new_args = list(args)
                new_args[pos] = _replaced(tree, p, v)
                return f(*new_args)

            want = finite_difference(perturbed, [leaf], 0)
            if isinstance(leaf, float):
                assert type(got) is float, (path, type(got))
            else:
                assert got.shape == leaf.shape and got.dtype == leaf.dtype, path
            assert_close(got, want, scale, what=f"argument {position} at {path}")


def dict_params_through_method(params, x):
    return PARAMETRIC.loss(params, x)


def _layer(params, h):
    return np.tanh(params["W"] @ h + params["b"])


def dict_params_through_helper(params, x):
    h = _layer(params, x)
    return np.sum(h * params["scale"]) + params["scale"] * 0.1


def _stack_layers(weights, h):
    for w in weights:
        h = np.tanh(w @ h)
    return h


def list_params_through_helper(weights, x):
    return np.sum(_stack_layers(weights, x) ** 2)


def _unpack_pair(pair, v):
    w, b = pair
    return np.sin(w * v + b)


def tuple_params_unpacked_in_callee(pair, x):
    return np.sum(_unpack_pair(pair, x))


def _encode(enc, x):
    return np.tanh(enc[0] @ x) * enc[1]


def _decode(dec, h):
    w, b = dec
    return w @ h + b


def nested_tree_split_between_callees(tree, x):
    h = _encode(tree["encoder"], x)
    return np.sum(_decode(tree["decoder"], h) ** 2) + tree["decay"] * np.sum(tree["encoder"][0] ** 2)


def _identity(tree):
    return tree


def tree_passed_through_identity_callee(params, x):
    q = _identity(params)
    return np.sum(_layer(q, x) * q["scale"])


def recursion_over_nested_lists(tree):
    return trees.tree_sum_of_squares(tree) + trees.weighted_depth_sum(tree, 0)


def two_tree_arguments(params, extra, x):
    return np.sum(_layer(params, x) * extra[0]) + np.sum(extra[1] ** 2)


def _params_from(r):
    return {"W": r.normal(size=(3, 3)) * 0.5, "b": r.normal(size=3) * 0.1, "scale": 0.7}


TREE_CASES = [
    ("dict_through_method", dict_params_through_method, lambda r: ({"W": r.normal(size=(3, 3)) * 0.5,
                                                                     "b": r.normal(size=3) * 0.1}, r.normal(size=3)),
     0),
    ("dict_through_helper", dict_params_through_helper, lambda r: (_params_from(r), r.normal(size=3)), 0),
    ("list_through_helper", list_params_through_helper,
     lambda r: ([r.normal(size=(3, 3)) * 0.5, r.normal(size=(2, 3)) * 0.5], r.normal(size=3)), 0),
    ("tuple_unpacked_in_callee", tuple_params_unpacked_in_callee,
     lambda r: ((r.normal(size=3), r.normal(size=3)), r.normal(size=3)), (0, 1)),
    ("nested_split_between_callees", nested_tree_split_between_callees,
     lambda r: ({"encoder": [r.normal(size=(4, 3)) * 0.5, r.normal(size=4)],
                 "decoder": (r.normal(size=(2, 4)) * 0.5, r.normal(size=2)), "decay": 0.05}, r.normal(size=3)),
     (0, 1)),
    ("recursion_over_nested_lists", recursion_over_nested_lists,
     lambda r: ([r.normal(size=2), (r.normal(size=3), [r.normal(size=(2, 2))]), [r.normal(size=1)]],), 0),
    ("through_identity_callee", tree_passed_through_identity_callee,
     lambda r: (_params_from(r), r.normal(size=3)), 0),
    ("two_tree_arguments", two_tree_arguments,
     lambda r: (_params_from(r), [r.normal(size=3), r.normal(size=2)], r.normal(size=3)), (0, 1, 2)),
]


@pytest.mark.parametrize(("f", "make", "argnums"), [c[1:] for c in TREE_CASES], ids=[c[0] for c in TREE_CASES])
def test_tree_gradients_through_calls(f, make, argnums):
    check_tree_grad(f, make(np.random.default_rng(7)), argnums)


# --- has_aux -----------------------------------------------------------------------------------------------------------


class Note:
    """An arbitrary object in the auxiliary output: it must come back as the very same object."""


NOTE = Note()


def _predict(v):
    pred = np.tanh(MIXING @ v)
    return pred, np.sum(pred ** 2)


def loss_with_aux(x):
    pred, loss = _predict(x)
    return loss, (pred, "tag", 3, NOTE, [loss, x])


def test_has_aux_returns_aux_untouched():
    x = np.array([0.2, -0.4, 0.9])
    g, aux = srcgrad.grad(loss_with_aux, has_aux=True)(x)
    pred, loss = _predict(x)
    pred_aux, tag, count, note, items = aux
    np.testing.assert_array_equal(pred_aux, pred)
    assert tag == "tag" and count == 3 and note is NOTE
    assert isinstance(items, list) and float(items[0]) == float(loss)
    np.testing.assert_array_equal(items[1], x)
    expected = finite_difference(lambda v: loss_with_aux(v)[0], [x], 0)
    assert_close(g, expected)
    (value, aux2), g2 = srcgrad.value_and_grad(loss_with_aux, has_aux=True)(x)
    assert float(value) == float(loss) and aux2[3] is NOTE
    np.testing.assert_array_equal(g2, g)


def loss_with_aux_from_callee(params, x):
    h = _layer(params, x)
    stats = _pair(h)
    return np.sum(stats[0] * stats[1]), stats


def test_has_aux_with_pytree_argument_and_callee_aux():
    r = np.random.default_rng(3)
    params, x = _params_from(r), r.normal(size=3)
    g, aux = srcgrad.grad(loss_with_aux_from_callee, has_aux=True)(params, x)
    expected_aux = _pair(_layer(params, x))
    assert isinstance(aux, tuple) and len(aux) == 2
    np.testing.assert_array_equal(aux[0], expected_aux[0])
    np.testing.assert_array_equal(aux[1], expected_aux[1])
    for key in params:
        want = finite_difference(lambda v, k=key: loss_with_aux_from_callee({**params, k: v}, x)[0], [params[key]], 0)
        assert_close(g[key], want, what=key)


# --- caching -------------------------------------------------------------------------------------------------------------


def _callee_with_power(power):
    def _cached_callee(v):
        return np.tanh(v) * v ** power
    return _cached_callee


_cached_callee = _callee_with_power(1)  # a closure: called, not inlined, so that its code is cached


def cached_target(x):
    return np.sum(_cached_callee(x) * numerics.softplus(x) + _cached_callee(2.0 * x))


def test_transformed_once_and_cached(monkeypatch):
    calls = []
    original = srcgrad.cache.reverse_variants

    def counting(fn, *args, **kwargs):
        calls.append(fn.__name__)
        return original(fn, *args, **kwargs)

    monkeypatch.setattr(srcgrad.cache, "reverse_variants", counting)
    x = np.array([0.1, 0.5, -0.3])
    g = srcgrad.grad(cached_target)
    first = g(x)
    size = len(srcgrad.cache.CACHE)
    second = g(x)
    third = g(x * 2.0)
    np.testing.assert_array_equal(first, second)
    again = srcgrad.grad(cached_target)(x)  # a new grad object for the same function reuses the cache
    np.testing.assert_array_equal(first, again)
    assert len(srcgrad.cache.CACHE) == size
    assert third.shape == (3,)
    # the caller is transformed at most into its two variants (with and without the output), the callee once
    # even though it is called twice; later calls transform nothing
    transformed_by_first_call = list(calls)
    assert 1 <= transformed_by_first_call.count("cached_target") <= 2, calls
    assert transformed_by_first_call.count("_cached_callee") == 1, calls
    g(x)
    srcgrad.grad(cached_target)(x)
    assert calls == transformed_by_first_call
    # a new shape is a new specialization of the same function
    g(np.array([0.1, 0.2]))
    assert len(srcgrad.cache.CACHE) > size


# --- redefinition -------------------------------------------------------------------------------------------------------


def _redefinable(v):
    return v * v


def calls_redefinable(x):
    return np.sum(_redefinable(x) + numerics.scaled(x))


def test_redefinition_of_called_global_is_seen():
    global _redefinable
    x = np.array([0.5, -1.0, 2.0])
    g = srcgrad.grad(calls_redefinable)
    np.testing.assert_allclose(g(x), 2 * x + 2.0)
    original = _redefinable
    try:
        def _redefinable(v):
            return np.sin(v)

        np.testing.assert_allclose(g(x), np.cos(x) + 2.0)
        np.testing.assert_allclose(srcgrad.grad(calls_redefinable)(x), np.cos(x) + 2.0)
    finally:
        _redefinable = original
    np.testing.assert_allclose(g(x), 2 * x + 2.0)


def _tripled(v, scale=2.0, shift=0.0):
    return v * 3.0 * scale


def test_rebinding_an_attribute_of_an_imported_module_is_seen(monkeypatch):
    x = np.array([0.5, -1.0, 2.0])
    g = srcgrad.grad(calls_redefinable)
    np.testing.assert_allclose(g(x), 2 * x + 2.0)
    monkeypatch.setattr(numerics, "scaled", _tripled)
    np.testing.assert_allclose(g(x), 2 * x + 6.0)
    monkeypatch.undo()
    np.testing.assert_allclose(g(x), 2 * x + 2.0)


def test_rebinding_a_module_constant_a_callee_reads_is_seen(monkeypatch):
    x = np.array([0.5, -1.0, 2.0])
    g = srcgrad.grad(imported_uses_its_module_constant)
    before = g(x)
    monkeypatch.setattr(numerics, "EPS", 0.5)
    after = g(x)
    assert_close(after, finite_difference(imported_uses_its_module_constant, [x], 0))
    assert not np.allclose(before, after)


def test_grad_of_bound_methods_in_a_call_tree():
    x, target = np.array([0.3, -0.2, 0.9]), np.array([0.5, -0.5])
    gx, gt = srcgrad.grad(MLP.loss, argnums=(0, 1))(x, target)
    assert_close(gx, finite_difference(MLP.loss, [x, target], 0))
    assert_close(gt, finite_difference(MLP.loss, [x, target], 1))
    gp = srcgrad.grad(PARAMETRIC.loss)({"W": np.eye(3) * 0.5, "b": np.ones(3) * 0.1}, x)
    assert set(gp) == {"W", "b"} and gp["W"].shape == (3, 3)


def test_redefining_the_differentiated_function_is_seen():
    def make(factor):
        def f(v):
            return np.sum(v * v) * factor
        return f

    first, second = make(1.0), make(3.0)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(first)(x), 2 * x)
    np.testing.assert_allclose(srcgrad.grad(second)(x), 6 * x)


# --- threads ----------------------------------------------------------------------------------------------------------


def threaded_target(x, w):
    h = x
    for i in range(3):
        h = functional.apply(damped_softplus, _affine(h, 0.9)) * w
    return np.sum(numerics.discounted_sum(h)) + MLP.loss(x, w[:2])


def test_eight_threads_share_one_grad_function():
    g = srcgrad.grad(threaded_target, argnums=(0, 1))  # never called before: the threads race to transform
    rng = np.random.default_rng(9)
    inputs = [(rng.normal(size=3) * 0.5, rng.normal(size=3) * 0.5) for _ in range(8)]
    results: list = [None] * 8
    errors: list = []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            for _ in range(5):
                results[i] = g(*inputs[i])
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i, (x, w) in enumerate(inputs):
        gx, gw = results[i]
        serial = g(x, w)
        np.testing.assert_array_equal(gx, serial[0])
        np.testing.assert_array_equal(gw, serial[1])
        assert_close(gx, finite_difference(threaded_target, [x, w], 0), what=f"thread {i} dx")
        assert_close(gw, finite_difference(threaded_target, [x, w], 1), what=f"thread {i} dw")


# --- a callee that changes its caller's array or list -------------------------------------------------------------


def _scale_first_in_place(v):
    v[0] = v[0] * 10.0
    return np.sum(v * v)


def callee_writes_callers_array(x):
    y = x * 1.0
    s = _scale_first_in_place(y)
    return s + np.sum(y ** 3)  # Python sees the callee's write in y


def _push_double(items, v):
    items.append(v * 2.0)
    return v


def callee_appends_to_callers_list(x):
    items = [x]
    y = _push_double(items, x)
    return np.sum(items[-1] * y)  # Python sees the appended item


@pytest.mark.parametrize("f", [callee_writes_callers_array, callee_appends_to_callers_list])
def test_callee_mutating_its_caller_raises_or_follows_python(f):
    x = np.array([0.3, -0.7, 1.1])
    try:
        value, g = srcgrad.value_and_grad(f)(x)
    except srcgrad.SrcgradError as exc:
        assert getattr(exc, "filename", None) == __file__ and exc.lineno is not None
        return
    assert float(value) == pytest.approx(float(f(x.copy())), rel=1e-12)
    assert_close(g, finite_difference(lambda v: f(v.copy()), [x], 0))


# --- constructs srcgrad rejects (or, for lambdas, may differentiate): never a plain exception or a wrong answer ----


def uses_nested_def(x):
    def inner(v):  # the error points here
        return v * 2.0
    return np.sum(inner(x))


def uses_star_args(*xs):
    return np.sum(xs[0])


def uses_star_kwargs(x, **options):
    return np.sum(x)


def _star_callee(*vs):
    return vs[0] * 2.0


def calls_star_callee(x):
    return np.sum(_star_callee(x))


def _kwargs_callee(v, **options):
    return v * 2.0


def calls_kwargs_callee(x):
    return np.sum(_kwargs_callee(x))


def _nested_def_callee(v):
    def inner(u):
        return u * 2.0
    return inner(v)


def calls_nested_def_callee(x):
    return np.sum(_nested_def_callee(x))


def _line_of(fn, text):
    import inspect

    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("f", [uses_nested_def, calls_nested_def_callee])
def test_nested_defs_without_captured_locals_are_differentiated(f):
    np.testing.assert_allclose(srcgrad.grad(f)(np.array([0.1, 0.2, 0.3])), np.full(3, 2.0))


@pytest.mark.parametrize("f", [uses_star_args, calls_star_callee, calls_kwargs_callee])
def test_star_parameters_are_differentiated(f):
    x = np.array([0.1, 0.2, 0.3])
    expected = np.ones(3) if f is uses_star_args else np.full(3, 2.0)
    np.testing.assert_allclose(srcgrad.grad(f)(x), expected, rtol=1e-15)
    check_grad(f, [x])


def test_a_kwargs_parameter_is_differentiated_and_its_keywords_get_gradients():
    x = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(srcgrad.grad(uses_star_kwargs)(x, scale=2.0), np.ones(3))


def _spreads_a_local_list(x):
    parts = [x, x]
    return np.sum(_star_callee(*parts))


def test_star_arguments_of_a_length_only_the_run_knows_are_differentiated():
    # call_star: the list's cotangent comes back as a list (tests/transform/test_star_calls.py)
    check_grad(_spreads_a_local_list, [np.array([0.1, 0.2, 0.3])])


square = lambda v: v * v + np.sin(v)


def calls_module_level_lambda(x):
    return np.sum(square(x))


def assigns_lambda(x):
    cube = lambda v: v * v * v
    return np.sum(cube(x))


def passes_lambda_argument(x):
    return np.sum(apply(lambda v: np.tanh(v) * 2.0, x))


def lambda_capturing_local(x, y):
    return np.sum(apply(lambda v: v * y, x))


def _apply_arg(f, x):
    return np.sum(f(x) * x)


@pytest.mark.parametrize(("f", "args", "argnums"), [
    (calls_module_level_lambda, (np.array([0.1, -0.4, 0.3]),), 0),
    (assigns_lambda, (np.array([0.1, -0.4, 0.3]),), 0),
    (passes_lambda_argument, (np.array([0.1, -0.4, 0.3]),), 0),
    (lambda_capturing_local, (np.array([0.1, -0.4, 0.3]), np.array([1.0, 2.0, 3.0])), (0, 1)),
    (_apply_arg, (lambda v: np.exp(v) * 3.0, np.array([0.1, -0.4, 0.3])), 1),
], ids=["module_level", "assigned", "argument", "capturing_local", "runtime_argument"])
def test_lambdas_raise_located_errors_or_differentiate_correctly(f, args, argnums):
    try:
        srcgrad.grad(f, argnums=argnums)(*args)
    except srcgrad.SrcgradError as exc:
        if isinstance(exc, srcgrad.SourceUnavailableError):
            return
        assert exc.filename == __file__ and exc.lineno is not None
        return
    check_grad(f, args, argnums)
