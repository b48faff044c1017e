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

from ..analysis.walk import walk

# Expressions not worth a name: reading a name or a constant costs nothing.
_TRIVIAL = (gast.Name, gast.Constant)
# Expressions that build a new mutable container each time they run: two evaluations are two objects.
_FRESH = (gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp, gast.GeneratorExp)


def _loads(node: gast.AST) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _stores(stmt: gast.stmt) -> set[str]:
    stored = {n.id for n in walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    if isinstance(stmt, gast.For):
        stored |= {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
    return stored


class _Available:
    """Expressions computed so far, by their dump: ``dump -> (variable, names the expression reads)``."""

    def __init__(self, entries: dict[str, tuple[str, set[str]]] | None = None):
        self.entries = dict(entries or {})

    def copy(self) -> _Available:
        return _Available(self.entries)

    def kill(self, names: set[str]) -> None:
        if names:
            self.entries = {k: (v, reads) for k, (v, reads) in self.entries.items()
                            if v not in names and not (reads & names)}


class _Replacer(gast.NodeTransformer):
    def __init__(self, available: _Available):
        self.available = available
        self.replaced = 0

    def visit(self, node: gast.AST) -> gast.AST:
        if isinstance(node, gast.expr) and not isinstance(node, _TRIVIAL):
            found = self.available.entries.get(gast.dump(node))
            if found is not None:
                self.replaced += 1
                return gast.Name(found[0], gast.Load(), None, None)
        return self.generic_visit(node)


def eliminate_common_subexpressions(fn: gast.FunctionDef, is_pure_call: Callable[[gast.expr], bool],
                                    effect_free: Callable[[gast.expr], bool], stack: str) -> int:
    """Rewrite ``fn`` in place; return how many expressions were replaced by an earlier result.
    ``is_pure_call(call)`` says whether a call has no effects and gives equal results for equal inputs
    (an ndarray's ``.sum(...)``, which shape specialization writes, counts as one); ``effect_free(call)``
    whether it changes nothing (``reversed(range_n)``: no effect, but each call a new iterator);
    ``stack`` names the list the forward sweep pushes on.

    Replacing an expression by an earlier result makes two names refer to one object, which is only safe
    while nothing mutates objects: a function with any effect besides pushing on and popping from the
    stack (a method called for its effect, a call of unknown purity) is left as it is."""

    def pure_call(call: gast.Call) -> bool:
        return is_pure_call(call) or (isinstance(call.func, gast.Attribute) and call.func.attr == "sum"
                                      and not call.args)

    def is_pure(node: gast.expr) -> bool:
        return all(pure_call(n) for n in walk(node) if isinstance(n, gast.Call)) and not any(
            isinstance(n, _FRESH) for n in walk(node))

    if not _only_stack_effects(fn, lambda call: pure_call(call) or effect_free(call), stack):
        return 0
    total = 0

    def block(stmts: list[gast.stmt], available: _Available) -> None:
        nonlocal total
        for stmt in stmts:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                header = stmt.test if isinstance(stmt, (gast.If, gast.While)) else stmt.iter
                stored = _stores(stmt)
                if isinstance(stmt, gast.If):
                    total += _replace(stmt, "test", available)
                elif isinstance(stmt, gast.For):
                    total += _replace(stmt, "iter", available)
                inner = available.copy()
                inner.kill(stored)
                if isinstance(stmt, gast.While):
                    total += _replace(stmt, "test", inner)
                if not is_pure(header):
                    inner.kill(_loads(header))
                block(stmt.body, inner.copy())
                block(stmt.orelse, inner.copy())
                available.kill(stored | (set() if is_pure(header) else _loads(header)))
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                total += _replace(stmt, "value", available)
                target = stmt.targets[0].id
                available.kill({target})
                value = stmt.value
                reads = _loads(value)
                if not isinstance(value, _TRIVIAL) and target not in reads and is_pure(value):
                    available.entries.setdefault(gast.dump(value), (target, reads))
                elif not is_pure(value):
                    available.kill(reads)
                continue
            if isinstance(stmt, gast.Return):
                total += _replace(stmt, "value", available)
                continue
            # anything else (a call for its effect, a nested function): forget what it may have changed
            available.kill(_stores(stmt) | _loads(stmt))

    block(fn.body, _Available())
    return total


def _only_stack_effects(fn: gast.FunctionDef, effect_free: Callable[[gast.expr], bool], stack: str) -> bool:
    for node in walk(fn):
        if isinstance(node, gast.AugAssign) or (isinstance(node, gast.FunctionDef) and node is not fn):
            return False
        if isinstance(node, (gast.Assign, gast.For)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            if any(isinstance(n, (gast.Subscript, gast.Attribute)) for t in targets for n in walk(t)):
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


def _replace(node: gast.AST, field_name: str, available: _Available) -> int:
    value = getattr(node, field_name)
    if value is None or not available.entries:
        return 0
    replacer = _Replacer(available)
    setattr(node, field_name, replacer.visit(value))
    return replacer.replaced
