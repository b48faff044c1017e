"""Jacobians, Hessians, Hessian-vector products and higher derivatives, composed from the two
transformations.

``hvp`` is reverse-over-forward: the forward-mode function that ``jvp`` generates is ordinary Python, so
reverse mode differentiates it again — ``H v = grad_x <grad f(x), v> = grad_x (J_f(x) v)``. ``hessian``
collects ``H e_i`` column by column. (Forward-over-reverse would need forward rules for the adjoint
helpers and the tape; reverse-over-forward reuses the rule table as it stands.)"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .api import jvp, vjp
from .boundary import cast_like, check_input, check_output, check_same_structure, check_tangent
from .cache import forward_generated
from .callees import callee_vjp
from .errors import NonScalarOutputError, UnsupportedTransformError
from .locate import locating
from .runtime import zero_cotangent


def hvp_at(fun: Callable, args: tuple, argnum: int, v: Any, what: str = "hessian") -> Any:
    """``H v`` for the Hessian of scalar ``fun`` in argument ``argnum`` at ``args``, the others fixed."""
    name = getattr(fun, "__name__", "f")
    check_input(args[argnum], argnum, name)
    generated = forward_generated(fun, (argnum,), args)
    generated.refresh()
    # reverse mode over the forward code, seeded with (0, 1) for its (output, tangent) pair
    (out, tangent), backward = callee_vjp(generated.function, (*args, v))
    check_output(out, fun, what)
    if np.shape(tangent) != ():
        raise NonScalarOutputError(f"the Hessian of {name} needs a scalar output; it returned shape "
                                   f"{np.shape(tangent)} (use jacfwd(jacrev(f)) for a vector function)")
    cotangents = backward((zero_cotangent(out), 1.0))
    return cast_like(cotangents[argnum], args[argnum], set())


def gradient_call_cotangents(fun: Callable, args: tuple, argnum: int, g: Any) -> tuple:
    """The cotangents of ``args`` for the call ``grad(fun, argnums=argnum)(*args)`` made inside a
    differentiated function, from its output's cotangent ``g``: reverse mode over the forward code of
    ``fun`` along ``g`` gives ``H g`` for argument ``argnum`` and the mixed second derivatives for the
    others (the gradient's Jacobian is the Hessian's row block)."""
    generated = forward_generated(fun, (argnum,), args)
    generated.refresh()
    (_, _), backward = callee_vjp(generated.function, (*args, g))
    cotangents = backward((0.0, 1.0))
    return tuple(cotangents[:len(args)])


@locating
def hvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian of scalar ``fun`` at ``primals`` times ``tangents``, for a function of one argument
    (JAX's ``hvp`` convention)."""
    (x,), (v,) = tuple(primals), tuple(tangents)
    name = getattr(fun, "__name__", "f")
    check_input(x, 0, name)
    check_tangent(v, "tangent 0", name)
    check_same_structure(x, v, "tangent 0", "primal 0", name, "hvp")
    return hvp_at(fun, (x,), 0, v, "hvp")


class HessianFunction:
    """``hessian(f)``: called with ``f``'s arguments, the second derivatives of scalar ``f`` with respect to
    argument ``argnums``, shaped ``x.shape + x.shape``; the other arguments are held fixed. ``srcgrad.show``
    lists the code it runs."""

    def __init__(self, fn: Callable, argnums: int):
        self.fn, self.argnums = fn, argnums
        functools.update_wrapper(self, fn, updated=())  # not fn.__dict__: it may be a srcgrad object
        self.__wrapped__ = None

    @locating
    def __call__(self, *args: Any) -> Any:
        x = args[self.argnums]
        check_input(x, self.argnums, getattr(self.fn, "__name__", "f"))
        if isinstance(x, float):
            return float(hvp_at(self.fn, args, self.argnums, 1.0))
        columns = [np.asarray(hvp_at(self.fn, args, self.argnums, basis))
                   for basis in _basis(x, "hessian", self.fn)]
        shape = np.shape(x)
        return np.stack(columns, axis=-1).reshape(shape + shape)


def hessian(fun: Callable, argnums: int = 0) -> HessianFunction:
    """``hessian(f)(*args)``: the second derivatives of scalar ``f`` with respect to argument ``argnums``,
    shaped ``x.shape + x.shape``; the other arguments are held fixed. For a flat list or tuple of ``n`` floats
    the Hessian is the ``(n, n)`` array, as for ``np.asarray(x)``; a dict or a nested container is refused."""
    return HessianFunction(fun, argnums)


def derivative(fun: Callable, order: int = 1) -> Callable[[float], float]:
    """The ``order``-th derivative of a function of one float (in its first argument; further arguments are
    held fixed), by forward mode applied ``order`` times to generated code (each level differentiates the
    forward code the level below generated)."""
    if order < 1:
        raise ValueError("order must be at least 1")

    @locating
    def nth(x: float, *rest: Any) -> float:
        name = getattr(fun, "__name__", "f")
        check_input(x, 0, name)
        if isinstance(x, (list, tuple, dict)) or np.ndim(x) != 0:
            raise UnsupportedTransformError(
                f"derivative of {name} takes one float, not a {type(x).__name__} of shape {np.shape(x)}; use "
                "srcgrad.grad, srcgrad.hessian or srcgrad.jacfwd for arrays")
        function, args = fun, (x, *rest)  # derivative in the first argument, the others held fixed
        for _ in range(order):
            function = forward_generated(function, (0,), args).function
            args = (*args, 1.0)
        result = function(*args)
        primal = result
        for _ in range(order):
            primal = primal[0]
        check_output(primal, fun, "derivative")
        if np.shape(primal) != ():
            raise NonScalarOutputError(f"derivative of {name} needs a scalar output; it returned shape "
                                       f"{np.shape(primal)} (use jacfwd for a vector function)")
        for _ in range(order):
            result = result[1]
        return float(result)

    return nth


class JacobianFunction:
    """``jacfwd(f)`` or ``jacrev(f)`` (``mode`` "forward" or "reverse") of a function of one array or float:
    called with ``x``, the Jacobian shaped ``out.shape + x.shape``. ``srcgrad.show`` lists the code it runs."""

    def __init__(self, fn: Callable, argnums: int, mode: str):
        self.fn, self.argnums, self.mode = fn, argnums, mode
        functools.update_wrapper(self, fn, updated=())  # not fn.__dict__: it may be a srcgrad object
        self.__wrapped__ = None

    @locating
    def __call__(self, *args: Any) -> Any:
        if len(args) != 1 or self.argnums != 0:
            raise NotImplementedError("jacfwd and jacrev currently take functions of one array or float")
        x = args[0]
        check_input(x, 0, getattr(self.fn, "__name__", "f"))
        if self.mode == "forward":
            return _jacobian_forward(self.fn, x)
        return _jacobian_reverse(self.fn, x)


def _jacobian_forward(f: Callable, x: Any) -> Any:
    if isinstance(x, float):
        return jvp(f, (x,), (1.0,))[1]
    columns = [np.asarray(jvp(f, (x,), (basis,))[1]) for basis in _basis(x, "jacfwd", f)]
    return np.stack(columns, axis=-1).reshape(columns[0].shape + np.shape(x))


def _jacobian_reverse(f: Callable, x: Any) -> Any:
    _basis(x, "jacrev", f)  # refuses a dict or a nested container
    out, pullback = vjp(f, x)
    out = np.asarray(out)
    rows = [np.asarray(pullback(basis.reshape(out.shape) if out.shape else float(basis.item()))[0])
            for basis in _basis(out)]
    return np.stack(rows).reshape(out.shape + np.shape(x))


def jacfwd(fun: Callable, argnums: int = 0) -> JacobianFunction:
    """``jacfwd(f)(x)``: the Jacobian by forward mode, one ``jvp`` per input element, shaped
    ``out.shape + x.shape``."""
    return JacobianFunction(fun, argnums, "forward")


def jacrev(fun: Callable, argnums: int = 0) -> JacobianFunction:
    """``jacrev(f)(x)``: the Jacobian by reverse mode, one ``vjp`` per output element."""
    return JacobianFunction(fun, argnums, "reverse")


def _basis(x: Any, what: str = "hessian", fn: Any = None) -> list[Any]:
    """The standard basis of ``x``'s space, each vector shaped and typed like ``x``: arrays for an array, and
    lists (tuples) of floats for a flat list (tuple) of floats. A dict or a nested container is refused."""
    if isinstance(x, (list, tuple)):
        if not all(isinstance(item, (float, np.floating)) for item in x):
            raise UnsupportedTransformError(
                f"{what} of {getattr(fn, '__name__', 'f')}: the argument is a {type(x).__name__} that holds arrays or "
                "containers; the matrix of its derivatives has no single shape. Pass np.asarray(x), or use "
                "srcgrad.grad/vjp/jvp, which take lists, tuples and dicts")
        eye = np.eye(len(x))
        return [type(x)(float(v) for v in row) for row in eye]
    if isinstance(x, dict):
        raise UnsupportedTransformError(
            f"{what} of {getattr(fn, '__name__', 'f')}: the argument is a dict; the matrix of its derivatives has "
            "no single shape. Pass the entries as an array, or use srcgrad.grad/vjp/jvp, which take dicts")
    x = np.asarray(x)
    eye = np.eye(x.size, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    return [row.reshape(x.shape) for row in eye]
