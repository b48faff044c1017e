"""What makes transformation cheaper must not change what it produces: the fast tree copy is a deep copy,
and the two variants ``grad`` builds in one pass are the code each would be on its own."""

from __future__ import annotations

import copy

import gast
import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad
import srcgrad.cache
from srcgrad.analysis.walk import all_names, loaded_names, name_nodes, statements, stored_names, walk
from srcgrad.frontend.parse import Scope
from srcgrad.naming import Names, Namespace, reference_text
from srcgrad.pipeline import reverse_transform, reverse_variants
from srcgrad.transform.clone import clone


def net(W, b, x):
    h = np.tanh(x @ W + b)
    total = 0.0
    for i in range(3):
        total = total + np.sum(h * h) * i
    if total > 0:
        total = total * 2.0
    return total


def test_clone_is_an_independent_deep_copy():
    tree = gast.parse("def f(x, *a, k=1):\n    y = [x[i] + 1.5 for i in a]\n    return y, {'k': k}\n")
    loop = gast.parse("while x:\n    x = x - 1\n").body[0]
    loop.condition_length = 1          # an annotation a stage attached
    tree.body.append(loop)
    copied = clone(tree)
    assert gast.dump(copied, include_attributes=True) == gast.dump(tree, include_attributes=True)
    assert gast.dump(copied) == gast.dump(copy.deepcopy(tree))
    assert copied.body[1].condition_length == 1
    # no node is shared but the expression contexts, which hold nothing and which no pass changes in place
    contexts = (gast.Load, gast.Store, gast.Del, gast.Param)
    originals = {id(n) for n in gast.walk(tree) if not isinstance(n, contexts)}
    assert not originals & {id(n) for n in gast.walk(copied)}
    assert any(isinstance(n, contexts) for n in gast.walk(copied))
    copied.body[0].body[0].targets[0].id = "z"
    assert tree.body[0].body[0].targets[0].id == "y"
    assert clone([1, "a", None]) == [1, "a", None]


WALKED = """
def f(x: np.ndarray, *args, k=1, **kw) -> float:
    y = [x[i] + 1.5 for i in args if i]
    z = lambda v, w=k: v * w
    def inner(a):
        b = a + y[0]
        try:
            b = b / 2
        except ZeroDivisionError:
            c = 1
        finally:
            d = 2
        return b
    while x:
        x = x - 1
        if x > 3:
            del y
        else:
            with open(x) as handle:
                e = handle
    for j, m in enumerate(args):
        n: float = j
    return z(inner(x)), {'k': k}
"""


def test_the_name_and_statement_collectors_find_what_walk_finds():
    tree = gast.parse(WALKED)
    for node in [tree, *walk(tree)]:
        walked = [n for n in walk(node) if isinstance(n, gast.Name)]
        collected = name_nodes(node)
        assert sorted(map(id, collected)) == sorted(map(id, walked))
        assert all_names(node) == {n.id for n in walked}
        assert loaded_names(node) == {n.id for n in walked if isinstance(n.ctx, gast.Load)}
        assert stored_names(node) == {n.id for n in walked if not isinstance(n.ctx, gast.Load)}
    fn = tree.body[0]
    found = statements(fn.body)
    expected = [n for n in walk(fn) if isinstance(n, gast.stmt) and n is not fn]
    assert sorted(map(id, found)) == sorted(map(id, expected)) and len(found) == len(expected) == 18
    assert "np" in all_names(fn) and "ndarray" not in all_names(fn)   # the annotation's names are found


def test_a_reference_is_compared_by_its_dotted_text():
    namespace = Namespace(Scope({"np": np}, {}), Names(set()), set())
    assert reference_text(namespace.ref(np.linalg.norm)) == "np.linalg.norm"
    assert reference_text(namespace.ref(np.full)) == "np.full"
    assert reference_text(gast.parse("f(x).g").body[0].value) is None
    assert reference_text(gast.parse("a[0]").body[0].value) is None


def test_variants_built_together_equal_variants_built_alone():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)))
    both = reverse_variants(net, (0, 1), (False, True), examples=args)
    for with_value in (False, True):
        alone = reverse_transform(net, (0, 1), with_value, examples=args)
        assert both[with_value].source == alone.source
    value, (dW, db) = both[True].function(*args, 1.0)
    gW, gb = both[False].function(*args, 1.0)
    assert value == net(*args)
    np.testing.assert_array_equal(dW, gW)
    np.testing.assert_array_equal(db, gb)


def test_grad_first_call_transforms_once_and_caches_both_variants(monkeypatch):
    calls = []
    original = srcgrad.cache.reverse_variants

    def counting(fn, argnums, with_values, *args, **kwargs):
        calls.append((fn.__name__, tuple(with_values)))
        return original(fn, argnums, with_values, *args, **kwargs)

    monkeypatch.setattr(srcgrad.cache, "reverse_variants", counting)
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)))

    def fresh(W, b, x):   # a function of its own, so that nothing is cached yet
        return net(W, b, x) + np.sum(W)

    g = srcgrad.grad(fresh, argnums=(0, 1))
    first, second = g(*args), g(*args)
    # one pass for `fresh` (both variants); its callee `net` is inlined into it, not transformed on its own
    assert calls == [("fresh", (False, True))]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    checked = check_grad(fresh, args, argnums=(0, 1))   # against finite differences
    for a, b in zip(first, checked):
        np.testing.assert_array_equal(a, b)


def _propagated(source: str) -> str:
    from srcgrad.transform.optimize import propagate_copies

    return gast.unparse(propagate_copies(gast.parse(source).body[0])).strip()


def test_copy_propagation_into_loops_only_for_copies_the_loop_leaves_alone():
    # `b` is reassigned in the loop: `a` there is the value from before the loop, so it must stay `a`.
    out = _propagated("def f(b):\n    a = b\n    while b < 3:\n        b = b * 2\n        c = a\n    return c\n")
    assert "c = a" in out
    # A while test runs after the body too.
    out = _propagated("def f(b):\n    a = b\n    while a < 3:\n        b = b + 1\n    return b\n")
    assert "while a < 3" in out
    # Nothing in the loop reassigns `a` or `b`: uses inside it read `b` directly.
    out = _propagated("def f(b, n):\n    a = b\n    s = 0.0\n    for i in range(n):\n        s = s + a * i\n"
                      "    return s\n")
    assert "s = s + b * i" in out
    # A for target is an assignment.
    out = _propagated("def f(b, n):\n    a = b\n    for b in range(n):\n        c = a\n    return c\n")
    assert "c = a" in out


def test_copy_propagation_keeps_the_values_of_a_loop_gradient():
    def loop(x):
        y = x
        z = y
        for i in range(3):
            y = y * 1.5 + z
        return np.sum(y * z)

    x = np.array([0.3, -0.2])
    unoptimized = reverse_transform(loop, (0,), False, optimize=False).function(x, 1.0)
    optimized = reverse_transform(loop, (0,), False).function(x, 1.0)
    np.testing.assert_allclose(optimized[0], unoptimized[0], rtol=1e-15, atol=0)
    check_grad(loop, [x])


def _dict_loss(params):
    return np.sum(params["w"] * params["w"])


def test_cached_calls_still_check_inputs_the_signature_does_not_pin():
    g = srcgrad.grad(_dict_loss)
    w = np.array([1.0, -2.0])
    np.testing.assert_array_equal(g({"w": w})["w"], 2 * w)
    np.testing.assert_array_equal(g({"w": w})["w"], 2 * w)   # cached variant
    # Same signature (a dict), but now an integer array inside: still refused.
    with pytest.raises(srcgrad.InputTypeError, match="dtype int64"):
        g({"w": np.array([1, 2])})
    # An integer array where a float array was: a new signature, checked again.
    h = srcgrad.grad(lambda_free_square)
    np.testing.assert_array_equal(h(w), 2 * w)
    with pytest.raises(srcgrad.InputTypeError):
        h(np.array([1, 2]))


def lambda_free_square(x):
    return np.sum(x * x)


def _project_trees():
    """Syntax trees of every kind srcgrad meets: its own modules' sources."""
    import pathlib

    package = pathlib.Path(srcgrad.__file__).parent
    return [gast.parse(path.read_text()) for path in sorted(package.rglob("*.py"))[:40]]


def test_walk_and_children_are_gasts_without_the_expression_contexts():
    from srcgrad.analysis.walk import children, walk

    for tree in _project_trees():
        expected = [n for n in gast.walk(tree) if not isinstance(n, gast.expr_context)]
        assert [id(n) for n in walk(tree)] == [id(n) for n in expected]
        for node in expected[:400]:
            assert children(node) == [n for n in gast.iter_child_nodes(node) if not isinstance(n, gast.expr_context)]


def test_fix_missing_locations_is_gasts():
    from srcgrad.analysis.walk import fix_missing_locations

    for tree in _project_trees()[:10]:
        twin = clone(tree)
        for k, (a, b) in enumerate(zip(gast.walk(tree), gast.walk(twin))):
            if k % 3 == 0 and "lineno" in a._attributes:
                for attribute in ("lineno", "col_offset", "end_col_offset"):
                    a.__dict__.pop(attribute, None)
                    b.__dict__.pop(attribute, None)
        gast.fix_missing_locations(tree)
        fix_missing_locations(twin)
        assert gast.dump(tree, include_attributes=True) == gast.dump(twin, include_attributes=True)


def test_the_visitor_bases_keep_the_standard_protocol():
    from srcgrad.visitors import NodeTransformer, NodeVisitor

    class Rewrite(NodeTransformer):
        def visit_Pass(self, node):
            return None                                  # deleted from its statement list

        def visit_Expr(self, node):
            return [node, gast.Pass()]                   # spliced (the Pass is not visited again)

        def visit_Name(self, node):
            return gast.Name(node.id.upper(), node.ctx, None, None)

    class Standard(gast.NodeTransformer):
        visit_Pass, visit_Expr, visit_Name = Rewrite.visit_Pass, Rewrite.visit_Expr, Rewrite.visit_Name

    source = "def f(a, b):\n    pass\n    g(a)\n    if a:\n        pass\n        b = a + 1\n    return [b, a]\n"
    ours, theirs = Rewrite().visit(gast.parse(source)), Standard().visit(gast.parse(source))
    assert gast.dump(ours) == gast.dump(theirs)
    assert "def f(A, B):\n    g(a)\n    pass\n    if A:\n        B = A + 1" in gast.unparse(ours)

    class Count(NodeVisitor):
        def __init__(self):
            self.names = 0

        def visit_Name(self, node):
            self.names += 1

    class Subclass(Count):
        def visit_Name(self, node):
            self.names += 10

    tree = gast.parse(source)
    counted, sub = Count(), Subclass()
    counted.visit(tree)
    sub.visit(tree)
    expected = sum(isinstance(n, gast.Name) for n in gast.walk(tree))
    assert (counted.names, sub.names) == (expected, 10 * expected)   # each class finds its own method


def test_the_cycle_collector_is_paused_only_while_transforming():
    """Paused during a transformation, as it was after it: enabled, also after a refusal; left disabled
    where the program disabled it."""
    import gc

    import srcgrad
    from srcgrad.pipeline import reverse_variants

    def f(x):
        return np.sum(np.sin(x))

    def refused(x):
        return np.sum(x.tolist())

    assert gc.isenabled()
    srcgrad.grad(f)(np.ones(3))
    assert gc.isenabled()
    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.grad(refused)(np.ones(3))
    assert gc.isenabled()
    calls: list[bool] = []
    original = gc.disable
    try:
        gc.disable = lambda: (calls.append(True), original())[1]   # type: ignore[assignment]
        reverse_variants(f, (0,), (False,), examples=(np.ones(2),))
    finally:
        gc.disable = original
    assert calls == [True] and gc.isenabled()
    gc.disable()
    try:
        reverse_variants(f, (0,), (True,), examples=(np.ones(4),))
        assert not gc.isenabled()
    finally:
        gc.enable()


def _aliases_state(aliases):
    return dict(aliases.of), {source: set(targets) for source, targets in aliases.copies_of.items() if targets}


def _available_state(available):
    return (dict(available.entries), {name: set(keys) for name, keys in available.by_name.items()},
            available.readless)


@pytest.mark.parametrize("seed", range(40))
def test_the_undo_logs_restore_what_a_copy_would_have_kept(seed):
    """Copy propagation's table of copies and CSE's available expressions undo a branch's changes from a log
    (a copy per branch made long functions quadratic): after any sequence of changes, rolling back to a mark
    gives the state a copy taken at the mark holds, and the tables answer as before."""
    from srcgrad.transform.cse import _Available
    from srcgrad.transform.optimize import _Aliases

    rng = np.random.default_rng(seed)
    names = [f"v{i}" for i in range(6)]

    def some(k: int) -> set[str]:
        return {str(n) for n in rng.choice(names, size=k, replace=False)}

    aliases, available = _Aliases(), _Available()
    marks: list[tuple] = []
    for _ in range(60):
        move = rng.integers(7)
        if move == 0:
            marks.append((aliases.mark(), _aliases_state(aliases), available.mark(), _available_state(available)))
        elif move == 1 and marks:
            alias_mark, alias_state, available_mark, available_state = marks.pop()
            aliases.rollback(alias_mark)
            available.rollback(available_mark)
            assert _aliases_state(aliases) == alias_state
            assert _available_state(available) == available_state
        elif move == 2:
            target, source = rng.choice(names, size=2, replace=False)
            aliases.forget({str(target)})
            aliases.add(str(target), str(source))
        elif move == 3:
            aliases.forget(some(int(rng.integers(1, 3))))
        elif move == 4:
            key = ("expr", int(rng.integers(5)))
            variable = str(rng.choice(names))
            reads = some(int(rng.integers(0, 3))) - {variable}
            available.add(key, variable, reads)
        else:
            available.kill(some(int(rng.integers(1, 3))))
        # the index agrees with the table: every copy in force is found from its source
        for target, source in aliases.of.items():
            assert target in aliases.copies_of[source]
        for key, (variable, reads) in available.entries.items():
            assert all(key in available.by_name[name] for name in reads | {variable})
    while marks:
        alias_mark, alias_state, available_mark, available_state = marks.pop()
        aliases.rollback(alias_mark)
        available.rollback(available_mark)
        assert _aliases_state(aliases) == alias_state and _available_state(available) == available_state
