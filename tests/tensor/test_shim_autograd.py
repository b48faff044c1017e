"""Unit tests of the Tensor shim's autograd: gradients against finite differences, the rule table as the
single source of derivatives, graph lifetime, thread-local grad mode, version counters."""

from __future__ import annotations

import gc
import operator
import pickle
import threading
import weakref

import numpy as np
import pytest

import srcgrad as torch
from srcgrad.rules import shim_rules
from srcgrad.rules.registry import vjp_rule
from srcgrad.tensor import engine, nodes, printing

RNG = np.random.default_rng(0)


def numeric_grad(f, x: np.ndarray, cotangent: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d<cotangent, f(x)>/dx by central differences (float64)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = np.sum(cotangent * (np.asarray(f(up)) - np.asarray(f(down)))) / (2 * eps)
    return grad


def check(op, *shapes, positive: bool = False, away_from: float | None = None):
    """Backward of ``op`` on float64 tensors matches finite differences for every input."""
    arrays = [RNG.uniform(0.5, 2.0, s) if positive else RNG.normal(size=s) for s in shapes]
    if away_from is not None:
        arrays = [np.where(np.abs(a - away_from) < 0.1, a + 0.3, a) for a in arrays]
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = op(*leaves)
    cotangent = RNG.normal(size=out.shape)
    out.backward(torch.tensor(cotangent))
    for k, leaf in enumerate(leaves):
        def f(value, k=k):
            inputs = [torch.tensor(value if j == k else a) for j, a in enumerate(arrays)]
            return op(*inputs).numpy()
        np.testing.assert_allclose(leaf.grad.numpy(), numeric_grad(f, arrays[k], cotangent), rtol=1e-5,
                                   atol=1e-7)


UNARY = {
    "exp": lambda x: x.exp(), "sin": lambda x: x.sin(), "cos": lambda x: x.cos(), "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(), "neg": lambda x: -x, "square": lambda x: x.square(),
    "pow3": lambda x: x ** 3, "tan": lambda x: (x * 0.3).tan(), "expm1": lambda x: x.expm1(),
    "sum": lambda x: x.sum(), "sum_dim": lambda x: x.sum(1), "sum_keep": lambda x: x.sum(0, keepdim=True),
    "mean": lambda x: x.mean(), "mean_dim": lambda x: x.mean(dim=(0, 1)), "norm": lambda x: x.norm(),
    "norm_dim": lambda x: x.norm(dim=1, keepdim=True), "norm_p1": lambda x: x.norm(p=1),
    "norm_p3": lambda x: x.norm(p=3, dim=0), "norm_inf": lambda x: x.norm(float("inf")),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(dim=1)[0], "min_dim": lambda x: x.min(0).values,
    "reshape": lambda x: x.reshape(6) * torch.arange(6.), "t": lambda x: x.t() * 2, "T": lambda x: x.T.exp(),
    "transpose": lambda x: x.transpose(0, 1).sin(), "permute": lambda x: x.permute(1, 0).cos(),
    "unsqueeze": lambda x: x.unsqueeze(1).exp(), "flatten": lambda x: x.t().flatten().sin(),
    "getitem": lambda x: x[1, 1:] * 3, "advanced": lambda x: x[[0, 1, 1], [2, 0, 0]].exp(),
    "mask": lambda x: x[x > 0].sin(), "clone": lambda x: x.clone().exp(),
    "clamp": lambda x: x.clamp(-0.5, 0.5), "expand": lambda x: x[:, :1].expand(2, 4).sin(),
    "relu": lambda x: x.relu(), "abs": lambda x: x.abs(), "sign": lambda x: x.sign() * x,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_and_shape_ops_match_finite_differences(name):
    check(UNARY[name], (2, 3), away_from=0.5 if name == "clamp" else 0.0)


POSITIVE = {"log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(), "reciprocal": lambda x: x.reciprocal(),
            "log1p": lambda x: x.log1p(), "rdiv": lambda x: 2 / x, "rpow": lambda x: 2 ** x}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_functions_of_positive_numbers_match_finite_differences(name):
    check(POSITIVE[name], (3,), positive=True)


BINARY = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
    "add_alpha": lambda x, y: x.add(y, alpha=3), "sub_alpha": lambda x, y: torch.sub(x, y, alpha=2),
    "rsub": lambda x, y: torch.rsub(x, y), "maximum": lambda x, y: torch.maximum(x, y),
    "minimum": lambda x, y: torch.minimum(x, y), "where": lambda x, y: torch.where(x > y, x * 2, y),
    "cat": lambda x, y: torch.cat([x, y], dim=1).exp(), "stack": lambda x, y: torch.stack([x, y], 2).sin(),
    "clamp_tensors": lambda x, y: x.clamp(min=y - 0.5, max=y + 0.5),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_match_finite_differences(name):
    check(BINARY[name], (2, 3), (2, 3))


def test_broadcasting_sums_gradients_back():
    check(lambda x, y: x * y + x, (2, 1, 3), (4, 1))


def test_pow_with_tensor_exponent():
    check(lambda x, y: x ** y, (3,), (3,), positive=True)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((3,), (3, 4)),
                                    ((2, 2, 3), (3, 4)), ((2, 2, 3), (3,)), ((2, 2, 3), (2, 3, 4)),
                                    ((1, 2, 3), (4, 3, 2))])
def test_matmul_every_case(shapes):
    check(lambda a, b: a @ b, *shapes)


def test_inplace_chain_matches_out_of_place():
    def op(x):
        y = x * 1
        y += 2
        y *= x
        y[0, 1] = 0
        y[:, 2] = x[:, 0] * 5
        return y.sin()
    check(op, (2, 3))


def test_inplace_changes_through_views_match_out_of_place():
    def op(x, w):
        y = x * 1
        y[0].mul_(w[0])
        y.t()[1:, 1] += w[1:] ** 2
        v = y[:, 1:]
        v.sin_()
        y[1][2] = w[0] * w[1]
        return y.exp()
    check(op, (2, 3), (3,))


def test_view_made_before_its_base_changed_follows_the_change():
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 1
    row = y[0]
    y.mul_(5)
    row.sum().backward()
    assert x.grad.tolist() == [[5., 5., 5.], [0., 0., 0.]]


def test_dtype_conversion_converts_the_gradient_back():
    x = torch.tensor([1., 2.], requires_grad=True)
    (x.double() * torch.tensor([3., 4.], dtype=torch.float64)).sum().backward()
    assert x.grad.dtype is torch.float32 and x.grad.tolist() == [3., 4.]
    assert (x.long() * 2).requires_grad is False


def test_max_along_dim_sends_gradient_to_the_returned_index_only():
    x = torch.tensor([[2., 2., 1.]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    assert indices.tolist() == [0]
    assert x.grad.tolist() == [[1., 0., 0.]]


def test_pytorch_choices_at_kinks():
    x = torch.tensor([0., 0., 1.], requires_grad=True)
    (x.relu().sum() + x.abs().sum() + x.norm() * 0).backward()
    assert x.grad.tolist() == [0., 0., 2.]  # relu'(0) = 0, |x|'(0) = 0, norm'(0) masked


def test_every_node_applies_the_rule_of_its_primal_from_the_table():
    x = torch.ones(3, requires_grad=True)
    cases = [((x * 2).grad_fn, np.multiply), (x.exp().grad_fn, np.exp), ((x @ x).grad_fn, np.matmul),
             (x.sum().grad_fn, np.sum), (x[1:].grad_fn, operator.getitem),
             (x.relu().grad_fn, shim_rules.relu), (x.sigmoid().grad_fn, shim_rules.sigmoid),
             (x.norm().grad_fn, np.linalg.norm), (x.clamp(0, 1).grad_fn, np.clip)]
    for node, primal in cases:
        assert node.rule is vjp_rule(primal)


def test_shim_rules_are_registered_for_the_transformer_too():
    for primal in (shim_rules.relu, shim_rules.sigmoid, shim_rules.take_along_dim, shim_rules.vector_norm,
                   shim_rules.clamp_tensor, shim_rules.index_put, shim_rules.add_scaled, shim_rules.cast,
                   shim_rules.fill, shim_rules.sign):
        assert vjp_rule(primal) is not None, primal


def test_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = torch.ones(3, requires_grad=True)
        y = (x * 2).exp().sum()
        node = weakref.ref(y.grad_fn.next_functions[0][0])  # ExpBackward0 saves its own output
        del y
        assert node() is None
    finally:
        gc.enable()


def test_accumulate_grad_lives_as_long_as_the_graph():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    assert acc is (x + 1).grad_fn.next_functions[0][0]
    del y, acc
    gc.collect()
    assert x._accum() is None


def test_grad_mode_is_per_thread():
    x = torch.ones(2, requires_grad=True)
    inside, ready, done = [], threading.Event(), threading.Event()

    def worker():
        with torch.no_grad():
            ready.set()
            done.wait()
            inside.append((x * 2).requires_grad)

    thread = threading.Thread(target=worker)
    thread.start()
    ready.wait()
    assert (x * 2).requires_grad  # the other thread's no_grad does not reach here
    done.set()
    thread.join()
    assert inside == [False]


def test_saved_tensors_hooks_are_per_thread_and_closed_on_an_exception():
    x = torch.ones(2, requires_grad=True)
    packed, inside, ready, done = [], [], threading.Event(), threading.Event()

    def worker():
        with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
            ready.set()
            done.wait()
            product = x * x
            inside.append(len(packed))   # packed here, by this thread's hooks
            del product

    thread = threading.Thread(target=worker)
    thread.start()
    ready.wait()
    y = x * x   # recorded here while the other thread's hooks are open: not packed by them
    assert packed == []
    done.set()
    thread.join()
    assert inside == [2] and len(packed) == 2   # the worker's product packed both of its operands
    with pytest.raises(KeyError), torch.autograd.graph.saved_tensors_hooks(lambda t: 1 / 0, lambda t: t):
        raise KeyError
    z = x * x   # the hooks closed with the block that raised: nothing packs (a pack hook would divide by 0)
    z.sum().backward()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.array([4.0, 4.0], dtype=np.float32))


def test_no_grad_restores_the_mode_after_an_exception_in_a_decorated_function():
    @torch.no_grad()
    def fails():
        raise KeyError

    with pytest.raises(KeyError):
        fails()
    assert torch.is_grad_enabled()


def test_backward_restores_grad_mode_when_a_hook_raises():
    x = torch.ones(2, requires_grad=True)
    x.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        (x * 2).sum().backward()
    assert torch.is_grad_enabled()


def test_hooks_run_without_recording():
    x = torch.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append((g.requires_grad, torch.is_grad_enabled())))
    (x * 3).sum().backward()
    assert seen == [(False, False)]


def test_views_share_the_version_counter_and_data_does_not():
    x = torch.zeros(2, 3)
    views = [x[0], x.t(), x.view(6), x.reshape(3, 2), x[..., 1:], x.unsqueeze(0), x.detach()]
    x.add_(1)
    assert all(v._version == 1 for v in views)
    assert x.data._version == 0
    x.t()[0, 1] = 5  # through a view: seen by the base
    assert x[1, 0].item() == 5 and x._version == 2


def test_division_result_modified_in_place_keeps_the_divisor_gradient():
    # DivBackward0's rule reads the quotient; PyTorch does not save it, so changing it must not matter.
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([4., 8.], requires_grad=True)
    q = a / b
    q.mul_(3)
    q.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), 3 * -np.array([1., 2.]) / np.array([16., 64.]))


def test_engine_runs_each_node_once_on_a_diamond():
    x = torch.ones(2, requires_grad=True)
    calls = []
    y = x * 2
    y.register_hook(lambda g: calls.append(g.tolist()))
    (y * y + y.exp()).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(x.grad.numpy(), 2 * (2 * 2 + np.exp(2)) * np.ones(2))


def test_run_backward_order_is_latest_first():
    x = torch.ones(1, requires_grad=True)
    a = x * 2
    b = a * 3
    c = a + b
    nodes_in_order, _ = engine._graph([c.grad_fn])
    assert [type(n).__name__ for n in nodes_in_order] == ["AddBackward0", "MulBackward0", "MulBackward0"]
    assert nodes_in_order[1] is b.grad_fn


def test_node_kinds_print_like_pytorch_classes():
    assert repr(nodes.MulBackward0) == "<class 'MulBackward0'>"
    assert nodes.MulBackward0.saves and not nodes.AddBackward0.saves


def test_tensor_repr_calls_the_formatter_with_the_documented_signature(monkeypatch):
    calls = []

    def fake(data, dtype_name, *, grad_fn_name=None, requires_grad=False):
        calls.append((data.shape, dtype_name, grad_fn_name, requires_grad))
        return "T"

    monkeypatch.setattr(printing, "format_tensor", fake)
    x = torch.ones(2, requires_grad=True)
    assert repr(x) == str(x * 2) == "T"
    assert repr(torch.tensor([1, 2])) == "T"
    assert calls == [((2,), "float32", None, True), ((2,), "float32", "MulBackward0", False),
                     ((2,), "int64", None, False)]


def test_dtype_objects_pickle_to_the_same_object():
    assert pickle.loads(pickle.dumps(torch.float64)) is torch.float64


def test_a_node_computes_only_the_partials_its_inputs_need():
    """``x @ w`` with data ``x``: the cotangent of ``x`` is never computed (PyTorch skips it by
    needs_input_grad); the gradient of ``w`` is unchanged, and the node still applies the shared rule."""
    from srcgrad.rules import vjp_rule
    from srcgrad.tensor.nodes import Pruned

    data = np.arange(12.0).reshape(3, 4)
    w = torch.tensor(np.ones((4, 2)), requires_grad=True)
    y = torch.tensor(data).mm(w)
    pick = y.grad_fn._how[1]
    assert type(pick) is Pruned and y.grad_fn.rule is vjp_rule(np.matmul)
    assert "matmul_left_grad" not in pick.function.__code__.co_names
    assert "matmul_right_grad" in pick.function.__code__.co_names
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.tile(data.sum(axis=0)[:, None], 2))
    both = torch.tensor(np.ones((3, 4)), requires_grad=True).mm(w)
    assert type(both.grad_fn._how[1]) is not Pruned


def scaled_product(a, b):
    return a * b * 2.0


def test_user_rules_from_closures_are_applied_whole():
    """A rule that reads a closure's variables is not rebuilt (the rebuild could not see them): it runs
    whole, and the gradient is right."""
    from srcgrad.rules import registry

    factor = 2.0

    def rule(g, ans, a, b):
        return g * b * factor, g * a * factor

    saved = registry.snapshot()
    try:
        torch.defvjp(scaled_product, rule, argnums=(0, 1))
        a = torch.tensor([1.0, 3.0], requires_grad=True)
        y = torch.on_tensors(scaled_product)(a, torch.tensor([5.0, 7.0]))
        y.sum().backward()
    finally:
        registry.restore(saved)
    assert a.grad.tolist() == [10.0, 14.0]


def test_user_rules_behind_a_decorator_are_applied_whole():
    """A rule wrapped by a decorator is not rebuilt from its source (that would drop the wrapper)."""
    import functools

    from srcgrad.rules import registry

    def doubled(rule):
        @functools.wraps(rule)
        def wrapper(g, ans, a, b):
            da, db = rule(g, ans, a, b)
            return 2 * da, 2 * db
        return wrapper

    @doubled
    def rule(g, ans, a, b):
        return g * b, g * a

    saved = registry.snapshot()
    try:
        torch.defvjp(scaled_product, rule, argnums=(0, 1))
        a = torch.tensor([1.0, 3.0], requires_grad=True)
        torch.on_tensors(scaled_product)(a, torch.tensor([5.0, 7.0])).sum().backward()
    finally:
        registry.restore(saved)
    assert a.grad.tolist() == [10.0, 14.0]   # the wrapper's factor 2 is applied, as by the rule itself
