"""What the generated code no longer does: store a value twice, recompute a common subexpression, allocate
a new cotangent per accumulation, call helpers that static types make unnecessary. Every case is checked
against central finite differences and against the unoptimized code."""

from __future__ import annotations

import re
import textwrap

import gast
import numpy as np
import pytest
from gradcheck import assert_close, check_grad

import srcgrad
from srcgrad.pipeline import reverse_transform
from srcgrad.runtime import zero_cotangent
from srcgrad.transform.accumulate import specialize_accumulators
from srcgrad.transform.cse import eliminate_common_subexpressions


def _agree_with_unoptimized(fn, args, argnums, rtol=1e-12):
    optimized = reverse_transform(fn, argnums, False, examples=args)
    unoptimized = reverse_transform(fn, argnums, False, optimize=False, examples=args)
    # without examples: no shape specialization, every rule helper decides at run time
    generic = reverse_transform(fn, argnums, False, optimize=False)
    got = optimized.function(*args, 1.0)
    expected = unoptimized.function(*args, 1.0)
    assert len(got) == len(expected) == len(argnums)
    pairs = list(zip(got, expected)) + list(zip(got, generic.function(*args, 1.0)))
    for k, (g, e) in enumerate(pairs):
        assert np.shape(g) == np.shape(e)
        assert np.asarray(g).dtype == np.asarray(e).dtype
        assert_close(g, e, scale=max(1.0, float(np.max(np.abs(e)))), rtol=rtol, atol=1e-14, what=f"gradient {k}")
    return optimized.source


def rnn(Wx, Wh, b, h0, xs):
    h = h0
    for t in range(4):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def _rnn_args(rng):
    return (rng.normal(size=(3, 5)) * 0.5, rng.normal(size=(5, 5)) * 0.5, rng.normal(size=5) * 0.1,
            rng.normal(size=(2, 5)), rng.normal(size=(4, 2, 3)))


def test_a_loop_pushes_the_carried_state_once():
    """``h = tanh(...)`` in a loop: the adjoint reads both the old ``h`` and the tanh value; the tanh value is
    the new ``h``, so only ``h`` is stored."""
    args = _rnn_args(np.random.default_rng(0))
    check_grad(rnn, args, (0, 1, 2, 3))
    source = _agree_with_unoptimized(rnn, args, (0, 1, 2, 3))
    loop = source.split("for t in range_4:")[1].split("# adjoint sweep")[0]
    assert loop.count("stack.append(") == 1, source
    assert "stack.append(h)" in loop


def carried_then_changed(x):
    h = x
    for _ in range(3):
        t = np.sin(h)
        h = t
        t = t * 2.0   # the copy no longer equals t at the end of the body
        h = h + t
    return np.sum(h)


def test_a_copy_changed_later_in_the_body_is_still_stored():
    args = (np.array([0.3, -1.2, 2.0]),)
    check_grad(carried_then_changed, args, 0)
    _agree_with_unoptimized(carried_then_changed, args, (0,))


def test_loop_accumulators_start_as_static_zeros_and_add_in_place():
    args = _rnn_args(np.random.default_rng(1))
    source = _agree_with_unoptimized(rnn, args, (0, 1, 2))
    assert "zero_cotangent" not in source and "add_grads" not in source and "unbroadcast" not in source
    for accumulator in ("d_Wx", "d_Wh", "d_b"):
        assert f"{accumulator} += " in source, source
    assert "d_Wh = np.zeros((5, 5), np.float64)" in source
    first = srcgrad.grad(rnn, argnums=(0, 1, 2))(*args)
    second = srcgrad.grad(rnn, argnums=(0, 1, 2))(*args)
    for a, b in zip(first, second):
        assert a is not b and not np.shares_memory(a, b)   # each call accumulates into arrays of its own
        np.testing.assert_array_equal(a, b)


def scalar_loop(x):
    s = 0.0
    for i in range(5):
        s = s + np.sin(x * i) * np.cos(x + i)
    return s


def test_a_float_accumulator_starts_at_zero_without_a_helper_call():
    check_grad(scalar_loop, (0.37,), 0)
    source = _agree_with_unoptimized(scalar_loop, (0.37,), (0,))
    assert "d_x = 0.0" in source and "zero_cotangent" not in source


def viewed(W, xs):
    h = xs[0]
    for t in range(3):
        h = np.tanh(h @ W)
    return np.sum(h)


def read_elsewhere(W, xs):
    s = 0.0
    for t in range(3):
        s = s + np.sum(np.sin(xs[t] @ W))
    return s


def test_the_accumulator_is_updated_in_place_where_only_its_updates_read_it():
    rng = np.random.default_rng(2)
    W, xs = rng.normal(size=(4, 4)) * 0.5, rng.normal(size=(3, 2, 4))
    for fn in (viewed, read_elsewhere):
        check_grad(fn, (W, xs), 0)
        source = _agree_with_unoptimized(fn, (W, xs), (0,))
        assert "zero_cotangent" not in source
        assert "d_W += " in source, source


C = np.array([1.0 + 2.0j, 0.5 - 1.0j, 2.0j])


def complex_inside(w):
    s = 0.0
    for t in range(3):
        s = s + np.real(np.sum(np.exp(C * w * t)))
    return s


def test_no_in_place_update_where_another_dtype_can_enter():
    w = np.array([0.3, -0.2, 0.1])
    check_grad(complex_inside, (w,), 0)
    source = reverse_transform(complex_inside, (0,), False, examples=(w,)).source
    assert "+=" not in source
    w32 = w.astype(np.float32)
    source = reverse_transform(viewed, (0,), False, examples=(w32.reshape(3, 1) @ w32.reshape(1, 3),
                                                             np.ones((3, 2, 3)))).source
    assert "+=" not in source and "np.zeros((3, 3), np.float32)" in source


def test_a_vjp_cotangent_is_never_added_to_in_place():
    args = _rnn_args(np.random.default_rng(3))
    out, backward = srcgrad.vjp(rnn, *args)
    first = backward(1.0)
    second = backward(2.0)
    for a, b in zip(first, second):
        assert not np.shares_memory(a, b)
        assert_close(b, 2.0 * a, scale=max(1.0, float(np.max(np.abs(a)))), rtol=1e-12, atol=1e-14)


def _specialized(source: str, in_place: bool = True) -> str:
    fn = gast.parse(textwrap.dedent(source)).body[0]
    names = {"zero_cotangent": zero_cotangent, "np": np}
    examples = {"W": np.ones((2, 2)), "x": 0.5}

    def ref(obj):
        return gast.parse(next(k for k, v in names.items() if v is obj) if obj in names.values()
                          else f"np.{obj.__name__}", mode="eval").body

    return gast.unparse(specialize_accumulators(fn, examples, zero_cotangent, ref, in_place))


def test_a_copy_or_view_of_the_accumulator_keeps_the_fresh_sum():
    aliased = _specialized("""
        def g(W, x, c):
            d_W = zero_cotangent(W)
            for i in range(3):
                d_W = d_W + c
                e = d_W.T
            return (d_W, e)
    """)
    assert "np.zeros((2, 2), np.float64)" in aliased and "+=" not in aliased
    plain = _specialized("""
        def g(W, x, c):
            d_W = zero_cotangent(W)
            for i in range(3):
                d_W = d_W + c
            return (d_W,)
    """)
    assert "d_W += c" in plain
    assert "+=" not in _specialized(plain.replace("d_W += c", "d_W = d_W + c"), in_place=False)


def test_a_reassigned_parameter_keeps_the_helper():
    source = _specialized("""
        def g(W, x, c):
            W = c
            d_W = zero_cotangent(W)
            d_x = zero_cotangent(x)
            return (d_W, d_x)
    """)
    assert "d_W = zero_cotangent(W)" in source and "d_x = 0.0" in source


def matrix_vector(A, v, u):
    return np.sum(np.sin(A @ v) * (u @ A)) + np.tanh(v @ u)


def test_matrix_vector_products_need_no_helper_for_known_shapes():
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3))
    check_grad(matrix_vector, args, (0, 1, 2))
    source = _agree_with_unoptimized(matrix_vector, args, (0, 1, 2))
    assert "matmul_left_grad" not in source and "matmul_right_grad" not in source, source
    assert "np.outer(" in source
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(a, requires_grad=True) for a in args]
    A, v, u = tensors
    (torch.sum(torch.sin(A @ v) * (u @ A)) + torch.tanh(v @ u)).backward()
    for got, t in zip(srcgrad.grad(matrix_vector, argnums=(0, 1, 2))(*args), tensors):
        assert_close(got, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def square_sum(h):
    return np.sum(h * h)


def cosines(h):
    return np.sin(np.cos(h[0])) * np.cos(h[0])


def test_repeated_expressions_are_computed_once():
    h = np.array([0.4, -1.3, 2.2])
    check_grad(square_sum, (h,), 0)
    source = _agree_with_unoptimized(square_sum, (h,), (0,))
    code = "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))
    assert "d_h = d_h + d_h" in code and code.count(" * h") == 1, source
    check_grad(cosines, (h,), 0)
    source = _agree_with_unoptimized(cosines, (h,), (0,))
    assert source.count("np.sin(h_item)") == 1, source   # a partial two rules share, computed once
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    forward = code[:code.index("    d_sin_cos_h_item = d_out * cos_h_item")]
    assert sum(line.count("np.cos(") for line in forward) == 1, source
    assert sum(len(re.findall(r"\bh\[0\]", line)) for line in code) == 1, source  # (d_h[0] += ... aside)


def _cse(source: str, pure=lambda call: True, effect_free=lambda call: True) -> tuple[str, int]:
    fn = gast.parse(textwrap.dedent(source)).body[0]
    count, _ = eliminate_common_subexpressions(fn, pure, effect_free, "stack")
    return gast.unparse(fn), count


def test_an_expression_is_reused_only_while_its_inputs_are_unchanged():
    source, count = _cse("""
        def g(x, y):
            a = np.cos(x) * y
            b = np.cos(x) * y + 1
            x = x + 1
            c = np.cos(x) * y
            for i in range(3):
                d = np.cos(x) * y
                y = y * 2
            e = np.cos(x) * y
            return (a, b, c, d, e)
    """)
    assert "b = a + 1" in source
    assert source.count("np.cos(x) * y") == 4 and count == 1, source   # a, c, d (y changes in the loop), e


def test_a_loop_body_reuses_what_the_loop_does_not_change():
    source, count = _cse("""
        def g(x, y):
            a = x.T
            for i in range(3):
                b = x.T @ y
                y = b
            return (a, y)
    """)
    assert "b = a @ y" in source and count == 1


def test_new_containers_and_effects_are_never_shared():
    source, count = _cse("""
        def g(x):
            stack = []
            out = []
            stack.append(x)
            return (stack.pop(), out)
    """)
    assert "out = []" in source and count == 0
    source, count = _cse("""
        def g(x):
            a = np.zeros(3)
            b = np.zeros(3)
            a.fill(2.0)
            return (a, b)
    """)
    assert "b = np.zeros(3)" in source and count == 0   # a method called for its effect: nothing shared
    source, count = _cse("""
        def g(x):
            a = np.random.normal(x)
            b = np.random.normal(x)
            return (a, b)
    """, pure=lambda call: "random" not in gast.unparse(call), effect_free=lambda call: True)
    assert count == 0


def log_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.log(1.0 + np.exp(z)) - y * z)


def test_a_mean_divides_its_cotangent_once():
    rng = np.random.default_rng(5)
    args = (rng.normal(size=4) * 0.3, 0.1, rng.normal(size=(7, 4)), (rng.random(7) < 0.5).astype(np.float64))
    check_grad(log_loss, args, (0, 1))
    source = _agree_with_unoptimized(log_loss, args, (0, 1), rtol=0.0)
    # the uniform cotangent of the mean is the number d_out / 7, never an array of it
    assert "np.full" not in source and "d_out / 7" in source, source
    assert "/ 7" not in source.replace("d_out / 7", ""), source
    assert "matmul_right_grad" not in source and "d_z @ X" in source


def test_a_repeated_part_is_named_once_unless_it_may_not_run():
    names = iter(f"common_{i}" for i in range(10))
    fn = gast.parse(textwrap.dedent("""
        def g(x, y):
            a = np.sin(x) * y + 1
            b = np.sin(x) * y - 2
            y = y + 1
            c = np.sin(x) * y
            d = np.cos(x) if a > 0 else np.cos(x) * 2
            e = np.cos(x) * 3
            return (a, b, c, d, e)
    """)).body[0]
    count, _ = eliminate_common_subexpressions(fn, lambda call: True, lambda call: True, "stack",
                                               lambda hint: next(names))
    source = gast.unparse(fn)
    assert count > 0
    assert source.count("np.sin(x)") == 1 and source.count("* y") == 2, source
    assert "common_0 = common_1 * y" in source and "a = common_0 + 1" in source, source
    assert "b = common_0 - 2" in source, source
    assert "c = common_1 * y" in source, source          # y changed: the product is computed again
    assert source.count("np.cos(x)") == 3, source        # the conditional ones are left where they are
    assert source.index("common_1 = np.sin(x)") < source.index("common_0 = common_1 * y")


def rosenbrock_loop(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def gathers_with_repeats(x, idx):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.sin(x[idx]) * k) + np.sum(x[1:4] ** 2)
    return total


def test_element_reads_add_their_cotangent_in_place():
    """``x[i]`` read in a loop adds ``g`` at ``i`` of the owned accumulator (``d_x[i] += g``), not a zero
    array of ``x``'s size per read; repeated fancy indices still accumulate."""
    x = np.linspace(-1.0, 1.2, 12)
    source = _agree_with_unoptimized(rosenbrock_loop, (x,), (0,))
    assert "d_x_items[i] += " in source and "d_x_items[i_plus_1] += " in source and "getitem_grad" not in source
    assert "stack" not in source  # the loop's values are known scalars: nothing kept for their shapes
    check_grad(rosenbrock_loop, (x,), 0)
    idx = np.array([0, 2, 2, 5, 0])
    source = _agree_with_unoptimized(gathers_with_repeats, (x, idx), (0,))
    assert "add_at(d_x, idx, " in source and "d_x[1:4] += " in source
    check_grad(gathers_with_repeats, (x, idx), 0)


def test_element_reads_of_a_value_handed_out_keep_their_own_zeros():
    def reads_and_returns_copy(x):
        y = x * 1.0
        return y[0] * y[1] + x[2]

    source = _agree_with_unoptimized(reads_and_returns_copy, (np.arange(1.0, 4.0),), (0,))
    check_grad(reads_and_returns_copy, (np.arange(1.0, 4.0),), 0)
    assert "getitem_grad" in source  # y's cotangent is no parameter accumulator


def rosenbrock_slices(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_slice_reads_add_into_the_first_slices_cotangent():
    """The first ``getitem_grad`` of a parameter is a fresh array of its shape: the other slices' cotangents
    are added into it in place, and static shapes (``x[:-1]``) leave no ``unbroadcast`` behind."""
    x = np.linspace(-1.0, 1.2, 9)
    source = _agree_with_unoptimized(rosenbrock_slices, (x,), (0,))
    assert "d_x[1:] += " in source and "d_x[:-1] += " in source
    assert "unbroadcast" not in source and "repeat_reduced" not in source
    check_grad(rosenbrock_slices, (x,), 0)


def _tanh_layer_of(gain):
    def tanh_layer(W, x):
        return np.tanh(gain * (x @ W))
    return tanh_layer


tanh_layer = _tanh_layer_of(1.0)  # a closure: called, not inlined


def layers_over_data(W, xs):
    total = 0.0
    for k in range(3):
        total = total + np.sum(tanh_layer(W, xs[k]))
    return total


def small_tanh_layer(W, x):
    return np.tanh(x @ W)


def inlined_layers_over_data(W, xs):
    total = 0.0
    for k in range(3):
        total = total + np.sum(small_tanh_layer(W, xs[k]))
    return total


def test_a_callee_does_not_differentiate_what_its_caller_holds_constant():
    """``tanh_layer(W, xs[k])`` with the data inactive: the helper's backward computes no cotangent for
    ``x`` (a matrix product thrown away), and the gradient is unchanged."""
    W = np.random.default_rng(1).standard_normal((4, 5))
    xs = np.random.default_rng(2).standard_normal((3, 6, 4))
    check_grad(layers_over_data, (W, xs), 0)
    source = srcgrad.show(layers_over_data, W, xs)
    assert "with_constants(tanh_layer, (1,))" in source
    helper = source[source.index("def tanh_layer_grad"):]
    assert "d_x = " not in helper and "return (d_W,)" in helper
    check_grad(inlined_layers_over_data, (W, xs), 0)
    inlined = srcgrad.show(inlined_layers_over_data, W, xs)
    code = [line for line in inlined.splitlines() if not line.strip().startswith("#")]
    assert "call_with_vjp" not in inlined and sum(line.count(" @ ") for line in code) == 2, inlined


def rosenbrock_vectorised(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def mean_logistic(w, X, y):
    return np.mean(np.logaddexp(0.0, -y * (X @ w)))


def test_a_uniform_cotangent_is_its_scalar():
    """The cotangent of a sum or a mean multiplies as the number it is (``d_out * 2 * v``), never as an
    array of it; a scalar factor of it stays a scalar (``d_out * 100.0 * 2 * v``)."""
    x = np.linspace(-1.0, 1.5, 7)
    check_grad(rosenbrock_vectorised, (x,), 0)
    source = _agree_with_unoptimized(rosenbrock_vectorised, (x,), (0,), rtol=0.0)
    assert "np.full" not in source and "d_out * 100.0 * 2 * " in source, source
    rng = np.random.default_rng(3)
    args = (rng.normal(size=3), rng.normal(size=(6, 3)), np.sign(rng.normal(size=6)))
    check_grad(mean_logistic, args, 0)
    source = _agree_with_unoptimized(mean_logistic, args, (0,), rtol=0.0)
    assert "np.full" not in source and "d_out / 6 / (1.0 + np.exp(" in source, source


def test_a_uniform_cotangent_of_float32_values_stays_an_array():
    """A Python float times a float32 array is float32, where the float64 array of ``np.full`` made the
    product float64 before: in code that is not all float64 the array stays."""
    x = np.linspace(-1.0, 1.5, 7).astype(np.float32)
    source = srcgrad.show(rosenbrock_vectorised, x)
    assert "np.full" in source or "repeat_reduced" in source, source
    gradient = srcgrad.grad(rosenbrock_vectorised)(x)
    expected = srcgrad.grad(rosenbrock_vectorised)(x.astype(np.float64))
    assert gradient.dtype == np.float32
    np.testing.assert_allclose(gradient, expected, rtol=1e-5)


def heat(u0, c):
    u = u0
    for _ in range(4):
        u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return np.sum(u * u)


def test_slice_cotangents_of_a_shrinking_array_are_added_in_place():
    """``u = u[1:-1] + c * (u[:-2] - ...)``: ``u`` has another shape on each trip, so no static shape; the
    cotangents of its three slices are added into one new array of its shape, not three."""
    u0, c = np.linspace(0.0, 1.0, 12) ** 2, 0.3
    check_grad(heat, (u0, c), (0, 1))
    source = _agree_with_unoptimized(heat, (u0, c), (0, 1), rtol=0.0)
    assert source.count("add_element(d_u, ") == 3 and "d_u = d_u + getitem_grad(" not in source, source


def ones_beside(x):
    n = x.shape[0]
    stacked = np.hstack((x[:, None], np.ones((n, 1))))
    return np.sum(stacked * stacked)


def test_shapes_computed_from_shapes_are_known():
    """``n = x.shape[0]`` is a number fixed by the signature: ``np.ones((n, 1))`` has a known shape, and so
    has the ``hstack`` of it, so the adjoint needs no run-time broadcasting helper."""
    x = np.array([0.5, -1.0, 2.0])
    check_grad(ones_beside, (x,), 0)
    source = _agree_with_unoptimized(ones_beside, (x,), (0,), rtol=0.0)
    assert "unbroadcast" not in source and "repeat_reduced" not in source, source


def bilinear(W, x, z):
    return np.sum(np.einsum("ni,kij,nj->nk", x, W, z) ** 2)


def test_an_einsum_computes_only_the_cotangents_asked_for():
    """The einsum rule returns every operand's cotangent at once (``einsum_grads``); inlined, it computes
    the one of ``W`` alone, not those of the data ``x`` and ``z`` too (``helpers.ONE_PARTIAL``)."""
    rng = np.random.default_rng(6)
    args = (rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4)))
    check_grad(bilinear, args, 0)
    source = _agree_with_unoptimized(bilinear, args, (0,), rtol=0.0)
    assert source.count("einsum_grad_at(") == 1 and "einsum_grads(" not in source, source
    both = _agree_with_unoptimized(bilinear, args, (0, 2), rtol=0.0)
    assert both.count("einsum_grad_at(") == 2, both


def horner(coef, x):
    p = coef[-1]
    for k in range(coef.shape[0] - 2, -1, -1):
        p = p * x + coef[k]
    return np.sum(p * p)


def test_a_value_computed_the_same_way_from_either_shape_has_one():
    """``p`` is a number, then an array: it has no one shape, but ``p * x`` has ``x``'s whichever it is,
    so the loop's adjoint needs neither a run-time broadcasting helper for it nor its value."""
    coef, x = np.array([0.5, -1.0, 0.25, 2.0]), np.linspace(-1.0, 1.0, 6)
    check_grad(horner, (coef, x), (0, 1))
    source = _agree_with_unoptimized(horner, (coef, x), (0, 1), rtol=0.0)
    assert "stack.append(p_times_x)" not in source and ".sum(axis=(0,))" in source, source
    assert "unbroadcast(d_p, p_times_x)" not in source, source


def slices_of_other_lengths(x):
    return np.sum(x[1:] * x[:-2]) + np.sum(np.tanh(x[1:-1]) * x[2:])


def slices_after_a_rebinding(x):
    y = x[1:-1]
    x = x * 2.0
    z = x[1:-1]
    total = np.sum(np.sin(y + z) * x[:-2])
    for _ in range(3):
        x = x[1:] * 0.5 + x[:-1] ** 2
        total = total + np.sum(x * x[-1])
    return total


def test_slices_of_one_value_are_known_to_have_one_shape():
    """``u[1:-1]``, ``u[:-2]`` and ``u[2:]`` of the same ``u`` have one length whatever ``u``'s, so the
    stencil's adjoint has no run-time broadcasting helper and keeps nothing for one; slices of other
    lengths (``x[1:]`` and ``x[:-2]``, which broadcast when one has length 1) are never taken for equal."""
    u0, c = np.linspace(0.0, 1.0, 12) ** 2, 0.3
    source = _agree_with_unoptimized(heat, (u0, c), (0, 1), rtol=0.0)
    loop = source[source.index("for _ in reversed"):]
    # the scalar c's cotangent: the sum of a product, one dot product (the cotangent's shape is not static)
    assert "unbroadcast" not in loop and "sum_of_product(d_u, u_item_1_minus_1, c)" in loop, source
    assert "stack.append(u_item_1_minus_1)" in source and source.count("stack.append(") == 3, source
    three = np.array([0.3, -0.8, 1.1])  # x[1:] (2 long) and x[:-2] (1 long) broadcast
    check_grad(slices_of_other_lengths, (three,), 0)
    _agree_with_unoptimized(slices_of_other_lengths, (three,), (0,))
    for x in (np.linspace(-1.0, 1.0, 5), np.linspace(-1.0, 1.0, 7)):
        check_grad(slices_after_a_rebinding, (x,), 0)
        _agree_with_unoptimized(slices_after_a_rebinding, (x,), (0,))


def test_large_temporaries_are_released_after_their_last_read():
    """With 20,000 elements each temporary is fresh memory: the code releases each after its last read
    (``del``), as one expression would; with 7 it does not, and reads as before."""
    large = np.linspace(-1.2, 1.4, 20000)
    source = _agree_with_unoptimized(rosenbrock_vectorised, (large,), (0,), rtol=0.0)
    assert "del x_item_1_pow" in source and "del d_v1_0_minus_x" in source, source
    assert "del x_item_1\n" not in source  # a view holds no memory of its own
    small = srcgrad.show(rosenbrock_vectorised, np.linspace(-1.2, 1.4, 7))
    assert "del " not in small
    check_grad(rosenbrock_vectorised, (large[:2000].copy(),), 0)
