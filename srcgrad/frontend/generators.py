"""Generator functions called from differentiated code: run to their end, as functions that return the list
of what they yield.

``def layers(w): ... yield W, b ...`` becomes ``def layers(w): yielded = [] ... yielded.append((W, b)) ...
return yielded``; ``yield from it`` becomes ``yielded.extend(it)`` and ``return`` becomes ``return yielded``.
The caller then walks a list, which every later pass knows how to differentiate (``LowerListMethods`` turns
the appends into ``yielded = list_append(yielded, v)``). ``parse_function`` runs this as soon as it has the
tree, so that the names the later passes reserve include the new one.

A list is what the generator means only when its caller takes every item, once, at once, and the two do not
interleave effects. Both sides are checked, and what cannot be proved is refused at the user's line:

* the caller (``check_consumers``): a call of a generator function must be walked by a ``for`` loop that runs
  to its end (no ``break`` or ``return`` leaves it: srcgrad would compute the items Python never asks for,
  which may raise, may never stop, or give a NaN gradient where an unused item's partial is infinite and its
  zero cotangent multiplies it), be the iterable of a comprehension, be passed to ``list``, ``tuple``,
  ``sum``, ``sorted``, ``min``, ``max``, ``dict`` or ``math.fsum`` (also through ``enumerate``, or ``zip``,
  ``map`` and ``filter`` over it alone), be unpacked (``a, b = gen(x)``), spread (``f(*gen(x))``) or
  delegated to (``yield from gen(x)``); a generator defined in the caller reads the
  caller's variables as it runs, so the loop that walks it must not bind them again. A generator kept in a
  variable, ``next(gen(x))``, ``any``/``all``, ``zip`` with other sequences, or passed to another function is
  refused: each may take fewer items, or take them twice. ``list(gen(x))`` runs it to its end first, as
  srcgrad does, and is always fine.
* the generator (``lower_generator``): ``yield`` must be a statement of its own (the value a caller passes with
  ``send()`` does not exist in a list), ``return`` must not carry a value, no ``yield`` may sit in a ``with``
  block (the settings would hold while the caller runs), a ``while True`` loop that yields must have a way out,
  and the body must not draw random numbers or print (eagerly, those happen before the caller's loop body
  instead of between its iterations).

The caller's check is only possible where srcgrad knows, when it transforms the caller, which function is
called: a function of the module or of a closure, an attribute of a module or a class, ``self.f(...)`` in a
method (looked up on the method's class), or a generator defined inside the caller (which is lowered with it).
Those functions are remembered as checked; a generator function reached any other way (a method of an
argument, a function passed as a value) is refused when srcgrad is asked to transform it, unless a checked
call of the same function was seen before."""

from __future__ import annotations

import builtins
import inspect
import math
import random
import threading
import types
from collections.abc import Iterator
from typing import Any

import gast
import numpy as np

from ..analysis.walk import children, fix_missing_locations, walk
from ..errors import SrcgradError
from ..naming import Names, identifiers
from ..visitors import NodeTransformer
from .closures import free_reads
from .parse import ParsedFunction, parse_function

_YIELDS = (gast.Yield, gast.YieldFrom)

# Callables that take every item of their (first) iterable argument.
_EXHAUSTING = (list, tuple, sum, sorted, min, max, dict, math.fsum)
# Lazy wrappers, consumed as the call that takes them is: the position of their iterable argument, and how
# many arguments they may take (with more, ``zip`` and ``map`` stop at the shortest iterable).
_PASS_THROUGH = {enumerate: (0, (1, 2)), zip: (0, (1,)), map: (1, (2,)), filter: (1, (2,))}

_RANDOM_STATES = (np.random.RandomState, np.random.Generator, random.Random)
_DRAWS = {name for cls in _RANDOM_STATES for name in dir(cls)
          if not name.startswith("_")} - {"bit_generator", "get_state", "getstate", "spawn"}

_CHECKED: set[types.CodeType] = set()  # generator functions whose calls srcgrad has seen consumed at once
_LOCK = threading.Lock()

_REFUSED_CONSUMER = ("the generator that '{name}' returns is not consumed at once: srcgrad runs a generator "
                     "function to its end and gives the caller the list of what it yields, which means the "
                     "same only where every item is taken right away (a for loop without break, a "
                     "comprehension, list(), tuple(), sum(), unpacking)")
_CONSUMER_HINT = ("iterate over it where it is called, or make the list yourself: items = list({name}(...)) "
                  "runs it to its end, as srcgrad would")


def _own(fn: gast.FunctionDef) -> Iterator[tuple[gast.AST, gast.AST]]:
    """``(node, parent)`` for the nodes of ``fn``'s body that belong to ``fn``: nested functions and lambdas are
    yielded, not entered."""
    stack: list[tuple[gast.AST, gast.AST]] = [(stmt, fn) for stmt in reversed(fn.body)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        stack.extend((child, node) for child in reversed(list(children(node))))


def is_generator(fn: gast.FunctionDef) -> bool:
    """Whether ``fn``'s own body yields."""
    if not any(isinstance(node, _YIELDS) for node in walk(fn)):
        return False  # most functions yield nowhere: no need to tell their own yields from nested ones'
    return any(isinstance(node, _YIELDS) for node, _ in _own(fn))


def _yields_in(block: gast.stmt) -> bool:
    """Whether ``block`` yields, outside the functions defined in it."""
    return any(isinstance(node, _YIELDS) for node, _ in _own(gast.FunctionDef("", None, [block], [], None, None)))


def _parents(tree: gast.AST) -> dict[int, gast.AST]:
    return {id(child): node for node in walk(tree) for child in children(node)}


def _leaves_loop(loop: gast.For | gast.While) -> str | None:
    """The ``break`` or ``return`` that leaves ``loop`` before it has walked everything, if any."""
    def search(nodes: list[gast.AST], inner_loop: bool) -> str | None:
        for node in nodes:
            if isinstance(node, (gast.FunctionDef, gast.Lambda)):
                continue
            if isinstance(node, gast.Return):
                return "return"
            if isinstance(node, gast.Break) and not inner_loop:
                return "break"
            found = search(list(children(node)), inner_loop or isinstance(node, (gast.For, gast.While)))
            if found:
                return found
        return None

    return search(loop.body, False)


class _Resolver:
    """The object a call's function expression names when srcgrad transforms the caller, as far as it can
    tell without running it: names of the module, the closure or the builtins, attributes of modules and
    classes, and the caller's own nested generator functions (their ``def`` nodes)."""

    def __init__(self, parsed: ParsedFunction, local_generators: dict[str, gast.FunctionDef],
                 nodes: list[gast.AST] | None = None):
        self.parsed = parsed
        self.local_generators = local_generators
        tree = parsed.node
        self.bound: set[str] = set()
        stored: set[str] = set()
        for n in walk(tree) if nodes is None else nodes:   # (``nodes``: ``walk(tree)``'s, if at hand)
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                self.bound.add(n.id)
                if not isinstance(n.ctx, gast.Param):
                    stored.add(n.id)
            elif isinstance(n, gast.FunctionDef) and n is not tree:
                self.bound.add(n.name)
        # in a method, ``self.f(...)``: looked up on the class that defines the method (an instance's own
        # attribute or a subclass's method is another function, refused unless checked where it is called)
        first = tree.args.args[0].id if tree.args.args and isinstance(tree.args.args[0], gast.Name) else None
        self.instance = first if first not in stored else None
        self.owner = _owner_class(parsed.fn) if self.instance else None

    def __call__(self, func: gast.expr) -> Any:
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and self.owner is not None \
                and func.value.id == self.instance:
            method = inspect.getattr_static(self.owner, func.attr, None)
            return method if inspect.isfunction(method) or isinstance(method, (staticmethod, classmethod)) else None
        if isinstance(func, gast.Name):
            if func.id in self.local_generators:
                return self.local_generators[func.id]
            if func.id in self.bound:
                return None
            return self.parsed.scope.lookup(func.id, None)
        if isinstance(func, gast.Attribute):
            base = self(func.value)
            if isinstance(base, (types.ModuleType, type)):
                return inspect.getattr_static(base, func.attr, None) if isinstance(base, type) \
                    else getattr(base, func.attr, None)
        return None


def _owner_class(fn: Any) -> type | None:
    """The module-level class (or class nested in one) that defines the method ``fn``, or None."""
    parts = getattr(fn, "__qualname__", "").split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    owner: Any = getattr(fn, "__globals__", {}).get(parts[0])
    for part in parts[1:-1]:
        owner = getattr(owner, part, None)
    if not isinstance(owner, type) or inspect.getattr_static(owner, parts[-1], None) is not fn:
        return None
    return owner


def _generator_function(obj: Any) -> Any:
    """The Python generator function ``obj`` is (a static method's function too), or None."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    return obj if inspect.isgeneratorfunction(obj) and inspect.isfunction(obj) else None


def _refusal(call: gast.Call, parents: dict[int, gast.AST], resolve: _Resolver, captured: set[str]) -> str | None:
    """Why the generator ``call`` makes may not be consumed at once: None when it is. ``captured``: the
    variables of the caller that the generator reads (one defined in the caller reads them as it runs, so
    the loop that walks it must not bind them again)."""
    node: gast.AST = call
    while True:
        parent = parents.get(id(node))
        if isinstance(parent, gast.For) and node is parent.iter:
            leaving = _leaves_loop(parent)
            if leaving is not None:
                return f"a '{leaving}' leaves the loop that walks it"
            body = gast.FunctionDef("", None, parent.body, [], None, None)
            rebound = sorted(captured & {n.id for n, _ in _own(body) if isinstance(n, gast.Name)
                                         and isinstance(n.ctx, (gast.Store, gast.Del))})
            if rebound:
                return (f"the loop that walks it binds {', '.join(rebound)} again, which the generator reads as it "
                        "runs, between the loop's iterations")
            return None
        if isinstance(parent, gast.comprehension) and node is parent.iter:
            comprehension = parents.get(id(parent))
            if isinstance(comprehension, gast.GeneratorExp):
                node = comprehension  # taken as the generator expression is
                continue
            return None
        if isinstance(parent, (gast.YieldFrom, gast.Starred)):
            return None
        if isinstance(parent, gast.Assign) and node is parent.value \
                and isinstance(parent.targets[0], (gast.Tuple, gast.List)):
            return None
        if isinstance(parent, gast.Call) and any(a is node for a in parent.args):
            position = next(i for i, a in enumerate(parent.args) if a is node)
            callee = resolve(parent.func)
            if any(callee is f for f in _EXHAUSTING) and position == 0 and (len(parent.args) == 1 or callee is sum):
                return None
            through = next((shape for f, shape in _PASS_THROUGH.items() if callee is f), None)
            if through is not None:
                if position == through[0] and len(parent.args) in through[1] \
                        and all(k.arg == "start" for k in parent.keywords):
                    node = parent
                    continue
                return f"'{gast.unparse(parent.func).strip()}' may stop before its end"
            label = gast.unparse(parent.func).strip()
            return f"it is passed to '{label}', which may not take every item"
        return "it is kept or used other than by walking it where it is made"


def lower_generators(parsed: ParsedFunction) -> None:
    """Check the calls of generator functions in ``parsed`` and lower the generators defined in it
    (``check_consumers``), then ``parsed`` itself if it is one (``lower_generator``)."""
    if check_consumers(parsed):
        lower_generator(parsed)


def check_consumers(parsed: ParsedFunction) -> bool:
    """Refuse, at its line, a call of a generator function whose items the caller may not take all at once;
    remember the generator functions whose calls are fine (see the module docstring), and lower the generator
    functions defined inside the caller. Returns whether the function yields anywhere (it or a function
    defined in it): most do not, and need no further look."""
    tree = parsed.node
    nodes = list(walk(tree))   # (one walk for every question below)
    yields = any(isinstance(n, _YIELDS) for n in nodes)
    local = {n.name: n for n in nodes if isinstance(n, gast.FunctionDef) and n is not tree
             and is_generator(n)} if yields else {}
    resolve = _Resolver(parsed, local, nodes)
    parents: dict[int, gast.AST] = {}
    checked: list[Any] = []
    bodies_checked: set[int] = set()
    for node in nodes:
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in local:
            parents = parents or _parents(tree)
            parent = parents.get(id(node))
            if not (isinstance(parent, gast.Call) and parent.func is node):
                raise parsed.error(node, f"the generator function '{node.id}' is used as a value: srcgrad runs a "
                                   "generator to its end where it is called, and cannot follow it elsewhere",
                                   f"call it where it is defined, or pass list({node.id}(...)) on")
        if not isinstance(node, gast.Call):
            continue
        target = resolve(node.func)
        generator = target if isinstance(target, gast.FunctionDef) else _generator_function(target)
        if generator is None:
            continue
        if id(generator) not in bodies_checked:  # the generator's own constructs are reported first
            bodies_checked.add(id(generator))
            _check_body(parsed, generator)
        name = gast.unparse(node.func).strip()
        parents = parents or _parents(tree)
        captured = free_reads(generator) - {generator.name} if isinstance(generator, gast.FunctionDef) else set()
        reason = _refusal(node, parents, resolve, captured)
        if reason is not None:
            raise parsed.error(node, f"{_REFUSED_CONSUMER.format(name=name)}; here {reason}",
                               _CONSUMER_HINT.format(name=name))
        if not isinstance(generator, gast.FunctionDef):
            checked.append(generator)
    with _LOCK:
        _CHECKED.update(g.__code__ for g in checked)
    for generator in local.values():
        if id(generator) not in bodies_checked:
            _check_generator(parsed, generator)
        _lower(parsed, generator, identifiers(tree))
    return yields


def _check_body(parsed: ParsedFunction, generator: Any) -> None:
    """``_check_generator`` on a generator the caller calls: one defined in it, or one whose source srcgrad
    can read (one it cannot is refused when it is transformed)."""
    if isinstance(generator, gast.FunctionDef):
        _check_generator(parsed, generator)
        return
    try:
        own = parse_function(generator, lower_generators=False)
    except SrcgradError:
        return
    _check_generator(own, own.node)


def lower_generator(parsed: ParsedFunction) -> None:
    """Lower ``parsed``'s own function, if it is a generator function, into one that returns the list of what
    it yields; refuse it where no checked call of it has been seen (the module docstring says why)."""
    fn = parsed.node
    if not is_generator(fn):
        return
    code = getattr(parsed.fn, "__code__", None)
    with _LOCK:
        seen = code in _CHECKED
    _check_generator(parsed, fn)
    if not seen:
        first = next(node for node, _ in _own(fn) if isinstance(node, _YIELDS))
        raise parsed.error(first, f"'{fn.name}' is a generator function, called where srcgrad could not tell which "
                           "function the call reaches when it transformed the caller (a method of an argument, "
                           "a function passed as a value), or differentiated by itself; srcgrad runs a generator "
                           "to its end, which it can only check where it sees the call",
                           "call it by the name it is defined under (a module-level function), or have it "
                           "return a list")
    _lower(parsed, fn, identifiers(fn))


def _lower(parsed: ParsedFunction, fn: gast.FunctionDef, taken: set[str]) -> None:
    items = Names(taken | identifiers(fn) | {a.id for a in fn.args.args}).fresh("yielded")
    body = _Lowering(items).block(fn.body)
    start = gast.copy_location(gast.Assign([gast.Name(items, gast.Store(), None, None)],
                                           gast.List([], gast.Load()), None), fn.body[0])
    end = gast.copy_location(gast.Return(gast.Name(items, gast.Load(), None, None)), fn.body[-1])
    fn.body = [start, *body] + ([] if isinstance(body[-1], gast.Return) else [end])
    fix_missing_locations(fn)


def _check_generator(parsed: ParsedFunction, fn: gast.FunctionDef) -> None:
    """What ``_Lowering`` cannot give its meaning: see the module docstring."""
    resolve = _Resolver(parsed, {})
    for node, parent in _own(fn):
        if isinstance(node, _YIELDS) and not isinstance(parent, gast.Expr):
            raise parsed.error(node, "the value of a 'yield' expression (what a caller passes with send()) is not "
                               "supported: srcgrad runs a generator to its end and gives its caller a list",
                               "write 'yield v' as a statement of its own")
        if isinstance(node, gast.Return) and node.value is not None \
                and not (isinstance(node.value, gast.Constant) and node.value.value is None):
            raise parsed.error(node, "a generator's return value is not supported: srcgrad gives the caller the "
                               "list of what the generator yields", "end the generator with a bare 'return'")
        if isinstance(node, gast.With) and _yields_in(node):
            raise parsed.error(node, "a 'yield' inside a 'with' block is not supported: the block's settings would "
                               "hold while the caller runs", "yield after the block")
        if isinstance(node, gast.While) and isinstance(node.test, gast.Constant) and node.test.value \
                and _yields_in(node) and _leaves_loop(node) is None:
            raise parsed.error(node, "this generator never ends (a 'while True' loop that yields, with no break "
                               "or return): srcgrad runs a generator to its end before the caller walks it",
                               "give the loop an end (a count, a condition), or yield from a for loop")
        if isinstance(node, gast.Call) and _effect(node, resolve):
            raise parsed.error(node, f"a generator that calls '{gast.unparse(node.func).strip()}' (a random draw or "
                               "an output): srcgrad runs a generator to its end before the caller walks it, so it "
                               "would happen in another order than Python's",
                               "draw the numbers (or print) outside the generator and pass them in")


def _effect(call: gast.Call, resolve: _Resolver) -> bool:
    """Whether ``call`` draws random numbers or writes output: an order srcgrad's list would change."""
    callee = resolve(call.func)
    if callee is builtins.print or callee is builtins.input:
        return True
    if isinstance(getattr(callee, "__self__", None), _RANDOM_STATES):
        return True  # np.random.normal, random.random: methods of the global generators
    if callee is not None:
        return False
    return isinstance(call.func, gast.Attribute) and call.func.attr in _DRAWS and \
        not isinstance(resolve(call.func.value), types.ModuleType)


class _Lowering(NodeTransformer):
    """``yield v`` → ``items.append(v)``, ``yield from it`` → ``items.extend(it)``, ``return`` →
    ``return items``, in a function's own body."""

    def __init__(self, items: str):
        self.items = items

    def block(self, body: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in body:
            new = self.visit(stmt)
            out.extend(new if isinstance(new, list) else [new])
        return out

    def visit_FunctionDef(self, node: gast.FunctionDef) -> gast.AST:
        return node

    def visit_Lambda(self, node: gast.Lambda) -> gast.AST:
        return node

    def visit_Expr(self, node: gast.Expr) -> gast.AST:
        value = node.value
        if not isinstance(value, _YIELDS):
            return node
        method = "extend" if isinstance(value, gast.YieldFrom) else "append"
        item = value.value if value.value is not None else gast.Constant(None, None)
        func = gast.Attribute(gast.Name(self.items, gast.Load(), None, None), method, gast.Load())
        return gast.copy_location(gast.Expr(gast.copy_location(gast.Call(func, [item], []), value)), node)

    def visit_Return(self, node: gast.Return) -> gast.AST:
        return gast.copy_location(gast.Return(gast.Name(self.items, gast.Load(), None, None)), node)
