"""A loop's element cotangents accumulated in a Python list (``transform/element_lists.py``): where the
rewrite applies, the same bits as the array updates it replaces; where something else reads the
accumulator, or an index or an added value is not known to be a Python integer or a scalar, no rewrite."""

from __future__ import annotations

import textwrap

import gast
import numpy as np
from gradcheck import check_grad

import srcgrad
from srcgrad.transform.element_lists import accumulate_elements_in_lists

SCALARS = {"a": (), "b": (), "g": ()}


def _rewritten(source: str, shapes: dict = SCALARS) -> str:
    fn = gast.parse(textwrap.dedent(source)).body[0]
    accumulate_elements_in_lists(fn, shapes.get, lambda obj: gast.parse(f"np.{obj.__name__}").body[0].value,
                                 {"i", "j"})
    return gast.unparse(fn).strip()


def test_updates_of_elements_in_a_loop_go_to_a_list():
    assert _rewritten("""
        def f(a, b, r):
            d = np.zeros((5,), np.float64)
            for i in r:
                d[i] += a * 2.0
                d[3] += -a + b
            return d
    """) == ("def f(a, b, r):\n    d = np.zeros((5,), np.float64)\n    d_items = d.tolist()\n    for i in r:\n"
             "        d_items[i] += a * 2.0\n        d_items[3] += -a + b\n    d = np.array(d_items, np.float64)\n"
             "    return d")


def test_the_list_gives_the_bits_of_the_array_updates():
    source = textwrap.dedent("""
        def f(x, r):
            d = np.zeros((7,), np.float64)
            for j in r:
                a = x[j] * 3.0
                b = x[j + 1] - a
                d[j] += a * b
                d[j + 1] += b / 7.0 - a
                d[0] += -a + b * b
            return d
    """)
    fn = gast.parse(source).body[0]
    accumulate_elements_in_lists(fn, {"a": (), "b": ()}.get,
                                 lambda obj: gast.parse(f"np.{obj.__name__}").body[0].value, {"j"})
    rewritten = gast.unparse(fn)
    assert "d_items[j + 1] +=" in rewritten
    plain, listed = {"np": np}, {"np": np}
    exec(source, plain)
    exec(rewritten, listed)
    x = np.random.default_rng(3).normal(size=7)
    for r in (range(6), range(5, -1, -1), [2, 2, 0, 5], range(0)):
        expected, got = plain["f"](x, r), listed["f"](x, r)
        assert type(got) is np.ndarray and got.dtype == np.float64 and got.shape == (7,)
        assert got.tobytes() == expected.tobytes()


def test_no_list_where_the_loop_reads_the_array_or_the_update_is_not_a_scalar_at_an_integer():
    for body in ("d[i] += a\n        c = d.sum()", "d[i] += a\n        d[k] += b", "d[i] += v",
                 "d[i] += a\n        d[1:3] += b", "d[i] += f(a)", "d[i] *= a", "d[i] += a if b else a"):
        source = ("def f(a, b, v, k, r):\n    d = np.zeros((5,), np.float64)\n    for i in r:\n        "
                  + body.replace("\n        ", "\n        ") + "\n    return d\n")
        assert "tolist" not in _rewritten(source, {**SCALARS, "v": (5,)}), body
    assert "tolist" not in _rewritten("""
        def f(a, r):
            d = np.zeros((5, 2), np.float64)
            for i in r:
                d[i] += a
            return d
    """)
    assert "tolist" not in _rewritten("""
        def f(a, r):
            d = np.zeros((5,), np.float64)
            d = d * 2.0
            for i in r:
                d[i] += a
            return d
    """)


def rosenbrock_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def horner(coef, x):
    p = coef[-1]
    for k in range(coef.shape[0] - 2, -1, -1):
        p = p * x + coef[k]
    return np.sum(p * p)


def test_a_loop_over_elements_differentiated_through_the_list():
    x = np.random.default_rng(0).normal(size=40)
    code = srcgrad.show(rosenbrock_loop, x)
    assert "d_x_items = d_x.tolist()" in code and "d_x = np.array(d_x_items, np.float64)" in code
    got = srcgrad.grad(rosenbrock_loop)(x)
    assert type(got) is np.ndarray and got.dtype == np.float64 and got.shape == (40,)
    expected = np.zeros(40)   # the closed form
    expected[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    expected[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    check_grad(rosenbrock_loop, (x,))


def test_a_loop_over_coefficients_with_array_values_added():
    rng = np.random.default_rng(1)
    coef, x = rng.normal(size=6), rng.normal(size=30)
    check_grad(horner, (coef, x))


def test_two_loops_and_an_accumulator_made_between_them():
    source = textwrap.dedent("""
        def f(x, r):
            d = np.zeros((4,), np.float64)
            for i in r:
                a = x[i]
                d[i] += a * a
            e = np.zeros((4,), np.float64)
            for j in r:
                b = x[j]
                e[j] += b
                d[j] -= b
            return d, e
    """)
    fn = gast.parse(source).body[0]
    accumulate_elements_in_lists(fn, {"a": (), "b": ()}.get,
                                 lambda obj: gast.parse(f"np.{obj.__name__}").body[0].value, {"i", "j"})
    rewritten = gast.unparse(fn)
    assert rewritten.count(".tolist()") == 3 and rewritten.index("e = np.zeros") < rewritten.index("e_items = ")
    plain, listed = {"np": np}, {"np": np}
    exec(source, plain)
    exec(rewritten, listed)
    x = np.random.default_rng(4).normal(size=4)
    for got, expected in zip(listed["f"](x, [3, 0, 3, 1]), plain["f"](x, [3, 0, 3, 1])):
        assert got.tobytes() == expected.tobytes()
