"""Alias analysis: prove that every in-place update in the user's code is seen only through the name it is
made through, or refuse it.

srcgrad turns in-place updates into new values (``a[i] = v`` becomes ``a = assign_index(a, i, v)``,
``a += b`` becomes ``a = a + b``, ``np.f(x, out=buf)`` becomes ``buf[...] = np.f(x)``). That is exact as
long as no *other* name, list slot or view refers to the object being updated; when one does, Python makes
the change visible there and srcgrad would not, and the gradient would describe a different program.

The analysis is a flow-sensitive may-points-to analysis over the function's own names, run on the parsed
source before desugaring (where the updates are still visible as written):

* every value is a set of abstract objects: a parameter's object, an allocation site's object (the most
  recent one, and a summary of the earlier ones when a loop runs the site again), a global's object;
* a view (a slice, ``reshape``, ``.T``, ``np.asarray``, an unknown call's result) is the object it views;
* containers (lists, tuples, unknown objects) have contents: the objects their slots may hold;
* an object has a kind — a scalar (immutable: ``+=`` rebinds), an array, a list, or unknown — from the
  example arguments and the expressions that make it.

An update through a name is *safe* when no other name that is read later, no container slot, no closure
and no other slot of the same list may hold the updated object. Everything else is refused with a
located error that says how to write the update as a new value."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from ..errors import SrcgradSyntaxError
from ..frontend.parse import ParsedFunction, parameter_names
from ..frontend.resolve import UNRESOLVED, output_argument, resolve_callee
from ..rules.registry import is_nondifferentiable, vjp_rule
from .liveness import upward_exposed
from .value_kinds import (
    ARRAY,
    ARRAY_MUTATORS,
    FRESH_METHODS,
    ITERATORS,
    LIST,
    LIST_MUTATORS,
    NEW_CONTAINERS,
    NO_EXAMPLE,
    SCALAR,
    STATIC_ATTRIBUTES,
    TUPLE,
    UNKNOWN,
    VIEW_ATTRIBUTES,
    VIEW_FUNCTIONS,
    VIEW_IDS,
    VIEW_METHODS,
    element_kind,
    join,
    kind_of_value,
    returns_scalar,
)
from .walk import children, walk


@dataclass
class State:
    """What each name may point to, and what each container object may hold, at one program point."""

    points: dict[str, frozenset[str]] = field(default_factory=dict)
    contents: dict[str, frozenset[str]] = field(default_factory=dict)

    def copy(self) -> State:
        return State(dict(self.points), dict(self.contents))

    def merge(self, other: State) -> bool:
        changed = False
        for table, theirs in ((self.points, other.points), (self.contents, other.contents)):
            for key, objects in theirs.items():
                mine = table.get(key, frozenset())
                if not objects <= mine:
                    table[key] = mine | objects
                    changed = True
        return changed

    def held(self, objects: frozenset[str]) -> frozenset[str]:
        return frozenset().union(*[self.contents.get(o, frozenset()) for o in objects])


class AliasChecker:
    """Walks the function once (loops to a fixpoint) and raises at the first unsafe in-place update."""

    def __init__(self, parsed: ParsedFunction, resolve: Callable[[gast.expr], Any], examples: Sequence[Any] | None,
                 arguments_escape: bool = False):
        self.parsed = parsed
        self.resolve = resolve
        self.kinds: dict[str, str] = {}
        self.ndims: dict[str, int] = {}
        self.multi: set[str] = set()      # objects that may fill more than one slot of one container
        self.escaped: set[str] = set()    # objects a closure or an unknown holder may read later
        self.loops: list[gast.stmt] = []
        fn = parsed.node
        self.state = State()
        for i, param in enumerate(parameter_names(fn.args)):
            obj = f"param:{param}"
            self.state.points[param] = frozenset({obj})
            if arguments_escape:
                self.escaped.add(obj)
            example = examples[i] if examples is not None and i < len(examples) else NO_EXAMPLE
            self.kinds[obj] = kind_of_value(example)
            if isinstance(example, np.ndarray):
                self.ndims[obj] = example.ndim
            if self.kinds[obj] in (LIST, TUPLE, UNKNOWN):
                # the caller may have put one array in two slots, and still holds every element
                element = f"param:{param}[*]"
                self.state.contents[obj] = frozenset({element})
                self.multi.add(element)
                self.escaped.add(element)
                self.kinds[element] = element_kind(example)

    # --- running ---------------------------------------------------------------------------------------

    def run(self) -> None:
        self.block(self.parsed.node.body, self.state)

    def block(self, stmts: list[gast.stmt], state: State) -> State:
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt: gast.stmt, state: State) -> State:
        if isinstance(stmt, gast.Assign):
            value = self.value(stmt.value, state)
            for target in stmt.targets:
                self.bind(target, value, stmt, state)
        elif isinstance(stmt, gast.AnnAssign) and stmt.value is not None:
            self.bind(stmt.target, self.value(stmt.value, state), stmt, state)
        elif isinstance(stmt, gast.AugAssign):
            self.augmented(stmt, state)
        elif isinstance(stmt, (gast.Expr, gast.Return, gast.Assert, gast.Raise)):
            for child in children(stmt):
                if isinstance(child, gast.expr):
                    self.value(child, state)
        elif isinstance(stmt, gast.If):
            self.value(stmt.test, state)
            body = self.block(stmt.body, state.copy())
            orelse = self.block(stmt.orelse, state.copy())
            body.merge(orelse)
            return body
        elif isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state)
        elif isinstance(stmt, (gast.FunctionDef, gast.Lambda)):
            self.capture(stmt, state)
        return state

    def loop(self, stmt: gast.For | gast.While, state: State) -> State:
        self.loops.append(stmt)
        entry = state.copy()
        iterated = self.value(stmt.iter, entry) if isinstance(stmt, gast.For) else None
        for _ in range(20):
            trip = entry.copy()
            if isinstance(stmt, gast.For):
                # the loop's iterator holds the iterated object while the body runs
                trip.points[_ITERATOR] = iterated or frozenset()
                self.bind(stmt.target, self.element(stmt.iter, iterated, trip), stmt, trip)
            else:
                self.value(stmt.test, trip)
            end = self.block(stmt.body, trip)
            end.points.pop(_ITERATOR, None)
            if not entry.merge(end):
                break
        self.loops.pop()
        if stmt.orelse:
            return self.block(stmt.orelse, entry)
        return entry

    # --- values ----------------------------------------------------------------------------------------

    def site(self, node: gast.AST, kind: str, state: State, contents: frozenset[str] = frozenset()) -> frozenset[str]:
        """A new object made at ``node``; the object this site made on an earlier trip becomes a summary."""
        obj = f"site:{node.lineno}:{node.col_offset}:{type(node).__name__}"
        older = obj + "~"
        # (a site not made before is in no table: the scans below are for a loop's later trips)
        if obj in self.kinds and (any(obj in objects for objects in state.points.values()) or any(
                obj in objects for objects in state.contents.values()) or obj in state.contents):
            for table in (state.points, state.contents):
                for key, objects in table.items():
                    if obj in objects:
                        table[key] = (objects - {obj}) | {older}
            if obj in state.contents:
                state.contents[older] = state.contents.get(older, frozenset()) | state.contents.pop(obj)
            for marks in (self.multi, self.escaped):
                if obj in marks:
                    marks.add(older)
                    marks.discard(obj)
            self.kinds[older] = join(self.kinds.get(older), self.kinds.get(obj, kind))
        self.kinds[obj] = join(self.kinds.get(obj), kind)
        if contents:
            state.contents[obj] = contents
        else:
            state.contents.pop(obj, None)
        return frozenset({obj})

    def kind(self, objects: frozenset[str]) -> str:
        kinds = {self.kinds.get(o, UNKNOWN) for o in objects}
        if not kinds:
            return SCALAR
        return kinds.pop() if len(kinds) == 1 else UNKNOWN

    def value(self, node: gast.expr, state: State) -> frozenset[str]:
        """The objects ``node``'s value may be (or view)."""
        if isinstance(node, gast.Name):
            if node.id in state.points:
                return state.points[node.id]
            obj = f"global:{node.id}"
            self.escaped.add(obj)
            self.kinds.setdefault(obj, kind_of_value(self.parsed.scope.lookup(node.id, None)))
            return frozenset({obj})
        if isinstance(node, (gast.Constant, gast.JoinedStr)):
            return frozenset()
        if isinstance(node, gast.Subscript):
            base = self.value(node.value, state)
            self.value(node.slice, state)
            if self._reads_scalar(node, base):
                return frozenset()
            return base | state.held(base)
        if isinstance(node, gast.Attribute):
            base = self.value(node.value, state)
            if node.attr in STATIC_ATTRIBUTES:
                return frozenset()
            if node.attr in VIEW_ATTRIBUTES and self.kind(base) != UNKNOWN:
                return base
            return base | state.held(base)
        if isinstance(node, (gast.List, gast.Tuple)):
            parts = [self.value(e, state) for e in node.elts]
            held = frozenset().union(*parts)
            seen: set[str] = set()
            for part in parts:
                self.multi |= part & seen
                seen |= part
            return self.site(node, LIST if isinstance(node, gast.List) else TUPLE, state, held)
        if isinstance(node, gast.BinOp):
            left, right = self.value(node.left, state), self.value(node.right, state)
            kinds = {self.kind(left) if left else SCALAR, self.kind(right) if right else SCALAR}
            held = state.held(left) | state.held(right)
            if isinstance(node.op, gast.Mult):
                self.multi |= held  # [a] * 2 puts one object in two slots
            kind = SCALAR if kinds == {SCALAR} else LIST if LIST in kinds else TUPLE if kinds <= {TUPLE, SCALAR} \
                else ARRAY if ARRAY in kinds and UNKNOWN not in kinds else UNKNOWN
            return self.site(node, kind, state, held)
        if isinstance(node, gast.UnaryOp):
            operand = self.value(node.operand, state)
            return self.site(node, SCALAR if not operand or self.kind(operand) == SCALAR else ARRAY, state)
        if isinstance(node, gast.Compare):
            for part in [node.left, *node.comparators]:
                self.value(part, state)
            return self.site(node, UNKNOWN, state)
        if isinstance(node, gast.BoolOp):
            return frozenset().union(*[self.value(v, state) for v in node.values])
        if isinstance(node, gast.IfExp):
            self.value(node.test, state)
            return self.value(node.body, state) | self.value(node.orelse, state)
        if isinstance(node, gast.Call):
            return self.call(node, state)
        if isinstance(node, gast.Lambda):
            self.capture(node, state)
            return frozenset()
        if isinstance(node, gast.Dict):
            held = frozenset().union(*[self.value(v, state) for v in [*node.keys, *node.values] if v is not None])
            return self.site(node, LIST, state, held | state.held(held))  # a container, written like a list
        if isinstance(node, (gast.ListComp, gast.GeneratorExp, gast.DictComp, gast.SetComp)):
            held: frozenset[str] = frozenset()
            for sub in walk(node):
                if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in state.points:
                    objects = state.points[sub.id]
                    held |= objects | state.held(objects)
            return self.site(node, LIST, state, held)
        if isinstance(node, gast.Slice):
            for part in (node.lower, node.upper, node.step):
                if part is not None:
                    self.value(part, state)
            return frozenset()
        everything: frozenset[str] = frozenset()
        for child in children(node):
            if isinstance(child, gast.expr):
                everything |= self.value(child, state)
        return everything | state.held(everything)

    def _reads_scalar(self, node: gast.Subscript, base: frozenset[str]) -> bool:
        """``x[i]`` or ``x[i, j]`` that names one element of an array of known rank: an immutable scalar."""
        index = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if any(isinstance(i, (gast.Slice, gast.List, gast.Tuple)) or (isinstance(i, gast.Constant)
                                                                       and i.value in (None, Ellipsis))
               for i in index):
            return False
        ranks = {self.ndims.get(o) for o in base}
        return bool(base) and len(ranks) == 1 and ranks.pop() == len(index)

    def call(self, node: gast.Call, state: State) -> frozenset[str]:
        args = [self.value(a, state) for a in node.args]
        keywords = {k.arg: self.value(k.value, state) for k in node.keywords}
        everything = frozenset().union(*args, *keywords.values())
        func = node.func
        if isinstance(func, gast.Attribute) and self.resolve(func) is UNRESOLVED:
            receiver = self.value(func.value, state)
            return self.method(node, func.attr, receiver, args, state)
        callee = self.resolve(func)
        if callee is UNRESOLVED:
            self.value(func, state)
        out = output_argument(node, callee)
        if out is not None:
            target = self.value(out, state)
            self.mutate(out, target, node, state, "writing the result into {label} through out=",
                        "assign the result instead: buf = np.f(...)")
            return target
        if isinstance(callee, np.ufunc):
            return self.site(node, SCALAR if all(self.kind(a) == SCALAR for a in args if a) else ARRAY, state)
        if id(callee) in VIEW_IDS:
            first = args[0] if args else frozenset()
            return first | state.held(first)
        if returns_scalar(callee):
            return self.site(node, SCALAR, state)
        if callee in NEW_CONTAINERS:
            return self.site(node, NEW_CONTAINERS[callee], state, everything | state.held(everything))
        if callee in ITERATORS:
            return self.site(node, UNKNOWN, state, everything | state.held(everything))
        if callee is not UNRESOLVED and (vjp_rule(callee) is not None or is_nondifferentiable(callee)) and \
                getattr(callee, "__module__", "").split(".")[0] in ("numpy", "math", "srcgrad", "builtins"):
            return self.site(node, ARRAY, state)
        # A user function or an unknown callable: its result may be (or hold) any argument.
        held = everything | state.held(everything)
        return held | self.site(node, UNKNOWN, state, held)

    def method(self, node: gast.Call, attr: str, receiver: frozenset[str], args: list[frozenset[str]],
               state: State) -> frozenset[str]:
        kind = self.kind(receiver) if receiver else SCALAR
        if attr in LIST_MUTATORS and kind in (LIST, UNKNOWN):
            self.mutate(node.func.value, receiver, node, state, f"changing {{label}} with .{attr}()",
                        "build a new list instead, e.g. items = items + [value], or copy it first: list(items)")
            if attr in ("append", "insert") and args:
                added = args[-1]
                self.multi |= added & state.held(receiver)
                for obj in receiver:
                    state.contents[obj] = state.contents.get(obj, frozenset()) | added
            elif attr == "extend" and args:
                added = state.held(args[0]) | (args[0] if self.kind(args[0]) != LIST else frozenset())
                self.multi |= added & state.held(receiver)
                for obj in receiver:
                    state.contents[obj] = state.contents.get(obj, frozenset()) | added
            if attr == "pop":
                return state.held(receiver)
            return frozenset()
        if attr == "resize" and kind in (ARRAY, UNKNOWN):
            # whoever else sees it: the analyses take an array's shape to be the one it was made with
            raise self.parsed.error(
                node, f"'{_unparse(node.func.value)}.resize()' changes the shape of an array in place; srcgrad "
                "follows each array's shape from where it is made (and specializes the code to them), so the "
                "code after it would be wrong", f"make a new array: np.resize({_unparse(node.func.value)}, "
                "shape), or np.pad / np.concatenate to grow it", cls=SrcgradSyntaxError)
        if attr in ARRAY_MUTATORS and kind in (ARRAY, UNKNOWN):
            self.mutate(node.func.value, receiver, node, state, f"changing {{label}} in place with .{attr}()",
                        f"use the function that returns a new array (np.{attr} where there is one)")
            return frozenset()
        if attr in VIEW_METHODS:
            return receiver
        if attr in FRESH_METHODS:
            return self.site(node, SCALAR if attr in ("item", "count", "index") else UNKNOWN
                             if attr in ("get", "tolist") else ARRAY, state)
        everything = frozenset().union(receiver, *args)
        held = everything | state.held(everything)
        return held | self.site(node, UNKNOWN, state, held)

    def element(self, iterable: gast.expr, objects: frozenset[str] | None, state: State) -> frozenset[str]:
        """What a ``for`` loop's target is bound to on each trip."""
        if isinstance(iterable, gast.Call) and self.resolve(iterable.func) is builtins.range:
            return frozenset()
        objects = objects or frozenset()
        if self.kind(objects) == ARRAY and self._rank(objects) == 1:
            return frozenset()  # the elements of a vector are scalars
        return state.held(objects) | (objects if self.kind(objects) in (ARRAY, UNKNOWN) else frozenset())

    def _rank(self, objects: frozenset[str]) -> int | None:
        ranks = {self.ndims.get(o) for o in objects}
        return ranks.pop() if len(ranks) == 1 else None

    # --- binding and updating --------------------------------------------------------------------------

    def bind(self, target: gast.expr, value: frozenset[str], stmt: gast.stmt, state: State) -> None:
        if isinstance(target, gast.Name):
            state.points[target.id] = value
        elif isinstance(target, (gast.Tuple, gast.List)):
            parts = state.held(value) | (value if self.kind(value) in (ARRAY, UNKNOWN) else frozenset())
            for element in target.elts:
                self.bind(element.value if isinstance(element, gast.Starred) else element, parts, stmt, state)
        elif isinstance(target, gast.Subscript):
            container = self.value(target.value, state)
            self.value(target.slice, state)
            self.mutate(target.value, container, stmt, state, "writing an element of {label}",
                        "copy first (a = a.copy()) or build the new value without writing into this one")
            if self.kind(container) in (LIST, UNKNOWN, TUPLE):
                for obj in container:
                    state.contents[obj] = state.contents.get(obj, frozenset()) | value
        elif isinstance(target, gast.Attribute):
            owner = self.value(target.value, state)
            self.mutate(target.value, owner, stmt, state, f"setting the attribute .{target.attr} of {{label}}",
                        "return the new value instead of storing it on an object")

    def augmented(self, stmt: gast.AugAssign, state: State) -> None:
        update = self.value(stmt.value, state)
        target = stmt.target
        if isinstance(target, gast.Name):
            current = self.value(target, state)
            if current and self.kind(current) != SCALAR and self.kind(current) != TUPLE:
                self.mutate(target, current, stmt, state, "updating {label} in place",
                            f"write {_new_value(target, stmt.op)} to make a new value, or copy it first")
                if self.kind(current) in (LIST, UNKNOWN):
                    added = state.held(update)
                    for obj in current:
                        state.contents[obj] = state.contents.get(obj, frozenset()) | added
                return
            state.points[target.id] = self.site(stmt, SCALAR if self.kind(update) == SCALAR or not update
                                                else ARRAY, state)
            return
        if isinstance(target, gast.Subscript):
            container = self.value(target.value, state)
            self.value(target.slice, state)
            if self.kind(container) != ARRAY:
                elements = state.held(container)
                if elements and self.kind(elements) != SCALAR:
                    self.mutate(target, elements, stmt, state, "updating the list element {label} in place",
                                f"write the new value into the slot: {_new_value(target, stmt.op)}",
                                element_of=container)
            self.mutate(target.value, container, stmt, state, "updating an element of {label} in place",
                        "copy first (a = a.copy()) or build the new value without writing into this one")
            return
        self.bind(target, update, stmt, state)

    def mutate(self, through: gast.expr, objects: frozenset[str], node: gast.AST, state: State, what: str,
               hint: str, element_of: frozenset[str] = frozenset()) -> None:
        """Raise unless no one but ``through`` can see the change to ``objects``."""
        own = through.id if isinstance(through, gast.Name) else None
        for obj in sorted(objects):
            other = self._other_holder(obj, own, node, state, element_of)
            if other is not None:
                action = what.format(label=f"'{_unparse(through)}'")
                raise self.parsed.error(
                    node, f"{action} may also change {other}; srcgrad turns in-place updates into new values, "
                    f"so {other} would not see the change and the gradient would be wrong", hint,
                    cls=SrcgradSyntaxError)

    def _other_holder(self, obj: str, own: str | None, node: gast.AST, state: State,
                      element_of: frozenset[str]) -> str | None:
        if obj.startswith("global:"):
            return f"the global '{obj[7:]}'"
        if obj in self.multi:
            return "another slot of the same list"
        if obj in self.escaped:
            return "a value that the calling code or a closure also holds"
        for name, objects in state.points.items():
            if name == _ITERATOR and obj in objects:
                return "the for loop that iterates over it"
            if name != own and obj in objects and self._read_later(name, node):
                return f"'{name}'"
        for holder, objects in state.contents.items():
            if obj in objects and holder not in element_of and self._holder_reachable(holder, own, state):
                return "an element of another list or tuple"
        return None

    def _holder_reachable(self, holder: str, own: str | None, state: State) -> bool:
        """A container object still named by some variable (other than the one updating) or held by one."""
        for name, objects in state.points.items():
            if holder in objects and name != own:
                return True
            if holder in state.held(objects) and name != own:
                return True
        return holder.startswith(("param:", "global:"))

    def _read_later(self, name: str, node: gast.AST) -> bool:
        """Whether ``name`` may be read after ``node`` runs (textually later, or earlier in an enclosing loop
        before the loop body rebinds it)."""
        line = getattr(node, "end_lineno", None) or node.lineno
        fn = self.parsed.node
        for sub in walk(fn):
            if isinstance(sub, gast.Name) and sub.id == name and isinstance(sub.ctx, gast.Load) and \
                    sub.lineno > line:
                return True
        if any(name in upward_exposed(loop.body) for loop in self.loops):
            return True  # the next trip may read it before rebinding it
        return name in _captured_names(fn)

    def capture(self, node: gast.AST, state: State) -> None:
        """A nested function or lambda may read any object its free names point to, at any later time."""
        for sub in walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in state.points:
                objects = state.points[sub.id]
                self.escaped |= objects | state.held(objects)


_ITERATOR = "<for loop iterator>"


def _unparse(node: gast.AST) -> str:
    return gast.unparse(node).strip()


def _new_value(target: gast.expr, op: gast.operator) -> str:
    """``y = y + ...`` for the update ``y += v``: the same update written as a new value."""
    return f"{_unparse(target)} = {_unparse(gast.BinOp(target, op, gast.Constant(Ellipsis, None)))}"


def _captured_names(fn: gast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for sub in walk(fn):
        if sub is not fn and isinstance(sub, (gast.FunctionDef, gast.Lambda)):
            names |= {n.id for n in walk(sub) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    return names


def check_aliasing(parsed: ParsedFunction, namespace: Any, local_names: set[str],
                   examples: Sequence[Any] | None = None, callee: bool = False) -> None:
    """Raise ``SrcgradSyntaxError`` at the first in-place update that another name may see. In a
    ``callee`` (a function called from differentiated code) the caller still holds every argument, so an
    update of an argument's object through any name is seen there."""
    def resolve(func: gast.expr) -> Any:
        return resolve_callee(func, namespace, local_names)

    AliasChecker(parsed, resolve, examples, arguments_escape=callee).run()


__all__ = ["VIEW_FUNCTIONS", "check_aliasing"]
