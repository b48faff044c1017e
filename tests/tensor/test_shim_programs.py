"""Whole tutorial-style programs, run once with real PyTorch and once with srcgrad bound to ``torch``: the
printed transcripts must be identical, line for line.

Each program is written the way PyTorch's autograd tutorials and docs notes write theirs: a training loop
with manual updates under ``no_grad``, hooks and ``retain_grad``, ``torch.autograd.grad``, the functional
API, grad modes, devices, and ``torch.nn.functional`` losses. Where a float32 sum's last bits depend on the
order PyTorch's kernels add in, the program prints the value rounded (the line says so). Submodules are
reached as attributes (``F = torch.nn.functional``): an ``import torch.nn.functional`` statement imports
the installed PyTorch whatever ``torch`` is bound to."""

from __future__ import annotations

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

POLYNOMIAL_FIT = """
import math
dtype = torch.float64
x = torch.linspace(-math.pi, math.pi, 500, dtype=dtype)
y = torch.sin(x)
a = torch.zeros((), dtype=dtype, requires_grad=True)
b = torch.zeros((), dtype=dtype, requires_grad=True)
c = torch.zeros((), dtype=dtype, requires_grad=True)
d = torch.zeros((), dtype=dtype, requires_grad=True)
learning_rate = 1e-6
for t in range(1000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 200 == 199:
        print(t, f"{loss.item():.6f}")   # float64 sums of 500 terms: rounded, the order of adding differs
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print(a.requires_grad, a.grad, a.is_leaf)
# a and c end within 1e-6 of zero, on either side (the order of adding decides): only their size is printed
print(f"Result: y = {b.item():.5f} x + {d.item():.5f} x^3", abs(a.item()) < 1e-6, abs(c.item()) < 1e-6)
"""

HOOKS = """
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
w = torch.tensor([0.5, 0.25, -1.0], requires_grad=True)
seen = []
h = x * w
h.retain_grad()
handle = h.register_hook(lambda g: seen.append(g.clone()) or g * 2)
x.register_hook(lambda g: print("x hook", g))
z = (h ** 2).sum()
print(z, z.grad_fn, h.grad_fn.next_functions[0][0])
z.backward(retain_graph=True)
print("h.grad", h.grad)
print("x.grad", x.grad)
print("w.grad", w.grad)
print("seen", seen)
handle.remove()
x.grad.zero_()
w.grad = None
z.backward()
print("after remove", x.grad, w.grad, h.grad)
print(h.is_leaf, h.retains_grad, x.is_leaf, x.retains_grad)
try:
    torch.tensor([1.0]).register_hook(lambda g: g)
except RuntimeError as error:
    print("RuntimeError:", error)
"""

AUTOGRAD_GRAD = """
x = torch.tensor([0.5, 1.5, -0.25], dtype=torch.float64, requires_grad=True)
y = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
unused = torch.tensor(1.0, requires_grad=True)
out = (x.exp() * y).sum() + y ** 3
gx, gy = torch.autograd.grad(out, (x, y), retain_graph=True)
print(gx, gy)
print(gx.requires_grad, gx.grad_fn, x.grad)
print(torch.autograd.grad(out, [x, unused], allow_unused=True, retain_graph=True))
print(torch.autograd.grad(out, [x, unused], allow_unused=True, materialize_grads=True, retain_graph=True))
try:
    torch.autograd.grad(out, [unused], retain_graph=True)
except RuntimeError as error:
    print("RuntimeError:", error)
vector = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
v = x * y
print(torch.autograd.grad(v, x, grad_outputs=vector, retain_graph=True))
try:
    torch.autograd.grad(v, x)
except RuntimeError as error:
    print("RuntimeError:", error)
for step in range(3):
    loss = (x * y).sum()
    loss.backward(inputs=[x])
    print(step, x.grad, y.grad)
"""

FUNCTIONAL = """
jacobian, vjp, jvp = torch.autograd.functional.jacobian, torch.autograd.functional.vjp, torch.autograd.functional.jvp

def f(x):
    return torch.stack([x[0] * x[1], x[1].sin(), x.sum() ** 2])

def g(x, y):
    return (x * y).exp(), x - y

x = torch.tensor([0.5, -1.0], dtype=torch.float64)
y = torch.tensor([2.0, 0.25], dtype=torch.float64)
print(jacobian(f, x))
jx, jy = jacobian(g, (x, y))
print(jx)
print(jy)
out, cot = vjp(f, x, torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64))
print(out, cot)
out, tan = jvp(f, x, torch.tensor([1.0, 0.0], dtype=torch.float64))
print(out, tan)
print(jacobian(lambda t: t ** 2, torch.tensor(3.0)))
print(jacobian(f, x).requires_grad, x.requires_grad, x.grad)
"""

GRAD_MODES = """
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad, y.grad_fn)
with torch.inference_mode():
    z = x * 2
print(z.requires_grad, z.is_inference(), torch.is_inference_mode_enabled())
with torch.no_grad():
    with torch.enable_grad():
        w = x * 2
print(w.requires_grad, w.grad_fn)
torch.set_grad_enabled(False)
v = x * 3
torch.set_grad_enabled(True)
print(v.requires_grad, torch.is_grad_enabled())

@torch.no_grad()
def doubler(t):
    return t * 2

@torch.inference_mode()
def tripler(t):
    return t * 3

print(doubler(x).requires_grad, tripler(x).requires_grad, tripler(x).is_inference())
with torch.set_grad_enabled(False):
    u = x + 1
print(u.requires_grad)
try:
    (z * x).sum().backward()
except RuntimeError as error:
    print("RuntimeError:", error)
q = x.detach()
q.add_(1)
print(x, q, q.requires_grad)
"""

TWO_LAYER_NET = """
F = torch.nn.functional
dtype = torch.float64
x = torch.linspace(-1.0, 1.0, 24, dtype=dtype).reshape(8, 3)
target = torch.tensor([0, 2, 1, 1, 0, 2, 2, 0])
w1 = (torch.arange(15, dtype=dtype).reshape(3, 5) / 10 - 0.7).requires_grad_()
w2 = (torch.arange(15, dtype=dtype).reshape(5, 3) / 15 - 0.4).requires_grad_()
learning_rate = 0.5
for step in range(60):
    hidden = F.relu(x @ w1)
    logits = hidden @ w2
    loss = F.cross_entropy(logits, target)
    if step % 20 == 0:
        print(step, f"{loss.item():.10f}", loss.grad_fn)
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
probabilities = F.softmax(x @ w1 @ w2, dim=1)
print(probabilities.argmax(dim=1), f"{F.nll_loss(probabilities.log(), target).item():.10f}")
print(F.mse_loss(x, x * 2).grad_fn, F.mse_loss(x, x * 2, reduction="sum").item())
"""

DEVICES = """
device = "cuda" if torch.cuda.is_available() else "cpu"
print(device, torch.device(device), torch.device("cpu", 0) if False else torch.device("cpu"))
x = torch.ones(3, device=device, dtype=torch.float64, requires_grad=True)
w = torch.full((3,), 0.5, device=torch.device(device)).to(torch.float64)
print(x.device, w.device, w.dtype, x.is_cuda)
y = (x * w).sum()
y.backward()
print(x.grad, x.grad.device)
moved = x.to(device)
print(moved is x, x.cpu() is x, moved.requires_grad)
try:
    torch.zeros(2, device="cuda")
except (AssertionError, RuntimeError) as error:
    print(type(error).__name__)
print(torch.tensor([1, 2]).to(dtype=torch.float32), torch.tensor([1.5]).to("cpu", torch.float64))
"""

ACCUMULATION = """
w = torch.tensor([1.0, -1.0], requires_grad=True)
batches = [torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[0.5, 0.0], [-1.0, 2.0]])]
for batch in batches:
    loss = (batch @ w).pow(2).mean()
    loss.backward()
    print(loss.item(), w.grad)
print("accumulated", w.grad)
w.grad.zero_()
out = w * 3
out.backward(torch.tensor([1.0, 0.5]))
print(w.grad)
y = w.clone()
y.retain_grad()
z = y.unbind(0) if False else (y[0], y[1])
total = z[0] * z[1]
total.backward()
print(w.grad, y.grad, total.grad_fn, total.grad_fn.next_functions)
try:
    total.backward()
except RuntimeError as error:
    print("RuntimeError:", str(error).split(".")[0])
"""

SECOND_DERIVATIVES = """
# Newton's method on f(x) = x^4 - 3x^2 + x, with f'' from create_graph=True
x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
for step in range(6):
    f = x ** 4 - 3 * x ** 2 + x
    (df,) = torch.autograd.grad(f, x, create_graph=True)
    (d2f,) = torch.autograd.grad(df, x)
    print(step, f"{x.item():.10f}", f"{df.item():.6e}", d2f)
    with torch.no_grad():
        x -= df / d2f
print(df.grad_fn, df.requires_grad)
# a gradient penalty, as in WGAN-GP
w = torch.tensor([[0.5, -0.3], [0.2, 0.8]], dtype=torch.float64, requires_grad=True)
inputs = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.3]], dtype=torch.float64, requires_grad=True)
scores = torch.tanh(inputs @ w).sum(dim=1)
(grads,) = torch.autograd.grad(scores.sum(), inputs, create_graph=True)
penalty = ((grads.norm(dim=1) - 1) ** 2).mean()
print(grads)
print(penalty)
penalty.backward()
print(w.grad)
print(inputs.grad)
"""

HESSIANS = """
F = torch.autograd.functional

def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

p = torch.tensor([-1.2, 1.0], dtype=torch.float64)
print(F.jacobian(rosenbrock, p))
print(F.hessian(rosenbrock, p))
for step in range(5):
    g = F.jacobian(rosenbrock, p)
    H = F.hessian(rosenbrock, p)
    det = H[0, 0] * H[1, 1] - H[0, 1] * H[1, 0]
    inverse = torch.stack([torch.stack([H[1, 1], -H[0, 1]]), torch.stack([-H[1, 0], H[0, 0]])]) / det
    p = p - inverse @ g
    print(step, p, f"{rosenbrock(p).item():.6e}")
value, hv = F.hvp(rosenbrock, p, torch.tensor([1.0, 0.0], dtype=torch.float64))
print(value, hv)
print(F.vhp(rosenbrock, p, torch.tensor([0.0, 1.0], dtype=torch.float64)))
print(F.hessian(lambda a, b: (a * b ** 2).sum(), (p, p * 2)))
"""

META_LEARNING = """
# one inner gradient step kept in the graph (MAML), a Jacobian regulariser, and third derivatives
F = torch.autograd.functional
w = torch.tensor([[0.3, -0.2], [0.1, 0.4]], dtype=torch.float64, requires_grad=True)
b = torch.tensor([0.05, -0.1], dtype=torch.float64, requires_grad=True)
x_train = torch.tensor([[1.0, -0.5], [0.2, 0.7], [-0.3, 0.9]], dtype=torch.float64)
y_train = torch.tensor([[0.5, 0.1], [0.0, 0.3], [0.2, -0.4]], dtype=torch.float64)
x_test = torch.tensor([[0.4, 0.4], [-1.0, 0.2]], dtype=torch.float64)
y_test = torch.tensor([[0.3, 0.0], [-0.2, 0.1]], dtype=torch.float64)

def predict(w, b, x):
    return torch.tanh(x @ w + b)

def loss(w, b, x, y):
    return ((predict(w, b, x) - y) ** 2).mean()

inner = loss(w, b, x_train, y_train)
gw, gb = torch.autograd.grad(inner, (w, b), create_graph=True)
print(gw)
print(gb)
outer = loss(w - 0.5 * gw, b - 0.5 * gb, x_test, y_test)
outer.backward()
print(outer, w.grad, b.grad, sep="\\n")
J = F.jacobian(lambda inp: predict(w, b, inp), x_test[0], create_graph=True)
print(J)
w.grad, b.grad = None, None
(J ** 2).sum().backward()
print(w.grad, b.grad, sep="\\n")
f = lambda a: (a.sigmoid() * a ** 2).sum()
a = torch.tensor([0.2, -0.7, 1.1], dtype=torch.float64, requires_grad=True)
value, hv = F.hvp(f, a, torch.ones(3, dtype=torch.float64), create_graph=True)
print(value, hv)
print(torch.autograd.grad(hv.sum(), a))
H = F.hessian(f, a, create_graph=True)
print(H)
print(torch.autograd.grad(H.sum(), a))
out, jv = F.jvp(lambda t: t.softmax(0) * t, a, torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64), create_graph=True)
print(out, jv)
print(torch.autograd.grad(jv.sum(), a))
"""

PROGRAMS = {"polynomial_fit": POLYNOMIAL_FIT, "hooks": HOOKS, "autograd_grad": AUTOGRAD_GRAD,
            "functional": FUNCTIONAL, "grad_modes": GRAD_MODES, "two_layer_net": TWO_LAYER_NET,
            "devices": DEVICES, "accumulation": ACCUMULATION, "second_derivatives": SECOND_DERIVATIVES,
            "hessians": HESSIANS, "meta_learning": META_LEARNING}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_what_pytorch_prints(name):
    code = PROGRAMS[name]
    expected = transcript(torch, code)
    assert "Error" not in expected.replace("RuntimeError:", "").replace("AssertionError", ""), expected
    assert transcript(srcgrad, code) == expected


def test_enough_programs():
    assert len(PROGRAMS) >= 8 and all(len(code.strip().splitlines()) >= 15 for code in PROGRAMS.values())
