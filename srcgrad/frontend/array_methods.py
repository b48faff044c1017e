"""Which array methods and attributes become NumPy function calls, read off the rule table.

Differentiation goes through NumPy functions (the rule table is keyed on them), so ``x.sum(axis=1)`` is
lowered to ``np.sum(x, axis=1)`` and ``x.T`` to ``np.transpose(x)`` before anything else looks at the code.
Rather than a hand-kept list, the tables here pair every method of ``np.ndarray`` with the NumPy function of
the same name, when

* the function is in the rule table (it has a reverse rule, or is declared non-differentiable) at the time
  the method is looked up, so that a rule registered later (``srcgrad.defvjp``) lowers its method too;
* the method does not update its array in place (``x.sort()`` sorts ``x`` and returns ``None``, which
  ``np.sort(x)`` does not do);
* the method's arguments land on the function's parameters: the receiver on the first, the method's
  positional arguments on the parameters that follow, in order, and its keyword arguments on parameters of
  the same names. ``x.compress(c)`` is left alone, since ``np.compress`` takes the condition first.

Methods that take their shape or axes unpacked (``x.reshape(2, 3)``, ``x.transpose(1, 0)``) pass them to the
function as one tuple. Two methods have no function of their name: ``x.flatten()`` is ``np.ravel(x)``, and
``x.astype(dtype)`` is ``np.asarray(x, dtype=dtype)``.

The tables keep the shapes the desugaring pass reads: ``ARRAY_METHODS`` maps a method name to the function
and an *adapter*, which turns the method call's positional arguments (after the receiver) into the
function call's extra arguments and keywords; ``ARRAY_ATTRIBUTES`` maps an attribute name to a function of
the array alone; ``STATIC_ATTRIBUTES`` names the attributes that describe the array (shapes, dtypes) and are
read as they are.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import gast
import numpy as np

from .. import rules as _rules  # noqa: F401  (the built-in rules are registered before any lookup)
from ..analysis.value_kinds import ARRAY_MUTATORS
from ..rules.registry import is_nondifferentiable, vjp_rule

Adapter = Callable[[list, gast.AST], list]

STATIC_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}


def in_rule_table(function: Any) -> bool:
    """Whether differentiation knows ``function``: a reverse rule, or declared without a gradient."""
    return vjp_rule(function) is not None or is_nondifferentiable(function)


# --- adapters ---------------------------------------------------------------------------------------------------


def same_positions(args: list[gast.expr], like: gast.AST) -> list[gast.expr]:
    """``x.m(a, b)`` → ``f(x, a, b)``."""
    return list(args)


def packed_positions(args: list[gast.expr], like: gast.AST) -> list[gast.expr]:
    """``x.m(a, b)`` → ``f(x, (a, b))``; ``x.m(a)`` → ``f(x, a)`` (``x.reshape((2, 3))`` and ``x.reshape(6)``
    pass one shape already); ``x.m()`` → ``f(x)``."""
    if len(args) <= 1:
        return list(args)
    return [gast.copy_location(gast.Tuple(list(args), gast.Load()), like)]


_ASTYPE_POSITIONS = ("dtype", "order", "casting", "subok", "copy")


def astype_keywords(args: list[gast.expr], like: gast.AST) -> list[gast.keyword]:
    """``x.astype(t, ...)`` → ``np.asarray(x, dtype=t, ...)``: the method's positional arguments by their
    names (``np.asarray`` refuses the ones it lacks, ``casting`` and ``subok``, rather than drop them)."""
    return [gast.keyword(name, arg) for name, arg in zip(_ASTYPE_POSITIONS, args)]


# --- matching a method's signature with a function's ---------------------------------------------------------

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _signature(callable_: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(callable_)
    except (TypeError, ValueError):
        return None


def _takes_keyword(params: list[inspect.Parameter], name: str) -> bool:
    return any(p.name == name and p.kind is not inspect.Parameter.POSITIONAL_ONLY for p in params) or \
        any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def adapter_for(method: Any, function: Any) -> Adapter | None:
    """How ``x.method(...)`` maps onto ``function(x, ...)``, or ``None`` when the arguments would not land on
    the parameters of the same meaning."""
    method_signature, function_signature = _signature(method), _signature(function)
    if method_signature is None or function_signature is None:
        return None
    method_params = list(method_signature.parameters.values())[1:]  # after self
    function_params = list(function_signature.parameters.values())
    if not function_params or function_params[0].kind not in _POSITIONAL:
        return None
    receiver, rest = function_params[0], function_params[1:]
    positional = [p for p in method_params if p.kind in _POSITIONAL]
    slots = [p for p in rest if p.kind in _POSITIONAL]
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in method_params):
        return packed_positions if not positional and slots else None
    if len(positional) > len(slots):
        return None
    for param, slot in zip(positional, slots):
        if param.name == slot.name:
            continue
        same_name = [p for p in function_params if p.name == param.name]
        if same_name and same_name[0].kind is not inspect.Parameter.KEYWORD_ONLY:
            return None  # the function has the parameter, at another position (np.compress's condition)
        if param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and not same_name:
            return None  # x.m(name=v) would pass a keyword the function lacks
    keywords = [p for p in method_params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    if any(not _takes_keyword([receiver, *rest], p.name) for p in keywords):
        return None
    return same_positions


def _is_method(attribute: Any) -> bool:
    return callable(attribute) and not isinstance(attribute, type)


def _method_candidates() -> dict[str, tuple[Callable, Adapter]]:
    """Every method of ``np.ndarray`` that does not update its array, with the same-named NumPy function
    and its adapter where the signatures match (whether the rule table knows the function is asked later)."""
    candidates: dict[str, tuple[Callable, Adapter]] = {}
    for name in dir(np.ndarray):
        if name.startswith("_") or name in ARRAY_MUTATORS:
            continue
        method, function = getattr(np.ndarray, name), getattr(np, name, None)
        if not _is_method(method) or function is None or not _is_method(function):
            continue
        adapter = adapter_for(method, function)
        if adapter is not None:
            candidates[name] = (function, adapter)
    for name in _SAME_POSITIONS:  # NumPy releases whose C methods have no signature to read (2.2 and older)
        if name not in candidates and callable(getattr(np, name, None)):
            candidates[name] = (getattr(np, name), same_positions)
    for name in ("reshape", "transpose"):
        candidates.setdefault(name, (getattr(np, name), packed_positions))
    candidates["flatten"] = (np.ravel, same_positions)
    candidates["astype"] = (np.asarray, astype_keywords)
    return candidates


# Methods whose positional arguments are, in every NumPy release, the same-named function's after the array:
# the table falls back on them where a release's methods carry no signature.
_SAME_POSITIONS = ("sum", "mean", "prod", "max", "min", "var", "std", "cumsum", "cumprod", "dot", "ravel",
                   "squeeze", "swapaxes", "clip", "copy", "trace", "argmax", "argmin", "all", "any", "round",
                   "diagonal", "repeat", "take", "nonzero", "argsort", "argpartition", "searchsorted", "choose",
                   "conj", "conjugate")


def _attribute_candidates() -> dict[str, Callable]:
    """Attributes of ``np.ndarray`` that are values computed from the array (not its shape or dtype): the
    NumPy function of the same name (``x.real`` is ``np.real(x)``), and the transposes."""
    candidates: dict[str, Callable] = {"T": np.transpose}
    if hasattr(np, "matrix_transpose"):
        candidates["mT"] = np.matrix_transpose
    for name in dir(np.ndarray):
        attribute = getattr(np.ndarray, name)
        function = getattr(np, name, None)
        if (inspect.isgetsetdescriptor(attribute) and name not in STATIC_ATTRIBUTES and function is not None
                and _is_method(function)):
            candidates[name] = function
    return candidates


class RuleTableView(Mapping):
    """The candidates whose function the rule table knows at the time of the lookup; an entry is the
    candidate itself (a ``(function, adapter)`` pair for methods, a function for attributes)."""

    def __init__(self, candidates: dict[str, Any]):
        self._candidates = candidates

    @staticmethod
    def _function(entry: Any) -> Any:
        return entry[0] if isinstance(entry, tuple) else entry

    def __getitem__(self, name: str) -> Any:
        entry = self._candidates[name]
        if not in_rule_table(self._function(entry)):
            raise KeyError(name)
        return entry

    def __iter__(self) -> Iterator[str]:
        return (name for name, entry in self._candidates.items() if in_rule_table(self._function(entry)))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sorted(self)})"


ARRAY_METHODS: Mapping[str, tuple[Callable, Adapter]] = RuleTableView(_method_candidates())
ARRAY_ATTRIBUTES: Mapping[str, Callable] = RuleTableView(_attribute_candidates())
