"""Programs the random-program test once failed on, shrunk, each kept with the fix it led to. Each is checked
the same four ways as the random programs (``differential.check_program``)."""

import numpy as np
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
