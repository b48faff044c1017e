"""Grad modes against real PyTorch: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and
``inference_mode`` as context managers, decorators (bare and called) and, for ``set_grad_enabled``, a
function, nested and combined."""

from __future__ import annotations

import itertools

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = "x = torch.tensor([1., 2.], requires_grad=True)\n"
MODES = ["torch.no_grad()", "torch.enable_grad()", "torch.set_grad_enabled(False)", "torch.set_grad_enabled(True)",
         "torch.inference_mode()", "torch.inference_mode(False)", "torch.inference_mode(True)"]
REPORT = "print((x * 2).requires_grad, torch.is_grad_enabled(), torch.is_inference_mode_enabled())"

SNIPPETS = [SETUP + f"with {outer}:\n    with {inner}:\n        {REPORT}\n    {REPORT}\n{REPORT}"
            for outer, inner in itertools.product(MODES, repeat=2)]
SNIPPETS += [SETUP + f"@{mode}\ndef f(a):\n    {REPORT}\n    return a * 3\nprint(f(x).requires_grad)\n{REPORT}"
             for mode in MODES]
SNIPPETS += [SETUP + f"@{mode}\ndef f(a):\n    return a * 3\nwith torch.no_grad():\n    print(f(x).requires_grad)"
             for mode in MODES]
SNIPPETS += [
    SETUP + f"@torch.no_grad\ndef f(a):\n    return a * 3\nprint(f(x).requires_grad)\n{REPORT}",
    SETUP + f"@torch.inference_mode\ndef f(a):\n    return a * 3\nprint(f(x).requires_grad)\n{REPORT}",
    SETUP + "@torch.enable_grad\ndef f(a):\n    return a * 3\nwith torch.no_grad():\n    print(f(x).requires_grad)",
    SETUP + f"torch.set_grad_enabled(False)\n{REPORT}\ntorch.set_grad_enabled(True)\n{REPORT}",
    SETUP + "with torch.no_grad():\n    y = x * 2\ny.sum().backward()",
    SETUP + "with torch.inference_mode():\n    y = x * 2\nprint(y, y.grad_fn)",
    SETUP + "with torch.no_grad():\n    x.mul_(2)\nprint(x, x.requires_grad, x.grad_fn)",
    SETUP + "y = x * 2\nwith torch.no_grad():\n    z = y * 3\nprint(z.requires_grad, y.requires_grad, z.grad_fn)",
    SETUP + "try:\n    with torch.no_grad():\n        raise ValueError('inside')\nexcept ValueError as e:\n"
            f"    print(e)\n{REPORT}",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 60
