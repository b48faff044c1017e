"""The public differentiation API, with JAX's conventions: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
``show``.

The first call with a new input signature (types, shapes, dtypes) runs the variant that also returns the
output, to check that it is a scalar; later calls run the gradient-only variant, from which dead-code
elimination has removed whatever only computed the output. The caches live in ``srcgrad.cache``; what
inputs are accepted and how gradients are handed back, in ``srcgrad.boundary``; calls from generated code
into the user's functions, in ``srcgrad.callees``."""

from __future__ import annotations

import copy
import functools
import inspect
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import cache
from .binding import Binding, bind, is_variadic, item_of
from .boundary import (
    check_input,
    check_output,
    check_same_structure,
    check_tangent,
    fresh_gradient,
    fresh_gradients,
)
from .cache import (
    CACHE,
    forward_generated,
    recording,
    reverse_generated,
    reverse_variants_run,
    shape_class_of,
    signature_of,
)
from .errors import NonScalarOutputError, SourceUnavailableError, SrcgradError, UnsupportedTransformError
from .locate import locating
from .numba_backend import Compiled, checked_compiler, compiled_vjp, lowered_source, run_compiled, where_of
from .passes import OPTIMIZATIONS, WITHOUT_OUTPUT, WITHOUT_OUTPUT_SUMMARY
from .pipeline import Generated, forward_transform, reverse_variants
from .rules.helpers import shape_of
from .rules.registry import vjp_rule
from .runtime import call_with_jvp, is_callable_instance, zero_cotangent


def _call_primitive(primitive: Callable, x: Any) -> Any:
    return primitive(x)


# Argument types whose generic code the test suite runs as it runs the specialized one (SRCGRAD_SHAPE_
# SPECIALIZATION=never): only signatures of these share generic code across shapes.
_PLAIN_TYPES = (float, int, bool, np.ndarray, np.float64, np.float32)   # arrays of real or integer dtypes


def _shares_generic_code(value: Any) -> bool:
    return type(value) in _PLAIN_TYPES and (type(value) is not np.ndarray or value.dtype.kind in "fiub")


class _Differentiated:
    """Shared machinery of ``grad`` and ``value_and_grad``."""

    def __init__(self, fn: Callable, argnums: int | Sequence[int], has_aux: bool, with_value: bool,
                 compile: str | None = None):
        self.compile = checked_compiler(compile)
        self.compiled: dict[tuple, Compiled] = {}   # signature -> its Numba-compiled code (compile="numba")
        self.single = isinstance(argnums, int)
        self.name = getattr(fn, "__name__", "f")  # errors name the user's function, not a wrapper of it
        self.user_fn = fn  # what errors about the output point at
        reject_transformation(fn, "value_and_grad" if with_value else "grad")
        argnums = _checked_argnums(argnums, self.name)
        # grad(partial(loss, data=d)): the partial's arguments are constants, passed on every call
        partial_args: tuple = ()
        self.keywords: dict[str, Any] = {}
        if isinstance(fn, functools.partial) and (inspect.isfunction(fn.func) or inspect.ismethod(fn.func)):
            partial_args, self.keywords, fn = fn.args, dict(fn.keywords), fn.func
            self.name = getattr(fn, "__name__", self.name)
        if is_callable_instance(fn):
            fn = fn.__call__
        # A bound method is differentiated as its function, with the instance as a leading argument; a
        # primitive of the rule table (grad(np.sin)) through a one-line function that calls it.
        if inspect.ismethod(fn):
            self.bound, self.fn = (fn.__self__,), fn.__func__
        elif vjp_rule(fn) is not None and not inspect.isfunction(fn):
            self.bound, self.fn = (fn,), _call_primitive
        else:
            self.bound, self.fn = (), fn
        self.bound += partial_args
        self.argnums = tuple(i + len(self.bound) if i >= 0 else i for i in argnums)
        self.has_aux = has_aux
        self.with_value = with_value
        try:
            self.signature = inspect.signature(self.fn, follow_wrapped=False)
        except (TypeError, ValueError) as exc:  # a partial of a ufunc on Python 3.10, a C callable
            raise SourceUnavailableError(
                f"srcgrad can only transform Python functions; the signature of {fn!r} cannot be read ({exc}). "
                "Call it from a def, or register a rule for it with srcgrad.defvjp.") from None
        self.n_params = len(self.signature.parameters)
        self.variadic = is_variadic(self.signature)
        if not self.variadic:
            for i in argnums:
                if not -self.n_params + len(self.bound) <= i < self.n_params - len(self.bound):
                    raise ValueError(f"argnums {i} is out of range: {self.name} takes "
                                     f"{self.n_params - len(self.bound)} argument(s)")
        # signature -> (code, inputs plain), least recently used first; dropped when the code cache is cleared
        self.variants: OrderedDict[tuple, tuple[Generated, bool]] = OrderedDict()
        self.classes: dict[tuple, tuple] = {}   # shape class -> the first signature specialized to it
        self.generation = CACHE.generation
        functools.update_wrapper(self, fn, updated=())  # not fn.__dict__: it may be a srcgrad object
        self.__wrapped__ = None

    def _positional(self, args: tuple, kwargs: dict) -> Sequence[Any]:
        args = self.bound + args
        if not kwargs and len(args) == self.n_params:
            return args
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return list(bound.arguments.values())

    def _run(self, args: tuple, kwargs: dict, seed: Any = 1.0) -> tuple[Any, Any]:
        if self.keywords:
            kwargs = {**self.keywords, **kwargs}
        if self.variadic:
            return self._run_variadic(args, kwargs, seed)
        values = self._positional(args, kwargs)
        value, gradients = self._gradients(values, self.argnums, seed, check=True)
        gradients = fresh_gradients(gradients, [values[i] for i in self.argnums], seed)
        return value, gradients[0] if self.single else gradients

    def _run_variadic(self, args: tuple, kwargs: dict, seed: Any) -> tuple[Any, Any]:
        """A function with ``*args``/``**kwargs``/keyword-only parameters: ``argnums`` count the call's
        positional arguments, as in JAX; the generated code is differentiated with respect to the
        parameters that hold them (a ``*args`` tuple as a whole) and the requested items picked out."""
        name = self.name
        binding = bind(self.signature, self.bound + args, kwargs)
        slots = [self._slot(binding, i, len(self.bound) + len(args), name) for i in self.argnums]
        params = tuple(sorted({param for param, _ in slots}))
        likes = [item_of(binding.values[param], key) for param, key in slots]
        for i, like in zip(self.argnums, likes):
            check_input(like, i, name)
        value, by_param = self._gradients(binding.values, params, seed, check=False)
        picked = [item_of(by_param[params.index(param)], key) for param, key in slots]
        gradients = fresh_gradients(picked, likes, seed)
        return value, gradients[0] if self.single else gradients

    def _slot(self, binding: Binding, position: int, passed: int, name: str) -> tuple[int, Any]:
        parameters = list(self.signature.parameters.values())
        if position < 0:
            position += passed
        if 0 <= position < passed:
            return binding.slot(position)
        if position < len(parameters) and parameters[position].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            return position, None  # passed by keyword, or left to its default
        raise ValueError(f"argnums {position} is out of range: {name} was called with {passed} positional "
                         "arguments")

    def _ready_call(self, args: tuple) -> tuple[Sequence[Any], Callable] | None:
        """The most common call, without the general path's steps: positional arguments only (no keywords,
        none bound by a partial, no ``*args``), and code ready for their signature (``_ready``). Returns
        the arguments with those bound first, and the code to call them and the seed with."""
        if self.keywords or self.variadic:
            return None
        values = self.bound + args if self.bound else args
        if len(values) != self.n_params:
            return None
        ready = self._ready((signature_of(values), getattr(self.fn, "__code__", None), self.argnums))
        return None if ready is None else (values, ready)

    def _handed_out(self, values: Sequence[Any], gradients: tuple) -> Any:
        """``_run``'s gradients for ``grad``'s seed: owned by the caller, typed like the inputs."""
        if self.single:
            return fresh_gradient(gradients[0], values[self.argnums[0]], 1.0)
        return fresh_gradients(gradients, [values[i] for i in self.argnums], 1.0)

    def _ready(self, key: tuple) -> Callable | None:
        """The code to run for a call whose signature has code that needs nothing more (the common call): no
        input check (a float's or an array's signature pins what it checked), no redefined helper, no
        Numba compilation, no cleared cache; None for any other call, which ``_gradients`` handles.
        ``key``: the signature of the call's values, the function's code and the argnums."""
        entry = self.variants.get(key)
        if entry is None or not entry[1] or self.compile is not None or self.generation != CACHE.generation \
                or not entry[0].current():
            return None
        self.variants.move_to_end(key)
        generated = entry[0]
        generated.refresh()
        return generated.function

    def _gradients(self, values: Sequence[Any], argnums: tuple[int, ...], seed: Any,
                   check: bool) -> tuple[Any, tuple]:
        """``(value or None, gradients wrt argnums)`` from the generated code for ``values``' signature;
        ``check``: check the inputs ``argnums`` (unless their signature already pins type and dtype)."""
        key = (signature_of(values), getattr(self.fn, "__code__", None), argnums)
        ready = self._ready(key)
        if ready is not None:
            if self.with_value or self.has_aux:
                return ready(*values, seed)
            return None, ready(*values, seed)
        if self.generation != CACHE.generation:
            self.variants.clear()
            self.classes.clear()
            self.compiled.clear()
            self.generation = CACHE.generation
        entry = self.variants.get(key)
        if entry is not None and not entry[0].current():
            entry = None  # a helper inlined into the code was redefined: transform anew
        # The signature pins the type and dtype of a float or an array, so for those the input check made
        # when the entry was created still holds; the contents of a dict or list may have changed.
        if check and (entry is None or not entry[1]):
            for i in argnums:
                check_input(values[i], i, self.name)
        if entry is None:
            # First call with this signature: run the variant that also returns the output, to check it.
            examples = self._examples_for(values, key)
            try:
                generated = reverse_generated(self.fn, argnums, True, self.has_aux, examples,
                                              also_without_value=not (self.with_value or self.has_aux))
            except SrcgradError:
                if examples is None:   # the generic code needs the call (a variadic function): specialize
                    examples = values
                    generated = reverse_generated(self.fn, argnums, True, self.has_aux, examples,
                                                  also_without_value=not (self.with_value or self.has_aux))
                else:
                    raise
            generated.refresh()
            try:
                value, gradients = generated.function(*values, seed)
            except SrcgradError:
                raise  # a refusal says what is wrong already
            except Exception:
                # The adjoint sweep of an output that is not a real scalar may fail before the check below
                # can say so: find out from the function itself (only on this failure path).
                self._check_output_after_failure(values)
                raise
            self._check_output(value[0] if self.has_aux else value)
            plain = all(type(values[i]) in (float, np.ndarray) for i in argnums)
            self.variants[key] = (reverse_generated(self.fn, argnums, self.with_value or self.has_aux,
                                             self.has_aux, examples), plain)
            while len(self.variants) > CACHE.limit:
                dropped, _ = self.variants.popitem(last=False)
                self.compiled.pop(dropped, None)
            if self.compile is not None:
                self._compile(key, values, seed)
        else:
            self.variants.move_to_end(key)
            generated = entry[0]
            generated.refresh()
            function = generated.function
            if self.compile is not None and key in self.compiled:
                if not self.compiled[key].current(generated.namespace):
                    self._compile(key, values, seed)   # a global the code reads was rebound: compile anew
                function = self.compiled[key]
            if self.with_value or self.has_aux:
                value, gradients = function(*values, seed)
            else:
                value, gradients = None, function(*values, seed)
        return value, gradients

    def _compile(self, key: tuple, values: Sequence[Any], seed: Any) -> None:
        """Compile the code stored for ``key`` with Numba, keeping it only if it gives what the uncompiled
        code gives for this first call (``numba_backend``)."""
        generated = self.variants[key][0]
        compiled = Compiled.of(generated, self.compile == "numba!", where_of(self.fn, self.name))
        compiled.first_call((*values, seed), generated.function(*values, seed))
        self.compiled[key] = compiled

    def _examples_for(self, values: Sequence[Any], key: tuple) -> Sequence[Any] | None:
        """The arguments to specialize the code to, or None for the generic code (``set_shape_specialization``):
        under ``"first"``, a signature of numbers and arrays whose ranks and dtypes an earlier one of other
        shapes had gets the generic code, so that a new batch size is not transformed again."""
        policy = cache.specialization
        if policy == "always" or not all(_shares_generic_code(v) for v in values):
            # containers, records and complex values: what the code is specialized to decides how they are
            # differentiated (a complex argument's analysis needs its dtype), so they always get their own
            return values
        if policy == "never":
            return None
        first = self.classes.setdefault((shape_class_of(values), key[1:]), key)
        return values if first == key else None

    def _check_output(self, output: Any) -> None:
        """The output checks of a signature's first call (``OutputTypeError``, ``NonScalarOutputError``)."""
        check_output(output, self.user_fn, "value_and_grad" if self.with_value else "grad")
        if isinstance(output, (list, tuple, dict)):
            raise NonScalarOutputError(
                f"grad requires a scalar output, but {self.name} returned a {type(output).__name__}; return one "
                "value, use has_aux=True for (output, aux), or srcgrad.vjp for several outputs.")
        if shape_of(output) != () and math.prod(shape_of(output)) != 1:  # one element, any shape, is a scalar
            raise NonScalarOutputError(
                f"grad requires a scalar output, but {self.name} returned an array of shape {shape_of(output)}; "
                "use srcgrad.vjp for non-scalar outputs.")

    def _check_output_after_failure(self, values: Sequence[Any]) -> None:
        if self.variadic:
            return  # ``values`` are per parameter (a ``*args`` tuple as one): not a call of the function
        try:
            output = self.fn(*copy.deepcopy(values))  # on copies: the function may update its arguments
        except Exception:
            return  # the function itself fails: its own error is the one to see
        if self.has_aux:
            if not isinstance(output, (tuple, list)) or len(output) != 2:
                return
            output = output[0]
        try:
            self._check_output(output)
        except SrcgradError as refusal:
            raise refusal from None  # the output is the problem, not the sweep that failed on it


class GradFunction(_Differentiated):
    """What ``grad(f)`` returns: calling it returns the gradient (and the auxiliary data with has_aux)."""

    @locating
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and not self.has_aux:
            found = self._ready_call(args)
            if found is not None:
                values, ready = found
                return self._handed_out(values, ready(*values, 1.0))
        value, gradients = self._run(args, kwargs)
        if self.has_aux:
            return gradients, value[1]
        return gradients


class ValueAndGradFunction(_Differentiated):
    """What ``value_and_grad(f)`` returns: calling it returns ``(value, gradient)``."""

    @locating
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and not self.has_aux:
            found = self._ready_call(args)
            if found is not None:
                values, ready = found
                value, gradients = ready(*values, 1.0)
                return value, self._handed_out(values, gradients)
        value, gradients = self._run(args, kwargs)
        return value, gradients


def _checked_argnums(argnums: Any, name: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of ints, or a ``TypeError`` saying what is wrong with it."""
    items = (argnums,) if isinstance(argnums, int) else argnums
    if isinstance(argnums, bool) or not isinstance(items, (tuple, list)) or not items or any(
            isinstance(i, bool) or not isinstance(i, int) for i in items):
        raise TypeError(f"argnums of grad({name}) must be an int or a non-empty tuple of ints, not {argnums!r}")
    if len(set(items)) != len(items):
        raise ValueError(f"argnums of grad({name}) repeats a position: {argnums!r}")
    return tuple(items)


def grad(fun: Callable | None = None, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         compile: str | None = None) -> Any:
    """The gradient of a scalar function, generated by source transformation.

    ``@grad`` and ``grad(f, argnums=(0, 2))`` both work. The returned function takes ``f``'s arguments and
    returns the gradient with respect to argument ``argnums`` (a tuple of gradients for a tuple of
    argnums); with ``has_aux=True``, ``f`` returns ``(output, aux)`` and the call returns ``(grad, aux)``.
    ``compile="numba"`` compiles each signature's gradient with Numba (docs/compiled.md): where Numba cannot,
    it warns and runs the uncompiled code; ``compile="numba!"`` raises ``CompileError`` instead."""
    if fun is None:
        return functools.partial(grad, argnums=argnums, has_aux=has_aux, compile=compile)
    if isinstance(fun, (GradFunction, NthDerivative)) and not has_aux and compile is None:
        return NthDerivative.of(fun, argnums)
    return GradFunction(fun, argnums, has_aux, with_value=False, compile=compile)


class NthDerivative:
    """``grad(grad(f))`` (and deeper) in the first argument, a float (further arguments held fixed): the
    n-th derivative, by forward mode applied to generated code n times (``srcgrad.derivative``). The gradient of a gradient is only a
    gradient when the inner function maps a float to a float; for arrays use ``hessian`` or ``hvp``."""

    def __init__(self, fn: Callable, order: int):
        self.fn, self.order = fn, order
        functools.update_wrapper(self, fn, updated=())  # not fn.__dict__: it may be a srcgrad object
        self.__wrapped__ = None

    @classmethod
    def of(cls, inner: Any, argnums: Any) -> NthDerivative:
        if isinstance(inner, NthDerivative):
            fn, order = inner.fn, inner.order + 1
        else:
            if inner.argnums != (0,) or not inner.single or inner.has_aux or inner.bound:
                raise UnsupportedTransformError("grad of a gradient is supported for functions of one float; "
                                                "use srcgrad.hessian or srcgrad.hvp for arrays")
            fn, order = inner.fn, 2
        if argnums != 0:
            raise UnsupportedTransformError("grad of a gradient is supported for functions of one float")
        return cls(fn, order)

    def __call__(self, x: float, *rest: Any) -> float:
        from .higher import derivative  # noqa: PLC0415  (higher.py composes this module's vjp and jvp)

        check_input(x, 0, getattr(self.fn, "__name__", "f"))
        if not isinstance(x, float):
            raise NonScalarOutputError("grad of a gradient needs a function of one float (the inner gradient "
                                       "of an array function is not a scalar); use srcgrad.hessian or hvp")
        return derivative(self.fn, self.order)(x, *rest)  # the other arguments held fixed


def value_and_grad(fun: Callable | None = None, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, compile: str | None = None) -> Any:
    """Like ``grad``, but the call returns ``(value, gradient)``; with has_aux, ``((value, aux), grad)``."""
    if fun is None:
        return functools.partial(value_and_grad, argnums=argnums, has_aux=has_aux, compile=compile)
    return ValueAndGradFunction(fun, argnums, has_aux, with_value=True, compile=compile)


@locating
def vjp(fun: Callable, *primals: Any, compile: str | None = None) -> tuple[Any, Callable[[Any], tuple]]:
    """``(out, vjp_fn)``: ``vjp_fn(cotangent)`` returns one cotangent per primal, for outputs of any shape.

    The forward sweep runs once, here; ``vjp_fn`` runs only the adjoint sweep and may be called again.
    ``compile="numba"``/``"numba!"``: as for ``grad``, for a function called with plain positional
    arguments (the forward sweep and the backward function are compiled as two functions)."""
    if compile is None and type(fun) is _FUNCTION:
        plain = _plain_vjp(fun, primals)
        if plain is not None:
            return plain
    compile = checked_compiler(compile)
    name = getattr(getattr(fun, "func", fun), "__name__", "f")
    reject_transformation(fun, "vjp")
    for i, p in enumerate(primals):
        check_input(p, i, name)
    target, binding, skip = fun, _variadic_binding(fun, primals), 0
    partial = _partial_binding(fun, primals)
    if partial is not None:
        target, binding, skip = partial
    if binding is None:
        generated = reverse_generated(fun, tuple(range(len(primals))), True, False, primals, closure=True)
        generated.refresh()
        if compile is None:
            out, backward = generated.function(*primals)
        else:
            out, backward = compiled_vjp(generated, compile, where_of(fun), primals)
        check_output(out, fun, "vjp", real_scalar=False)
    else:
        passed = slice(skip, skip + len(primals))   # the primals' slots, after a partial's own arguments
        params = tuple(sorted({param for param, _ in binding.slots[passed]}))
        generated = reverse_generated(target, params, True, False, binding.values, closure=True)
        generated.refresh()
        out, by_param = generated.function(*binding.values)
        check_output(out, fun, "vjp", real_scalar=False)

        def backward(cotangent: Any) -> tuple:
            per_parameter = [None] * len(binding.values)
            for param, gradient in zip(params, by_param(cotangent)):
                per_parameter[param] = gradient
            return binding.pick(per_parameter)[passed]

    return out, VjpFunction(out, backward, primals, name)


_FUNCTION = type(lambda: None)
_VARIADIC = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
_ALL_POSITIONS: dict[int, tuple[int, ...]] = {}


def _plain_vjp(fun: Callable, primals: tuple) -> tuple[Any, VjpFunction] | None:
    """``vjp`` of a Python function called with one value per parameter, positionally (``vjp`` is called
    per step in loops): what the general path does for it, without the steps that only other callables
    need (partials, bound signatures, srcgrad's own functions). ``None`` for any other call."""
    code = fun.__code__
    if len(primals) != code.co_argcount or code.co_flags & _VARIADIC or code.co_kwonlyargcount \
            or getattr(fun, "__signature__", None) is not None:
        return None
    name = fun.__name__
    for i, p in enumerate(primals):
        check_input(p, i, name)
    argnums = _ALL_POSITIONS.get(len(primals))
    if argnums is None:
        argnums = _ALL_POSITIONS[len(primals)] = tuple(range(len(primals)))
    generated = reverse_generated(fun, argnums, True, False, primals, closure=True)
    generated.refresh()
    out, backward = generated.function(*primals)
    check_output(out, fun, "vjp", real_scalar=False)
    return out, VjpFunction(out, backward, primals, name)


class VjpFunction:
    """What ``vjp`` returns with the output: called with a cotangent of the output's structure, it runs the
    adjoint sweep and returns one cotangent per primal. (A class rather than a closure: ``vjp`` is called
    per step in loops, and a located closure cost a microsecond to make.)"""

    __slots__ = ("_backward", "_name", "_out", "_primals")

    def __init__(self, out: Any, backward: Callable[[Any], Any], primals: tuple, name: str):
        self._out, self._backward, self._primals, self._name = out, backward, primals, name

    @locating
    def __call__(self, cotangent: Any) -> tuple:
        out, name = self._out, self._name
        if type(cotangent) is np.ndarray and type(out) is np.ndarray and cotangent.shape == out.shape \
                and cotangent.dtype.kind == "f":   # the common case, which the checks below pass
            gradients = self._backward(cotangent)
            if len(gradients) == 1:
                return (fresh_gradient(gradients[0], self._primals[0], cotangent),)
            return fresh_gradients(gradients, self._primals, cotangent)
        check_tangent(cotangent, "the cotangent", name)
        try:
            check_same_structure(out, cotangent, "the cotangent", "the output", name, "vjp")
        except ValueError:
            if not _stacked(cotangent, out):
                raise
        return fresh_gradients(self._backward(cotangent), self._primals, cotangent)


def _partial_binding(fun: Any, primals: Sequence[Any]) -> tuple[Callable, Binding, int] | None:
    """For ``functools.partial`` of a Python function: the function, the binding of the partial's arguments
    and then ``primals`` to it, and how many positional arguments the partial holds (they come first). The
    partial's arguments are constants, as in JAX."""
    if not (isinstance(fun, functools.partial) and inspect.isfunction(fun.func)):
        return None
    signature = inspect.signature(fun.func, follow_wrapped=False)
    return fun.func, bind(signature, (*fun.args, *primals), fun.keywords), len(fun.args)


def _stacked(cotangent: Any, out: Any) -> bool:
    """A cotangent that NumPy reads as a numeric array of the output's shape, where one of the two is an
    array: the rows ``jacrev`` passes for a list or tuple output, a list of numbers for an array output."""
    if not (isinstance(cotangent, np.ndarray) or isinstance(out, np.ndarray)):
        return False
    try:
        array = np.asarray(cotangent)
        return array.dtype != object and array.shape == np.shape(out)
    except ValueError:  # ragged
        return False


def _variadic_binding(fun: Any, args: Sequence[Any]) -> Binding | None:
    """The binding of ``args`` to a Python function with ``*args``/``**kwargs``/keyword-only parameters, or
    with parameters the call leaves to their defaults (generated code takes one value per parameter);
    ``None`` for any other callable."""
    if not inspect.isfunction(fun):
        return None
    code = fun.__code__
    defaulted = len(args) < code.co_argcount  # parameters left to their default values
    if not (code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or code.co_kwonlyargcount
            or getattr(fun, "__signature__", None) is not None or defaulted):
        return None   # the common case, without building a Signature on every call
    signature = inspect.signature(fun, follow_wrapped=False)
    return bind(signature, args) if is_variadic(signature) or defaulted else None


def show(fun: Callable, *example_args: Any, argnums: int | Sequence[int] = 0, with_value: bool = False,
         mode: str = "reverse", variant: str = "last", passes: bool = False, compile: str | None = None) -> str:
    """The source of the gradient code srcgrad generates for ``fun`` (also for a ``grad(f)`` object);
    ``mode="forward"`` shows the forward-mode (``jvp``) code instead. Its first line says which variant it is.

    With example arguments, the code specialized to their types and shapes is shown: the code a call with
    such arguments runs, where broadcasting reductions that cannot do anything have been removed. Without,
    ``variant`` says which: ``"last"``, the code the last call ran (before any call, the generic one);
    ``"all"``, every variant calls have run, the most recent last; ``"generic"``, the code for arguments of
    any shape. ``passes=True`` shows the reverse-mode code before the optimizations and after each one
    that changed it (the list is ``srcgrad.passes.OPTIMIZATIONS``). ``compile="numba"`` shows the code
    Numba compiles: the reverse-mode code lowered into its subset (``numba_lowering``)."""
    if checked_compiler(compile) is not None:
        if mode != "reverse" or passes or variant == "all":
            raise ValueError("compile='numba' shows one reverse-mode variant: leave mode, passes and variant out")
        source = show(fun, *example_args, argnums=argnums, with_value=with_value, variant=variant)
        return lowered_source(source, "np")
    from .show_higher import is_higher_order, show_higher  # noqa: PLC0415  (built on higher.py, as above)

    if is_higher_order(fun):
        return show_higher(fun, example_args)
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    ran: list[Generated] = []
    if isinstance(fun, _Differentiated):
        ran = [generated for generated, _ in fun.variants.values()]
        argnums, fun, with_value = fun.argnums, fun.fn, fun.with_value
    argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if passes:
        if mode != "reverse":
            raise ValueError("passes=True shows the reverse-mode optimizations; forward mode has none of them")
        binding = _variadic_binding(fun, example_args) if example_args else None
        if binding is not None:
            argnums, example_args = tuple(sorted({binding.slot(i)[0] for i in argnums})), binding.values
        return _passes_shown(fun, argnums, with_value, example_args or None)
    if variant not in ("last", "all", "generic"):
        raise ValueError(f"variant must be 'last', 'all' or 'generic', not {variant!r}")
    if not example_args and mode == "reverse" and variant != "generic":
        ran = ran or reverse_variants_run(fun, argnums, with_value)
        if ran:
            return "\n".join(generated.source for generated in ran) if variant == "all" else ran[-1].source
    binding = _variadic_binding(fun, example_args) if example_args else None
    if binding is not None:
        argnums, example_args = tuple(sorted({binding.slot(i)[0] for i in argnums})), binding.values
    if mode == "forward":
        return forward_transform(fun, argnums, example_args or None).source
    generated = reverse_generated(fun, argnums, with_value, False, example_args or None)
    if not example_args:
        return generated.source
    # Callees are transformed when first called: run once on the examples to show their code too.
    recording.callees = []
    try:
        generated.refresh()
        generated.function(*example_args, 1.0)
        callees = list(recording.callees)
    finally:
        recording.callees = None
    parts = [generated.source]
    parts += [f"\n# called from the code above\n{callee.source}" for callee in callees]
    return "".join(parts)


def _passes_shown(fun: Callable, argnums: tuple[int, ...], with_value: bool, examples: Sequence[Any] | None) -> str:
    """The code before the optimizations and after each one that changed it, each under a heading."""
    trace: list[tuple[str, str]] = []
    reverse_variants(fun, argnums, (with_value,), examples=examples, trace=trace)
    summaries = {step.name: step.summary for step in OPTIMIZATIONS} | {WITHOUT_OUTPUT: WITHOUT_OUTPUT_SUMMARY}
    parts, previous = [], None
    for step, source in trace:
        if step == "reverse":
            parts.append(f"# ---- the reverse transformation, before any optimization\n{source}")
        elif source == previous:
            parts.append(f"# ---- {step}: no change")
        else:
            parts.append(f"# ---- after {step}: {summaries[step]}\n{source}")
        previous = source
    return "\n".join(parts)


def generated_function(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The generated gradient function itself: the variant ``show(fun)`` shows, whose source
    ``inspect.getsource`` gives line for line."""
    ran: list[Generated] = []
    if isinstance(fun, _Differentiated):
        ran = [generated for generated, _ in fun.variants.values()] if not fun.with_value else []
        argnums, fun = fun.argnums, fun.fn
    argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    ran = ran or reverse_variants_run(fun, argnums, False)
    return ran[-1].function if ran else reverse_generated(fun, argnums, False, False).function


@locating
def jvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any], compile: str | None = None) -> tuple[Any, Any]:
    """``(fun(*primals), J @ tangents)``: forward mode, by source transformation. ``tangents`` has one
    entry per primal, of the same type, shape and dtype, or ``None`` for a primal held fixed (integer data,
    labels, anything not differentiated). ``compile="numba"``/``"numba!"``: as for ``grad``."""
    compile = checked_compiler(compile)
    primals, tangents = tuple(primals), tuple(tangents)
    name = getattr(fun, "__name__", "f")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp of {name}: {len(primals)} primals but {len(tangents)} tangents")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if t is None:
            continue  # held fixed: integer data, labels, anything
        check_input(p, i, name)
        check_tangent(t, f"tangent {i}", name)
        check_same_structure(p, t, f"tangent {i}", f"primal {i}", name, "jvp")
    if all(t is None for t in tangents):
        out = fun(*primals)
        check_output(out, fun, "jvp", real_scalar=False)
        return out, zero_cotangent(out)
    if _is_plain_gradient(fun) and len(primals) == 1:  # forward over reverse: the Hessian times the tangent
        from .higher import hvp  # noqa: PLC0415  (higher.py composes this module's vjp and jvp)

        return fun(*primals), hvp(fun.fn, primals, tangents)
    reject_transformation(fun, "jvp")
    if is_callable_instance(fun):
        fun = fun.__call__
    if vjp_rule(fun) is not None and not inspect.isfunction(fun):
        return call_with_jvp(fun, primals, tangents)
    bound = (fun.__self__,) if inspect.ismethod(fun) else ()
    target = fun.__func__ if inspect.ismethod(fun) else fun
    binding = _variadic_binding(target, bound + primals)
    partial = _partial_binding(fun, primals)
    if partial is not None:
        target, binding, skip = partial
        bound = (None,) * skip   # only to place the tangents: the partial's arguments get none
        tangents = (*tangents, *(None for _ in fun.keywords))
    if binding is not None:
        per_parameter = binding.place((None,) * len(bound) + tangents)
        argnums = tuple(i for i, t in enumerate(per_parameter) if t is not None)
        generated = forward_generated(target, argnums, binding.values)
        call = (*binding.values, *(per_parameter[i] for i in argnums))
    else:
        argnums = tuple(len(bound) + i for i, t in enumerate(tangents) if t is not None)
        generated = forward_generated(target, argnums, bound + primals)
        call = (*bound, *primals, *(t for t in tangents if t is not None))
    generated.refresh()
    if compile is None:
        result = generated.function(*call)
    else:
        result = run_compiled(generated, compile, where_of(target), call)
    check_output(result[0], fun, "jvp", real_scalar=False)
    return result


def _is_plain_gradient(fun: Any) -> bool:
    """``grad(f)`` of a Python function of its first argument, without auxiliary output."""
    return (type(fun) is GradFunction and fun.single and fun.argnums == (0,) and not fun.has_aux
            and not fun.bound)


def reject_transformation(fun: Any, what: str) -> None:
    """A function srcgrad itself returned (``grad(f)``, ``value_and_grad(f)``) has no source of the user's to
    transform: say so, and what computes the same derivative, instead of failing inside srcgrad's own code."""
    if isinstance(fun, (_Differentiated, NthDerivative)):
        inner = getattr(fun, "name", None) or getattr(fun.fn, "__name__", "f")
        raise UnsupportedTransformError(
            f"{what} of the function srcgrad.grad or srcgrad.value_and_grad returned for {inner!r} is not "
            "supported (only jvp and jacfwd of grad(f) for f of one argument, and grad(grad(f)) for f of one "
            "float); use srcgrad.hessian, srcgrad.hvp or srcgrad.jacrev on the original function")
