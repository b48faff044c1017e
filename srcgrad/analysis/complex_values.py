"""Which values of a differentiated function may be complex, and a refusal for every operation on them
that srcgrad has not verified for complex operands.

srcgrad's derivative rules were written for real numbers. Many hold for complex operands as they stand, in
the convention of JAX and HIPS autograd (a complex cotangent ``dL/dx - i dL/dy``, holomorphic operations
transposed without conjugation): sums, products, quotients, exponentials, reductions, indexing, reshapes and
the Fourier transforms. Others would silently give a wrong derivative (``max``, ``sign``, ``linalg.norm``,
``var`` of a complex array). So complex values are tracked, from where they arise to where they become real
again, and an operation that sees one, together with a value that depends on the differentiated inputs, must
be in ``VERIFIED`` (checked by the rule tests with complex operands) or is refused at the user's line.

A value may be complex (flow-insensitively, to a fixpoint) when it is

* a complex literal (``1j``), or the result of a call given a complex dtype (``dtype=complex``,
  ``x.astype(np.complex64)``);
* the result of a function that makes complex numbers from real ones: ``np.fft``'s complex transforms,
  ``np.emath``, ``cmath``, ``scipy.fft``, ``np.roots``, ``np.linalg.eig``/``eigvals`` of values that do not
  depend on the differentiated inputs (differentiated, their rules refuse complex eigenvalues);
* a parameter whose example argument holds complex numbers, or a global, closure value or attribute (read
  without running properties) that holds them when the function is transformed;
* computed from such a value by anything but an operation whose result is real (``np.real``, ``np.imag``,
  ``np.abs``, ``np.angle``, ``irfft``, ``hfft``, comparisons, shapes).

A complex value may not cross a function boundary: passing one (that depends on the differentiated inputs)
to a function srcgrad differentiates through is an operation outside ``VERIFIED``, and a function whose
output may be complex is refused at its ``return``. ``np.abs`` of a value that may be complex is made a call
of ``complex_abs`` (``use_complex_abs``), whose rules hold for complex operands.

Not seen: complex numbers returned by a C function outside the list above, or by a property; a global
rebound to a complex value after the function was transformed."""

from __future__ import annotations

import builtins
import inspect
import numbers
import operator
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..errors import MissingRuleError
from ..frontend.parse import ParsedFunction
from ..frontend.resolve import UNRESOLVED
from ..rules.fft_helpers import complex_abs
from ..rules.helpers import power_base_grad
from ..rules.jvp_helpers import array_tangent, broadcast_tangent
from ..rules.registry import is_nondifferentiable
from ..runtime import call_output, call_plain, call_with_jvp, call_with_vjp, inexact_only, plus, times
from .activity import assignments
from .walk import children, walk

_FFT = np.fft
# Transforms whose result is complex whatever their input; the others of np.fft return real arrays.
COMPLEX_TRANSFORMS = (_FFT.fft, _FFT.ifft, _FFT.fft2, _FFT.ifft2, _FFT.fftn, _FFT.ifftn, _FFT.rfft, _FFT.rfft2,
                      _FFT.rfftn, _FFT.ihfft)
REAL_TRANSFORMS = (_FFT.irfft, _FFT.irfft2, _FFT.irfftn, _FFT.hfft)

# Operations whose derivative rules (reverse and forward) are checked with complex operands in
# tests/rules/cases_fft.py and end to end in tests/transform/test_fft_functions.py.
VERIFIED = (
    operator.add, operator.sub, operator.mul, operator.truediv, operator.neg, operator.pos, operator.matmul,
    operator.getitem, np.add, np.subtract, np.multiply, np.divide, np.negative, np.positive, np.square, np.exp,
    np.sum, np.mean, np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze, np.expand_dims,
    np.concatenate, np.stack, np.flip, np.roll, np.copy, np.asarray, np.array, np.where, np.matmul, np.dot,
    np.broadcast_to, np.real, np.imag, np.conjugate, np.angle, complex_abs, *COMPLEX_TRANSFORMS,
    *REAL_TRANSFORMS, _FFT.fftshift, _FFT.ifftshift, plus, times, array_tangent, broadcast_tangent, inexact_only,
    call_output,
)
# Calls through which srcgrad differentiates a function: a complex value may pass only into srcgrad's own
# helpers that forward rules call (``rules/jvp_helpers.py``: ``dense_tangents``, ``array_jvp``), which are
# linear in the tangents they are given and are reached only through the forward rules of operations above.
CALLS = (call_with_vjp, call_plain, call_with_jvp)
# Powers: holomorphic in the base for a constant real exponent (the exponent's position).
POWERS = {id(operator.pow): 1, id(np.power): 1, id(power_base_grad): 2}
# np.abs of a value that may be complex becomes complex_abs (see ``use_complex_abs``).
ABS = (np.absolute, builtins.abs)
_VERIFIED = {id(f) for f in VERIFIED}

# Results that are real whatever the operands (besides comparisons and the attributes of shape).
REAL_RESULTS = (np.real, np.imag, np.angle, np.absolute, builtins.abs, complex_abs, *REAL_TRANSFORMS, _FFT.fftfreq,
                _FFT.rfftfreq, np.shape, np.ndim, np.size, builtins.len, builtins.int, builtins.float,
                builtins.bool, builtins.range, builtins.isinstance, np.isnan, np.isinf, np.isfinite, np.isreal,
                np.iscomplex, np.iscomplexobj, np.isrealobj, np.equal, np.not_equal, np.less, np.less_equal,
                np.greater, np.greater_equal, np.argmax, np.argmin, np.argsort, np.nonzero, np.all, np.any,
                np.count_nonzero, np.allclose, np.isclose, np.array_equal, np.logical_and, np.logical_or,
                np.logical_not, np.logical_xor)
_REAL_RESULTS = {id(f) for f in REAL_RESULTS}
_COMPLEX_RESULTS = {id(f) for f in (*COMPLEX_TRANSFORMS, builtins.complex, np.complex64, np.complex128,
                                    np.clongdouble, np.roots)}
# Complex for some arguments; when differentiated, their rules refuse complex results when the code runs.
_COMPLEX_UNLESS_DIFFERENTIATED = {id(np.linalg.eig), id(np.linalg.eigvals)}
_COMPLEX_MODULES = ("cmath", "numpy.lib.scimath", "numpy.lib._scimath_impl", "numpy.emath", "scipy.fft")
_BINARY = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Div: operator.truediv,
           gast.Pow: operator.pow, gast.MatMult: operator.matmul, gast.FloorDiv: operator.floordiv,
           gast.Mod: operator.mod}
_UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_, gast.Invert: operator.invert}
_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**", gast.MatMult: "@",
            gast.FloorDiv: "//", gast.Mod: "%", gast.USub: "-", gast.UAdd: "+", gast.Not: "not", gast.Invert: "~"}
_SHAPE_ATTRIBUTES = {"shape", "ndim", "size", "itemsize", "nbytes", "strides", "flags", "real", "imag"}
_HINT = ("take the complex value apart first (np.real, np.imag, np.abs, np.angle, z * np.conj(z)), or use the "
         "operations srcgrad differentiates on complex values (docs/supported.md, 'Fourier transforms')")


def holds_complex(value: Any, budget: list[int] | None = None) -> bool:
    """Whether ``value`` is or holds (in lists, tuples and dicts, looked through up to 10,000 items) a
    complex number or array."""
    budget = [10_000] if budget is None else budget
    budget[0] -= 1
    try:
        dtype = None if isinstance(value, type) else getattr(value, "dtype", None)
        if dtype is not None:
            return np.dtype(dtype).kind == "c"
    except Exception:  # an object whose dtype is no dtype (a module's dtype class), or raises
        return False
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return True
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(budget[0] > 0 and holds_complex(item, budget) for item in value)
    return False


def complex_dtype(value: Any) -> bool:
    """``complex``, ``np.complex128``, ``np.dtype("c8")``, ``"complex64"``: a complex dtype."""
    if value is None or not isinstance(value, (type, str, np.dtype)):
        return False
    try:
        return np.dtype(value).kind == "c"
    except TypeError:
        return False


class ComplexValues:
    """The analysis of one function in A-normal form. See the module docstring."""

    def __init__(self, fn: gast.FunctionDef, varied: set[str], callee_of: Callable[[gast.expr], Any],
                 parsed: ParsedFunction, examples: dict[str, Any] | None = None):
        self.fn = fn
        self.varied = varied
        self.callee_of = callee_of
        self.parsed = parsed
        self.examples = examples or {}
        self.local = {t for t, _ in assignments(fn.body)} | {a.id for a in fn.args.args} | {
            s.target.id for s in walk(fn) if isinstance(s, gast.For) and isinstance(s.target, gast.Name)}
        self._static: dict[Any, bool] = {}  # names and attributes read from outside: complex or not
        self.names = {p for p, v in self.examples.items() if holds_complex(v)}
        flows = list(assignments(fn.body))
        changed = True
        while changed:
            changed = False
            for target, value in flows:
                if target not in self.names and self.produces_complex(value):
                    self.names.add(target)
                    changed = True

    # --- what may be complex --------------------------------------------------------------------------------

    def static_value(self, node: gast.expr) -> Any:
        """The value a name or an attribute chain has at transform time (a parameter's example, a global, a
        closure value, an attribute read without running a property), or ``UNRESOLVED``."""
        if isinstance(node, gast.Name):
            if node.id in self.examples:
                return self.examples[node.id]
            if node.id in self.local:
                return UNRESOLVED
            return self.callee_of(node)
        if isinstance(node, gast.Attribute):
            base = self.static_value(node.value)
            if base is UNRESOLVED:
                return UNRESOLVED
            if inspect.ismodule(base) or isinstance(base, type):
                return getattr(base, node.attr, UNRESOLVED)
            try:
                value = inspect.getattr_static(base, node.attr)
            except AttributeError:
                return UNRESOLVED
            return UNRESOLVED if hasattr(type(value), "__get__") and not holds_complex(value) else value
        return UNRESOLVED

    def may_be_complex(self, node: gast.AST | None) -> bool:
        """Whether the operand expression ``node`` may evaluate to (or hold) a complex value."""
        if node is None:
            return False
        if isinstance(node, gast.Constant):
            return isinstance(node.value, complex)
        if isinstance(node, gast.Name):
            return node.id in self.names or self._static_complex(node)
        if isinstance(node, gast.Attribute):
            if self._static_complex(node):
                return True
            return node.attr not in _SHAPE_ATTRIBUTES and self.may_be_complex(node.value)
        if isinstance(node, gast.Subscript):
            return self.may_be_complex(node.value)
        if isinstance(node, (gast.Compare, gast.BoolOp)):
            return False
        if isinstance(node, (gast.Call, gast.BinOp, gast.UnaryOp)):
            return self.produces_complex(node)
        return any(self.may_be_complex(child) for child in children(node)
                   if isinstance(child, gast.expr))

    def _static_complex(self, node: gast.expr) -> bool:
        """Whether a name or attribute read from outside the function holds complex values (memoized: a
        global list is looked through once)."""
        key: Any = node.id if isinstance(node, gast.Name) else id(node)
        if key not in self._static:
            value = self.static_value(node)
            self._static[key] = value is not UNRESOLVED and holds_complex(value)
        return self._static[key]

    def operands(self, value: gast.expr) -> list[gast.expr]:
        """The operand expressions of an operation in A-normal form."""
        if isinstance(value, gast.BinOp):
            return [value.left, value.right]
        if isinstance(value, gast.UnaryOp):
            return [value.operand]
        if isinstance(value, gast.Subscript):
            return [value.value]
        if isinstance(value, gast.Call):
            receiver = [value.func.value] if isinstance(value.func, gast.Attribute) and \
                self.callee_of(value.func) is UNRESOLVED else []
            return [*receiver, *value.args, *[k.value for k in value.keywords]]
        return [value]

    def produces_complex(self, value: gast.expr) -> bool:
        """Whether the result of ``value`` (the right-hand side of an assignment) may be complex."""
        if isinstance(value, (gast.Compare, gast.BoolOp)):
            return False
        if isinstance(value, gast.Call):
            callee = self.callee_of(value.func)
            if callee is not UNRESOLVED:
                if id(callee) in _REAL_RESULTS:
                    return False
                if id(callee) in _COMPLEX_RESULTS or (getattr(callee, "__module__", None) or "").startswith(
                        _COMPLEX_MODULES):
                    return True
                if id(callee) in _COMPLEX_UNLESS_DIFFERENTIATED and not any(
                        n.id in self.varied for n in walk(value) if isinstance(n, gast.Name)):
                    return True
            if self._complex_dtype_argument(value, callee):
                return True
            return any(self.may_be_complex(operand) for operand in self.operands(value))
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Subscript)):
            return any(self.may_be_complex(operand) for operand in self.operands(value))
        return self.may_be_complex(value)

    def _complex_dtype_argument(self, call: gast.Call, callee: Any) -> bool:
        """A complex dtype among the arguments: a type or dtype object anywhere, a string as ``dtype=``
        (or in the position of the callee's ``dtype`` parameter)."""
        for keyword in call.keywords:
            if keyword.arg == "dtype" and complex_dtype(self._constant_or_static(keyword.value)):
                return True
        values = [self._constant_or_static(a) for a in call.args]
        if any(not isinstance(v, str) and complex_dtype(v) for v in values):
            return True
        if callee is UNRESOLVED or not any(isinstance(v, str) for v in values):
            return False
        try:
            bound = inspect.signature(callee).bind_partial(*values)
        except (TypeError, ValueError):
            return False
        return complex_dtype(bound.arguments.get("dtype"))

    def _constant_or_static(self, node: gast.expr) -> Any:
        if isinstance(node, gast.Constant):
            return node.value
        value = self.static_value(node)
        return None if value is UNRESOLVED else value

    # --- what is refused ----------------------------------------------------------------------------------

    def check(self, returned: gast.expr | None) -> None:
        """Raise ``MissingRuleError`` at the first operation that sees a complex value and a value that
        depends on the differentiated inputs and is not verified for complex operands, or at a ``return``
        of a value that may be complex. srcgrad's own helpers are not checked (see ``CALLS``)."""
        if _own_code(self.parsed.fn):
            return
        # Without a variable that may be complex, only a statement without a target could see one.
        statements = own_scope(self.fn) if self.names else (
            n for n in own_scope(self.fn) if isinstance(n, gast.Expr))
        for node in statements:
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
                self._check_operation(node.value, node.targets[0].id in self.varied)
            elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
                self._check_operation(node.value, False)
        if returned is not None:
            for part in (returned.elts if isinstance(returned, (gast.Tuple, gast.List)) else [returned]):
                if self.may_be_complex(part):
                    raise self.parsed.error(
                        part, "the function's output may be complex: srcgrad differentiates real outputs, and a "
                        "complex value may not leave a function srcgrad differentiates through",
                        "return a real value (np.real(z), np.abs(z) ** 2, ...), or compute the complex value "
                        "where it is used", cls=MissingRuleError)

    def _check_operation(self, value: gast.expr, varied_result: bool) -> None:
        if isinstance(value, (gast.Name, gast.Constant, gast.Attribute, gast.List, gast.Tuple, gast.Dict,
                              gast.Compare, gast.BoolOp)):
            return  # no derivative rule: copies, containers and comparisons
        operands = self.operands(value)
        if not varied_result and not any(n.id in self.varied for o in operands for n in walk(o)
                                         if isinstance(n, gast.Name)):
            return  # nothing that depends on the differentiated inputs: no derivative flows
        complex_operands = [o for o in operands if self.may_be_complex(o)]
        if not complex_operands and not self.produces_complex(value):
            return
        primitive, label = self._primitive(value)
        if primitive is not UNRESOLVED and is_nondifferentiable(primitive):
            return
        if primitive is not UNRESOLVED and id(primitive) in POWERS:
            position = POWERS[id(primitive)]
            exponent = operands[position] if position < len(operands) else None
            if exponent is not None and (self.may_be_complex(exponent) or any(
                    n.id in self.varied for n in walk(exponent) if isinstance(n, gast.Name))):
                raise self.parsed.error(
                    value, f"'{label}' with a complex base and an exponent that is complex or depends on the "
                    "differentiated inputs: srcgrad differentiates powers of complex values only for a constant "
                    "real exponent", _HINT, cls=MissingRuleError)
            return
        if any(primitive is f for f in ABS) and _is_plain_abs(value):
            return  # made a call of complex_abs (use_complex_abs)
        if any(primitive is f for f in CALLS) and value.args and _own_code(self.callee_of(value.args[0])):
            return
        if primitive is not UNRESOLVED and id(primitive) in _VERIFIED:
            dtype = next((k.value for k in getattr(value, "keywords", []) if k.arg == "dtype"), None)
            if dtype is None or complex_dtype(self._constant_or_static(dtype)):
                return
            raise self.parsed.error(
                value, f"'{label}' with a real dtype= on a complex value: the cast would drop the imaginary part",
                "take the real part with np.real first", cls=MissingRuleError)
        if _is_call_through(primitive) and value.args:
            function = gast.unparse(value.args[0]).strip()
            raise self.parsed.error(
                value, f"a complex value that depends on the differentiated inputs is passed to '{function}', a "
                "function srcgrad differentiates through: complex values may not cross a function boundary",
                "pass real values (np.real(z), np.imag(z)) and form the complex value inside the function, or "
                "compute it where it is used", cls=MissingRuleError)
        what = "a complex value" if complex_operands else "an operation whose result may be complex"
        raise self.parsed.error(
            value, f"'{label}' on {what} that depends on the differentiated inputs: srcgrad has not verified "
            "its derivative rule for complex operands", _HINT, cls=MissingRuleError)

    def _primitive(self, value: gast.expr) -> tuple[Any, str]:
        if isinstance(value, gast.BinOp):
            return _BINARY.get(type(value.op), UNRESOLVED), _SYMBOLS.get(type(value.op), "operator")
        if isinstance(value, gast.UnaryOp):
            return _UNARY.get(type(value.op), UNRESOLVED), _SYMBOLS.get(type(value.op), "operator")
        if isinstance(value, gast.Subscript):
            return operator.getitem, "indexing"
        if isinstance(value, gast.Call):
            return self.callee_of(value.func), gast.unparse(value.func).strip()
        return UNRESOLVED, type(value).__name__


def own_scope(fn: gast.FunctionDef):
    """The nodes of ``fn``, without the bodies of the functions it defines (checked as callees)."""
    stack: list[gast.AST] = [fn]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in children(node) if not isinstance(child, gast.FunctionDef))


def _is_call_through(primitive: Any) -> bool:
    """``call_with_vjp`` and its kin: a call of the user's code (or of a callable srcgrad finds at run time)."""
    own = (getattr(primitive, "__module__", None) or "").startswith("srcgrad.")
    return any(primitive is f for f in CALLS) or (own and getattr(primitive, "__name__", "").startswith(
        ("call_value_with", "call_with")))


def _own_code(function: Any) -> bool:
    """Whether ``function`` is one of srcgrad's rule helpers."""
    return (getattr(function, "__module__", None) or "").startswith("srcgrad.rules.")


def _is_plain_abs(call: gast.expr) -> bool:
    """``np.abs(z)`` with one argument, a name: the form ``use_complex_abs`` rewrites."""
    return isinstance(call, gast.Call) and len(call.args) == 1 and isinstance(call.args[0], gast.Name) \
        and not call.keywords


def check_complex_values(fn: gast.FunctionDef, varied: set[str], callee_of: Callable[[gast.expr], Any],
                         parsed: ParsedFunction, examples: dict[str, Any] | None = None,
                         returned: gast.expr | None = None) -> set[str]:
    """The variables of ``fn`` that may hold complex values; raises ``MissingRuleError`` at the first
    operation on one that is not verified for complex operands (see the module docstring)."""
    analysis = ComplexValues(fn, varied, callee_of, parsed, examples)
    analysis.check(returned)
    return analysis.names


def use_complex_abs(fn: gast.FunctionDef, names: set[str], callee_of: Callable[[gast.expr], Any],
                    ref: Callable[[Any], gast.expr]) -> None:
    """``np.abs(z)`` → ``complex_abs(z)`` where ``z`` may be complex: ``np.abs``'s rule (``g * sign(x)``) is
    right for real ``x`` only, and real code keeps it."""
    if not names:
        return
    for node in walk(fn):
        if _is_plain_abs(node) and node.args[0].id in names and any(callee_of(node.func) is f for f in ABS):
            node.func = ref(complex_abs)
