"""The short paths of rule helpers that generated code calls on every trip of a loop give what their
general paths give: same values (bit for bit where no sum is reordered), dtypes and shapes, and the general
path for everything else (containers, fancy and boolean indices, complex values, broadcasting)."""

from __future__ import annotations

import numpy as np
import pytest

from srcgrad.rules.helpers import (
    add_element,
    getitem_grad,
    repeat_reduced,
    spread_scalar,
    sum_of_product,
    unbroadcast,
    zeros_like_grad,
)

RNG = np.random.default_rng(7)


def _general_getitem_grad(g, x, index):
    """What ``getitem_grad`` computes, written out: zeros of x's shape and the result dtype, g written in."""
    out = np.zeros(np.shape(x), np.result_type(x, g))
    np.add.at(out, index, g)
    return out


@pytest.mark.parametrize("index", [slice(1, -1), slice(None, -2), slice(2, None), slice(None, None, 2), 3, -1])
@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float32), (np.float32, np.float64)])
def test_getitem_grad_of_one_slice_or_integer(index, dtypes):
    x = RNG.normal(size=9).astype(dtypes[0])
    g = np.asarray(RNG.normal(size=np.shape(x[index]))).astype(dtypes[1])
    g = g[()] if g.shape == () else g
    got, expected = getitem_grad(g, x, index), _general_getitem_grad(g, x, index)
    assert type(got) is np.ndarray and got.dtype == expected.dtype and got.shape == x.shape
    assert got.tobytes() == expected.tobytes()
    assert not np.shares_memory(got, g if isinstance(g, np.ndarray) else got[:0])


@pytest.mark.parametrize("shape, index_shape", [((7,), (20,)), ((7, 3), (20,)), ((7, 3, 2), (4, 5)), ((7,), ()),
                                                 ((5, 2), (0,)), ((1,), (6,))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_getitem_grad_of_an_integer_array_is_the_sum_np_add_at_makes(shape, index_shape, dtype):
    """A gather's cotangent (summed by ``np.bincount`` for float64): the bits of ``np.add.at`` into zeros,
    negative and repeated indices included."""
    x = RNG.normal(size=shape).astype(dtype)
    index = RNG.integers(-shape[0], shape[0], size=index_shape)
    g = RNG.normal(size=index_shape + shape[1:]).astype(dtype)
    got, expected = getitem_grad(g, x, index), _general_getitem_grad(g, x, index)
    assert type(got) is np.ndarray and got.dtype == expected.dtype == dtype and got.shape == x.shape
    assert got.tobytes() == expected.tobytes()
    for index_dtype in (np.uint32, np.uint64, np.int32):
        assert np.array_equal(getitem_grad(g, x, (index % shape[0]).astype(index_dtype)), expected)


def test_getitem_grad_keeps_its_general_path():
    x = RNG.normal(size=6)
    repeated = np.array([1, 1, 4])
    assert np.array_equal(getitem_grad(np.ones(3), x, repeated), [0, 2, 0, 0, 1, 0])   # repeats accumulate
    mask = x > 0
    assert np.array_equal(getitem_grad(np.ones(mask.sum()), x, mask), mask.astype(float))
    assert getitem_grad(2.0, [1.0, 3.0], 1) == [0.0, 2.0]
    assert getitem_grad(2.0, (1.0, 3.0), 0) == (2.0, 0.0)
    assert getitem_grad(1.5, {"a": 1.0, "b": 2.0}, "b") == {"b": 1.5}
    assert getitem_grad(True, np.zeros(3), 1).dtype == np.float64   # a bool cotangent: the general path


def test_add_element_adds_in_place_for_arrays_and_makes_a_new_value_otherwise():
    x = RNG.normal(size=8)
    out = np.zeros(8)
    g = RNG.normal(size=6)
    assert add_element(out, g, x, slice(1, -1)) is out
    assert np.array_equal(out[1:-1], g) and out[0] == out[-1] == 0.0
    assert add_element(out, 2.0, x, 0) is out and out[0] == 2.0
    fancy = add_element(out, np.ones(2), x, np.array([2, 2]))   # repeats: the general rule, a new array
    assert fancy is not out and fancy[2] == out[2] + 2.0


@pytest.mark.parametrize("shape", [(2000,), (7, 5), (1,)])
def test_sum_of_product_is_the_sum_of_the_product(shape):
    a, b = RNG.normal(size=shape), RNG.normal(size=shape)
    got, expected = sum_of_product(a, b, 0.3), unbroadcast(a * b, 0.3)
    assert type(got) is type(expected) is np.float64
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-13)


def test_sum_of_product_falls_back_where_a_dot_product_would_differ():
    a = RNG.normal(size=4) + 1j * RNG.normal(size=4)
    b = RNG.normal(size=4) - 2j * RNG.normal(size=4)
    assert sum_of_product(a, b, 0.3 + 0j) == unbroadcast(a * b, 0.3 + 0j)   # no conjugation (np.vdot's)
    row, column = RNG.normal(size=(1, 3)), RNG.normal(size=(4, 1))
    assert sum_of_product(row, column, 1.0) == pytest.approx(np.sum(row * column), rel=1e-14)
    assert sum_of_product(2.0, 3.5, 1.0) == 7.0
    f32 = RNG.normal(size=5).astype(np.float32)
    assert sum_of_product(f32, f32, np.float32(1.0)).dtype == np.float32


def test_zeros_like_grad_is_untouched_by_the_short_paths():
    assert zeros_like_grad(1.0) == 0.0 and zeros_like_grad(np.ones(3, np.float32)).dtype == np.float32


# Contractions whose cotangents are large enough for a pairwise order (``rules/contraction_order.py``); each
# is checked against the single loop NumPy runs without one, and against PyTorch's gradient where it runs.
LARGE_EINSUMS = [
    ("ni,kij,nj->nk", [(64, 12), (6, 12, 12), (64, 12)]),       # a bilinear model
    ("ij,jk->ik", [(60, 50), (50, 40)]),                          # a matrix product
    ("bij,bjk->bik", [(8, 20, 30), (8, 30, 25)]),                 # batched
    ("ab,bc,cd->ad", [(30, 40), (40, 35), (35, 20)]),             # a chain, where the order matters
    ("ij,ij,i->j", [(1000, 40), (1000, 40), (1000,)]),            # elementwise with a reduction
    ("ii,ij->j", [(400, 400), (400, 100)]),                       # a repeated index
]


@pytest.mark.parametrize("subscripts, shapes", LARGE_EINSUMS, ids=[s for s, _ in LARGE_EINSUMS])
def test_a_large_einsum_cotangent_is_the_single_loop_one(subscripts, shapes, monkeypatch):
    from srcgrad.rules import helpers

    operands = tuple(RNG.normal(size=shape) for shape in shapes)
    g = RNG.normal(size=np.einsum(subscripts, *operands).shape)
    paths: list = []
    choose = helpers.pairwise_path
    monkeypatch.setattr(helpers, "pairwise_path", lambda *a: paths.append(choose(*a)) or paths[-1])
    got = [helpers.einsum_grad(g, subscripts, operands, k) for k in range(len(operands))]
    assert any(path is not None for path in paths)   # the contraction is large enough for an order
    monkeypatch.setattr(helpers, "pairwise_path", lambda *a: None)
    for k, operand in enumerate(operands):
        assert got[k].shape == operand.shape and got[k].dtype == np.float64
        np.testing.assert_allclose(got[k], helpers.einsum_grad(g, subscripts, operands, k), rtol=1e-11, atol=1e-11)
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(op, requires_grad=True) for op in operands]
    torch.einsum(subscripts, *tensors).backward(torch.tensor(g))
    for k, tensor in enumerate(tensors):
        np.testing.assert_allclose(got[k], tensor.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_the_pairwise_order_contracts_the_smallest_result_first():
    from srcgrad.rules.contraction_order import pairwise_path

    # the bilinear model's cotangent for W: g with x first (256·8·16), then with z by BLAS
    assert pairwise_path(["nk", "ni", "nj"], "kij", [(256, 8), (256, 16), (256, 16)]) == [
        "einsum_path", (0, 1), (0, 1)]
    assert pairwise_path(["nk", "ni", "nj"], "kij", [(4, 2), (4, 3), (4, 3)]) is None        # too small
    assert pairwise_path(["ij", "ij"], "i", [(300, 1), (300, 200)]) is None                   # broadcasts
    assert pairwise_path(["ij"], "ji", [(300, 300)]) is None                                  # one operand


@pytest.mark.parametrize("shape", [(5,), (2, 3), (0, 4), (3, 0, 2), (1,)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, object])
def test_a_total_is_spread_as_broadcast_to_spreads_it(shape, dtype):
    """The cotangent of a whole sum: the read-only zero-stride view ``np.broadcast_to`` makes, for every
    dtype (an object array, which has no buffer to view, through ``broadcast_to`` itself)."""
    g = np.asarray(2.5 - 1j if dtype is np.complex128 else 2.5, dtype=dtype)
    expected = np.broadcast_to(g, shape)
    for got in (spread_scalar(g, shape), repeat_reduced(g, np.zeros(shape, dtype))):
        assert type(got) is np.ndarray and got.shape == expected.shape and got.dtype == expected.dtype
        assert got.strides == expected.strides and np.array_equal(got, expected)
        assert not got.flags.writeable
        with pytest.raises(ValueError):
            got[...] = 0
    assert np.array_equal(g, 2.5 - 1j if dtype is np.complex128 else 2.5)   # the cotangent itself unchanged


def test_a_total_spread_from_a_view_reads_the_viewed_element():
    parent = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(spread_scalar(parent[1, 2, ...], (4,)), [5.0] * 4)
    read_only = np.asarray(3.0)
    read_only.flags.writeable = False
    assert np.array_equal(spread_scalar(read_only, (2, 2)), np.full((2, 2), 3.0))


@pytest.mark.parametrize("g_shape, like_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 4), ()),
                                                 ((2, 1), (2, 1)), ((), ())])
def test_unbroadcast_of_equal_shapes_is_the_cotangent_itself(g_shape, like_shape):
    g = RNG.normal(size=g_shape)
    like = np.zeros(like_shape)
    got = unbroadcast(g, like)
    expected = g.reshape((-1,) + g_shape[len(g_shape) - len(like_shape):]).sum(axis=0) if g_shape != like_shape else g
    if like_shape == (1, 4):
        expected = g.sum(axis=0, keepdims=True)
    assert np.shape(got) == like_shape and np.allclose(got, expected, rtol=1e-12, atol=0)
    assert (got is g) == (g_shape == like_shape)
