"""Every rule whose primal exists in PyTorch against ``torch.autograd.grad`` in float64.

The case table's torch function rebuilds the primal from torch operations; the test first checks that it
computes the same value as the primal, then compares the rule's partials with torch's vector-Jacobian
product for the same cotangent. This covers the conventions finite differences cannot see: ties split
evenly (max/min/maximum/minimum), abs and norms at zero, clip boundaries, powers at a zero base.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcgrad.rules import vjp_rule

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _load(name: str, filename: str):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = _load("srcgrad_rule_test_cases", "cases.py")

TORCH_CASES = [c for c in cases.CASES if c.torch is not None]
EXAMPLES = max(int(os.environ.get("SRCGRAD_RULE_EXAMPLES", "15")) // 2, 5)


def to_torch(value, requires_grad: bool):
    """Arrays become tensors (float64 ones track gradients when ``requires_grad``), index tuples are
    converted item by item, Python floats become 0-d tensors when differentiable."""
    if isinstance(value, np.bool_):
        return torch.tensor(bool(value))
    if isinstance(value, np.ndarray):
        if value.dtype == np.bool_:
            return torch.from_numpy(value.copy())
        if value.dtype.kind in "iu":
            return torch.from_numpy(value.astype(np.int64))
        if value.dtype.kind == "c":
            return torch.tensor(value, dtype=torch.complex128, requires_grad=requires_grad)
        return torch.tensor(value, dtype=torch.float64, requires_grad=requires_grad)
    if isinstance(value, float) and requires_grad:
        return torch.tensor(value, dtype=torch.float64, requires_grad=True)
    if isinstance(value, tuple):
        return tuple(to_torch(v, requires_grad) for v in value)
    if isinstance(value, list) and requires_grad:
        return [to_torch(v, True) for v in value]
    return value


def assert_partial_equal(got, want, rtol: float = 1e-9) -> None:
    got, want = cases.as_numbers(got), cases.as_numbers(want)
    if want.dtype.kind != "c":
        got = np.real(got)  # a real argument's partial is the real part of a complex one
    assert got.shape == want.shape, (got.shape, want.shape)
    assert not np.any(np.isnan(got)), f"the rule gives NaN: {got}"
    assert not np.any(np.isnan(want)), f"torch gives NaN: {want}"
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite], want[~finite])
    scale = max(1.0, float(np.max(np.abs(want[finite]), initial=0.0)))
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=1e-12 * scale)


@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda c: c.id)
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_rule_matches_torch(case, data):
    draw = cases.Draw(data)
    args, kwargs = case.make(draw)
    with np.errstate(all="ignore"):
        ans = case.primal(*copy.deepcopy(args), **kwargs)
    g = cases.cotangent_like(ans, draw.rng)
    with np.errstate(all="ignore"):
        partials, positions = cases.call_rule(case, g, ans, args, kwargs)

    t_args = [to_torch(a, i in positions) for i, a in enumerate(args)]
    t_kwargs = {k: to_torch(v, False) for k, v in kwargs.items()}
    out = case.torch(torch, *t_args, **t_kwargs)
    np.testing.assert_allclose(out.detach().resolve_conj().numpy(), cases.as_numbers(ans), rtol=1e-10,
                               atol=1e-12, err_msg="the torch function does not compute the primal")

    checked = case.check if case.check is not None else range(len(positions))
    targets = []  # (rule partial, torch leaf)
    for k in checked:
        t_value = t_args[positions[k]]
        items = cases.partial_leaves(partials[k], args[positions[k]])
        t_items = list(t_value) if isinstance(t_value, (list, tuple)) else [t_value]
        targets += [(item, leaf) for item, leaf in zip(items, t_items) if isinstance(leaf, torch.Tensor)]
    assert targets, "nothing to compare"
    leaves = [leaf for _, leaf in targets]
    # PyTorch's complex gradients are the conjugates of srcgrad's (dL/dx + i dL/dy rather than dL/dx - i dL/dy)
    grads = torch.autograd.grad(out, leaves, grad_outputs=torch.as_tensor(np.conj(cases.as_numbers(g))),
                                allow_unused=True)
    for (item, leaf), grad in zip(targets, grads):
        want = np.zeros(tuple(leaf.shape)) if grad is None else np.conj(grad.resolve_conj().numpy())
        assert_partial_equal(item, want)


def test_every_torch_case_has_a_primal_rule():
    for case in TORCH_CASES:
        assert vjp_rule(case.primal) is not None, case.id
