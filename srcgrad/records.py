"""Objects whose attributes carry derivatives ("records"): dataclass instances and namedtuples, passed in
or made in differentiated code, and objects of the user's own classes made there from differentiated values
(``m = Linear(w, b); m.apply(x)``).

A namedtuple is a tuple: its cotangent is a namedtuple of the same type, as a tuple's is a tuple. Any other
record's cotangent (and tangent) is a dict from attribute name to that attribute's cotangent, sparse like
a dict's: a missing attribute has a zero cotangent. ``grad`` hands it back as the input's own type.

Reading ``obj.w`` where ``obj`` is differentiated is the primitive ``get_field``. Making an object of a class
with a Python ``__init__`` runs that ``__init__`` transformed as a *constructor*: ``self.w = value`` becomes
``self = set_field(self, "w", value)`` and the function returns ``self`` (``frontend/constructors.py``), so
the cotangent of the new object flows back through its fields to the constructor's arguments. Methods are
ordinary callees: a method of a record receives the record's cotangent through ``self``; a method that
assigns to ``self`` (outside ``__init__``) is refused, since the caller would not see the change."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import numbers
import types
import weakref
from typing import Any

from .errors import MissingRuleError
from .runtime import COMPILER, KeywordCall, call_with_jvp, call_with_jvp_cotangents, call_with_vjp, zero_cotangent

# Objects of the user's classes made by ``construct_with_vjp``/``construct_with_jvp``: records from then on.
_MADE: weakref.WeakSet = weakref.WeakSet()
_MADE_WITHOUT_WEAKREF: dict[int, Any] = {}  # objects of classes with __slots__ and no __weakref__
_MISSING = object()


def is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def is_record(value: Any) -> bool:
    """A dataclass instance, or an object ``construct_with_vjp`` made (a namedtuple is a tuple)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return True
    if _MADE_WITHOUT_WEAKREF.get(id(value)) is value:  # (a WeakSet answers False for these, not raise)
        return True
    try:
        return value in _MADE
    except TypeError:  # unhashable
        return False


def fields_of(record: Any) -> dict[str, Any]:
    """A record's attributes by name: a dataclass's fields, another object's instance attributes."""
    if dataclasses.is_dataclass(record):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    found = dict(getattr(record, "__dict__", {}))
    for owner in type(record).__mro__:
        slots = vars(owner).get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__") and hasattr(record, slot):
                found[slot] = getattr(record, slot)
    return found


def _is_own_method(value: Any, obj: Any) -> bool:
    return inspect.ismethod(value) and value.__self__ is obj


def _property_getter(obj: Any, name: str) -> Any:
    """The getter of ``obj``'s property ``name``, or None for an attribute the object holds."""
    attribute = inspect.getattr_static(type(obj), name, None)
    if isinstance(attribute, property) and attribute.fget is not None:
        return attribute.fget
    if isinstance(attribute, functools.cached_property):
        return attribute.func
    return None


def get_field(obj: Any, name: str) -> Any:
    """``obj.name`` (``getattr``), the primitive of reading an attribute of a differentiated object."""
    return getattr(obj, name)


def field_cotangent(g: Any, obj: Any, name: str) -> Any:
    """The cotangent of ``obj`` for the cotangent ``g`` of ``obj.name``. A bound method of ``obj`` carries
    ``obj`` itself, so its cotangent is the object's."""
    value = getattr(obj, name)
    if _is_own_method(value, obj):
        return g
    getter = _property_getter(obj, name)
    if getter is not None:  # computed from the object's fields by Python code: differentiate that code
        return call_with_vjp(getter, obj)[1](g)[0]
    if is_namedtuple(obj):
        return type(obj)(*[g if field == name else zero_cotangent(getattr(obj, field)) for field in obj._fields])
    if not _holds(obj, name):
        if _is_class_constant(obj, name):
            return {}
        _refuse_unheld(obj, name)
    return {name: g}


def _holds(obj: Any, name: str) -> bool:
    """Whether ``obj.name`` is a value stored in the object: an instance attribute or a slot."""
    if name in getattr(obj, "__dict__", {}):
        return not _is_data_descriptor(inspect.getattr_static(type(obj), name, None))
    return isinstance(inspect.getattr_static(type(obj), name, None), types.MemberDescriptorType)


def _is_data_descriptor(attribute: Any) -> bool:
    return hasattr(type(attribute), "__set__") or hasattr(type(attribute), "__delete__")


def _is_class_constant(obj: Any, name: str) -> bool:
    """A plain value of the class (``scale = 3.0`` in its body): constant, as a module's globals are."""
    attribute = inspect.getattr_static(type(obj), name, _MISSING)
    if isinstance(attribute, (staticmethod, classmethod)):
        return True
    return attribute is not _MISSING and not hasattr(type(attribute), "__get__")


def _refuse_unheld(obj: Any, name: str) -> None:
    raise MissingRuleError(f"the attribute {type(obj).__name__}.{name} is neither stored in the object nor a "
                           "property (it comes from __getattr__ or a descriptor), so its derivative is "
                           "unknown: compute it in a method or a property instead")


def field_tangent(t: Any, obj: Any, name: str) -> Any:
    """The tangent of ``obj.name`` in the tangent ``t`` of ``obj`` (a dict of attribute tangents, a
    namedtuple, or an object of the record's own class that the caller passed as a tangent)."""
    value = getattr(obj, name)
    if _is_own_method(value, obj):
        return t
    getter = _property_getter(obj, name)
    if getter is not None:
        return call_with_jvp(getter, (obj,), (t,))[1]
    if not is_namedtuple(obj) and not _holds(obj, name):
        if _is_class_constant(obj, name):
            return zero_cotangent(value)
        _refuse_unheld(obj, name)
    if t is None or (isinstance(t, numbers.Number) and t == 0):
        return zero_cotangent(value)
    if isinstance(t, dict):
        return t[name] if name in t else zero_cotangent(value)
    return getattr(t, name)


def no_second_derivative(obj: Any, name: str) -> None:
    """The partial in ``obj`` of ``field_cotangent`` and ``field_tangent``: none for an attribute the object
    holds (the rules are linear in the cotangent, and the object only says where it goes); a property's
    getter may be nonlinear, and its second derivatives are not followed, so they are refused."""
    if _property_getter(obj, name) is not None:
        raise MissingRuleError(f"second derivatives through the property {type(obj).__name__}.{name} are not "
                               "supported: call a method that computes the value instead")


def set_field(obj: Any, name: str, value: Any) -> Any:
    """``obj.name = value`` in a constructor, returning ``obj``: the object is being made, so nothing has
    read the attribute's old value through it."""
    object.__setattr__(obj, name, value) if _frozen(obj) else setattr(obj, name, value)
    return obj


def _frozen(obj: Any) -> bool:
    params = getattr(type(obj), "__dataclass_params__", None)
    return bool(params is not None and params.frozen)


def without_field(g: Any, name: str) -> Any:
    """A record's cotangent without the part of attribute ``name``: what flows to the object before it
    was assigned."""
    if not isinstance(g, dict) or name not in g:
        return g
    return {key: value for key, value in g.items() if key != name}


def field_part(g: Any, name: str) -> Any:
    """The part of a record's cotangent that belongs to attribute ``name`` (0.0 when it has none)."""
    if isinstance(g, dict):
        return g.get(name, 0.0)
    return 0.0


def only_field(t: Any, name: str) -> dict[str, Any]:
    """The tangent of a record whose attribute ``name`` has the tangent ``t``, the others none."""
    return {name: t}


# --- making records ---------------------------------------------------------------------------------------


def _field_constructor(cls: type) -> bool:
    """A namedtuple class, or a dataclass whose ``__init__`` the dataclass decorator wrote and that has no
    ``__post_init__``: its arguments are its fields."""
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return True
    return (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.init and not hasattr(cls, "__post_init__")
            and getattr(cls.__init__, "__code__", None) is not None
            and not cls.__init__.__code__.co_filename.endswith(".py"))


_CONSTRUCTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def constructor_of(cls: type) -> types.FunctionType:
    """``cls.__init__`` as a function srcgrad transforms as a constructor (``frontend/constructors.py``):
    the same code, marked, so that its transformed form is cached apart from the method's."""
    init = cls.__init__
    constructor = _CONSTRUCTORS.get(init)
    if constructor is None:
        constructor = types.FunctionType(init.__code__, init.__globals__, init.__name__, init.__defaults__,
                                         init.__closure__)
        constructor.__kwdefaults__ = init.__kwdefaults__
        constructor.__qualname__ = init.__qualname__
        constructor.__module__ = init.__module__
        constructor.__srcgrad_constructor__ = True
        _CONSTRUCTORS[init] = constructor
    return constructor


def is_constructor(fn: Any) -> bool:
    return getattr(fn, "__srcgrad_constructor__", False)


def constructs(cls: Any) -> bool:
    """Whether ``construct_with_vjp`` makes objects of ``cls``: a namedtuple or plain dataclass, or a class
    of the user's with a Python ``__init__`` and the default ``__new__``."""
    if not isinstance(cls, type) or cls.__module__ in ("builtins", "numpy"):
        return False
    if _field_constructor(cls):
        return True
    return inspect.isfunction(cls.__init__) and cls.__new__ is object.__new__


def new_object(cls: type) -> Any:
    """An object of ``cls`` that ``__init__`` has not run on yet, known as a record from now on: where
    ``frontend/inline_helpers.py`` inlines a constructor, its ``self``."""
    obj = cls.__new__(cls)
    _remember(obj)
    return obj


def _remember(obj: Any) -> None:
    try:
        _MADE.add(obj)
    except TypeError:
        _MADE_WITHOUT_WEAKREF[id(obj)] = obj


def _field_names(cls: type, args: tuple, keywords: dict[str, Any]) -> list[str]:
    """The field each passed argument (positional ones, then the keywords) sets."""
    bound = inspect.signature(cls).bind(*args, **keywords)
    by_value_position = list(bound.arguments)
    return [*by_value_position[:len(args)], *keywords]


def construct_with_vjp(cls: type, args: tuple, keywords: dict[str, Any]) -> tuple[Any, Any]:
    """``(cls(*args, **keywords), backward)``; ``backward(g)`` gives one cotangent per argument passed."""
    if _field_constructor(cls):
        out = cls(*args, **keywords)
        names = _field_names(cls, args, keywords)
        return out, lambda g: tuple(_field_of_cotangent(g, name) for name in names)
    obj = cls.__new__(cls)
    constructor = constructor_of(cls)
    callee = KeywordCall(constructor, tuple(keywords)) if keywords else constructor
    out, backward = call_with_vjp(callee, obj, *args, *keywords.values())
    _remember(out)
    return out, lambda g: backward(g)[1:]


def _field_of_cotangent(g: Any, name: str) -> Any:
    if g is None or (isinstance(g, numbers.Number) and g == 0):
        return 0.0
    if isinstance(g, dict):
        return g.get(name, 0.0)
    return getattr(g, name)


def construct_with_jvp(cls: type, args: tuple, tangents: tuple, keywords: dict[str, Any]) -> tuple[Any, Any]:
    """Forward mode's ``construct_with_vjp``: ``tangents`` has one entry (None: none) per positional
    argument, then one per keyword."""
    if _field_constructor(cls):
        out = cls(*args, **keywords)
        names = _field_names(cls, args, keywords)
        given = {name: t for name, t in zip(names, tangents) if t is not None}
        if is_namedtuple(out):
            return out, type(out)(*[given.get(f, zero_cotangent(getattr(out, f))) for f in out._fields])
        return out, given
    obj = cls.__new__(cls)
    constructor = constructor_of(cls)
    callee = KeywordCall(constructor, tuple(keywords)) if keywords else constructor
    out, tangent = call_with_jvp(callee, (obj, *args, *keywords.values()), (None, *tangents))
    _remember(out)
    return out, tangent


def construct_with_jvp_cotangents(g: Any, ans: Any, cls: type, args: tuple, tangents: tuple,
                                  keywords: dict[str, Any]) -> tuple[tuple, tuple]:
    """Reverse mode over ``construct_with_jvp`` (a Hessian through making a record)."""
    if _field_constructor(cls):
        names = _field_names(cls, args, keywords)
        return (tuple(_field_of_cotangent(g[0], n) for n in names),
                tuple(_field_of_cotangent(g[1], n) for n in names))
    constructor = constructor_of(cls)
    callee = KeywordCall(constructor, tuple(keywords)) if keywords else constructor
    obj = cls.__new__(cls)
    arg_cotangents, tangent_cotangents = call_with_jvp_cotangents(g, ans, callee, (obj, *args, *keywords.values()),
                                                                  (None, *tangents))
    _remember(obj)
    return tuple(arg_cotangents[1:]), tuple(tangent_cotangents[1:])


# --- calling a method of a record ---------------------------------------------------------------------


def method_of_record(fn: Any) -> bool:
    """A bound method whose object is a record: calling it reads the record's attributes."""
    return inspect.ismethod(fn) and inspect.isfunction(fn.__func__) and has_record_cotangent(fn.__self__)


def has_record_cotangent(value: Any) -> bool:
    if not is_record(value):
        return False
    return any(COMPILER.has_cotangent(v) for v in fields_of(value).values())

