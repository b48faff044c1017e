"""The public differentiation API, with JAX's conventions: ``grad``, ``value_and_grad``, ``vjp``, ``show``.

Generated code is cached per function and options. The first call with a new input signature (types,
shapes, dtypes) runs the variant that also returns the output, to check that it is a scalar; later calls
run the gradient-only variant, from which dead-code elimination has removed whatever only computed the
output."""

from __future__ import annotations

import functools
import inspect
import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import InputTypeError, MissingRuleError, NonScalarOutputError
from .pipeline import Generated, forward_transform, reverse_transform
from .rules.dispatch import is_foreign
from .rules.helpers import shape_of
from .rules.registry import vjp_rule
from .runtime import call_with_jvp, is_callable_instance, zero_cotangent

_LOCK = threading.RLock()
_CACHE: dict[tuple, Generated] = {}


def _generated(fn: Callable, argnums: tuple[int, ...], with_value: bool, has_aux: bool,
               examples: Sequence[Any] | None = None, closure: bool = False, callee: bool = False) -> Generated:
    """The cached transformation, specialized to the types and shapes of ``examples`` (the call's
    arguments) when given; a redefined function (new code object) is transformed anew."""
    signature = _signature(examples) if examples is not None else None
    key = (fn, getattr(fn, "__code__", None), argnums, with_value, has_aux, signature, closure, callee)
    generated = _CACHE.get(key)
    if generated is not None:
        return generated
    with _LOCK:
        generated = _CACHE.get(key)
        if generated is None:
            generated = reverse_transform(fn, argnums, with_value, has_aux, examples=examples,
                                          closure=closure, callee=callee)
            _CACHE[key] = generated
    return generated


def _check_input(value: Any, position: int | str, fn_name: str) -> None:
    """Raise ``InputTypeError`` unless ``value`` is a float, an inexact array, or a dict/list/tuple of them."""
    if type(value) is float or (type(value) is np.ndarray and value.dtype.kind in "fc"):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_input(item, f"{position}[{key!r}]", fn_name)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_input(item, f"{position}[{i}]", fn_name)
        return
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        if not np.issubdtype(dtype, np.inexact):
            raise InputTypeError(
                f"{fn_name}: argument {position} has dtype {dtype}; gradients are only defined for floating-point "
                "inputs. Cast it first, e.g. x.astype(np.float64).")
        return
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        raise InputTypeError(
            f"{fn_name}: argument {position} is the integer {value!r}; gradients are only defined for "
            f"floating-point inputs. Pass {float(value)!r} instead.")
    if not isinstance(value, numbers.Real):
        raise InputTypeError(f"{fn_name}: argument {position} is a {type(value).__name__}; srcgrad differentiates "
                             "with respect to floats and floating-point NumPy arrays.")


def _cast_like(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """Give a gradient its input's type (float for a float; the input's dtype and shape for an array), as
    an array the caller owns: writeable, and sharing memory with no other gradient or the cotangent."""
    if (type(gradient) is np.ndarray and type(like) is np.ndarray and gradient.base is None
            and gradient.dtype is like.dtype and gradient.shape == like.shape):
        # The common case, kept short: a fresh array of the input's dtype and shape.
        if id(gradient) in handed_out:
            return gradient.copy()
        handed_out.add(id(gradient))
        return gradient
    if is_foreign(gradient) or is_foreign(like):
        return _cast_foreign(gradient, like, handed_out)
    if type(like) is float:
        return float(gradient) if gradient is not None else 0.0
    if isinstance(like, dict):
        given = gradient if isinstance(gradient, dict) else {}
        return {key: _cast_like(given.get(key, 0.0), item, handed_out) for key, item in like.items()}
    if isinstance(like, (list, tuple)):
        given = gradient if isinstance(gradient, (list, tuple)) else [0.0] * len(like)
        return type(like)(_cast_like(g, item, handed_out) for g, item in zip(given, like))
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and np.ndim(like)):
        gradient = np.zeros(np.shape(like), dtype=getattr(like, "dtype", None))
    if (type(like) is np.ndarray and type(gradient) is np.ndarray and gradient.dtype == like.dtype
            and gradient.shape == like.shape):
        out = gradient
    elif isinstance(like, numbers.Real) and not hasattr(like, "dtype"):
        return float(np.real(gradient))
    else:
        out = np.asarray(gradient, dtype=getattr(like, "dtype", None))
        if out.shape != np.shape(like):
            raise AssertionError(f"internal error: gradient of shape {out.shape} for an input of shape "
                                 f"{np.shape(like)}")
    if out is gradient and (out.base is not None or not out.flags.writeable or id(out) in handed_out):
        out = out.copy()
    handed_out.add(id(out))
    if isinstance(like, np.generic):
        return out[()]
    return out


def _cast_foreign(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """``_cast_like`` for arrays of another library (Dask, CuPy): the gradient stays in that library, and
    lazy, without ``np.asarray`` (which would compute a Dask graph or fail for device memory). A float
    argument's gradient computed from such arrays is returned as the library's 0-d array: converting it to
    a float would compute it (``float()`` of it gives the number)."""
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and shape_of(like)):
        gradient = np.zeros_like(like) if is_foreign(like) else np.zeros(shape_of(like), dtype=like.dtype)
    if not is_foreign(gradient):  # a gradient that did not depend on the foreign data
        if type(like) is float or (isinstance(like, numbers.Real) and not hasattr(like, "dtype")):
            return float(np.real(gradient))
        gradient = np.asarray(gradient, like=like)
    dtype = getattr(like, "dtype", None)
    if dtype is not None and gradient.dtype != dtype:
        gradient = gradient.astype(dtype)
    shape = tuple(gradient.shape)
    if all(isinstance(n, numbers.Integral) for n in shape) and shape != tuple(shape_of(like)):
        raise AssertionError(f"internal error: gradient of shape {shape} for an input of shape {shape_of(like)}")
    if id(gradient) in handed_out or getattr(gradient, "base", None) is not None:
        gradient = gradient.copy()  # a view (CuPy) or a gradient already handed out: the caller owns a copy
    handed_out.add(id(gradient))
    return gradient


def _fresh_gradients(gradients: Sequence[Any], likes: Sequence[Any], seed: Any) -> tuple:
    """Gradients as the user expects them; see ``_cast_like``."""
    handed_out = {id(seed)}
    return tuple(_cast_like(g, like, handed_out) for g, like in zip(gradients, likes))


def _shape(value: Any) -> tuple[int, ...]:
    return value.shape if type(value) is np.ndarray else tuple(shape_of(value))


def _signature(args: Sequence[Any]) -> tuple:
    """What generated code is specialized on: each argument's type, and shape and dtype for arrays."""
    return tuple([(a.shape, a.dtype) if type(a) is np.ndarray else
                  (type(a), getattr(a, "shape", None), getattr(a, "dtype", None)) for a in args])


def _call_primitive(primitive: Callable, x: Any) -> Any:
    return primitive(x)


class _Differentiated:
    """Shared machinery of ``grad`` and ``value_and_grad``."""

    def __init__(self, fn: Callable, argnums: int | Sequence[int], has_aux: bool, with_value: bool):
        self.single = isinstance(argnums, int)
        argnums = (argnums,) if self.single else tuple(argnums)
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
        self.argnums = tuple(i + len(self.bound) if i >= 0 else i for i in argnums)
        self.has_aux = has_aux
        self.with_value = with_value
        self.signature = inspect.signature(self.fn)
        self.n_params = len(self.signature.parameters)
        self.variants: dict[tuple, Generated] = {}
        functools.update_wrapper(self, fn)
        self.__wrapped__ = None

    def _positional(self, args: tuple, kwargs: dict) -> Sequence[Any]:
        args = self.bound + args
        if not kwargs and len(args) == self.n_params:
            return args
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return list(bound.arguments.values())

    def _run(self, args: tuple, kwargs: dict, seed: Any = 1.0) -> tuple[Any, Any]:
        values = self._positional(args, kwargs)
        name = getattr(self.fn, "__name__", "f")
        for i in self.argnums:
            _check_input(values[i], i, name)
        key = (_signature(values), getattr(self.fn, "__code__", None))
        generated = self.variants.get(key)
        if generated is None:
            # First call with this signature: run the variant that also returns the output, to check it.
            generated = _generated(self.fn, self.argnums, True, self.has_aux, values)
            generated.refresh()
            value, gradients = generated.function(*values, seed)
            output = value[0] if self.has_aux else value
            if shape_of(output) != ():
                raise NonScalarOutputError(
                    f"grad requires a scalar output, but {name} returned an array of shape {shape_of(output)}; "
                    "use srcgrad.vjp for non-scalar outputs.")
            self.variants[key] = _generated(self.fn, self.argnums, self.with_value or self.has_aux,
                                            self.has_aux, values)
        else:
            generated.refresh()
            if self.with_value or self.has_aux:
                value, gradients = generated.function(*values, seed)
            else:
                value, gradients = None, generated.function(*values, seed)
        gradients = _fresh_gradients(gradients, [values[i] for i in self.argnums], seed)
        return value, gradients[0] if self.single else gradients


class GradFunction(_Differentiated):
    """What ``grad(f)`` returns: calling it returns the gradient (and the auxiliary data with has_aux)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        value, gradients = self._run(args, kwargs)
        if self.has_aux:
            return gradients, value[1]
        return gradients


class ValueAndGradFunction(_Differentiated):
    """What ``value_and_grad(f)`` returns: calling it returns ``(value, gradient)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        value, gradients = self._run(args, kwargs)
        return value, gradients


def grad(fun: Callable | None = None, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Any:
    """The gradient of a scalar function, generated by source transformation.

    ``@grad`` and ``grad(f, argnums=(0, 2))`` both work. The returned function takes ``f``'s arguments and
    returns the gradient with respect to argument ``argnums`` (a tuple of gradients for a tuple of
    argnums); with ``has_aux=True``, ``f`` returns ``(output, aux)`` and the call returns ``(grad, aux)``."""
    if fun is None:
        return functools.partial(grad, argnums=argnums, has_aux=has_aux)
    if isinstance(fun, (GradFunction, NthDerivative)) and not has_aux:
        return NthDerivative.of(fun, argnums)
    return GradFunction(fun, argnums, has_aux, with_value=False)


class NthDerivative:
    """``grad(grad(f))`` (and deeper) of a function of one float: the n-th derivative, by forward mode
    applied to generated code n times (``srcgrad.derivative``). The gradient of a gradient is only a
    gradient when the inner function maps a float to a float; for arrays use ``hessian`` or ``hvp``."""

    def __init__(self, fn: Callable, order: int):
        self.fn, self.order = fn, order
        functools.update_wrapper(self, fn)
        self.__wrapped__ = None

    @classmethod
    def of(cls, inner: Any, argnums: Any) -> NthDerivative:
        if isinstance(inner, NthDerivative):
            fn, order = inner.fn, inner.order + 1
        else:
            if inner.argnums != (0,) or not inner.single or inner.has_aux or inner.bound:
                raise NotImplementedError("grad of a gradient is supported for functions of one float; use "
                                          "srcgrad.hessian or srcgrad.hvp for arrays")
            fn, order = inner.fn, 2
        if argnums != 0:
            raise NotImplementedError("grad of a gradient is supported for functions of one float")
        return cls(fn, order)

    def __call__(self, x: float) -> float:
        from .higher import derivative

        _check_input(x, 0, getattr(self.fn, "__name__", "f"))
        if not isinstance(x, float):
            raise NonScalarOutputError("grad of a gradient needs a function of one float (the inner gradient "
                                       "of an array function is not a scalar); use srcgrad.hessian or hvp")
        return derivative(self.fn, self.order)(x)


def value_and_grad(fun: Callable | None = None, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Any:
    """Like ``grad``, but the call returns ``(value, gradient)``; with has_aux, ``((value, aux), grad)``."""
    if fun is None:
        return functools.partial(value_and_grad, argnums=argnums, has_aux=has_aux)
    return ValueAndGradFunction(fun, argnums, has_aux, with_value=True)


def vjp(fun: Callable, *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """``(out, vjp_fn)``: ``vjp_fn(cotangent)`` returns one cotangent per primal, for outputs of any shape.

    The forward sweep runs once, here; ``vjp_fn`` runs only the adjoint sweep and may be called again."""
    name = getattr(fun, "__name__", "f")
    for i, p in enumerate(primals):
        _check_input(p, i, name)
    generated = _generated(fun, tuple(range(len(primals))), True, False, primals, closure=True)
    generated.refresh()
    out, backward = generated.function(*primals)

    out_shape = _shape(out)

    def vjp_fn(cotangent: Any) -> tuple:
        if _shape(cotangent) != out_shape:
            raise ValueError(f"vjp of {name}: the cotangent has shape {np.shape(cotangent)}, but the output has "
                             f"shape {out_shape}")
        return _fresh_gradients(backward(cotangent), primals, cotangent)

    return out, vjp_fn


def show(fun: Callable, *example_args: Any, argnums: int | Sequence[int] = 0, with_value: bool = False,
         mode: str = "reverse") -> str:
    """The source of the gradient code srcgrad generates for ``fun`` (also for a ``grad(f)`` object);
    ``mode="forward"`` shows the forward-mode (``jvp``) code instead.

    With example arguments, the code specialized to their types and shapes is shown: the code a call with
    such arguments runs, where broadcasting reductions that cannot do anything have been removed."""
    if mode == "forward":
        numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        return forward_transform(fun, numbers, example_args or None).source
    if mode != "reverse":
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    if isinstance(fun, _Differentiated):
        argnums, fun, with_value = fun.argnums, fun.fn, fun.with_value
    argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    generated = _generated(fun, argnums, with_value, False, example_args or None)
    if not example_args:
        return generated.source
    # Callees are transformed when first called: run once on the examples to show their code too.
    _recording.callees = []
    try:
        generated.refresh()
        generated.function(*example_args, 1.0)
        callees = list(_recording.callees)
    finally:
        _recording.callees = None
    parts = [generated.source]
    parts += [f"\n# called from the code above\n{callee.source}" for callee in callees]
    return "".join(parts)


class _Recording(threading.local):
    callees: list | None = None


_recording = _Recording()


def generated_function(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The generated gradient function itself (``inspect.getsource`` works on it)."""
    if isinstance(fun, _Differentiated):
        argnums, fun = fun.argnums, fun.fn
    argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    return _generated(fun, argnums, False, False).function


def callee_vjp(fn: Callable, args: tuple, keywords: dict | None = None) -> tuple[Any, Callable[[Any], tuple]]:
    """``(out, backward)`` for a call from generated code into a Python function: the callee is transformed
    (once per argument signature) into its forward sweep, which returns the backward sweep as a closure.
    Arguments the call leaves to their defaults are filled in; ``backward`` returns cotangents for the
    arguments the call passed."""
    if is_callable_instance(fn):
        fn = fn.__call__  # a callable instance: differentiate its __call__ method
    target = fn.__func__ if inspect.ismethod(fn) else fn
    values = (fn.__self__, *args) if inspect.ismethod(fn) else args
    if not inspect.isfunction(target):
        raise MissingRuleError(f"no derivative rule for {getattr(fn, '__qualname__', fn)!r}, and it is not a "
                               "Python function srcgrad can transform; register one with srcgrad.defvjp(fn, rule)")
    signature = inspect.signature(target)
    bound = signature.bind(*values, **(keywords or {}))
    bound.apply_defaults()
    full = tuple(bound.arguments.values())
    differentiable = tuple(i for i, v in enumerate(full) if _has_cotangent(v))
    generated = _generated(target, differentiable, True, False, full, closure=True, callee=True)
    generated.refresh()
    if _recording.callees is not None and all(g is not generated for g in _recording.callees):
        _recording.callees.append(generated)
    out, backward = generated.function(*full)
    skip = 1 if inspect.ismethod(fn) else 0

    def passed_backward(g: Any) -> tuple:
        by_position = dict(zip(differentiable, backward(g)))
        return tuple(by_position.get(i) for i in range(skip, skip + len(args)))

    return out, passed_backward


def _has_cotangent(value: Any) -> bool:
    """Whether a callee's argument can carry a gradient: floats, inexact arrays, and lists of them."""
    if isinstance(value, (list, tuple)):
        return any(_has_cotangent(v) for v in value)
    if isinstance(value, dict):
        return any(_has_cotangent(v) for v in value.values())
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (np.ndarray, np.generic)) or is_foreign(value):
        return value.dtype.kind in "fc"
    return isinstance(value, (float, complex))


def _forward_generated(fn: Callable, argnums: tuple[int, ...], examples: Sequence[Any],
                       callee: bool = False) -> Generated:
    key = ("forward", fn, getattr(fn, "__code__", None), argnums, _signature(examples), callee)
    generated = _CACHE.get(key)
    if generated is None:
        with _LOCK:
            generated = _CACHE.get(key)
            if generated is None:
                generated = forward_transform(fn, argnums, examples, callee=callee)
                _CACHE[key] = generated
    return generated


def jvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(fun(*primals), J @ tangents)``: forward mode, by source transformation. ``tangents`` has one
    entry per primal, of the same type, shape and dtype."""
    primals, tangents = tuple(primals), tuple(tangents)
    name = getattr(fun, "__name__", "f")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp of {name}: {len(primals)} primals but {len(tangents)} tangents")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        _check_input(p, i, name)
        if _shape(p) != _shape(t):
            raise ValueError(f"jvp of {name}: tangent {i} has shape {_shape(t)}, but its primal has shape "
                             f"{_shape(p)}")
    if is_callable_instance(fun):
        fun = fun.__call__
    if vjp_rule(fun) is not None and not inspect.isfunction(fun):
        return call_with_jvp(fun, primals, tangents)
    bound = (fun.__self__,) if inspect.ismethod(fun) else ()
    target = fun.__func__ if inspect.ismethod(fun) else fun
    argnums = tuple(range(len(bound), len(bound) + len(primals)))
    generated = _forward_generated(target, argnums, bound + primals)
    generated.refresh()
    return generated.function(*bound, *primals, *tangents)


def callee_jvp(fn: Callable, args: tuple, tangents: tuple, keywords: dict | None = None) -> tuple[Any, Any]:
    """``(out, out_tangent)`` for a call from forward-mode code into a Python function."""
    if is_callable_instance(fn):
        fn = fn.__call__
    target = fn.__func__ if inspect.ismethod(fn) else fn
    values = (fn.__self__, *args) if inspect.ismethod(fn) else args
    skip = 1 if inspect.ismethod(fn) else 0
    if not inspect.isfunction(target):
        raise MissingRuleError(f"no derivative rule for {getattr(fn, '__qualname__', fn)!r}, and it is not a "
                               "Python function srcgrad can transform; register one with srcgrad.defvjp/defjvp")
    bound = inspect.signature(target).bind(*values, **(keywords or {}))
    bound.apply_defaults()
    full = tuple(bound.arguments.values())
    passed = dict(zip(range(skip, skip + len(tangents)), tangents))
    differentiable = tuple(i for i, v in enumerate(full) if passed.get(i) is not None and _has_cotangent(v))
    generated = _forward_generated(target, differentiable, full, callee=True)
    generated.refresh()
    return generated.function(*full, *(passed[i] for i in differentiable))


def jvp_call_cotangents(g: Any, ans: Any, fn: Callable, args: tuple, tangents: tuple) -> tuple[tuple, tuple]:
    """Reverse mode through ``call_with_jvp(fn, args, tangents)`` (reverse over forward, for ``hessian``):
    the cotangents of ``args`` and ``tangents`` for the cotangent ``g`` of ``(out, out_tangent)``, by
    reverse-transforming the forward-mode function the call ran."""
    if is_callable_instance(fn):
        fn = fn.__call__
    target = fn.__func__ if inspect.ismethod(fn) else fn
    if not inspect.isfunction(target):
        raise MissingRuleError(f"reverse mode over forward mode through {getattr(fn, '__qualname__', fn)!r} is not "
                               "supported yet (it is not a Python function srcgrad transforms)")
    values = (fn.__self__, *args) if inspect.ismethod(fn) else args
    skip = 1 if inspect.ismethod(fn) else 0
    bound = inspect.signature(target).bind(*values)
    bound.apply_defaults()
    full = tuple(bound.arguments.values())
    passed = dict(zip(range(skip, skip + len(tangents)), tangents))
    differentiable = tuple(i for i, v in enumerate(full) if passed.get(i) is not None and _has_cotangent(v))
    jvp_function = _forward_generated(target, differentiable, full, callee=True).function
    seed = tuple(zero_cotangent(part) if c is None else c for c, part in zip(g, ans))
    _, backward = callee_vjp(jvp_function, (*full, *(passed[i] for i in differentiable)))
    cotangents = backward(seed)
    arg_cotangents = tuple(cotangents[skip + i] for i in range(len(args)))
    tangent_cotangents = tuple(cotangents[len(full) + differentiable.index(skip + i)]
                               if skip + i in differentiable else None for i in range(len(tangents)))
    return arg_cotangents, tangent_cotangents
