"""The front end every transformation starts from, as data: an ordered list of ``Stage`` records.

parse → check → aliasing → desugar → A-normal form → inline → resolve → default deny → activity. Each
stage reads and fills a ``FrontEnd`` record (the parsed function, its core-language body, the analyses);
``run_front_end`` runs them in order. Reverse and forward mode share it; ``pipeline.py`` continues with
the reverse transformer, the optimizations (``passes.py``) and code generation. docs/design.md's stage
table is generated from ``FRONT_END`` and ``pipeline.BACK_END`` (``scripts/generate_pass_doc.py``)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gast

from .analysis.activity import active_variables, varied_variables
from .analysis.aliasing import check_aliasing
from .analysis.complex_values import use_complex_abs
from .analysis.default_deny import check_calls
from .analysis.walk import statements, values_read, walk
from .errors import SrcgradSyntaxError
from .frontend.anf import to_anf
from .frontend.check import check_no_argument_mutation, check_supported
from .frontend.constant_branches import fold_constant_branches
from .frontend.constructors import LowerConstructor
from .frontend.desugar import desugar, local_names
from .frontend.inline_helpers import Inlined, inline_helpers
from .frontend.parse import ParsedFunction, parse_function
from .frontend.resolve import resolve_callee
from .frontend.tuple_items import forward_tuple_items
from .frontend.variadic import specialize_signature
from .function_values import call_value_with_vjp
from .naming import Names, Namespace, identifiers
from .records import is_constructor
from .runtime import (
    add_grads,
    assign_index,
    call_output,
    call_plain,
    call_with_vjp,
    inexact_part,
    list_append,
    list_delete,
    list_extend,
    list_insert,
    list_position,
    sum_grad,
)
from .transform.builders import assign, name
from .transform.calls import CallResolver
from .transform.cse import eliminate_to_fixpoint
from .transform.optimize import propagate_copies
from .transform.reverse import sequence_variables

# Builtins the generated loops call that change nothing (but return a new iterator each time).
ITERATION_BUILTINS = (reversed, range, len, zip, enumerate, min, max)


def pure_helper(function: Any) -> bool:
    """srcgrad's rule helpers and the runtime's value functions compute new values from their arguments
    and change nothing; ``zero_cotangent`` allocates an accumulator that may later be added to in place,
    and the ``call_with_*`` functions run user code."""
    module = getattr(function, "__module__", None)
    if module == "srcgrad.rules.helpers":
        return True
    return module == "srcgrad.runtime" and function in (assign_index, inexact_part, list_append, list_extend, list_insert,
                                                        list_delete, list_position, add_grads, sum_grad, call_output)


@dataclass
class FrontEnd:
    """What every transformation starts from: the parsed function in the core language, analysed. The
    request (first six fields) is given; each stage fills in what it finds."""

    fn: Callable
    argnums: tuple[int, ...]
    has_aux: bool
    allow_tuple: bool
    callee: bool
    examples: Sequence[Any] | None
    parsed: ParsedFunction = None  # type: ignore[assignment]
    params: list[str] = field(default_factory=list)
    names: Names = None  # type: ignore[assignment]
    namespace: Namespace = None  # type: ignore[assignment]
    core: gast.FunctionDef = None  # type: ignore[assignment]
    temps: set[str] = field(default_factory=set)
    returned: gast.expr = None  # type: ignore[assignment]
    resolver: CallResolver = None  # type: ignore[assignment]
    varied: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)
    # the source after desugaring and after ANF, with ``record_stages`` (a listing for readers: unparsing the
    # tree twice more is not done for every transformation)
    stages: dict[str, str] = field(default_factory=dict)
    record_stages: bool = False
    complex_values: set[str] = field(default_factory=set)  # variables that may hold complex values
    inlined: Inlined = field(default_factory=Inlined)  # helpers whose bodies the code holds


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: ``run`` fills in the ``FrontEnd`` record (None for the steps after the
    front end, which ``pipeline.py`` runs itself and lists for the docs)."""

    name: str
    modules: str
    summary: str
    run: Callable[[FrontEnd], None] | None = None


def _parse(front: FrontEnd) -> None:
    parsed = front.parsed = parse_function(front.fn)
    front.params = specialize_signature(parsed, front.examples)
    node = parsed.node
    front.names = Names(identifiers(node) | set(front.params) | {node.name})
    front.namespace = Namespace(parsed.scope, front.names, local_names(node))
    if is_constructor(front.fn):  # a class's __init__, run to make a record: it returns the object it fills
        LowerConstructor(parsed, front.namespace.ref).run()


def _check(front: FrontEnd) -> None:
    check_supported(front.parsed)
    if front.callee:
        check_no_argument_mutation(front.parsed)


def _aliasing(front: FrontEnd) -> None:
    check_aliasing(front.parsed, front.namespace, local_names(front.parsed.node), front.examples, front.callee)
    params, node = front.params, front.parsed.node
    for i in front.argnums:   # the code is known to be transformable: now the request
        if not -len(params) <= i < len(params):
            raise ValueError(f"argnums {i} is out of range for {node.name}, which takes {len(params)} arguments")
    front.argnums = tuple(i % len(params) for i in front.argnums)


def _desugar(front: FrontEnd) -> None:
    node = front.parsed.node
    # parameters whose example is no dict, and which the body never rebinds: a loop over one needs no
    # iteration_sequence to walk a dict's keys
    assigned = {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    not_dicts = {p for p, v in zip(front.params, front.examples or ()) if not isinstance(v, dict) and p not in assigned}
    front.core = desugar(front.parsed, front.namespace, not_dicts)
    if front.record_stages:
        front.stages["desugar"] = gast.unparse(front.core)


def _anf(front: FrontEnd) -> None:
    front.core, front.temps = to_anf(front.core, front.names)
    # ``a if False else b`` and ``if DEBUG:`` with ``DEBUG = False`` above: the branch taken, not a test
    front.core.body = fold_constant_branches(front.core.body)


def _inline(front: FrontEnd) -> None:
    front.inlined = inline_helpers(front.core, front.parsed, front.namespace, front.names, front.temps, desugar,
                                   _callee_checks)
    forward_tuple_items(front.core)
    if front.record_stages:
        front.stages["anf"] = gast.unparse(front.core)


def _resolve(front: FrontEnd) -> None:
    core, namespace = front.core, front.namespace
    front.returned = _output(core, front.parsed, front.has_aux, allow_tuple=front.allow_tuple)
    # Only parameters whose example is a number or an array are proven numeric: a list, a dict or an object
    # (``self.layers + [x]``) may concatenate. Without examples (``show(f)`` with no arguments, code that is
    # only displayed) parameters are taken to be arrays.
    containers = {p for p, v in zip(front.params, front.examples or ()) if not _numeric_value(v)}
    core_locals = local_names(core)
    sequences = sequence_variables(core, containers, lambda f: resolve_callee(f, namespace, core_locals))
    front.resolver = CallResolver(front.parsed, namespace, core_locals, sequences)
    if front.inlined.helpers:
        _merge_inlined_repeats(core, front.resolver)


def _default_deny(front: FrontEnd) -> None:
    core, resolver, params = front.core, front.resolver, front.params
    front.varied = varied_variables(core, {params[i] for i in front.argnums}, resolver.differentiable_inputs)
    front.complex_values = check_calls(core, front.varied, resolver.callee, front.parsed,
                                       dict(zip(params, front.examples or ())), front.returned)
    use_complex_abs(core, front.complex_values, resolver.callee, front.namespace.ref)


def _activity(front: FrontEnd) -> None:
    core, resolver = front.core, front.resolver
    outputs = {n.id for n in walk(front.returned) if isinstance(n, gast.Name)}
    front.active = active_variables(core, front.varied, outputs, resolver.differentiable_inputs)
    _plain_inactive_calls(core, front.active, front.varied, resolver.callee, front.namespace)
    _calls_of_function_values(core, front.active, resolver.callee, front.namespace, front.names)


FRONT_END: tuple[Stage, ...] = (
    Stage("parse", "`frontend/parse.py`, `frontend/variadic.py`",
          "`inspect` source → `gast`; decorators stripped; line numbers shifted to the file's; the scope (closure, "
          "globals, builtins) every name resolves in; a generator function becomes one that returns the list of "
          "what it yields, where its callers are seen to take every item at once (`frontend/generators.py`); "
          "`*args`/`**kwargs` specialized to the call; a class's `__init__` transformed to make an object becomes a "
          "constructor returning `self` (`frontend/constructors.py`)", _parse),
    Stage("check", "`frontend/check.py`",
          "a whitelist of node types; anything else raises `SrcgradSyntaxError` with file, line, column, source "
          "line and a hint", _check),
    Stage("aliasing", "`analysis/aliasing.py`",
          "every in-place update (`a[i] = v`, `a += b`, `out=`, `.append`, `.sort()`) is proved visible only "
          "through the name it is made through, or refused (see *Soundness* below); `a.resize()`, which changes "
          "a shape the analyses follow, is refused", _aliasing),
    Stage("desugar", "`frontend/desugar.py`",
          "`f(x, out=buf)` → `buf[...] = f(x)`; `np.r_[a, b]`/`np.c_[a, b]` → `r_concat`/`c_concat`; `a += b` → "
          "`a = a + b`; array methods (`x.sum(axis=1)`, `x.T`, `x.reshape(2, 3)`) → NumPy functions; receivers "
          "that resolve to modules or other objects are left alone; list methods (`frontend/list_methods.py`) → "
          "`xs = list_extend(xs, vs)` and friends; a call asked for an integer result (`dtype=int`, "
          "`.astype(np.int32)`) → `stop_gradient(...)`, or `inexact_only(...)` when its dtype is only known at "
          "run time (`frontend/integer_results.py`); dict displays and methods → `dict_display` and reads the "
          "rule table knows (`frontend/dict_lowering.py`); `with np.errstate(...)` → enter/leave calls around "
          "the body (`frontend/context_managers.py`); nested functions and lambdas → closure conversion "
          "(`frontend/closures.py`, below); `functools.partial(f, a, k=b)` → `make_partial(f, (a,), {\"k\": b})` "
          "(`frontend/partials.py`)", _desugar),
    Stage("ANF", "`frontend/anf.py`",
          "one primitive per statement, atomic arguments, names derived from the expression (`x_at_w`, "
          "`tanh_h`); top-level straight-line variables are renamed per assignment (SSA); conditions become "
          "single-assignment temporaries; `while c:` becomes `while True:` + condition + `if not c: break`; a "
          "branch whose test is a constant (`a if False else b`, a flag assigned a constant above) replaced by the "
          "block it takes (`frontend/constant_branches.py`)", _anf),
    Stage("inline", "`frontend/inline_helpers.py`, `tuple_items.py`, `record_fields.py`",
          "small helpers of the same module, and the constructors and methods of objects made in the function, "
          "replaced by their own A-normal-form statements (below); tuple items read from the names the tuple "
          "was built of; an object's fields read from the variables they were assigned from", _inline),
    Stage("resolve", "`transform/calls.py`, `frontend/resolve.py`",
          "the returned value found; every call's callee resolved (a rule, a Python function to transform, a "
          "method of a value only known at run time); variables that hold lists or tuples; what inlined helpers "
          "compute twice merged", _resolve),
    Stage("default deny", "`analysis/default_deny.py`",
          "the values that vary with the inputs; a call that receives one has a rule, is declared "
          "non-differentiable, or is refused at its line; where complex values may flow", _default_deny),
    Stage("activity", "`analysis/activity.py`",
          "varied ∧ useful, by worklists over the flow graph (linear in the function's size); only active "
          "statements get adjoints; calls that no varied value reaches run as they are", _activity),
)


def run_front_end(fn: Callable, argnums: tuple[int, ...], has_aux: bool, allow_tuple: bool, callee: bool,
                  examples: Sequence[Any] | None = None, stages: Sequence[Stage] = FRONT_END,
                  record_stages: bool = False) -> FrontEnd:
    """Run ``stages`` in order on a new ``FrontEnd`` for ``fn``; shared by reverse and forward mode. With
    ``record_stages``, ``front.stages`` keeps the source after desugaring and after A-normal form."""
    front = FrontEnd(fn, argnums, has_aux, allow_tuple, callee, examples, record_stages=record_stages)
    for stage in stages:
        stage.run(front)
    return front


def _merge_inlined_repeats(core: gast.FunctionDef, resolver: CallResolver) -> None:
    """Helpers inlined side by side repeat work (``np.hstack((x, h, ones))`` once per LSTM gate): merge
    it before the storage plan, so that it is computed and kept once."""
    def pure(call: gast.Call) -> bool:
        return resolver.is_pure(call) or pure_helper(resolver.callee(call.func))

    eliminate_to_fixpoint(core, pure, lambda call: pure(call) or resolver.callee(call.func) in ITERATION_BUILTINS,
                          propagate_copies)



def _callee_checks(parsed: ParsedFunction) -> None:
    """What ``_front_end`` checks of a function called from differentiated code, before it is inlined."""
    check_supported(parsed)
    check_no_argument_mutation(parsed)
    scratch = Namespace(parsed.scope, Names(identifiers(parsed.node)), local_names(parsed.node))
    check_aliasing(parsed, scratch, local_names(parsed.node), None, True)



def _plain_inactive_calls(core: gast.FunctionDef, active: set[str], varied: set[str],
                          callee: Callable[[gast.expr], Any], namespace: Namespace) -> None:
    """``pair = call_with_vjp(f, x)`` → ``pair = call_plain(f, x)`` where nothing the call sees depends on
    the differentiated inputs (neither ``f``, a bound method's object included, nor its arguments) and
    ``pair`` is not active: no derivative can flow through the call, so a callee that is not Python code
    (a random draw, a C function) may run as it is. A call that sees a differentiated value keeps
    ``call_with_vjp``, which refuses what it cannot differentiate (``a.resize(5)`` changes ``a``)."""
    # everything computed from a varied value, through any operation (with_keywords too)
    touched = varied_variables(core, varied, values_read)
    for node in statements(core.body):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) \
                and node.targets[0].id not in active and isinstance(node.value, gast.Call) \
                and callee(node.value.func) is call_with_vjp \
                and not values_read(node.value) & touched:
            node.value.func = namespace.ref(call_plain)



def _calls_of_function_values(core: gast.FunctionDef, active: set[str], callee: Callable[[gast.expr], Any],
                              namespace: Namespace, names: Names) -> None:
    """``pair = call_with_vjp(f, x)`` → ``pair = call_value_with_vjp(f, x)`` where the callee ``f`` is
    itself active (a closure or ``functools.partial`` holding differentiated values): its backward then
    returns ``f``'s cotangent too (``srcgrad/function_values.py``). A method of an active object
    (``m.apply(x)``, ``m`` a record) is read into a variable first, whose cotangent is the object's."""

    def rewrite(block: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in block:
            for part in ("body", "orelse"):
                if isinstance(getattr(stmt, part, None), list):
                    setattr(stmt, part, rewrite(getattr(stmt, part)))
            value = stmt.value if isinstance(stmt, gast.Assign) else None
            if isinstance(value, gast.Call) and value.args and callee(value.func) is call_with_vjp:
                function = value.args[0]
                if isinstance(function, gast.Attribute) and isinstance(function.value, gast.Name) \
                        and function.value.id in active:
                    method = names.fresh(f"{function.value.id}_{function.attr}")
                    out.append(gast.copy_location(assign(method, function), stmt))
                    active.add(method)
                    value.args[0] = name(method)
                    function = value.args[0]
                if isinstance(function, gast.Name) and function.id in active:
                    value.func = namespace.ref(call_value_with_vjp)
            out.append(stmt)
        return out

    core.body = rewrite(core.body)



def _numeric_value(value: Any) -> bool:
    """A number or an array (NumPy's, or one of a library NumPy dispatches to)."""
    return isinstance(value, numbers.Number) or (hasattr(value, "shape") and hasattr(value, "dtype"))



def _output(core: gast.FunctionDef, parsed: ParsedFunction, has_aux: bool, allow_tuple: bool = False) -> gast.expr:
    last = core.body[-1] if core.body else None
    if not isinstance(last, gast.Return) or (isinstance(last.value, gast.Constant) and last.value.value is None):
        raise SrcgradSyntaxError("the function must end with a return of the value to differentiate",
                                 parsed.filename, parsed.node.lineno, None, parsed.line(parsed.node.lineno),
                                 "add `return <scalar>` at the end")
    value = last.value
    if has_aux:
        if not (isinstance(value, gast.Tuple) and len(value.elts) == 2):
            raise SrcgradSyntaxError("with has_aux=True the function must return a pair (output, aux)",
                                     parsed.filename, last.lineno, None, parsed.line(last.lineno),
                                     "return output, aux")
        return value.elts[0]
    if isinstance(value, gast.Tuple) and not allow_tuple:
        raise SrcgradSyntaxError("grad needs a single output, but the function returns a tuple",
                                 parsed.filename, last.lineno, None, parsed.line(last.lineno),
                                 "return one value, or use has_aux=True for (output, aux)")
    return value
