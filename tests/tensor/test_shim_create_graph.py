"""Second derivatives through the Tensor shim (``create_graph=True``) against real PyTorch: the same
transcript, grad_fn names of the recorded gradients included, for every operation family, for
``backward(create_graph=True)``'s accumulation, hooks, custom Functions, and the functional API's
``hessian``, ``hvp`` and ``vhp``; and a clear refusal where the shim cannot record a backward."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

SETUP = """
x = torch.tensor([0.5, -1.25, 2.0], dtype=torch.float64, requires_grad=True)
w = torch.tensor([1.5, 0.25, -0.75], dtype=torch.float64, requires_grad=True)
M = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=torch.float64, requires_grad=True)
s = torch.tensor(0.75, dtype=torch.float64, requires_grad=True)
p = torch.tensor([0.3, 0.6, 1.2], dtype=torch.float64, requires_grad=True)
v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
"""

# Scalar functions of the leaves; each is differentiated twice, with respect to every leaf it reads.
EXPRESSIONS = [
    "x.exp().sum()", "p.log().sum()", "x.sin().sum()", "x.cos().sum()", "(x / 4).tan().sum()",
    "x.tanh().sum()", "x.sigmoid().sum()", "p.sqrt().sum()", "p.reciprocal().sum()", "(-x).exp().sum()",
    "x.pow(2).sum()", "x.pow(3).sum()", "(x ** 4).mean()", "p.pow(0.5).sum()", "p.pow(-1.5).sum()",
    "(p ** w).sum()", "(2.0 ** x).sum()", "x.square().sum()", "p.log1p().sum()", "x.expm1().sum()",
    "x.sinh().sum()", "x.cosh().sum()",
    "(x * w).sum()", "(x * w * x).sum()", "(x / p).sum()", "(w / p ** 2).sum()", "(x + w).pow(2).sum()",
    "(x - 2 * w).pow(2).sum()", "(x * s).exp().sum()", "(s * s * x).sum()", "(x / s).sin().sum()",
    "(3.0 - x).pow(3).sum()", "(1 / p).sum()",
    "x.sum() ** 2", "x.mean() * w.mean()", "(M ** 2).sum(dim=0).pow(2).sum()",
    "(M.exp()).mean(dim=1).sum()", "M.sum(dim=1, keepdim=True).pow(2).sum()", "(M * M).sum(0).sin().sum()",
    "(M @ x).pow(2).sum()", "(x @ w) ** 2", "x.dot(w).exp()", "(M @ M.t()).sum()", "(M.mm(M.t()) ** 2).sum()",
    "M.mv(x).tanh().sum()", "(M.t() @ M @ x).pow(2).sum()", "torch.matmul(M, w).pow(3).sum()",
    "x.reshape(3, 1).pow(2).sum()", "M.reshape(-1).pow(3).sum()", "M.t().pow(2).sum()", "M.T.exp().sum()",
    "M.transpose(0, 1).sin().sum()", "x.unsqueeze(0).pow(2).sum()", "M.permute(1, 0).pow(2).sum()",
    "x[0] * x[1] * x[2]", "x[1:].pow(3).sum()", "M[0].pow(2).sum() + M[:, 1].exp().sum()", "(x[:2] * w[1:]).sum() ** 2",
    "torch.relu(x).pow(2).sum()", "torch.softmax(x, dim=0)[0]", "torch.log_softmax(x, dim=0).sum() + x.pow(2).sum()",
    "torch.nn.functional.mse_loss(x, w)",
    "torch.maximum(x, w).pow(2).sum()", "torch.minimum(x, w).exp().sum()", "torch.clamp(x, -1, 1).pow(2).sum()",
    "x.abs().pow(3).sum()", "torch.where(x > 0, x ** 2, x ** 3).sum()", "(x * x.sum()).pow(2).mean()",
    "x.exp().sum().log()", "(x.exp() / x.exp().sum()).pow(2).sum()", "torch.stack([x, w]).pow(2).sum()",
    "torch.cat([x, w * x]).pow(2).sum()", "x.norm() ** 3", "(x.max() * w).sum()",
    "(x.unsqueeze(1) * M.t()).pow(2).sum()",
    # advanced indices (the recorded backward accumulates with index_put_(..., accumulate=True))
    "x[[0, 0, 2]].pow(3).sum()", "(x[torch.tensor([2, 1, 2])] * w).pow(2).sum()", "M[[1, 0, 1]].exp().sum()",
    "M[:, [0, 0]].pow(2).sum() * s", "x[x > 0].pow(3).sum()",
    # reductions along a dimension that pick an element, and losses whose rules clamp
    "M.max(dim=1)[0].pow(2).sum()", "(M.min(dim=0, keepdim=True)[0] * x).pow(2).sum()",
    "M.max(1).values.sin().sum()",
    "torch.nn.functional.binary_cross_entropy(x.sigmoid(), torch.tensor([1., 0., 1.], dtype=torch.float64))",
    "torch.nn.functional.binary_cross_entropy(p / 2, torch.tensor([0.2, 0.5, 1.], dtype=torch.float64), "
    "reduction='sum')",
    "torch.nn.functional.binary_cross_entropy_with_logits(x * w, torch.tensor([1., 0., 0.5], dtype=torch.float64))",
    "torch.maximum(x, w * 0.5).pow(3).sum()",
]

# The values and whether each gradient can be differentiated again. Which node a gradient's graph ends in
# is PyTorch's choice of backward formula: the snippets after these compare the names where the formulas are
# the same, and where PyTorch's is a fused kernel (``TanhBackwardBackward0``). A zero's
# sign is not compared either (``+ 0.0``): a masked derivative is 0.0 in one and -0.0 in the other.
SHOW = "def show(t):\n    print(None if t is None else (t.detach() + 0.0, t.requires_grad))\n"
SNIPPETS = []
for expression in EXPRESSIONS:
    SNIPPETS.append(SETUP + SHOW + f"""
y = {expression}
leaves = [t for t in (x, w, M, s, p) if t.requires_grad]
firsts = torch.autograd.grad(y, leaves, create_graph=True, allow_unused=True)
for first in firsts:
    show(first)
used = [f for f in firsts if f is not None and f.requires_grad]
if used:
    total = sum((f * f).sum() for f in used)
    for second in torch.autograd.grad(total, leaves, allow_unused=True):
        show(second)
""")
    SNIPPETS.append(SETUP + SHOW + f"""
y = {expression}
first, = torch.autograd.grad(y, x, create_graph=True, allow_unused=True)
show(first)
if first is not None and first.requires_grad:
    show(torch.autograd.grad(first, x, grad_outputs=v, allow_unused=True)[0])
""")

# grad_fn names, where the shared rule computes what PyTorch's backward formula computes
NAMED = ["x.exp().sum()", "p.log().sum()", "x.sin().sum()", "x.cos().sum()", "x.pow(3).sum()", "(x * w).sum()",
         "(x * w * x).sum()", "x.sum() ** 2", "(M @ M.t()).sum()" if False else "(x @ w) ** 2", "x.dot(w).exp()",
         "(M ** 2).sum(dim=0).pow(2).sum()", "(w * x).pow(2).sum()", "(x + w).pow(2).sum()", "x.pow(2).mean()"]
for expression in NAMED:
    SNIPPETS.append(SETUP + f"""
y = {expression}
first, = torch.autograd.grad(y, x, create_graph=True)
print(first)
print(torch.autograd.grad(first.sum(), x, allow_unused=True))
""")

# PyTorch's fused backward kernels (TanhBackwardBackward0, ...): the recorded gradient carries their names
FUSED = ["torch.tanh(x * w).sum()", "(x.sigmoid() * w).sum()", "(x[1:] * w[:2]).sum()", "torch.relu(x).sum()",
         "(torch.relu(x) * w).sum()", "(torch.nn.functional.relu(x * 2.0) * p).sum()",
         "x[0] * w.sum()", "(x[[0, 0, 2]] * w).sum()", "(x[x > 0] * w[:2]).sum()", "(x.softmax(0) * w).sum()",
         "(torch.log_softmax(x * w, dim=0)).sum()", "torch.nn.functional.mse_loss(x, w)",
         "torch.nn.functional.mse_loss(x * w, p, reduction='sum')", "(x.unsqueeze(0) * w).sum()",
         "(x * w).mean()", "(M * x).mean(dim=1).sum()", "(x.clamp(-0.5, 1.0) * w).sum()",
         "(M.max(dim=1)[0] * w[:2]).sum()", "(M.min(0).values * w).sum()",
         "torch.nn.functional.binary_cross_entropy(p / 2, w.abs() / 2)", "(torch.relu(x) * w).sum() + x.sum() ** 2"]
for expression in FUSED:
    SNIPPETS.append(SETUP + f"""
y = {expression}
first, = torch.autograd.grad(y, x, create_graph=True)
print(first, type(first.grad_fn).__name__)
print(torch.autograd.grad(first.pow(2).sum(), [t for t in (x, w, M, p) if t.requires_grad], allow_unused=True))
""")

SNIPPETS += [
    # index_put_, accumulating or not, and differentiated twice
    SETUP + "a = torch.zeros(4, dtype=torch.float64)\na.index_put_((torch.tensor([0, 0, 3]),), x ** 2, accumulate=True)\n"
            "print(a, a.grad_fn)\ng, = torch.autograd.grad((a * a).sum(), x, create_graph=True)\nprint(g)\n"
            "print(torch.autograd.grad(g.sum(), x))",
    SETUP + "a = (w * 1).clone()\na.index_put_((torch.tensor([2, 0]),), x[:2].exp())\nprint(a, a.grad_fn)\n"
            "print([g.detach() for g in torch.autograd.grad(a.pow(2).sum(), (x, w), create_graph=True)])",
    SETUP + "a = M * 1\na.index_put_((torch.tensor([1, 1]), torch.tensor([0, 0])), x[:2] * s, accumulate=True)\n"
            "print(a)\nprint(torch.autograd.grad(a.pow(3).sum(), (M, x, s)))",
    SETUP + "a = torch.zeros(3)\na.index_put_([torch.tensor([0])], torch.ones(1))",
    # a write into a view whose steps include squeeze, differentiated twice (CopySlices recorded)
    SETUP + "a = x * 2\nv = a.unsqueeze(0).squeeze(0)\nv[1] = x[0] ** 2\n"
            "g, = torch.autograd.grad((a ** 2).sum(), x, create_graph=True)\nprint(g, torch.autograd.grad(g.sum(), x))",
    SETUP + "a = M * 1\na.t()[1:, 0] = w[:2] * s\ng = torch.autograd.grad(a.pow(3).sum(), (w, s), create_graph=True)\n"
            "print(g)\nprint(torch.autograd.grad(g[0].sum() + g[1], (M, w, s), allow_unused=True))",
    # a retained non-leaf gradient is kept as a clone of the recorded one
    "x = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * 2\ny.retain_grad()\n"
    "(g,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)\nprint(y.grad, g)\n"
    "z = x * 3\nz.retain_grad()\nfor _ in range(2):\n    torch.autograd.grad((z * z).sum(), x, create_graph=True)\n"
    "print(z.grad)",
    SETUP + """
y = (x ** 3).sum()
y.backward(create_graph=True)
print(x.grad, x.grad.requires_grad)
first = x.grad
(x ** 2).sum().backward(create_graph=True)
print(x.grad, x.grad is first)
x.grad.sum().backward()
print(x.grad)
""",
    SETUP + """
y = (x * w).pow(2).sum()
g, = torch.autograd.grad(y, w, create_graph=True)
penalty = (g.norm() - 1) ** 2
penalty.backward()
print(g, penalty, x.grad, w.grad)
""",
    SETUP + """
seen = []
h = x * w
h.register_hook(lambda g: seen.append(g) or g * 3)
g, = torch.autograd.grad((h ** 2).sum(), x, create_graph=True)
print(g, [t.requires_grad for t in seen], seen[0].grad_fn is not None)
print(torch.autograd.grad(g.sum(), w))
""",
    SETUP + """
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a ** 3

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return 3 * g * a ** 2

y = Cube.apply(x).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g)
print(torch.autograd.grad(g.sum(), x))
""",
    SETUP + """
g, = torch.autograd.grad((x ** 2).sum(), x, create_graph=True)
g2, = torch.autograd.grad(g.pow(3).sum(), x, create_graph=True)
print(g2)
print(torch.autograd.grad(g2.sum(), x))
""",
    SETUP + """
y = (x * w).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g, g.requires_grad)
print(torch.autograd.grad(g.sum(), w))
try:
    torch.autograd.grad(g.sum(), x)
except RuntimeError as error:
    print("RuntimeError:", error)
""",
    SETUP + """
F = torch.autograd.functional
print(F.hessian(lambda a: (a ** 3).sum() + a[0] * a[1] * a[2], x))
print(F.hessian(lambda a, b: (a.sin() * b).sum(), (x, w)))
print(F.hvp(lambda a: (a.exp() * a).sum(), x, v))
print(F.vhp(lambda a: (a.exp() * a).sum(), x, v))
print(F.hvp(lambda a, b: (a * b).pow(2).sum(), (x, w), (v, v)))
print(F.hessian(lambda m: (m @ m.t()).pow(2).sum(), M.detach()))
""",
    SETUP + """
F = torch.autograd.functional
for f in (lambda a: a * 2, lambda a: (a, a)):
    try:
        F.hessian(f, x)
    except RuntimeError as error:
        print("RuntimeError:", error)
try:
    F.hvp(lambda a: a.sum(), x)
except RuntimeError as error:
    print("RuntimeError:", error)
""",
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    assert transcript(srcgrad, code) == transcript(torch, code)


def test_enough_snippets():
    assert len(SNIPPETS) >= 150


@pytest.mark.parametrize("expression", ["torch.nn.functional.gelu(x).sum()", "x.prod()"])
def test_a_backward_the_shim_cannot_record_is_refused_not_dropped(expression):
    """A rule that reaches a function the recorded backward does not provide (SciPy's ``erf``, NumPy's
    ``cumprod``) raises, naming it and what to use: never a gradient missing its second-order part."""
    x = srcgrad.tensor([0.5, -1.25, 2.0], dtype=srcgrad.float64, requires_grad=True)
    y = eval(expression, {"torch": srcgrad, "x": x})
    with pytest.raises(RuntimeError, match=r"create_graph=True: .* cannot record the backward of .*srcgrad\.hessian"):
        srcgrad.autograd.grad(y, x, create_graph=True)
    assert srcgrad.autograd.grad(y, x)[0].shape == (3,)   # the first derivative alone still works
