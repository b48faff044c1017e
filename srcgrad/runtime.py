"""Functions that generated code calls in place of Python statements that mutate.

The transformer rewrites ``y[i] = v`` into ``y = assign_index(y, i, v)`` and ``hs.append(h)`` into
``hs = list_append(hs, h)``: pure functions with derivative rules of their own. A mutation of a value the
adjoint still needs (or of the caller's argument) can then never happen; the price is a copy per write,
which docs/design.md discusses."""

from __future__ import annotations

import functools
import inspect
import numbers
from operator import index as operator_index
from types import SimpleNamespace
from typing import Any

import numpy as np

from .errors import MissingRuleError
from .rules import dispatch
from .rules.helpers import unbroadcast
from .rules.registry import ARGNUMS_VARIADIC, is_nondifferentiable, jvp_rules, vjp_rule


class Compiler(SimpleNamespace):
    """What the dispatchers below (``call_with_vjp``, ``call_with_jvp``) need from the parts of srcgrad
    that transform code: transforming a callee, the compositions of ``higher.py``, records and function
    values. Those parts import this module, so they are handed over once, at import, by
    ``srcgrad/linking.py`` (``register_compiler``) rather than imported here: this module stays the layer
    that generated code calls, below the compiler."""


COMPILER = Compiler()


def register_compiler(**parts: Any) -> None:
    """The one point where the compiler gives the runtime what its dispatchers call."""
    vars(COMPILER).update(parts)


def assign_index(x: Any, index: Any, value: Any) -> Any:
    """``x`` with ``x[index]`` replaced by ``value``, as a new array (or list); ``x`` is left untouched."""
    if isinstance(x, (list, dict)):
        out = type(x)(x)
        out[index] = value
        return out
    if type(x) is np.ndarray:
        if type(value) is not float and dispatch.is_foreign(value):
            # A Dask or CuPy value written into a NumPy array (``out = np.zeros(n); out[i] = ...``): the
            # result moves to the value's library, where NumPy would compute the value (or refuse it).
            out = np.asarray(x, like=value).copy()
        else:
            out = np.array(x, copy=True)
    else:
        out = dispatch.copy(x)
    out[index] = value
    return out


def _require_list(items: Any, method: str) -> None:
    if not isinstance(items, list):
        raise TypeError(f"srcgrad differentiates '.{method}(...)' as the method of a Python list, but it was "
                        f"called on a {type(items).__name__}: give the object a name that is not updated in "
                        "place, or call a function that returns the new value")


def list_append(items: list, value: Any) -> list:
    """``items + [value]`` without modifying ``items``."""
    _require_list(items, "append")
    return [*items, value]


def list_extend(items: list, values: Any) -> list:
    """``items.extend(values)`` as a new list."""
    _require_list(items, "extend")
    return [*items, *values]


def list_insert(items: list, index: int, value: Any) -> list:
    """``items.insert(index, value)`` as a new list."""
    _require_list(items, "insert")
    out = list(items)
    out.insert(index, value)
    return out


def list_delete(items: list, index: int) -> list:
    """``items`` without its item at ``index`` (what ``items.pop(index)`` leaves), as a new list."""
    _require_list(items, "pop")
    out = list(items)
    del out[index]
    return out


def inexact_only(value: Any) -> Any:
    """``value`` itself; its derivative passes only where it is a float (or complex) array or number: a
    call asked at run time for an integer result (``np.asarray(x, dtype=kind)``) has none."""
    return value


def inexact_part(g: Any, like: Any) -> Any:
    """``g`` when ``like`` holds floats, a zero cotangent shaped like ``like`` when it holds integers or
    booleans: the derivative rule of ``inexact_only``, linear in ``g``."""
    if np.issubdtype(np.result_type(like), np.inexact):
        return g
    return 0.0 if isinstance(g, numbers.Number) else np.zeros_like(g)  # g's library, shape and dtype


def list_position(length: int, index: int) -> int:
    """Where ``insert(index, ...)`` puts its item in a list of ``length`` items (and, for an index in range,
    which item ``pop(index)`` takes): negative indices count from the end, and out-of-range ones clamp."""
    index = operator_index(index)
    if index < 0:
        index += length
    return min(max(index, 0), length)


def plus(a: Any, b: Any) -> Any:
    """``a + b``: the primal of a ``+`` whose operands may be lists or tuples (rules/sequence_rules.py)."""
    return a + b


def times(a: Any, b: Any) -> Any:
    """``a * b``: the primal of a ``*`` whose operands may be lists or tuples (rules/sequence_rules.py)."""
    return a * b


def add_grads(a: Any, b: Any) -> Any:
    """Add two cotangents, element by element (recursively) for lists and tuples, where ``+`` would
    concatenate them; a zero number stands for a zero cotangent of any structure."""
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, value in b.items():
            merged[key] = add_grads(merged[key], value) if key in merged else value
        return merged
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) < len(b):
            a, b = b, a
        summed = [add_grads(x, y) for x, y in zip(a, list(b) + [0.0] * (len(a) - len(b)))]
        return type(a)(*summed) if hasattr(a, "_fields") else type(a)(summed)  # a named tuple takes fields
    if isinstance(a, numbers.Number) and a == 0 and isinstance(b, (list, tuple, dict)):
        return b
    if isinstance(b, numbers.Number) and b == 0 and isinstance(a, (list, tuple, dict)):
        return a
    return a + b


def zero_cotangent(value: Any) -> Any:
    """A zero cotangent shaped like ``value``: 0.0 for numbers (and for a variable not yet assigned, which
    generated code holds as ``None``), zeros of a floating dtype for arrays, a list of zeros for a list, and
    ``None`` for values that have no cotangent (a function passed as an argument)."""
    if value is None or isinstance(value, numbers.Number):
        return 0.0
    if isinstance(value, (list, tuple)):
        zeros = [zero_cotangent(v) for v in value]
        return type(value)(*zeros) if hasattr(value, "_fields") else type(value)(zeros)  # named tuples too
    if isinstance(value, dict):
        return {}  # sparse: every key's cotangent is zero
    if isinstance(value, (np.ndarray, np.generic)):
        return np.zeros(value.shape, dtype=np.result_type(value, np.float32))
    if dispatch.is_foreign(value):  # a Dask or CuPy array: zeros of its own library
        return np.zeros_like(value, dtype=np.result_type(value.dtype, np.float32))
    return None  # functions, objects, strings: no cotangent


def sum_grad(g: Any, iterable: Any) -> Any:
    """Cotangent of the builtin ``sum(iterable)``: ``g`` for every item (of a list, or each row of an array)."""
    if isinstance(iterable, np.ndarray):
        return np.broadcast_to(g, iterable.shape)
    if dispatch.is_foreign(iterable):
        return np.broadcast_to(g if dispatch.is_foreign(g) else np.asarray(g, like=iterable), iterable.shape)
    return [unbroadcast(g, item) for item in iterable]


def is_callable_instance(obj: Any) -> bool:
    """An instance of a class whose ``__call__`` is a Python function (a model object, say)."""
    return not inspect.isroutine(obj) and inspect.isfunction(inspect.getattr_static(type(obj), "__call__", None))


def call_with_vjp(fn: Any, *args: Any) -> tuple[Any, Any]:
    """Call ``fn(*args)`` from generated code, returning ``(output, backward)`` where ``backward(g)`` gives
    one cotangent per argument.

    The caller's transformer rewrites calls to the user's own functions (and to callees only known at run
    time: a function passed as an argument, a method) into this. A callee with a derivative rule uses it;
    a Python function is transformed, on first sight and per argument signature, into a forward sweep that
    returns its backward sweep as a closure — so recursion and call trees need nothing special."""
    keywords = None
    constant = None
    if type(fn) is ConstantArguments:
        fn, constant = fn.function, fn.flags(len(args))
    if type(fn) is KeywordCall:
        fn, args, keywords = fn.function, *fn.split(args)
    if isinstance(fn, functools.partial):
        call = PartialCall.of(fn, args, keywords or {})
        out, backward = call_with_vjp(call.callee, *call.values)
        return out, lambda g: call.gather(backward(g))
    rule = vjp_rule(fn)
    if rule is not None:
        out = fn(*args, **(keywords or {}))
        return out, _rule_backward(rule, out, args, keywords)
    if _plain_gradient(fn):  # grad(g)(x) inside a differentiated function: its Jacobian is g's Hessian
        out = fn(*args)
        return out, lambda g: COMPILER.gradient_call_cotangents(fn.fn, args, fn.argnums[0], g)
    if inspect.isbuiltin(fn) and isinstance(getattr(fn, "__self__", None), (str, bytes)):
        # a string's method (``name.startswith("W")``): its result carries no derivative
        out = fn(*args, **(keywords or {}))
        return out, _zero_backward((*args, *(keywords or ())))
    if fn is functools.partial:  # made by a call with *args (the frontend lowers the others to make_partial)
        return COMPILER.partial_call_with_vjp(args, keywords or {})
    if is_nondifferentiable(fn) or isinstance(fn, type):
        if _makes_record(fn, (*args, *(keywords or {}).values())):
            return COMPILER.construct_with_vjp(fn, args, keywords or {})
        out = fn(*args, **(keywords or {}))
        return out, _zero_backward((*args, *(keywords or ())))
    if isinstance(fn, COMPILER.custom_vjp):
        if not keywords:
            return fn.forward(args)
        binding = _bind_custom(fn, args, keywords)
        out, backward = fn.forward(binding.values)
        return out, lambda g: binding.pick(backward(g))
    if isinstance(fn, COMPILER.custom_jvp):
        raise MissingRuleError(f"{fn.__name__!r} is a custom_jvp function: it defines forward mode only, and srcgrad "
                               "does not transpose a forward rule; give it a custom_vjp for reverse mode")
    function, values, finish = COMPILER.prepare_callee_vjp(fn, args, keywords, constant)
    return finish(*function(*values))


def call_star(function: Any, before: tuple, spread: Any, after: tuple) -> Any:
    """``function(*before, *spread, *after)``: a call with a star-argument whose length only the run knows
    (``rs.randn(*x.shape)``, ``f(*pairs)``). ``zip(*rows)`` gives the list of tuples ``zip_lists`` makes,
    which can be unpacked and indexed (an iterator could be read only once, and has no derivative rule)."""
    return star_callee(function)(*before, *spread, *after)


def star_callee(function: Any) -> Any:
    return zip_lists if function is zip else function


def zip_lists(*sequences: Any) -> list:
    """``list(zip(*sequences))``: the tuples of the sequences' items, as far as the shortest reaches."""
    return [tuple(items) for items in zip(*sequences)]


def enter_errstate(**settings: Any) -> dict:
    """Enter ``np.errstate(**settings)``: set them, and return the settings to restore."""
    return np.seterr(**settings)


def leave_errstate(saved: dict) -> None:
    """Leave an ``np.errstate`` block entered by ``enter_errstate``."""
    np.seterr(**saved)


def close_over(function: Any, *captured: Any) -> functools.partial:
    """A nested function or lambda used as a value, with the enclosing function's variables it reads
    passed in front (``frontend/closures.py``): the object Python's closure would be."""
    return functools.partial(function, *captured)


def call_plain(fn: Any, *args: Any) -> tuple[Any, None]:
    """``(fn(*args), None)``: a call ``call_with_vjp`` would make, where activity analysis has proved that
    no derivative flows through it (its arguments do not depend on the differentiated inputs, or its
    result does not reach the output). A callee that is not Python code (a random draw, a C function)
    runs as it is, where ``call_with_vjp`` would refuse it for want of a rule."""
    if type(fn) is ConstantArguments:
        fn = fn.function
    target = fn.function if type(fn) is KeywordCall else fn
    if isinstance(target, functools.partial):
        target = target.func
    own = (getattr(target, "__module__", None) or "").startswith("srcgrad.")  # grad(g), srcgrad.hvp, ...
    if not own and (is_callable_instance(target) or inspect.isfunction(getattr(target, "__func__", target))):
        # Python code is transformed as ever, so that what it does to its arguments (appending to the
        # caller's list) is checked, not hidden
        return call_with_vjp(fn, *args)[0], None
    if type(fn) is KeywordCall:
        fn, args, keywords = fn.function, *fn.split(args)
        return fn(*args, **keywords), None
    return fn(*args), None


class KeywordCall:
    """A callee and the names of the keyword arguments a call passes it. Generated code passes every
    value positionally, so that each gets a cotangent; this object, in the callee's place, says that the
    trailing ones are keywords: a ``**kwargs`` or keyword-only parameter, or a callee only known at run
    time, cannot take them by position."""

    __slots__ = ("function", "names")

    def __init__(self, function: Any, names: tuple[str, ...]):
        self.function, self.names = function, names

    def split(self, args: tuple) -> tuple[tuple, dict[str, Any]]:
        at = len(args) - len(self.names)
        return args[:at], dict(zip(self.names, args[at:]))


class PartialCall:
    """A call of a ``functools.partial`` as the call of its function that it makes: the partial's own
    arguments are constants of the call (no tangents; their cotangents are dropped), and the call's keywords
    override the partial's and stand after them, as Python merges them. ``spread`` and ``gather`` move
    per-argument sequences (tangents, cotangents) between the call as written and the call made."""

    __slots__ = ("bound", "callee", "n_args", "n_keywords", "values")

    def __init__(self, callee: KeywordCall, values: tuple, bound: int, n_args: int, n_keywords: int):
        self.callee, self.values = callee, values
        self.bound, self.n_args, self.n_keywords = bound, n_args, n_keywords

    @classmethod
    def of(cls, partial: functools.partial, args: tuple, keywords: dict[str, Any]) -> PartialCall:
        merged = {**{k: v for k, v in partial.keywords.items() if k not in keywords}, **keywords}
        return cls(KeywordCall(partial.func, tuple(merged)), (*partial.args, *args, *merged.values()),
                   len(partial.args), len(args), len(keywords))

    def spread(self, per_passed: tuple) -> tuple:
        own_keywords = len(self.callee.names) - self.n_keywords
        return ((None,) * self.bound + tuple(per_passed[:self.n_args]) + (None,) * own_keywords
                + tuple(per_passed[self.n_args:]))

    def gather(self, per_made: tuple) -> tuple:
        own_keywords = len(self.callee.names) - self.n_keywords
        made_positional = self.bound + self.n_args
        return (tuple(per_made[self.bound:made_positional])
                + tuple(per_made[made_positional + own_keywords:]))


class ConstantArguments:
    """A callee and the positions of the arguments (counted as passed: positional ones, then keywords) whose
    value does not depend on the differentiated inputs at this call, or whose cotangent nothing needs: a
    Python callee is transformed without differentiating them (``callees.callee_vjp``)."""

    __slots__ = ("function", "positions")

    def __init__(self, function: Any, positions: tuple[int, ...]):
        self.function, self.positions = function, positions

    def flags(self, count: int) -> tuple[bool, ...]:
        return tuple(i in self.positions for i in range(count))


def with_constants(function: Any, positions: tuple[int, ...]) -> ConstantArguments:
    """``function`` called with the arguments at ``positions`` held constant (see ``ConstantArguments``)."""
    return ConstantArguments(function, positions)


def with_keywords(function: Any, names: tuple[str, ...]) -> KeywordCall:
    """``function`` called with the keyword arguments ``names`` (see ``KeywordCall``)."""
    return KeywordCall(function, names)


def _rule_backward(rule: Any, out: Any, args: tuple, keywords: dict | None = None) -> Any:
    if rule.argnums == ARGNUMS_VARIADIC:  # one partial per item of the *args the rule differentiates
        fixed = sum(1 for p in rule.primal_params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        return lambda g: ((None,) * fixed + tuple(rule.partials(g, out, *args, **(keywords or {}))))[:len(args)] \
            + (None,) * len(keywords or ())

    def backward(g: Any) -> tuple:
        partials = dict(zip(rule.differentiable_params(), rule.partials(g, out, *args, **(keywords or {}))))
        names = [p.name for p in rule.primal_params]
        passed = [names[i] if i < len(names) else None for i in range(len(args))] + list(keywords or ())
        return tuple(partials.get(name, 0.0) for name in passed)

    return backward


def _makes_record(fn: Any, values: tuple) -> bool:
    """Whether the call ``fn(*values)`` makes a record (``records.py``): an object of a class of the user's,
    a dataclass or a namedtuple, from values that depend on the differentiated inputs. Such an object of a
    class srcgrad cannot make (a ``__new__`` of its own, an ``__init__`` in C) is refused: its attributes
    would carry no derivative. Builtins and NumPy's types (``str(x)``, ``slice(i, j)``) make values without
    one."""
    if not isinstance(fn, type) or is_nondifferentiable(fn) or fn.__module__ in ("builtins", "numpy"):
        return False
    if not any(COMPILER.has_cotangent(v) for v in values):
        return False
    if COMPILER.constructs(fn):
        return True
    raise MissingRuleError(f"an object of the class {fn.__qualname__!r} is made from values that depend on the "
                           "differentiated inputs, and srcgrad cannot follow them into it (the class has a "
                           "__new__ of its own, or an __init__ that is not Python code); pass the values "
                           "themselves, or register a rule with srcgrad.defvjp")


def _zero_backward(args: tuple) -> Any:
    def backward(g: Any) -> tuple:
        return tuple(0.0 for _ in args)

    return backward


def call_output(pair: tuple[Any, Any]) -> Any:
    """The output of a ``call_with_vjp`` pair (a function of its own, so that its rule can hand the
    cotangent back as a pair without a zero for the backward closure)."""
    return pair[0]


def _plain_gradient(fn: Any) -> bool:
    """``srcgrad.grad(g)`` (one argument position, no auxiliary output) of a Python function ``g``."""
    return (type(fn) is COMPILER.GradFunction and fn.single and not fn.has_aux and not fn.bound and not fn.variadic
            and inspect.isfunction(fn.fn))


def call_with_jvp(fn: Any, args: tuple, tangents: tuple) -> tuple[Any, Any]:
    """Forward mode's ``call_with_vjp``: ``(output, output tangent)`` of ``fn(*args)`` for the argument
    tangents ``tangents`` — by the callee's forward rules, or by transforming a Python callee."""
    keywords: dict[str, Any] = {}
    if type(fn) is ConstantArguments:  # reverse mode's hint: forward mode passes no tangent for them anyway
        fn = fn.function
    if type(fn) is KeywordCall:
        fn, (args, keywords) = fn.function, fn.split(args)
        tangents, keyword_tangents = tangents[:len(args)], dict(zip(keywords, tangents[len(args):]))
    if isinstance(fn, functools.partial):
        call = PartialCall.of(fn, args, keywords)
        passed = (*tangents, *(keyword_tangents[k] for k in keywords))
        return call_with_jvp(call.callee, call.values, call.spread(passed))
    if _plain_gradient(fn) and not keywords and all(
            t is None or i == fn.argnums[0] for i, t in enumerate(tangents)):
        out = fn(*args)
        t = tangents[fn.argnums[0]]
        return out, (zero_cotangent(out) if t is None else COMPILER.hvp_at(fn.fn, args, fn.argnums[0], t))
    rule = vjp_rule(fn)
    if rule is not None:
        out = fn(*args, **keywords)
        rules = jvp_rules(fn)
        total = zero_cotangent(out)
        names = [p.name for p in rule.primal_params]
        if rule.argnums == "*":  # one forward rule for every item of the *args: rule(t, k, ans, *args)
            fixed = sum(1 for p in rule.primal_params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
            for position in range(fixed, len(args)):
                if tangents[position] is not None and "*" in rules:
                    total = add_grads(total, rules["*"].function(tangents[position], position - fixed, out, *args,
                                                                 **keywords))
            return out, total
        for position in rule.argnums:
            if position >= len(names) or position not in rules:
                continue
            tangent = (tangents[position] if position < len(args) else
                       keyword_tangents.get(names[position]) if keywords else None)
            if tangent is not None:
                total = add_grads(total, rules[position].function(tangent, out, *args, **keywords))
        return out, total
    if fn is functools.partial:
        return COMPILER.partial_call_with_jvp(args, tuple(tangents) + tuple(keyword_tangents.values()) if keywords
                                     else tuple(tangents), keywords)
    if is_nondifferentiable(fn) or isinstance(fn, type):
        if _makes_record(fn, (*args, *keywords.values())):
            return COMPILER.construct_with_jvp(fn, args, (*tangents, *(keyword_tangents.values() if keywords else ())),
                                      keywords)
        out = fn(*args, **keywords)
        return out, zero_cotangent(out)
    if isinstance(fn, COMPILER.custom_vjp):
        raise MissingRuleError(f"{fn.__name__!r} is a custom_vjp function: it defines reverse mode only, so forward "
                               "mode (jvp, jacfwd, hessian, hvp) cannot go through it, as in JAX")
    if keywords:
        tangents = (*tangents, *keyword_tangents.values())
    if isinstance(fn, COMPILER.custom_jvp):
        if not keywords:
            return fn.forward(args, tangents)
        binding = _bind_custom(fn, args, keywords)
        return fn.forward(binding.values, tuple(binding.place(tangents)))
    function, values = COMPILER.prepare_callee_jvp(fn, args, tangents, keywords)
    return function(*values)


def _bind_custom(fn: Any, args: tuple, keywords: dict) -> Any:
    """Keyword arguments of a custom_vjp/custom_jvp function, bound to its parameters: its rules take
    the arguments positionally, as in JAX."""

    signature = inspect.signature(fn.fun)
    if COMPILER.is_variadic(signature):
        raise TypeError(f"{fn.__name__!r}: keyword arguments to a custom_vjp/custom_jvp function with *args, "
                        "**kwargs or keyword-only parameters are not supported; pass them positionally")
    return COMPILER.bind(signature, args, keywords)


def call_with_jvp_cotangents(g: Any, ans: Any, fn: Any, args: tuple, tangents: tuple) -> tuple[tuple, tuple]:
    """The reverse rule of ``call_with_jvp`` (see ``srcgrad.callees.jvp_call_cotangents``)."""
    keywords: dict[str, Any] = {}
    if type(fn) is ConstantArguments:
        fn = fn.function
    if type(fn) is KeywordCall:
        fn, (args, keywords) = fn.function, fn.split(args)
    if fn is functools.partial:
        return COMPILER.partial_call_with_jvp_cotangents(g, args, tangents, keywords)
    if isinstance(fn, type) and _makes_record(fn, (*args, *keywords.values())):
        return COMPILER.construct_with_jvp_cotangents(g, ans, fn, args, tangents, keywords)
    if isinstance(fn, functools.partial):
        call = PartialCall.of(fn, args, keywords)
        arg_cotangents, tangent_cotangents = call_with_jvp_cotangents(g, ans, call.callee, call.values,
                                                                      call.spread(tangents))
        return call.gather(arg_cotangents), call.gather(tangent_cotangents)
    return COMPILER.jvp_call_cotangents(g, ans, fn, args, tangents, keywords)
