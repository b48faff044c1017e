"""Hands the compiler to the runtime.

Generated code calls ``runtime.call_with_vjp`` for the user's own functions, and that dispatcher must
transform the callee: the runtime needs the compiler, which imports the runtime. Instead of imports hidden
inside functions, the compiler's parts are handed to the runtime here, once, when srcgrad is imported (by
``srcgrad/__init__.py``), so that every module-level import points one way: down to the runtime."""

from __future__ import annotations

from . import runtime
from .api import GradFunction
from .binding import bind, is_variadic
from .callees import has_cotangent, jvp_call_cotangents, jvp_call_tangent, prepare_callee_jvp, prepare_callee_vjp
from .custom import custom_jvp, custom_vjp
from .function_values import partial_call_with_jvp, partial_call_with_jvp_cotangents, partial_call_with_vjp
from .higher import gradient_call_cotangents, hvp_at
from .records import construct_with_jvp, construct_with_jvp_cotangents, construct_with_vjp, constructs

runtime.register_compiler(
    GradFunction=GradFunction, bind=bind, is_variadic=is_variadic,
    has_cotangent=has_cotangent, jvp_call_cotangents=jvp_call_cotangents, jvp_call_tangent=jvp_call_tangent,
    prepare_callee_jvp=prepare_callee_jvp, prepare_callee_vjp=prepare_callee_vjp,
    partial_call_with_jvp=partial_call_with_jvp, partial_call_with_jvp_cotangents=partial_call_with_jvp_cotangents,
    partial_call_with_vjp=partial_call_with_vjp, gradient_call_cotangents=gradient_call_cotangents, hvp_at=hvp_at,
    construct_with_jvp=construct_with_jvp, construct_with_jvp_cotangents=construct_with_jvp_cotangents,
    construct_with_vjp=construct_with_vjp, constructs=constructs, custom_jvp=custom_jvp, custom_vjp=custom_vjp,
)
