"""The reverse-mode pipeline, stage by stage (docs/design.md §2).

The front end (``front_end.FRONT_END``: parse → check → aliasing → desugar → A-normal form → inline →
resolve → default deny → activity), then ``BACK_END``: the reverse transform, the optimizations
(``passes.OPTIMIZATIONS``) and code generation. Each stage is a function or a small
``gast.NodeTransformer`` of its own module; this file only composes them, so the order is visible in one
place."""

from __future__ import annotations

import functools
import gc
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from .analysis.invariance import shift_invariant_reductions
from .analysis.same_shapes import same_shape_operands
from .analysis.shapes import infer_shapes
from .analysis.walk import name_nodes, statements, walk
from .codegen import compile_function, to_source
from .errors import MissingRuleError
from .front_end import FRONT_END, ITERATION_BUILTINS, Stage, pure_helper, run_front_end
from .frontend.inline_helpers import Inlined
from .frontend.parse import ParsedFunction, Scope
from .frontend.resolve import UNRESOLVED
from .function_values import call_value_holding, call_value_with_vjp
from .naming import Names, Namespace, identifiers
from .passes import AFTER_DERIVING, BEFORE_RELEASE, RELEASE, SHARED, WITHOUT_OUTPUT, PassContext, run_passes
from .runtime import (
    call_with_vjp,
    with_constants,
    zero_cotangent,
)
from .transform.accumulate import stays_float64
from .transform.builders import annotate_lines, assign, comment, name
from .transform.clone import clone
from .transform.forward import ForwardMode
from .transform.optimize import eliminate_dead_code, propagate_copies
from .transform.reverse import ReverseMode
from .transform.uniform import shape_lookup

# What follows the front end, in the order ``reverse_variants`` runs it (for docs/design.md's stage table).
BACK_END: tuple[Stage, ...] = (
    Stage("reverse", "`transform/reverse.py`",
          "forward sweep + adjoint sweep; lazy zeros (the first contribution assigns; the sweep itself never adds "
          "in place, so aliased cotangents are safe); rules inlined; the adjoint sweep specialized to the static "
          "shapes (`transform/specialize.py`) before the storage plan, so values read only for their shapes are "
          "not kept"),
    Stage("optimize", "`passes.py`",
          "the passes of `OPTIMIZATIONS` below: the shared ones once on both sweeps, then the others on the "
          "variant with the output; the variant without it is made from that code (the output no longer "
          "returned, dead code and negations again), then both are released"),
    Stage("codegen", "`codegen.py`, `naming.py`",
          "`gast.unparse`, comment markers → `# line N: <your line>`, `linecache` registration, a namespace of the "
          "user's names plus the objects rules refer to, under collision-free names"),
)
STAGES: tuple[Stage, ...] = FRONT_END + BACK_END


@dataclass
class Generated:
    """A generated function, its source, and the user names to refresh in its globals before each call."""

    function: Callable
    source: str
    namespace: dict[str, Any]
    user_names: list[str]
    scope: Scope
    inlined: Inlined = field(default_factory=Inlined)
    compiled: dict[str, Any] = field(default_factory=dict)   # compiler -> its version of the function (jvp)

    def current(self) -> bool:
        """Whether the helpers inlined into the code are still what the user's names mean."""
        return not self.inlined.helpers or self.inlined.current()

    def refresh(self) -> None:
        """Rebind the user's globals and closure values, so that rebinding a global is seen."""
        if self.user_names:
            lookup, namespace = self.scope.lookup, self.namespace
            for user_name in self.user_names:
                namespace[user_name] = lookup(user_name, None)


def _collector_paused(transform: Callable) -> Callable:
    """``transform`` run with Python's cycle collector paused (and left as it was after). A transformation
    makes and drops hundreds of thousands of tree nodes, which reference counting frees (trees hold no
    cycles); the collector's passes over them took a seventh of a 300-statement function's transformation
    and a third of a 1000-statement one's, a share that grows with the function."""
    @functools.wraps(transform)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return transform(*args, **kwargs)
        gc.disable()
        try:
            return transform(*args, **kwargs)
        finally:
            gc.enable()
    return paused


def reverse_transform(fn: Callable, argnums: tuple[int, ...], with_value: bool, has_aux: bool = False,
                      optimize: bool = True, examples: Sequence[Any] | None = None,
                      closure: bool = False, callee: bool = False) -> Generated:
    """Generate ``f_grad(*params, d_out)`` returning the gradients wrt ``argnums`` (and, with
    ``with_value``, the output first). ``examples`` are arguments of the signature the code is specialized
    for: their shapes let the transformer drop broadcasting reductions that cannot do anything."""
    return reverse_variants(fn, argnums, (with_value,), has_aux, optimize, examples, closure, callee)[with_value]


@_collector_paused
def reverse_variants(fn: Callable, argnums: tuple[int, ...], with_values: Sequence[bool], has_aux: bool = False,
                     optimize: bool = True, examples: Sequence[Any] | None = None,
                     closure: bool = False, callee: bool = False,
                     trace: list[tuple[str, str]] | None = None) -> dict[bool, Generated]:
    """``reverse_transform`` for each of ``with_values`` (with and without the output), from one run of
    the front end and the reverse transformer: ``grad``'s first call needs both variants, and the stages
    up to the generated function are most of the cost of transforming. ``trace`` collects the last
    variant's source before the optimizations and after each one that ran (``passes.py``)."""
    front = run_front_end(fn, argnums, has_aux, closure, callee, examples)
    _constant_arguments(front.core, front.active, front.resolver.callee, front.namespace)
    parsed, node, params, argnums, names, namespace = (front.parsed, front.parsed.node, front.params,
                                                        front.argnums, front.names, front.namespace)
    core, temps, returned, resolver, active = front.core, front.temps, front.returned, front.resolver, front.active

    shapes: dict[str, Any] = {}
    if examples is not None:
        integers = {s.target.id for s in statements(core.body) if isinstance(s, gast.For)}
        shapes = infer_shapes(core, dict(zip(params, examples)), resolver.shape_preserving_primitive, integers)

    grad_name = names.fresh(f"{node.name}_grad")
    seed = names.fresh("d_out")
    if optimize:
        # A stable softmax's maximum contributes nothing: hold it constant, as a hand-written gradient does.
        active = active - shift_invariant_reductions(core, resolver.callee, shapes)
    reverse = ReverseMode(core, temps, active, names, namespace, resolver.site, resolver.is_pure, parsed.line,
                          resolver.callee, shapes, resolver.sequences,
                          lambda node, message, hint: parsed.error(node, message, hint, cls=MissingRuleError),
                          front.complex_values)
    if optimize:
        reverse.same_shapes = same_shape_operands(core, shapes, resolver.callee)
    forward, adjoint, gradients = reverse.build(name(seed), returned)
    adjoint_heading = comment(" adjoint sweep")
    arguments = clone(node.args)
    arguments.args.append(name(seed, store=False))
    arguments.args[-1].ctx = gast.Param()
    arguments.defaults = []
    # the sweeps every variant is made from: the forward sweep, the adjoint sweep, every parameter's gradient
    sweeps = gast.FunctionDef(grad_name, arguments, [comment(" forward sweep"), *forward, adjoint_heading, *adjoint,
                                                     gast.Return(gast.Tuple(gradients, gast.Load()))], [], None, None)
    if trace is not None:
        trace.append(("reverse", to_source(sweeps)))

    def lookup(user_name: str) -> Any:
        return namespace.bindings.get(user_name, parsed.scope.lookup(user_name, None))

    def context(is_pure: Callable[[gast.expr], bool], in_place: bool) -> PassContext:
        return PassContext(is_pure, resolver.callee, lookup, namespace.ref, namespace,
                           dict(zip(params, examples)) if examples is not None else None, shapes,
                           shape_lookup(shapes, reverse.primal_of, seed, returned), in_place, zero_cotangent,
                           effect_free, fresh, reverse.stack)

    def pure(call: gast.Call) -> bool:
        return resolver.is_pure(call) or pure_helper(resolver.callee(call.func))

    def effect_free(call: gast.Call) -> bool:
        return pure(call) or resolver.callee(call.func) in ITERATION_BUILTINS

    made: list[Names] = []

    def fresh(hint: str) -> str:
        if not made:   # most functions need no new name: look at the code only when one does
            made.append(Names(names.taken | identifiers(sweeps)))
        new_name = made[0].fresh(hint)
        names.reserve(new_name)
        return new_name

    if optimize:
        sweeps = run_passes(sweeps, context(pure, False), SHARED, trace)
    at = next(i for i, statement in enumerate(sweeps.body) if statement is adjoint_heading)
    # The variant without the output is the optimized one with it, less what only computed the output
    # (``_without_value``): built so whether it is asked for alone or with the other, it is the same code.
    derive = optimize and False in with_values
    built = [True] if derive else list(with_values)
    trees: dict[bool, tuple[gast.FunctionDef, gast.stmt]] = {}   # each variant's tree, and its adjoint heading
    for k, with_value in enumerate(built):
        # Each variant is optimized in place, so all but the last work on a copy.
        generated = sweeps if k == len(built) - 1 else clone(sweeps)
        heading = generated.body[at]
        every_gradient = generated.body[-1].value.elts
        results = gast.Tuple([every_gradient[i] for i in argnums], gast.Load())
        if with_value:
            # The adjoint sweep restores overwritten variables, so the value is captured where it is final.
            value = core.body[-1].value if has_aux else returned
            captured = names.fresh("out")
            generated.body.insert(at, assign(captured, clone(value)))
            results = gast.Tuple([name(captured), results], gast.Load())
        generated.body[-1] = gast.Return(results)
        if optimize:
            # ``+=`` and scalars for uniform arrays only where the seed is the 1.0 of ``grad`` (a vjp's
            # cotangent may be complex) and every value is float64
            in_place = (examples is not None and not closure and not callee
                        and stays_float64(generated, examples, lookup))
            passes = context(resolver.is_pure, in_place)
            # ``trace`` follows the variant asked for last (``show`` asks for one): with a derived variant
            # without the output, the passes they share, then the ones of the variant asked for
            last = k == len(built) - 1
            generated = run_passes(generated, passes, BEFORE_RELEASE, trace if last else None)
            traced = trace if last else None
            if derive:
                kept = True in with_values
                plain = clone(generated) if kept else generated
                plain_heading = plain.body[generated.body.index(heading)] if kept else heading
                plain_trace = trace if with_values[-1] is False else None
                plain = _without_value(plain, passes, plain_trace)
                trees[False] = (run_passes(plain, passes, RELEASE, plain_trace), plain_heading)
                if not kept:
                    break
                traced = trace if with_values[-1] is True else None
            generated = run_passes(generated, passes, RELEASE, traced)
        trees[with_value] = (generated, heading)

    def finished(generated: gast.FunctionDef, heading: gast.stmt) -> Generated:
        if closure:
            generated = _split_into_closure(generated, heading, names.fresh(f"{node.name}_backward"),
                                            seed, reverse.stack, namespace.ref(list))
        generated.body = [comment(_variant_note(params, examples)), *annotate_lines(generated.body, parsed.line,
                                                                                    parsed.where)]
        return _compile(generated, grad_name, parsed, namespace, f"reverse argnums={argnums}", front.inlined)

    return {with_value: finished(*trees[with_value]) for with_value in with_values}


def _without_value(generated: gast.FunctionDef, passes: PassContext,
                   trace: list[tuple[str, str]] | None) -> gast.FunctionDef:
    """The variant without the output, from the optimized one with it (before ``release``, whose ``del``
    statements dead-code elimination does not follow): ``return (out, grads)`` becomes ``return grads``.
    Then only the passes run again that the output's computation can have held back (``AFTER_DERIVING``:
    the code it alone needed is dead now, a negation it read can be folded), not every per-variant pass."""
    returned = generated.body[-1]
    returned.value = returned.value.elts[1]
    if trace is not None:
        trace.append((WITHOUT_OUTPUT, to_source(generated)))
    return run_passes(generated, passes, AFTER_DERIVING, trace)


@_collector_paused
def forward_transform(fn: Callable, argnums: tuple[int, ...], examples: Sequence[Any] | None = None,
                      callee: bool = False, optimize: bool = True) -> Generated:
    """Generate ``f_jvp(*params, *tangents) -> (out, out_tangent)``, with one tangent parameter per
    argument in ``argnums``."""
    front = run_front_end(fn, argnums, False, True, callee, examples)
    parsed, params, names, namespace = front.parsed, front.params, front.names, front.namespace
    forward = ForwardMode(front.core, front.active, names, namespace, front.resolver.site, front.resolver.callee,
                          front.resolver.sequences, parsed.error)
    tangent_params = [forward.tangent(params[i]) for i in front.argnums]
    # a parameter held fixed that becomes active (``x = W @ x`` differentiated in W only) starts at zero
    held = [forward.zero(p) for i, p in enumerate(params) if p in front.active and i not in front.argnums]
    body = held + forward.block([s for s in front.core.body if not isinstance(s, gast.Return)])
    returned = front.returned
    outputs = returned.elts if isinstance(returned, gast.Tuple) else [returned]
    tangents = [forward.tangent_of(o) for o in outputs]
    results = gast.Tuple([clone(returned),
                          gast.Tuple(tangents, gast.Load()) if isinstance(returned, gast.Tuple) else tangents[0]],
                         gast.Load())
    arguments = clone(parsed.node.args)
    arguments.args += [gast.Name(t, gast.Param(), None, None) for t in tangent_params]
    arguments.defaults = []
    jvp_name = names.fresh(f"{parsed.node.name}_jvp")
    generated = gast.FunctionDef(jvp_name, arguments, body + [gast.Return(results)], [], None, None)
    if optimize:
        generated = eliminate_dead_code(propagate_copies(generated), front.resolver.is_pure)
    generated.body = [comment(_variant_note(params, examples)),
                      *annotate_lines(generated.body, parsed.line, parsed.where)]
    return _compile(generated, jvp_name, parsed, namespace, f"forward argnums={front.argnums}", front.inlined)


def _constant_arguments(core: gast.FunctionDef, active: set[str], callee: Callable[[gast.expr], Any],
                        namespace: Namespace) -> None:
    """Reverse mode: ``call_with_vjp(f, x, W)`` with ``x`` inactive → ``call_with_vjp(with_constants(f, (0,)),
    x, W)``, so that a Python callee is transformed without differentiating ``x`` (its cotangent, a matrix
    product for ``x @ W``, would be computed and thrown away)."""
    for node in statements(core.body):
        if not (isinstance(node, gast.Assign) and isinstance(node.value, gast.Call) and node.value.args
                and callee(node.value.func) in (call_with_vjp, call_value_with_vjp)):
            continue
        passed = node.value.args[1:]
        held = tuple(i for i, a in enumerate(passed)
                     if isinstance(a, gast.Constant) or (isinstance(a, gast.Name) and a.id not in active))
        positions = gast.Tuple([gast.Constant(i, None) for i in held], gast.Load())
        if callee(node.value.func) is call_value_with_vjp:
            # the callee holds differentiated values: it stays an argument of its own, with a cotangent
            if held:
                node.value.func = namespace.ref(call_value_holding)
                node.value.args.insert(0, positions)
        elif held and len(held) < len(passed) and _transformed_callee(callee(node.value.args[0])):
            # (all of them constant: call_plain's case)
            node.value.args[0] = gast.Call(namespace.ref(with_constants), [node.value.args[0], positions], [])


def _transformed_callee(target: Any) -> bool:
    """Whether a callee known at transform time is Python code srcgrad transforms (a function, a class it
    makes records of): for a rule, a custom_vjp or C code, constant arguments change nothing. A callee known
    only at run time may be any of these."""
    return target is UNRESOLVED or inspect.isfunction(target) or inspect.ismethod(target) or isinstance(target, type)


def _variant_note(params: Sequence[str], examples: Sequence[Any] | None) -> str:
    """The first line of generated code: which arguments it is for (``show`` and ``inspect`` print it)."""
    if examples is None:
        return " generic variant, for arguments of any shape; calls run code specialized to their arguments"
    return " specialized to " + ", ".join(f"{param}: {describe_argument(value)}"
                                          for param, value in zip(params, examples))


def describe_argument(value: Any) -> str:
    """``float64[3, 4]``, ``float``, ``list of 3``: an argument as a variant's signature sees it."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype}[{', '.join(str(n) for n in value.shape)}]"
    if isinstance(value, dict):
        return f"dict with keys {', '.join(repr(k) for k in value)}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def _compile(generated: gast.FunctionDef, name_: str, parsed: ParsedFunction, namespace: Namespace, kind: str,
             inlined: Inlined) -> Generated:
    source = to_source(generated)
    user_names = _free_user_names(generated, namespace, parsed)
    filename = f"<srcgrad {parsed.fn.__qualname__} {kind} ({parsed.filename}:{parsed.node.lineno})>"
    scope_namespace = dict(namespace.bindings)
    scope_namespace["__builtins__"] = __builtins__
    generated_fn = compile_function(source, name_, filename, scope_namespace)
    result = Generated(generated_fn, source, scope_namespace, user_names, parsed.scope, inlined)
    result.refresh()
    return result


def _split_into_closure(fn: gast.FunctionDef, heading: gast.stmt, backward_name: str, seed: str,
                        stack: str, list_ref: gast.expr) -> gast.FunctionDef:
    """Turn ``f_grad(*params, d_out) -> (out, grads)`` into ``f_vjp(*params) -> (out, f_backward)``, where
    ``f_backward(d_out)`` runs the adjoint sweep on the values the forward sweep left behind.

    Values the adjoint sweep reassigns (restored from the stack, recomputed) are bound as keyword defaults,
    and the stack is copied on entry, so the backward function can be called any number of times."""
    at = next(i for i, stmt in enumerate(fn.body) if stmt is heading)
    forward, adjoint, returned = fn.body[:at], fn.body[at:-1], fn.body[-1]
    value, gradients = returned.value.elts
    forward_names = {n.id for s in forward for n in walk(s) if isinstance(n, gast.Name)
                     and isinstance(n.ctx, gast.Store)} | {a.id for a in fn.args.args}
    adjoint_stores = {n.id for s in adjoint for n in walk(s) if isinstance(n, gast.Name)
                      and isinstance(n.ctx, gast.Store)}
    adjoint_loads = {n.id for s in adjoint for n in walk(s) if isinstance(n, gast.Name)
                     and isinstance(n.ctx, gast.Load)}
    rebound = sorted((adjoint_stores & forward_names) - {seed})
    prologue = []
    if stack in adjoint_loads:
        rebound = sorted(set(rebound) | {stack})
        prologue.append(assign(stack, gast.Call(list_ref, [name(stack)], [])))
    params = [gast.Name(n, gast.Param(), None, None) for n in rebound]
    arguments = gast.arguments([gast.Name(seed, gast.Param(), None, None)], [], None, params,
                               [name(n) for n in rebound], None, [])
    backward = gast.FunctionDef(backward_name, arguments, prologue + adjoint + [gast.Return(gradients)], [], None,
                                None)
    fn.args.args = [a for a in fn.args.args if a.id != seed]
    params_ = {a.id for a in fn.args.args}
    # A loop index or a branch-only variable may never be assigned; the default must still evaluate.
    unassigned = [assign(n, gast.Constant(None, None)) for n in rebound if n not in params_ and n != stack]
    fn.body = unassigned + forward + [backward, gast.Return(gast.Tuple([value, name(backward_name)], gast.Load()))]
    return fn


def _free_user_names(fn: gast.FunctionDef, namespace: Namespace, parsed: ParsedFunction) -> list[str]:
    assigned: set[str] = set()
    loaded: set[str] = set()
    for n in name_nodes(fn):
        (loaded if type(n.ctx) is gast.Load else assigned).add(n.id)
    assigned.update(s.name for s in statements(fn.body) if isinstance(s, gast.FunctionDef))
    return sorted(n for n in loaded - assigned - set(namespace.bindings) if parsed.scope.has(n))


__all__ = ["Generated", "reverse_transform", "reverse_variants"]
