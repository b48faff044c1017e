"""Programs the random-program test once failed on, shrunk, each kept with the fix it led to. Each is checked
the same four ways as the random programs (``differential.check_program``)."""

import numpy as np
import pytest
from differential import check_program

import srcgrad


def test_python_float_given_float64_dtype_keeps_double_precision():
    """``srcgrad.tensor(s, dtype=float64)`` of a Python float went through float32 first, so the shim's value
    of ``f`` below differed from NumPy's in the 8th digit (fixed in ``tensor.factories.tensor``)."""
    numpy_program = "import numpy as np\n\ndef f(x, s):\n    return s\n"
    shim_program = "import srcgrad as torch\n\ndef f(x, s):\n    return s\n"
    check_program(numpy_program, shim_program, [(3,), ()], seed=0)
    assert srcgrad.tensor(0.1, dtype=srcgrad.float64).item() == 0.1
    assert srcgrad.tensor([0.1, 1e-300], dtype=srcgrad.float64).numpy().tolist() == [0.1, 1e-300]
    assert srcgrad.tensor(0.1).dtype == srcgrad.float32  # no dtype: PyTorch's default
    np.testing.assert_array_equal(srcgrad.tensor([[1, 2]], dtype=srcgrad.float64).numpy(), [[1.0, 2.0]])


# Bugs the random programs found (lists, tuples and in-place updates), shrunk by hand.


def _sum_of_zeros_plus(s):
    return np.sum(np.zeros(3) + s)


def _element_of_zeros_plus(s):
    v = np.zeros(3) + s
    return v[1]


def test_forward_mode_broadcasts_a_scalar_tangent_against_a_constant_array():
    assert srcgrad.grad(_sum_of_zeros_plus)(0.7) == 3.0  # reverse mode is right
    assert srcgrad.jvp(_sum_of_zeros_plus, (0.7,), (1.0,))[1] == pytest.approx(3.0)  # got 1.0
    assert srcgrad.jvp(_element_of_zeros_plus, (0.7,), (1.0,))[1] == pytest.approx(1.0)  # TypeError
    # as the random programs write it: an array the program owns, updated in place by a scalar
    numpy_program = ("import numpy as np\n\ndef f(x, s):\n    v = np.zeros_like(x)\n    v += s\n"
                     "    return np.sum(v) + np.sum(x)\n")
    shim_program = ("import srcgrad as torch\n\ndef f(x, s):\n    v = torch.zeros_like(x)\n    v = v + s\n"
                    "    return v.sum() + x.sum()\n")
    check_program(numpy_program, shim_program, [(3,), ()], seed=0)


def test_shim_view_of_a_constant_updated_in_place_carries_the_gradient():
    for through_view in (True, False):
        x = srcgrad.tensor([0.5, -1.0, 2.0], dtype=srcgrad.float64, requires_grad=True)
        v = srcgrad.zeros_like(x)
        z = v[:2]
        if through_view:
            z += x[:2]
        else:
            v += x
        assert z.requires_grad
        (z.sum() + x[0]).backward()
        assert x.grad.tolist() == [2.0, 1.0, 0.0]  # PyTorch's (got [1.0, 0.0, 0.0])
    numpy_program = ("import numpy as np\n\ndef f(x):\n    v = np.zeros_like(x)\n    z = v[:2]\n    z += x[:2]\n"
                     "    return np.sum(z) + x[0]\n")
    shim_program = ("import srcgrad as torch\n\ndef f(x):\n    v = torch.zeros_like(x)\n    z = v[:2]\n"
                    "    z += x[:2]\n    return z.sum() + x[0]\n")
    check_program(numpy_program, shim_program, [(3,)], seed=0, shim_in_place=True)


def test_shim_quotient_updated_in_place_through_a_view_keeps_its_gradient():
    x = srcgrad.tensor([0.5, -1.0, 2.0], dtype=srcgrad.float64, requires_grad=True)
    v = x / x.sum()
    v[0] += 5.0
    v.sum().backward()
    assert x.grad.tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)  # PyTorch's (got -10/3 each)
    numpy_program = ("import numpy as np\n\ndef f(x):\n    v = x / (x * x + 1.0)\n    v[0] += 5.0\n"
                     "    return np.sum(v)\n")
    shim_program = ("import srcgrad as torch\n\ndef f(x):\n    v = x / (x * x + 1.0)\n    v[0] += 5.0\n"
                    "    return v.sum()\n")
    check_program(numpy_program, shim_program, [(3,)], seed=0, shim_in_place=True)
