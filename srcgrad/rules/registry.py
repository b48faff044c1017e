"""The one table of derivative rules.

A rule is an ordinary Python function registered against the primitive it differentiates. Two consumers
read this table: the source transformer, which inlines a rule's body into the generated adjoint code as a
template, and the ``Tensor`` shim, which calls the very same function from its ``grad_fn.apply``. Writing a
derivative once and serving both keeps the two halves of srcgrad from ever disagreeing.

A reverse rule has the signature ``rule(g, ans, *primal_args, **primal_kwargs)``: ``g`` is the cotangent
of the primal's output ``ans``; the remaining parameters mirror the primal's own. It returns one partial
cotangent per differentiable argument (``argnums``), as a single value when there is one and a tuple
otherwise. With ``argnums="*"`` the rule's variadic parameter is differentiable and it returns one partial
per variadic argument (``np.einsum``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ARGNUMS_VARIADIC = "*"


@dataclass(frozen=True)
class Rule:
    """A registered derivative rule and what the transformer needs to know to inline it."""

    primal: Any
    function: Callable[..., Any]
    argnums: tuple[int, ...] | str
    name: str

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """Computed once per rule: transforming a function asks for it at every call site."""
        return inspect.signature(self.function)

    @property
    def primal_params(self) -> list[inspect.Parameter]:
        """The rule's parameters after ``g`` and ``ans``: the primal's own."""
        return list(self.signature.parameters.values())[2:]

    def differentiable_params(self) -> list[str]:
        """Names of the rule parameters whose partials the rule returns, in order."""
        params = self.primal_params
        if self.argnums == ARGNUMS_VARIADIC:
            return [p.name for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL]
        return [params[i].name for i in self.argnums]

    def partials(self, g: Any, ans: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call the rule and always return a tuple aligned with the differentiable arguments."""
        result = self.function(g, ans, *args, **kwargs)
        if self.argnums == ARGNUMS_VARIADIC:
            return tuple(result)
        if len(self.argnums) == 1:
            return (result,)
        return tuple(result)


_VJP_RULES: dict[int, Rule] = {}
_JVP_RULES: dict[int, dict[int | str, Rule]] = {}
_NONDIFFERENTIABLE: dict[int, Any] = {}
_DISPATCH_NOTES: dict[int, str] = {}
_SEQUENCE_RESULTS: dict[int, Any] = {}
# Keep every registered primal alive so the id() keys above can never be reused by another object.
_KEEPALIVE: list[Any] = []


def primal_name(primal: Any) -> str:
    """A human name for a primal, e.g. ``numpy.multiply``, ``math.sin`` or ``operator.mul``."""
    module = getattr(primal, "__module__", None) or ("numpy" if type(primal).__name__ == "ufunc" else None)
    if module == "_operator" or (module or "").startswith(("numpy._core", "numpy.core")):
        module = module.strip("_").split(".")[0]
    name = getattr(primal, "__qualname__", None) or getattr(primal, "__name__", None) or repr(primal)
    return f"{module}.{name}" if module and module != "builtins" else name


def _register(table: dict[int, Rule], primal: Any, function: Callable, argnums: tuple[int, ...] | str) -> Rule:
    if argnums != ARGNUMS_VARIADIC:
        argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    rule = Rule(primal, function, argnums, primal_name(primal))
    if len(rule.signature.parameters) < 3 and rule.argnums != ():
        raise TypeError(f"a rule for {rule.name} takes (g, ans, *primal_args); got {rule.signature}")
    table[id(primal)] = rule
    _KEEPALIVE.append(primal)
    return rule


def defvjp(primal: Any, rule: Callable | None = None, *, argnums: int | tuple[int, ...] | str = 0):
    """Register a reverse-mode rule for ``primal``; usable as ``defvjp(fn, rule)`` or as a decorator.

    >>> @defvjp(np.multiply, argnums=(0, 1))
    ... def _(g, ans, x, y):
    ...     return unbroadcast(g * y, x), unbroadcast(g * x, y)
    """
    if rule is not None:
        return _register(_VJP_RULES, primal, rule, argnums).function

    def decorate(function: Callable) -> Callable:
        _register(_VJP_RULES, primal, function, argnums)
        return function

    return decorate


def defjvp(primal: Any, rule: Callable | None = None, *, argnum: int | str = 0):
    """Register a forward-mode rule for argument ``argnum`` of ``primal``; usable as ``defjvp(fn, rule,
    argnum=1)`` or as a decorator.

    The rule mirrors a reverse rule's signature: ``rule(t, ans, *primal_args, **primal_kwargs)`` returns the
    tangent of the output contributed by the tangent ``t`` of that one argument (``J_argnum @ t``); the
    transformer adds the contributions of the active arguments. For a variadic argument (``argnum="*"``, as
    for ``np.einsum``'s operands) the rule is ``rule(t, k, ans, *primal_args)`` with ``k`` the operand's
    position among the variadic ones. Broadcasting needs no care: ``t`` has its argument's shape and NumPy
    broadcasts the contribution to the output's.

    >>> @defjvp(np.multiply, argnum=0)
    ... def _(t, ans, x, y):
    ...     return t * y
    """

    def register(function: Callable) -> Callable:
        entry = Rule(primal, function, ARGNUMS_VARIADIC if argnum == ARGNUMS_VARIADIC else (argnum,),
                     primal_name(primal))
        _JVP_RULES.setdefault(id(primal), {})[argnum] = entry
        _KEEPALIVE.append(primal)
        return function

    if rule is not None:
        return register(rule)
    return register


def defnondiff(*primals: Any) -> None:
    """Declare functions whose outputs carry no gradient (shapes, comparisons, constructors, indices)."""
    for primal in primals:
        _NONDIFFERENTIABLE[id(primal)] = primal
        _KEEPALIVE.append(primal)


def defsequence(*primals: Any) -> None:
    """Declare functions of the rule table that return a list or a tuple of arrays (``np.split``,
    ``np.linalg.eigh``): a ``+`` over their results may concatenate, and their cotangents add element by
    element. A rule-table function not declared here returns one array or number (tests check it)."""
    for primal in primals:
        _SEQUENCE_RESULTS[id(primal)] = primal
        _KEEPALIVE.append(primal)


def returns_sequence(primal: Any) -> bool:
    return id(primal) in _SEQUENCE_RESULTS


def note_dispatch(note: str, *primals: Any) -> None:
    """Record that the reverse rule of each of ``primals`` does not run unchanged, or not lazily, on the
    arrays of other libraries that NumPy dispatches to (Dask, CuPy), and why: a rule helper that needs
    NumPy itself, or a primal those libraries lack. Rules without a note are dispatch-safe: built only from
    calls that dispatch, and checked against Dask by tests/dispatch. docs/rules.md shows the notes."""
    for primal in primals:
        _DISPATCH_NOTES[id(primal)] = note
        _KEEPALIVE.append(primal)


def dispatch_note(primal: Any) -> str | None:
    """Why ``primal``'s reverse rule is not dispatch-safe, or ``None`` when it is (see ``note_dispatch``)."""
    return _DISPATCH_NOTES.get(id(primal))


def vjp_rule(primal: Any) -> Rule | None:
    """The reverse rule registered for ``primal``, or ``None``."""
    return _VJP_RULES.get(id(primal))


def jvp_rules(primal: Any) -> dict[int | str, Rule]:
    """The forward rules registered for ``primal``, by argument position (``"*"`` for variadic ones)."""
    return _JVP_RULES.get(id(primal), {})


def registered_jvp_rules() -> list[tuple[Rule, int | str]]:
    """Every forward rule with its argument, sorted by primal name (for documentation and coverage)."""
    return sorted(((rule, argnum) for rules in _JVP_RULES.values() for argnum, rule in rules.items()),
                  key=lambda item: (item[0].name, str(item[1])))


def is_nondifferentiable(primal: Any) -> bool:
    return id(primal) in _NONDIFFERENTIABLE


def registered_vjp_rules() -> list[Rule]:
    """Every reverse rule, sorted by name (for documentation and coverage tests)."""
    return sorted(_VJP_RULES.values(), key=lambda r: r.name)


def registered_nondifferentiable() -> list[Any]:
    return list(_NONDIFFERENTIABLE.values())
