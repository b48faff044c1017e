"""Deterministic, readable, collision-free names for generated code, and the namespace it runs in.

Generated names come from the expressions they hold (``x_at_w``, ``tanh_h``) and from the user's names
(``d_w`` is the cotangent of ``w``); a counter suffix resolves clashes. Nothing is random, so the same
function always gives byte-identical source that can be golden-tested."""

from __future__ import annotations

import importlib
import keyword
import re
import types
from typing import Any

import gast

from .analysis.walk import all_names
from .frontend.parse import Scope

_MAX_PART = 14


def sanitize(text: str) -> str:
    """Turn arbitrary text into a Python identifier fragment."""
    text = re.sub(r"\W+", "_", text).strip("_") or "t"
    if text[0].isdigit():
        text = "v" + text
    return text[:_MAX_PART * 3]


class Names:
    """Hands out identifiers that are unused by the user's code and by each other."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        # per stem, a number below which every ``stem_n`` is taken (names are never given back): the
        # search for the smallest free one starts there, so a thousand temporaries cost linear time
        self._searched_to: dict[str, int] = {}

    def fresh(self, base: str) -> str:
        base = sanitize(base)
        if keyword.iskeyword(base):
            base += "_"
        if base not in self.taken:
            self.taken.add(base)
            return base
        stem = re.sub(r"_\d+$", "", base)
        n = self._searched_to.get(stem, 1)
        while f"{stem}_{n}" in self.taken:
            n += 1
        self._searched_to[stem] = n + 1
        name = f"{stem}_{n}"
        self.taken.add(name)
        return name

    def reserve(self, name: str) -> None:
        self.taken.add(name)


def reference_text(expr: gast.AST) -> str | None:
    """``"np.linalg.norm"`` for a name or a chain of attributes on one (what ``Namespace.ref`` makes), None
    for any other expression: comparing two references this way costs a few attribute reads, where
    unparsing or dumping them costs a tree conversion each."""
    parts: list[str] = []
    while type(expr) is gast.Attribute:
        parts.append(expr.attr)
        expr = expr.value
    if type(expr) is not gast.Name:
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def identifiers(tree: gast.AST) -> set[str]:
    """Every identifier a tree mentions: names, parameters, attributes are excluded (they are not bound)."""
    return all_names(tree)


_PREFERRED = {"numpy": "np", "numpy.linalg": "np.linalg", "math": "math", "operator": "operator"}


class Namespace:
    """The globals of generated code: the user's names plus the objects srcgrad's own code refers to.

    ``ref(obj)`` returns an expression naming ``obj``: the user's own name for it where the user's scope
    already binds it (``np`` for numpy), otherwise a fresh name bound here. Objects inside modules are
    reached as attributes (``np.linalg.norm``) so generated code reads like hand-written NumPy."""

    def __init__(self, scope: Scope, names: Names, user_locals: set[str]):
        self.scope = scope
        self.names = names
        self.user_locals = user_locals
        self.bindings: dict[str, Any] = {}
        self._by_id: dict[int, str] = {}

    def bind(self, obj: Any, preferred: str) -> str:
        """A plain name for ``obj`` in the generated globals."""
        key = id(obj)
        if key in self._by_id:
            return self._by_id[key]
        if (self.scope.lookup(preferred, None) is obj and preferred not in self.bindings
                and preferred not in self.user_locals):
            name = preferred
            self.names.reserve(name)
        else:
            name = self.names.fresh(preferred)
        self.bindings[name] = obj
        self._by_id[key] = name
        return name

    def ref(self, obj: Any) -> gast.expr:
        """An expression that evaluates to ``obj`` inside generated code."""
        if isinstance(obj, types.ModuleType):
            preferred = _PREFERRED.get(obj.__name__)
            if preferred and "." in preferred:   # ``np.linalg``: the attribute of the parent module's name
                parent, _, attr = obj.__name__.rpartition(".")
                return gast.Attribute(self.ref(_import(parent)), attr, gast.Load())
            return gast.Name(self.bind(obj, preferred or obj.__name__.split(".")[-1]), gast.Load(), None, None)
        module_name = getattr(obj, "__module__", None) or ("numpy" if type(obj).__name__ == "ufunc" else None)
        attr = getattr(obj, "__name__", None)
        if (module_name == "builtins" or (module_name or "").startswith("srcgrad")) and attr:
            return gast.Name(self.bind(obj, attr), gast.Load(), None, None)
        if module_name and attr:
            module_name = _public_module(module_name)
            module = _import(module_name)
            if module is not None and getattr(module, attr, None) is obj:
                return gast.Attribute(self.ref(module), attr, gast.Load())
        return gast.Name(self.bind(obj, sanitize(attr or type(obj).__name__)), gast.Load(), None, None)


def _public_module(name: str) -> str:
    if name.startswith(("numpy._core", "numpy.core")):
        return "numpy"
    if name == "_operator":
        return "operator"
    if name.startswith("numpy.linalg"):
        return "numpy.linalg"
    return name


def _import(name: str) -> types.ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
