"""``unbind`` and iterating a tensor against real PyTorch: one ``UnbindBackward0`` shared by all the
slices, gradients gathered from whichever slices are used (also as roots of backward and through
``create_graph``), in-place changes refused on recorded slices and allowed (reaching the base) on
unrecorded ones; and hooks and retain_grad on a slice, which run for that slice's gradient alone."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """
x = torch.tensor([[1.0, 2.0, -1.0], [3.0, 4.0, 0.5]], requires_grad=True)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
"""

USES = [
    "a, b = (x * 1).unbind(0)\nout = (a * b).sum()",
    "a, b = (x * 2).unbind()\nout = a.sum()",
    "a, b = (x * 2).unbind()\nout = b.pow(2).sum()",
    "c, d, e = x.unbind(1)\nout = (c * d + e).sum()",
    "c, d, e = x.unbind(-1)\nout = (c.exp() * e).sum()",
    "rows = list(x * 3)\nout = sum(r.sum() for r in rows)",
    "out = sum((r ** 2).sum() for r in x.tanh())",
    "p, q, r = v\nout = p * q * r",
    "p, q, r = v * 2\nout = p + r",
    "parts = torch.unbind(x * x, dim=0)\nout = parts[1].sum() * parts[0].sum()",
    "a, b = x.unbind()\nout = torch.stack([b, a]).pow(2).sum()",
]

SNIPPETS = []
for use in USES:
    SNIPPETS.append(SETUP + use + """
print(out, graph(out.grad_fn))
out.backward()
print(x.grad, v.grad)
""")
    SNIPPETS.append(SETUP + use + """
print(torch.autograd.grad(out, [x, v], allow_unused=True))
""")
    SNIPPETS.append(SETUP + use + """
first = torch.autograd.grad(out, [x, v], create_graph=True, allow_unused=True)
used = [f for f in first if f is not None and f.requires_grad]
print([None if f is None else f.detach() for f in first])
if used:
    print(torch.autograd.grad(sum(f.sum() for f in used), [x, v], allow_unused=True))
""")
SNIPPETS += [
    SETUP + """
a, b = (x * 1).unbind()
print(a.grad_fn is b.grad_fn, type(a.grad_fn).__name__, a.grad_fn.next_functions[0][0].name())
print(a.is_leaf, a.requires_grad, a.grad_fn.next_functions)
""",
    SETUP + """
a, b = (x * 1).unbind()
try:
    b.mul_(2)
except RuntimeError as error:
    print("RuntimeError:", error)
try:
    a += 1
except RuntimeError as error:
    print("RuntimeError:", error)
""",
    SETUP + """
plain = torch.ones(2, 3)
for row in plain:
    row += 1
print(plain)
first, second = plain.unbind(1)[:2]
first.mul_(3)
print(plain, first.requires_grad)
with torch.no_grad():
    for row in x:
        print(row.grad_fn)   # (requires_grad: PyTorch says True for a view made under no_grad, see docs)
""",
    SETUP + """
a, b = (x * 2).unbind()
a.backward(torch.ones(3))
print(x.grad)
b.backward(torch.tensor([1.0, 0.0, -1.0]))
print(x.grad)
""",
    SETUP + """
try:
    torch.tensor(1.0).unbind()
except IndexError as error:
    print("IndexError:", error)
print(torch.tensor([[1, 2], [3, 4]]).unbind(1))
""",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 35


HOOKED = [
    "a, b = (x * 1).unbind()\nh = a.register_hook(lambda g: print('hook a', g) or g * 10)\nout = (a * b).sum()\n"
    "out.backward()\nprint(x.grad)",
    "a, b = (x * 1).unbind()\na.retain_grad()\nb.retain_grad()\nout = (a * 2 + b ** 2).sum()\nout.backward()\n"
    "print(a.grad, b.grad, x.grad, a.retains_grad, b.retains_grad)",
    "a, b = (x * 1).unbind()\nb.register_hook(lambda g: g * 0)\nb.retain_grad()\nout = (a * b).sum()\n"
    "out.backward()\nprint(b.grad, x.grad)",
    "a, b = (x * 1).unbind()\nb.register_hook(lambda g: print('never', g))\nout = a.sum()\nout.backward()\n"
    "print(x.grad, b.grad)",
    "c, d, e = (x * 2).unbind(1)\nfor t in (c, d, e):\n    t.register_hook(lambda g: print('slice', g))\n"
    "out = (c * d * e).sum()\nout.backward()\nprint(x.grad)",
    "a, b = (x * 1).unbind()\nhandle = a.register_hook(lambda g: g * 3)\nhandle.remove()\nout = a.sum()\n"
    "out.backward()\nprint(x.grad)",
    "a, b = (x * 1).unbind()\na.retain_grad()\n(g,) = torch.autograd.grad((a * b).sum(), x, create_graph=True)\n"
    "print(g, a.grad)",
]


@pytest.mark.parametrize("code", HOOKED)
def test_hooks_and_retain_grad_on_slices_as_pytorch_runs_them(code):
    code = SETUP + code
    assert transcript(srcgrad, code) == transcript(torch, code)
