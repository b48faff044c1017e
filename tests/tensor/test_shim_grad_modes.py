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
# A view made under no_grad of a tensor that requires grad: PyTorch reports it as a leaf requiring grad,
# records what is computed from it, and sends no gradient through it; changing it in place is refused
# under grad mode and allowed under no_grad.
NO_GRAD_VIEWS = ["x[:1]", "x.view(2)", "x.reshape(2, 1)", "x.t()", "x.unsqueeze(0)", "(x * 2)[1:]"]
for view in NO_GRAD_VIEWS:
    SNIPPETS += [
        SETUP + f"with torch.no_grad():\n    v = {view}\nprint(v, v.requires_grad, v.is_leaf, v.grad_fn)\n"
                "y = (v * 2).sum()\nprint(y, y.grad_fn.next_functions[0][0].next_functions)\ny.backward()\n"
                "print(x.grad, v.grad)",
        SETUP + f"with torch.no_grad():\n    v = {view}\ntry:\n    v.mul_(2)\nexcept RuntimeError as e:\n"
                "    print(e)\nwith torch.no_grad():\n    v.add_(1)\nprint(x, v.requires_grad)",
        SETUP + f"with torch.no_grad():\n    v = {view}\nw = v[:1] * 3\nprint(w.requires_grad, w.grad_fn)\n"
                "w.sum().backward()\nprint(x.grad)",
    ]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 60
