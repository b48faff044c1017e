"""Desugaring: rewrite convenient syntax into a smaller core that later passes handle.

Each pass is a small ``gast.NodeTransformer``. ``desugar`` composes them in order; every pass keeps the
source locations of the nodes it replaces, so errors and line comments still point at the user's code."""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..analysis.walk import fix_missing_locations, name_nodes, walk
from ..dicts import dict_keys, iteration_sequence
from ..naming import Names, Namespace
from ..records import constructs
from ..rules.concat_helpers import c_concat, r_concat
from ..rules.registry import is_nondifferentiable, vjp_rule
from ..runtime import (
    assign_index,
    call_output,
    call_plain,
    call_star,
    call_with_vjp,
    is_callable_instance,
    list_append,
    with_keywords,
)
from ..visitors import NodeTransformer
from .array_methods import ARRAY_ATTRIBUTES, ARRAY_METHODS, STATIC_ATTRIBUTES  # noqa: F401
from .closures import ConvertClosures, check_closures, own_nodes
from .context_managers import LowerErrstate
from .dict_lowering import LowerDicts
from .extrema import LowerExtrema
from .integer_results import CutIntegerResults
from .jumps import lower_jumps
from .list_methods import LowerListMethods, LowerStarredTargets
from .map_filter import LowerMapFilter
from .parse import ParsedFunction
from .partials import LowerPartials
from .resolve import UNRESOLVED, index_expression, output_argument, resolve_callee
from .variadic import CALL_STAR


def _located(new: gast.AST, old: gast.AST) -> gast.AST:
    return gast.copy_location(new, old)


class LowerZeroArgumentSuper(NodeTransformer):
    """``super()`` → ``super(__class__, self)``: generated code is not defined inside the class, so the
    implicit form has no ``__class__`` cell; the method's own cell supplies it through the scope."""

    def __init__(self, first_param: str | None):
        self.first_param = first_param

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)
        if (isinstance(node.func, gast.Name) and node.func.id == "super" and not node.args and not node.keywords
                and self.first_param):
            node.args = [_load("__class__"), _load(self.first_param)]
        return node


class LowerAugAssign(NodeTransformer):
    """``a op= b`` → ``a = a op b``; for ``y[i] += b`` the element is read and written back, so the update
    reaches the array (a silent-wrong bug in older tools)."""

    def visit_AugAssign(self, node: gast.AugAssign) -> gast.Assign:
        load = _as_load(node.target)
        value = _located(gast.BinOp(load, node.op, node.value), node)
        return _located(gast.Assign([node.target], value, None), node)

    def visit_AnnAssign(self, node: gast.AnnAssign) -> gast.Assign:
        return _located(gast.Assign([node.target], node.value, None), node)


def _as_load(target: gast.AST) -> gast.AST:
    loaded = _clone(target)
    for sub in walk(loaded):
        if hasattr(sub, "ctx"):
            sub.ctx = gast.Load()
    return loaded


def _clone(node: gast.AST) -> gast.AST:
    return copy.deepcopy(node)




class LowerArrayMethods(NodeTransformer):
    """``x.sum(axis=1)`` → ``np.sum(x, axis=1)``, ``x.T`` → ``np.transpose(x)``: array methods become the
    NumPy functions the rule table knows. A receiver that resolves to a module or another non-array object
    in the user's scope (``model.forward(x)``, ``np.linalg``) is left alone."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str]):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names

    def _is_array(self, receiver: gast.expr) -> bool:
        if isinstance(receiver, gast.Name):
            if receiver.id in self.local_names:
                return True
            return isinstance(self.parsed.scope.lookup(receiver.id, None), (np.ndarray, np.generic))
        return not isinstance(receiver, gast.Attribute)

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr in ARRAY_METHODS and self._is_array(func.value):
            function, adapt = ARRAY_METHODS[func.attr]
            extra = adapt(node.args, node)
            args = [func.value] + [a for a in extra if not isinstance(a, gast.keyword)]
            keywords = node.keywords + [a for a in extra if isinstance(a, gast.keyword)]
            return _located(gast.Call(_located(self.namespace.ref(function), func), args, keywords), node)
        return node

    def visit_Attribute(self, node: gast.Attribute) -> gast.AST:
        self.generic_visit(node)
        if node.attr in ARRAY_ATTRIBUTES and isinstance(node.ctx, gast.Load) and self._is_array(node.value):
            callee = _located(self.namespace.ref(ARRAY_ATTRIBUTES[node.attr]), node)
            return _located(gast.Call(callee, [node.value], []), node)
        return node


def _call(func: gast.expr, args: list[gast.expr], like: gast.AST) -> gast.Call:
    return _located(gast.Call(func, args, []), like)


def _load(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Load(), None, None)


def _store(id_: str) -> gast.Name:
    return gast.Name(id_, gast.Store(), None, None)


class LowerListComprehensions:
    """``ys = [f(v) for v in xs if c]`` → ``ys = []`` + ``for v in xs: if c: ys = ys + [f(v)]``-style
    statements hoisted before the statement that uses the comprehension. A generator expression is
    consumed at once, as a list (``sum(f(v) for v in xs)``): differentiated code has no side effects that
    could tell the two apart. The comprehension's variables are
    renamed to fresh names, since they must not leak into (or clobber) the function's own."""

    def __init__(self, names: Names):
        self.names = names

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            hoisted: list[gast.stmt] = []
            self._replace(stmt, hoisted)
            out.extend(hoisted)
            out.append(stmt)
        return out

    def _replace(self, node: gast.AST, hoisted: list[gast.stmt]) -> None:
        for field, value in gast.iter_fields(node):
            if isinstance(node, (gast.If, gast.For, gast.While)) and field in ("body", "orelse"):
                continue
            if isinstance(value, (gast.ListComp, gast.GeneratorExp)):
                setattr(node, field, self._lower(value, hoisted))
            elif isinstance(value, gast.AST):
                self._replace(value, hoisted)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, (gast.ListComp, gast.GeneratorExp)):
                        value[i] = self._lower(item, hoisted)
                    elif isinstance(item, gast.AST):
                        self._replace(item, hoisted)

    def _lower(self, comp: gast.ListComp | gast.GeneratorExp, hoisted: list[gast.stmt]) -> gast.Name:
        result = self.names.fresh("items")
        renames: dict[str, str] = {}
        for gen in comp.generators:
            for n in walk(gen.target):
                if isinstance(n, gast.Name):
                    renames[n.id] = self.names.fresh(n.id)
        for n in walk(comp):
            if isinstance(n, gast.Name) and n.id in renames:
                n.id = renames[n.id]
        # Comprehensions nested in the element run once per iteration: lower them inside the loop.
        first = comp.generators[0]
        if isinstance(first.iter, (gast.ListComp, gast.GeneratorExp)):
            first.iter = self._lower(first.iter, hoisted)
        else:
            self._replace(first.iter, hoisted)
        per_item: list[gast.stmt] = []
        holder = gast.Expr(comp.elt)
        self._replace(holder, per_item)
        append = _located(gast.Assign([_store(result)], _call(_load("__list_append__"), [
            _load(result), holder.value], comp), None), comp)
        inner: list[gast.stmt] = per_item + [append]
        for gen in reversed(comp.generators):
            for cond in reversed(gen.ifs):
                inner = [_located(gast.If(cond, inner, []), comp)]
            inner = [_located(gast.For(gen.target, gen.iter, inner, [], None), comp)]
        hoisted.append(_located(gast.Assign([_store(result)], _located(gast.List([], gast.Load()), comp), None), comp))
        hoisted.extend(inner)
        return _load(result)


class LowerForLoops(NodeTransformer):
    """Every ``for`` becomes a loop over a ``range``: ``for x in xs`` → ``for i in range(len(xs)):
    x = xs[i]``, likewise ``enumerate``, ``zip`` and ``reversed``, so that the adjoint can always run the
    indices backwards without storing them."""

    def __init__(self, names: Names, namespace: Namespace, is_builtin: Callable[[gast.expr, Any], bool],
                 not_dicts: set[str] | frozenset = frozenset()):
        self.names = names
        self.namespace = namespace
        self.is_builtin = is_builtin
        self.not_dicts = not_dicts
        self.indexable: set[str] = set()

    def visit_FunctionDef(self, node: gast.FunctionDef) -> Any:
        # names bound once, to a list or a range (``range_2 = range(2)`` in generated code read again)
        values: dict[str, list[gast.expr]] = {}
        for sub in walk(node):
            if isinstance(sub, gast.Assign):
                for target in sub.targets:
                    if isinstance(target, gast.Name):
                        values.setdefault(target.id, []).append(sub.value)
            elif isinstance(sub, (gast.For, gast.AugAssign)) and isinstance(sub.target, gast.Name):
                values.setdefault(sub.target.id, []).append(None)
        self.indexable = {name for name, bound in values.items()
                          if len(bound) == 1 and bound[0] is not None and self._indexable(bound[0])}
        self.generic_visit(node)
        return node

    def visit_For(self, node: gast.For) -> Any:
        self.generic_visit(node)
        it = node.iter
        if isinstance(it, gast.Call) and self.is_builtin(it.func, range) and isinstance(node.target, gast.Name):
            return node
        index = self.names.fresh("i")
        reverse = isinstance(it, gast.Call) and self.is_builtin(it.func, reversed) and len(it.args) == 1
        holders: list[gast.stmt] = []
        bindings: list[gast.stmt] = []
        lengths: list[gast.expr] = []
        self._unpack(node.target, it.args[0] if reverse else it, index, node, holders, bindings, lengths)
        length = lengths[0] if len(lengths) == 1 else _call(self.namespace.ref(min), lengths, node)
        if reverse:
            bounds = [gast.BinOp(length, gast.Sub(), gast.Constant(1, None)), gast.Constant(-1, None),
                      gast.Constant(-1, None)]
        else:
            bounds = [length]
        loop = gast.For(_store(index), _call(self.namespace.ref(range), bounds, node), bindings + node.body, [], None)
        return holders + [_located(loop, node)]

    def _indexable(self, iterable: gast.expr) -> bool:
        """Whether ``iterable`` is certainly no dict: a display, or a call that returns a list or tuple."""
        if isinstance(iterable, (gast.List, gast.Tuple)):
            return True
        if isinstance(iterable, gast.Name) and (iterable.id in self.not_dicts or iterable.id in self.indexable):
            return True
        return (isinstance(iterable, gast.Call) and any(
            self.is_builtin(iterable.func, f) for f in (range, sorted, list, tuple))) or (
            isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name)
            and iterable.func.id == self.namespace.ref(dict_keys).id)

    def _unpack(self, target: gast.expr, iterable: gast.expr, index: str, like: gast.AST, holders: list,
                bindings: list, lengths: list) -> None:
        """Bind ``target`` to element ``index`` of ``iterable``, seeing through enumerate and zip."""
        call = iterable if isinstance(iterable, gast.Call) and not iterable.keywords else None
        if (call and self.is_builtin(call.func, enumerate) and len(call.args) == 1
                and isinstance(target, gast.Tuple) and len(target.elts) == 2):
            bindings.append(_located(gast.Assign([target.elts[0]], _load(index), None), like))
            self._unpack(target.elts[1], call.args[0], index, like, holders, bindings, lengths)
            return
        if (call and self.is_builtin(call.func, zip) and isinstance(target, gast.Tuple)
                and len(target.elts) == len(call.args)):
            for element, sequence in zip(target.elts, call.args):
                self._unpack(element, sequence, index, like, holders, bindings, lengths)
            return
        holder = self.names.fresh("seq")
        if not self._indexable(iterable):  # a dict walks its keys
            iterable = _call(self.namespace.ref(iteration_sequence), [iterable], like)
        holders.append(_located(gast.Assign([_store(holder)], iterable, None), like))
        lengths.append(_call(self.namespace.ref(len), [_load(holder)], like))
        item = gast.Subscript(_load(holder), _load(index), gast.Load())
        bindings.append(_located(gast.Assign([target], item, None), like))


class LowerOutArguments(NodeTransformer):
    """``y = np.f(a, b, out=buf)`` → ``buf[...] = np.f(a, b)``; ``y = buf``: the write into ``buf`` becomes an
    element write that the later passes turn into a new value (the alias analysis has proved that no other
    name sees ``buf``). ``buf[...] =`` keeps NumPy's casting into ``buf``'s dtype and shape, and ``where=``
    keeps ``buf``'s old values: ``np.where(mask, np.f(a, b), buf)``. An output argument anywhere but in a
    statement's own call is refused: its write would have to be ordered inside the expression."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str]):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names

    def _output(self, call: gast.Call) -> gast.expr | None:
        return output_argument(call, resolve_callee(call.func, self.namespace, self.local_names))

    def visit(self, node: gast.AST) -> Any:
        if isinstance(node, gast.FunctionDef):
            own = {id(s.value) for s in walk(node) if isinstance(s, (gast.Assign, gast.Expr))}
            for call in walk(node):
                if isinstance(call, gast.Call) and id(call) not in own and self._output(call) is not None:
                    raise self.parsed.error(call, "a call with an out= argument inside a larger expression",
                                            "make the call its own statement, or assign its result instead")
        return super().visit(node)

    def visit_Assign(self, node: gast.Assign) -> Any:
        return self._lower(node, node.targets)

    def visit_Expr(self, node: gast.Expr) -> Any:
        return self._lower(node, [])

    def _lower(self, node: gast.Assign | gast.Expr, targets: list[gast.expr]) -> Any:
        call = node.value
        out = self._output(call) if isinstance(call, gast.Call) else None
        if out is None:
            return node
        if out in call.args:
            del call.args[call.args.index(out):]
        call.keywords = [k for k in call.keywords if k.arg != "out"]
        if isinstance(out, gast.Tuple) and len(out.elts) == 1:
            out = out.elts[0]
        if not isinstance(out, gast.Name):
            raise self.parsed.error(node, "an out= argument that is not a plain variable",
                                    "assign the result instead: y = np.f(...)")
        value: gast.expr = call
        where = next((k for k in call.keywords if k.arg == "where"), None)
        if where is not None:
            call.keywords.remove(where)
            value = _located(gast.Call(self.namespace.ref(np.where), [where.value, call, _load(out.id)], []), call)
        whole = gast.Subscript(_load(out.id), gast.Constant(Ellipsis, None), gast.Store())
        lowered = [_located(gast.Assign([whole], value, None), node)]
        if targets:
            lowered.append(_located(gast.Assign(targets, _load(out.id), None), node))
        return lowered


class LowerIndexTricks(NodeTransformer):
    """``np.r_[a, b]`` → ``r_concat(a, b)`` and ``np.c_[a, b]`` → ``c_concat(a, b)``: NumPy's index-trick
    concatenators build a value from their index, which the rule table knows as these two functions. Other
    uses (slices, string directives) are left alone; the default-deny check refuses them when a
    differentiated value reaches them."""

    def __init__(self, namespace: Namespace, local_names: set[str]):
        self.namespace = namespace
        self.local_names = local_names

    def visit_Subscript(self, node: gast.Subscript) -> gast.AST:
        self.generic_visit(node)
        if not isinstance(node.ctx, gast.Load):
            return node
        owner = resolve_callee(node.value, self.namespace, self.local_names)
        helper = r_concat if owner is np.r_ else c_concat if owner is np.c_ else None
        items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if helper is None or any(isinstance(i, gast.Slice) or (isinstance(i, gast.Constant) and isinstance(
                i.value, str)) for i in items):
            return node
        return _call(_located(self.namespace.ref(helper), node), list(items), node)


class LowerMutations(NodeTransformer):
    """``y[i] = v`` → ``y = assign_index(y, i, v)``; the list comprehensions' appends →
    ``hs = list_append(hs, h)`` (the user's list methods are ``list_methods.py``'s)."""

    def __init__(self, namespace: Namespace, local_names: set[str]):
        self.namespace = namespace
        self.local_names = local_names

    def visit_Assign(self, node: gast.Assign) -> Any:
        target = node.targets[0]
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            index = index_expression(target.slice, self.namespace)
            call = _call(self.namespace.ref(assign_index), [_load(target.value.id), index, node.value], node)
            return _located(gast.Assign([_store(target.value.id)], call, None), node)
        if isinstance(node.value, gast.Call) and isinstance(node.value.func, gast.Name) \
                and node.value.func.id == "__list_append__":
            node.value.func = self.namespace.ref(list_append)
        return node



_LIBRARY_MODULES = ("numpy", "srcgrad", "math", "builtins", "operator", "functools", "itertools")
# Forward rules' helpers are differentiated like user code, so that reverse mode can go over forward mode.
_TRANSFORMED_LIBRARY_MODULES = ("srcgrad.rules.jvp_helpers",)


class LowerUserCalls(NodeTransformer):
    """``helper(x, y)`` → ``call_with_vjp(helper, x, y)[0]`` for every callee that is not a primitive of
    the rule table: the user's own functions, methods, and callables only known at run time. The runtime
    transforms such a callee on first sight into a forward sweep that returns its backward sweep."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str]):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names

    def resolve(self, func: gast.expr) -> Any:
        return resolve_callee(func, self.namespace, self.local_names)

    def is_primitive(self, callee: Any) -> bool:
        if callee is UNRESOLVED:
            return False
        if vjp_rule(callee) is not None or is_nondifferentiable(callee):
            return True
        if isinstance(callee, type):
            return not constructs(callee)  # a class whose objects can be records is called like a function
        if is_callable_instance(callee) or isinstance(callee, functools.partial):
            return False  # an instance of a user class with a Python __call__; a partial, unwrapped at run time
        function = inspect.unwrap(callee.__func__ if inspect.ismethod(callee) else callee)
        if not inspect.isfunction(function):
            return True  # a C function: if it is active and has no rule, the transformer says so
        module = getattr(function, "__module__", "") or ""
        if module in _TRANSFORMED_LIBRARY_MODULES:
            return False
        return module.split(".")[0] in _LIBRARY_MODULES

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)
        callee = self.resolve(node.func)
        if callee is call_plain:
            # generated code differentiated again: a call no derivative flowed through may carry one now
            node.func = _located(self.namespace.ref(call_with_vjp), node.func)
            return node
        if self.is_primitive(callee):
            return node
        func, args = node.func, list(node.args)
        if node.keywords:
            positional = self._positional(node, callee)
            if positional is None:
                # Keywords the callee cannot take by position travel by name, next to the callee.
                names = gast.Tuple([gast.Constant(k.arg, None) for k in node.keywords], gast.Load())
                func = _call(self.namespace.ref(with_keywords), [node.func, names], node)
                args += [k.value for k in node.keywords]
            else:
                args = positional
        call = _call(self.namespace.ref(call_with_vjp), [func, *args], node)
        return _call(self.namespace.ref(call_output), [call], node)

    def _positional(self, node: gast.Call, callee: Any) -> list[gast.expr] | None:
        """Keyword arguments as positional ones, so that each gets its cotangent; ``None`` where the callee
        takes some of them only by name (``**kwargs``, keyword-only) or is known only at run time."""
        try:
            params = inspect.signature(callee, follow_wrapped=False).parameters
        except (TypeError, ValueError):
            return None
        keywords = {k.arg: k.value for k in node.keywords}
        args = list(node.args)
        for name, param in list(params.items())[len(args):]:
            if not keywords:
                break
            if param.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
                return None
            if name in keywords:
                args.append(keywords.pop(name))
            elif param.default is not inspect.Parameter.empty:
                args.append(self._default(name, param.default))
            else:
                raise self.parsed.error(node, f"missing argument '{name}'")
        if keywords:
            if any(p.kind in (p.VAR_KEYWORD, p.KEYWORD_ONLY) for p in params.values()):
                return None
            raise self.parsed.error(node, f"unexpected keyword argument(s) {sorted(keywords)}")
        return args

    def _default(self, name: str, value: Any) -> gast.expr:
        """A parameter's default value as an expression: a literal, or a name bound to the object."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return gast.Constant(value, None)
        return _load(self.namespace.bind(value, f"{name}_default"))


def local_names(fn: gast.FunctionDef) -> set[str]:
    """Parameters and every name the body assigns: the function's local variables."""
    names = {a.id for a in fn.args.args}
    names.update(n.id for n in name_nodes(fn) if type(n.ctx) is gast.Store)
    return names


def desugar(parsed: ParsedFunction, namespace: Namespace, not_dicts: set[str] | frozenset = frozenset()
            ) -> gast.FunctionDef:
    """Run the desugaring passes over the parsed function, in order, and return the new tree.
    ``not_dicts``: names known to hold no dict (parameters whose example is a list, a tuple or an array)."""
    fn = parsed.node
    names = namespace.names
    locals_ = local_names(fn)

    def is_builtin(func: gast.expr, obj: Any) -> bool:
        return isinstance(func, gast.Name) and func.id not in locals_ and parsed.scope.lookup(func.id, None) is obj

    nested = False   # whether a function or lambda is defined inside: closure conversion has work to do
    for node in walk(fn):  # the star calls of frontend/variadic.py
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == CALL_STAR:
            node.func = namespace.ref(call_star)
        elif isinstance(node, (gast.FunctionDef, gast.Lambda)) and node is not fn:
            nested = True
    # Nested functions are desugared when they are transformed themselves, as callees: here their bodies
    # stay as written (``hs.append(h)`` in a closure must not become a local rebinding), except for closure
    # conversion, which rewrites their signatures and their calls of one another.
    stash = _detach_nested_bodies(fn) if nested else []
    fn = LowerZeroArgumentSuper(fn.args.args[0].id if fn.args.args else None).visit(fn)
    fn = LowerErrstate(names, namespace).visit(fn)
    fn = LowerStarredTargets(names, namespace).visit(fn)
    fn = LowerOutArguments(parsed, namespace, locals_).visit(fn)
    fn = LowerAugAssign().visit(fn)
    fn = LowerIndexTricks(namespace, locals_).visit(fn)
    fn = LowerPartials(namespace, locals_).visit(fn)
    fn = LowerDicts(names, namespace, locals_).visit(fn)
    fn = LowerArrayMethods(parsed, namespace, locals_).visit(fn)
    fn = CutIntegerResults(parsed, namespace, locals_).visit(fn)
    fn = LowerMapFilter(names, namespace, locals_).visit(fn)
    fn = LowerExtrema(namespace, locals_).visit(fn)
    fn.body = LowerListComprehensions(names).block(fn.body)
    fn = LowerForLoops(names, namespace, is_builtin, not_dicts).visit(fn)
    _reattach(stash)
    if nested:
        fn = ConvertClosures(namespace, parsed).run(fn)
        check_closures(parsed, fn)
        stash = _detach_nested_bodies(fn)
    fn = LowerListMethods(names, namespace, local_names(fn)).visit(fn)
    fn = LowerMutations(namespace, local_names(fn)).visit(fn)
    fn = LowerUserCalls(parsed, namespace, local_names(fn)).visit(fn)
    fn = lower_jumps(fn, names)
    _reattach(stash)
    return fix_missing_locations(fn)


def _detach_nested_bodies(fn: gast.FunctionDef) -> list[tuple[gast.FunctionDef, list[gast.stmt]]]:
    """Replace the body of each function defined in ``fn`` by ``pass``; return what to put back."""
    stash = [(node, node.body) for node in own_nodes(fn) if isinstance(node, gast.FunctionDef)]
    for node, _ in stash:
        node.body = [gast.copy_location(gast.Pass(), node)]
    return stash


def _reattach(stash: list[tuple[gast.FunctionDef, list[gast.stmt]]]) -> None:
    for node, body in stash:
        node.body = body
