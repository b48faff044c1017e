"""An integer-array parameter used as an index gives the result a shape that its values do not change
(``x[rows]`` has ``rows.shape + x.shape[1:]``), so shape inference knows it and the code is specialized past
a gather; a boolean mask, or an index the function rebinds, stays unknown. Every gradient against central
differences in float64 and against HIPS autograd running the same source."""

from __future__ import annotations

import gast
import numpy as np
import pytest
from oracles import central

import srcgrad
from srcgrad.analysis.shapes import infer_shapes
from srcgrad.front_end import run_front_end

X = np.array([[0.3, -0.7, 1.1], [0.5, -0.2, 0.9], [0.4, 1.3, -0.6], [0.8, 0.1, -1.2]])
ROWS = np.array([2, 0, 2, -1, 1])
COLS = np.array([1, 1, 0, 2, 2])
GRID = np.array([[0, 3], [1, 1]])


def gather_rows(x, rows):
    picked = x[rows]
    return np.sum(np.mean(picked * picked, axis=1) * np.arange(1.0, 6.0))


def gather_pairs(x, rows, cols):
    err = x[rows, cols] - 0.5
    return np.mean(err ** 2) + 0.1 * np.sum(x ** 2)


def gather_columns(x, cols):
    return np.sum(np.tanh(x[:, cols]) * x[:, cols])


def gather_grid(x, grid):
    block = x[grid]
    return np.sum(block[:, 0, :] * block[:, 1, :])


def gather_unsigned(x, rows):
    return np.sum(np.exp(x[rows.astype(np.uint64)]) / 10.0)


def gather_rebound(x, rows):
    rows = rows[::-1]
    return np.sum(x[rows] ** 3)


def masked(x, keep):
    return np.sum(x[keep] ** 2) / 3.0


CASES = [
    (gather_rows, (ROWS,)),
    (gather_pairs, (ROWS, COLS)),
    (gather_columns, (COLS,)),
    (gather_grid, (GRID,)),
    (gather_unsigned, (ROWS[ROWS >= 0],)),
    (gather_rebound, (ROWS,)),
    (masked, (X > 0,)),
]


@pytest.mark.parametrize("f, rest", CASES, ids=[f.__name__ for f, _ in CASES])
def test_gradient_through_an_index_parameter(f, rest):
    x = X.copy()
    gradient = srcgrad.grad(f)(x, *rest)
    assert gradient.shape == x.shape and gradient.dtype == np.float64
    flat = central(lambda v: f(v.reshape(x.shape), *rest), x.ravel()).reshape(x.shape)
    np.testing.assert_allclose(gradient, flat, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(srcgrad.grad(f)(x, *rest), gradient)   # the second call, the same
    np.testing.assert_array_equal(x, X)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    oracle = type(f)(f.__code__, dict(f.__globals__, np=anp), f.__name__, f.__defaults__, f.__closure__)
    np.testing.assert_allclose(gradient, autograd.grad(oracle)(x, *rest), rtol=1e-12, atol=1e-14)


def _shapes(f, *args):
    front = run_front_end(f, (0,), False, False, False, args)
    integers = {s.target.id for s in gast.walk(front.core) if isinstance(s, gast.For)}
    return infer_shapes(front.core, dict(zip(front.params, args)), front.resolver.shape_preserving_primitive,
                        integers)


def test_the_shape_of_a_gather_is_known_and_that_of_a_mask_is_not():
    assert _shapes(gather_rows, X, ROWS)["picked"] == (5, 3)
    assert _shapes(gather_grid, X, GRID)["block"] == (2, 2, 3)
    pairs = _shapes(gather_pairs, X, ROWS, COLS)
    assert [shape for name, shape in pairs.items() if name.startswith("x_item")] == [(5,)]
    assert _shapes(gather_rebound, X, ROWS).get("x_item") is None   # rows is rebound: not assumed
    assert all(shape is None for name, shape in _shapes(masked, X, X > 0).items() if name.startswith("x_item"))


def test_code_past_a_gather_is_specialized():
    source = srcgrad.show(srcgrad.grad(gather_pairs), X, ROWS, COLS)
    assert "repeat_reduced" not in source and "reduced_count" not in source and "unbroadcast" not in source


def _shapes_evaluating_everything(fn, params, evaluate, integers):
    """The shape inference's fixpoint as it was first written: every value evaluated on every round."""
    from srcgrad.analysis import shapes as S

    shapes = {name: S._shape_of(value) for name, value in params.items()}
    flows = list(S.assignments(fn.body))
    integers = S.integer_closure(flows, integers, params)
    for name in integers:
        shapes[name] = ()
    rebound = {n.id for n in gast.walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    indices = dict.fromkeys(integers)
    indices.update({name: value.shape for name, value in params.items() if type(value) is np.ndarray
                    and value.dtype.kind in "iu" and name not in rebound})
    for _ in range(len(flows) + 2):
        changed = False
        for target, value in flows:
            old = shapes.get(target, S._MISSING)
            new = S._join(old, S._evaluate(value, shapes, evaluate, indices))
            if new != old:
                shapes[target], changed = new, True
        if not changed:
            break
    return {k: S._public(v) for k, v in shapes.items()}


def horner(coef, x):
    p = coef[-1]
    for k in range(coef.shape[0] - 2, -1, -1):
        p = p * x + coef[k]
    return np.sum(p)


def shrinking(u, c):
    for _ in range(5):
        u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return np.sum(u * u)


@pytest.mark.parametrize("f, args", [
    (gather_rows, (X, ROWS)), (gather_pairs, (X, ROWS, COLS)), (masked, (X, X > 0)),
    (horner, (np.arange(1.0, 6.0), np.linspace(0.0, 1.0, 7))), (shrinking, (np.linspace(0.0, 1.0, 20), 0.2)),
], ids=["gather_rows", "gather_pairs", "masked", "horner", "shrinking"])
def test_skipping_values_whose_inputs_did_not_change_finds_the_same_shapes(f, args):
    front = run_front_end(f, (0,), False, False, False, args)
    integers = {s.target.id for s in gast.walk(front.core) if isinstance(s, gast.For)}
    params = dict(zip(front.params, args))
    evaluate = front.resolver.shape_preserving_primitive
    assert infer_shapes(front.core, params, evaluate, integers) == _shapes_evaluating_everything(
        front.core, params, evaluate, integers)
