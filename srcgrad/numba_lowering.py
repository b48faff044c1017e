"""Generated gradient code rewritten into the subset of Python that Numba compiles.

The generated code is ordinary Python, and most of it is already in Numba's subset (arithmetic, NumPy on
arrays, ``range`` loops, tuples). Three habits of it are not:

- **One stack for every kept value.** The forward sweep pushes floats, arrays and ``None`` on one list;
  Numba's lists hold one type. Each variable gets a stack of its own (``stack_x``): pushes and pops of a
  variable keep their order, so each pop still gets the value its push saved. A restore at the end of
  the adjoint sweep whose value nothing reads any more is dropped together with the push it undoes (it
  would push the ``None`` a variable holds before its first assignment).
- **``reversed(range_n)``** over a range the forward sweep made (and ``reversed(range_n[:count])`` for a
  loop that may exit early) becomes a ``range`` with a negative step, from the range's ``start``,
  ``step`` and last index, named before the loop.
- **Sums over a tuple of axes or keeping dimensions** (``x.sum(axis=(0,))``, which shape specialization
  writes, ``np.sum(e, axis=1, keepdims=True)``) become sums over one axis at a time, highest axis first,
  and ``expand_dims`` for the kept axes.

- **Keywords at their defaults** (``axis=None``, ``dtype=None``, ``keepdims=False``, which forward mode
  writes out) are dropped: Numba's reductions take few keywords.

- **Transcendental ufuncs** (``np.exp``, ``np.tanh``, ...), on request, call stubs that hand a large array
  to NumPy's vectorised loop (``numba_overloads``).

Everything else is left to Numba: what it cannot compile it refuses, and ``numba_backend`` falls back."""

from __future__ import annotations

import gast

from .analysis.walk import walk
from .naming import Names, identifiers
from .transform.element_lists import arrays_again
from .visitors import NodeTransformer

# NumPy's ufuncs whose loops are vectorised where Numba's run element by element: 5-10x faster on a
# thousand float64s (measured: docs/compiled.md). ``numba_overloads`` runs them through NumPy for large arrays.
VECTORISED_UFUNCS = ("exp", "log", "tanh", "expm1", "log1p", "arctan", "sinh", "cosh", "arcsinh")


def vectorised_name(ufunc: str) -> str:
    return f"numpy_{ufunc}"


def lower_for_numba(fn: gast.FunctionDef, numpy_name: str = "np", vectorised: bool = False,
                    split_stack: bool = True) -> gast.FunctionDef:
    """Rewrite ``fn`` (a generated gradient function) in place for Numba, and return it; ``numpy_name`` is
    the name the code has NumPy under. With ``vectorised``, ``np.exp(x)`` and the other
    ``VECTORISED_UFUNCS`` become ``numpy_exp(x)``: NumPy's own loop for a large array (``numba_overloads``).
    ``split_stack=False``: the stacks are split already (``numba_split``, across two functions)."""
    arrays_again(fn)   # element updates on the array: fast in Numba, which has no tolist
    stack = stack_name(fn) if split_stack else None
    names = Names(identifiers(fn))
    if stack is not None:
        _split_stack(fn, stack, names)
    ranges = {s.targets[0].id for s in walk(fn) if isinstance(s, gast.Assign) and len(s.targets) == 1
              and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Call)
              and isinstance(s.value.func, gast.Name) and s.value.func.id == "range"}
    _ReversedRanges(ranges, names).visit(fn)
    _DefaultKeywords().visit(fn)
    _Sums(numpy_name).visit(fn)
    if vectorised:
        taken = identifiers(fn)
        _VectorisedUfuncs(numpy_name, {u for u in VECTORISED_UFUNCS if vectorised_name(u) not in taken}).visit(fn)
    return fn


class _VectorisedUfuncs(NodeTransformer):
    """``np.tanh(x)`` → ``numpy_tanh(x)`` for the ufuncs of ``VECTORISED_UFUNCS`` (one argument, no keywords)."""

    def __init__(self, numpy_name: str, ufuncs: set[str]):
        self.numpy_name, self.ufuncs = numpy_name, ufuncs

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        func = node.func
        if (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id == self.numpy_name
                and func.attr in self.ufuncs and len(node.args) == 1 and not node.keywords):
            node.func = gast.Name(vectorised_name(func.attr), gast.Load(), None, None)
        return node


def stack_name(fn: gast.FunctionDef) -> str | None:
    for statement in fn.body:
        if (isinstance(statement, gast.Assign) and isinstance(statement.value, gast.List)
                and not statement.value.elts and isinstance(statement.targets[0], gast.Name)
                and statement.targets[0].id.startswith("stack")):
            return statement.targets[0].id
    return None


def _method_call(node: gast.AST, receiver: str, method: str) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == method
            and isinstance(node.func.value, gast.Name) and node.func.value.id == receiver)


def push_of(statement: gast.stmt, stack: str) -> str | None:
    """``v`` for ``stack.append(v)``."""
    if (isinstance(statement, gast.Expr) and _method_call(statement.value, stack, "append")
            and len(statement.value.args) == 1 and isinstance(statement.value.args[0], gast.Name)):
        return statement.value.args[0].id
    return None


def pop_of(statement: gast.stmt, stack: str) -> str | None:
    """``v`` for ``v = stack.pop()``."""
    if (isinstance(statement, gast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], gast.Name) and _method_call(statement.value, stack, "pop")
            and not statement.value.args):
        return statement.targets[0].id
    return None


def _split_stack(fn: gast.FunctionDef, stack: str, names: Names) -> None:
    """One stack per variable, where every use of ``stack`` is a push or a pop of a variable."""
    uses = [n for n in walk(fn) if isinstance(n, gast.Name) and n.id == stack]
    statements = [s for s in walk(fn) if isinstance(s, gast.stmt)]
    pushes = [s for s in statements if push_of(s, stack)]
    pops = [s for s in statements if pop_of(s, stack)]
    if len(uses) != 1 + len(pushes) + len(pops):
        return   # the stack is used some other way: leave it whole
    _drop_dead_restores(fn, stack)
    variables = sorted({push_of(s, stack) for s in statements if push_of(s, stack)}
                       | {pop_of(s, stack) for s in statements if pop_of(s, stack)})
    own = {variable: names.fresh(f"{stack}_{variable}") for variable in variables}
    for statement in walk(fn):
        if isinstance(statement, gast.stmt):
            variable = push_of(statement, stack) or pop_of(statement, stack)
            if variable is not None:
                call = statement.value
                call.func.value = gast.Name(own[variable], gast.Load(), None, None)
    at = next(i for i, s in enumerate(fn.body) if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
              and s.targets[0].id == stack)
    fn.body[at:at + 1] = [gast.Assign([gast.Name(own[v], gast.Store(), None, None)], gast.List([], gast.Load()), None)
                          for v in variables]


def _drop_dead_restores(fn: gast.FunctionDef, stack: str) -> None:
    """Remove each pop at the function's top level whose value nothing after it reads, with the push at the
    top level that it undoes (per variable, the last top-level pop undoes the first top-level push)."""
    body = fn.body
    for variable in sorted({pop_of(s, stack) for s in body if pop_of(s, stack)}):
        pushes = [i for i, s in enumerate(body) if push_of(s, stack) == variable]
        pops = [i for i, s in enumerate(body) if pop_of(s, stack) == variable]
        if len(pushes) != len(pops):
            continue
        dead = []
        for k, at in enumerate(pops):
            later = body[at + 1:]
            if any(isinstance(n, gast.Name) and n.id == variable and isinstance(n.ctx, gast.Load)
                   for s in later for n in walk(s)):
                continue
            dead.append((pushes[len(pushes) - 1 - k], at))
        drop = {i for pair in dead for i in pair}
        body = [s for i, s in enumerate(body) if i not in drop]
    fn.body = body


class _ReversedRanges(NodeTransformer):
    """``for i in reversed(r)`` / ``reversed(r[:count])`` over a range ``r`` → ``start, step`` and the last
    index named before the loop, then ``for i in range(last, start - step, -step)``."""

    def __init__(self, ranges: set[str], names: Names):
        self.ranges, self.names = ranges, names

    def visit_For(self, node: gast.For) -> gast.stmt | list[gast.stmt]:
        self.generic_visit(node)
        iterable = node.iter
        if not (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name)
                and iterable.func.id == "reversed" and len(iterable.args) == 1):
            return node
        inner, count = iterable.args[0], None
        if isinstance(inner, gast.Subscript) and isinstance(inner.slice, gast.Slice) and inner.slice.lower is None \
                and inner.slice.step is None and inner.slice.upper is not None:
            inner, count = inner.value, inner.slice.upper
        if not (isinstance(inner, gast.Name) and inner.id in self.ranges):
            return node
        r = inner.id
        start, step, last = (self.names.fresh(f"{r}_{part}") for part in ("start", "step", "last"))

        def load(variable: str) -> gast.Name:
            return gast.Name(variable, gast.Load(), None, None)

        def assign(variable: str, value: gast.expr) -> gast.Assign:
            return gast.Assign([gast.Name(variable, gast.Store(), None, None)], value, None)

        length: gast.expr = gast.Call(load("len"), [load(r)], [])
        if count is not None:
            length = gast.Call(load("min"), [length, count], [])
        node.iter = gast.Call(load("range"), [load(last), gast.BinOp(load(start), gast.Sub(), load(step)),
                                              gast.UnaryOp(gast.USub(), load(step))], [])
        return [assign(start, gast.Attribute(load(r), "start", gast.Load())),
                assign(step, gast.Attribute(load(r), "step", gast.Load())),
                assign(last, gast.BinOp(load(start), gast.Add(), gast.BinOp(
                    gast.BinOp(length, gast.Sub(), gast.Constant(1, None)), gast.Mult(), load(step)))),
                node]


_DEFAULT_KEYWORDS = {"axis": None, "dtype": None, "out": None, "keepdims": False}


class _DefaultKeywords(NodeTransformer):
    """``np.mean(t, axis=None, dtype=None, keepdims=False)`` (forward mode writes every keyword) → ``np.mean(t)``:
    Numba takes few keywords. ``float_dtype_or_none(None)``, forward mode's dtype of a tangent, is ``None``."""

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if (isinstance(node.func, gast.Name) and node.func.id == "float_dtype_or_none" and len(node.args) == 1
                and isinstance(node.args[0], gast.Constant) and node.args[0].value is None and not node.keywords):
            return gast.Constant(None, None)
        if isinstance(node.func, gast.Attribute):
            node.keywords = [k for k in node.keywords if not (
                k.arg in _DEFAULT_KEYWORDS and isinstance(k.value, gast.Constant)
                and k.value.value is _DEFAULT_KEYWORDS[k.arg])]
        return node


class _Sums(NodeTransformer):
    """``x.sum(axis=(0, 2))``, ``np.sum(x, axis=1, keepdims=True)``: Numba sums over one axis and keeps no
    dimensions, so sum one axis at a time, highest first, then put the kept axes back (``expand_dims``)."""

    def __init__(self, numpy_name: str):
        self.numpy_name = numpy_name

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if not (isinstance(node.func, gast.Attribute) and node.func.attr == "sum"):
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        if set(keywords) - {"axis", "keepdims"} or "axis" not in keywords:
            return node
        axis, keep = keywords["axis"], keywords.get("keepdims", gast.Constant(False, None))
        parts = axis.elts if isinstance(axis, gast.Tuple) else [axis]
        if not (all(isinstance(a, gast.Constant) and type(a.value) is int and a.value >= 0 for a in parts)
                and isinstance(keep, gast.Constant) and type(keep.value) is bool):
            return node
        if not isinstance(axis, gast.Tuple) and not keep.value:
            return node
        if isinstance(node.func.value, gast.Name) and node.func.value.id == self.numpy_name and len(node.args) == 1:
            result = node.args[0]
        elif not node.args:
            result = node.func.value
        else:
            return node
        axes = sorted({a.value for a in parts})
        for a in reversed(axes):
            result = gast.Call(gast.Attribute(result, "sum", gast.Load()), [],
                               [gast.keyword("axis", gast.Constant(a, None))])
        if keep.value:
            for a in axes:
                result = gast.Call(gast.Attribute(gast.Name(self.numpy_name, gast.Load(), None, None), "expand_dims",
                                                  gast.Load()), [result, gast.Constant(a, None)], [])
        return result
