"""Branches decided by constants (``frontend/constant_branches.py``): a helper inlined with constant
arguments takes the branch its flags choose at transform time, keeps nothing on the stack for the branches
it does not run, and compiles without a warning; what is not certain stays a branch. Gradients are checked
against central differences and against HIPS autograd's on the same source."""

from __future__ import annotations

import warnings

import gast
import numpy as np
import pytest
from oracles import central

import srcgrad
from srcgrad.frontend.constant_branches import fold_constant_branches

autograd = pytest.importorskip("autograd")


def logsumexp(a, axis=None, keepdims=False):
    a_max = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    if keepdims:
        return out
    if axis is None:
        return out.reshape(())
    return np.squeeze(out, axis=axis)


def normalized(a):
    return a - logsumexp(a, axis=-1, keepdims=True)


def total(a):
    return logsumexp(a) + np.sum(logsumexp(a, axis=0))


def scaled(x, mode="tanh", scale=2):
    if mode == "tanh" and scale > 1:
        return np.tanh(x) * scale
    elif mode == "sin":
        return np.sin(x)
    return x


def loss_flags(x):
    return np.sum(normalized(x) ** 2) + np.sum(scaled(x)) + np.sum(scaled(x, "sin")) + np.sum(scaled(x, "id", 0))


def clip_sum(x, limit=None):
    if limit is not None:
        x = np.minimum(x, limit)
    return np.sum(x * x)


def loss_none_default(x):
    return clip_sum(x) + clip_sum(x, 0.5)


X = np.random.default_rng(4).normal(size=(3, 5))


def _autograd_variant(fn):
    import autograd.numpy as anp

    namespace = dict(fn.__globals__)
    namespace["np"] = anp
    return type(fn)(fn.__code__, namespace)


@pytest.mark.parametrize("fn", [loss_flags, total, loss_none_default], ids=lambda f: f.__name__)
def test_flags_taken_at_transform_time_give_the_right_gradient(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        got = srcgrad.grad(fn)(X)
    assert got.shape == X.shape and got.dtype == np.float64
    numeric = central(lambda flat: fn(flat.reshape(X.shape)), X.ravel()).reshape(X.shape)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got, autograd.grad(_autograd_variant(fn))(X), rtol=1e-12, atol=1e-14)


def test_the_generated_code_has_no_branch_for_a_constant_flag_and_keeps_nothing_for_it():
    srcgrad.grad(loss_flags)(X)
    source = srcgrad.show(loss_flags)
    code = [line for line in source.splitlines() if not line.lstrip().startswith("#")]
    assert not any(line.lstrip().startswith("if ") for line in code), source
    assert "stack" not in source and " is None" not in source
    assert "np.tanh" in source and "np.sin" in source


def _fold(source: str) -> str:
    body = gast.parse(source).body
    return gast.unparse(gast.Module(fold_constant_branches(body), [])).strip()


def test_a_known_test_takes_its_block_and_an_unknown_one_stays():
    assert _fold("a = None\nb = a is None\nif b:\n    y = 1\nelse:\n    y = 2") == "a = None\nb = True\ny = 1"
    assert _fold("a = -1\nif a is None:\n    y = 1\nelse:\n    y = 2") == "a = -1\ny = 2"
    kept = "if x:\n    y = 1"
    assert _fold(kept) == kept


def test_only_what_is_certain_is_used():
    # ``is`` between two ints is not decided (identity of ints is an implementation detail)
    assert "if c:" in _fold("a = 1000\nc = a is 1000\nif c:\n    y = 1")
    # a name assigned in a branch that stays, or in a loop, is forgotten
    assert "if f:" in _fold("f = True\nif x:\n    f = False\nif f:\n    y = 1")
    assert "if f:" in _fold("f = True\nfor i in range(3):\n    if f:\n        y = 1\n    f = False")
    # an array or a call is never a known value
    assert "if c:" in _fold("c = np.zeros(3)\nif c:\n    y = 1")
    # a string and a number are not compared
    assert "if c:" in _fold("s = 'a'\nc = s < 1\nif c:\n    y = 1")
    # a nested function may rebind a name without an assignment in sight
    rebinding = "def f():\n    nonlocal x\n    x = 2\nx = 1\nf()\nif x == 1:\n    y = 1"
    assert "if x == 1:" in _fold(rebinding)
    # a def, a class or an import rebinds a name without a Name node in sight
    assert "if flag:" in _fold("flag = False\ndef flag():\n    pass\nif flag:\n    y = 1")
    assert "if flag:" in _fold("flag = False\nclass flag:\n    pass\nif flag:\n    y = 1")
    assert "if flag:" in _fold("flag = False\nimport os as flag\nif flag:\n    y = 1")
    assert "if os:" in _fold("os = None\nimport os.path\nif os:\n    y = 1")


def test_a_while_loop_whose_exit_test_is_lost_has_no_condition_end():
    """The adjoint of a ``while`` starts after the condition's exit test; a pass that replaced that test
    leaves no place to start from (the reverse transform then refuses, rather than guess)."""
    from srcgrad.frontend.anf import condition_end, to_anf
    from srcgrad.naming import Names

    fn = gast.parse("def f(x):\n    while x < 3:\n        x = x * 2\n    return x").body[0]
    core, _ = to_anf(fn, Names({"f", "x"}))
    loop = next(s for s in core.body if isinstance(s, gast.While))
    end = condition_end(loop)
    assert end is not None and isinstance(loop.body[end - 1], gast.If)
    assert isinstance(loop.body[end - 1].body[0], gast.Break)
    loop.body[end - 1] = gast.If(loop.body[end - 1].test, [gast.Break()], [])   # an equal test, another node
    assert condition_end(loop) is None


def clipped_product(x):
    return np.sum(x.clip(min=-1.0, max=1.0) * x)


def test_a_rules_test_of_a_constant_argument_is_decided_when_the_rule_is_inlined():
    """``clip``'s rule reads ``None if a_min is None else a_min``: given ``-1.0`` it is ``-1.0``, not the
    ``-1.0 is None`` Python warns about, in reverse and forward mode."""
    x = np.array([-2.0, -0.5, 0.3, 1.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        got = srcgrad.grad(clipped_product)(x)
        _, tangent = srcgrad.jvp(clipped_product, (x,), (np.ones(4),))
    np.testing.assert_allclose(got, central(clipped_product, x), rtol=1e-6, atol=1e-8)
    assert tangent == pytest.approx(float(np.sum(got)), rel=1e-12)
    assert " is None" not in srcgrad.show(clipped_product)


def newton_sqrt(a):
    y, steps = a, 0
    while True:   # (a helper of this module: inlined, with its constant test folded away)
        y = (y + a / y) / 2
        steps = steps + 1
        if np.all(np.abs(y * y - a) < 1e-13) or steps == 40:
            break
    return y


def through_inlined_while_true(a):
    return np.sum(newton_sqrt(a) * a)


def residual(y, a):
    return np.max(np.abs(y * y - a))


def newton_sqrt_helper_test(a):
    y = a
    while residual(y, a) > 1e-13:
        y = 0.5 * (y + a / y)
    return np.sum(y * a)


def constant_conditional_expressions(x):
    y = np.sin(x) if False else x * 2.0
    debug = False
    z = x * 3.0 if not debug else np.cos(x)
    for i in range(2):
        z = z + (x * x if True else x)
    return np.sum(y * z)


@pytest.mark.parametrize("fn", [through_inlined_while_true, newton_sqrt_helper_test],
                         ids=lambda f: f.__name__)
def test_a_while_loop_keeps_its_condition_through_inlining_and_folding(fn):
    """A helper's ``while True:`` is inlined with its constant test folded away, and a helper called in a
    ``while`` condition is inlined into it: the adjoint loop must still start right after the condition
    (sum(a ** 1.5): gradient 1.5 sqrt(a), Hessian 0.75 / sqrt(a) on the diagonal)."""
    a = np.array([1.5, 2.0, 0.7])
    np.testing.assert_allclose(srcgrad.grad(fn)(a), 1.5 * np.sqrt(a), rtol=1e-10)
    np.testing.assert_allclose(srcgrad.hessian(fn)(a), np.diag(0.75 / np.sqrt(a)), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(srcgrad.grad(fn)(a), central(fn, a), rtol=1e-6)


def test_a_conditional_expression_with_a_constant_test_is_the_branch_it_takes():
    x = np.array([0.3, -1.2, 2.0])
    got = srcgrad.grad(constant_conditional_expressions)(x)
    np.testing.assert_allclose(got, central(constant_conditional_expressions, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got, autograd.grad(_autograd_variant(constant_conditional_expressions))(x),
                               rtol=1e-12, atol=1e-14)
    source = srcgrad.show(constant_conditional_expressions)
    code = [line for line in source.splitlines() if not line.lstrip().startswith("#")]
    assert not any(line.lstrip().startswith("if ") for line in code), source
    assert not any("np.cos" in line or "np.sin" in line for line in code), source


def damped(x):
    acc = x
    for i in range(3):
        j = 0
        while True:
            acc = acc * 0.9 + np.tanh(acc) * 0.1
            j += 1
            if j >= i + 1:
                break
    return acc


def squared(x, mode=True):
    if mode:
        return x * x
    return x


def nested_inlined_loops(x):
    t = 0.0
    for i in range(3):
        t = t + np.sum(damped(x * (i + 1.0)) * x)
    return t + np.sum(squared(x)) + np.sum(squared(x, False))


def test_inlined_helpers_with_nested_while_true_loops_match_autograd():
    x = np.array([0.3, 0.9, 1.7, 0.45])
    got = srcgrad.grad(nested_inlined_loops)(x)
    namespace = dict(globals())
    import autograd.numpy as anp
    namespace["np"] = anp
    variant = {name: type(f)(f.__code__, namespace, name, f.__defaults__)
               for name, f in (("damped", damped), ("squared", squared), ("nested_inlined_loops", nested_inlined_loops))}
    namespace.update(variant)
    np.testing.assert_allclose(got, autograd.grad(variant["nested_inlined_loops"])(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, central(nested_inlined_loops, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(srcgrad.hessian(nested_inlined_loops)(x),
                               autograd.hessian(variant["nested_inlined_loops"])(x), rtol=1e-9, atol=1e-12)
