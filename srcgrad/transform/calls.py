"""What each primitive operation in the core language is: its rule, its differentiable inputs, purity.

Callees are resolved at transform time in the user's scope (``np.tanh`` → the ufunc object), which is how
an operation finds its row in the rule table."""

from __future__ import annotations

import builtins
import operator
from typing import Any

import gast
import numpy as np

from ..analysis.walk import STATIC_ATTRIBUTES, values_read
from ..errors import MissingRuleError, SrcgradSyntaxError
from ..frontend.parse import ParsedFunction
from ..frontend.resolve import UNRESOLVED, index_expression, resolve_callee
from ..function_values import call_value_with_vjp
from ..naming import Namespace
from ..records import get_field
from ..rules.registry import is_nondifferentiable, vjp_rule
from ..runtime import call_with_vjp, plus, times
from .builders import CallSite

BINARY = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Div: operator.truediv,
          gast.Pow: operator.pow, gast.MatMult: operator.matmul, gast.FloorDiv: operator.floordiv,
          gast.Mod: operator.mod}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_, gast.Invert: operator.invert}
_UNKNOWN = UNRESOLVED
_SEQUENCE_OPERATORS = {gast.Add: plus, gast.Mult: times}
IMPURE = {builtins.print, builtins.input, builtins.open, call_with_vjp, call_value_with_vjp}


# Constant arrays whose shape is their first argument (``np.ones((n, 1))``): the shape analysis reads it.
SHAPE_CONSTRUCTORS = (np.ones, np.zeros, np.empty, np.full)


class CallResolver:
    """Answers, for a value in the core language, which rule applies and what flows through it."""

    def __init__(self, parsed: ParsedFunction, namespace: Namespace, local_names: set[str],
                 sequences: set[str] | None = None):
        self.parsed = parsed
        self.namespace = namespace
        self.local_names = local_names
        # Variables not proven to hold numbers or arrays (``sequence_variables``): a ``+`` or ``*`` over
        # them may concatenate or repeat lists and tuples.
        self.sequences = sequences or set()

    def callee(self, func: gast.expr) -> Any:
        """The object a call's function expression names, or ``_UNKNOWN`` (a local variable, say)."""
        return resolve_callee(func, self.namespace, self.local_names)

    def primitive(self, value: gast.expr) -> Any:
        if isinstance(value, gast.BinOp):
            return BINARY.get(type(value.op), _UNKNOWN)
        if isinstance(value, gast.UnaryOp):
            return UNARY.get(type(value.op), _UNKNOWN)
        if isinstance(value, gast.Subscript):
            return operator.getitem
        if isinstance(value, gast.Attribute):
            return get_field  # an attribute of a record (records.py); an array's were lowered to calls
        if isinstance(value, gast.Call):
            return self.callee(value.func)
        return _UNKNOWN

    def differentiable_inputs(self, value: gast.expr) -> set[str]:
        """Names through which derivatives can flow into ``value``."""
        if isinstance(value, gast.Name):
            return {value.id}
        if isinstance(value, (gast.Constant, gast.Compare, gast.BoolOp, gast.JoinedStr, gast.Lambda)):
            return set()  # a lambda reads no local it is not given as a parameter (frontend/closures.py)
        if isinstance(value, gast.Attribute):
            return set() if value.attr in STATIC_ATTRIBUTES else _names(value.value)
        if isinstance(value, gast.Subscript):
            return _names(value.value)
        primitive = self.primitive(value)
        if primitive is not _UNKNOWN and is_nondifferentiable(primitive):
            return set()
        if isinstance(value, gast.Call):
            return set().union(*[_names(a) for a in value.args], *[_names(k.value) for k in value.keywords])
        return _names(value)

    def shape_preserving_primitive(self, value: gast.expr) -> Any:
        """The primitive of ``value`` if its output shape depends only on its operands' shapes."""
        if isinstance(value, gast.Attribute):  # a number a module holds (``np.pi``): the value itself
            number = resolve_callee(value, self.namespace, self.local_names)
            return number if isinstance(number, (int, float)) and not isinstance(number, bool) else None
        primitive = self.primitive(value)
        if primitive is _UNKNOWN:
            return None
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Subscript)):
            return primitive
        if primitive in IMPURE or isinstance(value, gast.Attribute):
            return None
        if primitive in SHAPE_CONSTRUCTORS:
            return primitive
        return primitive if vjp_rule(primitive) is not None else None

    def is_pure(self, value: gast.expr) -> bool:
        if not isinstance(value, gast.Call):
            return True
        primitive = self.primitive(value)
        if primitive is _UNKNOWN or primitive in IMPURE:
            return False
        return vjp_rule(primitive) is not None or is_nondifferentiable(primitive)

    def site(self, value: gast.expr) -> CallSite:
        """The rule and arguments of an *active* operation; an error when srcgrad cannot differentiate it."""
        primitive = self.primitive(value)
        rule = vjp_rule(primitive) if primitive is not _UNKNOWN else None
        if rule is not None:
            if isinstance(value, gast.BinOp):
                sequence_op = _SEQUENCE_OPERATORS.get(type(value.op))
                if sequence_op is not None and (self._may_be_sequence(value.left)
                                                or self._may_be_sequence(value.right)):
                    rule = vjp_rule(sequence_op)
                return CallSite(rule, [value.left, value.right], {})
            if isinstance(value, gast.UnaryOp):
                return CallSite(rule, [value.operand], {})
            if isinstance(value, gast.Subscript):
                return CallSite(rule, [value.value, index_expression(value.slice, self.namespace)], {})
            if isinstance(value, gast.Attribute):
                return CallSite(rule, [value.value, gast.Constant(value.attr, None)], {})
            return CallSite(rule, list(value.args), {k.arg: k.value for k in value.keywords})
        raise self._unsupported(value, primitive)

    def _may_be_sequence(self, operand: gast.expr) -> bool:
        if isinstance(operand, gast.Name):
            return operand.id in self.sequences
        return isinstance(operand, (gast.List, gast.Tuple))

    def _unsupported(self, value: gast.expr, primitive: Any) -> Exception:
        if isinstance(value, gast.Call):
            label = gast.unparse(value.func).strip()
            if primitive is _UNKNOWN:
                return self.parsed.error(value, f"cannot tell which function '{label}' is at transform time",
                                         "call a module-level function or a NumPy function directly",
                                         cls=MissingRuleError)
            return self.parsed.error(
                value, f"no derivative rule for '{label}' ({getattr(primitive, '__qualname__', primitive)!r})",
                f"register one: @srcgrad.defvjp({label})\n        def _(g, ans, x): return g * <d{label}/dx>",
                cls=MissingRuleError)
        what = {gast.List: "building a list", gast.Tuple: "building a tuple",
                gast.Attribute: "reading an attribute"}.get(type(value), type(value).__name__)
        return self.parsed.error(value, f"{what} from differentiable values is not supported yet",
                                 "pass the values separately or stack them with np.stack",
                                 cls=SrcgradSyntaxError)


_names = values_read
