"""Generated code, cached per function, options and argument signature (types, and shapes and dtypes of
arrays; the length or keys of a container). A redefined function has a new code object, so it is
transformed anew; a lock makes concurrent first calls transform once.

The cache holds a function weakly: when the program drops a function (a closure made in a loop, a lambda
handed to ``vjp``), its generated code goes too. Each function keeps at most ``limit`` entries (a signature
and its options each), dropping the least recently used, so a function called on ever new shapes does not
grow without bound; ``srcgrad.clear_cache`` empties it and ``srcgrad.cache_info`` says what it holds."""

from __future__ import annotations

import inspect
import os
import threading
import types
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from .pipeline import Generated, forward_transform, reverse_variants

LOCK = threading.RLock()


class CacheInfo(NamedTuple):
    """What the code cache holds: ``functions`` with generated code, ``entries`` over all of them, and the
    most entries one function keeps (``limit``)."""

    functions: int
    entries: int
    limit: int


class CodeCache:
    """Generated code per function (held weakly where the function can be), an LRU of signatures each."""

    def __init__(self, limit: int = 64):
        self.limit = limit
        self.generation = 0   # counts clears, so that the code a grad function keeps for itself is dropped too
        self._weak: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._strong: dict[Any, OrderedDict] = {}   # callables that cannot be referenced weakly

    @staticmethod
    def _owner(fn: Any) -> Any:
        """The function the entries hang on: a bound method is made anew at every attribute access, so its
        entries hang on the function it binds (and the method, in the key, holds its instance)."""
        return fn.__func__ if inspect.ismethod(fn) else fn

    def _table(self, owner: Any) -> weakref.WeakKeyDictionary | dict:
        try:
            weakref.ref(owner)
        except TypeError:
            return self._strong
        return self._weak

    def get(self, fn: Any, key: tuple) -> Generated | None:
        owner = fn.__func__ if type(fn) is types.MethodType else fn   # ``_owner``, on the path of every call
        try:
            entries = self._weak.get(owner)
        except TypeError:   # not weakly referable
            entries = self._strong.get(owner)
        if entries is None:
            return None
        generated = entries.get(key)
        if generated is not None:
            entries.move_to_end(key)
        return generated

    def __contains__(self, item: tuple[Any, tuple]) -> bool:
        fn, key = item
        owner = self._owner(fn)
        entries = self._table(owner).get(owner)
        return entries is not None and key in entries

    def put(self, fn: Any, key: tuple, generated: Generated) -> None:
        owner = self._owner(fn)
        table = self._table(owner)
        entries = table.get(owner)
        if entries is None:
            entries = table[owner] = OrderedDict()
        entries[key] = generated
        entries.move_to_end(key)
        while len(entries) > self.limit:
            entries.popitem(last=False)

    def clear(self, fn: Any = None) -> None:
        with LOCK:
            if fn is None:
                self._weak.clear()
                self._strong.clear()
            else:
                owner = self._owner(fn)
                self._table(owner).pop(owner, None)
            self.generation += 1

    def entries_of(self, fn: Any) -> list[tuple[tuple, Generated]]:
        """``fn``'s entries, the least recently used first."""
        owner = self._owner(fn)
        return list(self._table(owner).get(owner, {}).items())

    def items(self) -> Iterator[tuple[tuple, Generated]]:
        for table in (self._weak, self._strong):
            for entries in list(table.values()):
                yield from list(entries.items())

    def info(self) -> CacheInfo:
        tables = [*self._weak.values(), *self._strong.values()]
        return CacheInfo(len(tables), sum(len(entries) for entries in tables), self.limit)

    def __len__(self) -> int:
        return self.info().entries


CACHE = CodeCache()


def clear_cache(fn: Callable | None = None) -> None:
    """Forget the generated code of ``fn`` (of every function when ``None``); it is generated again when
    next needed. Redefining a function needs no clearing: its new code object is transformed anew."""
    CACHE.clear(fn)


def cache_info() -> CacheInfo:
    """How many functions have generated code cached, how many entries that is, and the per-function limit."""
    return CACHE.info()


def set_cache_limit(limit: int) -> int:
    """Keep at most ``limit`` cached variants (a signature and its options each) per function, the least
    recently used going first; returns the previous limit. The default, 64, covers a few dozen shapes."""
    if type(limit) is not int or limit < 1:
        raise ValueError(f"the cache limit must be a positive int, not {limit!r}")
    with LOCK:
        previous, CACHE.limit = CACHE.limit, limit
        for table in (CACHE._weak, CACHE._strong):
            for entries in table.values():
                while len(entries) > limit:
                    entries.popitem(last=False)
    return previous


def _instance(fn: Any) -> Any:
    """What a key needs besides the function its entries hang on: a bound method's own identity (its
    instance); nothing for a plain function, which the key must not hold, or it would never be freed."""
    return fn if inspect.ismethod(fn) else None


def reverse_variants_run(fn: Callable, argnums: tuple[int, ...], with_value: bool) -> list[Generated]:
    """The reverse-mode code specialized to argument signatures that calls of ``fn`` have run (or ``show``
    has shown), the least recently used first."""
    wanted = (_instance(fn), getattr(fn, "__code__", None), argnums, with_value, False)
    return [generated for key, generated in CACHE.entries_of(fn)
            if key[:5] == wanted and key[5] is not None and not key[6] and not key[7]]


def reverse_generated(fn: Callable, argnums: tuple[int, ...], with_value: bool, has_aux: bool,
               examples: Sequence[Any] | None = None, closure: bool = False, callee: bool = False,
               also_without_value: bool = False) -> Generated:
    """The cached transformation, specialized to the types and shapes of ``examples`` (the call's
    arguments) when given; a redefined function (new code object) is transformed anew.

    ``also_without_value`` builds and caches the variant without the output in the same pass (``grad``'s
    first call runs the variant with the output, and every later call the one without)."""
    signature = signature_of(examples) if examples is not None else None
    key = (_instance(fn), getattr(fn, "__code__", None), argnums, with_value, has_aux, signature, closure, callee)
    generated = CACHE.get(fn, key)
    if generated is not None and generated.current():
        return generated
    with LOCK:
        generated = CACHE.get(fn, key)
        if generated is None or not generated.current():
            other = key[:3] + (False,) + key[4:]
            wanted = (False, with_value) if also_without_value and with_value and (fn, other) not in CACHE \
                else (with_value,)
            variants = reverse_variants(fn, argnums, wanted, has_aux, examples=examples, closure=closure,
                                        callee=callee)
            for value_variant, made in variants.items():
                CACHE.put(fn, key[:3] + (value_variant,) + key[4:], made)
            generated = variants[with_value]
    return generated


def forward_generated(fn: Callable, argnums: tuple[int, ...], examples: Sequence[Any],
                       callee: bool = False) -> Generated:
    key = ("forward", _instance(fn), getattr(fn, "__code__", None), argnums, signature_of(examples), callee)
    generated = CACHE.get(fn, key)
    if generated is None or not generated.current():
        with LOCK:
            generated = CACHE.get(fn, key)
            if generated is None or not generated.current():
                generated = forward_transform(fn, argnums, examples, callee=callee)
                CACHE.put(fn, key, generated)
    return generated


class Recording(threading.local):
    """The generated code of callees, collected while ``show`` runs an example (None: not collecting)."""

    callees: list | None = None


recording = Recording()


SPECIALIZATIONS = ("first", "always", "never")
# "first": code specialized to the first shapes of each rank and dtype pattern, the generic code for later
# ones (a new batch size transforms nothing more); "always": one specialization per shape; "never": the
# generic code only. SRCGRAD_SHAPE_SPECIALIZATION sets it for a whole run (the test suite runs "never" too).
specialization = os.environ.get("SRCGRAD_SHAPE_SPECIALIZATION", "first")
if specialization not in SPECIALIZATIONS:
    raise ValueError(f"SRCGRAD_SHAPE_SPECIALIZATION must be one of {SPECIALIZATIONS}, not {specialization!r}")


def set_shape_specialization(policy: str) -> str:
    """Which argument shapes get code of their own: ``"first"`` (the default; the first shapes seen of each
    pattern of ranks and dtypes, so that a new batch size runs the generic code instead of transforming
    again), ``"always"`` (every new shape is transformed for its own code) or ``"never"``. Returns the
    previous policy."""
    global specialization
    if policy not in SPECIALIZATIONS:
        raise ValueError(f"the shape specialization must be one of {SPECIALIZATIONS}, not {policy!r}")
    with LOCK:
        previous, specialization = specialization, policy
        CACHE.generation += 1   # grad functions forget which variant they chose
    return previous


def shape_class_of(args: Sequence[Any]) -> tuple:
    """``signature_of`` with each array's shape reduced to its rank: the signatures that share generic
    code under the ``"first"`` policy."""
    return tuple([(a.ndim, a.dtype) if type(a) is np.ndarray else
                  (type(a), shape_class_of(tuple(a.values())) if isinstance(a, dict) else shape_class_of(a),
                   tuple(a) if isinstance(a, dict) else len(a)) if isinstance(a, (tuple, list, dict)) else
                  (type(a), getattr(a, "dtype", None)) for a in args])


def signature_of(args: Sequence[Any]) -> tuple:
    """What generated code is specialized on: each argument's type, and shape and dtype for arrays; the
    length or keys, and the items' signatures, for a container."""
    return tuple([(a.shape, a.dtype) if type(a) is np.ndarray else _NUMBER_SIGNATURES[type(a)]
                  if type(a) in _NUMBER_SIGNATURES else container_signature(a)
                  if isinstance(a, (tuple, list, dict)) else
                  (type(a), getattr(a, "shape", None), getattr(a, "dtype", None)) for a in args])


# Python numbers have neither shape nor dtype: their signature without the two failed attribute look-ups
_NUMBER_SIGNATURES = {kind: (kind, None, None) for kind in (float, int, bool, complex)}


def container_signature(value: tuple | list | dict) -> tuple:
    if isinstance(value, dict):
        return (type(value), tuple(value), signature_of(tuple(value.values())))
    return (type(value), signature_of(value))
