"""Common-subexpression elimination over generated code.

Inlined rules recompute what the forward sweep or another rule already computed: the adjoint of
``s = x * x`` is ``d_x = d_s * x`` followed by ``d_x = d_x + d_s * x``, a rule's partial may repeat a
forward value. Within straight-line code, an expression equal (node for node) to the value of an earlier
assignment ``v = expr`` whose inputs and ``v`` have not been reassigned since is replaced by ``v``; this
covers whole right-hand sides and subexpressions. Only pure expressions (``is_pure``: no calls with
effects, no ``stack.pop()``) are remembered, so replacing one evaluation by the earlier one gives the same
value, the same object even.

Loop and branch bodies start from the expressions nothing in the loop or branch reassigns (a loop body
runs again after its own assignments) and pass nothing learned inside back out; a statement with effects
forgets every expression that reads a name it reads, since it may have mutated that value."""

from __future__ import annotations

from collections.abc import Callable

import gast

from ..analysis.walk import all_names, children, loaded_names, name_nodes, walk
from ..visitors import NodeTransformer
from .clone import clone
from .fixpoint import iterate_to_fixpoint

# Expressions not worth a name: reading a name or a constant costs nothing.
_TRIVIAL = (gast.Name, gast.Constant)
# Expressions that build a new mutable container each time they run: two evaluations are two objects.
_FRESH = (gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp, gast.GeneratorExp)


_KEY_FIELDS: dict[type, tuple[str, ...]] = {}   # a node class's fields that make its key (not its context)


def _key(node: object, cache: dict[int, tuple]) -> object:
    """A hashable structural key of an expression: equal keys mean equal expressions (load contexts,
    line numbers and type comments aside). Cached by node identity, so keys of nested expressions are
    built once per pass instead of once per enclosing expression as ``gast.dump`` would."""
    if isinstance(node, gast.AST):
        found = cache.get(id(node))
        if found is not None and found[0] is node:   # (an id can be reused once its node is gone)
            return found[1]
        cls = type(node)
        if cls is gast.Name:
            key: object = ("Name", node.id)
        elif cls is gast.Constant:
            key = ("Constant", type(node.value).__name__, repr(node.value))
        else:
            fields = _KEY_FIELDS.get(cls)
            if fields is None:
                fields = _KEY_FIELDS[cls] = tuple(f for f in cls._fields if f not in ("ctx", "type_comment"))
            values = node.__dict__
            key = (cls.__name__, *[_key(values.get(f), cache) for f in fields])
        cache[id(node)] = (node, key)
        return key
    if isinstance(node, list):
        return tuple(_key(item, cache) for item in node)
    return node


def _stores(stmt: gast.stmt) -> set[str]:
    stored = {n.id for n in name_nodes(stmt) if type(n.ctx) is gast.Store}
    if isinstance(stmt, gast.For):
        stored |= all_names(stmt.target)
    return stored


class _Available:
    """Expressions computed so far, by structural key: ``key -> (variable, names the expression reads)``,
    with an index from each name to the keys that a new value of it invalidates. A branch or loop body
    undoes its own changes when it ends (``mark``, ``rollback``) instead of working on a copy: a copy per
    branch made a function with many branches quadratic."""

    def __init__(self) -> None:
        self.entries: dict[object, tuple[str, set[str]]] = {}
        self.by_name: dict[str, set[object]] = {}
        self.readless = 0   # entries of expressions that read no name (they could match anywhere)
        self._undo: list[tuple] = []

    def mark(self) -> int:
        return len(self._undo)

    def rollback(self, mark: int) -> None:
        undo = self._undo
        while len(undo) > mark:
            change = undo.pop()
            if change[0] == "added":
                _, key, reads, inserted, created = change
                del self.entries[key]
                self.readless -= not reads
                for name in inserted:
                    self.by_name[name].discard(key)
                for name in created:
                    del self.by_name[name]
            elif change[0] == "entry":
                self.entries[change[1]] = change[2]
            else:
                self.by_name[change[1]] = change[2]

    def add(self, key: object, variable: str, reads: set[str]) -> None:
        if key not in self.entries:
            self.entries[key] = (variable, reads)
            self.readless += not reads
            # what the index gains, to take back exactly that (a killed entry leaves its key in the sets of
            # its other names, so the same key can be added to a set that already holds it)
            inserted, created = [], []
            for name in reads | {variable}:
                keys = self.by_name.get(name)
                if keys is None:
                    keys = self.by_name[name] = set()
                    created.append(name)
                if key not in keys:
                    keys.add(key)
                    inserted.append(name)
            self._undo.append(("added", key, reads, inserted, created))

    def kill(self, names: set[str]) -> None:
        for name in names:
            keys = self.by_name.pop(name, None)
            if keys is None:
                continue
            self._undo.append(("index", name, keys))
            for key in keys:
                entry = self.entries.pop(key, None)
                if entry is not None:
                    self._undo.append(("entry", key, entry))


class _Replacer(NodeTransformer):
    def __init__(self, available: _Available, keys: dict[int, tuple]):
        self.available = available
        self.keys = keys
        self.replaced = 0
        self.changed = False

    def visit(self, node: gast.AST) -> gast.AST:
        # bottom-up, so that an outer expression is compared after its parts were replaced, as it was
        # when it was remembered
        outer, self.changed = self.changed, False
        node = self.generic_visit(node)
        if self.changed:
            self.keys.pop(id(node), None)   # a part was replaced: the key changes
        if isinstance(node, gast.expr) and not isinstance(node, _TRIVIAL):
            found = self.available.entries.get(_key(node, self.keys))
            if found is not None:
                self.replaced += 1
                self.changed = True
                node = gast.Name(found[0], gast.Load(), None, None)
        self.changed = self.changed or outer
        return node


def eliminate_common_subexpressions(fn: gast.FunctionDef, is_pure_call: Callable[[gast.expr], bool],
                                    effect_free: Callable[[gast.expr], bool], stack: str,
                                    fresh: Callable[[str], str] | None = None, checked: bool = False
                                    ) -> tuple[int, bool]:
    """Rewrite ``fn`` in place; return how many expressions were replaced by an earlier result, and
    whether a whole value was (leaving a copy ``w = v``, whose forwarding can make more expressions equal:
    run copy propagation and this pass again, with ``checked`` since the effects are known by then).
    ``is_pure_call(call)`` says whether a call has no effects and gives equal results for equal inputs
    (an ndarray's ``.sum(...)``, which shape specialization writes, counts as one); ``effect_free(call)``
    whether it changes nothing (``reversed(range_n)``: no effect, but each call a new iterator);
    ``stack`` names the list the forward sweep pushes on. With ``fresh`` (a new variable name from a
    hint), a subexpression that occurs twice within straight-line code without being any assignment's
    whole value is first given a name of its own (``common = np.sin(x)`` before its first use).

    Replacing an expression by an earlier result makes two names refer to one object, which is only safe
    while nothing mutates objects: a function with any effect besides pushing on and popping from the
    stack (a method called for its effect, a call of unknown purity) is left as it is."""

    keys: dict[int, tuple] = {}
    purity: dict[object, bool] = {}   # by the called expression: what a call does depends on it alone

    def pure_call(call: gast.Call) -> bool:
        func = _key(call.func, keys)
        found = purity.get(func)
        if found is None:
            found = purity[func] = is_pure_call(call) or (
                isinstance(call.func, gast.Attribute) and call.func.attr == "sum" and not call.args)
        return found

    pure_nodes: dict[int, tuple[gast.AST, bool]] = {}

    def is_pure(node: gast.expr) -> bool:
        found = pure_nodes.get(id(node))
        if found is not None and found[0] is node:
            return found[1]
        pure = all(pure_call(n) if isinstance(n, gast.Call) else not isinstance(n, _FRESH) for n in walk(node))
        pure_nodes[id(node)] = (node, pure)
        return pure

    if not checked and not _only_stack_effects(fn, lambda call: pure_call(call) or effect_free(call), stack):
        return 0, False
    if fresh is not None:
        _name_repeated_subexpressions(fn.body, is_pure, fresh, keys)
    total = 0
    copies = False

    def block(stmts: list[gast.stmt], available: _Available) -> None:
        nonlocal total, copies
        for stmt in stmts:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                header = stmt.test if isinstance(stmt, (gast.If, gast.While)) else stmt.iter
                stored = _stores(stmt)
                if isinstance(stmt, gast.If):
                    total += _replace(stmt, "test", available, keys)
                elif isinstance(stmt, gast.For):
                    total += _replace(stmt, "iter", available, keys)
                outer = available.mark()   # (the inner state is this one, changed and then undone)
                available.kill(stored)
                if isinstance(stmt, gast.While):
                    total += _replace(stmt, "test", available, keys)
                if not is_pure(header):
                    available.kill(loaded_names(header))
                for part in (stmt.body, stmt.orelse):
                    inner = available.mark()
                    block(part, available)
                    available.rollback(inner)
                available.rollback(outer)
                available.kill(stored | (set() if is_pure(header) else loaded_names(header)))
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                reads = loaded_names(stmt.value)
                # an expression can only match an entry that reads none but the names it reads itself
                replaced = _replace(stmt, "value", available, keys) if (
                    available.readless or not reads.isdisjoint(available.by_name)) else 0
                total += replaced
                copies = copies or (replaced > 0 and isinstance(stmt.value, gast.Name))
                target = stmt.targets[0].id
                available.kill({target})
                value = stmt.value
                if replaced:
                    reads = loaded_names(value)
                if not isinstance(value, _TRIVIAL) and target not in reads and is_pure(value):
                    available.add(_key(value, keys), target, reads)
                elif not is_pure(value):
                    available.kill(reads)
                continue
            if isinstance(stmt, gast.Return):
                total += _replace(stmt, "value", available, keys)
                continue
            # anything else (a call for its effect, a nested function): forget what it may have changed
            available.kill(_stores(stmt) | loaded_names(stmt))

    block(fn.body, _Available())
    return total, copies


def count_expressions(fn: gast.FunctionDef) -> int:
    """How many expressions ``fn`` has: a bound on the rounds of elimination that can replace one."""
    return sum(1 for node in walk(fn) if isinstance(node, gast.expr))


def eliminate_to_fixpoint(fn: gast.FunctionDef, is_pure_call: Callable[[gast.expr], bool],
                          effect_free: Callable[[gast.expr], bool], propagate: Callable[[gast.FunctionDef], object],
                          stack: str = "", fresh: Callable[[str], str] | None = None) -> None:
    """``eliminate_common_subexpressions``, then again after each ``propagate`` of the copies it left, until
    a round replaces nothing or leaves no copy to forward (a chain: ``ones``, then the tuple of it, then the
    ``np.hstack`` of the tuple). ``stack`` and ``fresh`` are passed on."""
    found = eliminate_common_subexpressions(fn, is_pure_call, effect_free, stack, fresh)

    def one_round() -> bool:
        nonlocal found
        replaced, copies = found
        if not replaced:
            return False
        propagate(fn)
        if not copies:
            return False
        found = eliminate_common_subexpressions(fn, is_pure_call, effect_free, stack, fresh, checked=True)
        return True

    # each round that goes on replaced an expression by a name: at most as many rounds as expressions
    iterate_to_fixpoint(one_round, lambda: count_expressions(fn) + 2, "common-subexpression elimination")


def _name_repeated_subexpressions(stmts: list[gast.stmt], is_pure: Callable[[gast.expr], bool],
                                  fresh: Callable[[str], str], keys: dict[int, tuple]) -> None:
    """Insert ``common = expr`` before the first of two or more statements of one block that compute
    ``expr`` as a part of their values while its inputs stay the same; the replacement pass then reads
    ``common`` in all of them. Parts of conditional expressions (``a if c else b``, ``and``/``or``) are
    never moved, since they may not run at all."""
    for stmt in stmts:
        for field_name in ("body", "orelse"):
            if isinstance(getattr(stmt, field_name, None), list):
                _name_repeated_subexpressions(getattr(stmt, field_name), is_pure, fresh, keys)
    open_: dict[object, list] = {}   # key -> [first statement index, count, expression]
    by_name: dict[str, list] = {}    # name -> keys of the open expressions that read it
    hoist: list[tuple[int, gast.expr]] = []

    def close(keys_: list) -> None:
        for key in keys_:
            entry = open_.pop(key, None)
            if entry is not None and entry[1] > 1:
                hoist.append((entry[0], entry[2]))

    for i, stmt in enumerate(stmts):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and is_pure(stmt.value)):
            if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)):   # comments
                close(list(open_))
                by_name.clear()
            continue
        for expr in _parts(stmt.value):   # (parts of a pure value are pure)
            key = _key(expr, keys)
            if key in open_:
                open_[key][1] += 1
            else:
                open_[key] = [i, 1, expr]
                for name in loaded_names(expr):
                    by_name.setdefault(name, []).append(key)
        close(by_name.pop(stmts[i].targets[0].id, []))
    close(list(open_))
    for first, expr in sorted(hoist, key=lambda h: -h[0]):
        named = gast.Assign([gast.Name(fresh("common"), gast.Store(), None, None)], _copy(expr), None)
        named.lineno = getattr(stmts[first], "lineno", None)
        stmts.insert(first, named)


def _parts(value: gast.expr) -> list[gast.expr]:
    """The proper subexpressions of ``value`` worth a name, outside conditional parts, innermost first."""
    found: list[gast.expr] = []

    def visit(node: gast.AST, top: bool) -> bool:
        """Whether ``node`` reads a name (an expression of constants only, such as -1, stays in place)."""
        if isinstance(node, (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.DictComp, gast.SetComp,
                             gast.GeneratorExp)):
            return True
        reads = isinstance(node, gast.Name)
        for child in children(node):
            reads = visit(child, False) or reads
        if reads and not top and isinstance(node, (gast.Call, gast.BinOp, gast.UnaryOp)):
            found.append(node)
        return reads

    visit(value, True)
    return found


def _copy(node: gast.expr) -> gast.expr:
    return clone(node)


def _only_stack_effects(fn: gast.FunctionDef, effect_free: Callable[[gast.expr], bool], stack: str) -> bool:
    for node in walk(fn):
        if isinstance(node, gast.AugAssign) or (isinstance(node, gast.FunctionDef) and node is not fn):
            return False
        if isinstance(node, (gast.Assign, gast.For)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            if any(type(t) is not gast.Name and any(isinstance(n, (gast.Subscript, gast.Attribute)) for n in walk(t))
                   for t in targets):
                return False
        if isinstance(node, gast.Expr) and not isinstance(node.value, gast.Constant) and not _on_stack(
                node.value, stack, "append"):
            return False
        if isinstance(node, gast.Call) and not effect_free(node) and not _on_stack(node, stack, "append") \
                and not _on_stack(node, stack, "pop"):
            return False
    return True


def _on_stack(node: gast.expr, stack: str, method: str) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == method
            and isinstance(node.func.value, gast.Name) and node.func.value.id == stack)


def _replace(node: gast.AST, field_name: str, available: _Available, keys: dict[int, tuple]) -> int:
    value = getattr(node, field_name)
    if value is None or not available.entries:
        return 0
    replacer = _Replacer(available, keys)
    setattr(node, field_name, replacer.visit(value))
    return replacer.replaced
