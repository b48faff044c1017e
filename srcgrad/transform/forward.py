"""Forward mode: from a function in A-normal form to one that also computes the tangent of its output.

Each active statement ``t = op(a, b)`` is followed by its tangent ``d_t = J_a d_a + J_b d_b``, built by
inlining the forward rule of each active argument (``srcgrad/rules/*_jvp_rules.py``). Control flow is kept
as it is — forward mode needs no tape — and a variable that is active somewhere but receives an inactive
value gets a zero tangent, so every tangent is defined wherever it is read.

Calls into the user's own functions become ``call_with_jvp(f, (args...), (tangents...))``, which
transforms the callee in forward mode on first sight, just as reverse mode's ``call_with_vjp`` does."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.walk import values_read, walk
from ..errors import MissingRuleError
from ..function_values import call_value_with_jvp, call_value_with_vjp
from ..naming import Names, Namespace
from ..rules.jvp_helpers import broadcast_tangent
from ..rules.registry import ARGNUMS_VARIADIC, Rule, jvp_rules
from ..runtime import add_grads, call_output, call_with_jvp, call_with_vjp, zero_cotangent
from .builders import CallSite, assign, name
from .clone import clone
from .inline import bind_arguments, inline, template_of
from .reverse import nondifferentiable_active_arguments


class ForwardMode:
    """Interleaves tangent statements with the primal ones. See the module docstring."""

    def __init__(self, fn: gast.FunctionDef, active: set[str], names: Names, namespace: Namespace,
                 site: Callable[[gast.expr], CallSite], callee: Callable[[gast.expr], Any],
                 sequences: set[str], parsed_error: Callable[..., Exception]):
        self.fn = fn
        self.active = active
        self.names = names
        self.namespace = namespace
        self.site = site
        self.callee = callee
        self.sequences = sequences
        self.error = parsed_error
        self.tangent_names: dict[str, str] = {}
        # pairs from calls into user functions, whose tangent is call_with_jvp's (out, out_tangent) pair
        # (forward-mode code that is itself differentiated again calls call_with_jvp as an ordinary rule)
        self.user_pairs: set[str] = set()

    def tangent(self, var: str) -> str:
        if var not in self.tangent_names:
            self.tangent_names[var] = self.names.fresh(f"d_{var}")
        return self.tangent_names[var]

    def zero(self, var: str) -> gast.Assign:
        return assign(self.tangent(var), gast.Call(self.namespace.ref(zero_cotangent), [name(var)], []))

    def tangent_of(self, atom: gast.expr) -> gast.expr:
        """The tangent of an argument expression (zero for constants and inactive names)."""
        if isinstance(atom, gast.Name) and atom.id in self.active:
            return name(self.tangent(atom.id))
        if isinstance(atom, (gast.List, gast.Tuple)):
            return type(atom)([self.tangent_of(e) for e in atom.elts], gast.Load())
        return gast.Call(self.namespace.ref(zero_cotangent), [clone(atom)], [])

    # --- statements ----------------------------------------------------------------------------------

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            produced = self.statement(stmt)
            for p in produced:
                if getattr(p, "lineno", None) is None and not isinstance(p, (gast.If, gast.For, gast.While)):
                    p.lineno = getattr(stmt, "lineno", None)
            out.extend(produced)
        return out

    def statement(self, stmt: gast.stmt) -> list[gast.stmt]:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            return self.assignment(stmt)
        if isinstance(stmt, gast.If):
            return [gast.If(stmt.test, self.block(stmt.body), self.block(stmt.orelse))]
        if isinstance(stmt, gast.For):
            return [gast.For(stmt.target, stmt.iter, self.block(stmt.body), [], None)]
        if isinstance(stmt, gast.While):
            return [gast.While(stmt.test, self.block(stmt.body), [])]
        return [stmt]

    def assignment(self, stmt: gast.Assign) -> list[gast.stmt]:
        target, value = stmt.targets[0].id, stmt.value
        if target not in self.active:
            return [stmt]
        if isinstance(value, gast.Call) and self.callee(value.func) in (call_with_vjp, call_value_with_vjp):
            return self.user_call(stmt, target, value)
        active_inputs = values_read(value) & self.active
        if not active_inputs or isinstance(value, gast.Constant):
            return [stmt, self.zero(target)]
        if isinstance(value, gast.Name):
            return [stmt, assign(self.tangent(target), name(self.tangent(value.id)))]
        if isinstance(value, (gast.List, gast.Tuple)):
            return [stmt, assign(self.tangent(target), self.tangent_of(value))]
        if isinstance(value, gast.Call) and self.callee(value.func) is call_output and \
                isinstance(value.args[0], gast.Name) and value.args[0].id in self.user_pairs:
            pair = value.args[0]
            part = gast.Subscript(name(self.tangent(pair.id)), gast.Constant(1, None), gast.Load())
            return [stmt, assign(self.tangent(target), part)]
        return [stmt, *self.tangent_statements(target, value)]

    def tangent_statements(self, target: str, value: gast.expr) -> list[gast.stmt]:
        site = self.site(value)
        missing = nondifferentiable_active_arguments(site, self.active)
        if missing:
            raise self.error(value, f"'{site.rule.name}' has no derivative rule for its argument(s) "
                             f"{', '.join(missing)}, which depend on the differentiated inputs",
                             "hold them constant (srcgrad.stop_gradient) or register a rule for them",
                             cls=MissingRuleError)
        rules = jvp_rules(site.rule.primal)
        out: list[gast.stmt] = []
        contributions: list[gast.expr] = []
        template = template_of(site.rule)
        bound = bind_arguments(site.rule.primal_params, site.args, site.keywords,
                               template.defaults if template else {})
        if site.rule.argnums == ARGNUMS_VARIADIC:
            operands = bound[site.rule.differentiable_params()[0]].elts
            for k, operand in enumerate(operands):
                if self._is_active(operand):  # a name, or a list or tuple display holding one
                    rule = self._rule(rules, ARGNUMS_VARIADIC, site, value)
                    # ``rule(t, k, ans, *primal_args)`` inlined as a one-partial rule whose "ans" is ``k``
                    inlined = inline(dataclasses.replace(rule, argnums=(0,)), self.tangent_of(operand),
                                     gast.Constant(k, None), [name(target), *site.args], site.keywords, [True],
                                     self.names, self.namespace, set())
                    out.extend(inlined.statements)
                    contributions.append(inlined.partials[0])
        else:
            for position, param in zip(site.rule.argnums, site.rule.differentiable_params()):
                argument = bound[param]
                if not self._is_active(argument):
                    continue
                rule = self._rule(rules, position, site, value)
                inlined = inline(rule, self.tangent_of(argument), name(target), site.args, site.keywords, [True],
                                 self.names, self.namespace, set())
                out.extend(inlined.statements)
                contributions.append(inlined.partials[0])
        if not contributions:
            return [self.zero(target)]
        total = contributions[0]
        for extra in contributions[1:]:
            total = (gast.Call(self.namespace.ref(add_grads), [total, extra], []) if target in self.sequences
                     else gast.BinOp(total, gast.Add(), extra))
        if site.rule.argnums != ARGNUMS_VARIADIC and target not in self.sequences and \
                self._may_be_narrower(site, bound, target, out, contributions):
            total = gast.Call(self.namespace.ref(broadcast_tangent), [total, name(target)], [])
        return out + [assign(self.tangent(target), total)]

    def _may_be_narrower(self, site: CallSite, bound: dict, target: str, statements: list[gast.stmt],
                         contributions: list[gast.expr]) -> bool:
        """Whether the tangent may have fewer elements than the output: an inactive operand can widen the
        output beyond every contribution (``zeros(3) + s``). Only for an elementwise primitive (a ufunc or an
        operator), whose forward rules are elementwise formulas, does a contribution computed from that
        operand (``t * y``) or from the output itself broadcast against it already; any other primitive's
        tangent is widened whenever an operand is inactive (a shape check at run time)."""
        inactive = {bound[p].id if isinstance(bound[p], gast.Name) else None
                    for p in site.rule.differentiable_params()
                    if p in bound and not self._is_active(bound[p]) and not isinstance(bound[p], gast.Constant)}
        if not inactive:
            return False
        primal = site.rule.primal
        if not (isinstance(primal, np.ufunc) or getattr(primal, "__module__", None) in ("_operator", "operator")):
            return True
        read = {n.id for tree in [*statements, *contributions] for n in walk(tree) if isinstance(n, gast.Name)}
        return target not in read and not (None not in inactive and inactive <= read)

    def _is_active(self, argument: gast.expr) -> bool:
        if isinstance(argument, gast.Name):
            return argument.id in self.active
        if isinstance(argument, (gast.List, gast.Tuple)):
            return any(self._is_active(e) for e in argument.elts)
        return False

    def _rule(self, rules: dict, position: int | str, site: CallSite, value: gast.expr) -> Rule:
        rule = rules.get(position)
        if rule is None:
            raise self.error(value, f"no forward-mode rule for argument {position} of '{site.rule.name}'",
                             f"register one: @srcgrad.defjvp({site.rule.name.split('.')[-1]}, argnum={position!r})",
                             cls=MissingRuleError)
        return rule

    def user_call(self, stmt: gast.Assign, target: str, value: gast.Call) -> list[gast.stmt]:
        """``pair = call_with_vjp(f, *args)`` becomes ``pair = call_with_jvp(f, (args...), (tangents...))``,
        whose second item is the output's tangent."""
        fn, *args = value.args
        self.user_pairs.add(target)
        tangents = gast.Tuple([self.tangent_of(a) for a in args], gast.Load())
        if self.callee(value.func) is call_value_with_vjp:  # the callee holds differentiated values too
            call = gast.Call(self.namespace.ref(call_value_with_jvp),
                             [fn, self.tangent_of(fn), gast.Tuple(list(args), gast.Load()), tangents], [])
        else:
            call = gast.Call(self.namespace.ref(call_with_jvp), [fn, gast.Tuple(list(args), gast.Load()), tangents],
                             [])
        return [gast.copy_location(assign(target, call), stmt),
                assign(self.tangent(target), name(target))]
