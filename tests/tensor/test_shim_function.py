"""``torch.autograd.Function`` against real PyTorch: the same transcript for custom operations in the
styles PyTorch's tutorials use (ctx.save_for_backward, setup_context, non-tensor arguments, needs_input_grad,
mark_non_differentiable, errors word for word), and the Legendre-polynomial tutorial of PyTorch's docs."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

DEFINITIONS = '''
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return a * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        print("needs", ctx.needs_input_grad)
        return g * b if ctx.needs_input_grad[0] else None, g * a if ctx.needs_input_grad[1] else None


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x ** 3

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * g * x ** 2


class Legendre3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class TooMany(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g, g


class ExtraNone(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2, None


class ArgMax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        idx = a.argmax()
        ctx.mark_non_differentiable(idx)
        return idx

    @staticmethod
    def backward(ctx, g):
        return None


x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
w = torch.tensor([1.5, 2.0, -0.5], requires_grad=True)
c = torch.tensor([3.0, 1.0, 2.0])
'''

CALLS = ["Exp.apply(x)", "Scale.apply(x, 3.0)", "Mul.apply(x, w)", "Mul.apply(x, c)", "Mul.apply(c, w)",
         "Cube.apply(x)", "Legendre3.apply(x)", "Exp.apply(x * w)", "Scale.apply(Exp.apply(x), 2.0)",
         "Mul.apply(Exp.apply(x), Cube.apply(w))", "ExtraNone.apply(x)", "Exp.apply(x[1:])",
         "Cube.apply(x.double())", "Legendre3.apply(x).exp()"]

SNIPPETS = [DEFINITIONS + f"y = {call}\nprint(y, type(y.grad_fn).__name__, graph(y.grad_fn))\n"
            f"y.sum().backward()\nprint(x.grad, w.grad, c.grad)" for call in CALLS]
SNIPPETS += [DEFINITIONS + f"y = {call}\nprint(y.grad_fn.next_functions)\n"
             f"y.backward(torch.tensor([1.0, -2.0, 0.5])[:y.shape[0]])\nprint(x.grad, w.grad)" for call in CALLS]
SNIPPETS += [DEFINITIONS + f"y = {call}\nprint(torch.autograd.grad(y.sum(), [x], allow_unused=True))"
             for call in CALLS]
SNIPPETS += [
    DEFINITIONS + "y = Exp.apply(c)\nprint(y, y.requires_grad, y.grad_fn)",
    DEFINITIONS + "with torch.no_grad():\n    y = Exp.apply(x)\nprint(y, y.requires_grad, y.grad_fn)",
    DEFINITIONS + "y = Exp.apply(x)\nprint(repr(y.grad_fn).split(' object')[0])",
    DEFINITIONS + "TooMany.apply(x).sum().backward()",
    DEFINITIONS + "i = ArgMax.apply(x)\nprint(i, i.requires_grad, i.grad_fn)",
    DEFINITIONS + "y = Exp.apply(x)\ns = y.sum()\ns.backward(retain_graph=True)\ns.backward()\nprint(x.grad)",
    DEFINITIONS + "y = Exp.apply(x)\ns = y.sum()\ns.backward()\ns.backward()",
    DEFINITIONS + "y = Scale.apply(x, 2.0)\ns = y.sum()\ns.backward()\ns.backward()\nprint(x.grad)",
    DEFINITIONS + "b = x * 1\ny = Mul.apply(b, w)\nb.mul_(2)\ny.sum().backward()",
    DEFINITIONS + "y = Exp.apply(x)\ny.register_hook(lambda g: print('hook', g))\ny.sum().backward()\nprint(x.grad)",
    DEFINITIONS + "y = Exp.apply(x)\ny.retain_grad()\n(y * 2).sum().backward()\nprint(y.grad, x.grad)",
    DEFINITIONS + "Exp()",
    DEFINITIONS + "print(torch.autograd.function.once_differentiable(lambda ctx, g: g)(None, 3))",
    # the Legendre-polynomial fit from PyTorch's "Learning PyTorch with Examples"
    DEFINITIONS + """
import math
dtype = torch.float
xs = torch.linspace(-math.pi, math.pi, 200, dtype=dtype)
ys = torch.sin(xs)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
cc = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
learning_rate = 5e-6
for t in range(300):
    P3 = Legendre3.apply
    y_pred = a + b * P3(cc + d * xs)
    loss = (y_pred - ys).pow(2).sum()
    if t % 100 == 99:
        print(t, round(loss.item(), 2))
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        cc -= learning_rate * cc.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        cc.grad = None
        d.grad = None
# a and cc end within 1e-8 of zero, on either side: float32 sums of 200 terms differ in order between
# PyTorch's vectorized kernels and NumPy's pairwise summation, so only their size is compared
print(f'Result: y = {b.item():.4f} * P3({d.item():.4f} x)', abs(a.item()) < 1e-6, abs(cc.item()) < 1e-6)
""",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 50
