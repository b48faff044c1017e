"""A ``vjp``'s generated code as two functions Numba compiles: the forward sweep and the backward function.

``vjp`` generates ``f_vjp(*params) -> (out, f_backward)``, where ``f_backward(d_out)`` is a closure over
the forward sweep's values (``pipeline._split_into_closure``). Numba compiles neither a nested function
nor a returned one, so for ``vjp(f, ..., compile="numba")`` the closure is taken apart:

- ``f_forward(*params) -> (out, state)``, the forward sweep returning every value the backward function
  reads: its keyword defaults and its free variables;
- ``f_backward(d_out, *state) -> gradients``, the adjoint sweep taking them as arguments.

Three kinds of value cannot cross that boundary as they are, and are rewritten on both sides:

- the stack, one list of values of many types, becomes one typed list per variable (``stack_x``), as
  ``numba_lowering`` does within one function; the backward function copies each, so that it can run
  again, and a restore at the end whose value nothing reads is dropped with the push it undoes;
- a ``range`` (Numba passes none between functions) travels as its ``start``, ``stop`` and ``step`` and
  is made again at the top of the backward function."""

from __future__ import annotations

import gast

from .analysis.walk import walk
from .naming import Names, identifiers
from .numba_lowering import pop_of, push_of, stack_name
from .transform.builders import assign, name
from .transform.clone import clone

# What the code calls ``numba.typed.List`` (bound by ``numba_backend``): lists that cross between compiled
# functions are typed lists, which Numba passes as they are (a Python list is converted on every call).
TYPED_LIST = "typed_list"


def _param(identifier: str) -> gast.Name:
    return gast.Name(identifier, gast.Param(), None, None)


def split_closure(fn: gast.FunctionDef) -> tuple[gast.FunctionDef, gast.FunctionDef] | None:
    """``(f_forward, f_backward)`` for the closure variant ``fn``, or None when it has another shape."""
    nested = [s for s in fn.body if isinstance(s, gast.FunctionDef)]
    returned = fn.body[-1]
    if len(nested) != 1 or not (isinstance(returned, gast.Return) and isinstance(returned.value, gast.Tuple)
                                and len(returned.value.elts) == 2):
        return None
    backward = nested[0]
    at = fn.body.index(backward)
    seed = backward.args.args[0].id
    rebound = [a.id for a in backward.args.kwonlyargs]
    loads = {n.id for s in backward.body for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    stores = {n.id for s in backward.body for n in walk(s) if isinstance(n, gast.Name)
              and not isinstance(n.ctx, gast.Load)}
    outer = {a.id for a in fn.args.args} | {n.id for s in fn.body[:at] for n in walk(s)
                                           if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    free = sorted((loads - stores - {seed}) & outer - set(rebound))
    state = rebound + free
    ranges = {s.targets[0].id for s in fn.body[:at] for s in walk(s) if isinstance(s, gast.Assign)
              and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Call)
              and isinstance(s.value.func, gast.Name) and s.value.func.id == "range"}
    names = Names(identifiers(fn))
    forward_body = fn.body[:at] + fn.body[at + 1:-1]
    backward_body = list(backward.body)
    stack = stack_name(fn)
    if stack is not None and stack in state:
        state = _split_stacks(forward_body, backward_body, stack, state, names)
        if state is None:
            return None
    # ranges travel as their start, stop and step
    passed: list[gast.expr] = []
    params: list[str] = []
    remade: list[gast.stmt] = []
    for variable in state:
        if variable in ranges:
            parts = [names.fresh(f"{variable}_{part}") for part in ("start", "stop", "step")]
            passed += [gast.Attribute(name(variable), part, gast.Load()) for part in ("start", "stop", "step")]
            params += parts
            remade.append(assign(variable, gast.Call(name("range"), [name(p) for p in parts], [])))
        else:
            passed.append(name(variable))
            params.append(variable)
    value = returned.value.elts[0]
    forward = gast.FunctionDef(f"{fn.name}_forward", clone(fn.args), [
        *forward_body, gast.Return(gast.Tuple([value, gast.Tuple(passed, gast.Load())], gast.Load()))],
        [], None, None)
    arguments = gast.arguments([_param(seed), *(_param(p) for p in params)], [], None, [], [], None, [])
    backward_fn = gast.FunctionDef(backward.name, arguments, [*remade, *backward_body], [], None, None)
    return forward, backward_fn


def _split_stacks(forward: list[gast.stmt], backward: list[gast.stmt], stack: str, state: list[str],
                  names: Names) -> list[str] | None:
    """One stack per variable across the two bodies (rewritten in place); the new state, or None when the
    stack is used in another way than pushes, pops, its creation and the backward function's copy."""
    pushes = [s for body in (forward,) for top in body for s in walk(top) if isinstance(s, gast.stmt)
              and push_of(s, stack)]
    pops = [s for top in backward for s in walk(top) if isinstance(s, gast.stmt) and pop_of(s, stack)]
    made = [s for s in forward if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
            and s.targets[0].id == stack and isinstance(s.value, gast.List) and not s.value.elts]
    copied = [s for s in backward if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
              and s.targets[0].id == stack]
    uses = sum(1 for body in (forward, backward) for top in body for n in walk(top)
               if isinstance(n, gast.Name) and n.id == stack)
    # creation, copy (target and argument), one name per push and per pop
    if len(made) != 1 or len(copied) != 1 or uses != 1 + 2 + len(pushes) + len(pops):
        return None
    _drop_dead_restores(forward, backward, stack)
    pushes = [s for top in forward for s in walk(top) if isinstance(s, gast.stmt) and push_of(s, stack)]
    pops = [s for top in backward for s in walk(top) if isinstance(s, gast.stmt) and pop_of(s, stack)]
    variables = sorted({push_of(s, stack) for s in pushes} | {pop_of(s, stack) for s in pops})
    own = {variable: names.fresh(f"{stack}_{variable}") for variable in variables}
    for statement in pushes + pops:
        variable = push_of(statement, stack) or pop_of(statement, stack)
        statement.value.func.value = name(own[variable])
    at = forward.index(made[0])
    forward[at:at + 1] = [assign(own[v], gast.Call(name(TYPED_LIST), [], [])) for v in variables]
    at = backward.index(copied[0])
    backward[at:at + 1] = [assign(own[v], gast.Call(gast.Attribute(name(own[v]), "copy", gast.Load()), [], []))
                           for v in variables]
    at = state.index(stack)
    return state[:at] + [own[v] for v in variables] + state[at + 1:]


def _drop_dead_restores(forward: list[gast.stmt], backward: list[gast.stmt], stack: str) -> None:
    """Remove each pop at the backward function's top level whose value nothing after it reads, with the
    push at the forward sweep's top level that it undoes (per variable, the last pop undoes the first push)."""
    for variable in sorted({pop_of(s, stack) for s in backward if pop_of(s, stack)}):
        pushes = [s for s in forward if push_of(s, stack) == variable]
        pops = [i for i, s in enumerate(backward) if pop_of(s, stack) == variable]
        if len(pushes) != len(pops):
            continue
        dead = []
        for k, at in enumerate(pops):
            if any(isinstance(n, gast.Name) and n.id == variable and isinstance(n.ctx, gast.Load)
                   for s in backward[at + 1:] for n in walk(s)):
                continue
            dead.append((pushes[len(pushes) - 1 - k], backward[at]))
        for push, pop in dead:
            forward.remove(push)
            backward.remove(pop)
