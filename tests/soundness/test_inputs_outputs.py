"""The boundary of every entry point: what it accepts it differentiates correctly (checked against central
finite differences in float64, with the input's type, structure, shape and dtype kept), and what it cannot
differentiate correctly it refuses with a srcgrad error that names the argument (``InputTypeError``) or the
function, its file and line (``OutputTypeError``) and says what to do instead.

Accepted inputs: Python floats, NumPy floating scalars, float16/32/64 arrays, and dicts/lists/tuples (nested)
of them. Refused: integers and booleans, complex numbers and arrays, masked arrays, ``np.matrix``, object and
string arrays, strings. Outputs of ``grad``/``value_and_grad``/``hessian``/``derivative`` must be real numbers:
booleans, NumPy integers, complex numbers, strings and ``None`` are refused; a Python ``int`` (``return 0`` in
one branch of a piecewise function) is accepted and has gradient zero. ``vjp``/``jvp`` outputs may be any
real numbers or arrays and containers of them; complex and non-numeric outputs are refused."""

from __future__ import annotations

import copy
import inspect
import math
import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad import InputTypeError, NonScalarOutputError, OutputTypeError, SrcgradError, UnsupportedTransformError
from srcgrad.errors import LocatedError

RNG = np.random.default_rng(20240611)
THIS_FILE = __file__


# --- reference derivatives ----------------------------------------------------------------------------------


def leaves(tree):
    """The float leaves of a pytree, in order, with a setter for each."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def rebuild(tree, values):
    """``tree`` with its leaves replaced, in order, by ``values`` (an iterator)."""
    if isinstance(tree, dict):
        return {key: rebuild(item, values) for key, item in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(rebuild(item, values) for item in tree)
    value = np.asarray(next(values), dtype=np.float64).reshape(np.shape(tree))
    return float(value) if isinstance(tree, float) else value


def flatten(tree):
    return np.concatenate([np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in leaves(tree)])


def unflatten(tree, flat):
    sizes = [np.size(leaf) for leaf in leaves(tree)]
    parts = np.split(np.asarray(flat, dtype=np.float64), np.cumsum(sizes)[:-1])
    return rebuild(tree, iter(parts))


def fd_gradient(f, x, h=1e-6):
    """Central differences of scalar ``f`` at pytree ``x``, in float64, as a flat vector."""
    flat = flatten(x)
    out = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        out[i] = (f(unflatten(x, flat + e)) - f(unflatten(x, flat - e))) / (2 * h)
    return out


def fd_hessian(f, x, h=1e-4):
    """Second central differences of scalar ``f`` at pytree ``x``, in float64, as an (n, n) matrix."""
    flat = flatten(x)
    steps = np.eye(flat.size) * h

    def at(v):
        return float(f(unflatten(x, v)))

    return np.array([[(at(flat + a + b) - at(flat + a - b) - at(flat - a + b) + at(flat - a - b)) / (4 * h * h)
                      for b in steps] for a in steps])


def fd_directional(f, x, t, h=1e-6):
    """Central differences of (vector) ``f`` at ``x`` along ``t``, flat."""
    flat, direction = flatten(x), flatten(t)
    plus, minus = f(unflatten(x, flat + h * direction)), f(unflatten(x, flat - h * direction))
    return (flatten(plus) - flatten(minus)) / (2 * h)


def same_structure(a, b):
    """Same containers, keys and lengths; leaves of the same type, shape and dtype."""
    if isinstance(b, dict):
        assert type(a) is dict and list(a) == list(b), (a, b)
        for key in b:
            same_structure(a[key], b[key])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for p, q in zip(a, b):
            same_structure(p, q)
    else:
        assert type(a) is type(b), (type(a), type(b))
        assert np.shape(a) == np.shape(b)
        if hasattr(b, "dtype"):
            assert a.dtype == b.dtype, (a.dtype, b.dtype)


def line_of_def(fn):
    return inspect.getsourcelines(fn)[1]


# --- functions of pytrees -----------------------------------------------------------------------------------


def of_list(x):
    return x[0] * x[1] + np.sin(x[2]) * x[0]


def of_tree(p):
    return np.sum(np.tanh(p["w"]) * p["b"][0]) + p["b"][1] ** 2 * np.sum(p["w"])


def of_array(x):
    return np.sum(np.sin(x) * x)


def vector_of_list(x):
    return np.array([x[0] * x[1], np.cos(x[2]), x[1] ** 2])


LIST = [0.3, -0.7, 1.2]
TREE = {"w": RNG.normal(size=(2, 3)), "b": [0.4, -1.1]}


def test_grad_of_a_list_of_floats_is_a_list_of_floats():
    for container in (list, tuple):
        x = container(LIST)
        g = srcgrad.grad(of_list)(x)
        same_structure(g, x)
        assert all(type(v) is float for v in g)
        np.testing.assert_allclose(flatten(g), fd_gradient(of_list, x), rtol=1e-7, atol=1e-9)
        value, g2 = srcgrad.value_and_grad(of_list)(x)
        assert value == pytest.approx(of_list(x), rel=1e-14)
        np.testing.assert_allclose(flatten(g2), flatten(g), rtol=1e-14)


def test_grad_of_a_nested_tree():
    g = srcgrad.grad(of_tree)(TREE)
    same_structure(g, TREE)
    np.testing.assert_allclose(flatten(g), fd_gradient(of_tree, TREE), rtol=1e-7, atol=1e-9)


def test_vjp_of_a_list():
    out, vjp_fn = srcgrad.vjp(vector_of_list, LIST)
    np.testing.assert_allclose(out, vector_of_list(LIST), rtol=1e-14)
    for cotangent in np.eye(3):
        (g,) = vjp_fn(cotangent)
        same_structure(g, LIST)
        want = fd_gradient(lambda x, c=cotangent: float(np.dot(c, vector_of_list(x))), LIST)
        np.testing.assert_allclose(flatten(g), want, rtol=1e-7, atol=1e-9)


def test_jvp_of_a_list_with_a_tangent_of_the_same_structure():
    tangent = [1.0, -0.5, 2.0]
    out, t = srcgrad.jvp(of_list, (LIST,), (tangent,))
    assert out == pytest.approx(of_list(LIST), rel=1e-14)
    assert t == pytest.approx(fd_directional(of_list, LIST, tangent)[0], rel=1e-7)
    out, t = srcgrad.jvp(vector_of_list, (LIST,), (tangent,))
    np.testing.assert_allclose(t, fd_directional(vector_of_list, LIST, tangent), rtol=1e-7, atol=1e-9)


def test_jvp_refuses_a_tangent_of_another_structure():
    with pytest.raises(ValueError, match="tangent 0 must be a list of length 3"):
        srcgrad.jvp(of_list, (LIST,), (np.ones(3),))
    with pytest.raises(ValueError, match="tangent 0"):
        srcgrad.jvp(of_list, (LIST,), ([1.0, 2.0],))
    with pytest.raises(ValueError, match=r"tangent 0 must be a dict"):
        srcgrad.jvp(of_tree, (TREE,), ({"w": np.ones((2, 3))},))


def sum_of_list(x):
    return np.sum(x)


def norm_of_list(x):
    return np.linalg.norm(x)


def array_and_item(x):
    return np.sum(np.asarray(x) ** 2) + x[0] * 3.0


def list_in_tree(p):
    return np.sum(p["a"]) * 2.0 + p["b"] ** 2


@pytest.mark.parametrize("fn", [sum_of_list, norm_of_list, array_and_item], ids=lambda f: f.__name__)
def test_a_list_read_as_an_array_gets_its_gradient_item_by_item(fn):
    """Generated code that uses a list as an array gives its gradient as one array: each item gets its row
    (not zeros, as it once silently did)."""
    for x in (list(LIST), tuple(LIST)):
        want = fd_gradient(fn, x)
        g = srcgrad.grad(fn)(x)
        same_structure(g, x)
        np.testing.assert_allclose(flatten(g), want, rtol=1e-7, atol=1e-9)
        (g,) = srcgrad.vjp(fn, x)[1](1.0)
        same_structure(g, x)
        np.testing.assert_allclose(flatten(g), want, rtol=1e-7, atol=1e-9)
    tree = {"a": [0.4, -1.1], "b": 0.7}
    g = srcgrad.grad(list_in_tree)(tree)
    same_structure(g, tree)
    np.testing.assert_allclose(flatten(g), fd_gradient(list_in_tree, tree), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(srcgrad.hessian(norm_of_list)(LIST), fd_hessian(norm_of_list, LIST), rtol=1e-5,
                               atol=1e-6)


def of_ragged(t):
    return t[0] * np.sum(t[1] ** 2)


RAGGED = [0.5, np.array([0.3, -0.7, 1.2])]


def test_jvp_and_hvp_of_a_ragged_list():
    """A list of a float and an array has no single NumPy shape: the tangent check compares leaf by leaf."""
    tangent = [1.0, np.array([0.5, -1.0, 2.0])]
    out, t = srcgrad.jvp(of_ragged, (RAGGED,), (tangent,))
    assert out == pytest.approx(of_ragged(RAGGED), rel=1e-14)
    assert t == pytest.approx(fd_directional(of_ragged, RAGGED, tangent)[0], rel=1e-7)
    hv = srcgrad.hvp(of_ragged, (RAGGED,), (tangent,))
    same_structure(hv, RAGGED)
    np.testing.assert_allclose(flatten(hv), fd_hessian(of_ragged, RAGGED) @ flatten(tangent), rtol=1e-6, atol=1e-6)


def test_tangents_and_cotangents_of_another_shape_are_refused_leaf_by_leaf():
    with pytest.raises(ValueError, match=r"tangent 0\['w'\] has shape \(3,\), but primal 0\['w'\] has shape \(2, 3\)"):
        srcgrad.jvp(of_tree, (TREE,), ({"w": np.ones(3), "b": [1.0, 1.0]},))
    with pytest.raises(ValueError, match=r"hvp of of_ragged: tangent 0\[1\] has shape \(1,\)"):
        srcgrad.hvp(of_ragged, (RAGGED,), ([1.0, np.ones(1)],))
    # a None tangent holds its primal fixed (integer data, labels): the output's tangent is then zero
    out, tangent = srcgrad.jvp(of_array, (np.ones(3),), (None,))
    assert out == of_array(np.ones(3)) and tangent == 0.0
    x = RNG.normal(size=3)
    _, vjp_fn = srcgrad.vjp(pair_output, x)
    with pytest.raises(ValueError, match=r"the cotangent\[1\] is None, but the output\[1\] is"):
        vjp_fn((np.ones(3), None))
    with pytest.raises(ValueError, match=r"the cotangent\[0\] has shape \(2,\), but the output\[0\] has shape \(3,\)"):
        vjp_fn((np.ones(2), 1.0))
    with pytest.raises(ValueError, match="the cotangent must be a tuple of length 2 like the output"):
        vjp_fn([np.ones(3)])


def two_rows(x):
    return np.sin(x), x * x


def test_one_array_is_the_cotangent_of_a_tuple_of_equal_shapes():
    x = RNG.normal(size=3)
    c = RNG.normal(size=(2, 3))
    (g,) = srcgrad.vjp(two_rows, x)[1](c)
    want = fd_gradient(lambda v: float(np.sum(c * np.stack(two_rows(v)))), x)
    np.testing.assert_allclose(g, want, rtol=1e-7, atol=1e-9)


def test_hessian_of_a_list_is_the_matrix_of_np_asarray():
    H = srcgrad.hessian(of_list)(LIST)
    assert type(H) is np.ndarray and H.shape == (3, 3) and H.dtype == np.float64
    np.testing.assert_allclose(H, fd_hessian(of_list, LIST), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(srcgrad.hessian(of_list)(tuple(LIST)), H, rtol=1e-14)


def test_hessian_and_jacobians_of_a_nested_container_are_refused_clearly():
    for transform in (srcgrad.hessian, srcgrad.jacfwd, srcgrad.jacrev):
        with pytest.raises(UnsupportedTransformError, match=r"np\.asarray|array") as info:
            transform(of_tree)(TREE)
        assert "of_tree" in str(info.value)


def test_jacobians_of_a_list_are_arrays():
    for transform in (srcgrad.jacfwd, srcgrad.jacrev):
        J = transform(vector_of_list)(LIST)
        assert J.shape == (3, 3)
        want = np.stack([fd_directional(vector_of_list, LIST, e) for e in np.eye(3).tolist()], axis=-1)
        np.testing.assert_allclose(J, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_arrays_and_scalars_keep_their_dtype(dtype):
    x = RNG.normal(size=4).astype(dtype)
    g = srcgrad.grad(of_array)(x)
    assert g.dtype == dtype and g.shape == x.shape
    tolerance = {np.float16: 2e-2, np.float32: 1e-5, np.float64: 1e-7}[dtype]
    np.testing.assert_allclose(g.astype(np.float64), fd_gradient(of_array, x.astype(np.float64)), rtol=tolerance,
                               atol=tolerance)
    s = dtype(0.7)
    gs = srcgrad.grad(lambda v: v * v * 3.0)(s)
    assert type(gs) is dtype and float(gs) == pytest.approx(4.2, rel=tolerance)


def test_python_float_in_python_float_out_for_every_entry_point():
    f = lambda v: math.sin(v) * v
    assert type(srcgrad.grad(f)(0.8)) is float
    assert srcgrad.grad(f)(0.8) == pytest.approx(math.cos(0.8) * 0.8 + math.sin(0.8), rel=1e-12)
    assert srcgrad.derivative(f, 2)(0.8) == pytest.approx(2 * math.cos(0.8) - 0.8 * math.sin(0.8), rel=1e-12)
    assert srcgrad.hessian(f)(0.8) == pytest.approx(2 * math.cos(0.8) - 0.8 * math.sin(0.8), rel=1e-12)


# --- refused inputs ---------------------------------------------------------------------------------------------

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[1.0, 2.0], [3.0, 4.0]])


REFUSED_INPUTS = {
    "python complex": (1.0 + 2.0j, ["complex", "real and imaginary"]),
    "numpy complex scalar": (np.complex128(1.0 + 2.0j), ["complex", "real and imaginary"]),
    "complex array": (np.array([1.0 + 1.0j, 2.0]), ["complex", "real and imaginary"]),
    "complex64 array": (np.ones(3, dtype=np.complex64), ["complex", "real and imaginary"]),
    "masked array": (np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0]), ["MaskedArray", "np.where", "filled"]),
    "matrix": (MATRIX, ["numpy.matrix", "np.asarray"]),
    "object array": (np.array([1.0, 2.0], dtype=object), ["dtype object", "astype"]),
    "string": ("1.5", ["str"]),
    "string array": (np.array(["a", "b"]), ["string"]),
    "int": (3, ["integer", "3.0"]),
    "bool": (True, ["integer"]),
    "int array": (np.arange(3), ["dtype int64", "astype"]),
    "bool array": (np.array([True, False]), ["dtype bool", "astype"]),
    "None": (None, ["NoneType"]),
}


def entry_points(x):
    """Every entry point called on ``square_sum`` with ``x`` as argument 0."""
    return {
        "grad": lambda: srcgrad.grad(square_sum)(x),
        "value_and_grad": lambda: srcgrad.value_and_grad(square_sum)(x),
        "vjp": lambda: srcgrad.vjp(square_sum, x),
        # (a None tangent holds its primal fixed: the refused primal comes with a real tangent here)
        "jvp": lambda: srcgrad.jvp(square_sum, (x,), (x if x is not None else np.ones(3),)),
        "jacfwd": lambda: srcgrad.jacfwd(square_sum)(x),
        "jacrev": lambda: srcgrad.jacrev(square_sum)(x),
        "hessian": lambda: srcgrad.hessian(square_sum)(x),
        "hvp": lambda: srcgrad.hvp(square_sum, (x,), (x,)),
        "derivative": lambda: srcgrad.derivative(square_sum)(x),
    }


def square_sum(x):
    return np.sum(x * x)


@pytest.mark.parametrize("label", list(REFUSED_INPUTS))
def test_refused_inputs_raise_input_type_error_naming_the_argument(label):
    value, words = REFUSED_INPUTS[label]
    before = copy.deepcopy(value)
    for entry, call in entry_points(value).items():
        with pytest.raises(InputTypeError) as info:
            call()
        message = str(info.value)
        assert isinstance(info.value, SrcgradError) and isinstance(info.value, TypeError)
        assert "square_sum" in message and "argument 0" in message, (entry, message)
        for word in words:
            assert word in message, (entry, word, message)
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(value, before)
        assert type(value) is type(before)


def test_refused_leaf_of_a_container_is_named_by_its_path():
    with pytest.raises(InputTypeError, match=r"argument 0\['b'\]\[1\] is the complex number"):
        srcgrad.grad(of_tree)({"w": np.ones((2, 3)), "b": [0.4, 2.0j]})
    with pytest.raises(InputTypeError, match=r"argument 1\[0\] is a numpy.ma.MaskedArray"):
        srcgrad.grad(lambda a, b: np.sum(a * b[0]), argnums=1)(np.ones(2), [np.ma.array([1.0, 2.0])])


def test_complex_tangents_and_cotangents_are_refused():
    x = RNG.normal(size=3)
    with pytest.raises(InputTypeError, match="tangent 0 is complex"):
        srcgrad.jvp(of_array, (x,), (x * 1j,))
    _, vjp_fn = srcgrad.vjp(list_output, x)
    with pytest.raises(InputTypeError, match=r"cotangent\[0\] is complex"):
        vjp_fn([np.ones(3) * 1j, 1.0])
    with pytest.raises(InputTypeError, match="tangent 0"):
        srcgrad.hvp(of_array, (x,), (np.ma.array(x),))


@pytest.mark.parametrize("label", ["complex array", "masked array", "matrix", "object array", "python complex"])
def test_a_refused_call_leaves_nothing_that_breaks_a_later_valid_call(label):
    value, _ = REFUSED_INPUTS[label]
    g = srcgrad.grad(square_sum)
    with pytest.raises(InputTypeError):
        g(value)
    x = np.asarray(np.real(np.asarray(value, dtype=complex)), dtype=np.float64).reshape(np.shape(value))
    np.testing.assert_allclose(g(x), 2 * x, rtol=1e-14)
    np.testing.assert_allclose(srcgrad.grad(square_sum)(x), 2 * x, rtol=1e-14)
    with pytest.raises(InputTypeError):
        srcgrad.vjp(square_sum, value)
    np.testing.assert_allclose(srcgrad.vjp(square_sum, x)[1](1.0)[0], 2 * x, rtol=1e-14)


def test_inputs_are_never_mutated():
    x = RNG.normal(size=4)
    tree = copy.deepcopy(TREE)
    values = [list(LIST), tuple(LIST), x, tree]
    copies = copy.deepcopy(values)
    srcgrad.grad(of_list)(values[0])
    srcgrad.grad(of_list)(values[1])
    srcgrad.grad(of_array)(values[2])
    srcgrad.grad(of_tree)(values[3])
    srcgrad.vjp(vector_of_list, values[0])[1](np.ones(3))
    srcgrad.jvp(of_list, (values[0],), ([1.0, 1.0, 1.0],))
    srcgrad.hessian(of_array)(values[2])
    srcgrad.hessian(of_list)(values[0])
    srcgrad.jacfwd(vector_of_list)(values[0])
    for value, original in zip(values, copies):
        assert flatten(value).tolist() == flatten(original).tolist()
        same_structure(value, original)


def test_derivative_takes_one_float():
    assert srcgrad.derivative(lambda v: v ** 3)(np.float32(2.0)) == pytest.approx(12.0)
    with pytest.raises(UnsupportedTransformError, match="one float"):
        srcgrad.derivative(square_sum)(np.ones(3))


# --- outputs ----------------------------------------------------------------------------------------------------


def returns_allclose(x):
    return np.allclose(x, 0.0)


def returns_comparison(x):
    return x[0] > 0


def returns_string(x):
    return "a"


def returns_none(x):
    y = None
    return y


def returns_complex(x):
    return np.sum(x) * 1j


PHASES = np.array([1.0 + 2.0j, 0.5 - 1.0j])
ROTATION = 1j


def returns_complex_array_sum(x):
    return np.sum(PHASES * x)


def returns_argmax(x):
    return np.argmax(x)


def returns_boolean_array_scalar(x):
    return np.array(x[0] > 0)


BAD_OUTPUTS = {
    returns_allclose: "bool",
    returns_comparison: "bool",
    returns_string: "str",
    returns_none: "None",
    returns_complex: "complex",
    returns_complex_array_sum: "complex",
    returns_argmax: "integer",
    returns_boolean_array_scalar: "boolean",
}


def check_output_error(error, fn, word):
    message = str(error)
    if word == "complex" and isinstance(error, LocatedError) and not isinstance(error, OutputTypeError):
        # a complex constant inside the function may be refused where it is written, before any output
        lines, first = inspect.getsourcelines(fn)
        assert error.filename == THIS_FILE and first <= error.lineno < first + len(lines), message
        assert word in message, message
        return
    assert isinstance(error, OutputTypeError) and isinstance(error, SrcgradError) and isinstance(error, TypeError)
    assert fn.__qualname__ in message, message
    assert f"{THIS_FILE}:{line_of_def(fn)}" in message, message
    assert word in message, message


def output_error(call):
    """The error of ``call``: an ``OutputTypeError``, or for a complex output possibly a located refusal of the
    complex value inside the function."""
    with pytest.raises((OutputTypeError, LocatedError)) as info:
        call()
    return info.value


@pytest.mark.parametrize("fn", list(BAD_OUTPUTS), ids=lambda f: f.__name__)
def test_grad_value_and_grad_hessian_refuse_outputs_that_are_not_real_numbers(fn):
    x = np.array([0.5, -1.5])
    word = BAD_OUTPUTS[fn]
    for call in (lambda: srcgrad.grad(fn)(x), lambda: srcgrad.value_and_grad(fn)(x),
                 lambda: srcgrad.hessian(fn)(x), lambda: srcgrad.grad(fn, has_aux=False)(x)):
        check_output_error(output_error(call), fn, word)


REGISTERED = []


def registered(fn):
    REGISTERED.append(fn)
    return fn


@registered
def registered_comparison(x):
    return x[0] > 0


def test_an_output_error_names_the_def_line_below_the_decorators():
    with pytest.raises(OutputTypeError) as info:
        srcgrad.grad(registered_comparison)(np.array([0.5, -1.5]))
    lines, first = inspect.getsourcelines(registered_comparison)
    assert lines[0].startswith("@registered") and lines[1].startswith("def registered_comparison")
    assert f"registered_comparison ({THIS_FILE}:{first + 1})" in str(info.value), str(info.value)


def positive(v):
    return v > 0.0


def rotated(v):
    return v * ROTATION


def named(v):
    return "s"


def count(v):
    return np.int64(3)


def test_derivative_refuses_outputs_that_are_not_real_numbers():
    for fn, word in [(positive, "bool"), (rotated, "complex"), (named, "str"), (count, "integer")]:
        check_output_error(output_error(lambda fn=fn: srcgrad.derivative(fn)(0.5)), fn, word)
        check_output_error(output_error(lambda fn=fn: srcgrad.derivative(fn, 2)(0.5)), fn, word)
        check_output_error(output_error(lambda fn=fn: srcgrad.grad(srcgrad.grad(fn))(0.5)), fn, word)


def test_the_output_check_runs_once_per_argument_signature(monkeypatch):
    import srcgrad.api

    calls = []
    original = srcgrad.api.check_output
    monkeypatch.setattr(srcgrad.api, "check_output", lambda *a, **k: calls.append(a) or original(*a, **k))
    g = srcgrad.grad(of_array)
    x = RNG.normal(size=3)
    for _ in range(3):
        g(x)
    assert len(calls) == 1
    g(RNG.normal(size=5))
    assert len(calls) == 2


def test_has_aux_checks_the_output_and_not_the_auxiliary_data():
    def with_aux(x):
        return np.sum(x * x), "any auxiliary data"

    def bad_with_aux(x):
        return np.sum(x) > 0, 1.0

    x = RNG.normal(size=3)
    g, aux = srcgrad.grad(with_aux, has_aux=True)(x)
    np.testing.assert_allclose(g, 2 * x)
    assert aux == "any auxiliary data"
    with pytest.raises(OutputTypeError, match="bool"):
        srcgrad.grad(bad_with_aux, has_aux=True)(x)


def piecewise(x):
    if x > 0.0:
        return x * x
    return 0


def test_python_int_outputs_are_accepted_with_gradient_zero():
    """Decision: a Python ``int`` (a constant branch such as ``return 0``) is a real number whose gradient,
    zero, is right; refusing it would make ``grad`` fail or succeed depending on the branch of the first
    call. NumPy integers and integer arrays (``np.argmax``, counts) are refused: their type, not a value,
    says they are not a quantity to differentiate."""
    assert srcgrad.grad(piecewise)(-1.0) == 0.0
    assert srcgrad.grad(piecewise)(1.5) == pytest.approx(3.0)
    assert srcgrad.value_and_grad(piecewise)(-1.0) == (0, 0.0)
    assert srcgrad.derivative(piecewise)(-1.0) == 0.0
    with pytest.raises(OutputTypeError, match="integer"):
        srcgrad.grad(returns_argmax)(np.array([0.5, 2.0]))


def test_non_scalar_float_output_still_points_to_vjp():
    with pytest.raises(NonScalarOutputError, match="vjp") as info:
        srcgrad.grad(vector_of_list)(LIST)
    # found after the sweep failed on the array output; the user sees the refusal, not the failure inside it
    assert info.value.__suppress_context__


def pair_output(x):
    return x * 2.0, np.sum(x)


def list_output(x):
    return [np.sin(x), x[0] * x[1]]


def int_and_float_output(x):
    return np.sum(x * x), np.argmax(x)


def complex_output(x):
    return np.exp(x * ROTATION)


def string_in_output(x):
    return x * 2.0, "label"


def test_vjp_and_jvp_accept_pytree_outputs_of_real_numbers():
    x = RNG.normal(size=3)
    t = RNG.normal(size=3)
    for fn in (pair_output, list_output):
        out, vjp_fn = srcgrad.vjp(fn, x)
        same_structure(out, fn(x))
        cotangent = type(out)(np.ones_like(np.asarray(o, dtype=float)) if np.ndim(o) else 1.0 for o in out)
        (g,) = vjp_fn(cotangent)
        want = fd_gradient(lambda v, fn=fn: float(np.sum(flatten(fn(v)))), x)
        np.testing.assert_allclose(g, want, rtol=1e-7, atol=1e-9)
        out, tangent = srcgrad.jvp(fn, (x,), (t,))
        np.testing.assert_allclose(flatten(tangent), fd_directional(fn, x, t), rtol=1e-7, atol=1e-9)
    # an integer leaf (an index next to a loss) has derivative zero
    (out, index), vjp_fn = srcgrad.vjp(int_and_float_output, x)
    assert index == np.argmax(x)
    (g,) = vjp_fn((1.0, 0))
    np.testing.assert_allclose(g, 2 * x, rtol=1e-14)


@pytest.mark.parametrize("fn, word", [(complex_output, "complex"), (string_in_output, "str"),
                                      (returns_none, "None"), (returns_complex, "complex")],
                         ids=["complex array", "string in a tuple", "None", "complex scalar"])
def test_vjp_jvp_and_jacobians_refuse_complex_and_non_numeric_outputs(fn, word):
    x = RNG.normal(size=3)
    for call in (lambda: srcgrad.vjp(fn, x), lambda: srcgrad.jvp(fn, (x,), (np.ones(3),)),
                 lambda: srcgrad.jacfwd(fn)(x), lambda: srcgrad.jacrev(fn)(x)):
        check_output_error(output_error(call), fn, word)


def test_a_refused_output_leaves_nothing_that_breaks_a_later_valid_call():
    def sometimes_bool(x, flag):
        if flag > 0:
            return np.sum(x) > 0
        return np.sum(x * x)

    g = srcgrad.grad(sometimes_bool)
    x = RNG.normal(size=3)
    with pytest.raises(OutputTypeError):
        g(x, 1.0)
    np.testing.assert_allclose(g(x, -1.0), 2 * x, rtol=1e-14)
