"""Random well-typed NumPy programs for differential testing, drawn by hypothesis (the tree and its NumPy and
shim renderings are in ``program_tree.py``).

Locals never alias an argument or each other (an indexing read or a bare name is copied when assigned), so
NumPy's in-place ``+=`` and element writes mean the same as srcgrad's and the shim's functional versions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from hypothesis import strategies as st
from program_tree import (
    BINARY_SHAPES,
    DIMS,
    UNARY,
    Assign,
    AugAssign,
    Bin,
    Break,
    Call,
    Const,
    EarlyReturn,
    ElementWrite,
    For,
    If,
    Index,
    LoopFactor,
    M,
    MatMul,
    Reduce,
    S,
    SafeDiv,
    Stacked,
    Unary,
    V,
    Var,
    W,
    Where,
    While,
    as_scalar,
)

# --- programs ---------------------------------------------------------------------------------------------------


@dataclass
class Function:
    name: str
    params: list[tuple[str, tuple]]
    body: list
    result: object  # the returned expression
    scalar_result: bool

    def render(self, mode: str) -> list[str]:
        lines = [f"def {self.name}({', '.join(p for p, _ in self.params)}):"]
        lines += [line for stmt in self.body for line in stmt.render(mode, "    ")]
        value = as_scalar(self.result, mode) if self.scalar_result else self.result.render(mode)
        return lines + [f"    return {value}"]


@dataclass
class Program:
    helpers: list[Function]
    main: Function
    seed: int
    constructs: set[str] = field(default_factory=set)

    @property
    def shapes(self) -> list[tuple]:
        return [shape for _, shape in self.main.params]

    def render(self, mode: str) -> str:
        header = "import numpy as np" if mode == "np" else "import srcgrad as torch"
        lines = [header, ""]
        for fn in [*self.helpers, self.main]:
            lines += fn.render(mode) + [""]
        return "\n".join(lines)


class Generator:
    """Draws one program. Productions are listed simplest first, so that hypothesis shrinks towards small
    programs made of names, sums and products."""

    MAX_DEPTH = 3

    def __init__(self, draw):
        self.draw = draw
        self.constructs: set[str] = set()
        self.counter = 0
        self.helpers: list[Function] = []
        self.in_main = False  # an early return is drawn in the differentiated function only

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # expressions

    def available(self, scope: dict, shape: tuple) -> bool:
        if shape in (S, V):
            return any(s in (V, M) for s in scope.values()) or shape in scope.values()
        return M in scope.values()

    def expr(self, scope: dict, loops: dict, shape: tuple, depth: int = 0) -> object:
        names = [n for n, s in scope.items() if s == shape]
        leaf = depth >= self.MAX_DEPTH
        kinds = (["var", "var"] if names else []) + ([] if leaf else ["bin", "const", "unary", "reduce", "index",
                                                               "matmul", "div", "where", "call", "loop",
                                                               "comprehension"])
        kinds = [k for k in kinds if self._can(k, scope, loops, shape)]
        if not kinds:  # a leaf of a shape no name has: reduce or index an existing value
            kinds = [k for k in ("reduce", "index", "matmul") if self._can(k, scope, loops, shape)]
            leaf = True
        kind = self.pick(kinds)
        self.constructs.add(kind)
        sub = self.MAX_DEPTH if leaf else depth + 1
        if kind == "var":
            return Var(self.pick(names), shape)
        if kind == "bin":
            ls, rs = self.pick([p for p in BINARY_SHAPES[shape] if all(self.available(scope, q) for q in p)])
            op = self.pick(["+", "*", "-"])
            self.constructs.add("broadcast" if ls != rs else f"op{op}")
            return Bin(op, self.expr(scope, loops, ls, sub), self.expr(scope, loops, rs, sub))
        if kind == "div":
            ls, rs = self.pick([p for p in BINARY_SHAPES[shape] if all(self.available(scope, q) for q in p)])
            return SafeDiv(self.expr(scope, loops, ls, sub), self.expr(scope, loops, rs, sub))
        if kind == "const":
            op = self.pick(["*", "+", "-"])
            c = self.pick([2.0, 0.5, -1.5, 3.0])
            a = self.expr(scope, loops, shape, sub)
            return Bin(op, a, Const(c)) if self.draw(st.booleans()) else Bin(op, Const(c), a)
        if kind == "loop":
            self.constructs.add("loop counter as value")
            return Bin("*", self.expr(scope, loops, shape, sub), LoopFactor(self.pick(sorted(loops))))
        if kind == "unary":
            fn = self.pick(list(UNARY))
            self.constructs.add(f"ufunc {fn}")
            return Unary(fn, self.expr(scope, loops, shape, sub))
        if kind == "reduce":
            return self._reduce(scope, loops, shape, sub)
        if kind == "index":
            return self._index(scope, loops, shape, sub)
        if kind == "matmul":
            ls, rs = self.pick([p for p, out in MATMUL.items()
                                if out == shape and all(self.available(scope, q) for q in p)])
            dot = ls == rs == V and self.draw(st.booleans())
            self.constructs.add("np.dot" if dot else "@")
            return MatMul(self.expr(scope, loops, ls, sub), self.expr(scope, loops, rs, sub), dot)
        if kind == "where":
            return Where(self.expr(scope, loops, shape, sub), self.expr(scope, loops, shape, sub),
                         self.expr(scope, loops, shape, sub))
        if kind == "call":
            fn = self.pick([h for h in self.helpers if h.result_shape == shape
                            and all(self.available(scope, s) for _, s in h.params)])
            keywords = self.draw(st.booleans())
            self.constructs.add("call with keyword arguments" if keywords else "call with positional arguments")
            return Call(fn.name, tuple(self.expr(scope, loops, s, sub) for _, s in fn.params), shape, keywords)
        if kind == "comprehension":
            var, count = self.fresh("j"), self.integer(1, 3)
            self.constructs.add("list comprehension")
            return Stacked(var, count, self.expr(scope, {**loops, var: count}, shape, sub))
        raise AssertionError(kind)

    def _can(self, kind: str, scope: dict, loops: dict, shape: tuple) -> bool:
        has_m = M in scope.values()
        if kind in ("bin", "div"):
            return any(all(self.available(scope, q) for q in p) for p in BINARY_SHAPES[shape])
        if kind in ("const", "unary", "where", "var"):
            return self.available(scope, shape)
        if kind == "loop":
            return bool(loops) and self.available(scope, shape)
        if kind in ("reduce", "index"):
            return self.available(scope, V) if shape == S else (shape in (V, W) and has_m)
        if kind == "matmul":
            return any(out == shape and all(self.available(scope, q) for q in pair) for pair, out in MATMUL.items())
        if kind == "comprehension":
            return self.available(scope, shape)
        if kind == "call":
            return any(h.result_shape == shape and all(self.available(scope, s) for _, s in h.params)
                       for h in self.helpers)
        raise AssertionError(kind)

    def _reduce(self, scope, loops, shape, depth):
        fn = self.pick(["sum", "mean"])
        method = self.draw(st.booleans())
        if shape == S:
            arg_shape = self.pick([s for s in (V, M, W) if self.available(scope, s)])
            self.constructs.add(f"reduction {fn}")
            return Reduce(fn, self.expr(scope, loops, arg_shape, depth), None, method)
        self.constructs.add(f"reduction {fn} along an axis")
        return Reduce(fn, self.expr(scope, loops, M, depth), 0 if shape == V else 1, method)

    def _position(self, loops: dict, size: int):
        usable = sorted(n for n, count in loops.items() if count <= size)
        if usable and self.draw(st.booleans()):
            self.constructs.add("index by loop counter")
            return self.pick(usable)
        return self.integer(0, size - 1)

    def _index(self, scope, loops, shape, depth):
        self.constructs.add("indexing read")
        if shape == S:
            source = self.pick([s for s in (V, M, W) if self.available(scope, s)])
            index = tuple(self._position(loops, n) for n in DIMS[source])
        elif shape == V:
            source, index = M, (self._position(loops, 2),)
        else:
            source, index = M, (":", self._position(loops, 3))
        # index a name when there is one (a read of a stored value), else an expression
        names = [n for n, s in scope.items() if s == source]
        arg = Var(self.pick(names), source) if names else self.expr(scope, loops, source, depth)
        return Index(arg, index, shape)

    # statements

    def block(self, scope: dict, loops: dict, mutable: set, depth: int, size: int, in_loop: bool) -> list:
        body = []
        for _ in range(self.integer(1 if depth else 0, size)):
            body.append(self.statement(scope, loops, mutable, depth, in_loop))
        return body

    def statement(self, scope: dict, loops: dict, mutable: set, depth: int, in_loop: bool):
        kinds = ["assign", "new", "aug", "write", "if", "for", "while", "break", "return"]
        if depth >= 2:
            kinds = kinds[:4] + kinds[-2:]
        if not self.in_main:
            kinds.remove("return")
        if not in_loop:
            kinds = [k for k in kinds if k != "break"]
        if not any(scope[n] != S for n in mutable):
            kinds = [k for k in kinds if k != "write"]
        if not mutable:
            kinds = [k for k in kinds if k not in ("assign", "aug")]
        kind = self.pick(kinds)
        if kind == "new" or (kind == "assign" and not mutable):
            shape = self.pick([s for s in (S, V, M, W) if self.available(scope, s)])
            name = self.fresh("v")
            value = _copied(self.expr(scope, loops, shape))
            scope[name] = shape
            mutable.add(name)
            self.constructs.add("assignment")
            return Assign(name, value)
        if kind == "assign":
            name = self.pick(sorted(mutable))
            self.constructs.add("reassignment")
            return Assign(name, _copied(self.expr(scope, loops, scope[name])))
        if kind == "aug":
            name = self.pick(sorted(mutable))
            op = self.pick(["+", "*", "-"])
            shapes = [s for s in (S, V, W, M) if self.available(scope, s) and _fits(s, scope[name])]
            self.constructs.add("augmented assignment")
            return AugAssign(name, op, self.expr(scope, loops, self.pick(shapes)))
        if kind == "write":
            name = self.pick(sorted(n for n in mutable if scope[n] != S))
            shape = scope[name]
            self.constructs.add("element write")
            if shape == M and self.draw(st.booleans()):
                return ElementWrite(name, (self._position(loops, 2),), self.expr(scope, loops, V))
            index = tuple(self._position(loops, n) for n in DIMS[shape])
            return ElementWrite(name, index, self.expr(scope, loops, S))
        if kind == "break":
            self.constructs.add("break")
            return Break(self.expr(scope, loops, S), self._threshold())
        if kind == "return":
            self.constructs.add("early return")
            return EarlyReturn(self.expr(scope, loops, S), self._threshold(),
                               self.expr(scope, loops, self.pick([S, V])))
        if kind == "if":
            self.constructs.add("if")
            cond = self.expr(scope, loops, self.pick([s for s in (S, V) if self.available(scope, s)]))
            threshold = self._threshold()
            body = self.block(dict(scope), loops, set(mutable), depth + 1, 2, in_loop)
            orelse = self.block(dict(scope), loops, set(mutable), depth + 1, 2, in_loop) \
                if self.draw(st.booleans()) else []
            return If(cond, threshold, body, orelse)
        var = self.fresh("i" if kind == "for" else "k")
        count = self.integer(1, 3)
        self.constructs.add(f"{kind} loop")
        inner_loops = {**loops, var: count}
        body = self.block(dict(scope), inner_loops, set(mutable), depth + 1, 2, True)
        return (For if kind == "for" else While)(var, count, body)

    def _threshold(self) -> float:
        return self.pick([0.3, -0.7, 1.1, 0.05])

    def function(self, name: str, params: list, result_shape: tuple, scalar: bool, size: int) -> Function:
        scope = dict(params)
        mutable: set = set()
        self.constructs = set()
        body = self.block(scope, {}, mutable, 0, size, False)
        result = self.expr(scope, {}, result_shape)
        fn = Function(name, params, body, result if scalar or not _is_view(result) else _copied(result), scalar)
        fn.result_shape = result_shape
        fn.constructs = self.constructs
        return fn


MATMUL = {(M, V): W, (V, V): S, (W, M): V}


def _fits(value_shape: tuple, target_shape: tuple) -> bool:
    """``target op= value`` keeps the target's shape: NumPy broadcasts the value into it."""
    return value_shape in (S, target_shape) or (value_shape == V and target_shape == M)


def _is_view(expr: object) -> bool:
    return isinstance(expr, (Var, Index))


def _copied(expr: object) -> object:
    """A name or an indexing read assigned to a local is copied, so that no local aliases another array and
    NumPy's in-place updates of it change nothing else."""
    return Bin("*", expr, Const(1.0)) if _is_view(expr) else expr


@st.composite
def programs(draw) -> Program:
    """A program: up to two helpers (each may call the ones before it), then ``f`` of ``x`` (3,) and
    optionally ``w`` (2, 3) and a scalar ``s``, returning a scalar."""
    gen = Generator(draw)
    main_params = [("x", V)] + ([("w", M)] if draw(st.booleans()) else []) + ([("s", S)] if draw(st.booleans()) else [])
    for h in range(draw(st.integers(0, 2))):
        shapes = [draw(st.sampled_from([V, S, M])) for _ in range(draw(st.integers(1, 2)))]
        params = [(f"a{j}", shape) for j, shape in enumerate(shapes)]
        result = draw(st.sampled_from([s for s in (V, S, M, W) if gen.available(dict(params), s)]))
        gen.helpers.append(gen.function(f"h{h}", params, result, False, 2))
    gen.in_main = True
    main = gen.function("f", main_params, S, True, 4)
    seed = draw(st.integers(0, 2 ** 16))
    used_helpers = _called(main, gen.helpers)
    constructs = set().union(main.constructs, *(h.constructs for h in used_helpers))
    constructs.add(f"{len(used_helpers)} generated function(s) called")
    return Program(used_helpers, main, seed, constructs)


def _called(main: Function, helpers: list[Function]) -> list[Function]:
    """The helpers ``main`` calls directly or through other helpers, in definition order (unused helpers are
    dropped so that the rendered program is as small as what it tests)."""
    text = "\n".join(main.render("np"))
    needed = set()
    for h in reversed(helpers):
        if f"{h.name}(" in text:
            needed.add(h.name)
            text += "\n".join(h.render("np"))
    return [h for h in helpers if h.name in needed]


class Tally:
    """What the random programs exercised in this run, for the summary at the end."""

    programs = 0
    rejected = 0
    constructs: ClassVar[Counter] = Counter()
    hostile = 0  # front-end programs checked to be rejected at the right line
    hostile_constructs: ClassVar[set] = set()
    hostile_contexts: ClassVar[set] = set()
    callables: ClassVar[set] = set()  # kinds of unusual callables handed to grad
