"""Rules for function values that carry derivatives (``srcgrad/function_values.py``): making a
``functools.partial`` or a closure, naming the keywords of a call, and calling such a value."""

from ..function_values import (
    args_tangent,
    call_value_holding,
    call_value_with_jvp,
    call_value_with_jvp_cotangents,
    call_value_with_jvp_tangent,
    call_value_with_vjp,
    captured_tangent,
    function_tangent,
    function_tangent_cotangent,
    keyword_names,
    keywords_tangent,
    make_partial,
    make_partial_cotangents,
    partial_parts,
)
from ..runtime import close_over, with_keywords
from .registry import ARGNUMS_VARIADIC, defjvp, defnondiff, defsequence, defvjp

# Primals about the structure of function values (the dispatch notes and the rule tests name them)
STRUCTURE = (make_partial, close_over, with_keywords, args_tangent, keywords_tangent, captured_tangent,
             function_tangent, call_value_with_vjp, call_value_with_jvp, call_value_holding)

# None of them returns an array: their results add by add_grads, never by ``+``
defsequence(make_partial, call_value_holding, args_tangent, function_tangent, keywords_tangent, captured_tangent, call_value_with_vjp, call_value_with_jvp)


@defvjp(make_partial, argnums=(0, 1, 2))
def _(g, ans, function, args, keywords):
    return make_partial_cotangents(g, ans, args, keywords)


@defjvp(make_partial, argnum=0)
def _(t, ans, function, args, keywords):
    return function_tangent(t, keyword_names(keywords))


@defjvp(make_partial, argnum=1)
def _(t, ans, function, args, keywords):
    return args_tangent(t, len(ans.args) - len(args))


@defjvp(make_partial, argnum=2)
def _(t, ans, function, args, keywords):
    return keywords_tangent(t)


@defvjp(close_over, argnums=ARGNUMS_VARIADIC)
def _(g, ans, function, *captured):
    return partial_parts(g, len(captured))[0]


@defjvp(close_over, argnum=ARGNUMS_VARIADIC)
def _(t, k, ans, function, *captured):
    return captured_tangent(t, k)


# The tangents above are linear in ``t``: reverse mode over them (``hessian``) hands the matching part of
# the cotangent back, forward mode over them applies them to the tangent's tangent.


@defvjp(args_tangent)
def _(g, ans, t, offset):
    return partial_parts(g, offset + len(t))[0][offset:]


@defjvp(args_tangent)
def _(tt, ans, t, offset):
    return args_tangent(tt, offset)


@defvjp(function_tangent)
def _(g, ans, t, overridden):
    return function_tangent_cotangent(g, t)


@defjvp(function_tangent)
def _(tt, ans, t, overridden):
    return function_tangent(tt, overridden)


defnondiff(keyword_names)


@defvjp(keywords_tangent)
def _(g, ans, t):
    return partial_parts(g, 0, t)[1]


@defjvp(keywords_tangent)
def _(tt, ans, t):
    return keywords_tangent(tt)


@defvjp(captured_tangent)
def _(g, ans, t, k):
    return partial_parts(g, k + 1)[0][k]


@defjvp(captured_tangent)
def _(tt, ans, t, k):
    return captured_tangent(tt, k)


@defvjp(with_keywords)
def _(g, ans, function, names):
    return g


@defjvp(with_keywords)
def _(t, ans, function, names):
    return t


@defvjp(call_value_with_vjp, argnums=ARGNUMS_VARIADIC)
def _(g, ans, *function_and_args):
    return ans[1](g[0])


@defvjp(call_value_holding, argnums=ARGNUMS_VARIADIC)
def _(g, ans, positions, *function_and_args):
    return ans[1](g[0])


@defvjp(call_value_with_jvp, argnums=(0, 1, 2, 3))
def _(g, ans, fn, fn_tangent, args, tangents):
    return call_value_with_jvp_cotangents(g, ans, fn, fn_tangent, args, tangents)


@defjvp(call_value_with_jvp, argnum=0)
def _(t, ans, fn, fn_tangent, args, tangents):
    return call_value_with_jvp_tangent(fn, args, tangents, None, None)


@defjvp(call_value_with_jvp, argnum=1)
def _(t, ans, fn, fn_tangent, args, tangents):
    return call_value_with_jvp_tangent(fn, args, tangents, None, None)


@defjvp(call_value_with_jvp, argnum=2)
def _(t, ans, fn, fn_tangent, args, tangents):
    return call_value_with_jvp_tangent(fn, args, tangents, t, None)


@defjvp(call_value_with_jvp, argnum=3)
def _(t, ans, fn, fn_tangent, args, tangents):
    return call_value_with_jvp_tangent(fn, args, tangents, None, t)
