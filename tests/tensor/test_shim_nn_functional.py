"""``torch.nn.functional`` activations and losses against real PyTorch: values, node names, gradients,
reductions, 1-D and 2-D inputs, float64, errors and warnings word for word.

Not compared: values that are zero in exact arithmetic (a softmax's gradient for a uniform cotangent is
a few float32 ulps either way), and GELU at points where PyTorch's vectorized float32 ``erf`` and the
correctly rounded one differ in the last bit and the printed fourth decimal (``gelu(3.0)``)."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """F = torch.nn.functional
x = torch.tensor([[1., 2., -1.], [0.5, 0., 2.5]], requires_grad=True)
v = torch.tensor([0.3, -1.2, 2.0, 0.1], requires_grad=True)
t = torch.tensor([[0., 1., 0.], [1., 0., 0.]])
p = torch.tensor([[0.2, 0.9, 0.5], [0.7, 0.1, 0.4]], requires_grad=True)
labels = torch.tensor([1, 2])
"""
CALLS = ["F.softmax(x, dim=1)", "F.softmax(x, dim=0)", "F.softmax(v, dim=0)", "F.log_softmax(x, 1)",
         "F.log_softmax(x, -1)", "F.log_softmax(v, 0)", "torch.softmax(x, 1)", "torch.log_softmax(x, 0)",
         "x.softmax(-1)", "x.log_softmax(dim=0)", "F.softmax(x.double(), dim=1)", "F.softmax(x, 1, dtype=torch.float64)",
         "F.gelu(x)", "F.gelu(v)", "F.gelu(x, approximate='tanh')", "F.relu(x)", "F.sigmoid(v)", "F.tanh(x)",
         "F.mse_loss(x, t)", "F.mse_loss(x, t, reduction='sum')", "F.mse_loss(x, t, reduction='none')",
         "F.mse_loss(v, torch.zeros(4))", "F.mse_loss(x.double(), t.double())",
         "F.binary_cross_entropy(p, t)", "F.binary_cross_entropy(p, t, reduction='sum')",
         "F.binary_cross_entropy(p, t, reduction='none')", "F.binary_cross_entropy(torch.sigmoid(x), t)",
         "F.binary_cross_entropy_with_logits(x, t)", "F.binary_cross_entropy_with_logits(x, t, reduction='none')",
         "F.binary_cross_entropy_with_logits(v, torch.tensor([1., 0., 1., 0.]), reduction='sum')",
         "F.nll_loss(F.log_softmax(x, 1), labels)", "F.nll_loss(F.log_softmax(x, 1), labels, reduction='sum')",
         "F.nll_loss(F.log_softmax(x, 1), labels, reduction='none')", "F.cross_entropy(x, labels)",
         "F.cross_entropy(x, labels, reduction='sum')", "F.cross_entropy(x, labels, reduction='none')",
         "F.cross_entropy(v, torch.tensor(2))", "F.cross_entropy(x.double(), labels)",
         "F.mse_loss(F.softmax(x, 1), t)", "F.cross_entropy(F.gelu(x) * 2, labels)"]

SNIPPETS = [SETUP + f"y = {call}\nprint(y, graph(y.grad_fn))\n(y * y).sum().backward()\nprint(x.grad, v.grad, p.grad)"
            for call in CALLS]
SNIPPETS += [SETUP + f"with torch.no_grad():\n    y = {call}\nprint(y, y.requires_grad)" for call in CALLS[::3]]
SNIPPETS += [
    SETUP + "print(F.softmax(x))",
    SETUP + "print(F.log_softmax(v))",
    SETUP + "F.gelu(x, approximate='foo')",
    SETUP + "F.mse_loss(x, t, reduction='avg')",
    SETUP + "y = F.mse_loss(x, torch.ones(3))\nprint(y)\ny.backward()\nprint(x.grad)",
    SETUP + "F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.ones(2))",
    SETUP + "F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.ones(3))",
    SETUP + "F.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.ones(3))",
    SETUP + "F.nll_loss(x, torch.tensor([0., 1.]))",
    SETUP + "print(F.binary_cross_entropy(torch.tensor([0., 1.]), torch.tensor([1., 0.])))",
    SETUP + "y = F.cross_entropy(x, labels)\ny.backward(retain_graph=True)\ny.backward()\nprint(x.grad)",
    SETUP + "y = F.softmax(x, 1)\ns = y.sum()\ns.backward()\ns.backward()",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 60
