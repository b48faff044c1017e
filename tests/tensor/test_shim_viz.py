"""``srcgrad.viz.to_dot``: the grad_fn graph as Graphviz DOT text, in torchviz's style."""

import re

import srcgrad as torch
from srcgrad.viz import to_dot


def test_nodes_edges_and_leaves():
    x = torch.ones(3, requires_grad=True)
    w = torch.ones(2, 3, requires_grad=True)
    z = (w @ x).exp().sum()
    dot = to_dot(z, {"x": x, "w": w})
    assert dot.startswith("digraph {") and dot.rstrip().endswith("}")
    labels = re.findall(r"label=(\w+)\]", dot)
    assert sorted(labels) == ["AccumulateGrad", "AccumulateGrad", "ExpBackward0", "MvBackward0",
                              "SumBackward0"]
    assert f'{id(x)} [label="x\n (3)" fillcolor=lightblue]' in dot
    assert f'{id(w)} [label="w\n (2, 3)" fillcolor=lightblue]' in dot
    assert f'{id(z)} [label="()" fillcolor=darkolivegreen1]' in dot
    assert len(re.findall(r"\d+ -> \d+", dot)) == 7  # 2 leaves, 4 between nodes, 1 to the output


def test_shared_subgraph_drawn_once_and_constants_left_out():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    dot = to_dot(y * y + 1)
    assert dot.count("[label=MulBackward0]") == 2
    assert dot.count("[label=AccumulateGrad]") == 1
    assert "None" not in dot


def test_leaf_and_constant():
    x = torch.ones(2, requires_grad=True)
    assert f'{id(x)} [label="\n (2)" fillcolor=lightblue]' in to_dot(x)
    assert "->" not in to_dot(torch.ones(2))


def test_deep_graph_needs_no_recursion():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert to_dot(y).count("MulBackward0") == 5000
