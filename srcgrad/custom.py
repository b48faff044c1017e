"""User-defined derivatives: ``custom_vjp`` for functions srcgrad should not (or cannot) look inside,
and ``stop_gradient``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .rules.registry import defnondiff
from .runtime import zero_cotangent


class custom_vjp:
    """A function with a hand-written reverse rule, JAX style::

        @srcgrad.custom_vjp
        def clip_gradient(x):
            return x

        def fwd(x):
            return x, None                 # (output, residuals for the backward)

        def bwd(residuals, g):
            return (np.clip(g, -1, 1),)    # one cotangent per argument

        clip_gradient.defvjp(fwd, bwd)

    Calling it runs the function; differentiating a caller runs ``fwd`` in the forward sweep and ``bwd`` in
    the adjoint sweep, without transforming the function's own source."""

    def __init__(self, fun: Callable):
        self.fun = fun
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        functools.update_wrapper(self, fun)

    def defvjp(self, fwd: Callable, bwd: Callable) -> custom_vjp:
        self.fwd, self.bwd = fwd, bwd
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _has_tensor(args):
            from .tensor.registered import call_custom_vjp  # noqa: PLC0415  (the shim layer: see _has_tensor)

            return call_custom_vjp(self, args)
        return self.fun(*args, **kwargs)

    def forward(self, args: tuple) -> tuple[Any, Callable[[Any], tuple]]:
        """``(output, backward)`` for a call from generated code."""
        if self.fwd is None or self.bwd is None:
            raise TypeError(f"custom_vjp function {self.__name__!r} is called in differentiated code, but has no "
                            "rule yet: call .defvjp(fwd, bwd) first")
        out, residuals = self.fwd(*args)
        bwd = self.bwd

        def backward(g: Any) -> tuple:
            cotangents = tuple(bwd(residuals, g))
            if len(cotangents) != len(args):
                raise ValueError(f"the bwd of {self.__name__!r} returned {len(cotangents)} cotangents for "
                                 f"{len(args)} arguments")
            return cotangents

        return out, backward


def stop_gradient(x: Any) -> Any:
    """``x`` itself, treated as a constant by differentiation."""
    return x


defnondiff(stop_gradient)


class custom_jvp:  # named like the decorator it is, as in JAX
    """A function with a hand-written forward rule, JAX style::

        @srcgrad.custom_jvp
        def safe_log(x):
            return np.log(x)

        @safe_log.defjvp
        def safe_log_jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            return np.log(x), t / x

    Forward mode (``jvp``, ``jacfwd``, ``derivative``) uses the rule; reverse mode refuses, since srcgrad does
    not transpose a forward rule (use ``custom_vjp`` for reverse mode, or both on separate functions)."""

    def __init__(self, fun: Callable):
        self.fun = fun
        self.rule: Callable | None = None
        functools.update_wrapper(self, fun)

    def defjvp(self, rule: Callable) -> Callable:
        self.rule = rule
        return rule

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _has_tensor(args):
            from .tensor.registered import call_custom_jvp  # noqa: PLC0415  (the shim layer: see _has_tensor)

            return call_custom_jvp(self, args)
        return self.fun(*args, **kwargs)

    def forward(self, args: tuple, tangents: tuple) -> tuple[Any, Any]:
        """``(output, output tangent)`` for a call from forward-mode code."""
        if self.rule is None:
            raise TypeError(f"custom_jvp function {self.__name__!r} is called in differentiated code, but has no "
                            "rule yet: decorate one with @.defjvp first")
        filled = tuple(zero_cotangent(a) if t is None else t for a, t in zip(args, tangents))
        out, tangent = self.rule(args, filled)
        return out, tangent


def _has_tensor(args: tuple) -> bool:
    """Whether a call passes ``Tensor`` shim values (then the shim records it, with the custom rule).

    The shim is a layer above this module, and importing it needs the built-in rules registered, which
    import this module: so it is imported here, when a call passes a Tensor (and then it is loaded)."""
    from .tensor.tensor import Tensor  # noqa: PLC0415  (the shim layer, see above)

    return any(isinstance(a, Tensor) for a in args)
