"""``format_tensor`` must reproduce ``repr`` of real PyTorch tensors character for character."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from srcgrad.tensor.printing import format_tensor

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

INF, NAN = float("inf"), float("nan")


def torch_repr(data: np.ndarray, dtype: str, autograd: str | None = None) -> tuple[str, str]:
    """Return (PyTorch's repr, ours) for the same data, dtype and autograd state.

    ``autograd`` is None (plain tensor), ``"leaf"`` (``requires_grad=True``) or
    ``"fn"`` (the result of an op on a leaf, so it carries a ``grad_fn``).
    """
    t = torch.tensor(np.asarray(data), dtype=getattr(torch, dtype))
    grad_fn_name = None
    if autograd == "leaf":
        t.requires_grad_(True)
    elif autograd == "fn":
        # ``* 1`` keeps every real value (including -0. and nan) but not complex infinities: clone those.
        t = t.requires_grad_(True)
        t = t.clone() if t.is_complex() else t * 1
        grad_fn_name = type(t.grad_fn).__name__
    ours = format_tensor(np.asarray(data), dtype, grad_fn_name=grad_fn_name,
                         requires_grad=autograd == "leaf")
    return repr(t), ours


def rng_array(shape, scale=1.0, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


CASES = [
    # 0-d tensors
    ("scalar_float", np.array(4.5), "float32", None),
    ("scalar_int_valued_float", np.array(3.0), "float32", None),
    ("scalar_int", np.array(7), "int64", None),
    ("scalar_bool", np.array(True), "bool", None),
    ("scalar_nan", np.array(NAN), "float32", None),
    ("scalar_neg_inf", np.array(-INF), "float64", None),
    ("scalar_neg_zero", np.array(-0.0), "float32", None),
    ("scalar_tiny", np.array(1e-7), "float32", None),
    ("scalar_huge", np.array(3e12), "float64", None),
    ("scalar_leaf", np.array(2.25), "float32", "leaf"),
    ("scalar_grad_fn", np.array(2.25), "float64", "fn"),
    ("scalar_complex", np.array(1.5 - 2j), "complex64", None),
    # 1-D
    ("vec_fixed", np.array([1.5, -2.25, 3.125]), "float32", None),
    ("vec_int_valued", np.array([1.0, 2.0, -3.0]), "float32", None),
    ("vec_with_zero", np.array([0.0, 0.5, 2.0]), "float32", None),
    ("vec_all_zero", np.zeros(5), "float32", None),
    ("vec_neg_zero", np.array([-0.0, 0.0, 1.0]), "float32", None),
    ("vec_neg_zero_fixed", np.array([-0.0, 0.5, 1.25]), "float32", None),
    ("vec_sci_ratio", np.array([1.0, 1001.0]), "float32", None),
    ("vec_ratio_1000", np.array([1.5, 1500.0]), "float32", None),
    ("vec_sci_big", np.array([1e9, 2e9]), "float32", None),
    ("vec_sci_small", np.array([5e-5, 6e-5]), "float64", None),
    ("vec_sci_int_mode", np.array([1.0, 1e5]), "float32", None),
    ("vec_inf_nan", np.array([INF, -INF, NAN, 1.5]), "float32", None),
    ("vec_inf_nan_int", np.array([INF, NAN, 2.0]), "float32", None),
    ("vec_only_nonfinite", np.array([INF, NAN, -INF]), "float32", None),
    ("vec_nonfinite_sci", np.array([INF, 1e-6, 3.0]), "float64", None),
    ("vec_float64", np.array([0.1, 0.2, 0.3]), "float64", None),
    ("vec_float16", np.array([0.1, 1000.0, 3.0]), "float16", None),
    ("vec_float16_max", np.array([65504.0, -1.0]), "float16", None),
    ("vec_rounding", np.array([0.00005, 0.99995, 1.23456789]), "float64", None),
    ("vec_int64", np.array([1, -20, 300]), "int64", None),
    ("vec_int32", np.array([1, -20, 300]), "int32", None),
    ("vec_int16", np.array([1, 2, 3]), "int16", None),
    ("vec_uint8", np.array([0, 255, 7]), "uint8", None),
    ("vec_int8", np.array([-128, 127, 0]), "int8", None),
    ("vec_uint64", np.array([2**64 - 1, 0], dtype=np.uint64), "uint64", None),
    ("vec_large_int", np.array([2**62, -(2**63), 5]), "int64", None),
    ("vec_bool", np.array([True, False]), "bool", None),
    ("vec_bool_all_false", np.array([False, False, False]), "bool", None),
    ("vec_complex", np.array([1 + 2j, -3.5 - 0.25j, 0j]), "complex64", None),
    ("vec_complex128", np.array([1e-6 + 2j, 3 - 1j]), "complex128", None),
    ("vec_complex_neg_zero_imag", np.array([1 - 0.0j, 2 + 1j]), "complex64", None),
    ("vec_wrap_ints", np.arange(40), "int64", None),
    ("vec_wrap_floats", rng_array(30), "float32", None),
    ("vec_wrap_sci", rng_array(25, 1e6), "float64", None),
    ("vec_leaf", np.array([1.0, 2.0]), "float32", "leaf"),
    ("vec_grad_fn", np.array([1.5, 2.5]), "float32", "fn"),
    ("vec_leaf_float64", np.array([1.0, 2.0]), "float64", "leaf"),
    ("vec_wrap_leaf", rng_array(40), "float32", "leaf"),
    ("vec_wrap_grad_fn_f64", rng_array(37), "float64", "fn"),
    ("vec_suffix_breaks_line", rng_array(8, 1e4), "float64", "fn"),
    ("vec_suffix_exactly_fits", rng_array(9), "float64", "leaf"),
    # summarisation
    ("summ_vec", np.arange(2000, dtype=np.float64), "float32", None),
    ("summ_vec_1001", np.arange(1001), "int64", None),
    ("no_summ_1000", np.arange(1000), "int64", None),
    ("summ_hidden_extremes", np.r_[np.ones(3), np.full(1000, 1e10), np.ones(3) * 2.5], "float32", None),
    ("summ_2d", rng_array((40, 40)), "float32", None),
    ("summ_2d_short_rows", rng_array((600, 2)), "float32", None),
    ("summ_2d_long_rows", rng_array((2, 600)), "float64", None),
    ("summ_3d", rng_array((10, 10, 20), 1e-3, 1), "float32", None),
    ("summ_4d", np.arange(2 * 3 * 20 * 20).reshape(2, 3, 20, 20), "int64", None),
    ("summ_grad_fn", rng_array((50, 50)), "float32", "fn"),
    ("summ_bool", np.arange(1200) % 3 == 0, "bool", None),
    # 2-D and higher
    ("mat_float", rng_array((3, 4)), "float32", None),
    ("mat_int", np.arange(12).reshape(3, 4) - 5, "int64", None),
    ("mat_bool", np.array([[True, False], [False, True]]), "bool", None),
    ("mat_wide", rng_array((3, 20)), "float32", None),
    ("mat_wide_grad", rng_array((4, 15)), "float64", "fn"),
    ("mat_nan", np.array([[NAN, 1.0], [2.0, -INF]]), "float32", None),
    ("mat_complex", np.array([[1 + 1j, 2], [3j, -4]]), "complex64", None),
    ("mat_one_row", rng_array((1, 5)), "float32", None),
    ("mat_one_col", rng_array((5, 1)), "float32", None),
    ("cube", rng_array((2, 3, 4)), "float32", None),
    ("cube_int", np.arange(24).reshape(2, 3, 4), "int32", None),
    ("cube_leaf", rng_array((2, 2, 2)), "float32", "leaf"),
    ("hyper", np.arange(16.0).reshape(2, 2, 2, 2), "float64", None),
    ("hyper_wide", rng_array((2, 2, 2, 30), 1e3), "float64", "fn"),
    ("five_d", np.arange(32).reshape(2, 2, 2, 2, 2) % 2 == 1, "bool", None),
    # empty
    ("empty_vec", np.zeros(0), "float32", None),
    ("empty_vec_int", np.zeros(0, dtype=np.int64), "int64", None),
    ("empty_vec_bool", np.zeros(0, dtype=bool), "bool", None),
    ("empty_vec_f64", np.zeros(0), "float64", None),
    ("empty_mat", np.zeros((0, 3)), "float32", None),
    ("empty_mat_2", np.zeros((2, 0)), "int64", None),
    ("empty_3d", np.zeros((2, 0, 4)), "float16", None),
    ("empty_complex", np.zeros(0, dtype=np.complex64), "complex64", None),
    ("empty_leaf", np.zeros((0, 2)), "float32", "leaf"),
    ("empty_grad_fn", np.zeros(0), "float64", "fn"),
]


@pytest.mark.parametrize(("data", "dtype", "autograd"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_torch(data, dtype, autograd):
    expected, ours = torch_repr(data, dtype, autograd)
    assert ours == expected


@pytest.mark.parametrize("alias", ["double", "torch.float64"])
def test_dtype_aliases(alias):
    assert format_tensor(np.array([1.0]), alias) == "tensor([1.], dtype=torch.float64)"


def test_casts_data_to_dtype():
    """Data is rounded to the named dtype, as ``torch.tensor(..., dtype=...)`` does."""
    data = np.array([0.1, 1 / 3])
    assert format_tensor(data, "int64") == repr(torch.tensor(data).to(torch.int64))
    assert format_tensor(data, "float16") == repr(torch.tensor(data, dtype=torch.float16))


DTYPES = ["float32", "float64", "float16", "int64", "int32", "bool", "complex64"]
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12)
AUTOGRAD = st.sampled_from([None, "leaf", "fn"])


def _round_to(value: float, dtype: str) -> float:
    """``value`` as the nearest ``dtype`` number (out-of-range values become infinite, as in torch)."""
    with np.errstate(over="ignore"):
        return float(np.array(value).astype(dtype))


def _elements(dtype: str):
    """Element strategies that mix ordinary, integral, tiny, huge and non-finite values."""
    if dtype == "bool":
        return st.booleans()
    if dtype in ("int64", "int32"):
        bits = 63 if dtype == "int64" else 31
        return st.one_of(st.integers(-100, 100), st.integers(-(2**bits), 2**bits - 1))
    width = {"float16": 16, "float32": 32, "complex64": 32}.get(dtype, 64)
    special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-4, 1e-5, 1e8, 1.1e8, 999.0, 1000.0, 0.5, INF, -INF, NAN])
    integral = st.integers(-10**6, 10**6).map(float)
    scaled = st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-12, 12))
    value = st.one_of(special, integral, scaled, st.floats(width=width))
    if width < 64:
        value = value.map(lambda v: _round_to(v, f"float{width}"))
    if dtype == "complex64":
        return st.builds(complex, value, value)
    return value


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(DTYPES))
    np_dtype = np.dtype(dtype)
    data = draw(hnp.arrays(np_dtype, draw(shapes), elements=_elements(dtype)))
    autograd = draw(AUTOGRAD) if dtype.startswith(("float", "complex")) else None
    return data, dtype, autograd


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(tensors())
def test_random_arrays_match_torch(case):
    data, dtype, autograd = case
    expected, ours = torch_repr(data, dtype, autograd)
    assert ours == expected


@st.composite
def magnitude_tensors(draw):
    """Dense random arrays with a random magnitude span, including ones large enough to be summarised."""
    dtype = draw(st.sampled_from(["float32", "float64", "float16", "complex64"]))
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 14 if ndim == 3 else 40), min_size=ndim, max_size=ndim)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    low, span = draw(st.integers(-12, 10)), draw(st.integers(0, 6))
    data = rng.standard_normal(shape) * 10.0 ** rng.uniform(low, low + span, shape)
    if draw(st.booleans()):
        data = np.round(data)
    if dtype == "complex64":
        data = data + 1j * rng.permutation(data.reshape(-1)).reshape(shape)
    special = draw(st.sampled_from([0.0, -0.0, INF, -INF, NAN, None]))
    if special is not None:
        data.reshape(-1)[rng.integers(0, data.size, max(1, data.size // 10))] = special
    with np.errstate(over="ignore"):  # float16 overflows to inf, as it would in torch
        data = data.astype(dtype)
    autograd = draw(AUTOGRAD)
    return data, dtype, autograd


@settings(max_examples=300, deadline=None)
@given(magnitude_tensors())
def test_random_magnitudes_match_torch(case):
    data, dtype, autograd = case
    expected, ours = torch_repr(data, dtype, autograd)
    assert ours == expected
