"""The optimization passes as data: each pass of ``srcgrad.passes.OPTIMIZATIONS`` changes the code of at
least one small function here while its gradient stays right; ``show(passes=True)`` shows them; the
iterations that must converge fail loudly when they do not; docs/design.md lists the passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from gradcheck import check_grad

import srcgrad
from srcgrad.codegen import to_source
from srcgrad.passes import AFTER_DERIVING, OPTIMIZATIONS, RELEASE, WITHOUT_OUTPUT, run_passes
from srcgrad.pipeline import reverse_variants
from srcgrad.transform.fixpoint import FixpointError, iterate_to_fixpoint

ROOT = Path(__file__).resolve().parents[2]


def mean_square(w, x, y):
    h = np.tanh(x @ w)
    return np.mean((h - y) ** 2)


def doubling(x, n):
    y = x * 1.0
    for _ in range(n):
        y = y * 2.0
    return np.sum(y * y)


def rosenbrock_loop(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def negated(x):
    return np.sum(-np.sin(x) * x)


def large_energy(x):
    return np.sum(np.tanh(x) ** 2)


RNG = np.random.default_rng(3)
SMALL = {
    "mean_square": (mean_square, (RNG.normal(size=3), RNG.normal(size=(8, 3)), RNG.normal(size=8))),
    "doubling": (doubling, (RNG.normal(size=4), 3)),
    "rosenbrock_loop": (rosenbrock_loop, (RNG.normal(size=6),)),
    "negated": (negated, (RNG.normal(size=5),)),
    "large_energy": (large_energy, (RNG.normal(size=20_000),)),
}


def _trace(fn, args):
    trace: list[tuple[str, str]] = []
    reverse_variants(fn, (0,), (False,), examples=args, trace=trace)
    return trace


def _changed_by(fn, args) -> set[str]:
    trace = _trace(fn, args)
    return {step for (step, source), (_, before) in zip(trace[1:], trace) if source != before}


def test_the_list_is_data_with_unique_names_and_real_modules():
    names = [step.name for step in OPTIMIZATIONS]
    assert len(names) == len(set(names)) == 11
    for step in OPTIMIZATIONS:
        assert (ROOT / "srcgrad" / step.module).is_file(), step.module
        assert step.summary and callable(step.run) and callable(step.applies)


def test_every_pass_changes_some_small_function():
    changed: set[str] = set()
    for fn, args in SMALL.values():
        changed |= _changed_by(fn, args)
    assert changed == {step.name for step in OPTIMIZATIONS} | {WITHOUT_OUTPUT}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_optimized_gradients_stay_right(name):
    fn, args = SMALL[name]
    if name == "large_energy":
        x = args[0]
        got = srcgrad.grad(fn)(x)
        t = np.tanh(x)
        np.testing.assert_allclose(got, 2 * t * (1 - t * t), rtol=1e-14)
        assert got.dtype == np.float64 and got.shape == x.shape
        return
    check_grad(fn, list(args))


def test_the_trace_starts_before_the_passes_and_ends_with_the_code_that_runs():
    fn, args = SMALL["rosenbrock_loop"]
    trace = _trace(fn, args)
    assert trace[0][0] == "reverse"
    # the passes the variant with the output runs (the shared ones first), then the variant without it is
    # made from that code, and the passes the output may have held back run again before the last ones
    steps = [step for step, _ in trace[1:]]
    split = steps.index(WITHOUT_OUTPUT)
    ran = dict(trace)
    assert steps[:split] == [s.name for s in OPTIMIZATIONS if s not in RELEASE and s.name in ran]
    assert steps[split + 1:] == [s.name for s in AFTER_DERIVING + RELEASE if s.name in ran]
    assert {"dead-code", "negations"} <= set(steps[split + 1:])
    generated = reverse_variants(fn, (0,), (False,), examples=args)[False]
    body = [line for line in generated.source.splitlines() if not line.lstrip().startswith("#")]
    assert body == [line for line in trace[-1][1].splitlines() if not line.lstrip().startswith("#")]


def test_run_passes_runs_a_chosen_list():
    fn, args = SMALL["negated"]
    trace: list[tuple[str, str]] = []
    reverse_variants(fn, (0,), (False,), examples=args, trace=trace)
    assert "negations" in dict(trace)
    assert run_passes.__defaults__[0] is OPTIMIZATIONS


def test_show_passes_prints_each_change():
    fn, args = SMALL["mean_square"]
    shown = srcgrad.show(fn, *args, passes=True)
    assert shown.startswith("# ---- the reverse transformation, before any optimization\n")
    assert "# ---- after uniform-scalars: " in shown and "# ---- after dead-code: " in shown
    assert "# ---- strength-reduction: no change" in shown
    with pytest.raises(ValueError, match="reverse-mode optimizations"):
        srcgrad.show(fn, *args, passes=True, mode="forward")


def test_an_iteration_that_does_not_converge_fails_loudly():
    rounds = []
    assert iterate_to_fixpoint(lambda: len(rounds) < 3 and not rounds.append(1), 10, "a test") == 4
    with pytest.raises(FixpointError, match="a growing set did not converge in 5 rounds"):
        iterate_to_fixpoint(lambda: True, 5, "a growing set")
    asked: list[int] = []
    assert iterate_to_fixpoint(lambda: False, lambda: asked.append(1) or 3, "a settled set") == 1
    assert asked == []   # a bound given as a function is worked out only when a second round is needed
    calls: list[int] = []
    with pytest.raises(FixpointError, match="in 3 rounds"):
        iterate_to_fixpoint(lambda: not calls.append(1), lambda: asked.append(1) or 3, "a growing set")
    assert asked == [1] and len(calls) == 3


def test_the_design_doc_lists_the_passes():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_pass_doc.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = (ROOT / "docs" / "design.md").read_text()
    for step in OPTIMIZATIONS:
        assert f"| `{step.name}` | `{step.module}` |" in text
    from srcgrad.pipeline import STAGES

    for stage in STAGES:
        assert f"| {stage.name} | {stage.modules} |" in text


def test_the_front_end_runs_its_stages_in_order_each_filling_in_its_part():
    from srcgrad.front_end import FRONT_END, run_front_end

    seen = []
    traced = [type(stage)(stage.name, stage.modules, stage.summary,
                          lambda front, stage=stage: seen.append(stage.name) or stage.run(front)) for stage in FRONT_END]
    front = run_front_end(mean_square, (0,), False, False, False, (np.ones((3, 2)), np.ones((4, 3)), np.ones(4)),
                          stages=traced, record_stages=True)
    assert seen == [stage.name for stage in FRONT_END] == [
        "parse", "check", "aliasing", "desugar", "ANF", "inline", "resolve", "default deny", "activity"]
    assert front.params == ["w", "x", "y"] and front.argnums == (0,)
    assert "x @ w" in front.stages["desugar"] and "np.tanh(x_at_w)" in front.stages["anf"]
    assert {"w", "x_at_w", "h"} <= front.varied and "x" not in front.varied and "y" not in front.varied
    assert "w" in front.active and "x" not in front.active
    # the stages before one are what it needs: stopping after A-normal form leaves the analyses undone
    partial = run_front_end(mean_square, (0,), False, False, False, None, stages=FRONT_END[:5])
    assert partial.core is not None and partial.resolver is None and partial.active == set()


def test_a_front_end_stage_refuses_at_its_place():
    from srcgrad.errors import SrcgradSyntaxError
    from srcgrad.front_end import FRONT_END, run_front_end

    def no_return(x):
        y = x * 2.0

    run_front_end(no_return, (0,), False, False, False, None, stages=FRONT_END[:6])  # fine until the output
    with pytest.raises(SrcgradSyntaxError, match="must end with a return"):
        run_front_end(no_return, (0,), False, False, False, None, stages=FRONT_END[:7])
    with pytest.raises(ValueError, match="argnums 3 is out of range"):
        run_front_end(mean_square, (3,), False, False, False, None, stages=FRONT_END[:3])


def test_the_shared_passes_run_once_on_the_sweeps_both_variants_are_copied_from(monkeypatch):
    import srcgrad.pipeline as pipeline
    from srcgrad.passes import PER_VARIANT, SHARED, Pass

    assert [step.name for step in SHARED] == ["common-subexpressions"]
    assert OPTIMIZATIONS == SHARED + PER_VARIANT      # the shared passes come first in the list
    seen = []

    def counting(fn, context):
        seen.append(to_source(fn))
        return SHARED[0].run(fn, context)

    monkeypatch.setattr(pipeline, "SHARED", (Pass("common-subexpressions", "", "transform/cse.py", counting,
                                                  shared=True),))
    fn, args = SMALL["mean_square"]
    variants = pipeline.reverse_variants(fn, (0,), (False, True), examples=args)
    assert len(seen) == 1
    assert seen[0].splitlines()[0].startswith("def mean_square_grad(w, x, y, d_out):")
    assert seen[0].rstrip().splitlines()[-1].strip().startswith("return (d_w, ")   # every parameter's gradient
    without, with_value = variants[False], variants[True]
    assert without.source.rstrip().endswith("return (d_w,)")
    assert with_value.source.rstrip().splitlines()[-1].strip().endswith(", (d_w,))")
    w, x, y = args
    value, (gradient,) = with_value.function(w, x, y, 1.0)
    (alone,) = without.function(w, x, y, 1.0)
    np.testing.assert_array_equal(gradient, alone)
    assert value == mean_square(w, x, y) and gradient.shape == w.shape and gradient.dtype == np.float64
    check_grad(fn, list(args))


def test_values_read_only_for_their_shapes_are_not_kept():
    """Shape specialization runs on the adjoint sweep before the storage plan: ``unbroadcast(d, x)`` with x of
    the result's shape becomes ``d``, so the loop keeps no stack of x's values."""
    def loop(x, b):
        y = x
        for _ in range(3):
            y = np.tanh(y) + b
        return np.sum(y)

    args = (RNG.normal(size=4), RNG.normal(size=4))
    source = reverse_variants(loop, (0, 1), (False,), examples=args)[False].source
    assert "unbroadcast" not in source
    generic = reverse_variants(loop, (0, 1), (False,), examples=None)[False].source
    assert "unbroadcast" in generic
    check_grad(loop, list(args), argnums=(0, 1))


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_variant_without_the_output_is_the_same_code_asked_for_alone_or_with_the_other(name):
    """It is made from the optimized variant with the output in both cases, so what ``show`` prints is what
    ``grad`` runs after its first call."""
    fn, args = SMALL[name]
    alone = reverse_variants(fn, (0,), (False,), examples=args)[False].source
    both = reverse_variants(fn, (0,), (False, True), examples=args)
    assert both[False].source == alone
    assert both[True].source != alone


def test_the_variant_without_the_output_drops_what_only_computed_it():
    def f(x):
        y = np.sin(x) * x
        return np.sum(y * y) + np.sum(np.exp(y))

    x = np.linspace(-1.0, 1.0, 5)
    both = reverse_variants(f, (0,), (False, True), examples=(x,))
    def code(source: str) -> str:
        return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))

    assert code(both[True].source).count("np.sum(") == 2
    plain = code(both[False].source)
    assert "np.sum(" not in plain and "np.exp(y)" in plain   # (the adjoint of exp reads it)
    y = np.sin(x) * x
    expected = (2 * y + np.exp(y)) * (np.cos(x) * x + np.sin(x))
    got = both[False].function(x, 1.0)
    np.testing.assert_allclose(got[0], expected, rtol=1e-13)
    value, (grad,) = both[True].function(x, 1.0)
    assert value == pytest.approx(np.sum(y * y) + np.sum(np.exp(y)), rel=1e-14)
    np.testing.assert_array_equal(grad, got[0])


DEAD_CODE_CASES = {
    "chain": "a = x + 1\nb = a * 2\nc = b - x\nd = c * c\ny = x * 3\nreturn y",
    "branch": "a = x + 1\nif x > 0:\n    b = a * 2\n    c = b\nelse:\n    c = x\nd = c + a\nreturn x * 2",
    "loop": "a = x\nb = x\nfor i in range(3):\n    c = b * 2\n    b = a + c\n    a = a + 1\nd = b\nreturn a",
    "nested": "s = x\nfor i in range(2):\n    t = s * 2\n    for j in range(2):\n        u = t + j\n        t = u\n"
              "    s = s + 1\nreturn s",
}


@pytest.mark.parametrize("name", sorted(DEAD_CODE_CASES))
def test_dead_code_elimination_leaves_a_fixpoint(name):
    """One pass over code without loops, more only after a loop: either way a second run removes nothing,
    and what stays is what the result needs."""
    import gast

    from srcgrad.transform.optimize import eliminate_dead_code

    body = "\n".join("    " + line for line in DEAD_CODE_CASES[name].splitlines())
    fn = gast.parse(f"def f(x):\n{body}\n").body[0]
    pure = lambda call: True
    once = eliminate_dead_code(fn, pure)
    text = gast.unparse(once)
    assert gast.unparse(eliminate_dead_code(once, pure)) == text
    namespace: dict = {}
    exec(compile(gast.unparse(gast.parse(f"def f(x):\n{body}\n")), "<original>", "exec"), namespace)
    exec(compile(text, "<pruned>", "exec"), pruned := {})
    assert pruned["f"](1.5) == namespace["f"](1.5)
    assert {"chain": "a =" not in text and "d =" not in text, "branch": "d =" not in text and "b =" not in text,
            "loop": "c =" not in text and "d =" not in text, "nested": "u =" not in text}[name]
