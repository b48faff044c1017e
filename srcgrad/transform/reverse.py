"""Reverse mode: from a function in A-normal form to one that computes its gradient.

The generated function runs a *forward sweep* (the user's code, plus pushes of the few values the adjoint
needs and that the forward sweep overwrites) and then an *adjoint sweep* (each active statement's rule,
inlined, in reverse order). The invariant that makes this correct: when the adjoint of a statement runs,
every variable it reads holds the value it had just after that statement ran forward.

How values are kept, cheapest first (docs/design.md, "Tape economy"):
  * top-level straight-line code is in SSA form after ANF, so nothing is ever overwritten there;
  * a temporary inside a loop whose inputs the loop does not change (and the loop index) is recomputed at
    the start of the adjoint iteration instead of stored;
  * any other temporary the adjoint reads is pushed when its block ends and popped when its adjoint starts;
  * a user variable that control flow reassigns is pushed before each overwrite, if the adjoint reads it;
  * a ``for`` over a range reverses with ``reversed(range)``; a ``while`` counts its iterations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.activity import assignments
from ..analysis.liveness import upward_exposed
from ..analysis.walk import values_read, walk
from ..dicts import copy_value, iteration_cotangent, iteration_sequence, iteration_tangent
from ..frontend.anf import condition_end
from ..naming import Names, Namespace
from ..rules.helpers import real_like, zeros_like_grad
from ..rules.registry import ARGNUMS_VARIADIC, is_nondifferentiable, returns_sequence, vjp_rule
from ..runtime import add_grads, assign_index, inexact_only, inexact_part, zero_cotangent
from .builders import CallSite, assign, name
from .clone import clone
from .fixpoint import iterate_to_fixpoint
from .inline import bind_arguments, inline, template_of
from .specialize import ShapeSpecializer
from .storage import Block, StoragePlanner, is_marker, marker, overwritten_variables


class _KnownShapes:
    """The static shapes of primal variables and of their adjoints (an adjoint has its primal's shape): a
    view, so that no table is built for the adjoints."""

    def __init__(self, shapes: dict[str, Any], primal_of: dict[str, str]):
        self.shapes, self.primal_of = shapes, primal_of

    def get(self, variable: str, default: Any = None) -> Any:
        shape = self.shapes.get(variable)
        if shape is None and variable in self.primal_of:
            shape = self.shapes.get(self.primal_of[variable])
        return default if shape is None else shape


class ReverseMode(StoragePlanner):
    """Builds the forward and adjoint sweeps of one function. See the module docstring."""

    def __init__(self, fn: gast.FunctionDef, temps: set[str], active: set[str], names: Names,
                 namespace: Namespace, resolve: Callable[[gast.expr], CallSite | None],
                 is_pure: Callable[[gast.expr], bool], source_line: Callable[[int], str | None],
                 resolve_callee: Callable[[gast.expr], Any], shapes: dict[str, Any] | None = None,
                 sequences: set[str] | None = None, located_error: Callable[..., Exception] | None = None,
                 complex_values: set[str] | None = None):
        self.fn = fn
        # id(value) -> operands proven to have the result's shape (analysis/same_shapes.py); set by the caller
        self.same_shapes: dict[int, set[str]] = {}
        # variables that may hold complex values (analysis/complex_values.py): a real value among the inputs
        # of a statement that computes one of them gets the real part of its partial (``real_like``)
        self.complex_values = complex_values or set()
        self.located_error = located_error
        self.shapes = shapes or {}
        self.resolve_callee = resolve_callee
        self.temps = set(temps)
        self.active = active
        self.names = names
        self.namespace = namespace
        self.resolve = resolve
        self.is_pure = is_pure
        self.source_line = source_line
        self.params = [a.id for a in fn.args.args]
        self.overwritten = overwritten_variables(fn, self.temps)
        self.loop_targets = {s.target.id for s in walk(fn) if isinstance(s, gast.For)}
        self.adjoint_names: dict[str, str] = {}
        self.primal_of: dict[str, str] = {}
        self.blocks: dict[tuple, Block] = {}
        self.markers: dict[int, Block] = {}
        self.pops: list[tuple[gast.stmt, str]] = []
        self.counters: dict[int, str] = {}
        self.primal_vars = {t for t, _ in assignments(fn.body)} | set(self.params) | self.loop_targets
        self.stack = names.fresh("stack")
        self.sequences = sequences or set()
        self.maybe_needed = self.maybe_needed_variables()

    # --- names ---------------------------------------------------------------------------------------

    def adj(self, var: str) -> str:
        if var not in self.adjoint_names:
            self.adjoint_names[var] = self.names.fresh(f"d_{var}")
            self.primal_of[self.adjoint_names[var]] = var
        return self.adjoint_names[var]

    def zeros(self, adjoint: str) -> gast.Assign:
        helper = self.namespace.ref(zero_cotangent)
        return assign(adjoint, gast.Call(helper, [name(self.primal_of[adjoint])], []))

    # --- the forward sweep ---------------------------------------------------------------------------

    def forward_block(self, stmts: list[gast.stmt], key: tuple, loop: gast.stmt | None) -> list[gast.stmt]:
        """Copy a block of the primal, registering its temporaries and marking where pushes may go."""
        block = self.blocks[key] = Block(loop, statements=stmts)
        out: list[gast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if isinstance(target, gast.Name) and target.id in self.temps:
                    block.temps.append(stmt)
                elif isinstance(target, gast.Name) and target.id in self.overwritten:
                    out.append(marker("__push__", target.id))
                out.append(stmt)
            elif isinstance(stmt, gast.If):
                out.append(gast.If(stmt.test, self.forward_block(stmt.body, (id(stmt), "body"), loop),
                                   self.forward_block(stmt.orelse, (id(stmt), "orelse"), loop)))
            elif isinstance(stmt, (gast.For, gast.While)):
                if isinstance(stmt, gast.While) or _exit_test(stmt.body) is not None:
                    counter = self.names.fresh("n_iter")
                    self.counters[id(stmt)] = counter
                    self.temps.add(counter)
                    self.primal_vars.add(counter)
                    init = assign(counter, gast.Constant(0, None))
                    block.temps.append(init)
                    out.append(init)
                body = self.forward_block(stmt.body, (id(stmt), "body"), stmt)
                if id(stmt) in self.counters:
                    counter = self.counters[id(stmt)]
                    increment = assign(counter, gast.BinOp(name(counter), gast.Add(), gast.Constant(1, None)))
                    body.insert(_end_of_iteration(body), increment)
                if isinstance(stmt, gast.For):
                    out.append(gast.For(stmt.target, stmt.iter, body, [], None))
                else:
                    out.append(gast.While(stmt.test, body, []))
            else:
                out.append(stmt)
        end = _end_of_iteration(out) if loop is not None and key == (id(loop), "body") else len(out)
        out.insert(end, marker("__block_end__", key))
        return out

    # --- the adjoint sweep ---------------------------------------------------------------------------

    def accumulate(self, out: list, defined: set[str], var: str, contribution: gast.expr) -> None:
        """``d_var += contribution``, where the first contribution assigns (lazy zeros) and never updates
        an array in place, so that aliased cotangents stay intact."""
        adjoint = self.adj(var)
        if adjoint in defined and var in self.sequences:
            out.append(assign(adjoint, gast.Call(self.namespace.ref(add_grads), [name(adjoint), contribution], [])))
        elif adjoint in defined:
            out.append(assign(adjoint, gast.BinOp(name(adjoint), gast.Add(), contribution)))
        else:
            out.append(assign(adjoint, contribution))
            defined.add(adjoint)

    def adjoint_block(self, stmts: list[gast.stmt], key: tuple, defined: set[str]) -> list[gast.stmt]:
        restore = marker("__restore__", key)
        self.markers[id(restore)] = self.blocks[key]
        out: list[gast.stmt] = [restore]
        for stmt in reversed(stmts):
            produced: list[gast.stmt] = []
            self.adjoint_statement(stmt, defined, produced)
            line = getattr(stmt, "lineno", None)
            for p in produced:
                if getattr(p, "lineno", None) is None and not isinstance(p, (gast.If, gast.For)):
                    p.lineno = line
            out.extend(produced)
        return out

    def adjoint_statement(self, stmt: gast.stmt, defined: set[str], out: list) -> None:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            self.adjoint_assign(target, stmt.value, defined, out)
            if target in self.overwritten and target in self.maybe_needed:
                pop = marker("__pop__", target)
                self.pops.append((pop, target))
                out.append(pop)
        elif isinstance(stmt, gast.If):
            self.adjoint_if(stmt, defined, out)
        elif isinstance(stmt, gast.For):
            indices = clone(stmt.iter)
            if id(stmt) in self.counters:
                indices = gast.Subscript(indices, gast.Slice(None, name(self.counters[id(stmt)]), None), gast.Load())
            iterable = gast.Call(self.namespace.ref(reversed), [indices], [])
            self.adjoint_loop(stmt, stmt.body, iterable, stmt.target.id, defined, out)
        elif isinstance(stmt, gast.While):
            trips = gast.Call(self.namespace.ref(range), [name(self.counters[id(stmt)])], [])
            head = condition_end(stmt)
            if head is None:   # (an adjoint that guessed where the condition ends could skip a body statement)
                raise self.located_error(stmt, "srcgrad lost track of where this while loop's condition ends "
                                         "(an internal error)", "please report it; a for loop over a range, "
                                         "with a break, is differentiated another way")
            self.adjoint_loop(stmt, stmt.body[head:], trips, None, defined, out)

    def adjoint_assign(self, target: str, value: gast.expr, defined: set[str], out: list) -> None:
        adjoint = self.adj(target) if target in self.active else None
        if adjoint is None or adjoint not in defined:
            return
        defined.discard(adjoint)
        if isinstance(value, gast.Name):
            if value.id in self.active and value.id != target:
                self.accumulate(out, defined, value.id, self.real_part(target, value.id, name(adjoint)))
            return
        if isinstance(value, gast.Constant) or not values_read(value) & self.active:
            return
        if isinstance(value, (gast.List, gast.Tuple)):
            for i, element in enumerate(value.elts):
                if isinstance(element, gast.Name) and element.id in self.active:
                    part = gast.Subscript(name(adjoint), gast.Constant(i, None), gast.Load())
                    self.accumulate(out, defined, element.id, self.real_part(target, element.id, part))
            return
        site = self.resolve(value)
        arguments = differentiable_arguments(site)
        missing = nondifferentiable_active_arguments(site, self.active)
        if missing:
            raise self.located_error(value, f"'{site.rule.name}' has no derivative rule for its argument(s) "
                                     f"{', '.join(missing)}, which depend on the differentiated inputs",
                                     "hold them constant (srcgrad.stop_gradient) or register a rule for them")
        wanted = [self._active_argument(a) for a in arguments]
        if not any(wanted):
            return
        result_shape = self.shapes.get(target)
        same_shape = _same_shape_operands(value, self.resolve_callee) | self.same_shapes.get(id(value), set()) | {
            a.id for a in arguments if isinstance(a, gast.Name) and result_shape is not None
            and self.shapes.get(a.id) == result_shape}
        inlined = inline(site.rule, name(adjoint), name(target), site.args, site.keywords, wanted, self.names,
                         self.namespace, same_shape)
        out.extend(inlined.statements)
        for argument, partial in zip(arguments, inlined.partials):
            if partial is None:
                continue
            if isinstance(argument, gast.Name):
                self.accumulate(out, defined, argument.id, self.real_part(target, argument.id, partial))
            elif isinstance(argument, (gast.List, gast.Tuple)):
                holder = self.names.fresh("parts")
                out.append(assign(holder, partial))
                for i, element in enumerate(argument.elts):
                    if isinstance(element, gast.Name) and element.id in self.active:
                        part = gast.Subscript(name(holder), gast.Constant(i, None), gast.Load())
                        self.accumulate(out, defined, element.id, self.real_part(target, element.id, part))

    def real_part(self, target: str, argument: str, partial: gast.expr) -> gast.expr:
        """``partial`` (of ``argument`` in the statement assigning ``target``), or ``real_like(partial,
        argument)`` when ``target`` may be complex and ``argument`` may be real: the real part of its partial
        when it is real when the code runs."""
        if target not in self.complex_values or argument in self.complex_values:
            return partial
        return gast.Call(self.namespace.ref(real_like), [partial, name(argument)], [])

    def _active_argument(self, argument: gast.expr) -> bool:
        if isinstance(argument, gast.Name):
            return argument.id in self.active
        if isinstance(argument, (gast.List, gast.Tuple)):
            return any(isinstance(e, gast.Name) and e.id in self.active for e in argument.elts)
        return False

    def adjoint_if(self, stmt: gast.If, defined: set[str], out: list) -> None:
        body_defined, else_defined = set(defined), set(defined)
        body = self.adjoint_block(stmt.body, (id(stmt), "body"), body_defined)
        orelse = self.adjoint_block(stmt.orelse, (id(stmt), "orelse"), else_defined)
        merged = body_defined | else_defined
        if not _has_content(body) and not _has_content(orelse) and merged == defined:
            self.markers.pop(id(body[0]))
            self.markers.pop(id(orelse[0]))
            return
        body += [self.zeros(n) for n in sorted(merged - body_defined)]
        orelse += [self.zeros(n) for n in sorted(merged - else_defined)]
        defined.clear()
        defined.update(merged)
        out.append(gast.If(clone(stmt.test), body, orelse))

    def adjoint_loop(self, loop: gast.stmt, body: list[gast.stmt], iterable: gast.expr, target: str | None,
                     defined: set[str], out: list) -> None:
        """Reverse a loop. The cotangents defined when an adjoint iteration starts must be defined when it
        ends, so that every iteration sees the same state; iterate until that set is stable."""
        carried = {v for v in upward_exposed(body, {target} if target else set()) if v in self.active}
        start = set(defined) | {self.adj(v) for v in sorted(carried)}   # (sorted: names made in one order)
        last: dict[str, Any] = {}

        def one_round() -> bool:
            body_defined = set(start)
            pops_before = len(self.pops)
            last["body"], last["defined"] = self.adjoint_block(body, (id(loop), "body"), body_defined), body_defined
            if body_defined <= start:
                return False
            del self.pops[pops_before:]
            start.update(body_defined)
            return True

        # each round that changes anything adds a cotangent name to ``start``: at most one per active variable
        iterate_to_fixpoint(one_round, 2 * len(self.active) + 8, "the cotangents a loop's adjoint defines")
        adjoint_body, body_defined = last["body"], last["defined"]
        adjoint_body += [self.zeros(n) for n in sorted(start - body_defined)]
        if not _has_content(adjoint_body):
            self.markers.pop(id(adjoint_body[0]))
            return
        out.extend(self.zeros(n) for n in sorted(start - defined))
        defined.clear()
        defined.update(start)
        loop_target = name(target or self.names.fresh("_"), store=True)
        out.append(gast.For(loop_target, iterable, adjoint_body, [], None))

    # --- putting it together -------------------------------------------------------------------------

    def build(self, seed: gast.expr, returned: gast.expr) -> tuple[list[gast.stmt], list[gast.stmt], list[gast.expr]]:
        """Return the forward statements, the adjoint statements and one gradient expression per parameter,
        for the cotangent ``seed`` of the output ``returned``."""
        body = [s for s in self.fn.body if not isinstance(s, gast.Return)]
        forward = self.forward_block(body, ("top",), None)
        defined: set[str] = set()
        seed_stmts = []
        if isinstance(returned, gast.Name) and returned.id in self.active:
            seed_stmts.append(assign(self.adj(returned.id), seed))
            defined.add(self.adj(returned.id))
        elif isinstance(returned, gast.Tuple):
            for i, element in enumerate(returned.elts):
                if isinstance(element, gast.Name) and element.id in self.active:
                    part = gast.Subscript(clone(seed), gast.Constant(i, None), gast.Load())
                    self.accumulate(seed_stmts, defined, element.id, part)
        adjoint = seed_stmts + self.adjoint_block(body, ("top",), defined)
        if self.shapes:
            # before the storage plan: a helper specialized away no longer reads the values it took only
            # for their shapes, so they need not be kept
            specializer = ShapeSpecializer(_KnownShapes(self.shapes, self.primal_of), self.namespace)
            adjoint = [specializer.visit(statement) for statement in adjoint]
        pushed_vars = self.plan_storage(adjoint)
        forward = self.fill_forward(forward, pushed_vars)
        adjoint = self.fill_adjoint(adjoint, pushed_vars)
        uses_stack = any(b.pushed for b in self.blocks.values()) or bool(pushed_vars)
        prologue = []
        if uses_stack:
            prologue.append(assign(self.stack, gast.List([], gast.Load())))
        for var in sorted(pushed_vars - set(self.params)):
            prologue.append(assign(var, gast.Constant(None, None)))
        gradients = []
        for param in self.params:
            adjoint_name = self.adjoint_names.get(param)
            if adjoint_name in defined:
                gradients.append(name(adjoint_name))
            else:
                gradients.append(gast.Call(self.namespace.ref(zero_cotangent), [name(param)], []))
        return prologue + forward, adjoint, gradients

def nondifferentiable_active_arguments(site: CallSite, active: set[str]) -> list[str]:
    """Parameters the rule does not differentiate but the call passes an active value: without a rule
    for them the gradient would silently miss their contribution."""
    template = template_of(site.rule)
    bound = bind_arguments(site.rule.primal_params, site.args, site.keywords, template.defaults if template else {})
    differentiable = set(site.rule.differentiable_params())
    # a lambda reads no local it is not given as a parameter (frontend/closures.py)
    return [param for param, expr in bound.items() if param not in differentiable and param not in _STRUCTURAL
            and not isinstance(expr, gast.Lambda) and values_read(expr) & active]


# Parameters that describe structure (types, axes, shapes, indices) and carry no derivative whatever value
# flows into them.
_STRUCTURAL = {"dtype", "axis", "axes", "keepdims", "ord", "out", "order", "shape", "newshape", "casting",
               "subok", "copy", "like", "ndmin", "mode", "kind", "side", "ddof", "offset", "axis1", "axis2",
               "source", "destination", "indices", "index", "condition", "subscripts", "optimize", "repeats",
               "reps", "n", "k", "decimals", "keys"}


def differentiable_arguments(site: CallSite) -> list[gast.expr]:
    """The call-site expressions bound to the rule's differentiable parameters, in partial order."""

    template = template_of(site.rule)
    bound = bind_arguments(site.rule.primal_params, site.args, site.keywords, template.defaults if template else {})
    if site.rule.argnums == ARGNUMS_VARIADIC:
        return list(bound[site.rule.differentiable_params()[0]].elts)
    return [bound[p] for p in site.rule.differentiable_params()]


def _same_shape_operands(value: gast.expr, resolve_callee: Callable[[gast.expr], Any]) -> set[str]:
    """Operands whose shape provably equals the result's: the operation is elementwise (an operator or a
    ufunc; ``np.full(3, x)`` is not) and the other operand is a Python number."""
    if isinstance(value, gast.BinOp):
        operands = [value.left, value.right]
    elif isinstance(value, gast.Call) and len(value.args) == 2 and not value.keywords and isinstance(
            resolve_callee(value.func), np.ufunc):
        operands = list(value.args)
    else:
        return set()

    def number(e: gast.expr) -> bool:
        return isinstance(e, gast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool)

    a, b = operands
    if number(b) and isinstance(a, gast.Name):
        return {a.id}
    if number(a) and isinstance(b, gast.Name):
        return {b.id}
    return set()


def sequence_variables(fn: gast.FunctionDef, containers: set[str], resolve_callee: Callable[[gast.expr], Any]
                       ) -> set[str]:
    """Variables that may hold Python lists, tuples or dicts: every variable except those *proven* to hold
    numbers or arrays. Their cotangents add element by element, and a ``+`` or ``*`` over them may
    concatenate or repeat (rules/sequence_rules.py); the proof is what lets the rest use NumPy's ``+``.

    A variable is numeric when every value assigned to it is: a number, an arithmetic or comparison result
    of numeric operands, an element or slice of a numeric value, or the result of a function the rule
    table knows that returns one array (``SEQUENCE_RESULTS`` lists those that return lists or tuples)."""
    flows = list(assignments(fn.body))
    params = {a.id for a in fn.args.args}
    loop_targets = {s.target.id for s in walk(fn) if isinstance(s, gast.For) and isinstance(s.target, gast.Name)}
    candidates = {t for t, _ in flows} | params | loop_targets
    numeric = candidates - set(containers)
    changed = True
    while changed:
        changed = False
        for target, value in flows:
            if target in numeric and not _numeric(value, numeric, resolve_callee):
                numeric.discard(target)
                changed = True
    return candidates - numeric


def _numeric(value: gast.expr, numeric: set[str], resolve_callee: Callable[[gast.expr], Any]) -> bool:
    """Whether ``value`` is proven to be a number or an array (or a value without a cotangent), given that
    the names in ``numeric`` are."""
    def operand(e: gast.expr) -> bool:
        if isinstance(e, gast.Constant):
            return not isinstance(e.value, (tuple, bytes))
        return isinstance(e, gast.Name) and e.id in numeric

    if isinstance(value, (gast.Constant, gast.Name)):
        return operand(value)
    if isinstance(value, gast.BinOp):
        return operand(value.left) and operand(value.right) if isinstance(value.op, (gast.Add, gast.Mult)) else True
    if isinstance(value, (gast.UnaryOp, gast.Compare, gast.JoinedStr)):
        return True
    if isinstance(value, gast.BoolOp):
        return all(operand(v) for v in value.values)
    if isinstance(value, gast.IfExp):
        return operand(value.body) and operand(value.orelse)
    if isinstance(value, gast.Subscript):
        return operand(value.value)
    if isinstance(value, gast.Attribute):
        return value.attr in ("shape", "ndim", "size", "dtype") or operand(value.value)
    if isinstance(value, gast.Call):
        callee = resolve_callee(value.func)
        if callee is add_grads:
            return all(operand(a) for a in value.args)
        if callee in (assign_index, zero_cotangent, zeros_like_grad, inexact_only, inexact_part, iteration_sequence,
                      iteration_cotangent, iteration_tangent, copy_value):
            return bool(value.args) and operand(value.args[0])
        if is_nondifferentiable(callee):
            return True  # no cotangent at all (``range``, ``len``, shapes)
        if returns_sequence(callee) or (isinstance(callee, type) and not issubclass(callee, (float, np.generic))):
            return False
        module = getattr(callee, "__module__", None) or ""
        return vjp_rule(callee) is not None and not module.startswith("srcgrad.runtime")
    return False


def _exit_test(body: list[gast.stmt]) -> gast.If | None:
    """The ``if <flag>: break`` that ends a loop body after jump lowering, if there is one."""
    last = body[-1] if body else None
    if isinstance(last, gast.If) and all(is_marker(s) for s in last.orelse):
        statements = [s for s in last.body if not is_marker(s)]
        if len(statements) == 1 and isinstance(statements[0], gast.Break):
            return last
    return None


def _end_of_iteration(body: list[gast.stmt]) -> int:
    """Where an iteration's bookkeeping goes: before the trailing exit test, so it runs on the last trip."""
    return len(body) - 1 if _exit_test(body) is not None else len(body)


def _has_content(stmts: list[gast.stmt]) -> bool:
    return any(not is_marker(s, "__restore__") for s in stmts)
