"""Differentiating with respect to dicts, lists, tuples and nested mixes; bound methods; the two-moons
MLP example."""

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from gradcheck import assert_close, finite_difference

import srcgrad

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import mlp_two_moons


def leaves(tree, path=()):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, (*path, key))
    elif isinstance(tree, (list, tuple)):
        for i, value in enumerate(tree):
            yield from leaves(value, (*path, i))
    else:
        yield path, tree


def get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def replaced(tree, path, value):
    """A copy of ``tree`` with the leaf at ``path`` replaced (tuples are rebuilt, not mutated)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {k: replaced(v, rest, value) if k == head else copy.deepcopy(v) for k, v in tree.items()}
    items = [replaced(v, rest, value) if i == head else copy.deepcopy(v) for i, v in enumerate(tree)]
    return type(tree)(items)


def check_tree_grad(f, tree, *rest):
    grads = srcgrad.grad(f)(tree, *rest)
    assert type(grads) is type(tree)
    for path, leaf in leaves(tree):
        got = get(grads, path)
        want = finite_difference(lambda v, p=path: f(replaced(tree, p, v), *rest), [leaf], 0)
        if isinstance(leaf, float):
            assert isinstance(got, float)
        else:
            assert got.shape == leaf.shape and got.dtype == leaf.dtype
        assert_close(got, want, what=str(path))


def dict_loss(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    return np.sum(h ** 2) + params["scale"] * np.sum(params["W"] ** 2)


def list_loss(ws, x):
    h = x
    for w in ws:
        h = np.tanh(h @ w)
    return np.sum(h)


def tuple_loss(pair, x):
    a, b = pair
    return np.sum(np.sin(a * x) + b ** 2)


def nested_loss(tree, x):
    first = tree["layers"][0]
    second = tree["layers"][1]
    return np.sum(np.tanh(x @ first["W"]) @ second["W"]) + np.sum(tree["extra"][1] ** 3)


def unused_leaf_loss(params, x):
    return np.sum(params["used"] * x)


rng = np.random.default_rng(5)
X = rng.normal(size=(4, 3))


@pytest.mark.parametrize(("f", "tree"), [
    (dict_loss, {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2), "scale": 0.3}),
    (list_loss, [rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 2)) * 0.5]),
    (tuple_loss, (rng.normal(size=3), rng.normal(size=3))),
    (nested_loss, {"layers": [{"W": rng.normal(size=(3, 3))}, {"W": rng.normal(size=(3, 2))}],
                   "extra": (rng.normal(size=2), rng.normal(size=2))}),
], ids=["dict", "list", "tuple", "nested"])
def test_tree_gradients(f, tree):
    x = X if f is not tuple_loss else rng.normal(size=3)
    check_tree_grad(f, tree, x)


def test_unused_leaves_get_zero_gradients_of_their_shape():
    params = {"used": rng.normal(size=3), "unused": rng.normal(size=(2, 2)).astype(np.float32)}
    grads = srcgrad.grad(unused_leaf_loss)(params, np.arange(3.0))
    np.testing.assert_array_equal(grads["used"], np.arange(3.0))
    assert grads["unused"].shape == (2, 2) and grads["unused"].dtype == np.float32
    assert not grads["unused"].any()


def test_integer_leaf_is_rejected():
    with pytest.raises(srcgrad.InputTypeError, match=r"\['n'\]"):
        srcgrad.grad(unused_leaf_loss)({"used": np.ones(3), "n": 3}, np.ones(3))


class Quadratic:
    def __init__(self, A):
        self.A = A

    def energy(self, x):
        return 0.5 * x @ self.A @ x


def test_grad_of_a_bound_method():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(srcgrad.grad(Quadratic(A).energy)(x), A @ x)


def test_two_moons_mlp_trains():
    params = mlp_two_moons.init_params(np.random.default_rng(1), width=4)
    x, y = mlp_two_moons.two_moons(16, 0.1, np.random.default_rng(2))
    check_tree_grad(mlp_two_moons.loss, params, x, y.astype(float))
    _, losses, accuracy = mlp_two_moons.train(steps=200)
    assert losses[-1] < 0.1 < losses[0]
    assert accuracy > 0.95
