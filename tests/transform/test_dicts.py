"""Dicts built and read inside differentiated functions (``srcgrad/dicts.py``, ``frontend/dict_lowering.py``):
displays, ``dict(...)``, comprehensions, ``items``/``values``/``keys``/``get``/``copy``, loops over a dict
(its keys), element writes. Reverse mode, forward mode and the Hessian against central differences, and
HIPS autograd (which runs the same Python) as a second oracle. These also check the rules of
``dict_display`` and ``values_of``, which the table-driven rule tests leave to this file."""

import numpy as np
import pytest
from oracles import central, construct_tests

import srcgrad

X = np.array([0.3, -0.7, 1.2])


def display_and_reads(x):
    d = {"w": x, "b": 2.0 * x, "s": np.sum(x)}
    return np.sum(d["w"] * d["b"]) + d["s"] ** 2


def dict_call(x):
    d = dict(a=x, b=x * x)
    return np.sum(d["a"] + np.sin(d["b"]))


def items_loop(x):
    params = {"w": x, "v": np.cos(x)}
    total = 0.0
    for name, value in params.items():
        total = total + np.sum(value ** 2) * (2.0 if name == "w" else 1.0)
    return total


def values_and_keys(x):
    d = {"a": x[0] * x[1], "b": np.tanh(x)}
    keys = d.keys()
    return sum(np.sum(v) for v in d.values()) * len(keys)


def get_with_default(x):
    d = {"w": np.exp(x)}
    return np.sum(d.get("w") * d.get("missing", 3.0) + d.get("w", x))


def sorted_items(x):
    d = {"b": x * 2.0, "a": np.sin(x)}
    return sum(np.sum(v) * (i + 1) for i, (k, v) in enumerate(sorted(d.items())))


def comprehension_and_writes(x):
    params = {"w": x, "b": x[:2]}
    scaled = {k: 3.0 * v for k, v in params.items()}
    scaled["w"] = scaled["w"] * params["b"][0]
    scaled["c"] = np.sum(scaled["b"])
    return np.sum(scaled["w"]) + scaled["c"] ** 2


def loop_over_keys_with_integers(x):
    layers = {0: x, 1: x * x, 2: np.sin(x)}
    total = 0.0
    for k in layers:  # noqa: PLC0206 (a loop over a dict walks its keys: the construct under test)
        total = total + np.sum(layers[k]) * (k + 1)
    return total


def copied_dict(x):
    d = {"w": x}
    e = d.copy()
    e["w"] = e["w"] * 2.0
    return np.sum(d["w"] * e["w"])


def sgd_step_on_a_dict(x):
    params = {"w": x, "b": np.sum(x)}
    grads = {"w": 2.0 * x, "b": 1.0}
    new = {k: params[k] - 0.1 * grads[k] for k in params}
    return np.sum(new["w"] ** 2) + new["b"] ** 2


def repeated_keys(x):
    # a later value with the same key replaces the earlier one, which then has no derivative
    d = {i % 2: x[i] * (i + 1) for i in range(3)}
    e = {"a": x[0], "a": 2.0 * x[1]}  # noqa: F601 (the repeated key is the point)
    return np.sum(d[0]) + d[1] * e["a"]


def counts_by_computed_key(x):
    # the accumulate-by-key idiom: get's key an expression of the loop's names, a tuple key too
    sums = {}
    for i in range(x.shape[0]):
        sums[i % 2] = sums.get(i % 2, 0.0) + x[i] ** 2
        sums[(i % 2, "cube")] = sums.get((i % 2, "cube"), 1.0) * (1.0 + x[i] ** 3)
    return sums[0] * sums[1] + sums[(0, "cube")] - sums.get(-1 + 1, 5.0)


CASES = [repeated_keys, display_and_reads, dict_call, items_loop, values_and_keys, get_with_default, sorted_items,
         comprehension_and_writes, loop_over_keys_with_integers, copied_dict, sgd_step_on_a_dict,
         counts_by_computed_key]


test_gradient_against_finite_differences_and_autograd, test_forward_mode_and_hessian = construct_tests(CASES, X)


def returns_a_dict_gradient(params):
    hidden = {k: np.tanh(v) for k, v in params.items()}
    return sum(np.sum(v ** 2) for v in hidden.values())


def test_gradient_with_respect_to_a_dict_built_into_new_dicts():
    params = {"w": np.array([0.5, -0.2]), "b": np.array([1.5])}
    gradient = srcgrad.grad(returns_a_dict_gradient)(params)
    assert set(gradient) == {"w", "b"}
    for k, v in params.items():
        np.testing.assert_allclose(gradient[k], 2 * np.tanh(v) * (1 - np.tanh(v) ** 2), rtol=1e-12)


class Settings:
    def items(self):
        return [("w", 2.0)]


SETTINGS = Settings()


def items_of_an_object(x):
    total = 0.0
    for _, v in SETTINGS.items():
        total = total + v * np.sum(x)
    return total


def get_of_an_object(x):
    s = SETTINGS
    return np.sum(x) * s.get("w")


def test_a_method_of_another_object_is_not_taken_for_the_dict_method():
    # a global object keeps its own method (it is not a local or parameter of the function)
    np.testing.assert_allclose(srcgrad.grad(items_of_an_object)(X), np.full(3, 2.0))
    with pytest.raises((srcgrad.SrcgradError, TypeError), match="dict"):
        srcgrad.grad(get_of_an_object)(X)


def test_a_dict_display_with_double_star_is_refused_at_its_line():
    def merged(x):
        base = {"a": x}
        d = {**base, "b": x}
        return np.sum(d["b"])

    with pytest.raises(srcgrad.SrcgradSyntaxError, match=r"'\*\*'") as caught:
        srcgrad.grad(merged)(X)
    assert caught.value.filename == __file__


def write_through_a_second_name(x):
    d = {"w": x}
    e = d
    e["w"] = e["w"] * 2.0
    return np.sum(d["w"])


def write_to_a_dict_held_in_a_list(x):
    d = {"w": x}
    held = [d]
    d["w"] = np.sin(x)
    return np.sum(held[0]["w"])


@pytest.mark.parametrize("f", [write_through_a_second_name, write_to_a_dict_held_in_a_list],
                         ids=lambda f: f.__name__)
def test_a_write_another_name_sees_is_right_or_refused_at_its_line(f):
    try:
        gradient = srcgrad.grad(f)(X)
    except srcgrad.SrcgradError as error:
        assert error.filename == __file__
        assert f.__code__.co_firstlineno < error.lineno <= f.__code__.co_firstlineno + 5
    else:
        np.testing.assert_allclose(gradient, central(f, X), rtol=1e-6, atol=1e-8)
