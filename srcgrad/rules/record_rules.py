"""Rules for records, objects whose attributes carry derivatives (``srcgrad/records.py``): reading an
attribute, assigning one in a constructor, and the helpers their rules call (each linear in its first
argument, so that the rules can be differentiated again for Hessians). A record's own structure (which
object, which attribute) carries no derivative: those arguments get none."""

from ..records import (
    field_cotangent,
    field_part,
    field_tangent,
    get_field,
    new_object,
    no_second_derivative,
    only_field,
    set_field,
    without_field,
)
from .registry import defjvp, defnondiff, defsequence, defvjp

# Primals about the structure of records (the dispatch notes and the rule tests name them)
STRUCTURE = (get_field, set_field, field_cotangent, field_tangent, without_field, field_part, only_field)

# A record's cotangent is a dict (a namedtuple's, a namedtuple): never added with ``+``
defsequence(get_field, set_field, field_cotangent, field_tangent, without_field, field_part, only_field)
defnondiff(no_second_derivative, new_object)


@defvjp(get_field)
def _(g, ans, obj, name):
    return field_cotangent(g, obj, name)


@defjvp(get_field)
def _(t, ans, obj, name):
    return field_tangent(t, obj, name)


@defvjp(set_field, argnums=(0, 2))
def _(g, ans, obj, name, value):
    return without_field(g, name), field_part(g, name)


@defjvp(set_field, argnum=0)
def _(t, ans, obj, name, value):
    return without_field(t, name)


@defjvp(set_field, argnum=2)
def _(t, ans, obj, name, value):
    return only_field(t, name)


@defvjp(field_cotangent, argnums=(0, 1))
def _(gg, ans, g, obj, name):
    return field_tangent(gg, obj, name), no_second_derivative(obj, name)


@defjvp(field_cotangent, argnum=0)
def _(tt, ans, g, obj, name):
    return field_cotangent(tt, obj, name)


@defjvp(field_cotangent, argnum=1)
def _(tt, ans, g, obj, name):
    return no_second_derivative(obj, name)


@defvjp(field_tangent, argnums=(0, 1))
def _(gg, ans, t, obj, name):
    return field_cotangent(gg, obj, name), no_second_derivative(obj, name)


@defjvp(field_tangent, argnum=0)
def _(tt, ans, t, obj, name):
    return field_tangent(tt, obj, name)


@defjvp(field_tangent, argnum=1)
def _(tt, ans, t, obj, name):
    return no_second_derivative(obj, name)


@defvjp(without_field)
def _(gg, ans, g, name):
    return without_field(gg, name)


@defjvp(without_field)
def _(tt, ans, g, name):
    return without_field(tt, name)


@defvjp(field_part)
def _(gg, ans, g, name):
    return only_field(gg, name)


@defjvp(field_part)
def _(tt, ans, g, name):
    return field_part(tt, name)


@defvjp(only_field)
def _(gg, ans, t, name):
    return field_part(gg, name)


@defjvp(only_field)
def _(tt, ans, t, name):
    return only_field(tt, name)


