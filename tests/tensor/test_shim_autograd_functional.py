"""``torch.autograd.functional.jacobian``, ``vjp`` and ``jvp`` against real PyTorch: values, nesting of
tuples, dtypes, errors word for word; the second-order functions are refused with what to use.

The shim's ``jvp`` is the Jacobian times the tangent, PyTorch's a backward pass differentiated again: an
entry that is exactly zero may come out as ``-0.`` in one and ``0.`` in the other, so the functions here
have no such entries."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """F = torch.autograd.functional
x = torch.tensor([0.5, -1.0, 2.0])
y = torch.tensor([1.5, 2.0, -0.5])
m = torch.tensor([[1., 2.], [3., 4.]])
s = torch.tensor(0.7)
"""
FUNCTIONS = {
    "square": ("lambda a: a ** 2 * 3", "x"),
    "sum": ("lambda a: a.sum()", "x"),
    "tanh": ("lambda a: torch.tanh(a) * a", "x"),
    "pair": ("lambda a, b: (a * b).sum()", "(x, y)"),
    "two_outputs": ("lambda a, b: ((a * b).sum(), a.exp())", "(x, y)"),
    "matrix": ("lambda a: a @ a", "m"),
    "scalar": ("lambda a: a.exp() * a", "s"),
    "unused": ("lambda a, b: a * 2", "(x, y)"),
    "constant": ("lambda a: torch.ones(2)", "x"),
    "slice": ("lambda a: a[1:] * a[:-1]", "x"),
    "tuple_one": ("lambda a: a.sin()", "(x,)"),
    "mean": ("lambda a: (a - a.mean()) ** 2 + a", "x"),
}
TANGENTS = {"x": "torch.ones(3)", "(x, y)": "(torch.ones(3), torch.tensor([0., 1., 2.]))",
            "m": "torch.ones(2, 2)", "s": "torch.tensor(2.0)", "(x,)": "(torch.tensor([1., 0., -1.]),)"}
COTANGENT = {"square": "torch.tensor([1., 2., 3.])", "sum": "torch.tensor(2.)", "tanh": "torch.ones(3)",
             "pair": "torch.tensor(1.5)", "two_outputs": "(torch.tensor(1.), torch.tensor([1., 0., 2.]))",
             "matrix": "torch.eye(2)", "scalar": "torch.tensor(3.)", "unused": "torch.ones(3)",
             "constant": "torch.ones(2)", "slice": "torch.tensor([1., -1.])", "tuple_one": "(torch.ones(3),)",
             "mean": "torch.ones(3)"}

SNIPPETS = []
for name, (function, inputs) in FUNCTIONS.items():
    SNIPPETS.append(SETUP + f"j = F.jacobian({function}, {inputs})\nprint(j)")
    SNIPPETS.append(SETUP + f"print(F.vjp({function}, {inputs}, {COTANGENT[name]}))")
    SNIPPETS.append(SETUP + f"print(F.jvp({function}, {inputs}, {TANGENTS[inputs]}))")
    SNIPPETS.append(SETUP + f"print(F.jacobian({function}, {inputs}, strict=True))")
SNIPPETS += [
    SETUP + "print(F.vjp(lambda a: a.sum(), x))",
    SETUP + "F.vjp(lambda a: a * 2, x)",
    SETUP + "print(F.jvp(lambda a: a.exp(), s))",
    SETUP + "F.jvp(lambda a: a * 2, x)",
    SETUP + "F.jacobian(lambda a: a * 2, [1., 2.])",
    SETUP + "F.vjp(lambda a: a * 2, x, [1., 2., 3.])",
    SETUP + "j = F.jacobian(lambda a: a * 2, x)\nprint(j.requires_grad, x.requires_grad, j.dtype)",
    SETUP + "out, g = F.vjp(lambda a: a * 2, x, torch.ones(3))\nprint(out.requires_grad, g.requires_grad)",
    SETUP + "print(F.jacobian(lambda a: a * 2, x.double()).dtype)",
    SETUP + "with torch.no_grad():\n    print(F.jacobian(lambda a: a ** 2, x))",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 50


@pytest.mark.parametrize("name", ["hessian", "hvp", "vhp", "jacobian", "vjp", "jvp"])
def test_create_graph_in_the_functional_api_says_what_to_use(name):
    with pytest.raises(NotImplementedError, match=r"torch\.autograd\.grad\(\.\.\., create_graph=True\)"):
        getattr(srcgrad.autograd.functional, name)(lambda a: (a * a).sum(), srcgrad.ones(2), create_graph=True)
