"""What a node keeps for its backward, under PyTorch's attribute names (``grad_fn._saved_self``,
``_saved_other``, ``_saved_result``, ``_saved_exponent``, ``_saved_mat2``, ``_saved_self_sym_sizes``),
against real PyTorch: the values, which ones are the very tensors passed in (``is``), which are None, and
the error once backward has freed them."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """
x = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
w = torch.tensor([3.0, -4.0, 0.25], requires_grad=True)
c = torch.tensor([2.0, 2.0, 2.0])
A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.5, -1.0]], requires_grad=True)
"""

CASES = [
    ("x * w", ["_saved_self", "_saved_other"]),
    ("x * c", ["_saved_self", "_saved_other"]),
    ("c * w", ["_saved_self", "_saved_other"]),
    ("x * 2.0", ["_saved_self", "_saved_other"]),
    ("x / w", ["_saved_self", "_saved_other"]),
    ("x / c", ["_saved_other"]),
    ("x.pow(2)", ["_saved_self", "_saved_exponent"]),
    ("x ** 3.5", ["_saved_self", "_saved_exponent"]),
    ("x.exp()", ["_saved_result"]),
    ("x.tanh()", ["_saved_result"]),
    ("x.sigmoid()", ["_saved_result"]),
    ("x.sin()", ["_saved_self"]),
    ("x.cos()", ["_saved_self"]),
    ("w.abs()", ["_saved_self"]),
    ("x.sum()", ["_saved_self_sym_sizes"]),
    ("A.sum()", ["_saved_self_sym_sizes"]),
    ("A.t().mm(A)", ["_saved_mat2"]),
    ("(x * w).exp()", ["_saved_result"]),
    ("(x * 1).sin()", ["_saved_self"]),
]

SNIPPETS = []
for expression, names in CASES:
    for name in names:
        SNIPPETS.append(SETUP + f"""
y = {expression}
value = y.grad_fn.{name}
print(type(y.grad_fn).__name__, "{name}", value)
print(value is x, value is w, value is y, value is c)
""")
    SNIPPETS.append(SETUP + f"""
y = {expression}
y.sum().backward()
print(x.grad)
try:
    print(y.grad_fn.{names[0]})
except RuntimeError as error:
    print("RuntimeError:", error)
""")
    SNIPPETS.append(SETUP + f"""
y = {expression}
y.sum().backward(retain_graph=True)
print(y.grad_fn.{names[0]})
""")
SNIPPETS.append(SETUP + """
y = x.exp()
print(y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y, y.grad_fn._saved_result.grad_fn)
try:
    y.grad_fn._saved_nothing
except AttributeError as error:
    print("AttributeError")
""")


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 60


HOOK_SETUP = """
def pack(t):
    print("Packing", t)
    return t

def unpack(t):
    print("Unpacking", t)
    return t

a = torch.ones(3, requires_grad=True)
b = torch.ones(3, requires_grad=True) * 2
x = torch.tensor([1.0, 2.0], requires_grad=True)
"""

HOOK_SNIPPETS = [
    HOOK_SETUP + f"""
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = {expression}
y.sum().backward()
print(a.grad, x.grad)
""" for expression in ["a * b", "a * 3", "b * a", "a.exp()", "a.sin()", "(a * 3).pow(2)", "a / b", "b.tanh()",
                       "x.sigmoid() * x", "x.pow(3).exp()", "a + b", "x.sum() * x"]
] + [
    HOOK_SETUP + """
storage = []

def pack_to_list(t):
    storage.append(t.clone())
    return len(storage) - 1

def unpack_scaled(i):
    print("unpack", i)
    return storage[i] * 10

with torch.autograd.graph.saved_tensors_hooks(pack_to_list, unpack_scaled):
    y = x.sin()
print(y.grad_fn._saved_self)
y.sum().backward()
print(x.grad)
""",
    HOOK_SETUP + """
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = a * b
    with torch.autograd.graph.saved_tensors_hooks(lambda t: print("inner") or t, lambda t: t):
        z = a * a
print(y.grad_fn._saved_other)
(y.sum() + z.sum()).backward()
print(a.grad)
""",
    HOOK_SETUP + """
with torch.autograd.graph.save_on_cpu():
    y = x * x
y.sum().backward()
print(x.grad)
with torch.autograd.graph.disable_saved_tensors_hooks("saved tensor hooks are off here"):
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            pass
    except RuntimeError as error:
        print("RuntimeError:", error)
""",
    HOOK_SETUP + """
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = a.exp()
print(y.grad_fn._saved_result)
y.sum().backward(retain_graph=True)
y.sum().backward()
print(a.grad)
""",
] + [
    # what a saved value read back through the hooks is: the unpacked value itself for a tensor that does not
    # require grad; otherwise a new tensor over the unpacked data, with the saved tensor's autograd identity
    # (a leaf that requires grad, the grad_fn it had, the node itself for its own output)
    f"""
x = torch.ones(2, requires_grad=True)
c = torch.ones(2)
h = x * 3
with torch.autograd.graph.saved_tensors_hooks(lambda t: t, {unpack}):
    a = x * x
    b = h * h
    d = c * x
    e = x.exp()
saved = [a.grad_fn._saved_self, b.grad_fn._saved_self, d.grad_fn._saved_self, e.grad_fn._saved_result]
print([v is o for v, o in zip(saved, (x, h, c, e))])
print([v.requires_grad for v in saved], [v.is_leaf for v in saved])
print([type(v.grad_fn).__name__ for v in saved])
print([v.grad_fn is o.grad_fn for v, o in zip(saved, (x, h, c, e))])
print(saved)
(saved[0] * 2).sum().backward()
print(x.grad)
""" for unpack in ("lambda t: t", "lambda t: t.clone()", "lambda t: t.detach()", "lambda t: t.detach() * 2")
]


@pytest.mark.parametrize("code", HOOK_SNIPPETS, ids=[f"hooks{i:02d}" for i in range(len(HOOK_SNIPPETS))])
def test_saved_tensors_hooks_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)
