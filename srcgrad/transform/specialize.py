"""Specialize inlined rules to shapes known at transform time.

Rule helpers decide at run time what to do from their operands' shapes (``unbroadcast`` sums over the
broadcast axes, ``repeat_reduced`` reshapes and broadcasts, ``matmul_left_grad`` picks a case). When the
shapes are known statically, the decision is made once, here, and the generated code calls NumPy directly:
``unbroadcast(d_z, b2)`` becomes ``np.sum(d_z, axis=(0,))``, ``matmul_left_grad(g, h, W2)`` becomes
``g @ W2.T``. The rewrites are exact for the given shapes, and generated code is cached per shape
signature, so they never see other shapes."""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..naming import Namespace, reference_text
from ..rules.helpers import (
    dot_grad,
    matmul_left_grad,
    matmul_right_grad,
    power_base_grad,
    reduced_count,
    repeat_reduced,
    sum_of_product,
    unbroadcast,
)
from ..visitors import NodeTransformer

Shape = tuple[int, ...]


def _constant(value: Any) -> gast.expr:
    if isinstance(value, tuple):
        return gast.Tuple([_constant(v) for v in value], gast.Load())
    return gast.Constant(value, None)


def _literal(node: gast.expr) -> Any:
    """The value of a constant expression (``1``, ``None``, ``(0, 1)``, ``True``), or raise ``ValueError``."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant):
        return -node.operand.value
    raise ValueError("not a literal")


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


class ShapeSpecializer(NodeTransformer):
    """Rewrites helper calls whose operands have known shapes. ``shapes`` maps names to shapes."""

    def __init__(self, shapes: dict[str, Shape], namespace: Namespace):
        self.shapes = shapes
        self.namespace = namespace
        self.helpers = {reference_text(namespace.ref(f)): f
                        for f in (unbroadcast, repeat_reduced, reduced_count, matmul_left_grad, matmul_right_grad,
                                  dot_grad, power_base_grad)}

    def shape(self, node: gast.expr) -> Shape | None:
        if isinstance(node, gast.Name):
            return self.shapes.get(node.id)
        if isinstance(node, gast.Constant) and isinstance(node.value, (int, float)):
            return ()
        if isinstance(node, gast.UnaryOp):
            return self.shape(node.operand)
        if isinstance(node, gast.BinOp) and not isinstance(node.op, gast.MatMult):
            left, right = self.shape(node.left), self.shape(node.right)
            if left is None or right is None:
                return None
            try:
                return tuple(np.broadcast_shapes(left, right))
            except ValueError:
                return None
        return None

    def _np(self, function: Any, args: list[gast.expr], keywords: dict[str, Any] | None = None) -> gast.Call:
        kws = [gast.keyword(k, _constant(v)) for k, v in (keywords or {}).items()]
        return gast.Call(self.namespace.ref(function), args, kws)

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        helper = self.helpers.get(reference_text(node.func))
        if helper is None or node.keywords:
            return node
        try:
            rewritten = getattr(self, f"_{helper.__name__}")(*node.args)
        except (TypeError, ValueError):
            return node
        return node if rewritten is None else rewritten

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        """``np.full(shape, s) / n`` (a mean's cotangent) becomes ``np.full(shape, s / n)``: one division
        instead of one per element, each element the same number."""
        self.generic_visit(node)
        left = node.left
        if (isinstance(node.op, (gast.Div, gast.Mult)) and isinstance(node.right, gast.Constant)
                and type(node.right.value) in (int, float) and self._filled(left) is not None):
            left.args[1] = gast.BinOp(left.args[1], node.op, node.right)
            return left
        if isinstance(node.op, gast.Mult):
            # ``np.full(S, c) * x`` with ``x`` of shape S: ``c * x``, the filled array never made
            for filled, other in ((node.left, node.right), (node.right, node.left)):
                shape = self._filled(filled)
                if shape is not None and self.shape(other) == shape:
                    return gast.BinOp(filled.args[1], gast.Mult(), other)
        return node

    def _filled(self, node: gast.expr) -> Shape | None:
        """The shape of ``np.full(shape, value)`` written with a literal shape, else None."""
        if not (isinstance(node, gast.Call) and len(node.args) == 2 and not node.keywords
                and reference_text(node.func) == reference_text(self.namespace.ref(np.full))):
            return None
        try:
            shape = _literal(node.args[0])
        except ValueError:
            return None
        return tuple(shape) if isinstance(shape, tuple) else (shape,) if isinstance(shape, int) else None

    def _unbroadcast(self, g: gast.expr, like: gast.expr) -> gast.expr | None:
        g_shape, target = self.shape(g), self.shape(like)
        if target is None or g_shape == target:
            return g if target is not None else None
        if target == () and isinstance(g, gast.BinOp) and isinstance(g.op, gast.Mult):
            # a scalar factor's cotangent: the sum of a product, one dot product when both are arrays
            return self._np(sum_of_product, [g.left, g.right, like])
        if g_shape is None:
            return None
        lead = len(g_shape) - len(target)
        if lead < 0:
            return None
        out = g
        if lead:
            out = self._sum(out, {"axis": tuple(range(lead))})
        ones = tuple(i for i, n in enumerate(target) if n == 1 and g_shape[lead + i] != 1)
        if ones:
            out = self._sum(out, {"axis": ones, "keepdims": True})
        return out

    @staticmethod
    def _sum(array: gast.expr, keywords: dict[str, Any]) -> gast.expr:
        """``array.sum(...)``: the method skips ``np.sum``'s dispatch; ``array`` is known to be an ndarray
        (it has at least one axis)."""
        kws = [gast.keyword(k, _constant(v)) for k, v in keywords.items()]
        return gast.Call(gast.Attribute(array, "sum", gast.Load()), [], kws)

    def _repeat_reduced(self, g: gast.expr, like: gast.expr, axis: gast.expr = None,
                        keepdims: gast.expr = None) -> gast.expr | None:
        shape = self.shape(like)
        if shape is None:
            return None
        if shape == ():
            return g
        axes = _axes(_literal(axis) if axis is not None else None, len(shape))
        keep = bool(_literal(keepdims)) if keepdims is not None else False
        if len(axes) == len(shape):
            # A full reduction: the cotangent is one value, repeated everywhere.
            return self._np(np.full, [_constant(shape), g])
        expanded = g
        if not keep:
            kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
            expanded = self._np(np.reshape, [g, _constant(kept)])
        if len(axes) == 1:
            # One summed axis: np.repeat materializes it faster than np.broadcast_to builds a view.
            return self._np(np.repeat, [expanded, gast.Constant(shape[axes[0]], None)], {"axis": axes[0]})
        return self._np(np.broadcast_to, [expanded, _constant(shape)])

    def _reduced_count(self, like: gast.expr, axis: gast.expr = None) -> gast.expr | None:
        shape = self.shape(like)
        if shape is None:
            return None
        count = 1
        for i in _axes(_literal(axis) if axis is not None else None, len(shape)):
            count *= shape[i]
        return gast.Constant(count, None)

    def _ndims(self, a: gast.expr, b: gast.expr) -> tuple[int, int] | None:
        a_shape, b_shape = self.shape(a), self.shape(b)
        return None if a_shape is None or b_shape is None else (len(a_shape), len(b_shape))

    def _matmul_left_grad(self, g: gast.expr, a: gast.expr, b: gast.expr) -> gast.expr | None:
        ndims = self._ndims(a, b)
        if ndims == (2, 2):
            return gast.BinOp(g, gast.MatMult(), gast.Attribute(b, "T", gast.Load()))
        if ndims == (2, 1):   # matrix @ vector: the outer product has the matrix's shape
            return self._np(np.outer, [g, b])
        if ndims == (1, 2):
            return gast.BinOp(b, gast.MatMult(), g)
        if ndims == (1, 1):
            return gast.BinOp(g, gast.Mult(), b)
        return None

    def _dot_grad(self, g: gast.expr, a: gast.expr, b: gast.expr, k: gast.expr) -> gast.expr | None:
        """``np.dot`` of vectors and matrices is a matrix product: its cotangents are ``matmul``'s."""
        ndims = self._ndims(a, b)
        if ndims is None or not (1 <= ndims[0] <= 2 and 1 <= ndims[1] <= 2):
            return None
        which = _literal(k)
        return self._matmul_left_grad(g, a, b) if which == 0 else self._matmul_right_grad(g, a, b)

    def _power_base_grad(self, g: gast.expr, x: gast.expr, y: gast.expr) -> gast.expr | None:
        """``x ** 2``'s cotangent ``g * 2 * x`` written out (any exponent of at least 1 has no zero-base
        case), so that a constant ``g`` (a mean's) folds into the scale."""
        exponent = _literal(y)
        if type(exponent) not in (int, float) or exponent < 1:
            return None
        term = x if exponent == 2 else gast.BinOp(x, gast.Pow(), gast.Constant(exponent - 1, None))
        return self.visit_BinOp(gast.BinOp(gast.BinOp(g, gast.Mult(), gast.Constant(exponent, None)), gast.Mult(),
                                           term))

    def _matmul_right_grad(self, g: gast.expr, a: gast.expr, b: gast.expr) -> gast.expr | None:
        ndims = self._ndims(a, b)
        if ndims == (2, 2):
            return gast.BinOp(gast.Attribute(a, "T", gast.Load()), gast.MatMult(), g)
        if ndims == (2, 1):
            return gast.BinOp(g, gast.MatMult(), a)
        if ndims == (1, 2):
            return self._np(np.outer, [a, g])
        if ndims == (1, 1):
            return gast.BinOp(g, gast.Mult(), a)
        return None
