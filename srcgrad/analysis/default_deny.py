"""Default deny: a call that sees a differentiated value has a derivative rule, is declared
non-differentiable, or is refused at the user's line.

Activity analysis treats the output of a declared non-differentiable function as a constant, and the
reverse transformer asks the rule table for every *active* operation. What neither sees is a call whose
result is not what carries the dependence: a call made for its effect (``np.put(a, i, x)``,
``np.copyto(a, x)``), a call whose result is dropped, a function that reads variables by name (``eval``).
Those would leave the gradient silently without a contribution, so this check refuses every call that
receives a *varied* value (one that depends on the differentiated inputs) unless the rule table declares
what it does."""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..errors import MissingRuleError
from ..frontend.parse import ParsedFunction
from ..frontend.resolve import UNRESOLVED
from ..records import constructs
from ..rules.registry import is_nondifferentiable, vjp_rule
from ..runtime import call_with_vjp
from .activity import assignments
from .complex_values import check_complex_values
from .walk import children, values_read

# Functions that read or write the caller's variables by name: no argument shows what they depend on.
NAME_READERS = {builtins.eval, builtins.exec, builtins.globals, builtins.locals, builtins.vars,
                builtins.compile, builtins.__import__}
_RANDOM_STATES = (np.random.RandomState, np.random.Generator)
# srcgrad's own code, which generated code calls: rules, runtime helpers and the call dispatcher.
_OWN_MODULES = ("srcgrad.runtime", "srcgrad.rules", "srcgrad.custom", "srcgrad.binding")


def check_calls(fn: gast.FunctionDef, varied: set[str], callee_of: Callable[[gast.expr], Any],
                parsed: ParsedFunction, examples: dict[str, Any] | None = None,
                returned: gast.expr | None = None) -> set[str]:
    """Raise ``MissingRuleError`` at the first call that sees a varied value and that the rule table does
    not describe, at every call of a function that reads variables by name, and at the first operation on a
    complex value that is not verified for complex operands (``complex_values.py``). Returns the variables
    that may hold complex values."""
    attributes = {target: value for target, value in assignments(fn.body) if isinstance(value, gast.Attribute)}
    for node in _own_scope(fn):
        if isinstance(node, gast.Call):
            _check_call(node, varied, callee_of, parsed, attributes)
        elif isinstance(node, gast.Subscript) and _loaded(node.slice) & varied:
            _check_index_object(node, callee_of, parsed, attributes)
    return check_complex_values(fn, varied, callee_of, parsed, examples, returned)


def _own_scope(fn: gast.FunctionDef):
    """The nodes of ``fn``, without the bodies of the functions it defines: those are checked when they are
    transformed themselves, as callees."""
    stack: list[gast.AST] = [fn]
    while stack:
        node = stack.pop()
        yield node
        for child in children(node):
            if isinstance(child, gast.FunctionDef):
                stack.extend([*child.args.defaults, *[d for d in child.args.kw_defaults if d is not None]])
                continue
            stack.append(child)


def _check_call(call: gast.Call, varied: set[str], callee_of: Callable[[gast.expr], Any],
                parsed: ParsedFunction, attributes: dict[str, gast.Attribute]) -> None:
    callee = callee_of(call.func)
    if callee in NAME_READERS:
        label = gast.unparse(call.func).strip()
        raise parsed.error(call, f"'{label}' reads variables by name, so srcgrad cannot see what its result "
                           "depends on", "write the expression out in the function's code", cls=MissingRuleError)
    seen = set().union(*[_loaded(a) for a in call.args], *[_loaded(k.value) for k in call.keywords])
    method = call.args[0] if callee is call_with_vjp and call.args else None
    if isinstance(method, gast.Name):
        method = attributes.get(method.id)  # A-normal form reads the bound method into a temporary first
    if isinstance(method, gast.Attribute) and (seen | _loaded(method.value)) & varied:
        _check_method(call, method, callee_of, parsed)
    if callee is UNRESOLVED:
        seen |= _loaded(call.func)
    if not seen & varied or _described(callee):
        return
    what = getattr(callee, "__qualname__", None) or getattr(callee, "__name__", None) or type(callee).__name__
    label = gast.unparse(call.func).strip()   # (made only for the message: most calls pass)
    if isinstance(getattr(callee, "__self__", None), _RANDOM_STATES):
        _refuse_differentiated_draw(call, label, parsed)
    raise parsed.error(
        call, f"no derivative rule for '{label}' ({what}), which is called with a value that depends on the "
        "differentiated inputs", f"register a rule with @srcgrad.defvjp({label}), hold the value constant "
        "with srcgrad.stop_gradient, or use a NumPy function srcgrad knows", cls=MissingRuleError)


# Methods of the built-in containers, of arrays and of NumPy's random generators: C code that srcgrad cannot
# transform, many of them updating their receiver in place.
_BUILTIN_METHODS = (set(dir(np.ndarray)) | set(dir(list)) | set(dir(dict)) | set(dir(np.random.Generator))
                    | set(dir(np.random.RandomState)) | set(dir(np.ufunc))) - set(dir(object))


def _refuse_differentiated_draw(call: gast.Call, label: str, parsed: ParsedFunction) -> None:
    raise parsed.error(
        call, f"'{label}' draws random numbers with parameters that depend on the differentiated inputs; "
        "srcgrad gives random draws no derivative", "draw standard noise and transform it, so the "
        "derivative flows through the transformation: mu + sigma * rng.standard_normal(shape)",
        cls=MissingRuleError)


def _check_method(call: gast.Call, method: gast.Attribute, callee_of: Callable[[gast.expr], Any],
                  parsed: ParsedFunction) -> None:
    """A method call on a differentiated value (or with one as argument) that no rule describes: refused
    here, at the user's line, rather than when the generated code runs."""
    owner = callee_of(method.value)
    if method.attr.startswith("__") and method.attr not in ("__setitem__", "__iadd__", "__imul__", "__isub__"):
        return  # super().__call__ and friends: the user's own methods, transformed when they run
    if owner is UNRESOLVED:
        if method.attr not in _BUILTIN_METHODS:
            return  # a method of one of the user's objects: transformed when it runs
    else:
        if isinstance(owner, _RANDOM_STATES):
            _refuse_differentiated_draw(call, gast.unparse(method).strip(), parsed)
        if not isinstance(owner, np.ufunc):
            return
        target = getattr(owner, method.attr, None)
        if target is None or inspect.isfunction(target) or inspect.ismethod(target) or _described(target):
            return
    label = gast.unparse(method).strip()
    raise parsed.error(
        call, f"no derivative rule for the method '{label}' (it may also change its receiver in place), which "
        "is called with a value that depends on the differentiated inputs",
        "use the NumPy function that returns a new value (np.sort(a), np.concatenate, items + [v]), or "
        "register a rule with @srcgrad.defvjp", cls=MissingRuleError)


def _described(callee: Any) -> bool:
    """Whether the rule table (or srcgrad's own runtime) says what ``callee`` does with its arguments."""
    if callee is UNRESOLVED:
        return False
    if vjp_rule(callee) is not None or is_nondifferentiable(callee) or constructs(callee):
        return True  # (a class whose objects srcgrad makes as records: records.py)
    module = getattr(callee, "__module__", None) or ""
    return module.startswith(_OWN_MODULES)


def _check_index_object(node: gast.Subscript, callee_of: Callable[[gast.expr], Any], parsed: ParsedFunction,
                        attributes: dict[str, gast.Attribute]) -> None:
    """``np.r_[x, 0:2]``-style objects (those the front end does not lower) compute a value from their index:
    a varied index is an operation without a rule. Indexing an array or a list by a varied value is a type
    error that Python reports itself."""
    indexed = node.value
    if isinstance(indexed, gast.Name) and indexed.id in attributes:
        indexed = attributes[indexed.id]  # A-normal form reads ``np.r_`` into a temporary first
    if not isinstance(indexed, (gast.Name, gast.Attribute)):
        return
    owner = callee_of(indexed)
    if owner is UNRESOLVED or owner is None or type(owner).__module__ == "builtins":
        return
    if type(owner).__name__ in ("ndarray", "list", "tuple", "dict") or hasattr(owner, "shape"):
        return
    label = gast.unparse(indexed).strip()
    raise parsed.error(node, f"'{label}[...]' builds a value from its index, and srcgrad has no derivative rule "
                       "for it", "use np.concatenate, np.stack or np.column_stack", cls=MissingRuleError)


_loaded = values_read
