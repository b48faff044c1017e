"""Calls into the user's own functions: helpers, imported functions, defaults and keywords, recursion,
functions passed as arguments, methods, closures — each against central finite differences."""

import numpy as np
import pytest
from callee_module import imported_square_sum, uses_unsupported
from gradcheck import check_grad

import srcgrad


def scaled_sin(v, scale=2.0):
    return np.sin(v) * scale


def product_plus_exp(a, b):
    return a * b + np.exp(a)


def calls_helper(x):
    return np.sum(scaled_sin(x))


def calls_with_defaults_and_keywords(x):
    return np.sum(scaled_sin(x) + scaled_sin(x, 3.0) + scaled_sin(x, scale=0.5))


def calls_two_arguments(x, y):
    return np.sum(product_plus_exp(x, y) * product_plus_exp(y, x))


def calls_imported(x):
    return imported_square_sum(x) + imported_square_sum(x * 2, weight=0.5)


def poly(x, n):
    if n == 0:
        return 1.0
    return 1.0 + x * poly(x, n - 1)


def recursive_polynomial(x):
    return poly(x, 5)


def is_even_weight(x, n):
    if n == 0:
        return x
    return is_odd_weight(x * 1.1, n - 1)


def is_odd_weight(x, n):
    if n == 0:
        return x * x
    return is_even_weight(np.sin(x), n - 1)


def mutual_recursion(x):
    return np.sum(is_even_weight(x, 5))


def tree_sum(values, lo, hi):
    if hi - lo == 1:
        return values[lo] ** 2
    mid = (lo + hi) // 2
    return tree_sum(values, lo, mid) + tree_sum(values, mid, hi) * 0.5


def recursive_tree(x):
    return tree_sum(x, 0, x.shape[0])


def apply(f, v):
    return f(v)


def function_arguments(x):
    return np.sum(apply(np.tanh, x) + apply(scaled_sin, x) + apply(np.exp, x * 0.1))


def make_scaler(factor):
    def scale(v):
        return v * factor + np.sin(v)
    return scale


triple = make_scaler(3.0)


def calls_closure(x):
    return np.sum(triple(x) ** 2)


class Layer:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        return np.tanh(self.W @ x + self.b)


class Model:
    def __init__(self):
        self.first = Layer(np.eye(3) * 0.6, np.full(3, 0.1))
        self.second = Layer(np.ones((2, 3)) * 0.3, np.zeros(2))

    def __call__(self, x):
        return self.second.forward(self.first.forward(x))


model = Model()


def calls_methods(x):
    return np.sum(model(x) ** 2)


def calls_in_loop(x):
    h = x
    for i in range(4):
        h = scaled_sin(h, 0.9) + product_plus_exp(h, x) * 0.1
    return np.sum(h)


def calls_in_branch(x):
    if np.sum(x) > 0:
        y = scaled_sin(x)
    else:
        y = product_plus_exp(x, x)
    return np.sum(y)


def returns_pair(v):
    return v * 2.0, np.sin(v)


def unpacks_tuple_result(x):
    a, b = returns_pair(x)
    return np.sum(a * b)


def nested_calls(x):
    return np.sum(scaled_sin(product_plus_exp(scaled_sin(x), x)))


def float_helper(t):
    return t * t + 1.0


def calls_on_floats(x):
    return float_helper(x) * float_helper(x * 0.5)


rng = np.random.default_rng(11)
CASES = [
    (calls_helper, (rng.normal(size=3),), (0,)),
    (calls_with_defaults_and_keywords, (rng.normal(size=3),), (0,)),
    (calls_two_arguments, (rng.normal(size=3) * 0.5, rng.normal(size=3) * 0.5), (0, 1)),
    (calls_imported, (rng.normal(size=3),), (0,)),
    (recursive_polynomial, (0.7,), (0,)),
    (mutual_recursion, (rng.normal(size=3),), (0,)),
    (recursive_tree, (rng.normal(size=5),), (0,)),
    (function_arguments, (rng.normal(size=3),), (0,)),
    (calls_closure, (rng.normal(size=3),), (0,)),
    (calls_methods, (rng.normal(size=3),), (0,)),
    (calls_in_loop, (rng.normal(size=3) * 0.3,), (0,)),
    (calls_in_branch, (np.abs(rng.normal(size=3)),), (0,)),
    (calls_in_branch, (-np.abs(rng.normal(size=3)),), (0,)),
    (unpacks_tuple_result, (rng.normal(size=3),), (0,)),
    (nested_calls, (rng.normal(size=3) * 0.5,), (0,)),
    (calls_on_floats, (0.8,), (0,)),
]


@pytest.mark.parametrize(("f", "args", "argnums"), CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_calls(f, args, argnums):
    check_grad(f, args, argnums)


def test_rebinding_a_called_global_is_seen():
    global scaled_sin
    x = np.array([0.1, 0.2, 0.3])
    before = srcgrad.grad(calls_helper)(x)
    original = scaled_sin
    try:
        scaled_sin = lambda v, scale=2.0: v * 0.0  # rebound to a lambda: seen at once
        np.testing.assert_allclose(srcgrad.grad(calls_helper)(x), np.zeros(3))

        def scaled_sin(v, scale=2.0):
            return v * 5.0

        np.testing.assert_allclose(srcgrad.grad(calls_helper)(x), np.full(3, 5.0))
    finally:
        scaled_sin = original
    np.testing.assert_allclose(srcgrad.grad(calls_helper)(x), before)


def test_unsupported_construct_in_callee_reports_the_callee():
    def calls_bad(x):
        return np.sum(uses_unsupported(x))

    with pytest.raises(srcgrad.SrcgradSyntaxError) as info:
        srcgrad.grad(calls_bad)(np.ones(3))
    assert info.value.filename.endswith("callee_module/__init__.py")
    assert "with" in str(info.value)


squash = lambda v: np.tanh(v) * 2.0 + v * v


def calls_module_level_lambda(x):
    return np.sum(squash(x) + apply(squash, x * 0.5))


def passes_inline_lambda(x):
    return np.sum(apply(lambda v: np.sin(v) ** 2 + v, x))


def lambda_capturing_a_local(x, y):
    return np.sum(apply(lambda v: v * y, x))


@pytest.mark.parametrize("f", [calls_module_level_lambda, passes_inline_lambda])
def test_lambdas(f):
    check_grad(f, (np.array([0.3, -0.8, 1.1]),), (0,))


def test_grad_of_a_lambda():
    np.testing.assert_allclose(srcgrad.grad(squash)(0.4), 2.0 * (1 - np.tanh(0.4) ** 2) + 0.8)


def test_lambda_capturing_a_local_passes_its_derivative_on():
    # passed on as a function object while it holds a differentiated value (y): y's derivative flows through
    # the calls the helper makes of it (function_values.py)
    check_grad(lambda_capturing_a_local, (np.array([0.3, -0.8]), np.array([2.0, 0.5])), (0, 1))


def _normalizes_in_place(v):
    v[0] = 0.0  # the caller's array: Python would change it, srcgrad's copy would not
    return np.sum(v ** 2)


def _normalizes_a_copy(v):
    v = v.copy()
    v[0] = 0.0
    return np.sum(v ** 2)


def calls_mutating_helper(x):
    return _normalizes_in_place(x) + np.sum(x ** 3)


def calls_copying_helper(x):
    return _normalizes_a_copy(x) + np.sum(x ** 3)


def test_callee_writing_into_its_argument_is_a_located_error():
    with pytest.raises(srcgrad.SrcgradSyntaxError, match="writes into its argument 'v'") as info:
        srcgrad.grad(calls_mutating_helper)(np.array([1.0, 2.0]))
    assert info.value.filename == __file__
    check_grad(calls_copying_helper, (np.array([1.0, 2.0, -0.5]),), (0,))


def _indexed_layers(params, x):
    layers = params["layers"]
    return np.sum(layers[0] * x) + np.sum(layers[1] * x * x)


def _looped_layers(params, x):
    s = 0.0
    for w in params["layers"]:
        s = s + np.sum(w * x)
    return s


def test_containers_taken_out_of_containers():
    params = {"layers": [np.array([0.5, 1.0, -1.0]), np.array([2.0, 0.1, 0.3])]}
    x = np.array([1.0, 2.0, 3.0])
    g = srcgrad.grad(_indexed_layers)(params, x)
    np.testing.assert_allclose(g["layers"][0], x)
    np.testing.assert_allclose(g["layers"][1], x * x)
    g = srcgrad.grad(_looped_layers)(params, x)
    np.testing.assert_allclose(g["layers"][0], x)
    np.testing.assert_allclose(g["layers"][1], x)


class _Linear:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return self.w * x


class _Dense(_Linear):
    def __call__(self, x):
        return np.tanh(super().__call__(x))


_dense = _Dense(np.array([0.5, -1.0, 2.0]))


def _uses_super(x):
    return np.sum(_dense(x) ** 2)


def _evaluate(node, x):
    return node[1] * x


def _tuple_with_string(x):
    return np.sum(_evaluate(("scale", 2.0), x))


def test_zero_argument_super_and_tuples_holding_strings():
    check_grad(_uses_super, (np.array([0.1, 0.2, 0.3]),), (0,))
    np.testing.assert_allclose(srcgrad.grad(_tuple_with_string)(np.ones(3)), np.full(3, 2.0))


class _Energy:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.sum(self.w * x * x)


def test_grad_of_a_callable_object():
    x = np.array([0.1, 0.2, 0.3])
    energy = _Energy(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(srcgrad.grad(energy)(x), 2 * energy.w * x)


class _Private:
    """Private attributes and a private helper method, which Python mangles to ``_Private__w``."""

    def __init__(self, w):
        self.__w = w

    def __scaled(self, x, __by=2.0):
        return self.__w * x * __by

    def loss(self, x):
        return np.sum(self.__scaled(x, __by=3.0) * x) + self._Private__w[0] * np.sum(x)


class __Underscored:
    def __init__(self, w):
        self.__w = w

    def loss(self, x):
        return np.sum(self.__w * np.sin(x))


def test_private_names_are_mangled_as_python_mangles_them():
    x = np.array([0.1, -0.2, 0.3])
    w = np.array([1.0, 2.0, 3.0])
    model = _Private(w)
    np.testing.assert_allclose(srcgrad.grad(model.loss)(x), 6.0 * w * x + w[0], rtol=1e-12)
    np.testing.assert_allclose(srcgrad.grad(lambda v: model.loss(v) * 2.0)(x), 12.0 * w * x + 2 * w[0],
                               rtol=1e-12)
    underscored = __Underscored(w)
    np.testing.assert_allclose(srcgrad.grad(underscored.loss)(x), w * np.cos(x), rtol=1e-12)
    _, tangent = srcgrad.jvp(model.loss, (x,), (np.ones(3),))
    np.testing.assert_allclose(tangent, np.sum(6.0 * w * x + w[0]), rtol=1e-12)


def _doubled(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)

    return wrapper


@_doubled
def _energy(x):
    return np.sum(x * x)


def test_a_decorating_wrapper_is_not_skipped():
    # The wrapper doubles the result; differentiating the undecorated function would be silently wrong.
    x = np.array([1.0, -2.0, 0.5])
    gradient = srcgrad.grad(_energy)(x)
    np.testing.assert_allclose(gradient, 4.0 * x, rtol=1e-14)
    check_grad(_energy, [x])


def _scaled(v, scale=2.0, shift=0.0):
    return v * scale + shift


def _keyword_after_default(x):
    return np.sum(_scaled(x, shift=1.0) * x)


def test_keyword_after_a_default_and_partials():
    import functools

    check_grad(_keyword_after_default, (np.array([0.3, -0.4]),), (0,))
    triple = functools.partial(_scaled, scale=3.0)

    def uses_partial(x):
        return np.sum(apply(triple, x) ** 2)

    x = np.array([0.3, -0.4])
    np.testing.assert_allclose(srcgrad.grad(uses_partial)(x), 2 * 3.0 * x * 3.0)


def _record(h, history):
    history.append(np.tanh(h))


def _appends_through_a_helper(x):
    history = []
    for row in x:
        _record(row, history)  # its result is unused: the call is still transformed, and refused
    return np.sum(np.stack(history) ** 2)


def _fill(d):
    d["w"] = d["v"] * 2.0


def _sets_a_key_through_a_helper(x):
    d = {"v": x}
    _fill(d)
    return np.sum(d["w"] ** 2)


@pytest.mark.parametrize("f", [_appends_through_a_helper, _sets_a_key_through_a_helper], ids=lambda f: f.__name__)
def test_a_helper_changing_the_callers_container_is_refused(f):
    with pytest.raises(srcgrad.SrcgradSyntaxError, match="writes into its argument") as info:
        srcgrad.grad(f)(np.array([[0.5, -1.0], [2.0, 0.3]]))
    assert info.value.filename == __file__


def nested_helper(x):
    def helper(v, s):
        return np.sin(v) * s

    total = 0.0
    for i in range(3):
        total = total + np.sum(helper(x, i + 1.0))
    return total


def nested_capturing(x, y):
    def uses(v):
        return v * y

    return np.sum(uses(x))


def test_nested_def():
    check_grad(nested_helper, (np.array([0.1, 0.5, -0.4]),), (0,))
    # the captured y becomes a parameter of uses, so its cotangent comes back (tests/transform/test_closures.py)
    check_grad(nested_capturing, (np.array([0.1, 0.5]), np.array([2.0, -1.0])), (0, 1))
