"""The peephole rewrites of generated code (``transform/peephole.py``) on small functions: each rewrite
where it is exact, and none where a rebinding, a second read or a possible exception forbids it; and
the same gradients with them."""

from __future__ import annotations

import textwrap

import gast
import numpy as np
from gradcheck import check_grad

import srcgrad
from srcgrad.transform.peephole import fold_negations, hoist_invariants, merge_element_updates


def _rewritten(source: str, rewrite) -> str:
    fn = gast.parse(textwrap.dedent(source)).body[0]
    rewrite(fn)
    return gast.unparse(fn).strip()


def test_a_negation_read_once_moves_into_its_reader():
    assert _rewritten("""
        def f(d, u, x, i):
            t = -u
            d[i] += t
            s = -x
            v = s * 2.0 * x
            return v
    """, fold_negations) == "def f(d, u, x, i):\n    d[i] -= u\n    v = x * -2.0 * x\n    return v"


def test_a_negation_stays_where_its_operand_is_rebound_or_it_is_read_twice():
    source = """
        def f(d, u, i):
            t = -u
            u = u + 1.0
            d[i] += t
            s = -u
            d[i] += s
            return s
    """
    assert _rewritten(source, fold_negations) == gast.unparse(gast.parse(textwrap.dedent(source)).body[0]).strip()


def test_updates_of_one_element_are_merged_across_statements_that_leave_them_alone():
    assert _rewritten("""
        def f(d, a, b, c, i):
            d[i] += a
            y = b * 2.0
            d[i] -= y
            d[i + 1] += c
            return d
    """, lambda fn: merge_element_updates(fn, {"i"})) == (
        "def f(d, a, b, c, i):\n    y = b * 2.0\n    d[i] += a - y\n    d[i + 1] += c\n    return d")


def test_a_merged_update_that_subtracts_first_needs_no_negation():
    assert _rewritten("""
        def f(d, a, b, i):
            d[i] -= a
            d[i] += b * 2.0
            d[3] -= a
            d[3] -= b
            return d
    """, lambda fn: merge_element_updates(fn, {"i"})) == (
        "def f(d, a, b, i):\n    d[i] += b * 2.0 - a\n    d[3] += -a - b\n    return d")
    x = np.random.default_rng(5).normal(size=2)
    for a, b in ((x[0], x[1]), (0.0, -0.0), (-0.0, 0.0), (1e308, -1e308)):   # the same bits as -a + b
        assert np.float64(b * 2.0 - a).tobytes() == np.float64(-a + b * 2.0).tobytes()


def test_updates_are_not_merged_past_a_read_of_the_array_or_a_new_addend():
    source = """
        def f(d, a, b, i):
            d[i] += a
            z = d[0]
            d[i] += z
            d[i] += b
            b = 2.0
            d[i] += b
            return d
    """
    expected = ("def f(d, a, b, i):\n    d[i] += a\n    z = d[0]\n    d[i] += z + b\n    b = 2.0\n"
                "    d[i] += b\n    return d")
    assert _rewritten(source, lambda fn: merge_element_updates(fn, {"i"})) == expected


def test_loop_invariant_arithmetic_moves_out_and_nothing_else_does():
    assert _rewritten("""
        def f(a, b, xs):
            s = 0.0
            for i in xs:
                t = a * 100.0
                q = a / b
                r = s * 2.0
                s = s + t * i + q + r
            return s
    """, hoist_invariants) == ("def f(a, b, xs):\n    s = 0.0\n    t = a * 100.0\n    for i in xs:\n"
                               "        q = a / b\n        r = s * 2.0\n        s = s + t * i + q + r\n    return s")


def rosenbrock_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def test_a_loop_over_elements_with_the_rewrites():
    x = np.linspace(-1.2, 1.4, 9)
    check_grad(rosenbrock_loop, (x,), 0)
    source = srcgrad.show(rosenbrock_loop, x)
    assert "d_x_items[i] += d_x_item_1 - d_v1_0_minus_x" in source and source.count("d_x_items[i] ") == 1, source
    assert source.index("d_out * 100.0") < source.index("for i in reversed"), source


def test_loop_invariant_arithmetic_inside_a_statement_moves_out_under_a_new_name():
    assert _rewritten("""
        def f(d_out, a, xs):
            s = 0.0
            for i in xs:
                d_u = d_out * 2 * i
                s = s + (a + 1.0) * d_u + (s * 3.0) * a
            return s
    """, hoist_invariants) == ("def f(d_out, a, xs):\n    s = 0.0\n    d_out_times_2 = d_out * 2\n"
                               "    a_plus_1_0 = a + 1.0\n    for i in xs:\n        d_u = d_out_times_2 * i\n"
                               "        s = s + a_plus_1_0 * d_u + s * 3.0 * a\n    return s")


def test_arithmetic_evaluated_on_some_paths_or_reading_the_loop_stays():
    source = """
        def f(a, b, xs):
            s = 0.0
            for i in xs:
                s = s + (a * 2.0 if i > 0 else b) + (i * a) * b + (a or b * 3.0)
                b = b * a
            return s
    """
    assert _rewritten(source, hoist_invariants) == _rewritten(source, lambda fn: None)


def scaled_sum(c, x):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.sin(c * x * k) * 2.0 * c)
    return total


def test_gradients_with_hoisted_parts():
    x = np.linspace(-1.0, 1.0, 7)
    check_grad(scaled_sum, (0.7, x), (0, 1))
    source = srcgrad.show(scaled_sum, 0.7, x, argnums=(0, 1))
    before, loop = source.split("for k in reversed")
    assert "= d_out * c * 2.0" in before and "d_out * c" not in loop, source


def scale_set_in_a_branch(x, n):
    if n > 0:
        scale = x * 2.0
    total = 0.0
    for i in range(n):
        total = total + scale * 3.0 * x
    return total + x


def test_nothing_moves_before_a_loop_that_reads_a_name_the_loop_entry_may_not_hold():
    """``scale`` starts as None and is set only in a branch: a loop of no trips never reads it, so
    ``scale * 3.0`` must stay in the loop (moved before it, it raised TypeError for n = 0)."""
    assert _rewritten("""
        def f(x, n, d_out):
            scale = None
            if n > 0:
                scale = x * 2.0
            for i in range(n):
                t = scale * 3.0
                d = d_out * t * 2.0
            return d
    """, hoist_invariants) == ("def f(x, n, d_out):\n    scale = None\n    if n > 0:\n        scale = x * 2.0\n"
                               "    for i in range(n):\n        t = scale * 3.0\n        d = d_out * t * 2.0\n"
                               "    return d")
    for n in (0, 1, 3):
        check_grad(scale_set_in_a_branch, [0.7, n], 0)
    assert srcgrad.grad(scale_set_in_a_branch)(0.7, 0) == 1.0
