"""Cotangent accumulators specialized for the call signature: static zeros and in-place accumulation.

Reverse mode starts the cotangent of a value a loop adds to with ``d_W = zero_cotangent(W)`` and adds each
trip's contribution with ``d_W = d_W + c``, which allocates a new array per trip. Where the generated code
is specialized for inputs whose types are known, two rewrites make it what a person writes:

* **Static zeros.** ``zero_cotangent(p)`` of a parameter never reassigned becomes ``0.0`` for a Python
  float, ``np.zeros(shape, dtype)`` for an array: no helper call, no type dispatch at run time.
* **In-place accumulation.** ``d_W = d_W + c`` becomes ``d_W += c`` when ``d_W`` starts as those zeros
  (an array the generated code allocated itself, so it is neither an input, nor the cotangent seed, nor a
  value handed out earlier) and nothing else can hold a reference to it: every other read of ``d_W`` is
  its own update or the final ``return``. A view (``d_W.T``) or a copy (``e = d_W``) anywhere keeps the
  ``d_W = d_W + c`` form.

``+=`` keeps the accumulator's dtype, where ``d_W + c`` would widen it. The rewrite is therefore only made
when the computation provably stays in float64 (``stays_float64``): every floating input is float64, and
nothing in the function can bring in another dtype (complex constants or names, ``astype``, ``view``,
FFTs, values of other dtypes from the enclosing scope). The shape cannot change either: the accumulator
has the parameter's shape, and a contribution that broadcast it to another shape would already be an error.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gast
import numpy as np

from ..analysis.shapes import integer_closure
from ..analysis.walk import statements, stored_names, walk
from ..naming import reference_text
from ..rules.helpers import add_at, add_element, getitem_grad

# Names and attributes through which a value of another dtype (complex above all) can enter a function.
_DTYPE_CHANGING = ("complex", "fft", "emath", "scimath", "astype", "view", "csingle", "cdouble", "float32",
                   "float16", "longdouble", "frombuffer", "dtype")
_MAY_CHANGE_DTYPE = re.compile("|".join(_DTYPE_CHANGING), re.IGNORECASE).search


def stays_float64(fn: gast.FunctionDef, examples: Sequence[Any], lookup: Callable[[str], Any]) -> bool:
    """Whether every floating value ``fn`` computes is float64 for these example arguments (a conservative
    yes: any name or constant that could bring in another dtype is a no). ``lookup`` resolves the
    function's free names."""
    for value in examples:
        if not _float64_or_exact(value):
            return False
    local = stored_names(fn)
    local |= {a.id for a in fn.args.args}
    seen: set[str] = set()
    for node in walk(fn):
        if isinstance(node, gast.Constant) and isinstance(node.value, complex):
            return False
        if isinstance(node, gast.Attribute) and _MAY_CHANGE_DTYPE(node.attr):
            return False
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id not in local \
                and node.id not in seen:
            seen.add(node.id)
            if _MAY_CHANGE_DTYPE(node.id):
                return False
            value = lookup(node.id)
            if isinstance(value, (np.ndarray, np.generic, numbers.Number)) and not _float64_or_exact(value):
                return False
    return True


def _float64_or_exact(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_float64_or_exact(v) for v in value)
    if isinstance(value, dict):
        return all(_float64_or_exact(v) for v in value.values())
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype == np.float64 or not np.issubdtype(value.dtype, np.inexact)
    return not isinstance(value, complex)


def specialize_accumulators(fn: gast.FunctionDef, examples: Mapping[str, Any], zero_helper: Any,
                            ref: Callable[[Any], gast.expr], in_place: bool,
                            arrays: set[str] = frozenset()) -> gast.FunctionDef:
    """Static zeros for ``zero_helper(p)`` of a parameter whose example is a float or an array, and (with
    ``in_place``) ``d += c`` for the accumulators those zeros start; ``ref`` names an object in generated
    code; ``arrays`` the variables whose shape is known statically (NumPy arrays). Changes ``fn`` in place
    and returns it."""
    # One walk collects what every accumulator's checks need: assignments and loads by name, the
    # statement lists holding each assignment, and whether a nested function could capture a name.
    stores: dict[str, list[gast.AST]] = {}
    loads: dict[str, list[gast.Name]] = {}
    holders: dict[int, list[gast.stmt]] = {}
    nested = False
    for node in walk(fn):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                loads.setdefault(node.id, []).append(node)
            continue
        if isinstance(node, gast.FunctionDef) and node is not fn:
            nested = True
        for field_name in ("body", "orelse"):
            stmts = getattr(node, field_name, None)
            if isinstance(stmts, list):
                for stmt in stmts:
                    holders[id(stmt)] = stmts
        if isinstance(node, gast.Assign):
            for target in walk(node.targets[0]):
                if isinstance(target, gast.Name):
                    stores.setdefault(target.id, []).append(node)
        elif isinstance(node, (gast.For, gast.AugAssign)):
            for target in walk(node.target):
                if isinstance(target, gast.Name):
                    stores.setdefault(target.id, []).append(node)
    owned: dict[str, gast.Assign] = {}
    zeroed: dict[str, str] = {}  # accumulator -> the parameter whose zeros it starts as
    helper = reference_text(ref(zero_helper))
    for assignments in list(stores.values()):
        for node in assignments:
            if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
                continue
            param = _element_start(node.value, examples, stores, reference_text(ref(getitem_grad)))
            if param is not None:  # ``d_x = getitem_grad(g, x, i)``: a fresh array of x's shape, owned too
                owned.setdefault(node.targets[0].id, node)
                zeroed.setdefault(node.targets[0].id, param)
                continue
            zero = _static_zero(node.value, examples, stores, helper, ref)
            if zero is None:
                continue
            param = node.value.args[0].id
            node.value = zero
            if isinstance(zero, gast.Call):
                owned[node.targets[0].id] = node
                zeroed[node.targets[0].id] = param
    known: list[set[str]] = []

    def integers() -> set[str]:   # computed once, when first needed
        if not known:
            known.append(range_indices(fn, ref))
        return known[0]

    if in_place and not nested and all(type(v) is np.ndarray or isinstance(v, numbers.Real) for v in examples.values()) \
            and any(_is_element(n, reference_text(ref(getitem_grad))) for n in walk(fn) if isinstance(n, gast.Call)):
        _fresh_element_updates(fn.body, reference_text(ref(getitem_grad)), integers(), owned, arrays, ref)
    if in_place and not nested:   # (a nested function, the backward closure, could capture it)
        returned = fn.body[-1] if fn.body and isinstance(fn.body[-1], gast.Return) else None
        returned_ids = {id(n) for n in walk(returned)} if returned is not None else set()
        for accumulator, start in sorted(owned.items()):
            others = [a for a in stores[accumulator] if a is not start]
            updates = [a for a in others if _is_update(a, accumulator)]
            own_reads = {id(u.value.left) for u in updates}
            if (len(updates) == len(others) and returned is not None
                    and all(id(n) in own_reads or id(n) in returned_ids for n in loads.get(accumulator, []))
                    and _returned_plainly(returned.value, accumulator)):
                element = reference_text(ref(getitem_grad))
                for update in updates:
                    augmented = _element_update(update, zeroed[accumulator], element, ref, integers()) or \
                        gast.AugAssign(update.targets[0], gast.Add(), update.value.right)
                    augmented.lineno = getattr(update, "lineno", None)
                    holder = holders[id(update)]
                    holder[holder.index(update)] = augmented
    return fn


def _element_start(value: gast.expr, examples: Mapping[str, Any], stores: Mapping[str, list], element: str
                   ) -> str | None:
    """The parameter ``x`` when ``value`` is ``getitem_grad(g, x, index)`` of a float64 array parameter the
    function never reassigns: the helper returns a new array of ``x``'s shape."""
    if not (isinstance(value, gast.Call) and len(value.args) == 3 and not value.keywords
            and reference_text(value.func) == element and isinstance(value.args[1], gast.Name)):
        return None
    param = value.args[1].id
    example = examples.get(param)
    if param in stores or type(example) is not np.ndarray or example.dtype != np.float64:
        return None
    return param


def _static_zero(value: gast.expr, examples: Mapping[str, Any], stores: Mapping[str, list], helper: str,
                 ref: Callable[[Any], gast.expr]) -> gast.expr | None:
    """``helper``: the dump of the expression naming ``zero_cotangent`` in generated code."""
    if not (isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords
            and isinstance(value.args[0], gast.Name) and value.args[0].id in examples
            and reference_text(value.func) == helper):
        return None
    param = value.args[0].id
    if param not in examples or param in stores:
        return None
    example = examples[param]
    if type(example) is float:
        return gast.Constant(0.0, None)
    if type(example) is np.ndarray and np.issubdtype(example.dtype, np.inexact):
        dtype = np.result_type(example, np.float32)
        shape = gast.Tuple([gast.Constant(n, None) for n in example.shape], gast.Load())
        return gast.Call(ref(np.zeros), [shape, ref(getattr(np, dtype.name))], [])
    return None


def _element_update(update: gast.Assign, param: str, element: str, ref: Callable[[Any], gast.expr],
                    integers: set[str]) -> gast.stmt | None:
    """``d_x = d_x + getitem_grad(g, x, i)`` → ``d_x[i] += g`` (an index that selects each element once: an
    integer, ``integers``, or a constant slice) or ``add_at(d_x, i, g)`` (any index; repeated fancy indices
    accumulate): the element's cotangent added where it belongs, not a zero array of ``x``'s size per
    element read. Only for the parameter the accumulator has the shape of."""
    part = update.value.right
    if not (isinstance(part, gast.Call) and len(part.args) == 3 and not part.keywords
            and reference_text(part.func) == element and isinstance(part.args[1], gast.Name) and part.args[1].id == param):
        return None
    g, _, index = part.args
    if _selects_once(index, integers):
        target = gast.Subscript(gast.Name(update.targets[0].id, gast.Load(), None, None), _as_written(index),
                                gast.Store())
        return gast.AugAssign(target, gast.Add(), g)
    return gast.Expr(gast.Call(ref(add_at), [update.targets[0], index, g], []))


def _as_written(index: gast.expr) -> gast.expr:
    """``slice(1, None, None)`` → ``1:``, as the user wrote it (also inside a tuple index)."""
    if isinstance(index, gast.Tuple):
        return gast.Tuple([_as_written(e) for e in index.elts], gast.Load())
    if isinstance(index, gast.Call) and isinstance(index.func, gast.Name) and index.func.id == "slice" \
            and len(index.args) == 3:
        lower, upper, step = (None if isinstance(a, gast.Constant) and a.value is None else a for a in index.args)
        return gast.Slice(lower, upper, step)
    return index


def _selects_once(index: gast.expr, integers: set[str]) -> bool:
    """An index that names no position twice: integers, constant slices, and tuples of them."""
    if isinstance(index, gast.Tuple):
        return all(_selects_once(e, integers) for e in index.elts)
    if isinstance(index, gast.Name):
        return index.id in integers
    if isinstance(index, gast.Constant):
        return isinstance(index.value, int) and not isinstance(index.value, bool)
    if isinstance(index, gast.Call) and isinstance(index.func, gast.Name) and index.func.id == "slice":
        return all(isinstance(a, gast.Constant) or (isinstance(a, gast.Name) and a.id in integers)
                   or (isinstance(a, gast.UnaryOp) and isinstance(a.operand, gast.Constant)) for a in index.args)
    return False


def range_indices(fn: gast.FunctionDef, ref: Callable[[Any], gast.expr]) -> set[str]:
    """Variables that hold Python integers: targets of loops over ``range`` (or ``reversed`` of one), and
    integer arithmetic on them (``i + 1``)."""
    range_ref, reversed_ref = reference_text(ref(range)), reference_text(ref(reversed))
    every = statements(fn.body)
    ranges = {n.targets[0].id for n in every if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name)
              and isinstance(n.value, gast.Call) and reference_text(n.value.func) == range_ref}

    def over_range(iterator: gast.expr) -> bool:
        if isinstance(iterator, gast.Call) and reference_text(iterator.func) == reversed_ref and len(iterator.args) == 1:
            iterator = iterator.args[0]
        if isinstance(iterator, gast.Name):
            return iterator.id in ranges
        return isinstance(iterator, gast.Call) and reference_text(iterator.func) == range_ref

    loops = {n.target.id for n in every if isinstance(n, gast.For) and isinstance(n.target, gast.Name)
             and over_range(n.iter)}
    flows = [(n.targets[0].id, n.value) for n in every
             if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name)]
    return integer_closure(flows, loops, {})


def _is_update(node: gast.AST, accumulator: str) -> bool:
    return (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)
            and isinstance(node.value, gast.BinOp) and isinstance(node.value.op, gast.Add)
            and isinstance(node.value.left, gast.Name) and node.value.left.id == accumulator
            and not any(isinstance(n, gast.Name) and n.id == accumulator for n in walk(node.value.right)))


def _returned_plainly(value: gast.expr, accumulator: str) -> bool:
    """The final ``return`` hands the accumulator out as an element of a tuple, not through a call."""
    for node in walk(value):
        if isinstance(node, gast.Name) and node.id == accumulator:
            continue
        if not isinstance(node, (gast.Tuple, gast.Name, gast.expr_context)) and any(
                isinstance(n, gast.Name) and n.id == accumulator for n in walk(node)):
            return False
    return True


def _fresh_element_updates(stmts: list[gast.stmt], element: str, integers: set[str],
                           owned: Mapping[str, gast.Assign], arrays: set[str], ref: Callable[[Any], gast.expr]) -> None:
    """``d = getitem_grad(g1, x, i1)`` … ``d = d + getitem_grad(g2, x, i2)`` → ``d[i2] += g2`` within one
    statement list, for any array ``x`` (a loop variable whose shape changes, ``u = u[1:-1] + …``): the
    first is a new array of ``x``'s shape that nothing else has read, so it can take the second in place,
    where ``d + getitem_grad(...)`` made two more arrays of ``x``'s size. A read of ``d`` (a copy could
    share it) or a new ``x`` in between ends it; parameters' accumulators are left to the rest of this
    module, which follows them through the whole function."""
    fresh: dict[str, str] = {}   # accumulator -> the array whose shape it has
    for index, stmt in enumerate(stmts):
        for part in ("body", "orelse"):
            nested = getattr(stmt, part, None)
            if isinstance(nested, list):
                _fresh_element_updates(nested, element, integers, owned, arrays, ref)
        update = _fresh_update(stmt, fresh, element, integers, arrays, ref)
        if update is not None:
            update.lineno = getattr(stmt, "lineno", None)
            stmts[index] = update
            continue
        touched = {n.id for n in walk(stmt) if isinstance(n, gast.Name)}
        for accumulator in list(fresh):
            if accumulator in touched or fresh[accumulator] in touched:
                del fresh[accumulator]
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id not in owned and _is_element(stmt.value, element) \
                and stmt.targets[0].id not in {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}:
            fresh[stmt.targets[0].id] = stmt.value.args[1].id


def _is_element(value: gast.expr, element: str) -> bool:
    return (isinstance(value, gast.Call) and len(value.args) == 3 and not value.keywords
            and reference_text(value.func) == element and isinstance(value.args[1], gast.Name))


def _fresh_update(stmt: gast.stmt, fresh: Mapping[str, str], element: str, integers: set[str], arrays: set[str],
                  ref: Callable[[Any], gast.expr]) -> gast.stmt | None:
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id in fresh and _is_update(stmt, stmt.targets[0].id)):
        return None
    part = stmt.value.right
    if not (_is_element(part, element) and part.args[1].id == fresh[stmt.targets[0].id]
            and _selects_once(part.args[2], integers)):
        return None
    g, x, index = part.args
    if x.id in arrays:
        target = gast.Subscript(gast.Name(stmt.targets[0].id, gast.Load(), None, None), _as_written(index),
                                gast.Store())
        return gast.AugAssign(target, gast.Add(), g)
    # an array of a shape only the run knows (or, for all the analyses know, a tuple): decided then
    stmt.value = gast.Call(ref(add_element), [gast.Name(stmt.targets[0].id, gast.Load(), None, None), g, x, index],
                           [])
    return stmt
