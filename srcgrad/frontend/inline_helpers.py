"""Inline the user's small helper functions into the function that calls them, after A-normal form.

``force = policy(W, pos, vel)`` reaches this pass as ``policy_call = call_with_vjp(policy, W, pos, vel)``
followed by ``policy_out = call_output(policy_call)``. Left so, each call transforms ``policy`` on its
own, runs its forward sweep, builds a backward closure, keeps it and calls it back: for a helper of one
or two lines that costs more than its arithmetic. Inlined, the pair becomes ``policy``'s own statements
(its parameters bound to the arguments, its locals renamed apart, its ``return`` an assignment of
``policy_out``), and the caller's analyses, storage plan, common subexpressions and shape specialisation
see one function, as if the user had written the helper's lines in place.

Only what keeps Python's meaning is inlined: a plain ``def`` of the caller's own module (same globals,
same file, no closure, no decorator), called with positional arguments, whose free names mean the same in
the caller, which passes the checks srcgrad runs on a callee (no writes into its arguments), and whose
body has one ``return``, at its end. Anything else is called as before, so nothing is refused here that
was accepted before. The generated code is valid only while the caller's name still means that helper:
``Inlined.current`` tells the cache, which transforms the caller anew after ``policy`` is redefined."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast

from ..analysis.walk import walk
from ..errors import SrcgradError
from ..naming import Names, Namespace, identifiers
from ..records import new_object, set_field
from ..runtime import call_output, call_with_vjp
from ..transform.clone import clone
from ..visitors import NodeTransformer
from .anf import to_anf
from .constant_branches import fold_constant_branches
from .constructors import LowerConstructor
from .parse import ParsedFunction, parse_function
from .record_fields import forward_fields
from .resolve import UNRESOLVED, resolve_callee
from .variadic import specialize_signature

MAX_DEPTH = 3          # helpers called by inlined helpers, and so on
MAX_STATEMENTS = 40    # a longer helper is a function of its own, not an expression written once
MAX_INLINED = 600      # statements added to one function in all

_FORBIDDEN = (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ClassDef, gast.Global, gast.Nonlocal,
              gast.Yield, gast.YieldFrom, gast.Await, gast.Try, gast.With, gast.Raise, gast.Delete)


@dataclass
class Inlined:
    """The helpers inlined into one generated function, by the global name the code called them by."""

    helpers: dict[str, tuple[Callable, Any]] = field(default_factory=dict)
    globals: dict[str, Any] | None = None
    # (class, attribute, function): methods and constructors inlined from a class
    attributes: list[tuple[type, str, Callable]] = field(default_factory=list)

    def current(self) -> bool:
        """Whether every inlined name still means the function (or class, and code) that was inlined, and
        every inlined method and ``__init__`` is still the class's."""
        table = self.globals
        for helper_name, (helper, code) in self.helpers.items():
            if table.get(helper_name) is not helper or _code_of(helper) is not code:
                return False
        return all(inspect.getattr_static(owner, attr, None) is function and function.__code__ is code
                   for owner, attr, function, code in self.attributes)


def inline_helpers(core: gast.FunctionDef, parsed: ParsedFunction, namespace: Namespace, names: Names,
                   temps: set[str], desugar: Callable[..., gast.FunctionDef],
                   checks: Callable[[ParsedFunction], None]) -> Inlined:
    """Inline the eligible helper calls of ``core`` (in place) and return what was inlined. ``desugar``
    and ``checks`` are the front end's own passes, run on each helper as on any callee."""
    inliner = _HelperInliner(parsed, namespace, names, temps, desugar, checks, local_names_of(core))
    core.body = inliner.block(core.body, ())
    forward_fields(core, inliner.made)
    return inliner.inlined


def local_names_of(fn: gast.FunctionDef) -> set[str]:
    found = {a.id for a in fn.args.args}
    found.update(n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
    return found


class _HelperInliner:
    def __init__(self, parsed: ParsedFunction, namespace: Namespace, names: Names, temps: set[str],
                 desugar: Callable[..., gast.FunctionDef], checks: Callable[[ParsedFunction], None],
                 caller_locals: set[str]):
        self.parsed, self.namespace, self.names, self.temps = parsed, namespace, names, temps
        self.desugar, self.checks = desugar, checks
        self.caller_locals = caller_locals
        self.inlined = Inlined(globals=parsed.scope.globals)
        self.added = 0
        self.refused: set[int] = set()  # ids of helpers found not inlinable, not parsed again
        # objects made by inlined constructors: variable -> (class, field -> variable holding its value)
        self.made: dict[str, tuple[type, dict[str, str]]] = {}
        # the same, where the variable still holds that object at the statement being read
        self.records: dict[str, tuple[type, dict[str, str]]] = {}
        self.bound: dict[str, _BoundMethod] = {}  # variables holding a method of one of those objects

    def block(self, stmts: list[gast.stmt], within: tuple[Callable, ...]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        i = 0
        while i < len(stmts):
            stmt = stmts[i]
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                # a loop's body also runs after its own stores (the next trip): what the body or the
                # branch rebinds is not known there to be what it was before it
                for stored in _stored(stmt):
                    self.records.pop(stored, None)
                    self.bound.pop(stored, None)
            for part in ("body", "orelse"):
                if isinstance(getattr(stmt, part, None), list) and not isinstance(stmt, gast.FunctionDef):
                    setattr(stmt, part, self.block(getattr(stmt, part), within))
            follower = stmts[i + 1] if i + 1 < len(stmts) else None
            body = self._inline(stmt, follower, within)
            if body is None:
                # what a variable held before is gone (after a loop or a branch: may be gone)
                for stored in _stored(stmt):
                    self.records.pop(stored, None)
                    self.bound.pop(stored, None)
                self._note_method(stmt)
                out.append(stmt)
                i += 1
            else:
                out += body
                i += 2
        return out

    def _inline(self, stmt: gast.stmt, follower: gast.stmt | None,
                within: tuple[Callable, ...]) -> list[gast.stmt] | None:
        """The statements that replace a call pair ``c = call_with_vjp(h, ...); o = call_output(c)``."""
        site = self._site(stmt, follower)
        if site is None or len(within) >= MAX_DEPTH:
            return None
        callee, args, output = site
        made: type | None = None
        if isinstance(callee, _BoundMethod):
            helper, args = callee.function, [gast.Name(callee.obj, gast.Load(), None, None), *args]
        elif isinstance(callee, type):
            made, helper = callee, getattr(callee, "__init__", None)
            if not plain_class(callee):
                return None
        else:
            helper = callee
        if helper in within or id(helper) in self.refused or not self._eligible(helper):
            return None
        expansion = self._expand(helper, args, output, stmt, made)
        if expansion is None:
            self.refused.add(id(helper))
            return None
        if isinstance(callee, _BoundMethod):
            self.inlined.attributes.append((callee.owner, callee.attr, helper, helper.__code__))
        else:
            self.inlined.helpers[stmt.value.args[0].id] = (callee, _code_of(callee))
        expansion = self.block(expansion, (*within, helper))
        if made is not None and output.id in self.made:
            self.records[output.id] = self.made[output.id]
        return expansion

    def _site(self, stmt: gast.stmt, follower: gast.stmt | None) -> tuple | None:
        if not (_assigns_call(stmt) and _assigns_call(follower)):
            return None
        call, then = stmt.value, follower.value
        if not (self._resolves_to(call.func, call_with_vjp) and self._resolves_to(then.func, call_output)
                and not call.keywords and call.args and len(then.args) == 1 and not then.keywords
                and isinstance(then.args[0], gast.Name) and then.args[0].id == stmt.targets[0].id):
            return None
        function, args = call.args[0], call.args[1:]
        if not isinstance(function, gast.Name) or not all(isinstance(a, (gast.Name, gast.Constant)) for a in args):
            return None
        if function.id in self.bound:
            return self.bound[function.id], args, follower.targets[0]
        if function.id in self.records:  # ``layer(x)``: the object's ``__call__``
            owner = self.records[function.id][0]
            method = inspect.getattr_static(owner, "__call__", None)
            if not inspect.isfunction(method):
                return None
            return _BoundMethod(owner, "__call__", method, function.id), args, follower.targets[0]
        if function.id in self.caller_locals:
            return None
        helper = self.parsed.scope.lookup(function.id, None)
        if self.parsed.scope.globals.get(function.id) is not helper:
            return None  # a closure cell or a builtin: not a name the cache can check
        return helper, args, follower.targets[0]

    def _note_method(self, stmt: gast.stmt) -> None:
        """``m = obj.method`` where ``obj`` was made by an inlined constructor: a method to inline; and
        ``other = obj``, the same object."""
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                and isinstance(stmt.value, gast.Name) and stmt.value.id in self.records:
            self.records[stmt.targets[0].id] = self.records[stmt.value.id]
            return
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Attribute) and isinstance(stmt.value.value, gast.Name)
                and stmt.value.value.id in self.records):
            return
        owner, fields = self.records[stmt.value.value.id]
        attr = stmt.value.attr
        function = inspect.getattr_static(owner, attr, None)
        if attr not in fields and inspect.isfunction(function):
            self.bound[stmt.targets[0].id] = _BoundMethod(owner, attr, function, stmt.value.value.id)

    def _resolves_to(self, func: gast.expr, target: Any) -> bool:
        return resolve_callee(func, self.namespace, set()) is target

    def _eligible(self, helper: Any) -> bool:
        caller = self.parsed.fn
        return (inspect.isfunction(helper) and helper is not caller and helper.__closure__ is None
                and helper.__globals__ is caller.__globals__
                and helper.__code__.co_filename == caller.__code__.co_filename
                and not helper.__code__.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE
                                                    | inspect.CO_ASYNC_GENERATOR)
                and not hasattr(helper, "__wrapped__") and helper.__name__ != "<lambda>"
                and not helper.__kwdefaults__)

    def _expand(self, helper: Callable, args: list[gast.expr], output: gast.expr, site: gast.stmt,
                made: type | None = None) -> list[gast.stmt] | None:
        """The helper's statements, bound to ``args``; with ``made``, ``helper`` is that class's
        ``__init__``, run on a new object as a constructor (``frontend/constructors.py``)."""
        try:
            hp = parse_function(helper)
        except SrcgradError:
            return None
        if made is not None:
            if not hp.node.args.args:
                return None
            LowerConstructor(hp, self.namespace.ref).run()
            new = gast.Call(self.namespace.ref(new_object), [clone(site.value.args[0])], [])
            args = [new, *args]
        node = hp.node
        if node.decorator_list or node.args.kwonlyargs or node.args.kwarg is not None:
            return None
        statements = [n for n in walk(node) if isinstance(n, gast.stmt)]
        returns = [n for n in statements if isinstance(n, gast.Return)]
        if len(statements) - 1 > MAX_STATEMENTS or self.added + len(statements) > MAX_INLINED \
                or any(isinstance(n, _FORBIDDEN) for n in walk(node) if n is not node) \
                or not returns or any(r.value is None for r in returns):
            return None  # (a function that may fall off its end returns None: called as written)
        bound = self._bind(helper, node, args)
        if bound is None:
            return None
        params, examples, values = bound
        try:
            self.checks(hp)
        except SrcgradError:
            return None
        helper_locals = local_names_of(node) | {a.id for a in node.args.posonlyargs}
        if node.args.vararg is not None:
            helper_locals.add(node.args.vararg.id)
        free = identifiers(node) - helper_locals
        for free_name in free:
            meaning = hp.scope.lookup(free_name, UNRESOLVED)
            if meaning is UNRESOLVED and free_name in self.namespace.bindings:
                continue  # a name the lowering passes bound (``set_field``)
            if free_name in self.caller_locals or self.namespace.bindings.get(free_name, meaning) is not meaning \
                    or self.parsed.scope.lookup(free_name, UNRESOLVED) is not meaning:
                return None
        for free_name in free:
            self.names.reserve(free_name)
        renamed = {old: self.names.fresh(old) for old in sorted(helper_locals)}
        _Rename(renamed).visit(node)
        self.namespace.user_locals |= set(renamed.values())
        params = [renamed[p] for p in params]
        try:
            specialize_signature(hp, examples)
            core, temps = to_anf(self.desugar(hp, self.namespace, frozenset()), self.names)
        except SrcgradError:
            return None
        last = core.body[-1] if core.body else None
        if not isinstance(last, gast.Return) or any(isinstance(n, gast.Return) for s in core.body[:-1]
                                                    for n in walk(s)):
            return None
        self.temps |= temps
        self.caller_locals |= local_names_of(core)
        self.parsed.lines.update(hp.lines)
        for lineno in hp.lines:
            self.parsed.inlined_lines[lineno] = helper.__qualname__.split("<locals>.")[-1]
        self.added += len(statements)
        # a parameter the helper never rebinds is its argument (an atom of the caller's that the helper's
        # statements cannot rebind); the others start as a copy of it
        stored = {n.id for s in core.body for n in walk(s) if isinstance(n, gast.Name)
                  and not isinstance(n.ctx, gast.Load)}
        substituted = {param: value for param, value in zip(params, values)
                       if param not in stored and isinstance(value, (gast.Name, gast.Constant))}
        prologue = [gast.copy_location(gast.Assign([gast.Name(param, gast.Store(), None, None)], value, None), site)
                    for param, value in zip(params, values) if param not in substituted]
        result = gast.copy_location(gast.Assign([output], last.value, None), last)
        body = fold_constant_branches(prologue + [_Substitute(substituted).visit(s) for s in [*core.body[:-1], result]])
        if made is not None and isinstance(output, gast.Name):
            body = self._name_fields(body, made, output.id)
        return body

    def _name_fields(self, body: list[gast.stmt], made: type, obj: str) -> list[gast.stmt]:
        """Give each value a constructor assigns to a field a variable of its own, assigned once
        (``obj_w = w; self = set_field(self, 'w', obj_w)``), and remember them: reading ``obj.w`` is then
        reading ``obj_w`` (``forward_fields``). Only where every field is assigned by a statement of the
        constructor's own block, which runs whole or not at all."""
        def sets(node: gast.AST) -> bool:
            return isinstance(node, gast.Call) and self._resolves_to(node.func, set_field)

        top = [s for s in body if isinstance(s, gast.Assign) and sets(s.value)]
        nested = [n for s in body if s not in top for n in walk(s) if sets(n)]
        if nested or not all(isinstance(s.value.args[1], gast.Constant) for s in top):
            return body
        fields: dict[str, str] = {}
        out: list[gast.stmt] = []
        for stmt in body:
            if stmt in top:
                field_name = stmt.value.args[1].value
                variable = self.names.fresh(f"{obj}_{field_name}")
                self.caller_locals.add(variable)
                out.append(gast.copy_location(gast.Assign([gast.Name(variable, gast.Store(), None, None)],
                                                          stmt.value.args[2], None), stmt))
                stmt.value.args[2] = gast.Name(variable, gast.Load(), None, None)
                fields[field_name] = variable
            out.append(stmt)
        self.made[obj] = (made, fields)
        return out

    def _bind(self, helper: Callable, node: gast.FunctionDef,
              args: list[gast.expr]) -> tuple[list[str], list[Any], list[gast.expr]] | None:
        """The parameters in signature order, an example for each (for ``specialize_signature``: a tuple
        of the right length for ``*args``) and the value each is bound to; None when the call does not
        fill the signature with what can be inlined (a default that is not a literal)."""
        positional = [a.id for a in node.args.posonlyargs] + [a.id for a in node.args.args]
        defaults = helper.__defaults__ or ()
        missing = len(positional) - len(args)
        if missing > len(defaults) or (missing < 0 and node.args.vararg is None):
            return None
        filled = list(defaults[len(defaults) - missing:]) if missing > 0 else []
        if not all(_literal(d) for d in filled):
            return None
        values = list(args[:len(positional)]) + [gast.Constant(d, None) for d in filled]
        params, examples = list(positional), [None] * len(positional)
        if node.args.vararg is not None:
            extra = list(args[len(positional):])
            params.append(node.args.vararg.id)
            examples.append(tuple(extra))
            values.append(gast.Tuple(extra, gast.Load()))
        return params, examples, values


@dataclass(frozen=True)
class _BoundMethod:
    """A method of an object an inlined constructor made, read into a variable."""

    owner: type
    attr: str
    function: Callable
    obj: str


def plain_class(cls: type) -> bool:
    """A class whose objects are made by ``__new__`` and its Python ``__init__`` alone and whose attributes
    are plain: no metaclass, no ``__slots__``, no attribute hooks, not a dataclass or a namedtuple (whose
    ``__init__`` has no source of the user's)."""
    return (type(cls) is type and cls.__new__ is object.__new__ and inspect.isfunction(cls.__init__)
            and "__slots__" not in vars(cls) and cls.__setattr__ is object.__setattr__
            and cls.__getattribute__ is object.__getattribute__ and not hasattr(cls, "__getattr__")
            and not hasattr(cls, "__dataclass_fields__") and not issubclass(cls, tuple))


def _code_of(callee: Any) -> Any:
    return callee.__init__.__code__ if isinstance(callee, type) else callee.__code__


def _stored(stmt: gast.stmt) -> set[str]:
    return {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}


def _assigns_call(stmt: gast.stmt | None) -> bool:
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call))


def _literal(value: Any) -> bool:
    return value is None or isinstance(value, (numbers.Number, str, bool))


class _Rename(NodeTransformer):
    def __init__(self, renamed: dict[str, str]):
        self.renamed = renamed

    def visit_Name(self, node: gast.Name) -> gast.Name:
        node.id = self.renamed.get(node.id, node.id)
        return node


class _Substitute(NodeTransformer):
    """Replace the loads of some names by (copies of) atoms."""

    def __init__(self, values: dict[str, gast.expr]):
        self.values = values

    def visit_Name(self, node: gast.Name) -> gast.expr:
        value = self.values.get(node.id)
        if value is None or not isinstance(node.ctx, gast.Load):
            return node
        return gast.copy_location(clone(value), node)
