"""``out=`` on ``torch.*`` functions against real PyTorch: the result written into the given tensor (the
same object returned), resized with PyTorch's warning, cast to its dtype or refused, and refused whenever
autograd would have to follow it."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """
a = torch.tensor([1.0, 2.0, -0.5])
b = torch.tensor([3.0, -4.0, 0.25])
M = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
"""

CALLS = ["torch.add(a, b, out={out})", "torch.sub(a, b, out={out})", "torch.mul(a, b, out={out})",
         "torch.div(a, b, out={out})", "torch.pow(a, 2, out={out})", "torch.exp(a, out={out})",
         "torch.sin(a, out={out})", "torch.tanh(b, out={out})", "torch.abs(b, out={out})",
         "torch.sqrt(a.abs(), out={out})", "torch.maximum(a, b, out={out})", "torch.clamp(b, -1, 1, out={out})",
         "torch.matmul(M, a, out={out})", "torch.mm(M, M.t(), out={out})", "torch.sum(M, 1, out={out})",
         "torch.cat([a, b], out={out})", "torch.stack([a, b], out={out})", "torch.neg(a, out={out})"]

# Some of PyTorch's operations take an out= of another dtype only if it is their own (abs, neg, clamp,
# matmul, mm: "Found dtype Double but expected Float"); the shim casts where the casting rules allow it
# (docs/tensor-shim.md). Other dtypes are compared for the operations that cast as the shim does.
CASTING = {"torch.add", "torch.sub", "torch.mul", "torch.div", "torch.pow", "torch.exp", "torch.sin", "torch.tanh",
           "torch.sqrt", "torch.maximum"}

SNIPPETS = []
for call in CALLS:
    outs = ["torch.empty(0)", "torch.zeros(3)", "torch.zeros(2, 2)"]
    if call.split("(")[0] in CASTING:
        outs += ["torch.zeros(3, dtype=torch.float64)", "torch.zeros(3, dtype=torch.long)"]
    for out in outs:
        SNIPPETS.append(SETUP + f"""
out = {out}
try:
    r = {call.format(out="out")}
    print(r is out, out, out.dtype, out.requires_grad)
except RuntimeError as error:
    print("RuntimeError:", error)
""")
    SNIPPETS.append(SETUP + f"""
try:
    {call.replace("(a", "(x").replace("[a", "[x").replace("(b", "(x").format(out="torch.empty(3)")}
except RuntimeError as error:
    print("RuntimeError:", error)
with torch.no_grad():
    out = torch.empty(3)
    r = {call.replace("(a", "(x").replace("[a", "[x").format(out="out")}
    print(out, out.requires_grad, x.grad)
""")


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 90
