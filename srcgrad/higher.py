"""Jacobians, Hessians, Hessian-vector products and higher derivatives, composed from the two
transformations.

``hvp`` is reverse-over-forward: the forward-mode function that ``jvp`` generates is ordinary Python, so
reverse mode differentiates it again — ``H v = grad_x <grad f(x), v> = grad_x (J_f(x) v)``. ``hessian``
collects ``H e_i`` column by column. (Forward-over-reverse would need forward rules for the adjoint
helpers and the tape; reverse-over-forward reuses the rule table as it stands.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .api import _check_input, _forward_generated, grad, jvp, vjp
from .codegen import compile_function

_TANGENT_TRAMPOLINES: dict[tuple[int, int], Callable] = {}


def _tangent_function(arity: int, argnum: int) -> Callable:
    """``tangent_of(jvp_function, a0, ..., v) = jvp_function(a0, ..., v)[1]`` for ``arity`` arguments: a
    function with source, so that reverse mode can differentiate through the generated forward code."""
    key = (arity, argnum)
    if key not in _TANGENT_TRAMPOLINES:
        params = ", ".join(f"a{i}" for i in range(arity))
        source = (f"def tangent_of(jvp_function, {params}, v):\n"
                  f"    return jvp_function({params}, v)[1]\n")
        _TANGENT_TRAMPOLINES[key] = compile_function(source, "tangent_of", f"<srcgrad hvp arity {arity}>", {})
    return _TANGENT_TRAMPOLINES[key]


def _hvp(fun: Callable, args: tuple, argnum: int, v: Any) -> Any:
    _check_input(args[argnum], argnum, getattr(fun, "__name__", "f"))
    jvp_function = _forward_generated(fun, (argnum,), args).function
    return grad(_tangent_function(len(args), argnum), argnums=1 + argnum)(jvp_function, *args, v)


def hvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian of scalar ``fun`` at ``primals`` times ``tangents``, for a function of one argument
    (JAX's ``hvp`` convention)."""
    (x,), (v,) = tuple(primals), tuple(tangents)
    return _hvp(fun, (x,), 0, v)


def hessian(fun: Callable, argnums: int = 0) -> Callable[..., Any]:
    """``hessian(f)(*args)``: the second derivatives of scalar ``f`` with respect to argument ``argnums``,
    shaped ``x.shape + x.shape``; the other arguments are held fixed."""

    def hessian_fn(*args: Any) -> Any:
        x = args[argnums]
        if isinstance(x, float):
            return float(_hvp(fun, args, argnums, 1.0))
        columns = [_hvp(fun, args, argnums, basis) for basis in _basis(x)]
        return np.stack(columns, axis=-1).reshape(x.shape + x.shape)

    return hessian_fn


def derivative(fun: Callable, order: int = 1) -> Callable[[float], float]:
    """The ``order``-th derivative of a function of one float, by forward mode applied ``order`` times to
    generated code (each level differentiates the forward code the level below generated)."""
    if order < 1:
        raise ValueError("order must be at least 1")

    def nth(x: float) -> float:
        function, args = fun, (x,)
        for _ in range(order):
            function = _forward_generated(function, (0,), args).function
            args = (*args, 1.0)
        result = function(*args)
        for _ in range(order):
            result = result[1]
        return float(result)

    return nth


def _single_argument(fun: Callable, argnums: int, args: Sequence[Any]) -> tuple[Callable, Any]:
    if len(args) != 1 or argnums != 0:
        raise NotImplementedError("jacfwd and jacrev currently take functions of one array or float")
    return fun, args[0]


def jacfwd(fun: Callable, argnums: int = 0) -> Callable[..., Any]:
    """``jacfwd(f)(x)``: the Jacobian by forward mode, one ``jvp`` per input element, shaped
    ``out.shape + x.shape``."""

    def jacobian_fn(*args: Any) -> Any:
        f, x = _single_argument(fun, argnums, args)
        if isinstance(x, float):
            return jvp(f, (x,), (1.0,))[1]
        columns = [np.asarray(jvp(f, (x,), (basis,))[1]) for basis in _basis(x)]
        return np.stack(columns, axis=-1).reshape(columns[0].shape + x.shape)

    return jacobian_fn


def jacrev(fun: Callable, argnums: int = 0) -> Callable[..., Any]:
    """``jacrev(f)(x)``: the Jacobian by reverse mode, one ``vjp`` per output element."""

    def jacobian_fn(*args: Any) -> Any:
        f, x = _single_argument(fun, argnums, args)
        out, pullback = vjp(f, x)
        out = np.asarray(out)
        rows = [np.asarray(pullback(basis.reshape(out.shape) if out.shape else float(basis.item()))[0])
                for basis in _basis(out)]
        return np.stack(rows).reshape(out.shape + np.shape(x))

    return jacobian_fn


def _basis(x: Any) -> list[np.ndarray]:
    """The standard basis of ``x``'s space, each vector shaped and typed like ``x``."""
    x = np.asarray(x)
    eye = np.eye(x.size, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    return [row.reshape(x.shape) for row in eye]
