"""Closure conversion: nested functions and lambdas receive the enclosing function's locals they read as
parameters, so that derivatives flow through them like through any other argument.

``def h(v): return a * v`` inside ``f``, called as ``h(x)``, becomes ``def h(a, v): return a * v`` called as
``h(a, x)``: ``call_with_vjp`` then transforms ``h`` as an ordinary callee and returns a cotangent for ``a``.
Python reads a closure's variables when the function *runs*, and the call site passes their values at that
moment, so reassigning ``a`` between the ``def`` and the call means the same thing as in Python. A nested
function that calls another one passes that one's captured values on (the captured sets are closed
transitively), and a lambda bound to a name (``h = lambda v: a * v``) is converted like a ``def``.

A nested function used as a value rather than called (``map(h, xs)``, ``key=lambda v: v * a``) becomes
``close_over(h, a)``, a ``functools.partial`` with the captured values in front. Nothing differentiates
through such an object, so default deny refuses it when a captured value depends on the differentiated
inputs; with constant captured values it runs as Python would. The partial holds the values of the moment
it is made, so a captured variable the function binds again (or in a loop) is refused here: Python's
closure would read the later value.

Whatever reads a local of the enclosing function in a way this pass does not convert — a parameter default
(``def h(v, k=a)``), a function bound to a name more than once — is left alone and refused by
``check_closures`` afterwards, with the construct's line: a closure srcgrad cannot see through would
otherwise carry no gradient, silently."""

from __future__ import annotations

from typing import Any

import gast

from ..analysis.walk import children, walk
from ..errors import SrcgradSyntaxError
from ..naming import Namespace
from ..runtime import close_over
from ..visitors import NodeTransformer
from .parse import ParsedFunction


def _params(args: gast.arguments) -> set[str]:
    names = {a.id for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if isinstance(a, gast.Name)}
    names |= {a.id for a in (args.vararg, args.kwarg) if isinstance(a, gast.Name)}
    return names


def enclosing_locals(fn: gast.FunctionDef) -> set[str]:
    """``fn``'s own local variables: parameters, assigned names, nested ``def`` names; not the variables
    of nested functions and lambdas."""
    names = _params(fn.args)

    def visit(node: gast.AST) -> None:
        for child in children(node):
            if isinstance(child, gast.FunctionDef):
                names.add(child.name)
                continue
            if isinstance(child, gast.Lambda):
                continue
            if isinstance(child, gast.Name) and isinstance(child.ctx, (gast.Store, gast.Del)):
                names.add(child.id)
            visit(child)

    visit(fn)
    return names


def free_reads(function: gast.FunctionDef | gast.Lambda) -> set[str]:
    """Names a nested function reads that are not its own (parameters or names it assigns anywhere in its
    body, nested functions included), in order of first appearance; defaults and decorators excluded."""
    body = function.body if isinstance(function, gast.FunctionDef) else [function.body]
    own = _params(function.args)
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
                own.add(node.id)
            elif isinstance(node, (gast.FunctionDef, gast.Lambda)):
                own |= _params(node.args)
                if isinstance(node, gast.FunctionDef):
                    own.add(node.name)
    return {node.id for stmt in body for node in walk(stmt)
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id not in own}


class ConvertClosures:
    """See the module docstring."""

    def __init__(self, namespace: Namespace, parsed: ParsedFunction):
        self.namespace = namespace
        self.parsed = parsed

    def run(self, fn: gast.FunctionDef) -> gast.FunctionDef:
        outer = enclosing_locals(fn)
        bindings: dict[str, list[gast.AST]] = {}
        for node in own_nodes(fn):
            if isinstance(node, gast.FunctionDef):
                bindings.setdefault(node.name, []).append(node)
            elif isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
                bindings.setdefault(node.id, []).append(node)
        named: dict[str, gast.FunctionDef | gast.Lambda] = {}
        for stmt in own_nodes(fn):
            if isinstance(stmt, gast.FunctionDef) and len(bindings[stmt.name]) == 1 and not stmt.decorator_list:
                named[stmt.name] = stmt
            elif (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Lambda) and len(stmt.targets) == 1
                  and isinstance(stmt.targets[0], gast.Name) and len(bindings[stmt.targets[0].id]) == 1):
                named[stmt.targets[0].id] = stmt.value
        functions = set(named)
        captured = {name: sorted(free_reads(f) & outer - functions - {name}) for name, f in named.items()}
        changed = True
        while changed:  # a nested function that calls another passes that one's captured values on
            changed = False
            for name, function in named.items():
                for other in free_reads(function) & functions - {name}:
                    extra = [v for v in captured[other] if v not in captured[name]]
                    if extra:
                        captured[name] = sorted({*captured[name], *extra})
                        changed = True
        converted = {name: vs for name, vs in captured.items() if vs}
        for name, values in converted.items():
            function = named[name]
            function.args.args[:0] = [gast.Name(v, gast.Param(), None, None) for v in values]
        changing = _rebound_locals(fn)
        _CallSites(converted, self.namespace, changing, self.parsed).visit(fn)
        inline = _InlineLambdas(outer, self.namespace, changing, self.parsed)
        fn.body = [inline.visit(stmt) for stmt in fn.body]
        return fn


def _rebound_locals(fn: gast.FunctionDef) -> set[str]:
    """Locals of ``fn`` that may hold different values over time: bound more than once, or in a loop."""
    counts: dict[str, int] = {}

    def visit(node: gast.AST, in_loop: bool) -> None:
        for child in children(node):
            if isinstance(child, (gast.FunctionDef, gast.Lambda)):
                if isinstance(child, gast.FunctionDef):
                    counts[child.name] = counts.get(child.name, 0) + (2 if in_loop else 1)
                continue
            if isinstance(child, gast.Name) and isinstance(child.ctx, (gast.Store, gast.Del)):
                counts[child.id] = counts.get(child.id, 0) + (2 if in_loop else 1)
            visit(child, in_loop or isinstance(child, (gast.For, gast.While)))

    visit(fn, False)
    return {name for name, count in counts.items() if count > 1}


def _refuse_late_binding(parsed: ParsedFunction, node: gast.AST, what: str, values: list[str],
                         changing: set[str]) -> None:
    moving = [v for v in values if v in changing]
    if moving:
        raise parsed.error(
            node, f"{what} is used as a value while it reads {', '.join(moving)}, which the enclosing function "
            "binds more than once (or in a loop): Python reads such a variable when the function runs, a value "
            "srcgrad cannot follow", "call the function where it is defined, or pass the value as an argument",
            cls=SrcgradSyntaxError)


def own_nodes(fn: gast.FunctionDef):
    """The nodes of ``fn``'s body that belong to ``fn`` itself: nested functions are yielded, not entered."""
    stack = list(reversed(fn.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        stack.extend(reversed(list(children(node))))


class _CallSites(NodeTransformer):
    """``h(x)`` → ``h(a, x)``; any other read of ``h`` → ``close_over(h, a)``: everywhere, nested functions
    included (their parameters now hold the captured values under the same names)."""

    def __init__(self, converted: dict[str, list[str]], namespace: Namespace, changing: set[str],
                 parsed: ParsedFunction):
        self.converted = converted
        self.namespace = namespace
        self.changing = changing
        self.parsed = parsed

    def visit_Call(self, node: gast.Call) -> Any:
        func = node.func
        node.args = [self.visit(a) for a in node.args]
        node.keywords = [self.visit(k) for k in node.keywords]
        if isinstance(func, gast.Name) and func.id in self.converted:
            passed = [gast.Name(v, gast.Load(), None, None) for v in self.converted[func.id]]
            node.args[:0] = passed
            return node
        node.func = self.visit(func)
        return node

    def visit_Name(self, node: gast.Name) -> Any:
        if isinstance(node.ctx, gast.Load) and node.id in self.converted:
            _refuse_late_binding(self.parsed, node, f"the nested function '{node.id}'", self.converted[node.id],
                                 self.changing)
            values = [gast.Name(v, gast.Load(), None, None) for v in self.converted[node.id]]
            call = gast.Call(self.namespace.ref(close_over), [gast.Name(node.id, gast.Load(), None, None), *values], [])
            return gast.copy_location(call, node)
        return node


class _InlineLambdas(NodeTransformer):
    """A lambda written where a value is expected (``sorted(xs, key=lambda v: v * a)``) →
    ``close_over(lambda a, v: v * a, a)``."""

    def __init__(self, outer: set[str], namespace: Namespace, changing: set[str], parsed: ParsedFunction):
        self.outer = outer
        self.namespace = namespace
        self.changing = changing
        self.parsed = parsed

    def visit_Assign(self, node: gast.Assign) -> Any:
        if isinstance(node.value, gast.Lambda):
            return node  # bound to a name: converted as a named function, or refused by check_closures
        return self.generic_visit(node)

    def visit_FunctionDef(self, node: gast.FunctionDef) -> Any:
        return node  # its own lambdas are converted when it is transformed

    def visit_Lambda(self, node: gast.Lambda) -> Any:
        values = sorted(free_reads(node) & self.outer)
        if not values:
            return node
        _refuse_late_binding(self.parsed, node, "a lambda", values, self.changing)
        node.args.args[:0] = [gast.Name(v, gast.Param(), None, None) for v in values]
        call = gast.Call(self.namespace.ref(close_over), [node, *[gast.Name(v, gast.Load(), None, None)
                                                                   for v in values]], [])
        return gast.copy_location(call, node)


def check_closures(parsed: ParsedFunction, fn: gast.FunctionDef) -> None:
    """Refuse, at its line, a nested function or lambda that still reads a local of ``fn`` it was not given
    as a parameter, or whose parameter default reads one (evaluated once, when the ``def`` runs)."""
    outer = enclosing_locals(fn)
    for node in own_nodes(fn):
        if not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        kind = "lambda" if isinstance(node, gast.Lambda) else f"nested function '{node.name}'"
        defaults = [d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None]
        in_defaults = sorted({n.id for d in defaults for n in walk(d) if isinstance(n, gast.Name)} & outer)
        if in_defaults:
            raise parsed.error(node, f"the {kind} has a default value that reads the local variable(s) "
                               f"{', '.join(in_defaults)} of the enclosing function",
                               "pass the value as an argument when calling it", cls=SrcgradSyntaxError)
        functions = {n.name for n in own_nodes(fn) if isinstance(n, gast.FunctionDef)}
        free = sorted(free_reads(node) & outer - functions - ({node.name} if isinstance(node, gast.FunctionDef)
                                                                else set()))
        if free:
            raise parsed.error(node, f"the {kind} uses the local variable(s) {', '.join(free)} of the enclosing "
                               "function, which is bound to its name more than once (or the function is "
                               "decorated), so srcgrad cannot pass them to it",
                               "bind the function to its name once, or pass the values as arguments",
                               cls=SrcgradSyntaxError)
