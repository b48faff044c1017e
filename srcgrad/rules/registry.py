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

import dataclasses
import functools
import inspect
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
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


SELF, RESULT = "self", "result"  # what a Tensor-shim node keeps for its backward: the input, or the output


@dataclass(frozen=True)
class TorchOp:
    """How the ``Tensor`` shim offers a primitive: the names of its method and ``torch`` function, the
    ``grad_fn`` class PyTorch names its node by, what that node keeps (``SELF``, ``RESULT`` or nothing),
    and whether integer inputs become float32 first (PyTorch defines ``exp`` only for floats, ``abs`` for
    integers too)."""

    names: tuple[str, ...]
    node: str
    saves: str | None = None
    floating: bool = True


@dataclass
class Primitive:
    """Everything srcgrad knows about one function it differentiates, in one place.

    ``reverse`` is the rule the transformer inlines and the shim's nodes call; ``forward`` holds one
    forward rule per differentiable argument; ``derivation`` says whether those were written by hand or
    derived from the declaration (``"elementwise"``, ``"linear"``; see ``derive.py``). ``torch`` is the
    shim's operation for it, ``dispatch_note`` why its rule does not run unchanged on Dask or CuPy arrays,
    ``returns_sequence`` whether it returns a list or tuple of arrays, ``nondifferentiable`` whether its
    results are constants. The method form (``x.cumsum()``) is read off ``np.ndarray`` against this table
    (``frontend/array_methods.py``), and docs/rules.md is generated from these records."""

    primal: Any
    name: str
    reverse: Rule | None = None
    forward: dict[int | str, Rule] = field(default_factory=dict)
    derivation: str = "written"
    torch: TorchOp | None = None
    dispatch_note: str | None = None
    returns_sequence: bool = False
    nondifferentiable: bool = False
    declared_in: str | None = None  # the module that declares a derived record (its rules are generated)


_RECORDS: dict[Any, Primitive] = {}
# Keep every registered primal alive so the id() keys above can never be reused by another object.
_KEEPALIVE: list[Any] = []


def record_of(primal: Any, create: bool = True) -> Primitive | None:
    """The record of ``primal``; a new, empty one when it has none and ``create`` is true."""
    key = _key(primal)
    found = _RECORDS.get(key)
    if found is None and create:
        found = _RECORDS[key] = Primitive(primal, primal_name(primal))
        _KEEPALIVE.append(primal)
    return found


def offer_in_shim(primal: Any, op: TorchOp) -> None:
    """Give the ``Tensor`` shim an operation for ``primal`` (``derive.elementwise`` takes ``torch=`` too)."""
    record_of(primal).torch = op


def shim_operations() -> list[Primitive]:
    """The records that carry a shim operation, in the order they were declared."""
    return [record for record in _RECORDS.values() if record.torch is not None]


def snapshot() -> dict[Any, Primitive]:
    """A copy of the whole table, for ``restore`` (tests that register rules put the table back)."""
    return {key: dataclasses.replace(record, forward=dict(record.forward)) for key, record in _RECORDS.items()}


def restore(saved: dict[Any, Primitive]) -> None:
    _RECORDS.clear()
    _RECORDS.update(saved)


def primal_name(primal: Any) -> str:
    """A human name for a primal, e.g. ``numpy.multiply``, ``math.sin``, ``operator.mul``,
    ``scipy.special.gammaln`` or ``scipy.stats.norm.logpdf``: named by the public module that holds it."""
    if isinstance(primal, types.MethodType):  # a method of an object a module holds (scipy.stats.norm)
        owner = primal.__self__
        public = (type(owner).__module__ or "").split("._")[0]
        holder = next((attr for attr, value in vars(sys.modules.get(public, types)).items() if value is owner), None)
        if holder is not None:
            return f"{public}.{holder}.{primal.__name__}"
    module = getattr(primal, "__module__", None)
    if module is None and type(primal).__name__ == "ufunc":
        special = sys.modules.get("scipy.special")
        module = "scipy.special" if getattr(special, primal.__name__, None) is primal else "numpy"
    if module == "_operator" or (module or "").startswith(("numpy._core", "numpy.core")):
        module = module.strip("_").split(".")[0]
    if module and "._" in module:  # a private submodule: the public package, where it exposes the primal
        public = module.split("._")[0]
        if getattr(sys.modules.get(public), getattr(primal, "__name__", ""), None) is primal:
            module = public
    name = getattr(primal, "__qualname__", None) or getattr(primal, "__name__", None) or repr(primal)
    if module and "." not in name and module.startswith("scipy."):
        return f"{module}.{name}"
    return f"{module}.{name}" if module and module != "builtins" else name


def _register(primal: Any, function: Callable, argnums: tuple[int, ...] | str) -> Rule:
    if argnums != ARGNUMS_VARIADIC:
        argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    rule = Rule(primal, function, argnums, primal_name(primal))
    if len(rule.signature.parameters) < 3 and rule.argnums != ():
        raise TypeError(f"a rule for {rule.name} takes (g, ans, *primal_args); got {rule.signature}")
    record_of(primal).reverse = rule
    return rule


def defvjp(primal: Any, rule: Callable | None = None, *, argnums: int | tuple[int, ...] | str = 0):
    """Register a reverse-mode rule for ``primal``; usable as ``defvjp(fn, rule)`` or as a decorator.

    >>> @defvjp(np.multiply, argnums=(0, 1))
    ... def _(g, ans, x, y):
    ...     return unbroadcast(g * y, x), unbroadcast(g * x, y)
    """
    if rule is not None:
        return _register(primal, rule, argnums).function

    def decorate(function: Callable) -> Callable:
        _register(primal, function, argnums)
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
        record_of(primal).forward[argnum] = entry
        return function

    if rule is not None:
        return register(rule)
    return register


def defnondiff(*primals: Any) -> None:
    """Declare functions whose outputs carry no gradient (shapes, comparisons, constructors, indices)."""
    for primal in primals:
        record_of(primal).nondifferentiable = True


def defsequence(*primals: Any) -> None:
    """Declare functions of the rule table that return a list or a tuple of arrays (``np.split``,
    ``np.linalg.eigh``): a ``+`` over their results may concatenate, and their cotangents add element by
    element. A rule-table function not declared here returns one array or number (tests check it)."""
    for primal in primals:
        record_of(primal).returns_sequence = True


def _looked_up(primal: Any) -> Primitive | None:
    """``primal``'s record, after registering the rules of libraries imported since (``load_when_imported``)."""
    found = _RECORDS.get(_key(primal))
    if _PENDING:
        _load_pending()
        found = _RECORDS.get(_key(primal))
    return found


def returns_sequence(primal: Any) -> bool:
    found = _looked_up(primal)
    return found is not None and found.returns_sequence


def note_dispatch(note: str, *primals: Any) -> None:
    """Record that the reverse rule of each of ``primals`` does not run unchanged, or not lazily, on the
    arrays of other libraries that NumPy dispatches to (Dask, CuPy), and why: a rule helper that needs
    NumPy itself, or a primal those libraries lack. Rules without a note are dispatch-safe: built only from
    calls that dispatch, and checked against Dask by tests/dispatch. docs/rules.md shows the notes."""
    for primal in primals:
        record_of(primal).dispatch_note = note


def dispatch_note(primal: Any) -> str | None:
    """Why ``primal``'s reverse rule is not dispatch-safe, or ``None`` when it is (see ``note_dispatch``)."""
    found = _looked_up(primal)
    return None if found is None else found.dispatch_note


def _key(primal: Any) -> Any:
    """A primal's key in the tables: its identity, or for a bound method (``scipy.stats.norm.logpdf``, a new
    object at each attribute access) the identities of its object and its function."""
    if isinstance(primal, types.MethodType):
        return id(primal.__self__), id(primal.__func__)
    return id(primal)


# Rules for a library loaded only once the user's program has imported it (SciPy's take a second to
# import): the module that must be in sys.modules, and what registers the rules.
_PENDING: list[tuple[str, Callable[[], None]]] = []


def load_when_imported(module: str, loader: Callable[[], None]) -> None:
    """Run ``loader`` (which registers rules) at the first look-up after ``module`` has been imported."""
    _PENDING.append((module, loader))


def _load_pending(everything: bool = False) -> None:
    for entry in list(_PENDING):
        if everything or entry[0] in sys.modules:
            _PENDING.remove(entry)
            entry[1]()


def vjp_rule(primal: Any) -> Rule | None:
    """The reverse rule registered for ``primal``, or ``None``."""
    found = _RECORDS.get(_key(primal))
    if (found is None or found.reverse is None) and _PENDING:
        found = _looked_up(primal)
    return None if found is None else found.reverse


def jvp_rules(primal: Any) -> dict[int | str, Rule]:
    """The forward rules registered for ``primal``, by argument position (``"*"`` for variadic ones)."""
    found = _RECORDS.get(_key(primal))
    if (found is None or not found.forward) and _PENDING:
        found = _looked_up(primal)
    return {} if found is None else found.forward


def registered_jvp_rules() -> list[tuple[Rule, int | str]]:
    """Every forward rule with its argument, sorted by primal name (for documentation and coverage)."""
    _load_pending(everything=True)
    return sorted(((rule, argnum) for record in _RECORDS.values() for argnum, rule in record.forward.items()),
                  key=lambda item: (item[0].name, str(item[1])))


def is_nondifferentiable(primal: Any) -> bool:
    found = _RECORDS.get(_key(primal))
    if (found is None or not found.nondifferentiable) and _PENDING:
        found = _looked_up(primal)
    return found is not None and found.nondifferentiable


def registered_vjp_rules() -> list[Rule]:
    """Every reverse rule, sorted by name (for documentation and coverage tests)."""
    _load_pending(everything=True)
    return sorted((record.reverse for record in _RECORDS.values() if record.reverse is not None),
                  key=lambda r: r.name)


def registered_nondifferentiable() -> list[Any]:
    _load_pending(everything=True)
    return [record.primal for record in _RECORDS.values() if record.nondifferentiable]


def registered_primitives() -> list[Primitive]:
    """Every record, sorted by name."""
    _load_pending(everything=True)
    return sorted(_RECORDS.values(), key=lambda record: record.name)
