"""Inline a derivative rule's body at a call site, as a template.

The rule ``def _(g, ans, x, y): return unbroadcast(g * y, x), unbroadcast(g * x, y)`` becomes, at
``xy = x * y`` with cotangent ``d_xy``, the expressions ``unbroadcast(d_xy * y, x)`` and
``unbroadcast(d_xy * x, y)``. Parameters are replaced by the call's atoms, the rule's local variables by
fresh names, and its global names by references into the generated code's namespace. Rules whose source
cannot be read (a lambda, a C function) are called instead of inlined."""

from __future__ import annotations

import builtins
import inspect
import numbers
import textwrap
from dataclasses import dataclass
from typing import Any

import gast

from ..analysis.walk import CHILD_FIELDS, child_fields, walk
from ..frontend.constant_branches import UNKNOWN, constant_value
from ..naming import Names, Namespace, reference_text
from ..rules.helpers import ONE_PARTIAL, unbroadcast
from ..rules.registry import ARGNUMS_VARIADIC, Rule
from ..visitors import NodeTransformer
from .clone import clone


@dataclass
class Template:
    params: list[inspect.Parameter]
    body: list[gast.stmt]
    result: gast.expr
    globals: dict[str, Any]
    defaults: dict[str, gast.expr]


_TEMPLATES: dict[int, Template | None] = {}


def template_of(rule: Rule) -> Template | None:
    """The rule's body as a template, or ``None`` when it cannot be inlined."""
    key = id(rule.function)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _build_template(rule)
    return _TEMPLATES[key]


def _build_template(rule: Rule) -> Template | None:
    try:
        source = textwrap.dedent(inspect.getsource(rule.function))
        node = gast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(node, gast.FunctionDef) or not node.body or not isinstance(node.body[-1], gast.Return):
        return None
    if any(isinstance(n, (gast.Return, gast.Yield, gast.FunctionDef, gast.Lambda))
           for stmt in node.body[:-1] for n in walk(stmt)):
        return None
    params = list(inspect.signature(rule.function).parameters.values())
    args = node.args
    positional = args.args
    defaults = dict(zip([a.id for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.id: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return Template(params, node.body[:-1], node.body[-1].value, rule.function.__globals__, defaults)


@dataclass
class Inlined:
    """Statements to emit first, then one expression per requested partial (``None`` when not asked)."""

    statements: list[gast.stmt]
    partials: list[gast.expr | None]


def bind_arguments(params: list[inspect.Parameter], args: list[gast.expr], keywords: dict[str, gast.expr],
                   defaults: dict[str, gast.expr]) -> dict[str, gast.expr]:
    """Map a rule's primal parameters onto the call site's argument expressions."""
    bound: dict[str, gast.expr] = {}
    remaining = list(args)
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            bound[p.name] = gast.Tuple(remaining, gast.Load())
            remaining = []
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            extra = {k: v for k, v in keywords.items() if k not in bound}
            bound[p.name] = gast.Dict([gast.Constant(k, None) for k in extra], list(extra.values()))
        elif remaining and p.kind is not inspect.Parameter.KEYWORD_ONLY:
            bound[p.name] = remaining.pop(0)
        elif p.name in keywords:
            bound[p.name] = keywords[p.name]
        elif p.name in defaults:
            bound[p.name] = defaults[p.name]
        elif p.default is not inspect.Parameter.empty and type(p.default) in (int, float, bool, str, type(None)):
            bound[p.name] = gast.Constant(p.default, None)   # the primal's own default, a literal
        else:
            raise TypeError(f"missing argument {p.name!r}")
    if remaining:
        raise TypeError("too many positional arguments")
    return bound


def inline(rule: Rule, g: gast.expr, ans: gast.expr, args: list[gast.expr], keywords: dict[str, gast.expr],
           wanted: list[bool], names: Names, namespace: Namespace, same_shape: set[str]) -> Inlined:
    """Instantiate ``rule`` at a call site. ``wanted[i]`` says whether the i-th partial is needed;
    ``same_shape`` names arguments known to have the output's shape (their ``unbroadcast`` is dropped)."""
    template = template_of(rule)
    if template is None:
        return _call_rule(rule, g, ans, args, keywords, wanted, names, namespace)
    rule_params = template.params[2:]
    bound = bind_arguments(rule_params, args, keywords, template.defaults)
    bound[template.params[0].name] = g
    bound[template.params[1].name] = ans
    renamer = _TemplateRenamer(bound, template.globals, names, namespace)
    body = [renamer.copy(stmt) for stmt in template.body]
    result = renamer.copy(template.result)
    statements = [s for s in body if s is not None]
    count = len(wanted)
    one = _one_partial_form(result, namespace)
    if isinstance(result, gast.Tuple) and len(result.elts) == count and count > 1:
        parts: list[gast.expr] = list(result.elts)
    elif one is not None and count > 1:   # only the partials the site needs (helpers.ONE_PARTIAL)
        parts = [gast.Call(namespace.ref(one), [clone(a) for a in result.args] + [gast.Constant(i, None)], [])
                 for i in range(count)]
    elif count == 1 and rule.argnums != ARGNUMS_VARIADIC:
        parts = [result]
    else:
        holder = names.fresh("partials")
        statements.append(gast.Assign([gast.Name(holder, gast.Store(), None, None)], result, None))
        parts = [gast.Subscript(gast.Name(holder, gast.Load(), None, None), gast.Constant(i, None), gast.Load())
                 for i in range(count)]
    unbroadcast_ref = reference_text(namespace.ref(unbroadcast))
    partials = [_simplify(p, same_shape, unbroadcast_ref) if w else None for p, w in zip(parts, wanted)]
    return Inlined(statements, partials)


def _one_partial_form(result: gast.expr, namespace: Namespace) -> Any:
    """The one-position form of the helper a rule's result calls, if it has one (``einsum_grads``)."""
    if isinstance(result, gast.Call) and isinstance(result.func, gast.Name) and not result.keywords:
        return ONE_PARTIAL.get(namespace.bindings.get(result.func.id))
    return None


def _call_rule(rule: Rule, g, ans, args, keywords, wanted, names: Names, namespace: Namespace) -> Inlined:
    holder = names.fresh("partials")
    call = gast.Call(namespace.ref(rule.function), [g, ans] + list(args),
                     [gast.keyword(k, v) for k, v in keywords.items()])
    stmt = gast.Assign([gast.Name(holder, gast.Store(), None, None)], call, None)
    if len(wanted) == 1 and rule.argnums != ARGNUMS_VARIADIC:
        return Inlined([stmt], [gast.Name(holder, gast.Load(), None, None) if wanted[0] else None])
    parts = [gast.Subscript(gast.Name(holder, gast.Load(), None, None), gast.Constant(i, None), gast.Load())
             if w else None for i, w in enumerate(wanted)]
    return Inlined([stmt], parts)


class _TemplateRenamer(NodeTransformer):
    def __init__(self, bound: dict[str, gast.expr], rule_globals: dict[str, Any], names: Names,
                 namespace: Namespace):
        self.bound = bound
        self.rule_globals = rule_globals
        self.names = names
        self.namespace = namespace
        self.locals: dict[str, str] = {}

    def copy(self, node: gast.AST) -> gast.AST | None:
        """``self.visit(clone(node))`` in one walk: each node is copied and renamed as it is reached, in the
        order the visit would reach it (so fresh names come in the same order). The template is left as it
        is: every call site gets its own nodes."""
        cls = type(node)
        if cls is gast.Name:
            return self.visit_Name(node, copy=True)
        if cls in _VISITED_AS_WRITTEN:   # (their visits order their parts themselves)
            return self.visit(clone(node))
        copied = cls.__new__(cls)
        new = dict(node.__dict__)   # (positions and leaves as they are; the children, in order, below)
        for field in CHILD_FIELDS.get(cls) or child_fields(cls):
            value = new.get(field)
            if type(value) is list:
                new[field] = [self.copy(item) if isinstance(item, _AST) else item for item in value]
            elif isinstance(value, _AST):
                new[field] = self.copy(value)
        copied.__dict__.update(new)
        if cls is gast.Call:
            return self.visit_Call(copied, children_done=True)
        return copied

    def visit_Name(self, node: gast.Name, copy: bool = False) -> gast.expr:
        if node.id in self.bound and isinstance(node.ctx, gast.Load):
            return clone(self.bound[node.id])
        if isinstance(node.ctx, gast.Store) or node.id in self.locals:
            if node.id not in self.locals:
                self.locals[node.id] = self.names.fresh(node.id)
            return gast.Name(self.locals[node.id], node.ctx, None, None)
        if node.id in self.rule_globals:
            return self.namespace.ref(self.rule_globals[node.id])
        if hasattr(builtins, node.id):
            return self.namespace.ref(getattr(builtins, node.id))
        return clone(node) if copy else node

    def visit_Call(self, node: gast.Call, children_done: bool = False) -> gast.expr:
        """Spread ``*(a, b)`` and ``**{'k': v}`` once the rule's ``*args``/``**kwargs`` are bound to the call
        site's literal argument lists, so that the generated code has plain calls (which can themselves
        be differentiated again)."""
        if not children_done:
            self.generic_visit(node)
        args: list[gast.expr] = []
        for arg in node.args:
            if isinstance(arg, gast.Starred) and isinstance(arg.value, (gast.Tuple, gast.List)):
                args.extend(arg.value.elts)
            else:
                args.append(arg)
        keywords: list[gast.keyword] = []
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg is None and isinstance(value, gast.Dict) and all(
                    isinstance(k, gast.Constant) and isinstance(k.value, str) for k in value.keys):
                keywords.extend(gast.keyword(k.value, v) for k, v in zip(value.keys, value.values))
            else:
                keywords.append(keyword)
        node.args, node.keywords = args, keywords
        return node

    def visit_ListComp(self, node: gast.ListComp) -> gast.ListComp:
        node.generators = [self.visit(g) for g in node.generators]
        node.elt = self.visit(node.elt)
        return node

    def visit_comprehension(self, node: gast.comprehension) -> gast.comprehension:
        node.iter = self.visit(node.iter)
        target_names = [n for n in walk(node.target) if isinstance(n, gast.Name)]
        for n in target_names:
            self.locals.setdefault(n.id, self.names.fresh(n.id))
        node.target = self.visit(node.target)
        node.ifs = [self.visit(i) for i in node.ifs]
        return node


_AST = gast.AST
# nodes whose visit orders the visits of their parts (a comprehension binds its targets before its element)
_VISITED_AS_WRITTEN = (gast.ListComp, gast.comprehension)


def _is_number(node: gast.expr) -> bool:
    return isinstance(node, gast.Constant) and isinstance(node.value, numbers.Number) and not isinstance(
        node.value, bool)


class _Simplifier(NodeTransformer):
    """Shape-safe local simplifications of an instantiated partial: fold arithmetic on numeric constants
    and comparisons and conditional expressions of constants, drop ``unbroadcast(e, x)`` when ``x`` is
    known to have the output's shape, and ``e ** 1`` → ``e``."""

    def __init__(self, same_shape: set[str], unbroadcast_ref: str | None):
        self.same_shape = same_shape
        self.unbroadcast_ref = unbroadcast_ref

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        if _is_number(node.left) and _is_number(node.right):
            folded = _fold(node)
            if folded is not None:
                return folded
        if isinstance(node.op, gast.Pow) and _is_number(node.right) and node.right.value == 1:
            return node.left
        return node

    def visit_Compare(self, node: gast.Compare) -> gast.expr:
        """``-1.0 is None`` (a rule's ``a_min is None`` given a constant) → ``False``."""
        self.generic_visit(node)
        value = constant_value(node)
        return node if value is UNKNOWN else gast.Constant(value, None)

    def visit_IfExp(self, node: gast.IfExp) -> gast.expr:
        self.generic_visit(node)
        test = constant_value(node.test)
        if test is UNKNOWN:
            return node
        return node.body if test else node.orelse

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if (self.unbroadcast_ref is not None and reference_text(node.func) == self.unbroadcast_ref
                and len(node.args) == 2
                and isinstance(node.args[1], gast.Name) and node.args[1].id in self.same_shape):
            return node.args[0]
        return node


def _fold(node: gast.BinOp) -> gast.expr | None:
    ops = {gast.Add: lambda a, b: a + b, gast.Sub: lambda a, b: a - b, gast.Mult: lambda a, b: a * b}
    fn = ops.get(type(node.op))
    if fn is None:
        return None
    return gast.Constant(fn(node.left.value, node.right.value), None)


def _simplify(expr: gast.expr, same_shape: set[str], unbroadcast_ref: str | None) -> gast.expr:
    return _Simplifier(same_shape, unbroadcast_ref).visit(expr)
