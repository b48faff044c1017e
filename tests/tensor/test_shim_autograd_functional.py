"""``torch.autograd.functional`` against real PyTorch: values, nesting of tuples, dtypes, errors word for
word, strict mode, and ``create_graph=True`` (results that carry a graph and are differentiated again).

The shim builds ``jvp`` and ``hvp`` by the double-backward trick, as PyTorch does, so even the sign of an
exact zero matches."""

from __future__ import annotations

import numpy as np
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


CREATE_GRAPH_SETUP = SETUP + """xr = x.clone().requires_grad_()
yr = y.clone().requires_grad_()
mr = m.clone().requires_grad_()
sr = s.clone().requires_grad_()
"""
LEAVES = {"x": "xr", "(x, y)": "(xr, yr)", "m": "mr", "s": "sr", "(x,)": "(xr,)"}
FIRST_LEAF = {"x": "xr", "(x, y)": "xr", "m": "mr", "s": "sr", "(x,)": "xr"}


def _total(expression):
    """A snippet line that sums every tensor of a (nested tuple) result into one, to differentiate again."""
    return (f"parts = [{expression}]\n"
            "while any(isinstance(p, tuple) for p in parts):\n"
            "    parts = [q for p in parts for q in (p if isinstance(p, tuple) else (p,))]\n"
            "total = sum(p.sum() for p in parts)\n")


def _differentiated_again(call: str, first: str) -> str:
    """A snippet that prints ``call``'s result with create_graph, then the gradient of the sum of all its
    tensors with respect to the leaf ``first`` (where the result requires grad)."""
    return (CREATE_GRAPH_SETUP + f"r = {call}\nprint(r)\n" + _total("r")
            + f"print(total.requires_grad)\nif total.requires_grad:\n"
            f"    print(torch.autograd.grad(total, {first}, allow_unused=True))\n")


CREATE_GRAPH_SNIPPETS = []
for name, (function, inputs) in FUNCTIONS.items():
    leaves, first = LEAVES[inputs], FIRST_LEAF[inputs]
    for call in (f"F.jacobian({function}, {leaves}, create_graph=True)",
                 f"F.vjp({function}, {leaves}, {COTANGENT[name]}, create_graph=True)[1]",
                 f"F.jvp({function}, {leaves}, {TANGENTS[inputs]}, create_graph=True)[1]"):
        CREATE_GRAPH_SNIPPETS.append(_differentiated_again(call, first))
    # on inputs that do not require grad, the results still carry a graph (to fresh leaves)
    CREATE_GRAPH_SNIPPETS.append(SETUP + f"r = F.jacobian({function}, {inputs}, create_graph=True)\nprint(r)")
SCALAR_FUNCTIONS = {
    "cube": ("lambda a: (a ** 3).sum() + a[0] * a[1] * a[2]", "xr", "torch.tensor([1., -1., 0.5])"),
    "sin_pair": ("lambda a, b: (a.sin() * b).sum()", "(xr, yr)", "(torch.ones(3), torch.tensor([0., 1., 2.]))"),
    "exp": ("lambda a: (a.exp() * a).sum()", "xr", "torch.tensor([0.5, 0., -2.])"),
    "matrix": ("lambda a: (a @ a.t()).pow(2).sum()", "mr", "torch.eye(2)"),
    "scalar": ("lambda a: a.exp() * a", "sr", "torch.tensor(2.)"),
}
for name, (function, leaves, v) in SCALAR_FUNCTIONS.items():
    first = leaves.strip("()").split(",")[0]
    for call in (f"F.hessian({function}, {leaves}, create_graph=True)",
                 f"F.hvp({function}, {leaves}, {v}, create_graph=True)[1]",
                 f"F.vhp({function}, {leaves}, {v}, create_graph=True)[1]"):
        CREATE_GRAPH_SNIPPETS.append(_differentiated_again(call, first))
    CREATE_GRAPH_SNIPPETS.append(CREATE_GRAPH_SETUP + f"print(F.hessian({function}, {leaves}, strict=True))")
CREATE_GRAPH_SNIPPETS += [
    # strict mode's checks, word for word
    CREATE_GRAPH_SETUP + "F.jacobian(lambda a: a * 2, xr, create_graph=True, strict=True)",
    CREATE_GRAPH_SETUP + "F.vjp(lambda a: a * 2, xr, torch.ones(3), create_graph=True, strict=True)",
    CREATE_GRAPH_SETUP + "F.jvp(lambda a: a * 2, xr, torch.ones(3), strict=True)",
    CREATE_GRAPH_SETUP + "F.jvp(lambda a, b: a * 2, (xr, yr), (torch.ones(3), torch.ones(3)), strict=True)",
    CREATE_GRAPH_SETUP + "F.hessian(lambda a: a.sum() * 2, xr, strict=True)",
    CREATE_GRAPH_SETUP + "F.hessian(lambda a: (a ** 2).sum(), xr, create_graph=True, strict=True)",
    CREATE_GRAPH_SETUP + "F.hvp(lambda a: (a ** 2).sum(), xr, torch.ones(3), strict=True)",
    CREATE_GRAPH_SETUP + "F.vhp(lambda a: (a ** 2).sum(), xr, torch.ones(3), strict=True)",
    CREATE_GRAPH_SETUP + "F.vhp(lambda a, b: (a ** 2).sum(), (xr, yr), (torch.ones(3), torch.ones(3)), strict=True)",
    CREATE_GRAPH_SETUP + "F.vhp(lambda a: (a ** 2).sum(), xr, torch.ones(3), create_graph=True, strict=True)",
    CREATE_GRAPH_SETUP + "F.vjp(lambda a, b: a * 2, (xr, yr), torch.ones(3), strict=True)",
    # v checked as PyTorch checks it
    SETUP + "F.vjp(lambda a: a * 2, x, torch.ones(2))",
    SETUP + "F.vjp(lambda a: (a * 2, a), x, (torch.ones(3),))",
    SETUP + "F.vjp(lambda a: (a * 2, a), x, (torch.ones(3), torch.ones(2)))",
    SETUP + "F.jvp(lambda a: a * 2, x, (torch.ones(3), torch.ones(3)))",
    SETUP + "F.jvp(lambda a, b: a * b, (x, y), (torch.ones(3), 2.0))",
    SETUP + "F.hvp(lambda a: (a * a).sum(), x, torch.ones(4))",
    SETUP + "F.vhp(lambda a: (a * a).sum(), x)",
    SETUP + "F.hessian(lambda a: a * a, x)",
    SETUP + "F.hessian(lambda a: (a.sum(), a.sum()), x)",
    SETUP + "F.jacobian(lambda a: a * 2, (x, 2.0))",
    SETUP + "F.jacobian(lambda a: [a], x)",
    SETUP + "F.jacobian(lambda a: a, x, strategy='forward-mode')",
    SETUP + "F.jacobian(lambda a: a, x, strategy='sideways')",
    SETUP + "print(F.jacobian(lambda a: a.exp(), x, vectorize=True))",
    SETUP + "print(F.hessian(lambda a: a.exp().sum(), x, vectorize=True))",
    SETUP + "F.jacobian(lambda a: a.exp(), x, vectorize=True, strict=True)",
    SETUP + "F.hessian(lambda a: a.exp().sum(), x, vectorize=True, strict=True)",
    # a function whose backward the shim cannot record (GELU's erf): jvp takes the Jacobian times v
    SETUP + "print(F.jvp(torch.nn.functional.gelu, x, torch.tensor([1.0, 0.5, -2.0])))",
    SETUP + "print(F.jvp(lambda a: torch.nn.functional.gelu(a).sum() * a, x, torch.ones(3)))",
    SETUP + "print(F.jvp(lambda a, b: torch.nn.functional.gelu(a) * b, (x, y), (torch.ones(3), y)))",
    # exact zeros keep PyTorch's sign
    SETUP + "print(F.jvp(lambda a: a * torch.tensor([0., 1., -1.]), x, torch.tensor([1., -1., 0.])))",
    SETUP + "print(F.jvp(lambda a: -(a * 0), x, torch.ones(3)))",
    SETUP + "print(F.hvp(lambda a: (a * torch.tensor([0., 1., -1.])).pow(2).sum(), x, torch.tensor([1., -1., 0.])))",
    # the caller's tensor is not changed, and results without create_graph have no history
    CREATE_GRAPH_SETUP + "j = F.jacobian(lambda a: a ** 2, xr)\nprint(j.requires_grad, j.grad_fn, xr.grad)",
    CREATE_GRAPH_SETUP + "h = F.hessian(lambda a: (a ** 3).sum(), xr)\nprint(h.requires_grad, h.is_leaf, xr.grad)",
    CREATE_GRAPH_SETUP + "j = F.jacobian(lambda a: a ** 2, xr, create_graph=True)\nprint(j.grad_fn, j.is_leaf)",
    CREATE_GRAPH_SETUP + "o, g = F.vjp(lambda a: a ** 2, xr, torch.ones(3), create_graph=True)\n"
                         "print(o.grad_fn, o.requires_grad, g.requires_grad)",
    # a Newton step through the Hessian, differentiated with respect to the starting point
    CREATE_GRAPH_SETUP + "f = lambda a: (a ** 4).sum() + (a[0] * a[1]) ** 2\n"
                         "h = F.hessian(f, xr, create_graph=True)\n"
                         "g = torch.autograd.grad(f(xr), xr, create_graph=True)[0]\n"
                         "step = xr - g / h.sum(1)\n"
                         "print(torch.autograd.grad(step.sum(), xr))",
]


@pytest.mark.parametrize("code", CREATE_GRAPH_SNIPPETS, ids=[f"{i:03d}" for i in range(len(CREATE_GRAPH_SNIPPETS))])
def test_create_graph_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_create_graph_differentiates_again_to_third_order():
    """The Hessian of ``sum(a ** 4)`` with create_graph, differentiated: ``24 a`` on the diagonal."""
    a = srcgrad.tensor([0.5, -1.0, 2.0], dtype=srcgrad.float64, requires_grad=True)
    h = srcgrad.autograd.functional.hessian(lambda t: (t ** 4).sum(), a, create_graph=True)
    assert h.requires_grad and h.shape == (3, 3) and h.dtype == srcgrad.float64
    third, = srcgrad.autograd.grad((h * srcgrad.eye(3, dtype=srcgrad.float64)).sum(), a)
    np.testing.assert_allclose(third.numpy(), 24 * a.detach().numpy(), rtol=1e-14)
