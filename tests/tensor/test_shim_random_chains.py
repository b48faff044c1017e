"""Random chains of operations, run on PyTorch and on srcgrad: the graphs must have the same node names and
structure, and the gradients must agree (to float32 rounding). Seeded, so every run checks the same 300
chains; a failure names the chain."""

import random

import numpy as np
import pytest
from shim_oracle import graph

import srcgrad

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

OPS = ["t * 2", "2 * t", "t + t", "t - 1", "1 - t", "t / 2", "t ** 2", "t.sin()", "t.cos()", "t.tanh()",
       "t.sigmoid()", "t.relu()", "t.abs()", "t.sum(0, keepdim=True) * t", "t.t().t()", "t.T.T",
       "t.reshape(-1).reshape(t.shape)", "t[0:1] * t", "t.mean() + t", "t.max() * t", "t.clamp(-1, 1)",
       "t.unsqueeze(0).squeeze(0)", "t * t.detach()", "torch.where(t > 0, t, -t)", "t.exp().log()",
       "t.norm() * t", "t @ t.t() @ t", "t.max(dim=1, keepdim=True)[0] + t", "t.min(0).values * t",
       "t.view(-1).view(t.shape)", "torch.cat([t, t], 0)[1:3]", "torch.stack([t, t]).sum(0)", "t.clone()",
       "t.square()", "(t * 1).add_(1)", "t.pow(3)", "t.flatten().reshape(t.shape)",
       "t.permute(1, 0).transpose(0, 1)", "t[:, 0:2].sum() * t", "t.prod(1, keepdim=True) * t",
       "t[[0, 2, 0]].sum(0) * t", "t[t > 0].sum() + t", "(t * 1).mul_(t)", "t - t.mean(1, keepdim=True)",
       "t.cumsum(1)", "t.flip(0) * t", "t.flip([0, 1]).cumsum(0)", "t.var(1, keepdim=True) * t", "t.std() + t",
       "t.amax(0) * t", "t.tril() + t.triu(1)", "t.masked_fill(t > 0.5, 0.0)", "t.gather(1, (t > 0).long())",
       "t.repeat(1, 2)[:, 1:4]", "torch.outer(t[0], t[1])", "torch.bmm(t.unsqueeze(0), t.t().unsqueeze(0))[0]",
       "t.index_select(1, torch.tensor([1, 0, 1])[:t.shape[1]])"]


def run(T, seed: int, chain: list[str]):
    data = np.random.default_rng(seed).uniform(-1, 1, (3, 3)).round(2).tolist()
    x = T.tensor(data, requires_grad=True)
    t = x
    for op in chain:
        t = eval(op, {"torch": T, "t": t})
    picture = graph(t.grad_fn)
    t.sum().backward()
    return picture, np.array(x.grad.tolist())


@pytest.mark.parametrize("seed", range(300))
def test_random_chain(seed):
    rng = random.Random(seed)
    chain = [rng.choice(OPS) for _ in range(rng.randint(1, 4))]
    expected_graph, expected_grad = run(torch, seed, chain)
    got_graph, got_grad = run(srcgrad, seed, chain)
    assert got_graph == expected_graph, chain
    np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-4, atol=1e-5, err_msg=str(chain))
