"""Type promotion against PyTorch: every pair of dtypes, as tensors with dimensions or 0-d, and with Python
numbers, through ``+``, ``*`` and ``/``. NumPy alone disagrees with PyTorch on many of these."""

import itertools

import pytest

import srcgrad

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

NAMES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


def result_dtype(T, left, right, op):
    try:
        return str(eval(f"left {op} right").dtype)
    except Exception as error:  # e.g. bool - bool: both libraries refuse
        return type(error).__name__


def operand(T, name, kind):
    return T.ones(2, dtype=getattr(T, name)) if kind == "dim" else T.ones((), dtype=getattr(T, name))


@pytest.mark.parametrize("left", NAMES)
def test_tensor_with_tensor(left):
    for right, kinds, op in itertools.product(NAMES, itertools.product(["dim", "0-d"], repeat=2), "+*/"):
        got = result_dtype(srcgrad, operand(srcgrad, left, kinds[0]), operand(srcgrad, right, kinds[1]), op)
        want = result_dtype(torch, operand(torch, left, kinds[0]), operand(torch, right, kinds[1]), op)
        assert got == want, (left, right, kinds, op)


@pytest.mark.parametrize("name", NAMES)
def test_tensor_with_python_number(name):
    for number, op in itertools.product([1, 1.5, True], "+*/"):
        got = result_dtype(srcgrad, operand(srcgrad, name, "dim"), number, op)
        assert got == result_dtype(torch, operand(torch, name, "dim"), number, op), (name, number, op)
