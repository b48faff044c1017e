"""Differential tests: each snippet runs with ``torch`` bound to real PyTorch and to srcgrad, and both must
print exactly the same transcript (graph node names, next_functions, gradients, error and warning texts,
tensor printing). PyTorch is the oracle; the test is skipped where it is not installed."""

import pytest
from shim_oracle import transcript

import srcgrad

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SNIPPETS = [
    # --- construction, dtypes, printing -----------------------------------------------------------------
    "print(torch.tensor([[1, 2], [3, 4]], requires_grad=True, dtype=torch.float32))",
    "print(torch.tensor([1, 2, 3]), torch.tensor([1., 2.]), torch.tensor(2.5), torch.tensor(True))",
    "print(torch.tensor([1, 2]).dtype, torch.tensor([1., 2]).dtype, torch.tensor([True]).dtype)",
    "import numpy as np\nprint(torch.tensor(np.ones(2)).dtype, torch.tensor(np.arange(3, dtype=np.int32)))",
    "print(torch.tensor([1, 2], dtype=torch.float64), torch.tensor([1.5, 2.5], dtype=torch.int64))",
    "print(torch.ones(2, 3), torch.zeros(2), torch.ones((2, 2)).shape, torch.zeros([3]).shape)",
    "print(torch.ones(2, dtype=torch.int64), torch.zeros(2, 2, dtype=torch.float64))",
    "x = torch.ones(3, requires_grad=True)\nprint(torch.ones_like(x), torch.zeros_like(x), torch.zeros_like(x).requires_grad)",
    "print(torch.ones_like(torch.ones(2), requires_grad=True))",
    "print(torch.arange(5), torch.arange(1., 4), torch.arange(0, 1, 0.25), torch.arange(2, 8, 2))",
    "print(torch.linspace(0, 1, 5), torch.linspace(-1, 1, steps=3))",
    "print(torch.arange(1., 4, requires_grad=True))",
    "print(torch.FloatTensor([0.1, 1.0, 0.0001]), torch.FloatTensor([1, 2]).dtype)",
    "print(torch.FloatTensor(2, 3).shape, isinstance(torch.ones(2), torch.FloatTensor))",
    "print(torch.LongTensor([1, 2]), torch.DoubleTensor([1, 2]))",
    "print(torch.float32, torch.float64, torch.int64, torch.bool, repr(torch.float32))",
    "print(torch.float32.is_floating_point, torch.int64.is_floating_point, torch.float32.itemsize)",
    "print(torch.randn(2, 3).shape, torch.rand(4).dtype, torch.randn(2, 2).requires_grad)",
    "print(torch.randn(3, requires_grad=True).requires_grad, torch.rand(2, 2, dtype=torch.float64).dtype)",
    "torch.manual_seed(0)\na = torch.randn(3)\ntorch.manual_seed(0)\nprint(torch.equal(a, torch.randn(3)))",
    "print(torch.ones(2, 3).shape, torch.ones(2, 3).size(), torch.ones(2, 3).size(1), torch.ones(2, 3).size(-1))",
    "print(torch.ones(2, 3).dim(), torch.ones(2, 3).ndim, torch.ones(2, 3).numel(), torch.tensor(1.).shape)",
    "print(torch.ones(2, 3).size(2))",
    "print(torch.Size([2, 3]), torch.ones(4, 5).shape[0], type(torch.ones(4).shape[0]).__name__)",
    "print(torch.tensor([[1.5, -2.25], [1e-5, 3.0]]))",
    "print(torch.tensor([1e10, 1.0]), torch.tensor([0.1, 123.456]))",
    "print(torch.tensor([]), torch.tensor([[]]).shape)",
    "print(torch.ones(2, 3).type(), torch.tensor([1]).type(), torch.tensor([True]).type())",
    "x = torch.tensor([1., 2.])\nprint(x.float() is x, x.to(torch.float32) is x, x.double().dtype)",
    "print(torch.tensor([1.7, -1.2]).long(), torch.tensor([0, 2]).bool(), torch.tensor([1, 2]).float())",
    "print(repr(torch.tensor(3.5)), str(torch.tensor([1, 2])))",
    "x = torch.tensor(2.5)\nprint(f'{x}', f'{x:.2f}', format(x), '{:>6.1f}'.format(x))",
    "print(f'{torch.tensor(3):5d}', f'{torch.tensor([1., 2.])}')",
    "print('{:.3f}'.format(torch.tensor([3.7])))",
    "print(torch.tensor(3.7).item(), type(torch.tensor(3).item()).__name__, torch.tensor([[2.]]).item())",
    "print(torch.tensor([[1, 2], [3, 4]]).tolist(), torch.tensor(0.5).tolist(), torch.tensor([0.1]).tolist())",
    "print(torch.ones(3).item())",
    "print(torch.ones(0).item())",
    "print(float(torch.tensor([2.5])), int(torch.tensor(3.9)), bool(torch.tensor([0.])))",
    "print(float(torch.ones(2)))",
    "print(bool(torch.ones(2)))",
    "print(len(torch.ones(4, 2)), len(torch.tensor(1.)))",
    "x = torch.ones(2, 2, requires_grad=True)\nprint(x.numpy())",
    "import numpy as np\nx = torch.ones(2, requires_grad=True)\na = x.detach().numpy()\nprint(type(a).__name__, a.dtype, a)",
    "import numpy as np\nt = torch.from_numpy(np.array([1., 2.]))\nprint(t, t.dtype)",
    "x = torch.tensor([1., 5.], requires_grad=True)\ny = torch.tensor(x)\nprint(y, y.requires_grad)",
    "x = torch.tensor([1., 5.], requires_grad=True)\nprint(torch.tensor([x.sum(), x.sum() * 2]))",
    "x = torch.ones(3, requires_grad=True)\nprint(float(x.sum()))",
    # --- graph: node names and next_functions -----------------------------------------------------------
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x - 2\nprint(y)\nprint(y.grad_fn)\nprint(x.grad_fn)",
    "x = torch.ones(2, requires_grad=True)\ny = x - 2\nprint(y.grad_fn.next_functions)\nprint(y.grad_fn.next_functions[0][0].variable is x)",
    "x = torch.ones(2, requires_grad=True)\nprint(repr((x - 2).grad_fn.next_functions[0][0].variable))",
    "x = torch.ones(2, requires_grad=True)\nprint(graph((2 - x).grad_fn), (2 - x).grad_fn.next_functions)",
    "x = torch.ones(2, requires_grad=True); y = torch.ones(2, requires_grad=True)\nfor r in [x + y, x + 2, 2 + x, x - y, torch.rsub(x, y), torch.rsub(x, 2)]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True); y = torch.ones(2, requires_grad=True)\nfor r in [x * y, x * 2, 2 * x, x / y, x / 2, 2 / x]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True); y = torch.ones(2, requires_grad=True); s = torch.tensor(2., requires_grad=True)\nfor r in [x ** 2, x ** y, 2 ** x, x ** s, x.pow(3), torch.pow(2, x), x.square()]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True)\nfor r in [-x, x.neg(), x.exp(), x.log(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.relu(), x.abs(), x.sqrt()]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True)\nfor r in [torch.exp(x), torch.log(x), torch.sin(x), torch.cos(x), torch.tanh(x), torch.sigmoid(x), torch.relu(x), torch.abs(x), torch.sqrt(x)]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True)\nfor r in [x.tan(), x.reciprocal(), x.log1p(), x.expm1(), x.sign(), x.clone()]:\n    print(graph(r.grad_fn))",
    "x = torch.ones(2, requires_grad=True); y = torch.ones(2, requires_grad=True)\nfor r in [x.clamp(0, 1), x.clamp(min=0), x.clamp(max=1), torch.clamp(x, 0, 1), x.clip(0, 2), x.clamp(y, y), x.clamp(min=y)]:\n    print(graph(r.grad_fn))",
    "M = torch.ones(2, 3, requires_grad=True); x = torch.ones(3, requires_grad=True)\nfor r in [x.sum(), x.sum(0), M.sum(1), M.sum(dim=(0, 1)), x.mean(), M.mean(0), M.mean(1, keepdim=True), torch.sum(M), torch.mean(x)]:\n    print(graph(r.grad_fn), r.shape)",
    "M = torch.ones(2, 3, requires_grad=True); x = torch.ones(3, requires_grad=True)\nfor r in [x.max(), x.min(), M.max(dim=0)[0], M.min(1).values, x.max(0, keepdim=True)[0], torch.max(x), torch.min(M)]:\n    print(graph(r.grad_fn), r.shape)",
    "x = torch.ones(3, requires_grad=True); y = torch.ones(3, requires_grad=True)\nfor r in [torch.max(x, y), torch.maximum(x, y), torch.minimum(x, y), x.max(y)]:\n    print(graph(r.grad_fn))",
    "M = torch.ones(2, 3, requires_grad=True); x = torch.ones(3, requires_grad=True)\nfor r in [x.norm(), M.norm(), M.norm(dim=1), torch.norm(x), x.norm(p=1), x.norm(2), M.norm(dim=1, keepdim=True)]:\n    print(graph(r.grad_fn), r.shape)",
    "w = torch.ones(3, requires_grad=True); x = torch.ones(3, requires_grad=True); M = torch.ones(2, 3, requires_grad=True); N = torch.ones(3, 2, requires_grad=True)\nfor r in [w @ x, M @ x, M @ N, x @ N, torch.dot(w, x), torch.mm(M, N), torch.mv(M, x), torch.matmul(M, x), M.matmul(N)]:\n    print(graph(r.grad_fn), r.shape)",
    "A = torch.ones(2, 2, 3, requires_grad=True); B = torch.ones(2, 3, 4, requires_grad=True); C = torch.ones(3, 4, requires_grad=True); v = torch.ones(3, requires_grad=True)\nfor r in [A @ B, A @ C, A @ v]:\n    print(graph(r.grad_fn), r.shape)",
    "M = torch.ones(2, 3, requires_grad=True)\nfor r in [M.reshape(3, 2), M.view(6), M.reshape(-1), M.t(), M.T, M.transpose(0, 1), M.permute(1, 0), M.flatten(), torch.t(M), torch.reshape(M, (6,)), torch.transpose(M, 0, 1)]:\n    print(graph(r.grad_fn), r.shape)",
    "M = torch.ones(2, 3, requires_grad=True)\nprint(graph(M.t().reshape(6).grad_fn), graph(M.t().flatten().grad_fn))",
    "x = torch.ones(1, 3, 1, requires_grad=True)\nfor r in [x.squeeze(), x.squeeze(0), x.squeeze((0, 2)), x.unsqueeze(1), x.expand(2, 3, 4), x.squeeze(1)]:\n    print(graph(r.grad_fn), r.shape)",
    "x = torch.ones(3, requires_grad=True)\nprint(x.flatten() is x, graph(x.view(3, 1).grad_fn), graph(x.unsqueeze(0).grad_fn))",
    "x = torch.ones(3, requires_grad=True)\nprint(graph(x.double().grad_fn), graph(x.to(torch.float64).grad_fn), x.float() is x)",
    "x = torch.ones(3, requires_grad=True); y = torch.ones(3, requires_grad=True)\nprint(graph(torch.cat([x, y]).grad_fn), graph(torch.stack([x, y]).grad_fn), graph(torch.where(x > 1, x, y).grad_fn))",
    "x = torch.ones(3, requires_grad=True); y = torch.ones(3, requires_grad=True)\nprint(graph(x.add(y, alpha=2).grad_fn), graph(x.sub(y, alpha=3).grad_fn), graph(x.mul(y).grad_fn), graph(x.div(y).grad_fn))",
    "x = torch.ones(3, requires_grad=True)\nz = (x * 2 + 1).sin().sum()\nprint(graph(z.grad_fn))",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x - 2\nz = y * y * 3\na = z.mean()\nprint(z)\nprint(a)\nprint(graph(a.grad_fn))",
    "x = torch.ones(3, requires_grad=True)\nprint(type((x * 2).grad_fn), type((x * 2).grad_fn).__name__, (x * 2).grad_fn.name())",
    "x = torch.ones(3, requires_grad=True)\nacc = (x * 2).grad_fn.next_functions[0][0]\nprint(acc.name(), acc.next_functions, acc is (x * 3).grad_fn.next_functions[0][0])",
    "x = torch.ones(3, requires_grad=True)\nprint((x * 2).grad_fn.next_functions[1], (x * 2).is_leaf, (x * 2).requires_grad, x.is_leaf)",
    "a = torch.ones(3)\nb = a * 2\nprint(b.grad_fn, b.requires_grad, b.is_leaf)",
    "x = torch.ones(3, requires_grad=True)\nprint(x.exp().grad_fn.next_functions, (x * x).grad_fn.next_functions[0][0] is (x * x).grad_fn.next_functions[1][0])",
    # --- gradients ----------------------------------------------------------------------------------------
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nout = ((x - 2) * (x - 2) * 3).mean()\nout.backward()\nprint(x.grad)",
    "n = 3\nx = torch.arange(1., n + 1, requires_grad=True)\nw = torch.ones(n, requires_grad=True)\nz = w @ x\nz.backward()\nprint(x.grad, w.grad, sep='\\n')",
    "x = torch.arange(1., 4)\nw = torch.ones(3, requires_grad=True)\nz = w @ x\nz.backward()\nprint(x.grad, w.grad, sep='\\n')",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nfor _ in range(3):\n    y = y * 2\ny.backward(torch.FloatTensor([0.1, 1.0, 0.0001]))\nprint(x.grad)",
    "x = torch.tensor([0.5, -1., 2.], requires_grad=True)\nfor f in ['exp', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'relu']:\n    x.grad = None\n    getattr(x, f)().sum().backward()\n    print(f, x.grad)",
    "x = torch.tensor([0.5, 1., 2.], requires_grad=True)\nfor f in ['log', 'sqrt', 'reciprocal', 'log1p', 'expm1', 'tan', 'square']:\n    x.grad = None\n    getattr(x, f)().sum().backward()\n    print(f, x.grad)",
    "x = torch.tensor([-1., 0., 2.], requires_grad=True)\nx.relu().sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 0., 2.], requires_grad=True)\nx.abs().sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 0.5, 2.], requires_grad=True)\nx.clamp(0, 1).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([0., 1., 2.], requires_grad=True)\nx.clamp(min=1, max=2).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([-1., 0.5, 2.], requires_grad=True); lo = torch.tensor([0., 0., 0.], requires_grad=True); hi = torch.ones(3, requires_grad=True)\nx.clamp(lo, hi).sum().backward()\nprint(x.grad, lo.grad, hi.grad)",
    "x = torch.tensor([1., 3., 3.], requires_grad=True)\nx.max().backward()\nprint(x.grad)",
    "x = torch.tensor([[1., 5.], [5., 2.]], requires_grad=True)\nv, i = x.max(dim=0)\nv.sum().backward()\nprint(v, i, x.grad, sep='\\n')",
    "x = torch.tensor([[1., 5.], [3., 2.]], requires_grad=True)\nv, i = x.min(1, keepdim=True)\n(v * torch.tensor([[1.], [10.]])).sum().backward()\nprint(v, i, x.grad, sep='\\n')",
    "x = torch.tensor([[1., 5.], [3., 2.]])\nprint(x.max(0))\nprint(x.min(dim=1, keepdim=True))\nprint(type(x.max(0)).__name__, x.max(0).values, x.max(0).indices)",
    "x = torch.tensor([1., 4.], requires_grad=True); y = torch.tensor([3., 4.], requires_grad=True)\ntorch.maximum(x, y).sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.tensor([3., 4.], requires_grad=True)\nx.norm().backward()\nprint(x.grad)",
    "x = torch.zeros(3, requires_grad=True)\nx.norm().backward()\nprint(x.grad)",
    "x = torch.tensor([[3., 4.], [0., 0.]], requires_grad=True)\nx.norm(dim=1).sum().backward()\nprint(x.norm(dim=1), x.grad)",
    "x = torch.tensor([1., -2., 3.], requires_grad=True)\nx.norm(p=1).backward()\nprint(x.norm(p=1), x.grad)",
    "x = torch.tensor([1., -3., 3.], requires_grad=True)\nn = x.norm(float('inf'))\nn.backward()\nprint(n, x.grad)",
    "x = torch.tensor([1., 2., 2.], requires_grad=True)\nn = x.norm(p=3)\nn.backward()\nprint(n, x.grad)",
    "M = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nM.norm().backward()\nprint(M.grad)",
    "M = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nv = torch.tensor([1., -1.], requires_grad=True)\n(M @ v).sum().backward()\nprint(M.grad, v.grad)",
    "A = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); B = torch.tensor([[0., 1.], [1., 0.]], requires_grad=True)\n(A @ B).sum().backward()\nprint(A.grad, B.grad)",
    "v = torch.tensor([1., 2.], requires_grad=True); B = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n(v @ B).sum().backward()\nprint(v.grad, B.grad)",
    "A = torch.ones(2, 2, 3, requires_grad=True); C = torch.arange(12.).reshape(3, 4).requires_grad_()\n(A @ C).sum().backward()\nprint(A.grad, C.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True); y = torch.tensor([3., 4.], requires_grad=True)\n(x / y).sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True); y = torch.tensor([3., 0.5], requires_grad=True)\n(x ** y).sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\n(2 ** x).sum().backward()\nprint(x.grad)\nx.grad = None\n(3 / x).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\n(5 - x * 3).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True); y = torch.tensor([3., 4.], requires_grad=True)\nx.add(y, alpha=2).sum().backward()\nprint(x.grad, y.grad)\nx.sub(y, alpha=3).sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.tensor([[1.], [2.]], requires_grad=True); y = torch.tensor([1., 2., 3.], requires_grad=True)\n(x * y).sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nx.sum(0).backward(torch.tensor([1., 10.]))\nprint(x.grad)\nx.mean(dim=1, keepdim=True).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nx.t().reshape(4).backward(torch.tensor([1., 2., 3., 4.]))\nprint(x.grad)",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n(x.T * torch.tensor([[1., 2.], [3., 4.]])).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ntorch.cat([x, x * 2]).backward(torch.arange(6.))\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True); y = torch.tensor([3., 4.], requires_grad=True)\ntorch.stack([x, y], dim=1).backward(torch.tensor([[1., 2.], [3., 4.]]))\nprint(x.grad, y.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ntorch.where(x > 1.5, x * 2, x * 3).sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\nx.double().sum().backward()\nprint(x.grad, x.grad.dtype)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * x\nz = y * y\nz.sum().backward()\nprint(x.grad)",
    "x = torch.tensor(3., requires_grad=True)\ns = torch.tensor(1.)\nfor _ in range(5):\n    s = s * 1.5 + x.sin()\ns.backward()\nprint(s, x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x.sum()\ny.backward(torch.tensor(2.))\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nx.backward(torch.tensor([1., 2., 3.]))\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nprint(x.sum().backward(), x.grad)",
    "x = torch.ones(1, requires_grad=True)\n(x * 3).backward()\nprint(x.grad)",
    # --- backward errors ----------------------------------------------------------------------------------
    "x = torch.ones(3, requires_grad=True)\n(x * 2).backward()",
    "x = torch.ones(3, requires_grad=True)\ny = (x * x).sum()\ny.backward()\ny.backward()",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward(torch.ones(3))\ny.backward(torch.ones(3))",
    "x = torch.ones(3, requires_grad=True)\ny = (x * x).sum()\ny.backward(retain_graph=True)\ny.backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = (x + x).sum()\ny.backward()\ny.backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = (x + 2).mean()\ny.backward()\ny.backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x.exp().sum()\ny.backward()\ny.backward()",
    "x = torch.ones(2, 2, requires_grad=True)\ny = x.t().reshape(4).sum()\ny.backward()\ny.backward()\nprint(x.grad)",
    "torch.ones(3).sum().backward()",
    "x = torch.arange(1., 4)\nw = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    z = w @ x\ntry:\n    z.backward()\nexcept RuntimeError as e:\n    print('RuntimeError!!! >:[')\n    print(e)\nprint(repr(z))",
    "x = torch.ones(3, requires_grad=True)\n(x * 2).backward(torch.ones(2))",
    "x = torch.ones(3, requires_grad=True)\n(x * 2).backward(torch.ones(3, 1))",
    "x = torch.ones(3, requires_grad=True)\nx.sum().backward(torch.ones(1))",
    "x = torch.ones(3, requires_grad=True)\n(x * 2).backward([1., 2., 3.])",
    "x = torch.ones(3, requires_grad=True)\n(x * 2).backward(torch.ones(3, dtype=torch.float64))\nprint(x.grad)",
    # --- requires_grad rules ------------------------------------------------------------------------------
    "torch.tensor([1, 2], requires_grad=True)",
    "torch.ones(3, dtype=torch.int64, requires_grad=True)",
    "torch.arange(3, requires_grad=True)",
    "torch.tensor([1, 2]).requires_grad_()",
    "t = torch.tensor([1, 2])\nt.requires_grad = True",
    "torch.tensor([True]).requires_grad_()",
    "print(torch.tensor([1, 2]).requires_grad_(False))",
    "x = torch.ones(3)\nprint(x.requires_grad_(), x.requires_grad, x.is_leaf)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.requires_grad_(False)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.requires_grad = False",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.requires_grad_(True)\nprint(y.requires_grad)",
    "x = torch.ones(3, requires_grad=True)\nd = x.detach()\nprint(d.requires_grad, d.is_leaf, d.grad_fn, x.data.requires_grad)",
    # --- .grad access and assignment ----------------------------------------------------------------------
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\nprint(y.grad)",
    "x = torch.ones(3, requires_grad=True)\nprint(x.grad)\n(x * 2).sum().backward()\ng = x.grad\n(x * 3).sum().backward()\nprint(g is x.grad, x.grad)",
    "x = torch.ones(3, requires_grad=True)\n(x * 2).sum().backward()\nx.grad.zero_()\nprint(x.grad)\nx.grad = None\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nx.grad = torch.ones(2)",
    "x = torch.ones(3, requires_grad=True)\nx.grad = 3",
    "x = torch.ones(3, requires_grad=True)\nx.grad = torch.tensor([1., 2., 3.])\n(x * 2).sum().backward()\nprint(x.grad)",
    # --- grad mode ----------------------------------------------------------------------------------------
    "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\nprint(y.requires_grad, y.is_leaf, y.grad_fn, torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\n@torch.no_grad()\ndef f(a):\n    return a * 2\nprint(f(x).requires_grad, torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\n@torch.no_grad\ndef f(a):\n    return a * 2\nprint(f(x).requires_grad, f.__name__)",
    "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    with torch.enable_grad():\n        y = x * 2\n    z = x * 2\nprint(y.requires_grad, z.requires_grad)",
    "x = torch.ones(3, requires_grad=True)\nwith torch.set_grad_enabled(False):\n    y = x * 2\nprint(y.requires_grad, torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\ntorch.set_grad_enabled(False)\ny = x * 2\nprint(y.requires_grad, torch.is_grad_enabled())\ntorch.set_grad_enabled(True)\nprint(torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\n@torch.enable_grad()\ndef f(a):\n    return a * 2\nwith torch.no_grad():\n    print(f(x).requires_grad)",
    "x = torch.ones(3, requires_grad=True)\n@torch.set_grad_enabled(False)\ndef f(a):\n    return a * 2\nprint(f(x).requires_grad, torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\nwith torch.set_grad_enabled(True):\n    y = x * 2\nprint(y.requires_grad)",
    "import threading\nx = torch.ones(3, requires_grad=True)\nseen = []\nwith torch.no_grad():\n    t = threading.Thread(target=lambda: seen.append((x * 2).requires_grad))\n    t.start(); t.join()\nprint(seen, torch.is_grad_enabled())",
    "x = torch.ones(3, requires_grad=True)\ntry:\n    with torch.no_grad():\n        raise ValueError('boom')\nexcept ValueError:\n    pass\nprint(torch.is_grad_enabled(), (x * 2).requires_grad)",
    "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    x -= 0.5 * torch.ones(3)\nprint(x, x.is_leaf, x.grad_fn, x._version)",
    "x = torch.ones(3, requires_grad=True)\nfor _ in range(3):\n    loss = (x * x).sum()\n    loss.backward()\n    with torch.no_grad():\n        x -= 0.1 * x.grad\n    x.grad.zero_()\nprint(x)",
    # --- hooks and retain_grad ----------------------------------------------------------------------------
    "x = torch.ones(3, requires_grad=True)\nh = x.register_hook(lambda g: print('hook', g))\n(x * 2).sum().backward()\nh.remove()\n(x * 2).sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nx.register_hook(lambda g: g * 10)\n(x * 2).sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.register_hook(lambda g: g * 10)\ny.retain_grad()\ny.sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.retain_grad()\ny.register_hook(lambda g: g * 10)\ny.sum().backward()\nprint(x.grad, y.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2; z = x * 3\ny.register_hook(lambda g: print('y'))\nz.register_hook(lambda g: print('z'))\nx.register_hook(lambda g: print('x'))\n(y + z).sum().backward()",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.retain_grad()\nz = y.sum()\nz.backward()\nprint(y.grad, x.grad, y.retains_grad, x.retains_grad, z.retains_grad)",
    "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.retain_grad()\n(y * y).sum().backward(retain_graph=True)\n(y * y).sum().backward()\nprint(y.grad)",
    "x = torch.ones(3)\nx.register_hook(lambda g: g)",
    "x = torch.ones(3)\nx.retain_grad()",
    "x = torch.ones(3, requires_grad=True)\nx.retain_grad()\n(x * 2).sum().backward()\nprint(x.grad, x.retains_grad)",
    "x = torch.ones(2, requires_grad=True)\ny = x * 3\ny.register_hook(lambda g: print('grad of y:', g))\nw = y.exp()\nw.register_hook(lambda g: print('grad of w:', g))\nw.sum().backward()",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\nh = y.grad_fn.register_hook(lambda gi, go: print('post', gi, go))\ny.sum().backward()",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\ny.grad_fn.register_prehook(lambda go: print('pre', go))\ny.sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\nprint(y.grad_fn(torch.ones(2)))",
    # --- in-place operations and version counters ---------------------------------------------------------
    "x = torch.ones(3, requires_grad=True)\nx.add_(1)",
    "x = torch.ones(3, requires_grad=True)\nx += 1",
    "x = torch.ones(3, requires_grad=True)\nx[0] = 1",
    "x = torch.ones(3, requires_grad=True)\nx.zero_()",
    "x = torch.ones(3, requires_grad=True)\nv = x[0]\nv.add_(1)",
    "x = torch.ones(3, requires_grad=True)\nx.t().mul_(2)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.add_(1)\nprint(graph(y.grad_fn), y._version, y)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny += x\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny *= 3\ny -= 1\ny /= 2\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny **= 2\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.zero_()\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.fill_(3)\nprint(graph(y.grad_fn), y)",
    "x = torch.tensor([-1., 2., 0.5], requires_grad=True)\nfor f in ['exp_', 'relu_', 'sigmoid_', 'tanh_', 'neg_', 'abs_']:\n    y = x * 1\n    getattr(y, f)()\n    y.sum().backward()\n    print(f, graph(y.grad_fn), x.grad)\n    x.grad = None",
    "x = torch.tensor([-1., 2., 0.5], requires_grad=True)\ny = x * 1\ny.clamp_(0, 1)\ny.sum().backward()\nprint(graph(y.grad_fn), x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 1\nz = y * y\ny.add_(1)\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\ny = x.exp()\ny.add_(1)\ny.sum().backward()",
    "x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nz = y.sin()\ny.mul_(2)\nz.sum().backward()",
    "x = torch.ones(3, dtype=torch.float64, requires_grad=True)\ny = x * 1\nz = y.sin()\ny.mul_(2)\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\ny = x * 1\nz = y.sin()\ny[0] = 2\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\ny = x * 1\nz = y.sin()\ny.data.mul_(2)\nz.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nc = torch.ones(3)\nz = x * c\nc.add_(1)\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\nc = torch.ones(3)\nz = x + c\nc.add_(1)\nz.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\nz = x.sin()\nwith torch.no_grad():\n    x.add_(1)\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\nz = x * 2\nwith torch.no_grad():\n    x.mul_(3)\nz.sum().backward()\nprint(x.grad, x._version)",
    "x = torch.ones(3, requires_grad=True)\ny = x.sin()\nz = y.exp()\nwith torch.no_grad():\n    y.add_(1)\nz.sum().backward()",
    "x = torch.ones(3, requires_grad=True)\nprint(x._version)\nx.data.add_(1)\nprint(x._version)\nx.detach().add_(1)\nprint(x._version, x)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.detach().zero_()\nprint(y._version, y)",
    "x = torch.ones(3, requires_grad=True)\na = torch.zeros(3)\na.add_(x)\nprint(graph(a.grad_fn), a.is_leaf, a.requires_grad)",
    "x = torch.tensor([1, 2])\nx += 1.5",
    "x = torch.tensor([1, 2])\nx *= 2\nx += 1\nprint(x, x._version)",
    "x = torch.ones(3)\nx += torch.ones(2, 3)",
    "x = torch.ones(3, requires_grad=True)\nz = x.sum()\nwith torch.no_grad():\n    x.add_(1)\nz.backward()\nprint(x.grad)",
    # --- indexing -----------------------------------------------------------------------------------------
    "x = torch.ones(2, 3, requires_grad=True)\nfor r in [x[0], x[1:], x[:], x[0, 1], x[:, 0], x[:, 1:], x[..., 0], x[None], x[:, None]]:\n    print(graph(r.grad_fn), r.shape)",
    "x = torch.ones(2, 3, requires_grad=True)\nfor r in [x[:, :], x[...], x[0:2], x[0:2, 0:3], x[[0, 1]], x[0, [0, 1]], x[[0, 1], 0], x[x > 0]]:\n    print(graph(r.grad_fn), r.shape)",
    "x = torch.tensor([1., 2., 3., 4.], requires_grad=True)\ny = x[1:3] * 2\ny.sum().backward()\nprint(y, x.grad)",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nx[0, 1].backward()\nprint(x.grad)\nx[:, 0].sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\nx[[0, 0, 2]].sum().backward()\nprint(x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x[x > 1.5]\ny.sum().backward()\nprint(y, x.grad)",
    "x = torch.tensor([1., 5.])\nprint(x[torch.tensor(1)], x[torch.tensor([1])], x[-1], x[::2])",
    "x = torch.tensor([1., 5.], requires_grad=True)\nprint(graph(x[torch.tensor(1)].grad_fn))",
    "x = torch.arange(6.).reshape(2, 3)\nprint(x[1], x[:, 2], x[1, 2], x[-1, -1].item(), x[..., 1:])",
    "print(torch.ones(2, 3)[2])",
    "print(torch.ones(2, 3)[0, 0, 0])",
    "print(torch.ones(3)[::-1])",
    "print(torch.tensor(1.)[0])",
    "x = torch.ones(2, 3)\nv = x[0]\nv[1] = 5\nprint(x, x._version, v._version, v._base is x)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny[0] = 5\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny[0] = x[1] * 3\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\na = torch.zeros(3)\na[0] = x[1] * 3\nprint(graph(a.grad_fn), a.is_leaf, a.requires_grad)\na.sum().backward()\nprint(x.grad)",
    "x = torch.ones(2, 2, requires_grad=True)\ny = x * 1\ny[:, 0] = torch.tensor([7., 8.])\ny[1] = 0\nprint(y)\n(y * torch.tensor([[1., 2.], [3., 4.]])).sum().backward()\nprint(x.grad)",
    "x = torch.ones(3, requires_grad=True)\ny = x * 1\ny[torch.tensor([True, False, True])] = 0\ny.sum().backward()\nprint(y, x.grad)",
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\nwith torch.no_grad():\n    x[0] = 10\nprint(x, x._version)",
    "x = torch.ones(2, 3, requires_grad=True)\nprint(x[0]._base is x, x.detach()._base is x, x[0][1]._base is x, x._base)",
    # --- comparisons and logic ----------------------------------------------------------------------------
    "x = torch.tensor([1., 2., 3.], requires_grad=True)\nfor r in [x > 1, x < 2, x >= 2, x <= 1, x == 2, x != 2]:\n    print(r, r.requires_grad, r.grad_fn)",
    "x = torch.tensor([1, 2, 3])\nprint(x == torch.tensor([1, 0, 3]), (x > 1) & (x < 3), (x > 1) | (x < 2), ~(x > 1))",
    "x = torch.ones(3)\nprint(x == None, x is None, x != None)",
    "x = torch.tensor([1., 2.])\nprint(torch.equal(x, torch.tensor([1., 2.])), torch.equal(x, torch.ones(2)))",
    "y = torch.tensor([3.0])\ni = 0\nwhile y.data.norm() < 100:\n    y = y * 2\n    i += 1\nprint(y, i)",
    # --- dtype promotion ----------------------------------------------------------------------------------
    "print((torch.tensor([1, 2]) * 1.5).dtype, (torch.tensor([1, 2]) / 2).dtype, (torch.tensor([1, 2]) + 1).dtype)",
    "print((torch.ones(2) * torch.tensor(2., dtype=torch.float64)).dtype, (torch.ones(2, dtype=torch.float64) * torch.ones(2)).dtype)",
    "print((torch.ones(3) + torch.ones(3, dtype=torch.int64)).dtype, (torch.ones(3, dtype=torch.int64) + torch.ones(3, dtype=torch.float64)).dtype)",
    "print((torch.tensor(1.5, dtype=torch.float64) * torch.ones(2)).dtype, (torch.tensor([1, 2]) * torch.tensor(1.5, dtype=torch.float64)).dtype)",
    "x = torch.tensor([True, False])\nprint(x + 1, x * 2.5, x & x, x.sum(), x.dtype)",
    "x = torch.tensor([1, 2, 3])\nprint(x / 2, x // 2, x % 2, x * 1.5, x + True, -x, x ** 2)",
    "print(torch.tensor([1, 2]).exp(), torch.tensor([1, 4]).sqrt().dtype, torch.tensor([1, 2]).sigmoid())",
    "print(torch.tensor([1, 2]).pow(-1))",
    "print(torch.tensor([1, 2]).mean())",
    "print(torch.tensor([1, 2]).sum(), torch.tensor([1, 2], dtype=torch.int32).sum().dtype, torch.tensor([1., 2.]).sum().dtype)",
    "x = torch.ones(2, requires_grad=True)\ny = x * torch.tensor(2., dtype=torch.float64)\ny.sum().backward()\nprint(y.dtype, x.grad)",
    "print(torch.tensor([1, 2]) @ torch.tensor([3, 4]), torch.tensor(2) * torch.tensor(3))",
    "print(torch.ones(2, dtype=torch.int64) @ torch.ones(2))",
    "print(2 ** torch.tensor([1, 2]), 2 ** torch.tensor([0.5]))",
    # --- shape errors -------------------------------------------------------------------------------------
    "print(torch.ones(3) + torch.ones(2))",
    "print(torch.ones(2, 3) @ torch.ones(2, 3))",
    "print(torch.ones(3) @ torch.ones(2))",
    "print(torch.ones(2, 3) @ torch.ones(2))",
    "print(torch.ones(2) @ torch.ones(3, 2))",
    "print(torch.ones(3).view(2))",
    "print(torch.ones(3).reshape(2, -1))",
    "print(torch.ones(2, 2).t().view(4))",
    "print(torch.ones(2, 3).transpose(0, 2))",
    "print(torch.ones(2, 3).sum(2))",
    "print(torch.ones(2).clamp())",
    "print(torch.ones(2, 3, 4).t())",
    "print(torch.ones(3).expand(2, 4))",
    "print(torch.dot(torch.ones(2, 2), torch.ones(2)))",
    # --- views and reshapes -------------------------------------------------------------------------------
    "x = torch.arange(6.)\ny = x.view(2, 3)\ny[0, 0] = 100\nprint(x, y._version, x._version)",
    "x = torch.arange(6.).reshape(2, 3)\nprint(x.t(), x.T.shape, x.t().is_contiguous(), x.is_contiguous(), x.t().contiguous().is_contiguous())",
    "x = torch.arange(6.).reshape(2, 3)\nprint(x.permute(1, 0), x.unsqueeze(0).shape, x.unsqueeze(-1).shape, x.flatten())",
    "x = torch.arange(3.)\nprint(x.expand(2, 3), x.expand(2, -1).shape, x.unsqueeze(1).expand(3, 2))",
    "x = torch.ones(3, requires_grad=True)\ny = x.T",
    "x = torch.tensor(2., requires_grad=True)\nprint(graph(x.T.grad_fn), graph(x.t().grad_fn))",
    "x = torch.arange(24.).reshape(2, 3, 4)\nprint(x.T.shape, x.transpose(0, 2).shape, x.permute(2, 0, 1).shape, x.flatten(1).shape)",
    "x = torch.ones(1, 3, 1)\nprint(x.squeeze().shape, x.squeeze(0).shape, x.squeeze(1).shape, x.squeeze(-1).shape)",
    # --- misc ---------------------------------------------------------------------------------------------
    "x = torch.tensor([3., 1., 2.])\nprint(x.argmax(), x.argmin(), torch.tensor([[1, 5], [7, 0]]).argmax(dim=1))",
    "x = torch.ones(3, requires_grad=True)\nprint(hash(x) == id(x), x in [x], x.device)",
    "x = torch.arange(6.).reshape(2, 3)\nprint(x.sum(), x.sum(0), x.sum(1, keepdim=True), x.mean(), x.mean(dim=0), x.max(), x.min(1))",
    "x = torch.tensor([[1., -2.], [3., 4.]])\nprint(x.abs(), x.clamp(min=0), x.norm(), x.norm(dim=0), x.norm(p=1, dim=1))",
    "x = torch.tensor([0., 1., -1.])\nprint(x.exp(), x.sigmoid(), x.tanh(), x.relu(), x.sin(), x.cos())",
    "import numpy as np\nx = torch.ones(2, requires_grad=True)\ny = np.float64(2.0) * x\nprint(type(y).__name__, graph(y.grad_fn))",
    "x = torch.ones(3, requires_grad=True)\nfor row in torch.arange(6.).reshape(3, 2):\n    print(row)",
    "x = torch.tensor([[1., 2.], [3., 4.]])\nprint(torch.cat([x, x]), torch.cat([x, x], dim=1).shape, torch.stack([x, x]).shape, torch.stack([x, x], dim=2).shape)",
    "x = torch.tensor([1., 2., 3.])\nprint(torch.where(x > 1, x, torch.zeros(3)), torch.where(x > 2, x, 0.))",
    "x = torch.ones(2, 2)\ny = x.clone()\ny.add_(1)\nprint(x, y, x.clone().requires_grad)",
    "x = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\nprint(y.item(), y.tolist(), y.grad_fn)",
    # --- more end-to-end snippets (tutorials, training loops, corner cases) --------------------------------
    'x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\n(x * x).sum().backward()\nprint(x.grad, x.grad.dtype)',
    'x = torch.ones(2, 3)\nprint(x.view(-1, 4))',
    'torch.tensor([[1, 2], [3]])',
    'x = torch.ones(3, requires_grad=True)\nprint(x.requires_grad_() is x, x.detach().requires_grad_() is x)',
    'x = torch.tensor([1., 2.], requires_grad=True)\nx.backward(torch.tensor([1., 1.]))\nx.backward(torch.tensor([2., 3.]))\nprint(x.grad)',
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nprint(x.sum(dim=-1), x.mean(-1), x.norm(dim=-1), x.max(-1), x.sum(-2, keepdim=True))',
    'x = torch.tensor([-1., 0.5, 2.], requires_grad=True)\ny = x.clamp(min=torch.tensor(0.))\ny.sum().backward()\nprint(graph(y.grad_fn), x.grad)',
    'x = torch.ones(2, requires_grad=True)\ny = (x * 2).exp()\nprint(y.grad_fn.next_functions[0][0].next_functions)\nprint(y.grad_fn.next_functions[0][0].next_functions[0][0].variable)',
    'b = torch.zeros(3)\nv = b[:2]\nv.add_(1)\nprint(b, b._version, v._version)',
    'x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    x.zero_()\nx.data.fill_(2)\nprint(x, x._version)',
    'print(torch.tensor([True, True, False]).sum(), torch.tensor([1, 2, 3]).sum(), torch.tensor([1, 2]).exp())',
    'x = torch.tensor([4., 9.], requires_grad=True)\ny = x.pow(0.5) + x ** -1\ny.sum().backward()\nprint(y, x.grad)',
    "print(torch.sqrt(torch.tensor(-1.)), torch.tensor([1., 0.]) / 0, torch.tensor([1., float('nan')]).max(), torch.log(torch.tensor([0.])))",
    'X = torch.linspace(-1, 1, 5).reshape(5, 1)\nY = 3 * X + 1\nw = torch.zeros(1, 1, requires_grad=True)\nb = torch.zeros(1, requires_grad=True)\nfor step in range(5):\n    loss = ((X @ w + b - Y) ** 2).mean()\n    loss.backward()\n    with torch.no_grad():\n        w -= 0.1 * w.grad\n        b -= 0.1 * b.grad\n    w.grad.zero_()\n    b.grad.zero_()\n    print(step, f"{loss.item():.4f}", loss)\nprint(w, b)',
    'x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward(gradient=torch.ones(3), retain_graph=True)\ny.backward(gradient=torch.ones(3))\nprint(x.grad)',
    'x = torch.arange(6.).reshape(2, 3).requires_grad_()\nprint(x, x.is_leaf, x.grad_fn)',
    'x = torch.arange(6.).reshape(2, 3)\nx.requires_grad = True\ny = x[:, 1:].sum()\ny.backward()\nprint(x.grad)',
    'x = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()\nprint(z, out)\nout.backward()\nprint(x.grad)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nwhile y.data.norm() < 1000:\n    y = y * 2\nv = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)\ny.backward(v)\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\nprint(x.grad_fn, (x ** 2).grad_fn.name(), (x + 1).is_leaf)\nprint(torch.is_tensor(x), torch.is_tensor(3), torch.numel(x))',
    'x = torch.ones(2, requires_grad=True)\ny = x.sum()\nprint(y.requires_grad, y.shape, y.dim(), y.item())',
    'a = torch.tensor([2., 3.], requires_grad=True)\nb = torch.tensor([6., 4.], requires_grad=True)\nQ = 3*a**3 - b**2\nexternal_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)\nprint(9*a**2 == a.grad)\nprint(-2*b == b.grad)',
    'x = torch.rand(5, 5)\ny = torch.rand(5, 5)\nz = torch.rand((5, 5), requires_grad=True)\na = x + y\nprint(f"Does `a` require gradients? : {a.requires_grad}")\nb = x + z\nprint(f"Does `b` require gradients?: {b.requires_grad}")',
    'x = torch.ones(5)\ny = torch.zeros(3)\nw = torch.ones(5, 3, requires_grad=True)\nb = torch.ones(3, requires_grad=True)\nz = torch.matmul(x, w)+b\nprint(f"Gradient function for z = {z.grad_fn}")\nprint(graph(z.grad_fn))',
    'inp = torch.eye(4, 5, requires_grad=True)\nout = (inp+1).pow(2).t()\nout.backward(torch.ones_like(out), retain_graph=True)\nprint(f"First call\\n{inp.grad}")\nout.backward(torch.ones_like(out), retain_graph=True)\nprint(f"\\nSecond call\\n{inp.grad}")\ninp.grad.zero_()\nout.backward(torch.ones_like(out), retain_graph=True)\nprint(f"\\nCall after zeroing gradients\\n{inp.grad}")',
    'z = torch.ones(2, 2, requires_grad=True)\nwith torch.no_grad():\n    w = z * 2\nprint(w.requires_grad)\nz_det = z.detach()\nprint(z_det.requires_grad)',
    'x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = x ** 2\nprint(y.grad_fn.next_functions, y.grad_fn.next_functions[0][0].variable is x)',
    'torch.tensor([[1, 2], 3])',
    'x = torch.ones(2, requires_grad=True)\ny = x * 2\nh = y.register_hook(lambda g: g * 2)\ny.sum().backward(retain_graph=True)\nprint(x.grad)\nh.remove()\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x ** 2\ny.backward(torch.ones(3), retain_graph=True)\ny.backward(torch.ones(3))\nprint(x.grad)\ny.backward(torch.ones(3))',
    'x = torch.tensor(2., requires_grad=True)\ny = x * x\nz = y * y\nz.backward()\nprint(x.grad, y.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\ny = x.detach()\ny.requires_grad_()\n(y * 3).sum().backward()\nprint(x.grad, y.grad)',
    'a = torch.ones(2, requires_grad=True)\nb = a.clone()\nb.add_(1)\nb.sum().backward()\nprint(graph(b.grad_fn), a.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x.sum(dim=0)\ny.backward(torch.tensor([1., 2., 3.]))\nprint(x.grad)',
    'x = torch.ones(2, 2, requires_grad=True)\nprint(x.mean(dim=(0, 1), keepdim=True), x.sum((0,)), x.norm(dim=(0, 1)))',
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x.max()\nz = x.min()\n(y + z).backward()\nprint(y, z, x.grad)',
    'x = torch.zeros(3, requires_grad=True)\nprint(x.sum().grad_fn.next_functions[0][0].variable is x)',
    'w = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\nx = torch.tensor([1., 1.])\ny = torch.tanh(w @ x)\nloss = (y - torch.tensor([0.5, -0.5])).pow(2).sum()\nloss.backward()\nprint(loss, w.grad)',
    'x = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)\np = x.exp() / x.exp().sum()\nloss = -p[1].log()\nloss.backward()\nprint(p, loss, x.grad)',
    'x = torch.tensor([1., 2., 3.])\ny = x.unsqueeze(0).t() * x.unsqueeze(0)\nprint(y, y.shape)',
    'x = torch.arange(12.).reshape(3, 4)\nprint(x[1:, ::2], x[-2:, -1], x[[0, 2]][:, [1, 3]], x[x > 5])',
    'x = torch.arange(12.).reshape(3, 4)\nx[:, 1] = 0\nx[2] = torch.tensor([9., 9., 9., 9.])\nx[x > 8] = -1\nprint(x)',
    'x = torch.ones(3, requires_grad=True)\ny = x.sin().cos().exp().log().tanh().sigmoid().relu()\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'print(torch.zeros(2, 3).t().shape, torch.ones(2, 3).t().t().is_contiguous())',
    't = torch.tensor([[1, 2, 3], [4, 5, 6]])\nprint(t.shape, t.T, t.sum(0), t.max(), t.argmax(), t.float().mean())',
    'a = torch.ones(2, 2)\nb = a\nb += 1\nprint(a, a is b)',
    'x = torch.ones(2, requires_grad=True)\ny = x + 1\ny.retain_grad()\nz = y * y\nz.retain_grad()\nz.sum().backward()\nprint(y.grad, z.grad, x.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\nprint(y.grad_fn.next_functions[0][0].variable.grad)\ny.sum().backward()\nprint(y.grad_fn.next_functions[0][0].variable.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x.view(3, 1)\nz = y.expand(3, 2)\nz.sum().backward()\nprint(graph(z.grad_fn), x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x.permute(1, 0).reshape(6)\ny.backward(torch.arange(6.))\nprint(x.grad)',
    'x = torch.ones(4, requires_grad=True)\ny = x.reshape(2, 2).t()\nz = y.reshape(4)\nprint(graph(z.grad_fn))',
    'x = torch.tensor(1., requires_grad=True)\ny = x * 2\ny.backward()\ny.backward()',
    'x = torch.ones(3, requires_grad=True)\ny = x.relu()\ny.sum().backward()\ny.sum().backward()',
    'x = torch.ones(3, requires_grad=True)\ny = x[1:]\ny.sum().backward()\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x.t()\ny.sum().backward()\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x[[0, 1]]\ny.sum().backward()\ny.sum().backward()',
    'x = torch.ones(3, requires_grad=True)\ny = x.max(0)[0]\ny.backward()\ny.backward()',
    'x = torch.ones(3, requires_grad=True)\ns = x.sum()\nm = x.mean()\nprint((s * m).grad_fn.next_functions)',
    'x = torch.tensor(3.0, requires_grad=True)\nprint(f"{x:.3f}", f"{x * 2}", "%.2f" % x.item())',
    'x = torch.ones(2, requires_grad=True)\nprint(x.grad is None, x.is_leaf, x.grad_fn is None, x.requires_grad)',
    'print(torch.ones(3, dtype=torch.float64) + torch.ones(3), torch.ones(3, dtype=torch.float16).dtype)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x.clone()\ny[1] = 10\nprint(y, x)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\nz = x * 2\nz.detach_()\nprint(z.requires_grad, z.grad_fn, z.is_leaf)',
    'x = torch.ones(2, 2, requires_grad=True)\ny = x.sum(1)\nprint(y.grad_fn, y.grad_fn.next_functions)',
    # --- in-place changes of views: CopySlices on the base, AsStridedBackward0 for the view -------------
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nv = y[0]\nv.mul_(2)\nprint(graph(y.grad_fn)); print(graph(v.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\nw = torch.tensor([1., 2.], requires_grad=True)\ny = x * 1\nv = y[:, 1]\nv.add_(w)\nprint(graph(y.grad_fn)); print(graph(v.grad_fn))\n(y * torch.arange(6.).reshape(2, 3)).sum().backward()\nprint(x.grad, w.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\ny.t().mul_(3)\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\ny[0][1] = 5\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\nw = torch.tensor([3., 4.], requires_grad=True)\ny = x * 1\nv = y[0]\nv[1] = w[0] * 2\nprint(graph(y.grad_fn)); print(graph(v.grad_fn))\ny.sum().backward()\nprint(x.grad, w.grad)',
    'w = torch.ones(3, requires_grad=True)\nb = torch.zeros(2, 3)\nb[0].add_(w)\nprint(graph(b.grad_fn), b.requires_grad, b.is_leaf)\n(b * 2).sum().backward()\nprint(w.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nv = y.view(6)\nv.mul_(2)\nprint(graph(y.grad_fn), graph(v.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x.exp()\nv = y[0]\nv.mul_(2)\ny.sum().backward()',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nv = y[0]\ny.mul_(2)\nprint(graph(v.grad_fn))\nv.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nv1 = y[0]\nv2 = y[0, 1:]\nv1.mul_(3)\nprint(graph(v2.grad_fn))\nv2.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\ny[0, [0, 2]] = 0\nprint(graph(y.grad_fn))\ny[[0, 1], 0] = 7\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x + 0\ny[:, 0] = 5\ny[:] = 2\nprint(graph(y.grad_fn))\ny[1:, 1:] = x[1:, 1:] * 3\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\ny[0].zero_()\ny[1].fill_(4)\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x * 1\nv = y[1:]\nv.exp_()\nv.sum().backward()\nprint(graph(v.grad_fn), x.grad)',
    'x = torch.ones(2, 2, requires_grad=True)\ny = x * 1\nz = y[0]\nz += 1\nz *= 2\nprint(graph(y.grad_fn), graph(z.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.ones(3, requires_grad=True)\ny = x * 2\nv = y[:2]\nv.add_(1)\ny.sum().backward()\ny.sum().backward()',
    'x = torch.ones(2, 3, requires_grad=True)\nwith torch.no_grad():\n    v = x[0]\nv.mul_(2)\nprint(x, v.requires_grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nwith torch.no_grad():\n    y[0] = 5\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'a = torch.zeros(3)\nx = torch.tensor([1., 2.], requires_grad=True)\na[1:] = x * x\nprint(graph(a.grad_fn), a)\na.sum().backward()\nprint(x.grad)',
    'x = torch.ones(2, 3, requires_grad=True)\ny = x * 1\nv = y.t()\nv[0, 1] = 9\nprint(y, graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    # a node that keeps its result (DivBackward0 here; PyTorch keeps the inputs) must not see a later
    # write into that result through a view
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = x / x.sum()\nv[0] += 5.0\n(v * v).sum().backward()\nprint(x.grad)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = x / x.sum()\nv[1:] = v[1:] * 2\n(v * v).sum().backward()\nprint(x.grad)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = x / x.sum()\nv.view(3, 1)[2].mul_(4)\n(v ** 3).sum().backward()\nprint(x.grad)',
    # views of a tensor that did not require grad start to when a value that does is written through them
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = torch.zeros(3)\nw = v[1:]\nz = v[:2]\nz += x[:2]\nprint(z.requires_grad, z.is_leaf, w.requires_grad, w.is_leaf, graph(w.grad_fn))\n((w * 3).sum() + (z * 2).sum()).backward()\nprint(x.grad)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nv = torch.zeros(3)\nu = v.view(3, 1)\nv[0] = x[2] * 2\nprint(u.requires_grad)\n(u ** 2).sum().backward()\nprint(x.grad)',
    # --- copying, pickling, index assignment variants --------------------------------------------------
    'import copy, pickle\nx = torch.tensor([1., 2.], requires_grad=True)\n(x * 2).sum().backward()\nz = pickle.loads(pickle.dumps(x))\nprint(z, z.grad, z.is_leaf)\nc = copy.deepcopy(x)\nprint(c, c.grad, c is x, c.grad is x.grad)\nprint(pickle.loads(pickle.dumps(x * 2)))\ncopy.deepcopy(x * 2)',
    'import copy\nx = torch.tensor([1., 2.])\ny = copy.copy(x)\ny.add_(1)\nprint(x, y)',
    'x = torch.ones(2, 2)\nx[0, 0] = 5\nx[1] = torch.tensor([7, 8])\nx[:, 1] += 1\nprint(x, x._version)',
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 1\ny[1:] *= 2\nprint(graph(y.grad_fn))\ny.sum().backward()\nprint(x.grad)',
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x.clone()\ny[y > 2] = 0\nprint(graph(y.grad_fn), y)\ny.sum().backward()\nprint(x.grad)',
    'x = torch.arange(4.).requires_grad_()\ny = x.view(2, 2)\nz = y.t()\nw = z[0]\nprint(w._base is x, graph(w.grad_fn))',
    "x = torch.ones(3, requires_grad=True)\ny = 2 * x\ny.register_hook(lambda g: print('hook sees', g))\nz = y.clone()\ny.add_(1)\n(z * y).sum().backward()\nprint(x.grad)",
    # --- gradients at kinks and edges of the domain ----------------------------------------------------
    'x = torch.tensor([0., 2.], requires_grad=True)\n(x ** 0).sum().backward()\nprint(x.grad)',
    'x = torch.tensor([0., 2.], requires_grad=True)\n(x ** 0.5).sum().backward()\nprint(x.grad)',
    'x = torch.tensor([0., 1.], requires_grad=True)\ny = torch.tensor([1., 0.], requires_grad=True)\n(x / y).sum().backward()\nprint(x.grad, y.grad)',
    'x = torch.tensor([0., 1.], requires_grad=True)\nx.log().sum().backward()\nprint(x.grad)\nx.grad = None\nx.sqrt().sum().backward()\nprint(x.grad)',
    'x = torch.tensor([[1., 1.], [2., 2.]], requires_grad=True)\nx.max(dim=1)[0].sum().backward()\nprint(x.grad)\nx.grad = None\nx.min().backward()\nprint(x.grad)',
    "x = torch.tensor([1., 2., 2., 0.], requires_grad=True)\nx.norm(p=float('inf')).backward()\nprint(x.grad)",
    'x = torch.tensor([0., 0.], requires_grad=True)\nx.norm(p=1).backward()\nprint(x.grad)\nx.grad = None\nx.norm(p=3).backward()\nprint(x.grad)',
    'x = torch.tensor([1e-30, 1e30], requires_grad=True)\nprint(x * x, (x * x).sum())',
    'x = torch.tensor([3., 3.], requires_grad=True)\ntorch.maximum(x, torch.tensor([3., 1.])).sum().backward()\nprint(x.grad)',
    'x = torch.tensor([-1., 0., 1.], requires_grad=True)\nx.sign().sum().backward()\nprint(x.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\nx.mean().backward()\nx.sum().backward()\nprint(x.grad)',
    'x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\nx.mean(dim=0).sum().backward()\nprint(x.grad)\nx.grad = None\nx.norm(dim=(0, 1)).backward()\nprint(x.grad)',
    # --- remainder, floor division, logical and bitwise operators ----------------------------------------
    'x = torch.tensor([1.5, 3.], requires_grad=True)\ny = torch.tensor([2., 2.], requires_grad=True)\nr = x % y\nprint(r, graph(r.grad_fn))\nr.sum().backward()\nprint(x.grad, y.grad)',
    'x = torch.tensor([1.5, 3.], requires_grad=True)\nprint(x % 2, graph((x % 2).grad_fn))\nz = x // 2\nprint(z, graph(z.grad_fn))\nz.sum().backward()',
    'x = torch.tensor([1.5, 3.], requires_grad=True)\nprint(2 % x, 2 // x, x // x)\n(2 % x).sum().backward()',
    'print(torch.tensor([5, -5]) // 2, torch.tensor([5., -5.]) // 2, torch.tensor([5, -5]) % 3, torch.tensor([-5.5]) % 2, 7 // torch.tensor([2, 3]))',
    'print(torch.logical_and(torch.tensor([1, 2]), torch.tensor([2, 0])), torch.tensor([1, 2]) & torch.tensor([3, 1]), torch.tensor([1, 2]) | 4, torch.tensor([True, False]) ^ True)',
    'x = torch.tensor([[1., 2.], [3., 0.]], requires_grad=True)\np = x.prod()\nq = x.prod(0)\nr = x.prod(1, keepdim=True)\nprint(p, q, r, graph(p.grad_fn), graph(q.grad_fn))\n(p + q.sum() + r.sum()).backward()\nprint(x.grad)\nprint(torch.tensor([1, 2]).prod(), torch.tensor([True, True]).prod().dtype, torch.prod(torch.tensor([2., 3.])))',
    "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 3\nacc = y.grad_fn.next_functions[0][0]\nacc.register_prehook(lambda go: print('pre', go))\nacc.register_hook(lambda gi, go: print('post', gi, go))\ny.sum().backward()\nprint(x.grad)",
    'x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 3\ny.register_hook(lambda g: g.mul_(2))\ny.sum().backward()\nprint(x.grad)',
    # --- 0-d and empty tensors --------------------------------------------------------------------------
    'x = torch.tensor(2., requires_grad=True)\nv, i = x.max(0)\nprint(v, i, graph(v.grad_fn))\nv.backward()\nprint(x.grad)',
    'x = torch.tensor(2., requires_grad=True)\ns = x.sum(0)\nm = x.mean(-1)\nprint(s, m, graph(s.grad_fn))\n(s + m).backward()\nprint(x.grad)',
    'x = torch.tensor(2., requires_grad=True)\nprint(x.norm(), x.reshape(1), x.unsqueeze(0), x.view(1, 1).shape, x.flatten().shape, x[None].shape, x[...].shape)',
    'x = torch.tensor(2., requires_grad=True)\nprint(x.t(), x.squeeze(), x.expand(3), x.max(), x.min())',
    'x = torch.ones(0, requires_grad=True)\nprint(x.sum(), x.mean(), x.shape)',
    'x = torch.ones(2, 0)\nprint(x, x.sum(0), x.sum(1))',
    # --- a gradient masked away is +0, also under a negative cotangent ----------------------------------
    'x = torch.tensor([0.5, -1.25, 2.0, 0.0], requires_grad=True)\nv = torch.tensor([-1.5, -0.25, -0.75, -2.0])\n'
    'for f in (torch.relu, lambda a: a.clamp(-0.5, 1.0), lambda a: a.clamp(min=0.0), lambda a: a.clamp(max=0.0),\n'
    '          lambda a: torch.maximum(a, torch.zeros(4)), lambda a: torch.minimum(a, torch.zeros(4)),\n'
    '          lambda a: a.clamp(torch.zeros(4), torch.ones(4)), lambda a: torch.nn.functional.relu(a)):\n'
    '    x.grad = None\n    (f(x) * v).sum().backward()\n    print(x.grad)',
    'x = torch.tensor([0.5, -1.25, 2.0], requires_grad=True)\nlo = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)\n'
    'hi = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)\n(x.clamp(lo, hi) * torch.tensor([-1.0, -2.0, -3.0])).sum().backward()\n'
    'print(x.grad, lo.grad, hi.grad)',
    # --- which operands a binary node differentiates, and what it saves ---------------------------------
    'x = torch.tensor([1., 2., 3.], requires_grad=True)\nw = torch.tensor([0.5, -1., 2.], requires_grad=True)\n'
    'with torch.no_grad():\n    v = x[:3]\n'
    'for y in (v * w, w * v, v * v, v + w, v - w, w / v, torch.maximum(v, w)):\n'
    '    print(y.requires_grad, graph(y.grad_fn))\n    w.grad = None\n    y.sum().backward()\n    print(w.grad, x.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\nc = torch.tensor([3., -1.])\n'
    'for y in (x * c, c * x, x * x, x * 2, 2 * x, x / c, c / x):\n'
    '    f = y.grad_fn\n    print(type(f).__name__, [n is not None for n, _ in f.next_functions])\n'
    '    x.grad = None\n    y.sum().backward(retain_graph=True)\n    print(x.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\nc = torch.tensor([3., -1.])\ny = x * c\nz = c * x\n'
    'print(y.grad_fn._saved_other, y.grad_fn._saved_self, z.grad_fn._saved_self, z.grad_fn._saved_other)',
    'x = torch.tensor([1., 2.], requires_grad=True)\nc = torch.tensor([3., -1.])\ny = x * c\nc.add_(1)\n'
    'try:\n    y.sum().backward()\nexcept RuntimeError as e:\n    print(e)\nz = c * x\nx.grad = None\nz.sum().backward()\nprint(x.grad)',
    # --- powers: small exponents, float and bool exponents, integer bases ---------------------------------
    'x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)\n'
    'for e in (2, 2.0, 3, 3.0, -1, -2, 0.5, 1, 0, True):\n'
    '    y = x ** e\n    x.grad = None\n    y.sum().backward()\n    print(e, y, x.grad)',
    'x = torch.tensor([0.5, 1.5, 2.0], dtype=torch.float64, requires_grad=True)\n'
    'print(x.pow(2), x.pow(3.0), x.pow(-1), x ** torch.tensor(2.))\n'
    'print(torch.tensor([1, 2, 3]) ** 2, torch.tensor([1, 2, 3]) ** 2.0, torch.tensor([1, 2]) ** True)',
    # --- whole sums: dtypes, keepdim, the same node as along a dim ----------------------------------------
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n'
    'for s in (x.sum(), x.sum(dtype=torch.float64), x.sum(dim=None, keepdim=True), x.sum(dim=None), x.sum((0, 1)), x.mean()):\n'
    '    x.grad = None\n    s.backward()\n    print(s, graph(s.grad_fn), x.grad)',
    'print(torch.tensor([1, 2]).sum(), torch.tensor([True, True]).sum(), torch.tensor([1.5], dtype=torch.float16).sum())',
    # an explicit dim (None, or no dims at all) is the along-dim overload, and reduces everything
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n'
    'for s in (x.sum(None), x.sum(dim=None), x.sum(axis=None), torch.sum(x, None), x.sum(()), x.sum([]), x.sum(axis=()),\n'
    '          x.mean(()), x.mean(dim=None), x.sum((), keepdim=True), x.mean([], keepdim=True), x.sum(None, False)):\n'
    '    x.grad = None\n    s.backward()\n    print(s, graph(s.grad_fn), x.grad)\n'
    'print(torch.tensor(2.).sum(()), torch.tensor([True, False]).sum(None), x.prod(1), x.prod(-1, True))',
    # --- in-place arithmetic under no_grad: leaves, views, results of operations, other dtypes and shapes ---
    'w = torch.tensor([1., 2., 3.], requires_grad=True)\n(w * w).sum().backward()\nv = w.detach()[1:]\n'
    'with torch.no_grad():\n    w -= 0.1 * w.grad\n    w += 1\n    w *= torch.tensor(2.)\n    w -= torch.ones(3)\n'
    'print(w, w._version, w.requires_grad, w.is_leaf, v, v._version)',
    'w = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\nv = w[:1]\n'
    'with torch.no_grad():\n    v *= 3\n    w += w\nprint(w, v, w._version, v._version)\n(w * w).sum().backward()\nprint(w.grad)',
    'x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\nz = y * y\n'
    'with torch.no_grad():\n    y -= 1\nprint(y, y.grad_fn, y._version)\n'
    'try:\n    z.sum().backward()\nexcept RuntimeError as e:\n    print(e)',
    'n = torch.tensor([1, 2, 3])\nwith torch.no_grad():\n    n += 2\n    n *= 3\nprint(n)\n'
    'try:\n    with torch.no_grad():\n        n -= 0.5\nexcept RuntimeError as e:\n    print(e)',
    'w = torch.ones(2, 3)\nwith torch.no_grad():\n    w += torch.arange(3.)\n    w -= torch.tensor([[1.], [2.]])\nprint(w)\n'
    'try:\n    with torch.no_grad():\n        w += torch.ones(4, 2, 3)\nexcept RuntimeError as e:\n    print(e)\n'
    'h = torch.ones(3, dtype=torch.float16)\nwith torch.no_grad():\n    h *= 1e5\n    h -= torch.ones(3, dtype=torch.float16)\nprint(h)',
    'x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n'
    'for f in (lambda: x.prod(()), lambda: x.prod(None), lambda: x.prod(dim=None), lambda: x.prod(dim=(0, 1))):\n'
    '    try:\n        f()\n    except TypeError as e:\n        print(e)',
    # --- cumsum and flip: dims, dtypes, 0-d tensors, the nodes, the errors word for word ------------------
    'x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n'
    'for s in (x.cumsum(1), x.cumsum(-2), torch.cumsum(x, dim=0), x.cumsum(1, dtype=torch.float64), x[:, 1:].cumsum(1),\n'
    '          x.flip(0), x.flip([0, 1]), x.flip(-1), torch.flip(x, (1,)), x.flip([]), x.flip(0, 1), x.flip(dims=(0,))):\n'
    '    x.grad = None\n    (s * torch.arange(1., 1. + s.numel()).reshape(s.shape)).sum().backward()\n'
    '    print(s, graph(s.grad_fn), x.grad)',
    'print(torch.tensor([1, 2, 3]).cumsum(0), torch.tensor([True, False, True]).cumsum(0),\n'
    '      torch.tensor([1, 2, 3], dtype=torch.int32).cumsum(0), torch.tensor([1.5], dtype=torch.float16).cumsum(0))\n'
    's = torch.tensor(2.5, requires_grad=True)\nc, f = s.cumsum(0), s.flip(0)\n(c * 3 + f).backward()\n'
    'print(c, f, s.grad, torch.tensor(2.5).cumsum(-1), torch.tensor(3.0).flip(-1))',
    # --- index_select: vectors, a 0-d position, 0-d input, empty, dtypes, the errors word for word ---------
    'x = torch.tensor([[1., 2., 3.], [4., 5., 7.]], requires_grad=True)\n'
    'for expr in ["x.index_select(1, torch.tensor([2, 0, 2]))", "torch.index_select(x, 0, torch.tensor([1]))",\n'
    '             "x.index_select(-1, torch.tensor(1))", "x.index_select(1, torch.tensor([0], dtype=torch.int32))",\n'
    '             "x.index_select(0, torch.tensor([], dtype=torch.long))", "x.index_select(1, torch.tensor([[0]]))",\n'
    '             "x.index_select(1, torch.tensor([3]))", "x.index_select(1, torch.tensor([0.]))", "x.index_select(2, torch.tensor([0]))",\n'
    '             "x.index_select(1, torch.tensor([-1]))", "torch.tensor(5., requires_grad=True).index_select(0, torch.tensor([0, 0]))",\n'
    '             "torch.tensor([1, 2, 3]).index_select(0, torch.tensor([2, 2]))"]:\n'
    '    try:\n        r = eval(expr)\n    except (IndexError, RuntimeError) as e:\n        print(expr, type(e).__name__, e)\n        continue\n'
    '    print(expr, r, graph(r.grad_fn) if r.grad_fn is not None else None)\n'
    '    if r.requires_grad:\n        x.grad = None\n'
    '        (r * torch.arange(1., 1. + r.numel()).reshape(r.shape)).sum().backward()\n        print("   ", x.grad)\n'
    's = torch.tensor(5., requires_grad=True)\nr = s.index_select(0, torch.tensor([0]))\n(r * 3).sum().backward()\n'
    'print(r, r.shape, graph(r.grad_fn), s.grad)',
    # --- gather of a 0-d tensor (its gradient), positions out of range, larger indices; bmm's checks ------
    's = torch.tensor(2., requires_grad=True)\nx = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n'
    'for expr in ["s.gather(0, torch.tensor(0))", "s.gather(-1, torch.tensor(0))", "s.gather(0, torch.tensor(-1))", "s.gather(0, torch.tensor(1))", "x.gather(1, torch.tensor([[-1, 0, 0], [0, 0, 0]]))", "x.gather(1, torch.tensor([[0, 1, 2, 0], [0, 0, 0, 2]]))", "x.gather(1, torch.tensor([[0], [1], [2]]))", "x.gather(0, torch.tensor([[1, 0, 1]]))", "torch.bmm(torch.ones(2, 3, 4), torch.ones(2, 3, 4))", "torch.bmm(torch.ones(2, 3, 4), torch.ones(3, 4, 5))", "torch.bmm(torch.ones(2, 3, 4), torch.ones(2, 4, 5, dtype=torch.float64))", "s.index_select(0, torch.tensor(0))"]:\n'
    '    try:\n        r = eval(expr)\n    except RuntimeError as e:\n        print(expr, e)\n        continue\n'
    '    print(expr, r, graph(r.grad_fn) if r.grad_fn is not None else None)\n'
    '    if r.requires_grad:\n        s.grad = x.grad = None\n'
    '        (r * torch.arange(1., 1. + r.numel()).reshape(r.shape)).sum().backward()\n'
    '        print("   ", s.grad, x.grad)',
    # --- var/std, amax/amin, outer, tril/triu, bmm, repeat, masked_fill, gather, all/any/isnan ------------
    'x = torch.tensor([[1., 2., 3.], [4., 5., 7.]], requires_grad=True)\n'
    'v = torch.tensor([1., 2.], requires_grad=True)\ns = torch.tensor(-2., requires_grad=True)\n'
    'm = torch.tensor([[True, False, True], [False, False, True]])\nidx = torch.tensor([[0, 2, 1], [1, 0, 0]])\n'
    'for expr in ["x.var()", "x.var(1)", "x.var(dim=0, unbiased=False)", "x.var(1, keepdim=True)", "x.var(correction=0)", "x.std()", "x.std(0)", "x.std(dim=(0,1))", "x.var(False)", "torch.var(x, 1)", "torch.std(x, dim=0, keepdim=True)", "x.var(0, True)", "x.std(0, True, True)", "x.amax()", "x.amax(1)", "x.amin(0, keepdim=True)", "x.amax(dim=(0, 1))", "torch.outer(v, v)", "v.outer(v)", "x.tril()", "x.triu(1)", "torch.tril(x, -1)", "torch.bmm(x.unsqueeze(0), x.t().unsqueeze(0))", "x.repeat(2, 1)", "x.repeat(2, 1, 2)", "x.repeat((1, 2))", "x.masked_fill(m, 0.0)", "x.masked_fill(m, -1)", "x.masked_fill(torch.tensor([True, False, False]), 2.5)", "x.masked_fill(m, torch.tensor(3.0))", "x.masked_fill(m, s)", "x.gather(1, idx)", "torch.gather(x, -1, idx)", "x.gather(1, idx.int())", "x.all()", "x.any(1)", "x.isnan()", "(x > 2).all(0)", "(x > 2).any()", "torch.all(x > 0)", "torch.tensor(5.).amax()", "torch.tensor([1, 5, 2]).amax()", "x.var(2)", "torch.tensor([1, 2]).var()", "v.tril()", "x.repeat(2)", "x.masked_fill(m.float(), 0.0)", "x.gather(0, idx[:, :3])", "x.gather(1, torch.tensor([[3], [0]]))", "torch.bmm(x, x)", "x.ger(x)", "torch.outer(v, x)"]:\n'
    '    try:\n        r = eval(expr)\n    except (IndexError, RuntimeError, TypeError) as e:\n'
    '        print(expr, type(e).__name__, e)\n        continue\n'
    '    print(expr, r, graph(r.grad_fn) if r.grad_fn is not None else None)\n'
    '    if r.requires_grad:\n        x.grad = v.grad = s.grad = None\n'
    '        (r * torch.arange(1., 1. + r.numel()).reshape(r.shape)).sum().backward()\n'
    '        print("   ", x.grad, v.grad, s.grad)',
    'x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n'
    'for f in (lambda: x.cumsum(2), lambda: x.flip(2), lambda: x.flip([0, 0]), lambda: x.flip(1, -1), lambda: x.cumsum(),\n'
    '          lambda: x.flip(), lambda: torch.tensor(2.5).cumsum(1)):\n'
    '    try:\n        f()\n    except (IndexError, RuntimeError, TypeError) as e:\n        print(type(e).__name__, e)',
]


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"{i:03d}" for i in range(len(SNIPPETS))])
def test_same_transcript_as_pytorch(code):
    expected = transcript(torch, code)
    assert transcript(srcgrad, code) == expected


def test_enough_snippets():
    assert len(SNIPPETS) >= 150
