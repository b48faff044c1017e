"""The optimizations run on each generated variant, as data: an ordered list of ``Pass`` records and one
driver (``run_passes``).

Every pass has the same shape, ``(function, context) -> function``: it rewrites the generated
``gast.FunctionDef`` (in place or into a new one) using only what ``PassContext`` offers. The list is what
the pipeline runs, what ``show(f, passes=True)`` and ``python -m srcgrad show --passes`` print the code
after, and what docs/design.md lists (``scripts/generate_pass_doc.py`` writes that table from it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gast

from .codegen import to_source
from .transform.accumulate import range_indices, specialize_accumulators
from .transform.cse import eliminate_to_fixpoint
from .transform.element_lists import accumulate_elements_in_lists
from .transform.loops import compose_scaling_loops
from .transform.optimize import eliminate_dead_code, propagate_copies
from .transform.peephole import fold_negations, hoist_invariants, merge_element_updates
from .transform.release import large, release_temporaries
from .transform.uniform import use_uniform_scalars


@dataclass
class PassContext:
    """What a pass may know about the function it rewrites.

    ``shapes`` maps variables to static shapes (empty without example arguments); ``shape_of`` also knows
    the adjoints and the seed. ``in_place``: every value is float64 and the seed is ``grad``'s 1.0, so
    accumulators may be updated in place and uniform arrays carried as scalars."""

    is_pure: Callable[[gast.expr], bool]
    callee: Callable[[gast.expr], Any]
    lookup: Callable[[str], Any]
    ref: Callable[[Any], gast.expr]
    namespace: Any
    examples: dict[str, Any] | None
    shapes: dict[str, Any]
    shape_of: Any
    in_place: bool
    zero_cotangent: Callable[[Any], Any]
    effect_free: Callable[[gast.expr], bool] = field(default=lambda call: False)
    fresh: Callable[[str], str] | None = None   # a new variable name from a hint
    stack: str = ""                             # the list the forward sweep pushes on


@dataclass(frozen=True)
class Pass:
    """One optimization: ``run`` rewrites the function when ``applies`` says the context calls for it.
    A ``shared`` pass runs once, on the sweeps every variant is made from (with and without the output),
    before the variants are copied; the others run on each variant."""

    name: str
    summary: str
    module: str
    run: Callable[[gast.FunctionDef, PassContext], gast.FunctionDef | None]
    applies: Callable[[gast.FunctionDef, PassContext], bool] = field(default=lambda fn, context: True)
    shared: bool = False


def _has_loop(fn: gast.FunctionDef, context: PassContext) -> bool:
    return any(isinstance(statement, gast.For) for statement in fn.body)


def _dead_code(fn: gast.FunctionDef, context: PassContext) -> gast.FunctionDef:
    return eliminate_dead_code(propagate_copies(fn), context.is_pure)


def _common_subexpressions(fn: gast.FunctionDef, context: PassContext) -> gast.FunctionDef:
    # copies first: a replaced value leaves a copy, and forwarding the ones there are can make expressions equal
    fn = propagate_copies(fn)
    eliminate_to_fixpoint(fn, context.is_pure, context.effect_free, propagate_copies, context.stack, context.fresh)
    return fn


def _uniform(fn: gast.FunctionDef, context: PassContext) -> None:
    use_uniform_scalars(fn, context.shape_of, context.callee)


def _scaling_loops(fn: gast.FunctionDef, context: PassContext) -> gast.FunctionDef:
    return compose_scaling_loops(fn, context.namespace, context.lookup)


def _accumulators(fn: gast.FunctionDef, context: PassContext) -> gast.FunctionDef:
    known = {variable for variable, shape in context.shapes.items() if shape is not None}
    return specialize_accumulators(fn, context.examples, context.zero_cotangent, context.ref, context.in_place,
                                   known)


def _negations(fn: gast.FunctionDef, context: PassContext) -> None:
    fold_negations(fn)


def _hoist(fn: gast.FunctionDef, context: PassContext) -> None:
    hoist_invariants(fn)


def _merge_elements(fn: gast.FunctionDef, context: PassContext) -> None:
    merge_element_updates(fn, range_indices(fn, context.ref))


def _element_lists(fn: gast.FunctionDef, context: PassContext) -> None:
    accumulate_elements_in_lists(fn, context.shape_of, context.ref, range_indices(fn, context.ref), context.fresh)


def _release(fn: gast.FunctionDef, context: PassContext) -> None:
    release_temporaries(fn, context.shape_of)


OPTIMIZATIONS: tuple[Pass, ...] = (
    Pass("common-subexpressions", "what both sweeps compute twice (a rule's partial repeating a forward value, "
         "two rules' equal parts) computed once", "transform/cse.py", _common_subexpressions, shared=True),
    Pass("uniform-scalars", "cotangents that are one value repeated (a sum's, a mean's) multiply as that scalar",
         "transform/uniform.py", _uniform, lambda fn, c: c.in_place and bool(c.shapes)),
    Pass("dead-code", "copies propagated, then what nothing reads removed (with grad, the forward value)",
         "transform/optimize.py", _dead_code),
    Pass("strength-reduction", "`v = v * c` in a range loop becomes one `scale_repeatedly(v, c, trips)` before it",
         "transform/loops.py", _scaling_loops),
    Pass("accumulators", "static zeros and `+=` for the accumulators the generated code owns",
         "transform/accumulate.py", _accumulators, lambda fn, c: c.examples is not None),
    Pass("negations", "negations folded into the expressions that read them", "transform/peephole.py",
         _negations),
    Pass("loop-copies", "the copies a loop's adjoint recomputes, forwarded once dead-code elimination left one "
         "assignment of each", "transform/optimize.py", _dead_code, _has_loop),
    Pass("hoist-invariants", "loop-invariant arithmetic moved out of loops", "transform/peephole.py", _hoist,
         _has_loop),
    Pass("merge-elements", "updates of one element of a cotangent merged into one", "transform/peephole.py",
         _merge_elements, lambda fn, c: c.in_place and _has_loop(fn, c)),
    Pass("element-lists", "a loop's updates of single elements of a float64 cotangent made on a Python list, "
         "an array again after the loop", "transform/element_lists.py", _element_lists,
         lambda fn, c: c.in_place and bool(c.shapes) and _has_loop(fn, c)),
    Pass("release", "large temporaries deleted after their last read", "transform/release.py", _release,
         lambda fn, c: c.in_place and any(large(shape) for shape in c.shapes.values())),
)


SHARED = tuple(step for step in OPTIMIZATIONS if step.shared)
PER_VARIANT = tuple(step for step in OPTIMIZATIONS if not step.shared)
# The variant without the output is made from the optimized one with it, before ``release`` (whose ``del``
# statements dead-code elimination does not follow): the output is no longer returned (``WITHOUT_OUTPUT``),
# the passes that what only computed it may have held back run again (``AFTER_DERIVING``), then both
# variants are released.
RELEASE = tuple(step for step in PER_VARIANT if step.name == "release")
BEFORE_RELEASE = tuple(step for step in PER_VARIANT if step not in RELEASE)
AFTER_DERIVING = tuple(step for step in BEFORE_RELEASE if step.name in ("dead-code", "negations", "loop-copies"))
WITHOUT_OUTPUT = "without-output"
WITHOUT_OUTPUT_SUMMARY = ("the variant without the output made from the one with it: the output is no longer "
                          "returned (the passes what computed it may have held back run again)")


def run_passes(fn: gast.FunctionDef, context: PassContext, passes: Sequence[Pass] = OPTIMIZATIONS,
               trace: list[tuple[str, str]] | None = None) -> gast.FunctionDef:
    """Run ``passes`` in order; with ``trace``, append ``(pass name, source after it)`` for each that ran."""
    for step in passes:
        if not step.applies(fn, context):
            continue
        result = step.run(fn, context)
        fn = fn if result is None else result
        if trace is not None:
            trace.append((step.name, to_source(fn)))
    return fn
