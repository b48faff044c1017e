"""``torch.device``, ``torch.cuda`` and the ``device=`` / ``.to()`` / ``.cpu()`` / ``.cuda()`` of programs
written for either a GPU or the CPU, against real PyTorch (a CPU build): the same transcript, errors word
for word. The shim computes on the CPU only; asking for CUDA raises what CPU-only PyTorch raises."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

FACTORIES = ["torch.zeros(2, {})", "torch.ones(2, 3, {})", "torch.empty(2, {}).shape", "torch.full((2,), 1.5, {})",
             "torch.arange(3, {})", "torch.linspace(0, 1, 3, {})", "torch.eye(2, {})", "torch.tensor([1., 2.], {})",
             "torch.as_tensor([1., 2.], {})", "torch.randn(2, {}).shape", "torch.rand(2, {}).shape",
             "torch.randint(0, 5, (2,), {}).shape", "torch.zeros_like(torch.ones(2), {})",
             "torch.ones_like(torch.ones(2), {})", "torch.full_like(torch.ones(2), 3., {})"]
DEVICES = ["device='cpu'", "device=torch.device('cpu')", "device='cpu:0'", "device='cuda'",
           "device=torch.device('cuda', 0)"]

SNIPPETS = [f"x = {factory.format(device)}\nprint(x, getattr(x, 'device', None))"
            for factory in FACTORIES for device in DEVICES]
SNIPPETS += [
    "print(torch.cuda.is_available(), torch.cuda.device_count())",
    "d = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nprint(d, repr(d), d.type, d.index)",
    "print(repr(torch.device('cpu', 0)), str(torch.device('cuda', 2)), repr(torch.device('cuda:1')))",
    "print(torch.device('cpu') == torch.device('cpu'), torch.device('cpu') == torch.device('cpu', 0))",
    "print(torch.device('cpu') == 'cpu', hash(torch.device('cpu')) == hash(torch.device('cpu')))",
    "print(torch.device(torch.device('cuda', 1)))",
    "torch.device('gpu')",
    "torch.device('cuda:x')",
    "torch.device('cuda', -1)",
    "torch.device(0)",
    "torch.device()",
    "torch.device(1.5)",
    "torch.device(None)",
    "torch.device('cpu', 1.5)",
    "x = torch.ones(2)\nprint(repr(x.device), x.device, x.is_cuda, x.device.type)",
    "x = torch.ones(2)\nprint(x.cpu() is x, x.to('cpu') is x, x.to(torch.device('cpu')) is x, x.to(x) is x)",
    "x = torch.ones(2)\ny = x.to('cpu', copy=True)\nprint(y is x, y)",
    "x = torch.ones(2)\nprint(x.to(torch.float64), x.to('cpu', torch.float16), x.to(device='cpu', dtype=torch.int64))",
    "x = torch.ones(2)\nprint(x.to(dtype=torch.float64, copy=True), x.to(torch.ones(1, dtype=torch.float64)))",
    "torch.ones(2).cuda()",
    "torch.ones(2).to('cuda')",
    "torch.ones(2).to('cuda:0')",
    "torch.ones(2).to(torch.device('cuda'))",
    "torch.ones(2).to(device='cuda')",
    "torch.ones(2).to(0)",
    "torch.ones(2).to('cpu', torch.float64).to('cuda')",
    "x = torch.ones(2, requires_grad=True)\ny = (x.to('cpu') * 2).sum()\ny.backward()\nprint(x.grad, graph(y.grad_fn))",
    "x = torch.ones(2, requires_grad=True)\ny = x.to(torch.float64)\nprint(graph(y.grad_fn))\ny.sum().backward()\n"
    "print(x.grad)",
    "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
    "w = torch.randn(3, device=device, requires_grad=True)\nloss = (w * w).sum()\nloss.backward()\n"
    "print(w.grad.device, w.grad.shape)",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 100
