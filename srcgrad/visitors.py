"""Faster bases for the passes' ``gast.NodeVisitor`` and ``gast.NodeTransformer`` subclasses.

The standard ones find a node's method with a string concatenation and a ``getattr`` per visit, and its
children through ``iter_fields`` (a generator and a ``getattr`` per field); every pass of the pipeline
visits the whole function, so that bookkeeping was a fifth of a transformation's time. These bases keep
the same protocol (``visit_<Class>`` methods, ``generic_visit``; a transformer's method returns the node,
a replacement, a list of nodes to splice into a statement list, or None to delete) and find the method
once per pair of visitor class and node class, and the children through each node class's ``_fields``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import gast

from .analysis.walk import CHILD_FIELDS, child_fields, children

_AST = gast.AST
# ``ast.NodeVisitor.visit_Constant`` dispatches to the visit_Num/visit_Str methods of Python 3.7; gast trees
# have only ``Constant``, and no visitor here defines those methods.
_LEGACY_CONSTANT_VISIT = getattr(gast.NodeVisitor, "visit_Constant", None)


class NodeVisitor(gast.NodeVisitor):
    """``gast.NodeVisitor`` with the method found once per node class."""

    _methods: ClassVar[dict[type, Callable[[Any, gast.AST], Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}  # each class its own: a subclass's visit_ methods are not its base's

    def visit(self, node: gast.AST) -> Any:
        method = self._methods.get(type(node))
        if method is None:
            cls = type(self)
            method = getattr(cls, "visit_" + type(node).__name__, cls.generic_visit)
            if method is _LEGACY_CONSTANT_VISIT:   # looks for visit_Num and friends on every constant
                method = cls.generic_visit
            cls._methods[type(node)] = method
        return method(self, node)

    def generic_visit(self, node: gast.AST) -> None:
        visit = self.visit
        for child in children(node):
            visit(child)


class NodeTransformer(NodeVisitor, gast.NodeTransformer):
    """``gast.NodeTransformer`` with the method found once per node class and the children read from the
    node's fields directly, as ``children`` finds them (the expression contexts are not visited)."""

    def generic_visit(self, node: gast.AST) -> gast.AST:
        visit, values = self.visit, node.__dict__
        fields = CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = child_fields(type(node))
        for field in fields:   # (not the expression contexts: no pass rewrites a Load or a Store)
            old = values.get(field)
            if type(old) is list:
                new: list[Any] | None = None   # made at the first item replaced: most visits replace none
                for index, item in enumerate(old):
                    if isinstance(item, _AST):
                        replaced = visit(item)
                        if replaced is not item:
                            if new is None:
                                new = old[:index]
                            if replaced is None:
                                continue
                            if not isinstance(replaced, _AST):
                                new.extend(replaced)
                                continue
                            item = replaced
                    if new is not None:
                        new.append(item)
                if new is not None:
                    old[:] = new
            elif isinstance(old, _AST):
                replaced = visit(old)
                if replaced is None:
                    delattr(node, field)
                elif replaced is not old:
                    setattr(node, field, replaced)
        return node
