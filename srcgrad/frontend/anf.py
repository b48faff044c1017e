"""A-normal form: one primitive operation per statement, with atomic arguments and readable temporaries.

After this pass every assignment is one of
  * ``temp = op(atom, ...)`` — ``temp`` is a fresh name, assigned in exactly one place (``self.temps``),
  * ``var = atom`` — a copy into a user variable that control flow assigns,
  * ``var = op(atom, ...)`` — for a user variable assigned only in straight-line code at the top level,
    renamed to a new version (``x``, ``x_1``, …) at each reassignment, so no value is ever overwritten.
Conditions become names (``if cond:``), ``while c: body`` becomes ``while True:`` + the condition's
statements + ``if not c: break`` + body, and expressions that only describe shapes (``x.shape[0]``) stay
inline, because nothing differentiable flows through them."""

from __future__ import annotations

import re
from typing import Any

import gast

from ..analysis.walk import walk
from ..naming import Names

OP_WORDS = {gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over", gast.Pow: "pow",
            gast.MatMult: "at", gast.FloorDiv: "floordiv", gast.Mod: "mod"}
STATIC_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}


def _name(id_: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id_, ctx or gast.Load(), None, None)


def describe(expr: gast.AST) -> str:
    """A short, readable name fragment for what an expression computes."""
    if isinstance(expr, gast.Name):
        return expr.id
    if isinstance(expr, gast.Constant):
        return str(expr.value).replace(".", "_").replace("-", "m")
    if isinstance(expr, gast.Attribute):
        return expr.attr
    if isinstance(expr, gast.Call):
        head = describe(expr.func)
        if head.startswith("call_output") and expr.args:
            return re.sub(r"_call(_\d+)?$", "", describe(expr.args[0])) + "_out"
        if head.startswith("call_with_vjp") and expr.args:
            return f"{describe(expr.args[0])}_call"
        return f"{head}_{describe(expr.args[0])}" if expr.args else head
    if isinstance(expr, gast.BinOp):
        return f"{describe(expr.left)}_{OP_WORDS.get(type(expr.op), 'op')}_{describe(expr.right)}"
    if isinstance(expr, gast.UnaryOp):
        return f"{'neg' if isinstance(expr.op, gast.USub) else 'not'}_{describe(expr.operand)}"
    if isinstance(expr, gast.Subscript):
        return f"{describe(expr.value)}_item"
    if isinstance(expr, gast.Compare):
        return "cond"
    if isinstance(expr, (gast.List, gast.Tuple)):
        return "items"
    return "t"


def _short(text: str) -> str:
    """At most four words and 28 characters, keeping a trailing ``_call``/``_out`` marker."""
    for marker in ("_call", "_out"):
        if text.endswith(marker) and len(text) > len(marker):
            return _short(text[: -len(marker)]) + marker
    parts = text.split("_")
    return "_".join(parts[:4])[:28]


def direct_variables(fn: gast.FunctionDef) -> set[str]:
    """User variables assigned only by top-level statements: these are renamed instead of overwritten."""
    top, nested = set(), set()
    for stmt in fn.body:
        bucket = nested if isinstance(stmt, (gast.If, gast.For, gast.While)) else top
        for sub in walk(stmt):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
                bucket.add(sub.id)
    params = {a.id for a in fn.args.args}
    return (top | params) - nested


class ANF:
    """Flattens a desugared function. One instance per function; see the module docstring."""

    def __init__(self, names: Names, direct: set[str], params: set[str]):
        self.names = names
        self.direct = direct
        self.params = params
        self.version: dict[str, str] = {}
        self.temps: set[str] = set()
        self.compound_depth = 0
        self._stmt: gast.stmt | None = None

    # --- helpers -------------------------------------------------------------------------------------

    def _emit(self, out: list, stmt: gast.stmt) -> gast.stmt:
        gast.copy_location(stmt, self._stmt)
        value = getattr(stmt, "value", None)
        if isinstance(value, gast.AST) and getattr(value, "lineno", None) is None:
            gast.copy_location(value, self._stmt)
        out.append(stmt)
        return stmt

    def _temp(self, out: list, value: gast.expr, base: str | None = None) -> gast.Name:
        name = self.names.fresh(_short(base or describe(value)))
        self.temps.add(name)
        self._emit(out, gast.Assign([_name(name, gast.Store())], value, None))
        return _name(name)

    def _read(self, name: str) -> str:
        return self.version.get(name, name)

    def _store_name(self, name: str) -> str:
        """The name an assignment to user variable ``name`` writes: a new version for direct variables."""
        if name in self.direct and self.compound_depth == 0:
            first = name not in self.version and name not in self.params
            new = name if first else self.names.fresh(name)
            self.version[name] = new
            return new
        return name

    # --- expressions ---------------------------------------------------------------------------------

    def is_static(self, expr: gast.expr) -> bool:
        if isinstance(expr, (gast.Constant, gast.Lambda)):
            return True
        if isinstance(expr, gast.Attribute):
            return expr.attr in STATIC_ATTRIBUTES and isinstance(expr.value, gast.Name)
        if isinstance(expr, gast.Subscript):
            return self.is_static(expr.value) and self.is_static(expr.slice)
        if isinstance(expr, (gast.Tuple, gast.List)):
            return all(self.is_static(e) for e in expr.elts)
        if isinstance(expr, gast.UnaryOp):
            return self.is_static(expr.operand)
        if isinstance(expr, gast.BinOp):
            return self.is_static(expr.left) and self.is_static(expr.right)
        if isinstance(expr, gast.Slice):
            return all(p is None or self.is_static(p) for p in (expr.lower, expr.upper, expr.step))
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and expr.func.id.startswith("slice"):
            return all(self.is_static(a) for a in expr.args) and not expr.keywords
        return False

    def rename_loads(self, expr: gast.expr) -> gast.expr:
        if isinstance(expr, gast.Lambda):
            return expr  # its names are its parameters and module-level names (see the support check)
        for sub in walk(expr):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                sub.id = self._read(sub.id)
        return expr

    def atom(self, expr: gast.expr, out: list) -> gast.expr:
        """Flatten ``expr``, emitting statements into ``out``; return a name, a constant or a static expr."""
        if isinstance(expr, gast.Name):
            return _name(self._read(expr.id))
        if self.is_static(expr):
            return self.rename_loads(expr)
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub) and isinstance(expr.operand, gast.Constant):
            return expr
        return self._temp(out, self.operation(expr, out))

    def operation(self, expr: gast.expr, out: list) -> gast.expr:
        """Flatten the operands of ``expr`` and return the single operation that remains."""
        if isinstance(expr, gast.BinOp):
            return gast.BinOp(self.atom(expr.left, out), expr.op, self.atom(expr.right, out))
        if isinstance(expr, gast.UnaryOp):
            return gast.UnaryOp(expr.op, self.atom(expr.operand, out))
        if isinstance(expr, gast.Compare):
            return gast.Compare(self.atom(expr.left, out), expr.ops, [self.atom(c, out) for c in expr.comparators])
        if isinstance(expr, gast.Call):
            args = [self.argument(a, out) for a in expr.args]
            keywords = [gast.keyword(k.arg, self.argument(k.value, out)) for k in expr.keywords]
            return gast.Call(self.callee(expr.func, out), args, keywords)
        if isinstance(expr, gast.Subscript):
            return gast.Subscript(self.atom(expr.value, out), self.index(expr.slice, out), gast.Load())
        if isinstance(expr, gast.Attribute):
            return gast.Attribute(self.atom(expr.value, out), expr.attr, gast.Load())
        if isinstance(expr, (gast.List, gast.Tuple)):
            return type(expr)([self.atom(e, out) for e in expr.elts], gast.Load())
        if isinstance(expr, gast.IfExp):
            return self.if_expression(expr, out)
        if isinstance(expr, gast.BoolOp):
            return self.bool_operation(expr, out)
        if isinstance(expr, gast.JoinedStr):
            return self.rename_loads(expr)
        if isinstance(expr, (gast.Name, gast.Constant)):
            return self.atom(expr, out)
        raise NotImplementedError(type(expr).__name__)

    def callee(self, func: gast.expr, out: list) -> gast.expr:
        if isinstance(func, gast.Name):
            return _name(self._read(func.id))
        if isinstance(func, gast.Attribute):
            return gast.Attribute(self.callee(func.value, out), func.attr, gast.Load())
        return self.atom(func, out)

    def argument(self, arg: gast.expr, out: list) -> gast.expr:
        if isinstance(arg, (gast.List, gast.Tuple)) and not self.is_static(arg):
            return type(arg)([self.atom(e, out) for e in arg.elts], gast.Load())
        return self.atom(arg, out)

    def index(self, index: gast.expr, out: list) -> gast.expr:
        if isinstance(index, gast.Slice):
            parts = [None if p is None else self.atom(p, out) for p in (index.lower, index.upper, index.step)]
            return gast.Slice(*parts)
        if isinstance(index, gast.Tuple):
            return gast.Tuple([self.index(e, out) for e in index.elts], gast.Load())
        return self.atom(index, out)

    def if_expression(self, expr: gast.IfExp, out: list) -> gast.expr:
        result = self.names.fresh(_short(f"{describe(expr.body)}_or_{describe(expr.orelse)}"))
        cond = self.condition(expr.test, out)
        self.compound_depth += 1
        body, orelse = [], []
        self._emit(body, gast.Assign([_name(result, gast.Store())], self.atom(expr.body, body), None))
        self._emit(orelse, gast.Assign([_name(result, gast.Store())], self.atom(expr.orelse, orelse), None))
        self.compound_depth -= 1
        self._emit(out, gast.If(cond, body, orelse))
        return _name(result)

    def bool_operation(self, expr: gast.BoolOp, out: list) -> gast.expr:
        """``a and b`` keeps its short circuit: ``b`` is evaluated only when ``a`` is true."""
        result = self.names.fresh("cond")
        self._emit(out, gast.Assign([_name(result, gast.Store())], self.atom(expr.values[0], out), None))
        for value in expr.values[1:]:
            self.compound_depth += 1
            then: list = []
            self._emit(then, gast.Assign([_name(result, gast.Store())], self.atom(value, then), None))
            self.compound_depth -= 1
            test = _name(result) if isinstance(expr.op, gast.And) else gast.UnaryOp(gast.Not(), _name(result))
            self._emit(out, gast.If(self._temp(out, test, "cond"), then, []))
        return _name(result)

    def condition(self, test: gast.expr, out: list) -> gast.Name:
        """A test as a single-assignment temporary, so the adjoint can find the branch that was taken."""
        value = self.atom(test, out)
        if isinstance(value, gast.Name) and value.id in self.temps:
            return value
        return self._temp(out, value, "cond")

    # --- statements ----------------------------------------------------------------------------------

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            previous, self._stmt = self._stmt, stmt
            self.statement(stmt, out)
            self._stmt = previous
        return out

    def nested(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        self.compound_depth += 1
        try:
            return self.block(stmts)
        finally:
            self.compound_depth -= 1

    def statement(self, stmt: gast.stmt, out: list) -> None:
        if isinstance(stmt, gast.Assign):
            self.assign(stmt.targets[0], stmt.value, out)
        elif isinstance(stmt, gast.Expr):
            value = self.operation(stmt.value, out) if not isinstance(stmt.value, (gast.Name, gast.Constant)) else None
            if isinstance(value, gast.Call):
                self._emit(out, gast.Expr(value))
        elif isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else gast.Constant(None, None)
            if isinstance(value, gast.Tuple):
                self._emit(out, gast.Return(gast.Tuple([self.atom(e, out) for e in value.elts], gast.Load())))
            else:
                self._emit(out, gast.Return(self.atom(value, out)))
        elif isinstance(stmt, gast.If):
            cond = self.condition(stmt.test, out)
            self._emit(out, gast.If(cond, self.nested(stmt.body), self.nested(stmt.orelse)))
        elif isinstance(stmt, gast.For):
            iterable = self.atom(stmt.iter, out)
            target = _name(stmt.target.id, gast.Store())
            self._emit(out, gast.For(target, iterable, self.nested(stmt.body), [], None))
        elif isinstance(stmt, gast.While):
            self.compound_depth += 1
            head: list = []
            cond = self.condition(stmt.test, head)
            exit_test = self._emit(head, gast.If(gast.UnaryOp(gast.Not(), cond), [gast.Break()], []))
            body = self.block(stmt.body)
            self.compound_depth -= 1
            loop = self._emit(out, gast.While(gast.Constant(True, None), head + body, []))
            loop.condition_exit = exit_test
        elif isinstance(stmt, gast.FunctionDef):
            self._emit(out, stmt)  # a nested def: transformed as a callee when it is called
        elif isinstance(stmt, (gast.Assert, gast.Raise)):
            self._emit(out, self.rename_loads(stmt))
        elif isinstance(stmt, gast.Break):
            self._emit(out, gast.Break())
        elif isinstance(stmt, gast.Pass):
            pass
        else:
            raise NotImplementedError(type(stmt).__name__)

    def assign(self, target: gast.expr, value: gast.expr, out: list) -> None:
        if isinstance(target, gast.Name):
            if target.id in self.direct and self.compound_depth == 0:
                simple = isinstance(value, gast.Name) or self.is_static(value)
                flat = self.atom(value, out) if simple else self.operation(value, out)
                self._emit(out, gast.Assign([_name(self._store_name(target.id), gast.Store())], flat, None))
            else:
                flat = self.atom(value, out)
                self._emit(out, gast.Assign([_name(target.id, gast.Store())], flat, None))
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts):
                parts = [self.atom(v, out) for v in value.elts]
                parts = [p if not isinstance(p, gast.Name) or p.id in self.temps else self._temp(out, p, p.id)
                         for p in parts]
            else:
                whole = self.atom(value, out)
                parts = [self._temp(out, gast.Subscript(whole, gast.Constant(i, None), gast.Load()),
                                    f"{getattr(whole, 'id', 't')}_{i}") for i in range(len(target.elts))]
            for elt, part in zip(target.elts, parts):
                self.assign(elt, part, out)
            return
        raise NotImplementedError(type(target).__name__)


def condition_end(loop: gast.While) -> int | None:
    """Where the body of a ``while`` made here starts: after its condition's statements and the
    ``if not cond: break`` that ends them (the condition runs once more than the body, and has no
    adjoint). Found by the exit test itself, not by a count, so that a pass may grow the condition (a
    helper inlined into it); None when the exit test is gone, which no pass may do (the caller refuses)."""
    exit_test = getattr(loop, "condition_exit", None)
    for i, stmt in enumerate(loop.body):
        if stmt is exit_test:
            return i + 1
    return None


def to_anf(fn: gast.FunctionDef, names: Names) -> tuple[gast.FunctionDef, set[str]]:
    """Flatten ``fn``'s body; return the new function and the set of single-assignment temporaries."""
    anf = ANF(names, direct_variables(fn), {a.id for a in fn.args.args})
    body = anf.block(fn.body)
    new = gast.FunctionDef(fn.name, fn.args, body, [], None, None)
    gast.copy_location(new, fn)
    return new, anf.temps
