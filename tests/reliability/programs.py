"""Random well-typed NumPy programs for differential testing, drawn by hypothesis (the tree and its NumPy and
shim renderings are in ``program_tree.py``).

What may alias what is decided here, so that both renderings stay the same program:

* a local assigned from a name or an indexing read gets a copy (``v = x * 1.0``), and ``v = a.copy()`` and
  ``v = np.zeros_like(a)`` make new arrays: the program *owns* them;
* only owned arrays are updated in place (``y += v``, ``y[i] += v``, ``y[1:] *= v``, list slots), never an
  argument or a view of one, so the inputs keep their values in NumPy, and the shim never updates a leaf; a
  generated helper may update the arrays passed for some of its parameters (``Function.updated``), and its
  callers pass their own arrays (which then count as shared) or copies for those;
* aliases are made on purpose: a second name (``z = y``), a view (``w = y[1:]``, ``r = m[0]``), a list or tuple
  holding an owned array (``[y, y]``, ``[y] * 2``, ``l + m``, ``a, b = t``, ``z = l[0]``, ``m = l``). Every array
  name that may be seen that way is in ``Generator.shared``, and its updates are rendered in place for the shim;
* a scalar stored in a container is a copy (``s * 1.0``), since ``np.where`` makes 0-d arrays, which ``+=``
  updates in place in NumPy while the shim's scalar updates rebind.

The reference (finite differences) runs the NumPy program itself, aliasing included, so srcgrad has to get
the semantics of every alias right or refuse the update with a located ``SrcgradError``.

The length of a list or tuple is tracked as a lower bound that only grows (no statement shortens a sequence a
name holds), so indices and slices drawn against it are always in range; unpacking needs the exact length,
known only where no loop or nested block may have changed it since the sequence was bound."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from hypothesis import strategies as st
from program_tree import (
    BINARY_SHAPES,
    DIMS,
    SEQ_REDUCE,
    SLICE_LENGTH,
    UNARY,
    Append,
    Assign,
    AugAssign,
    Bin,
    Break,
    Call,
    Const,
    EarlyReturn,
    ElementWrite,
    Extend,
    For,
    Fresh,
    If,
    Index,
    LoopFactor,
    M,
    MatMul,
    Reduce,
    S,
    SafeDiv,
    Seq,
    SeqConcat,
    SeqDisplay,
    SeqIndex,
    SeqName,
    SeqReduce,
    SeqRepeat,
    SeqSlice,
    SlotWrite,
    Stacked,
    Unary,
    Unpack,
    V,
    Var,
    W,
    Where,
    While,
    as_scalar,
    render_block,
    tag,
)

# --- programs ---------------------------------------------------------------------------------------------------


@dataclass
class Function:
    name: str
    params: list[tuple[str, tuple]]
    body: list
    result: object  # the returned expression
    scalar_result: bool
    result_labels: tuple = ()

    def render(self, mode: str) -> list[str]:
        lines = [tag(f"def {self.name}({', '.join(p for p, _ in self.params)}):", ["function definition"])]
        lines += render_block(self.body, mode, "    ") if self.body else []
        value = as_scalar(self.result, mode) if self.scalar_result else self.result.render(mode)
        return [*lines, tag(f"    return {value}", ["return", *self.result_labels])]


def statements(body: list):
    """Every statement of a block, nested ones included."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, If):
            yield from statements(stmt.body)
            yield from statements(stmt.orelse)
        elif isinstance(stmt, (For, While)):
            yield from statements(stmt.body)


@dataclass
class Program:
    helpers: list[Function]
    main: Function
    seed: int
    constructs: set[str] = field(default_factory=set)

    @property
    def shapes(self) -> list[tuple]:
        return [shape for _, shape in self.main.params]

    def lines(self, mode: str) -> list[str]:
        header = "import numpy as np" if mode == "np" else "import srcgrad as torch"
        lines = [header, ""]
        for fn in [*self.helpers, self.main]:
            lines += [*fn.render(mode), ""]
        return lines

    def render(self, mode: str) -> str:
        return "\n".join(self.lines(mode))

    def labels_at(self, lineno: int) -> tuple:
        """The constructs of the statement at a line (1-based) of the NumPy rendering."""
        lines = self.lines("np")
        return getattr(lines[lineno - 1], "labels", ()) if 0 < lineno <= len(lines) else ()

    @property
    def shim_in_place(self) -> bool:
        """Whether the shim rendering updates a tensor in place, which PyTorch may refuse at ``backward`` (a
        value saved for the gradient was modified)."""
        return any(getattr(stmt, "in_place_for_shim", lambda: False)()
                   for fn in [*self.helpers, self.main] for stmt in statements(fn.body))


# control flow is listed twice (drawn twice as often), so that its bodies still get their share of statements
STATEMENTS = ["assign", "new", "aug", "write", "fresh", "sequence", "sequence update", "in place", "alias",
              "if", "for", "while", "break", "return", "if", "for", "while", "break"]
COMPOUND = ("if", "for", "while")


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
        self.params: set[str] = set()  # the current function's parameters: never updated, stored as copies
        self.updated_params: set[str] = set()  # the current function's parameters it may update in place
        self.shared: set[str] = set()  # names whose array (or list's elements) another name, view or slot may see
        self.inexact: set[str] = set()  # sequences whose length may have changed where it was not tracked
        self.home: dict[str, tuple[int, int]] = {}  # sequence name: (block, loop depth) where it was bound
        self.list_aliases: dict[str, set] = {}  # list name: the names bound to the same list object
        self.blocks = [0]
        self.block_count = 0
        self.labels: list[list[str]] = []  # the constructs of the statements being drawn, innermost last

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def note(self, construct: str, primary: bool = False) -> None:
        """Record a construct of the program, and of the statement being drawn (``primary``: as what the
        statement is, ahead of what its parts are)."""
        self.constructs.add(construct)
        if self.labels:
            self.labels[-1].insert(0 if primary else len(self.labels[-1]), construct)

    # expressions

    def available(self, scope: dict, shape: tuple) -> bool:
        if shape in scope.values():
            return True
        if shape in (S, V):
            return any(s in (V, M) for s in scope.values())
        return M in scope.values()

    def expr(self, scope: dict, loops: dict, shape: tuple, depth: int = 0) -> object:
        names = [n for n, s in scope.items() if s == shape]
        leaf = depth >= self.MAX_DEPTH
        kinds = (["var", "var"] if names else []) + ([] if leaf else ["bin", "const", "unary", "reduce", "index",
                                                               "matmul", "div", "where", "call", "loop",
                                                               "comprehension", "sequence"])
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
            args = [self.expr(scope, loops, s, sub) for _, s in fn.params]
            for j in fn.updated:  # the callee updates these in place: the caller's own array, or a copy
                self.note("call passing an array the callee updates in place")
                args[j] = self._store(args[j])
            return Call(fn.name, tuple(args), shape, keywords)
        if kind == "comprehension":
            var, count = self.fresh("j"), self.integer(1, 3)
            self.constructs.add("list comprehension")
            return Stacked(var, count, self.expr(scope, {**loops, var: count}, shape, sub))
        if kind == "sequence":
            return self._consume(scope, loops, shape, sub)
        raise AssertionError(kind)

    def _can(self, kind: str, scope: dict, loops: dict, shape: tuple) -> bool:
        has_m = M in scope.values()
        if kind in ("bin", "div"):
            return any(all(self.available(scope, q) for q in p) for p in BINARY_SHAPES[shape])
        if kind in ("const", "unary", "where", "var", "sequence"):
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

    # lists and tuples

    def sequences(self, scope: dict, kind: str | None = None, elem: tuple | None = None, length: int = 0) -> list:
        return sorted(n for n, t in scope.items() if isinstance(t, Seq) and (kind is None or t.kind == kind)
                      and (elem is None or t.elem == elem) and t.length >= length)

    def seq_expr(self, scope: dict, loops: dict, elem: tuple, depth: int, store: bool, length: int = 1,
                 kind: str | None = None, exclude: frozenset = frozenset()):
        """A list or tuple of at least ``length`` values of shape ``elem``. ``store``: it is kept (bound to a
        name, appended), so its elements are stored the way ``_store`` says; otherwise it is consumed at once."""
        names = [n for n in self.sequences(scope, kind, elem, length) if n not in exclude]
        leaf = depth >= self.MAX_DEPTH
        options = (["name", "name"] if names else []) + ["display"] + ([] if leaf else ["concatenate", "repeat",
                                                                                       "slice"])
        how = self.pick(options)
        sub = self.MAX_DEPTH if leaf else depth + 1
        if how == "name":
            name = self.pick(names)
            return SeqName(name, scope[name])
        kind = kind or self.pick(["list", "tuple"])
        if how == "display":
            lo = max(length, 1 if kind == "tuple" else 0)
            count = self.integer(lo, max(lo, 2 if leaf else 3))
            self.note(f"{kind} display" if count else "empty list")
            return SeqDisplay(kind, tuple(self._element(scope, loops, elem, sub, store) for _ in range(count)), elem)
        if how == "concatenate":
            left = self.seq_expr(scope, loops, elem, sub, store, 0, kind, exclude)
            right = self.seq_expr(scope, loops, elem, sub, store, max(0, length - left.seq.length), kind, exclude)
            self.note(f"{kind} + {kind}")
            return SeqConcat(left, right)
        if how == "repeat":
            self.note(f"{kind} repetition")
            return SeqRepeat(self.seq_expr(scope, loops, elem, sub, store, max(1, (length + 1) // 2), kind, exclude), 2)
        cut = self.pick([c for c in SLICE_LENGTH if c not in (":2", "-2:") or length <= 2])
        need = next(n for n in range(length + 3) if SLICE_LENGTH[cut](n) >= length and n >= 1)
        self.note(f"{kind} slice [{cut}]")
        return SeqSlice(self.seq_expr(scope, loops, elem, sub, store, need, kind, exclude), cut)

    def _element(self, scope, loops, elem, depth, store):
        value = self.expr(scope, loops, elem, depth)
        return self._store(value) if store else value

    def _store(self, value: object) -> object:
        """A value about to be kept in a container or under a second name, as the object itself where that
        is an owned array (whose name, or whose view's base, then counts as shared), as a copy otherwise: what
        may be an argument or a view of one (never to be updated in place), and any scalar (0-d arrays are
        mutable)."""
        if value.shape == S:
            return Bin("*", value, Const(1.0)) if isinstance(value, (Var, Index, SeqIndex, Where, Call)) else value
        if not self._owned(value):
            return _copied(value)
        root = _root(value)
        if root is not None:
            self.shared.add(root)
        return value

    def _owned(self, value: object) -> bool:
        """Whether an array expression is an array the function made (or a view of one), not an argument: a
        name other than a parameter, an element of a sequence whose elements are all owned, a new array."""
        while isinstance(value, Index):
            value = value.arg
        if isinstance(value, Var):
            return value.name not in self.params
        if isinstance(value, SeqIndex):
            return self._owned_elements(value.arg)
        return True

    def _owned_elements(self, seq: object) -> bool:
        if isinstance(seq, SeqName):
            return True  # its elements were stored by _store
        if isinstance(seq, SeqDisplay):
            return seq.elem == S or all(self._owned(item) for item in seq.items)
        if isinstance(seq, SeqConcat):
            return self._owned_elements(seq.left) and self._owned_elements(seq.right)
        return self._owned_elements(seq.arg)  # a repetition or a slice

    def _consume(self, scope, loops, shape, depth):
        seq = self.seq_expr(scope, loops, shape, depth, store=False)
        kind, n = seq.seq.kind, seq.seq.length
        hows = ["index", *SEQ_REDUCE] if shape != S else ["index", "sum", "stack sum", "stack mean"]
        how = self.pick(hows)
        if how == "index":
            i = self.pick(list(range(n)) + list(range(-n, 0)))
            self.note(f"{kind} element read" + (" (negative index)" if i < 0 else ""))
            return SeqIndex(seq, i)
        self.note(f"{kind} consumed by {'np.' if how != 'sum' else ''}{how}")
        return SeqReduce(how, seq)

    def _bind_sequence(self, name: str, value, scope: dict, loops: dict) -> None:
        scope[name] = value.seq
        self.home[name] = (self.blocks[-1], len(loops))
        if _seq_shares(value):
            self.shared.add(name)

    def _grew(self, name: str, scope: dict, added: int) -> None:
        """The sequence ``name`` (and every name bound to the same list) got ``added`` more elements here."""
        for n in self.list_aliases.get(name, {name}):
            if isinstance(scope.get(n), Seq):
                t = scope[n]
                scope[n] = Seq(t.kind, t.elem, t.length + added)
            if self.home.get(n, (None,))[0] != self.blocks[-1]:
                self.inexact.add(n)

    def _exact(self, name: str, loops: dict) -> bool:
        """Whether ``scope[name].length`` is the sequence's length every time the current statement runs."""
        return name not in self.inexact and self.home[name][1] == len(loops)

    # statements

    def block(self, scope: dict, loops: dict, mutable: set, depth: int, size: int, in_loop: bool) -> list:
        self.block_count += 1
        self.blocks.append(self.block_count)
        body = []
        for _ in range(self.integer(1 if depth else 0, size)):
            made = self.labelled(self._statement, scope, loops, mutable, depth, in_loop)
            body.extend(made if isinstance(made, list) else [made])
        self.blocks.pop()
        return body

    def labelled(self, make, *args):
        """``make(*args)``: a statement, which gets the constructs noted while it was drawn as its labels, or
        a list of statements that were labelled one by one."""
        self.labels.append([])
        try:
            made = make(*args)
        finally:
            labels = self.labels.pop()
        if not isinstance(made, list):
            made.labels = labels
        return made

    def _statement(self, scope: dict, loops: dict, mutable: set, depth: int, in_loop: bool):
        owned = sorted(n for n in mutable if scope[n] != S)  # arrays the function made: updated in place
        unavailable = {*(COMPOUND if depth >= 2 else ()), *(() if self.in_main else ("return",)),
                       *(() if in_loop else ("break",)), *(() if owned else ("write",)),
                       *(() if mutable else ("assign", "aug")),
                       *(() if self.sequences(scope) else ("sequence update",)),
                       *(() if any(self.available(scope, s) for s in (V, M, W)) else ("fresh", "in place", "alias"))}
        kind = self.pick([k for k in STATEMENTS if k not in unavailable])
        if kind == "new" or (kind == "assign" and not mutable):
            self.note("assignment")
            shape = self.pick([s for s in (S, V, M, W) if self.available(scope, s)])
            name = self.fresh("v")
            value = _copied(self.expr(scope, loops, shape))
            scope[name] = shape
            mutable.add(name)
            return Assign(name, value)
        if kind == "assign":
            self.note("reassignment")
            name = self.pick(sorted(mutable))
            return Assign(name, _copied(self.expr(scope, loops, scope[name])))
        if kind == "aug":
            self.note("augmented assignment")
            name = self.pick(sorted(mutable))
            op = self.pick(["+", "*", "-"])
            shapes = [s for s in (S, V, W, M) if self.available(scope, s) and _fits(s, scope[name])]
            return AugAssign(name, op, self.expr(scope, loops, self.pick(shapes)), array=scope[name] != S,
                             shared=self.shared)
        if kind == "write":
            self.note("element write")
            name = self.pick(owned)
            shape = scope[name]
            if shape == M and self.draw(st.booleans()):
                return ElementWrite(name, (self._position(loops, 2),), self.expr(scope, loops, V), self.shared)
            index = tuple(self._position(loops, n) for n in DIMS[shape])
            return ElementWrite(name, index, self.expr(scope, loops, S), self.shared)
        if kind == "fresh":
            return self._fresh_array(scope, loops, mutable)
        if kind == "sequence":  # a new list or tuple, then up to two updates of it
            made = [self.labelled(self._new_sequence, scope, loops)]
            for _ in range(self.integer(0, 2)):
                made.append(self.labelled(self._sequence_update, scope, loops, mutable, made[0].name))
            return made
        if kind == "sequence update":
            return self._sequence_update(scope, loops, mutable)
        if kind == "in place":  # of an array the function owns (made first when there is none) or a list slot
            made = [] if owned or self.sequences(scope, "list", length=1) \
                else [self.labelled(self._fresh_array, scope, loops, mutable)]
            owned = sorted(n for n in mutable if scope[n] != S)
            return [*made, self.labelled(self._in_place, scope, loops, owned, self.sequences(scope, "list", length=1))]
        if kind == "alias":  # a second name, view or slot for an array, then (often) an update through it
            made = [] if owned else [self.labelled(self._fresh_array, scope, loops, mutable)]
            owned = sorted(n for n in mutable if scope[n] != S)
            made.append(self.labelled(self._alias, scope, loops, mutable, owned))
            name = made[-1].name
            if scope.get(name) in (V, M, W) and self.draw(st.booleans()):
                made.append(self.labelled(self._in_place, scope, loops, [name], []))
            return made
        if kind == "break":
            self.note("break")
            return Break(self.expr(scope, loops, S), self._threshold())
        if kind == "return":
            self.note("early return")
            return EarlyReturn(self.expr(scope, loops, S), self._threshold(),
                               self.expr(scope, loops, self.pick([S, V])))
        if kind == "if":
            self.note("if")
            cond = self.expr(scope, loops, self.pick([s for s in (S, V) if self.available(scope, s)]))
            threshold = self._threshold()
            body = self.block(dict(scope), loops, set(mutable), depth + 1, 2, in_loop)
            orelse = self.block(dict(scope), loops, set(mutable), depth + 1, 2, in_loop) \
                if self.draw(st.booleans()) else []
            return If(cond, threshold, body, orelse)
        var = self.fresh("i" if kind == "for" else "k")
        count = self.integer(1, 3)
        self.note(f"{kind} loop")
        inner_loops = {**loops, var: count}
        body = self.block(dict(scope), inner_loops, set(mutable), depth + 1, 2, True)
        return (For if kind == "for" else While)(var, count, body)

    def _new_sequence(self, scope, loops):
        elem = self.pick([s for s in (S, V, M, W) if self.available(scope, s)])
        value = self.seq_expr(scope, loops, elem, 0, store=True, length=0)
        self.note(f"new {value.seq.kind}", primary=True)
        name = self.fresh("l" if value.seq.kind == "list" else "t")
        self._bind_sequence(name, value, scope, loops)
        if isinstance(value, SeqName) and value.seq.kind == "list":
            self._alias_lists(value.name, name)
        return Assign(name, value)

    def _sequence_update(self, scope, loops, mutable, only: str | None = None):
        """Change a sequence (``only``, or any): grow it, write or update a slot, or unpack it."""
        def candidates(kind=None, length=0):
            return [n for n in self.sequences(scope, kind, length=length) if only in (None, n)]

        lists, nonempty = candidates("list"), candidates("list", 1)
        options = (["concatenate"] if candidates() else []) + (["append", "extend"] if lists else []) \
            + (["slot write", "slot read-modify-write", "slot in place"] if nonempty else []) \
            + (["unpack"] if candidates(length=2) else [])
        if not options:  # an empty tuple
            return self._new_sequence(scope, loops)
        how = self.pick(options)
        if how == "slot in place":
            return self._in_place(scope, loops, [], nonempty)
        if how == "unpack":
            name = self.pick(candidates(length=2))
            t = scope[name]
            self.shared.add(name)
            if self._exact(name, loops) and t.length <= 4:
                count, value = t.length, SeqName(name, t)
                self.note(f"{t.kind} unpacking")
            else:
                count, value = 2, SeqSlice(SeqName(name, t), self.pick([":2", "-2:"]))
                self.note(f"{t.kind} unpacking of a slice")
            names = [self.fresh("u") for _ in range(count)]
            for n in names:
                scope[n] = t.elem
                mutable.add(n)
                if t.elem != S:
                    self.shared.add(n)
            return Unpack(names, value)
        if how == "concatenate":
            name = self.pick(candidates())
            t = scope[name]
            self.note(f"{t.kind} = {t.kind} + {t.kind}")
            other = self.seq_expr(scope, loops, t.elem, 1, True, 1, t.kind, self._same_list(name))
            self._grew(name, scope, other.seq.length)
            if _seq_shares(other):
                self.shared.add(name)
            return Assign(name, SeqConcat(SeqName(name, t), other))
        name = self.pick(nonempty if how.startswith("slot") else lists)
        t = scope[name]
        if how == "append":
            self.note("list append")
            value = self._element(scope, loops, t.elem, 0, True)
            self._grew(name, scope, 1)
            if _root(value) or isinstance(value, SeqIndex):
                self.shared.add(name)
            return Append(name, value)
        if how == "extend":
            self.note("list += list")
            other = self.seq_expr(scope, loops, t.elem, 1, True, 1, "list", self._same_list(name))
            self._grew(name, scope, other.seq.length)
            if _seq_shares(other):
                self.shared.add(name)
            return Extend(name, other)
        index = self.pick(list(range(t.length)) + list(range(-t.length, 0)))
        if how == "slot write":
            self.note("list element write")
            value = self._element(scope, loops, t.elem, 0, True)
            if _root(value) or isinstance(value, SeqIndex):
                self.shared.add(name)
            return SlotWrite(name, index, value)
        self.note("list element read-modify-write")
        op = self.pick(["+", "*", "-"])
        shape = self.pick([s for s in (S, V, W, M) if self.available(scope, s) and _fits(s, t.elem)])
        return SlotWrite(name, index, Bin(op, SeqIndex(SeqName(name, t), index), self.expr(scope, loops, shape)))

    def _fresh_array(self, scope, loops, mutable):
        how = self.pick(["copy", "zeros_like"])
        self.note(f"new array by {'.copy()' if how == 'copy' else 'np.zeros_like'}")
        shape = self.pick([s for s in (V, M, W) if self.available(scope, s)])
        name = self.fresh("v")
        value = Fresh(how, self.expr(scope, loops, shape))
        scope[name] = shape
        mutable.add(name)
        return Assign(name, value)

    def _in_place(self, scope, loops, owned, lists):
        """``target op= value`` on an owned array (``owned``: names to choose from), an element or a slice of
        one, or a slot of a list (``lists``: names to choose from)."""
        how = self.pick((["name", "element", "slice"] if owned else []) + (["list slot"] if lists else []))
        op = self.pick(["+", "*", "-"])
        if how == "list slot":
            name = self.pick(lists)
            t = scope[name]
            index = self.pick(list(range(t.length)) + list(range(-t.length, 0)))
            self.note("in-place update of a list element")
            shape = self.pick([s for s in (S, V, W, M) if self.available(scope, s) and _fits(s, t.elem)])
            return AugAssign(name, op, self.expr(scope, loops, shape), str(index), array=t.elem != S, slot=True,
                             shared=self.shared)
        name = self.pick(owned)
        shape = scope[name]
        if how == "name":
            self.note("in-place update of an array")
            values, index = [s for s in (S, V, W, M) if _fits(s, shape)], ""
        elif how == "element":
            self.note("in-place update of an element")
            if shape == M and self.draw(st.booleans()):
                values, index = [S, V], str(self._position(loops, 2))
            else:
                values, index = [S], ", ".join(str(self._position(loops, n)) for n in DIMS[shape])
        else:
            index = self.pick(["1:", ":-1"])
            self.note(f"in-place update of a slice [{index}]")
            values = {V: [S, W], M: [S, V], W: [S]}[shape]
        value = self.expr(scope, loops, self.pick([s for s in values if self.available(scope, s)]))
        return AugAssign(name, op, value, index, shared=self.shared)

    def _alias(self, scope, loops, mutable, owned):
        elements = [n for n in self.sequences(scope, length=1) if scope[n].elem != S]
        lists = self.sequences(scope, "list")
        how = self.pick((["second name", "view"] if owned else []) + (["element"] if elements else [])
                        + (["list"] if lists else []))
        if how == "list":
            source = self.pick(lists)
            name = self.fresh("l")
            self.note("second name for a list")
            value = SeqName(source, scope[source])
            self._bind_sequence(name, value, scope, loops)
            self._alias_lists(source, name)
            return Assign(name, value)
        name = self.fresh("z")
        if how == "element":
            source = self.pick(elements)
            t = scope[source]
            self.note(f"name bound to a {t.kind} element")
            value = SeqIndex(SeqName(source, t), self.pick(list(range(t.length)) + list(range(-t.length, 0))))
            shape = t.elem
        else:
            source = self.pick(owned if how == "second name" else [n for n in owned if scope[n] != W] or owned)
            shape = scope[source]
            if how == "second name" or shape == W:
                self.note("second name for an array")
                value = Var(source, shape)
            else:
                self.note("view of an array")
                if shape == V:
                    value, shape = Index(Var(source, V), (self.pick(["1:", ":-1", ":2", "::2"]),), W), W
                elif self.draw(st.booleans()):
                    value, shape = Index(Var(source, M), (self._position(loops, 2),), V), V
                else:
                    value, shape = Index(Var(source, M), (":", self._position(loops, 3)), W), W
        self.shared.update({source, name})
        scope[name] = shape
        mutable.add(name)
        return Assign(name, value)

    def _same_list(self, name: str) -> frozenset:
        """The names bound to the same list as ``name`` (not to be concatenated to it: no doubling in loops)."""
        return frozenset(self.list_aliases.get(name, {name}))

    def _alias_lists(self, source: str, name: str) -> None:
        group = self.list_aliases.get(source, {source}) | {name}
        for n in group:
            self.list_aliases[n] = group
        self.inexact.update(group)
        self.shared.update(group)

    def _threshold(self) -> float:
        return self.pick([0.3, -0.7, 1.1, 0.05])

    def function(self, name: str, params: list, result_shape: tuple, scalar: bool, size: int,
                 updated: tuple = ()) -> Function:
        """A function; ``updated``: the (array) parameters it may update in place, which its callers pass
        their own arrays or copies for (``f``'s parameters, the inputs, are never updated)."""
        scope = dict(params)
        mutable: set = set(updated)
        self.constructs = set()
        self.params = {p for p, _ in params} - set(updated)
        self.updated_params = set(updated)
        self.shared.update(updated)
        body = self.block(scope, {}, mutable, 0, size, False)
        self.labels.append([])
        result = self.expr(scope, {}, result_shape)
        result_labels = self.labels.pop()
        fn = Function(name, params, body, result if scalar or not _is_view(result) else _copied(result), scalar,
                      tuple(result_labels))
        self._mark_aliased(body)
        fn.result_shape = result_shape
        fn.updated = tuple(j for j, (p, _) in enumerate(params) if p in updated)
        fn.constructs = self.constructs
        return fn

    def _mark_aliased(self, body: list) -> None:
        """Name the in-place updates of arrays another name, view or slot may see (now that all are known)."""
        for stmt in statements(body):
            if isinstance(stmt, (AugAssign, ElementWrite)) and getattr(stmt, "array", True) \
                    and stmt.name in self.shared:
                whose = "the caller's array" if stmt.name in self.updated_params else "aliased"
                construct = f"{stmt.labels[0] if stmt.labels else 'update'} ({whose})"
                stmt.labels = [construct, *stmt.labels[1:]]
                self.constructs.add(construct)


MATMUL = {(M, V): W, (V, V): S, (W, M): V}


def _fits(value_shape: tuple, target_shape: tuple) -> bool:
    """``target op= value`` keeps the target's shape: NumPy broadcasts the value into it."""
    return value_shape in (S, target_shape) or (value_shape == V and target_shape == M)


def _is_view(expr: object) -> bool:
    return isinstance(expr, (Var, Index, SeqIndex))


def _copied(expr: object) -> object:
    """A name, an indexing read or a list element assigned to a local is copied, so that the local is an array
    of its own (aliases are made only on purpose, by ``Generator._alias`` and ``Generator._store``)."""
    return Bin("*", expr, Const(1.0)) if _is_view(expr) else expr


def _root(expr: object) -> str | None:
    """The name whose array ``expr`` is, or is a view of."""
    while isinstance(expr, Index):
        expr = expr.arg
    return expr.name if isinstance(expr, Var) else None


def _seq_shares(expr: object) -> bool:
    """Whether a sequence expression's slots may hold objects some other name or slot holds too."""
    if isinstance(expr, SeqName):
        return True
    if isinstance(expr, SeqDisplay):
        return any(_root(item) or isinstance(item, SeqIndex) for item in expr.items)
    if isinstance(expr, SeqRepeat):
        return True
    if isinstance(expr, SeqConcat):
        return _seq_shares(expr.left) or _seq_shares(expr.right)
    return _seq_shares(expr.arg)  # a slice


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
        updated = tuple(p for p, shape in params if shape != S and draw(st.integers(0, 2)) == 0)
        gen.helpers.append(gen.function(f"h{h}", params, result, False, 2, updated))
    gen.in_main = True
    main = gen.function("f", main_params, S, True, 5)
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
    constructs: ClassVar[Counter] = Counter()  # in programs whose gradients all agreed
    refused: ClassVar[Counter] = Counter()  # the construct at the line of a located SrcgradError from grad
    refused_programs = 0
    forward_refused = 0  # grad agreed, jvp refused (located)
    shim_skipped = 0  # PyTorch refused an in-place update of a value saved for backward
    shim_against_fd = 0  # srcgrad refused: the shim was checked against finite differences instead
    hostile = 0  # front-end programs checked to be rejected at the right line
    hostile_constructs: ClassVar[set] = set()
    hostile_contexts: ClassVar[set] = set()
    callables: ClassVar[set] = set()  # kinds of unusual callables handed to grad
