"""``torch.autograd.grad`` and ``backward(inputs=...)`` against real PyTorch: the same transcript (values,
``.grad`` left alone or accumulated, hooks, errors word for word)."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = "x = torch.tensor([1., 2., 3.], requires_grad=True)\nw = torch.tensor([0.5, -1., 2.], requires_grad=True)\n"
OUTPUTS = ["(x * x).sum()", "(x * w).sum()", "torch.tanh(x * w).sum()", "(x.exp() / w.abs()).mean()",
           "(x @ w) ** 2", "torch.sigmoid(x).prod()", "x.norm() * w.sum()", "(x[1:] * w[:2]).sum()"]
INPUTS = ["x", "[x]", "[x, w]", "(w, x)", "[w]"]

SNIPPETS = [SETUP + f"y = {output}\ng = torch.autograd.grad(y, {inputs})\nprint(g, x.grad, w.grad)"
            for output in OUTPUTS for inputs in INPUTS]
SNIPPETS += [SETUP + f"y = {output}\ny.backward(inputs={inputs})\nprint(x.grad, w.grad)"
             for output in OUTPUTS for inputs in ["[x]", "[w]", "x", "[x, w]"]]
SNIPPETS += [
    SETUP + "v = x * w\ng = torch.autograd.grad(v, x, torch.ones(3))\nprint(g)",
    SETUP + "v = x * w\ng = torch.autograd.grad(v, [x, w], grad_outputs=torch.tensor([1., 0., 2.]))\nprint(g)",
    SETUP + "v = x * w\ny = v.sum()\ng = torch.autograd.grad([v, y], [x], [torch.ones(3), None])\nprint(g)",
    SETUP + "y = (x * x).sum()\ntorch.autograd.grad(y, [x, w])",
    SETUP + "y = (x * x).sum()\nprint(torch.autograd.grad(y, [x, w], allow_unused=True))",
    SETUP + "y = (x * x).sum()\nprint(torch.autograd.grad(y, [x, w], allow_unused=True, materialize_grads=True))",
    SETUP + "y = (x * x).sum()\ntorch.autograd.grad(y, [x, w], allow_unused=False, materialize_grads=True)",
    SETUP + "y = (x * x).sum()\ntorch.autograd.grad(y, torch.ones(3))",
    SETUP + "torch.autograd.grad(torch.ones(3).sum(), x)",
    SETUP + "torch.autograd.grad(x * 2, x)",
    SETUP + "torch.autograd.grad(x * 2, x, torch.ones(2))",
    SETUP + "torch.autograd.grad([x * 2, x * 3], x, [torch.ones(3)])",
    SETUP + "torch.autograd.grad(x * 2, x, 5)",
    SETUP + "y = (x * x).sum()\nprint(torch.autograd.grad(y, x))\ntorch.autograd.grad(y, x)",
    SETUP + "y = (x * x).sum()\nprint(torch.autograd.grad(y, x, retain_graph=True))\nprint(torch.autograd.grad(y, x))",
    SETUP + "h = x * 3\nz = (h * h).sum()\nprint(torch.autograd.grad(z, [h, x]))",
    SETUP + "h = x * 3\nz = (h * h).sum()\nprint(torch.autograd.grad(z, h), x.grad, h.grad)",
    SETUP + "h = x * 3\nh.register_hook(lambda g: g * 10)\nz = (h * h).sum()\nprint(torch.autograd.grad(z, x))",
    SETUP + "x.register_hook(lambda g: print('hook', g))\nz = (x * x).sum()\nprint(torch.autograd.grad(z, x))",
    SETUP + "y = (x * x).sum()\ny.backward(retain_graph=True)\nprint(torch.autograd.grad(y, x), x.grad)",
    SETUP + "y = (x * w).sum()\ny.backward(inputs=[x], retain_graph=True)\ny.backward(inputs=[x])\nprint(x.grad, w.grad)",
    SETUP + "y = (x * w).sum()\ny.backward(inputs=[])",
    SETUP + "y = (x * w).sum()\ny.backward(inputs=[torch.ones(3)])",
    SETUP + "h = x * w\ny = (h * h).sum()\ny.backward(inputs=[h])\nprint(h.grad, x.grad)",
    SETUP + "torch.autograd.backward([(x * x).sum(), (w * w).sum()])\nprint(x.grad, w.grad)",
    SETUP + "torch.autograd.backward(x * w, torch.ones(3))\nprint(x.grad, w.grad)",
    SETUP + "torch.autograd.backward([x * w], [torch.tensor([1., 2., 3.])], inputs=[w])\nprint(x.grad, w.grad)",
    SETUP + "y = (x * x).sum()\nwith torch.no_grad():\n    g, = torch.autograd.grad(y, x)\nprint(g, g.requires_grad)",
    SETUP + "d = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\n"
    "print(torch.autograd.grad((d * d).sum(), d)[0].dtype)",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 100


def test_create_graph_records_the_backward_pass():
    x = srcgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x * x).sum()
    g, = srcgrad.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and type(g.grad_fn).__name__ == "AddBackward0"   # as PyTorch: x*x*x sums three
    assert srcgrad.autograd.grad(g.sum(), x)[0].tolist() == [6.0, 12.0]
