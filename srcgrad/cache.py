"""Generated code, cached per function, options and argument signature (types, and shapes and dtypes of
arrays; the length or keys of a container). A redefined function has a new code object, so it is
transformed anew; a lock makes concurrent first calls transform once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .pipeline import Generated, forward_transform, reverse_variants

LOCK = threading.RLock()
CACHE: dict[tuple, Generated] = {}


def reverse_generated(fn: Callable, argnums: tuple[int, ...], with_value: bool, has_aux: bool,
               examples: Sequence[Any] | None = None, closure: bool = False, callee: bool = False,
               also_without_value: bool = False) -> Generated:
    """The cached transformation, specialized to the types and shapes of ``examples`` (the call's
    arguments) when given; a redefined function (new code object) is transformed anew.

    ``also_without_value`` builds and caches the variant without the output in the same pass (``grad``'s
    first call runs the variant with the output, and every later call the one without)."""
    signature = signature_of(examples) if examples is not None else None
    key = (fn, getattr(fn, "__code__", None), argnums, with_value, has_aux, signature, closure, callee)
    generated = CACHE.get(key)
    if generated is not None and generated.current():
        return generated
    with LOCK:
        generated = CACHE.get(key)
        if generated is None or not generated.current():
            other = key[:3] + (False,) + key[4:]
            wanted = (False, with_value) if also_without_value and with_value and other not in CACHE \
                else (with_value,)
            variants = reverse_variants(fn, argnums, wanted, has_aux, examples=examples, closure=closure,
                                        callee=callee)
            for value_variant, made in variants.items():
                CACHE[key[:3] + (value_variant,) + key[4:]] = made
            generated = variants[with_value]
    return generated


def forward_generated(fn: Callable, argnums: tuple[int, ...], examples: Sequence[Any],
                       callee: bool = False) -> Generated:
    key = ("forward", fn, getattr(fn, "__code__", None), argnums, signature_of(examples), callee)
    generated = CACHE.get(key)
    if generated is None or not generated.current():
        with LOCK:
            generated = CACHE.get(key)
            if generated is None or not generated.current():
                generated = forward_transform(fn, argnums, examples, callee=callee)
                CACHE[key] = generated
    return generated


class Recording(threading.local):
    """The generated code of callees, collected while ``show`` runs an example (None: not collecting)."""

    callees: list | None = None


recording = Recording()


def signature_of(args: Sequence[Any]) -> tuple:
    """What generated code is specialized on: each argument's type, and shape and dtype for arrays; the
    length or keys, and the items' signatures, for a container."""
    return tuple([(a.shape, a.dtype) if type(a) is np.ndarray else container_signature(a)
                  if isinstance(a, (tuple, list, dict)) else
                  (type(a), getattr(a, "shape", None), getattr(a, "dtype", None)) for a in args])


def container_signature(value: tuple | list | dict) -> tuple:
    if isinstance(value, dict):
        return (type(value), tuple(value), signature_of(tuple(value.values())))
    return (type(value), signature_of(value))
