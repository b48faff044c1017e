"""Read the fields of an object made by an inlined constructor from the variables they were assigned from.

``frontend/inline_helpers.py`` inlines ``model = Model(W, b)`` as a new object whose fields are set one by
one from variables assigned once (``model_W = W; self = set_field(self, 'W', model_W)``). A method of
``model`` inlined after it reads ``model.W``; left so, the read is the primitive ``get_field``, whose
cotangent is a dict that ``set_field``'s rule takes apart again. Where nothing can change the object
after it was made, ``model.W`` *is* ``model_W``, and this pass writes it so.

Nothing can change it when the object's variable is assigned once and only ever read for an attribute
(``model.W``, ``model.predict``): it is never passed to a function, stored, returned or assigned into. A
method that is not inlined runs as before on the real object, which the code still makes; methods that
assign to their object are refused by the checks every callee passes."""

from __future__ import annotations

from collections import Counter

import gast

from ..analysis.walk import walk
from ..visitors import NodeTransformer


def forward_fields(fn: gast.FunctionDef, records: dict[str, tuple[type, dict[str, str]]]) -> None:
    """Replace ``obj.field`` loads in ``fn`` (in place) by the variable holding the field's value, for each
    ``obj`` of ``records`` (variable -> (class, field -> variable)) that nothing can change."""
    if not records:
        return
    stores = Counter(n.id for n in walk(fn) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load))
    read_otherwise = _read_otherwise(fn, set(records))
    for obj, (_, fields) in records.items():
        if stores[obj] != 1 or obj in read_otherwise or any(stores[v] != 1 for v in fields.values()):
            continue
        _ReadFields(obj, fields).visit(fn)


def _read_otherwise(fn: gast.FunctionDef, objects: set[str]) -> set[str]:
    """The objects read anywhere but as the object of an attribute load."""
    as_attribute = {id(n.value) for n in walk(fn) if isinstance(n, gast.Attribute)
                    and isinstance(n.ctx, gast.Load) and isinstance(n.value, gast.Name)}
    return {n.id for n in walk(fn) if isinstance(n, gast.Name) and n.id in objects
            and isinstance(n.ctx, gast.Load) and id(n) not in as_attribute}


class _ReadFields(NodeTransformer):
    def __init__(self, obj: str, fields: dict[str, str]):
        self.obj, self.fields = obj, fields

    def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.value, gast.Name) and node.value.id == self.obj and isinstance(node.ctx, gast.Load) \
                and node.attr in self.fields:
            return gast.copy_location(gast.Name(self.fields[node.attr], gast.Load(), None, None), node)
        return node
