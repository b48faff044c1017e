"""Where the shim's float32 values equal PyTorch's bit for bit: ``linspace`` (computed as PyTorch's CPU
kernel computes it), products, sums and small integer powers. Transcendental functions and float32
reductions are documented as differing in the last bits (docs/tensor-shim.md); nothing here claims them."""

import math

import numpy as np
import pytest

import srcgrad

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(5)
RANGES = [(-math.pi, math.pi, 2000), (0.0, 1.0, 11), (1.0, -1.0, 7), (0.0, 0.0, 4), (-3.0, 5.0, 2), (2.5, 9.0, 1),
          (0.0, 1.0, 0)] + [(float(a), float(b), int(n)) for a, b, n in
                            zip(RNG.normal(scale=10, size=120), RNG.normal(scale=10, size=120),
                                RNG.integers(1, 3000, size=120))]


@pytest.mark.parametrize("start, end, steps", RANGES)
def test_linspace_float32_is_pytorchs_bit_for_bit(start, end, steps):
    got = srcgrad.linspace(start, end, steps).numpy()
    expected = torch.linspace(start, end, steps).numpy()
    assert got.dtype == expected.dtype == np.float32 and got.shape == expected.shape == (steps,)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("start, end, steps", RANGES[:40])
def test_linspace_float64_differs_at_most_in_the_last_bit_of_a_rare_value(start, end, steps):
    got = srcgrad.linspace(start, end, steps, dtype=srcgrad.float64).numpy()
    expected = torch.linspace(start, end, steps, dtype=torch.float64).numpy()
    assert got.dtype == np.float64 and got.shape == expected.shape
    differ = got != expected
    assert differ.sum() <= max(1, steps // 1000)
    np.testing.assert_array_less(np.abs(got - expected)[differ], np.spacing(np.abs(expected[differ])) * 1.01)


def test_linspace_refuses_negative_steps_as_pytorch_does():
    for module in (torch, srcgrad):
        with pytest.raises(RuntimeError, match=r"^number of steps must be non-negative$"):
            module.linspace(0, 1, -1)


def test_the_polynomial_fit_tutorials_float32_arithmetic_matches_bit_for_bit():
    values = {}
    for module in (srcgrad, torch):
        x = module.linspace(-math.pi, math.pi, 2000)
        a, b, c, d = (module.tensor(v) for v in (0.1, -0.2, 0.05, 0.3))
        values[module.__name__] = (a + b * x + c * x ** 2 + d * x ** 3).numpy()
    np.testing.assert_array_equal(values["srcgrad"], values["torch"])
