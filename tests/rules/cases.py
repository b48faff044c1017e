"""The shared case table for the derivative-rule tests.

Every registered reverse rule has at least one ``Case`` here; ``test_rule_coverage.py`` fails when a rule
has none. A case names a primal and a maker that draws the primal's arguments from a ``Draw``: shapes,
axes and options come from hypothesis (so a failure shrinks to a small example), floating-point values
from a NumPy generator seeded by hypothesis (fast, and reproducible from the failing example).

A case is checked in one of two ways in ``test_rules_fd.py``:

* ``smooth`` cases (the default) are drawn at points where the primal is differentiable, and the rule's
  partials are compared with central finite differences in float64;
* cases at non-differentiable points (ties, kinks, clip boundaries, zeros) set ``smooth=False`` and give
  an ``expected`` function returning the reference partials, written independently of the rule helpers.

``test_rules_torch.py`` compares every case that has a ``torch`` function with PyTorch's autograd. The
torch function receives the same arguments with arrays turned into tensors (``T`` is the torch module) and
must compute the same value as the primal; the test checks that first.

This module does not import torch.
"""

from __future__ import annotations

import builtins
import copy
import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from srcgrad.rules import vjp_rule
from srcgrad.rules.registry import ARGNUMS_VARIADIC, primal_name

# --- drawing arguments ------------------------------------------------------------------------------------

# A domain is (low, high, signed): uniform magnitudes in [low, high], with a random sign when ``signed``.
REAL = (-2.0, 2.0, False)
POS = (0.2, 3.0, False)
NONZERO = (0.3, 2.0, True)
UNIT = (-0.8, 0.8, False)
ABOVE_ONE = (1.2, 3.0, False)
TAN = (-1.2, 1.2, False)
LOG1P = (-0.6, 2.0, False)
# Domains for functions with kinks (max, min, clip, sort, inf-norms): values on a grid of pitch
# 2 * SPACING, jittered by at most SPACING / 5. EVEN and ODD values are at least 0.6 * SPACING apart, far more
# than the finite-difference steps move them; DISTINCT draws all-different grid points, DISTINCT_NZ
# all-different magnitudes with random signs.
SPACING = 0.05
EVEN = "even"
ODD = "odd"
DISTINCT = "distinct"
DISTINCT_NZ = "distinct-nonzero"


class Draw:
    """Draws arguments: structure from hypothesis ``data``, values from a generator it seeds."""

    def __init__(self, data: Any):
        self.data = data
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def flag(self) -> bool:
        return self.data.draw(st.booleans())

    def pick(self, options: Any) -> Any:
        return self.data.draw(st.sampled_from(list(options)))

    def shape(self, min_nd: int = 0, max_nd: int = 3, lo: int = 1, hi: int = 4) -> tuple[int, ...]:
        return tuple(self.int(lo, hi) for _ in range(self.int(min_nd, max_nd)))

    def values(self, shape: tuple[int, ...], dom: tuple | str = REAL) -> np.ndarray:
        if isinstance(dom, str):
            return self._spaced(shape, dom)
        lo, hi, signed = dom
        out = self.rng.uniform(lo, hi, size=shape)
        if signed:
            out = out * self.rng.choice([-1.0, 1.0], size=shape)
        return np.asarray(out, dtype=np.float64)

    def _spaced(self, shape: tuple[int, ...], dom: str) -> np.ndarray:
        size = int(np.prod(shape))
        if dom in (EVEN, ODD):
            levels = 2 * self.rng.integers(-20, 21, size=size) + (dom == ODD)
        elif dom == DISTINCT:
            levels = 2 * (self.rng.permutation(size) - size // 2)
        else:
            levels = 2 * (self.rng.permutation(size) + 3) * self.rng.choice([-1, 1], size=size)
        jitter = self.rng.uniform(-SPACING / 5, SPACING / 5, size=size)
        return np.reshape(levels * SPACING + jitter, shape)

    def grid(self, shape: tuple[int, ...] | None, lo: int, hi: int) -> Any:
        """Exact EVEN grid points between levels ``lo`` and ``hi`` (bounds for clip)."""
        values = 2 * self.rng.integers(lo, hi + 1, size=() if shape is None else shape) * SPACING
        return float(values) if shape is None else values

    def arr(self, shape: tuple[int, ...] | None, dom: tuple | str = REAL) -> Any:
        """An array of ``shape``, or a Python float when ``shape`` is None."""
        if shape is None:
            return self.flt(dom)
        return self.values(shape, dom)

    def flt(self, dom: tuple | str = REAL) -> float:
        return float(self.values((), dom))

    def ties(self, shape: tuple[int, ...], levels: int = 3) -> np.ndarray:
        """Floats from a few levels, so that maxima, minima and comparisons tie often."""
        return self.rng.integers(0, levels, size=shape).astype(np.float64)

    def ints(self, shape: tuple[int, ...], lo: int, hi: int) -> np.ndarray:
        return self.rng.integers(lo, hi, size=shape)

    def matrix(self, shape: tuple[int, ...]) -> np.ndarray:
        """Well-conditioned square matrices (batched when ``shape`` has more than two axes)."""
        n = shape[-1]
        return self.values(shape) + 3.0 * n * np.eye(n) * self.rng.choice([-1.0, 1.0])

    def axis(self, ndim: int, tuples: bool = True) -> Any:
        """None, a positive or negative int, or a tuple of distinct axes (mixing signs)."""
        kinds = ["none"] + (["int", "neg"] if ndim else []) + (["tuple"] if tuples and ndim else [])
        kind = self.pick(kinds)
        if kind == "none":
            return None
        if kind == "int":
            return self.int(0, ndim - 1)
        if kind == "neg":
            return self.int(-ndim, -1)
        chosen = sorted(self.data.draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim)))
        return tuple(a - ndim if self.flag() else a for a in chosen)

    def broadcast_shapes(self, n: int = 2, scalars: bool = True) -> list[tuple[int, ...] | None]:
        """Shapes that broadcast together: leading axes dropped, some axes set to 1, or (when ``scalars``)
        None for a Python float."""
        base = self.shape(0, 3)
        shapes: list[tuple[int, ...] | None] = []
        for _ in range(n):
            if scalars and self.int(0, 5) == 0:
                shapes.append(None)
                continue
            kept = base[self.int(0, len(base)):]
            shapes.append(tuple(1 if self.flag() else s for s in kept))
        return shapes


def call(*args: Any, **kwargs: Any) -> tuple[tuple, dict]:
    return args, kwargs


# --- plumbing shared by the tests --------------------------------------------------------------------


def differentiable_positions(rule, args: tuple) -> list[int]:
    """Positions in ``args`` of the arguments the rule returns partials for."""
    if rule.argnums == ARGNUMS_VARIADIC:
        fixed = sum(1 for p in rule.primal_params if p.kind is p.POSITIONAL_OR_KEYWORD or p.kind is p.POSITIONAL_ONLY)
        return list(range(fixed, len(args)))
    return list(rule.argnums)


def is_value(leaf) -> bool:
    """Whether a leaf carries a cotangent: a number or an array (not None, not a function)."""
    return isinstance(leaf, (numbers.Number, np.ndarray, np.generic))


def is_label_list(value) -> bool:
    """A non-empty list of integer labels (and ``...``), as ``np.einsum``'s sublists: structure, one leaf
    without a cotangent (its partial is None), never a list of differentiable numbers."""
    return isinstance(value, list) and bool(value) and all(
        v is Ellipsis or (isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))) for v in value)


def leaves(value) -> list[tuple[int | None, object]]:
    """The differentiable leaves of an argument: itself, or the items of a list/tuple argument."""
    if isinstance(value, (list, tuple)) and not is_label_list(value):
        return list(enumerate(value))
    return [(None, value)]


def partial_leaves(partial, value) -> list:
    if isinstance(value, (list, tuple)) and not is_label_list(value):
        assert isinstance(partial, (list, tuple)), f"partial for a sequence argument is {type(partial)}"
        assert len(partial) == len(value)
        return list(partial)
    return [partial]


def replace_leaf(args: tuple, position: int, index: int | None, new) -> tuple:
    args = list(args)
    if index is None:
        args[position] = new
    else:
        items = list(args[position])
        items[index] = new
        args[position] = type(args[position])(items)
    return tuple(args)


def cotangent_like(ans, rng: np.random.Generator):
    """A random cotangent of the type the output has: a Python float for a Python number, a NumPy scalar
    or array of the output's floating dtype otherwise."""
    if isinstance(ans, (int, float)) and not isinstance(ans, np.generic):
        return float(rng.normal())
    if isinstance(ans, (list, tuple)):
        items = [cotangent_like(item, rng) for item in ans]
        return type(ans)(*items) if hasattr(ans, "_fields") else type(ans)(items)  # a named tuple takes fields
    dtype = np.result_type(ans) if np.result_type(ans).kind in "fc" else np.dtype(np.float64)
    values = rng.normal(size=np.shape(ans)).astype(dtype)
    if dtype.kind == "c":  # a complex output: a complex cotangent (dL/dx - i dL/dy, cases_fft.py)
        values = values + 1j * rng.normal(size=np.shape(ans)).astype(dtype)
    return dtype.type(values) if isinstance(ans, np.generic) else values


def as_numbers(value) -> np.ndarray:
    """``value`` as a float64 array, or complex128 where it holds complex numbers (cases_fft.py): products
    with a complex cotangent or direction are taken in the convention ``dL = Re(sum(ct * dz))``."""
    array = np.asarray(value)
    return array.astype(np.complex128 if array.dtype.kind == "c" else np.float64)


def direction_like(leaf, rng: np.random.Generator):
    """A random direction for an argument: an array of its shape (complex for a complex array), or a float."""
    if isinstance(leaf, np.ndarray):
        direction = rng.normal(size=leaf.shape)
        return direction + 1j * rng.normal(size=leaf.shape) if leaf.dtype.kind == "c" else direction
    return float(rng.normal())


def call_rule(case, g, ans, args, kwargs):
    rule = vjp_rule(case.primal)
    assert rule is not None, f"no reverse rule registered for {case.id}"
    before = copy.deepcopy((args, kwargs))
    partials = rule.partials(g, ans, *args, **kwargs)
    for old, new in zip(before[0], args):
        np.testing.assert_equal(old, new, err_msg="the rule modified its inputs")
    positions = differentiable_positions(rule, args)
    assert len(partials) == len(positions)
    return partials, positions


# --- the case type --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    primal: Any
    make: Callable[[Draw], tuple[tuple, dict]]
    label: str
    torch: Callable | None = None
    smooth: bool = True
    expected: Callable | None = None
    check: tuple[int, ...] | None = None   # the partials to check (indices into the rule's partials)
    python_floats: bool = False            # all arguments are Python floats: partials must be floats too
    float32_bug: str | None = None         # a known float32 -> float64 partial (tracked by a strict xfail)
    # For primals whose output holds more than values (call_with_vjp's (output, backward) pair): the part
    # that finite differences and the cotangent refer to, and the full cotangent built from its cotangent.
    project: Callable | None = None
    cotangent: Callable | None = None

    @property
    def id(self) -> str:
        return f"{primal_name(self.primal)}[{self.label}]"


CASES: list[Case] = []


def case(primal: Any, label: str, make: Callable, torch: Callable | None = None, **options: Any) -> None:
    CASES.append(Case(primal, make, label, torch, **options))


# --- reference helpers for the non-smooth cases -----------------------------------------------------------


def sum_to(g: np.ndarray, shape: tuple[int, ...] | None) -> Any:
    """Sum ``g`` down to ``shape`` (None: a Python float), by summing every broadcast axis one at a time."""
    g = np.asarray(g, dtype=np.float64)
    target = () if shape is None else shape
    while g.ndim > len(target):
        g = g.sum(axis=0)
    for i, n in enumerate(target):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return float(g) if shape is None else g


def shape_or_none(x: Any) -> tuple[int, ...] | None:
    return None if isinstance(x, float) else np.shape(x)


def even_split_reference(g: Any, x: np.ndarray, axis: Any, keepdims: bool, pick: Callable) -> np.ndarray:
    """Reference cotangent of a max/min reduction with ties split evenly, one output element at a time."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(range(x.ndim)) if axis is None else tuple(
        a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    rows = moved.reshape(int(np.prod([x.shape[a] for a in kept])), -1)
    g_rows = np.reshape(g, -1)
    out = np.zeros_like(rows)
    for r in range(rows.shape[0]):
        hits = [j for j in range(rows.shape[1]) if rows[r, j] == pick(rows[r])]
        for j in hits:
            out[r, j] = g_rows[r] / len(hits)
    out = out.reshape(moved.shape)
    return np.transpose(out, np.argsort(kept + list(axes)))


# --- torch adapters (``T`` is the torch module) -----------------------------------------------------------


def _dims(x: Any, axis: Any) -> tuple[int, ...] | int:
    return tuple(range(x.ndim)) if axis is None else axis


def t_reduce(name: str) -> Callable:
    def run(T, a, axis=None, keepdims=False):
        return getattr(T, name)(a, dim=_dims(a, axis), keepdim=keepdims)
    return run


def t_var(name: str) -> Callable:
    def run(T, a, axis=None, ddof=0, keepdims=False):
        return getattr(T, name)(a, dim=_dims(a, axis), correction=ddof, keepdim=keepdims)
    return run


def t_prod(T, a, axis=None, keepdims=False):
    axes = _dims(a, axis)
    axes = sorted((x % a.ndim for x in (axes if isinstance(axes, tuple) else (axes,))), reverse=True)
    out = a
    for x in axes:
        out = T.prod(out, dim=x, keepdim=True)
    return out if keepdims else out.reshape([n for i, n in enumerate(a.shape) if i not in axes])


def t_cumsum(T, a, axis=None):
    return T.cumsum(a.reshape(-1), 0) if axis is None else T.cumsum(a, axis)


def t_trace(T, a, offset=0, axis1=0, axis2=1):
    return T.diagonal(a, offset, axis1, axis2).sum(-1)


def t_dot(T, a, b):
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return T.matmul(a, b)
    return T.tensordot(a, b, dims=([a.ndim - 1], [max(b.ndim - 2, 0)]))


def t_solve(T, a, b):
    return T.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1) if b.ndim == 1 else T.linalg.solve(a, b)


def t_norm(T, x, ord=None, axis=None, keepdims=False):
    if axis is None and ord is None:
        out = T.linalg.vector_norm(x)
        return out.reshape([1] * x.ndim) if keepdims else out
    return T.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def t_clip(T, a, a_min=None, a_max=None):
    def bound(b):
        return None if b is None else T.as_tensor(b, dtype=a.dtype)
    return T.clamp(a, min=bound(a_min), max=bound(a_max))


def t_flip(T, m, axis=None):
    dims = tuple(range(m.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    return T.flip(m, dims)


def t_concatenate(T, arrays, axis=0):
    return T.cat([a.reshape(-1) for a in arrays]) if axis is None else T.cat(list(arrays), dim=axis)


def t_take(T, a, indices, axis=None, mode="raise"):
    n = a.numel() if axis is None else a.shape[axis]
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = indices.clamp(0, n - 1)
    if axis is None:
        return a.reshape(-1)[indices]
    return a[(slice(None),) * (axis % a.ndim) + (indices,)]


def t_transpose(T, a, axes=None):
    return a.permute(tuple(range(a.ndim - 1, -1, -1)) if axes is None else tuple(axes))


def t_squeeze(T, a, axis=None):
    if axis is None:
        return T.squeeze(a)
    return T.squeeze(a, axis if isinstance(axis, tuple) else (axis,))


def t_reshape_like(result_shape: Callable) -> Callable:
    def run(T, a, *args, **kwargs):
        return a.reshape(result_shape(np.empty(tuple(a.shape)), *args, **kwargs).shape)
    return run


def t_array(T, obj, **kwargs):
    return T.stack(list(obj)) if isinstance(obj, list) else obj * 1


def t_pow(T, x, y):
    return T.pow(x, y)


def t_cbrt(T, x):
    return T.sign(x) * T.abs(x) ** (1.0 / 3.0)


# --- unary elementwise functions --------------------------------------------------------------------------

UNARY = [
    (np.negative, REAL, lambda T, x: T.neg(x)),
    (np.positive, REAL, lambda T, x: T.positive(x) * 1),
    (np.reciprocal, NONZERO, lambda T, x: T.reciprocal(x)),
    (np.square, REAL, lambda T, x: T.square(x)),
    (np.sqrt, POS, lambda T, x: T.sqrt(x)),
    (np.cbrt, NONZERO, t_cbrt),
    (np.absolute, NONZERO, lambda T, x: T.abs(x)),
    (np.fabs, NONZERO, lambda T, x: T.abs(x)),
    (np.exp, REAL, lambda T, x: T.exp(x)),
    (np.exp2, REAL, lambda T, x: T.exp2(x)),
    (np.expm1, REAL, lambda T, x: T.expm1(x)),
    (np.log, POS, lambda T, x: T.log(x)),
    (np.log2, POS, lambda T, x: T.log2(x)),
    (np.log10, POS, lambda T, x: T.log10(x)),
    (np.log1p, LOG1P, lambda T, x: T.log1p(x)),
    (np.sin, REAL, lambda T, x: T.sin(x)),
    (np.cos, REAL, lambda T, x: T.cos(x)),
    (np.tan, TAN, lambda T, x: T.tan(x)),
    (np.arcsin, UNIT, lambda T, x: T.asin(x)),
    (np.arccos, UNIT, lambda T, x: T.acos(x)),
    (np.arctan, REAL, lambda T, x: T.atan(x)),
    (np.sinh, REAL, lambda T, x: T.sinh(x)),
    (np.cosh, REAL, lambda T, x: T.cosh(x)),
    (np.tanh, REAL, lambda T, x: T.tanh(x)),
    (np.arcsinh, REAL, lambda T, x: T.asinh(x)),
    (np.arccosh, ABOVE_ONE, lambda T, x: T.acosh(x)),
    (np.arctanh, UNIT, lambda T, x: T.atanh(x)),
    (np.deg2rad, REAL, lambda T, x: T.deg2rad(x)),
    (np.rad2deg, REAL, lambda T, x: T.rad2deg(x)),
    (np.sinc, NONZERO, lambda T, x: T.sinc(x)),
    (np.copy, REAL, lambda T, x: T.clone(x)),
    (np.real, REAL, lambda T, x: T.real(x) * 1),
]

for _primal, _dom, _torch in UNARY:
    case(_primal, "array", lambda d, dom=_dom: call(d.arr(d.shape(), dom)), _torch)
    case(_primal, "float", lambda d, dom=_dom: call(d.flt(dom)), _torch)

case(np.absolute, "zero", lambda d: call(np.array([-1.5, 0.0, 2.0, -0.0])), lambda T, x: T.abs(x),
     smooth=False, expected=lambda g, x: (g * np.array([-1.0, 0.0, 1.0, 0.0]),))
case(np.fabs, "zero", lambda d: call(np.array([0.0, 3.0])), lambda T, x: T.abs(x),
     smooth=False, expected=lambda g, x: (g * np.array([0.0, 1.0]),))
case(np.sinc, "zero", lambda d: call(np.array([0.0, 0.5])), lambda T, x: T.sinc(x),
     smooth=False, expected=lambda g, x: (g * np.array([0.0, -4.0 / np.pi]),))

# --- binary elementwise functions -------------------------------------------------------------------------


def _add_binary(primal: Any, dx: tuple, dy: tuple, torch: Callable | None, check: tuple | None = None) -> None:
    def broadcast(d):
        sx, sy = d.broadcast_shapes()
        return call(d.arr(sx, dx), d.arr(sy, dy))

    case(primal, "broadcast", broadcast, torch, check=check)
    case(primal, "col-row", lambda d: call(d.arr((3, 1), dx), d.arr((4,), dy)), torch, check=check)
    case(primal, "row-col", lambda d: call(d.arr((4,), dx), d.arr((3, 1), dy)), torch, check=check)
    case(primal, "float-array", lambda d: call(d.flt(dx), d.arr(d.shape(1, 3), dy)), torch, check=check)
    case(primal, "array-float", lambda d: call(d.arr(d.shape(1, 3), dx), d.flt(dy)), torch, check=check)
    case(primal, "0d-array", lambda d: call(d.arr((), dx), d.arr((2, 3), dy)), torch, check=check)


BINARY = [
    (np.add, REAL, REAL, lambda T, x, y: T.add(x, y)),
    (np.subtract, REAL, REAL, lambda T, x, y: T.sub(x, y)),
    (np.multiply, REAL, REAL, lambda T, x, y: T.mul(x, y)),
    (np.divide, REAL, NONZERO, lambda T, x, y: T.div(x, y)),
    (np.power, POS, REAL, t_pow),
    (np.maximum, EVEN, ODD, lambda T, x, y: T.maximum(x, y)),
    (np.minimum, EVEN, ODD, lambda T, x, y: T.minimum(x, y)),
    (np.fmax, EVEN, ODD, lambda T, x, y: T.fmax(x, y)),
    (np.fmin, EVEN, ODD, lambda T, x, y: T.fmin(x, y)),
    (np.hypot, NONZERO, NONZERO, lambda T, x, y: T.hypot(x, y)),
    (np.logaddexp, REAL, REAL, lambda T, x, y: T.logaddexp(x, y)),
    (np.logaddexp2, REAL, REAL, lambda T, x, y: T.logaddexp2(x, y)),
    # Both nonzero: the difference steps must not cross the branch cut of atan2 on the negative x axis.
    (np.arctan2, NONZERO, NONZERO, lambda T, y, x: T.atan2(y, x)),
    (np.float_power, POS, REAL, lambda T, x, y: T.float_power(x, y)),
    (operator.add, REAL, REAL, lambda T, x, y: x + y),
    (operator.sub, REAL, REAL, lambda T, x, y: x - y),
    (operator.mul, REAL, REAL, lambda T, x, y: x * y),
    (operator.truediv, REAL, NONZERO, lambda T, x, y: x / y),
    (operator.pow, POS, REAL, t_pow),
]

for _primal, _dx, _dy, _torch in BINARY:
    _add_binary(_primal, _dx, _dy, _torch)

# Negative bases with integral exponents: only the base has a derivative.
for _primal in (np.power, operator.pow):
    case(_primal, "negative-base", lambda d: call(d.arr((2, 3), NONZERO), d.pick([1.0, 2.0, 3.0, -1.0, -2.0])),
         t_pow, check=(0,))
    case(_primal, "int-exponent", lambda d: call(d.arr(d.shape(), NONZERO), d.pick([1, 2, 3])), t_pow,
         check=(0,))
    case(_primal, "zero-base", lambda d: call(np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, 1.0, 2.0, 0.0])),
         t_pow, smooth=False,
         expected=lambda g, x, y: (g * np.array([0.0, 1.0, 0.0, 0.0]), g * np.array([0.0, 0.0, 0.0, np.log(2.0)])))

# Python floats through the operators stay Python floats, partials included.
for _primal, _dx, _dy, _torch in BINARY[-5:]:
    case(_primal, "floats", lambda d, dx=_dx, dy=_dy: call(d.flt(dx), d.flt(dy)), _torch, python_floats=True)
case(operator.pow, "float-zero-base", lambda d: call(0.0, d.pick([0.0, 0.5, 2.0])), t_pow,
     python_floats=True, smooth=False,
     expected=lambda g, x, y: (0.0 if y != 0.5 else math.inf * g, 0.0))

for _primal, _neg in ((operator.neg, lambda T, x: -x), (operator.pos, lambda T, x: +x * 1)):
    case(_primal, "array", lambda d: call(d.arr(d.shape())), _neg)
    case(_primal, "float", lambda d: call(d.flt()), _neg, python_floats=True)


def _tie_pair(d):
    sx, sy = d.broadcast_shapes(scalars=False)
    return call(d.ties(sx), d.ties(sy))


def _extremum_pair_reference(pick_x: Callable, split: bool) -> Callable:
    def expected(g, x, y):
        xb, yb = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        tie = (xb == yb)
        wx = np.where(pick_x(xb, yb), 1.0, 0.0) + (0.5 * tie if split else 0.0)
        wy = 1.0 - wx
        return sum_to(g * wx, shape_or_none(x)), sum_to(g * wy, shape_or_none(y))
    return expected


case(np.maximum, "ties", _tie_pair, lambda T, x, y: T.maximum(x, y), smooth=False,
     expected=_extremum_pair_reference(lambda x, y: x > y, split=True))
case(np.minimum, "ties", _tie_pair, lambda T, x, y: T.minimum(x, y), smooth=False,
     expected=_extremum_pair_reference(lambda x, y: x < y, split=True))
# fmax/fmin follow torch.fmax/fmin: a tie goes to the first argument, and a NaN loses.
case(np.fmax, "ties", _tie_pair, lambda T, x, y: T.fmax(x, y), smooth=False,
     expected=_extremum_pair_reference(lambda x, y: x >= y, split=False))
case(np.fmin, "ties", _tie_pair, lambda T, x, y: T.fmin(x, y), smooth=False,
     expected=_extremum_pair_reference(lambda x, y: x <= y, split=False))
case(np.fmax, "nan", lambda d: call(np.array([np.nan, 1.0, 2.0]), np.array([3.0, np.nan, 1.0])), None,
     smooth=False, expected=lambda g, x, y: (g * np.array([0.0, 1.0, 1.0]), g * np.array([1.0, 0.0, 0.0])))
case(np.fmin, "nan", lambda d: call(np.array([np.nan, 1.0, 2.0]), np.array([3.0, np.nan, 1.0])), None,
     smooth=False, expected=lambda g, x, y: (g * np.array([0.0, 1.0, 0.0]), g * np.array([1.0, 0.0, 1.0])))
# The 2-norm of (x, y) has zero gradient at the origin, as np.linalg.norm does.
case(np.hypot, "origin", lambda d: call(np.array([0.0, 3.0]), np.array([0.0, 4.0])), None, smooth=False,
     expected=lambda g, x, y: (g * np.array([0.0, 0.6]), g * np.array([0.0, 0.8])))

# --- remainders and copysign ------------------------------------------------------------------------------

# Divisors from a few magnitudes and dividends whose fractional part stays in four bands (0.12 to 0.18,
# 0.32 to 0.38, 0.62 to 0.68, 0.82 to 0.88): x / y is then at least 0.05 away from an integer for every
# pair a broadcast meets, and the finite-difference steps (a few thousandths) never reach a jump.
DIVISORS = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)


def _divisors(d, shape):
    values = d.rng.choice(DIVISORS, size=() if shape is None else shape)
    return float(values) if shape is None else values


def _dividends(d, shape):
    size = () if shape is None else shape
    values = (d.rng.integers(-3, 4, size=size) + d.rng.choice([0.1, 0.3, 0.6, 0.8], size=size)
              + d.rng.uniform(0.02, 0.08, size=size))
    return float(values) if shape is None else values


def _modulo_pair(d):
    sx, sy = d.broadcast_shapes()
    return call(_dividends(d, sx), _divisors(d, sy))


_MODULO = [
    (np.remainder, lambda T, x, y: T.remainder(x, y)),
    (np.fmod, lambda T, x, y: T.fmod(x, y)),
    (operator.mod, lambda T, x, y: x % y),
]
for _primal, _torch in _MODULO:
    case(_primal, "broadcast", _modulo_pair, _torch)
    case(_primal, "col-row", lambda d: call(_dividends(d, (3, 1)), _divisors(d, (4,))), _torch)
    case(_primal, "float-array", lambda d: call(_dividends(d, None), _divisors(d, (2, 3))), _torch)
    case(_primal, "array-float", lambda d: call(_dividends(d, (2, 3)), _divisors(d, None)), _torch)
case(operator.mod, "floats", lambda d: call(_dividends(d, None), _divisors(d, None)), lambda T, x, y: x % y,
     python_floats=True)


def _copysign_pair(d):
    sx, sy = d.broadcast_shapes()
    return call(d.arr(sx, NONZERO), d.arr(sy, NONZERO))


case(np.copysign, "broadcast", _copysign_pair, lambda T, x, y: T.copysign(x, y))
case(np.copysign, "col-row", lambda d: call(d.arr((3, 1), NONZERO), d.arr((4,), NONZERO)),
     lambda T, x, y: T.copysign(x, y))
# At x == 0 (the kink of |x|) the slope in x is 0, as np.absolute's; y never gets a gradient.
case(np.copysign, "zero", lambda d: call(np.array([0.0, -0.0, 1.5, -2.0]), np.array([1.0, -1.0, -0.5, -3.0])),
     lambda T, x, y: T.copysign(x, y), smooth=False,
     expected=lambda g, x, y: (g * np.array([0.0, 0.0, -1.0, 1.0]), np.zeros(4)))

# --- where and clip ---------------------------------------------------------------------------------------


def _where(d):
    sc, sx, sy = d.broadcast_shapes(3)
    condition = d.rng.random(sc if sc is not None else ()) > 0.5
    return call(condition, d.arr(sx), d.arr(sy))


case(np.where, "broadcast", _where, lambda T, c, x, y: T.where(c, x, y))
case(np.where, "col-row", lambda d: call(d.rng.random((3, 1)) > 0.5, d.arr((4,)), d.arr(None)),
     lambda T, c, x, y: T.where(c, x, y))


def _clip(d):
    # The input takes ODD grid values and the bounds EVEN ones, so no input sits near a bound.
    shape = d.shape()
    lo = d.pick([None, "float", "array"])
    hi = d.pick([None, "float", "array"]) if lo is not None else d.pick(["float", "array"])
    lo = None if lo is None else d.grid(None if lo == "float" else shape[d.int(0, len(shape)):], -15, -2)
    hi = None if hi is None else d.grid(None if hi == "float" else shape[d.int(0, len(shape)):], 2, 15)
    return call(d.arr(shape, ODD), lo, hi)


case(np.clip, "bounds", _clip, t_clip)
case(np.clip, "kwargs", lambda d: call(d.arr(d.shape(), ODD), a_min=None, a_max=0.3),
     lambda T, a, a_min=None, a_max=None: T.clamp(a, max=a_max))
case(np.clip, "broadcast-bounds", lambda d: call(d.arr((3,), ODD), d.grid((2, 1), -15, -2), 0.5), t_clip)
case(np.clip, "numpy2-kwargs", lambda d: call(d.arr((2, 3), ODD), min=-0.4, max=d.grid((3,), 2, 15)),
     lambda T, a, min, max: t_clip(T, a, min, max))
case(np.clip, "boundary", lambda d: call(np.array([-1.0, -0.5, 0.0, 0.7, 1.0]), -0.5, 0.7), t_clip,
     smooth=False, expected=lambda g, a, lo, hi: (g * np.array([0.0, 1.0, 1.0, 1.0, 0.0]),))

# --- reductions -------------------------------------------------------------------------------------------


def _reduction(dom: tuple = REAL, min_side: int = 1) -> Callable:
    def make(d):
        shape = d.shape(0, 3, lo=min_side)
        return call(d.arr(shape, dom), d.axis(len(shape)), keepdims=d.flag())
    return make


case(np.sum, "axis", _reduction(), t_reduce("sum"))
case(np.sum, "positional", lambda d: call(d.arr((2, 3)), 1), lambda T, a, axis: T.sum(a, axis))
case(np.sum, "float", lambda d: call(d.flt()), lambda T, a: a * 1)
case(np.mean, "axis", _reduction(), t_reduce("mean"))
# Products of up to 27 factors of magnitude 0.5 to 1.5: the higher Taylor terms of a long product of
# small factors would outgrow its first derivative, and the finite-difference truncation error with them.
PROD_FACTORS = (0.5, 1.5, True)


def _prod(d):
    shape = d.shape(0, 3, hi=3)
    return call(d.arr(shape, PROD_FACTORS), d.axis(len(shape)), keepdims=d.flag())


case(np.prod, "axis", _prod, t_prod)
case(np.max, "axis", _reduction(DISTINCT), t_reduce("amax"))
case(np.min, "axis", _reduction(DISTINCT), t_reduce("amin"))


def _with_zeros(count: int) -> Callable:
    def make(d):
        shape = d.shape(1, 3, lo=2, hi=3)
        x = d.arr(shape, PROD_FACTORS)
        x.flat[d.ints((count,), 0, x.size)] = 0.0
        return call(x, d.axis(len(shape)), keepdims=d.flag())
    return make


def _prod_reference(g, x, axis=None, keepdims=False):
    """The product of all other elements along the reduced axes, by deleting each element in turn."""
    x = np.asarray(x)
    full = np.broadcast_to(np.prod(np.ones_like(x), axis=axis, keepdims=True), x.shape)  # shape helper
    g_full = np.broadcast_to(np.reshape(g, np.prod(x, axis=axis, keepdims=True).shape), x.shape)
    axes = tuple(range(x.ndim)) if axis is None else tuple(
        a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    out = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        group = tuple(slice(None) if i in axes else index[i] for i in range(x.ndim))
        members = x[group].copy()
        position = tuple(index[i] for i in axes)
        members[position] = 1.0
        out[index] = np.prod(members) * g_full[index] * full[index]
    return (out,)


case(np.prod, "zeros", _with_zeros(2), t_prod, smooth=False, expected=_prod_reference)
# With a single zero the directional derivative is not zero and finite differences stay accurate.
case(np.prod, "one-zero", _with_zeros(1), t_prod)


def _extremum_ties(d):
    shape = d.shape(1, 3, lo=2)
    return call(d.ties(shape), d.axis(len(shape)), keepdims=d.flag())


case(np.max, "ties", _extremum_ties, t_reduce("amax"), smooth=False,
     expected=lambda g, x, axis=None, keepdims=False: (even_split_reference(g, x, axis, keepdims, np.max),))
case(np.min, "ties", _extremum_ties, t_reduce("amin"), smooth=False,
     expected=lambda g, x, axis=None, keepdims=False: (even_split_reference(g, x, axis, keepdims, np.min),))
case(np.amax, "ties", _extremum_ties, t_reduce("amax"), smooth=False,
     expected=lambda g, x, axis=None, keepdims=False: (even_split_reference(g, x, axis, keepdims, np.max),))
case(np.amin, "ties", _extremum_ties, t_reduce("amin"), smooth=False,
     expected=lambda g, x, axis=None, keepdims=False: (even_split_reference(g, x, axis, keepdims, np.min),))
case(np.amax, "axis", _reduction(DISTINCT), t_reduce("amax"))
case(np.amin, "axis", _reduction(DISTINCT), t_reduce("amin"))


def _moments(d):
    shape = d.shape(1, 3, lo=3)
    x, axis = d.arr(shape), d.axis(len(shape))
    # Far from constant data, where std = sqrt(var) curves too sharply for finite differences.
    assume(np.all(np.std(x, axis=axis) > 0.3))
    return call(x, axis, ddof=d.pick([0, 1]), keepdims=d.flag())


case(np.var, "axis-ddof", _moments, t_var("var"))
case(np.std, "axis-ddof", _moments, t_var("std"))
case(np.std, "constant", lambda d: call(np.full((2, 3), 1.5), 1), lambda T, a, axis: T.std(a, axis, correction=0),
     smooth=False, expected=lambda g, a, axis: (np.zeros((2, 3)),))


def _cumsum(d):
    shape = d.shape(1, 3)
    return call(d.arr(shape), d.pick([None] + list(range(-len(shape), len(shape)))))


case(np.cumsum, "axis", _cumsum, t_cumsum)


def t_cumprod(T, a, axis=None):
    return T.cumprod(a.reshape(-1), 0) if axis is None else T.cumprod(a, axis)


case(np.cumprod, "axis", _cumsum, t_cumprod)


def _cumprod_zeros(d):
    shape = d.shape(1, 3, lo=2)
    x = d.arr(shape)
    x.flat[d.ints((d.int(1, 3),), 0, x.size)] = 0.0
    return call(x, d.pick([None] + list(range(-len(shape), len(shape)))))


def _cumprod_reference(g, a, axis=None):
    """d out_j / d a_i = prod over k <= j, k != i of a_k (for i <= j), summed against g, line by line."""
    if axis is None:
        return (np.reshape(_cumprod_reference(np.ravel(g), np.ravel(a), 0)[0], np.shape(a)),)
    x, gm = np.moveaxis(a, axis, -1), np.moveaxis(np.asarray(g), axis, -1)
    out = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        line, i = index[:-1], index[-1]
        for j in range(i, x.shape[-1]):
            out[index] += gm[line + (j,)] * np.prod([x[line + (k,)] for k in range(j + 1) if k != i])
    return (np.moveaxis(out, -1, axis),)


case(np.cumprod, "zeros", _cumprod_zeros, t_cumprod, smooth=False, expected=_cumprod_reference)


def _diff(d):
    shape = d.shape(1, 3, lo=3)
    axis = d.int(-len(shape), len(shape) - 1)
    return call(d.arr(shape), d.int(0, 2), axis)


case(np.diff, "n-axis", _diff, lambda T, a, n, axis: T.diff(a, n, axis) if n else a * 1)
case(np.diff, "prepend-append", lambda d: call(d.arr((2, 4)), d.int(1, 2), 1, d.arr((2, 1)), d.arr((2, 2))),
     lambda T, a, n, axis, prepend, append: T.diff(a, n, axis, prepend=prepend, append=append))
case(np.diff, "scalar-prepend", lambda d: call(d.arr((4,)), prepend=0.5),
     lambda T, a, prepend: T.diff(a, prepend=T.tensor([prepend], dtype=a.dtype)))


def _sort(d):
    shape = d.shape(1, 3)
    return call(d.arr(shape, DISTINCT), d.pick([None] + list(range(-len(shape), len(shape)))))


def t_sort(T, a, axis=-1):
    return T.sort(a.reshape(-1) if axis is None else a, dim=0 if axis is None else axis).values


case(np.sort, "axis", _sort, t_sort)
case(np.sort, "default", lambda d: call(d.arr(d.shape(1, 3), DISTINCT)), t_sort)
case(np.sort, "ties", lambda d: call(d.ties(d.shape(1, 3))), t_sort, smooth=False,
     expected=lambda g, a: (_sort_ties_reference(g, a),))


def _sort_ties_reference(g, a):
    """With ties any matching is a valid cotangent; the test takes the stable one, as torch does."""
    out = np.zeros_like(a)
    order = np.argsort(a, axis=-1, kind="stable")
    for index in np.ndindex(*a.shape[:-1]):
        for position, source in enumerate(order[index]):
            out[index + (source,)] = g[index + (position,)]
    return out


def _trace(d):
    shape = d.shape(2, 4, lo=2)
    axis1, axis2 = d.data.draw(st.permutations(range(len(shape))))[:2]
    return call(d.arr(shape), d.int(-1, 1), axis1 - len(shape) * d.flag(), axis2)


case(np.trace, "2d", lambda d: call(d.arr((d.int(1, 4), d.int(1, 4)))), t_trace)
case(np.trace, "axes-offset", _trace, t_trace)

# --- linear algebra ---------------------------------------------------------------------------------------

_MATMUL_SHAPES = {
    "1d@1d": ((4,), (4,)), "1d@2d": ((4,), (4, 3)), "2d@1d": ((2, 4), (4,)), "2d@2d": ((2, 4), (4, 3)),
    "3d@3d-broadcast": ((2, 1, 3, 4), (5, 4, 2)), "1d@3d": ((4,), (2, 4, 3)), "3d@1d": ((2, 3, 4), (4,)),
    "2d@3d": ((3, 4), (2, 4, 5)), "3d@2d": ((2, 3, 4), (4, 5)),
}

for _primal in (np.matmul, operator.matmul):
    for _label, (_sa, _sb) in _MATMUL_SHAPES.items():
        case(_primal, _label, lambda d, sa=_sa, sb=_sb: call(d.arr(sa), d.arr(sb)),
             lambda T, a, b: T.matmul(a, b))


def _random_matmul(d):
    m, k, n = d.int(1, 3), d.int(1, 3), d.int(1, 3)
    batch = d.shape(0, 2)
    sa = batch[d.int(0, len(batch)):] + (m, k) if d.flag() else (k,)
    sb = tuple(1 if d.flag() else s for s in batch) + (k, n) if d.flag() else (k,)
    return call(d.arr(sa), d.arr(sb))


case(np.matmul, "random", _random_matmul, lambda T, a, b: T.matmul(a, b))

_DOT_SHAPES = {
    "1d.1d": ((4,), (4,)), "2d.1d": ((2, 4), (4,)), "1d.2d": ((4,), (4, 3)), "2d.2d": ((2, 4), (4, 3)),
    "3d.1d": ((2, 3, 4), (4,)), "3d.2d": ((2, 3, 4), (4, 5)), "2d.3d": ((3, 4), (2, 4, 5)),
    "1d.3d": ((4,), (2, 4, 3)), "3d.3d": ((2, 3, 4), (5, 4, 2)), "0d.2d": ((), (2, 3)),
}
for _label, (_sa, _sb) in _DOT_SHAPES.items():
    case(np.dot, _label, lambda d, sa=_sa, sb=_sb: call(d.arr(sa), d.arr(sb)), t_dot)
case(np.dot, "float.1d", lambda d: call(d.flt(), d.arr((3,))), t_dot)

case(np.vdot, "2d", lambda d: call(d.arr((2, 3)), d.arr((3, 2))), lambda T, a, b: T.sum(a.reshape(-1) * b.reshape(-1)))
case(np.outer, "2d-1d", lambda d: call(d.arr((2, 2)), d.arr((3,))),
     lambda T, a, b: T.outer(a.reshape(-1), b.reshape(-1)))
case(np.outer, "1d-1d", lambda d: call(d.arr((d.int(1, 4),)), d.arr((d.int(1, 4),))), lambda T, a, b: T.outer(a, b))

_INNER_SHAPES = {"1d": ((4,), (4,)), "2d-1d": ((2, 4), (4,)), "2d-3d": ((2, 4), (3, 2, 4)),
                 "0d-2d": ((), (2, 3))}
for _label, (_sa, _sb) in _INNER_SHAPES.items():
    case(np.inner, _label, lambda d, sa=_sa, sb=_sb: call(d.arr(sa), d.arr(sb)), lambda T, a, b: T.inner(a, b))
case(np.inner, "float-1d", lambda d: call(d.flt(), d.arr((3,))), lambda T, a, b: T.inner(a, b))

_TENSORDOT = {
    "int0": ((2, 3), (4,), 0), "int1": ((2, 3), (3, 4), 1), "int2": ((2, 3, 4), (3, 4, 2), 2),
    "pair": ((2, 3, 4), (4, 2, 5), ([0, 2], [1, 0])), "pair-neg": ((2, 3, 4), (4, 3), ([-1, 1], [0, -1])),
    "pair-int": ((2, 3), (3, 5), (1, 0)), "default": ((2, 3, 4), (3, 4), 2),
}
for _label, (_sa, _sb, _axes) in _TENSORDOT.items():
    case(np.tensordot, _label, lambda d, sa=_sa, sb=_sb, axes=_axes: call(d.arr(sa), d.arr(sb), axes),
         lambda T, a, b, axes: T.tensordot(a, b, dims=axes if isinstance(axes, int)
                                          else ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                                                [axes[1]] if isinstance(axes[1], int) else list(axes[1]))))

_EINSUM = {
    "matmul": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "implicit": ("ij,jk", [(2, 3), (3, 4)]),
    "implicit-order": ("ba,ac", [(2, 3), (3, 4)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "full-sum": ("ijk->", [(2, 3, 2)]),
    "dot": ("i,i->", [(4,), (4,)]),
    "outer": ("i,j->ij", [(2,), (3,)]),
    "sum-one-operand": ("ijk,jl->il", [(2, 3, 4), (3, 2)]),
    "unused-index": ("ij,k->ik", [(2, 3), (4,)]),
    "three": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "batched": ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 4)]),
    "ellipsis-implicit": ("...i,...i", [(2, 3), (3,)]),
    "ellipsis-sum": ("i...->...", [(2, 3, 4)]),
    "broadcast-label": ("ij,ij->ij", [(1, 3), (2, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "trace": ("ii", [(3, 3)]),
    "diagonal-product": ("ii,i->i", [(3, 3), (3,)]),
    "spaces": ("ij, j -> i", [(2, 3), (3,)]),
}
for _label, (_spec, _shapes) in _EINSUM.items():
    case(np.einsum, _label, lambda d, spec=_spec, shapes=_shapes: call(spec, *[d.arr(s) for s in shapes]),
         lambda T, spec, *ops: T.einsum(spec, *ops))
case(np.einsum, "optimize", lambda d: call("ij,jk,kl->il", d.arr((2, 3)), d.arr((3, 4)), d.arr((4, 2)),
                                           optimize=True),
     lambda T, spec, *ops, optimize: T.einsum(spec, *ops))

# The sublist form: operands interleaved with lists of integer labels (0 to 25 read as 'A' to 'Z', 26 to 51
# as 'a' to 'z'), the output list last or left out (then the labels that occur once, in label order).
_EINSUM_SUBLISTS = {
    "sublist-matmul": ([(2, 3), (3, 4)], [[0, 1], [1, 2]], [0, 2]),
    "sublist-transpose": ([(2, 3)], [[0, 1]], [1, 0]),
    "sublist-implicit": ([(2, 3), (3, 4)], [[0, 1], [1, 2]], None),
    "sublist-implicit-order": ([(2, 3), (3, 4)], [[27, 1], [1, 0]], None),
    "sublist-ellipsis": ([(2, 2, 3), (3,)], [[Ellipsis, 0, 1], [1]], [Ellipsis, 0]),
    "sublist-diagonal": ([(3, 3), (3,)], [[4, 4], [4]], [4]),
    "sublist-three": ([(2,), (2, 3), (3,)], [[0], [0, 1], [1]], None),
}


def _einsum_sublists(shapes, sublists, output):
    def make(d):
        args = [item for shape, sublist in zip(shapes, sublists) for item in (d.arr(shape), list(sublist))]
        return call(*args) if output is None else call(*args, list(output))
    return make


for _label, (_shapes, _sublists, _output) in _EINSUM_SUBLISTS.items():
    case(np.einsum, _label, _einsum_sublists(_shapes, _sublists, _output), lambda T, *args: T.einsum(*args))

case(np.linalg.inv, "2d", lambda d: call(d.matrix((3, 3))), lambda T, a: T.linalg.inv(a))
case(np.linalg.inv, "batched", lambda d: call(d.matrix((2, 3, 3))), lambda T, a: T.linalg.inv(a))
case(np.linalg.det, "2d", lambda d: call(d.matrix((d.int(1, 4),) * 2)), lambda T, a: T.linalg.det(a))
case(np.linalg.det, "batched", lambda d: call(d.matrix((2, 3, 3))), lambda T, a: T.linalg.det(a))
# Singular matrices: the gradient is the cofactor matrix (finite differences agree); torch 2.13 returns
# zeros there, so these cases have no torch oracle.
case(np.linalg.det, "singular", lambda d: call(np.array([[1.0, 2.0], [2.0, 4.0]])))
case(np.linalg.det, "singular-3d", lambda d: call(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 2.5]])))
case(np.linalg.det, "rank-deficient-batch", lambda d: call(np.stack([d.matrix((3, 3)), np.outer(d.arr((3,)), d.arr((3,)))])))
_SOLVE = {"vector": ((3, 3), (3,)), "matrix": ((3, 3), (3, 2)), "batched-matrix": ((2, 3, 3), (2, 3, 2)),
          "batched-vector-b": ((2, 3, 3), (3,)), "batched-b": ((3, 3), (2, 3, 4)),
          "broadcast-batch": ((2, 1, 3, 3), (4, 3, 1))}
for _label, (_sa, _sb) in _SOLVE.items():
    case(np.linalg.solve, _label, lambda d, sa=_sa, sb=_sb: call(d.matrix(sa), d.arr(sb)), t_solve)


def _vector_norm(d):
    shape = d.shape(1, 3)
    axis = d.pick([None, "int"]) if len(shape) == 1 else "int"
    axis = None if axis is None else d.int(-len(shape), len(shape) - 1)
    order = d.pick([None, 1, 2, 3, np.inf, -np.inf, 0.5])
    return call(d.arr(shape, DISTINCT_NZ if order in (np.inf, -np.inf) else NONZERO), order, axis, d.flag())


def _assume_smooth_matrix_norm(x: np.ndarray, order: Any, axes: tuple[int, int]) -> None:
    """Reject matrices where a matrix norm has a kink within reach of the finite-difference steps (two
    near-equal largest or smallest column or row sums) or curves too sharply for them (near-equal
    singular values, a near-zero singular value)."""
    moved = np.moveaxis(x, axes, (-2, -1))
    gap = 0.05
    if order in (1, -1, np.inf, -np.inf):
        sums = np.sort(np.sum(np.abs(moved), axis=-2 if order in (1, -1) else -1), axis=-1)
        if sums.shape[-1] > 1:
            pair = sums[..., -2:] if order in (1, np.inf) else sums[..., :2]
            assume(np.all(np.abs(pair[..., 1] - pair[..., 0]) > gap))
    elif order in (2, -2, "nuc"):
        # Singular values curve like 1 / gap: keep them well apart (and away from zero) so that the
        # fourth-order truncation error, (step / gap) ** 4, stays far below the tolerance.
        s = np.linalg.svd(moved, compute_uv=False)
        assume(np.all(s[..., -1] > 0.3))
        if s.shape[-1] > 1 and order != "nuc":
            pair = s[..., :2] if order == 2 else s[..., -2:]
            assume(np.all(np.abs(pair[..., 1] - pair[..., 0]) > 0.3))


def _matrix_norm(d):
    shape = d.shape(2, 3, lo=2)
    axes = tuple(d.data.draw(st.permutations(range(len(shape))))[:2])
    axes = tuple(a - len(shape) if d.flag() else a for a in axes)
    x = d.arr(shape, NONZERO)
    order = d.pick([None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
    _assume_smooth_matrix_norm(x, order, axes)
    return call(x, order, axes, d.flag())


def _matrix_default_norm(d):
    x = d.arr((3, 2), NONZERO)
    order = d.pick(["fro", 1, np.inf, 2, "nuc"])
    _assume_smooth_matrix_norm(x, order, (0, 1))
    return call(x, order)


case(np.linalg.norm, "flat", lambda d: call(d.arr(d.shape(1, 3), NONZERO)), t_norm)
case(np.linalg.norm, "flat-keepdims", lambda d: call(d.arr(d.shape(1, 3), NONZERO), keepdims=True), t_norm)
case(np.linalg.norm, "matrix-default", _matrix_default_norm, t_norm)
case(np.linalg.norm, "vector", _vector_norm, t_norm)
case(np.linalg.norm, "matrix-axes", _matrix_norm, t_norm)
case(np.linalg.norm, "zero-vector", lambda d: call(np.zeros(3)), t_norm, smooth=False,
     expected=lambda g, x: (np.zeros(3),))
case(np.linalg.norm, "zero-rows", lambda d: call(np.array([[0.0, 0.0], [3.0, 4.0]]), None, 1), t_norm,
     smooth=False, expected=lambda g, x, ord, axis: (np.array([[0.0, 0.0], [0.6, 0.8]]) * g[:, None],))
case(np.linalg.norm, "inf-ties", lambda d: call(np.array([2.0, -2.0, 1.0]), np.inf), t_norm, smooth=False,
     expected=lambda g, x, ord: (g * np.array([0.5, -0.5, 0.0]),))

# --- shape operations -------------------------------------------------------------------------------------

case(np.reshape, "flatten", lambda d: call(d.arr(d.shape()), (-1,)), lambda T, a, shape: a.reshape(shape))
case(np.reshape, "shape", lambda d: call(d.arr((2, 6)), (3, 1, 4)), lambda T, a, shape: a.reshape(shape))
case(np.reshape, "keyword", lambda d: call(d.arr((2, 6)), shape=(4, 3)), lambda T, a, shape: a.reshape(shape))
case(np.ravel, "array", lambda d: call(d.arr(d.shape())), lambda T, a: a.reshape(-1))
case(np.squeeze, "all", lambda d: call(d.arr((1, 3, 1, 2))), t_squeeze)
case(np.squeeze, "axis", lambda d: call(d.arr((1, 3, 1, 2)), d.pick([0, -2, (0, 2)])), t_squeeze)
case(np.expand_dims, "axis", lambda d: call(d.arr(d.shape(1, 2)), d.pick([0, -1, (0, 2)])),
     t_reshape_like(np.expand_dims))
case(np.atleast_1d, "inputs", lambda d: call(d.pick([d.flt(), d.arr(()), d.arr((2, 3))])), lambda T, a: T.atleast_1d(a))
case(np.atleast_2d, "inputs", lambda d: call(d.pick([d.flt(), d.arr((3,)), d.arr((2, 3))])), lambda T, a: T.atleast_2d(a))


def _transpose(d):
    shape = d.shape(1, 4)
    perm = d.data.draw(st.permutations(range(len(shape))))
    return call(d.arr(shape), tuple(a - len(shape) if d.flag() else a for a in perm))


case(np.transpose, "default", lambda d: call(d.arr(d.shape())), t_transpose)
case(np.transpose, "axes", _transpose, t_transpose)
case(np.swapaxes, "axes", lambda d: call(d.arr((2, 3, 4)), d.int(-3, 2), d.int(-3, 2)),
     lambda T, a, i, j: T.swapaxes(a, i, j))
case(np.moveaxis, "int", lambda d: call(d.arr((2, 3, 4)), d.int(-3, 2), d.int(-3, 2)),
     lambda T, a, s, t: T.movedim(a, s, t))
case(np.moveaxis, "tuple", lambda d: call(d.arr((2, 3, 4, 5)), (0, -1), (2, 0)),
     lambda T, a, s, t: T.movedim(a, s, t))
case(np.broadcast_to, "leading", lambda d: call(d.arr((3,)), (2, 3)), lambda T, a, s: T.broadcast_to(a, s))
case(np.broadcast_to, "ones", lambda d: call(d.arr((3, 1)), (2, 3, 4)), lambda T, a, s: T.broadcast_to(a, s))
case(np.broadcast_to, "float", lambda d: call(d.flt(), (2, 2)), lambda T, a, s: T.broadcast_to(a, s))


case(np.atleast_3d, "inputs", lambda d: call(d.pick([d.flt(), d.arr((3,)), d.arr((2, 3)), d.arr((2, 3, 2))])),
     lambda T, a: T.atleast_3d(a))
case(np.fliplr, "2d", lambda d: call(d.arr(d.shape(2, 3))), lambda T, m: T.fliplr(m))
case(np.flipud, "1d-2d", lambda d: call(d.arr(d.shape(1, 3))), lambda T, m: T.flipud(m))


def _roll(d):
    shape = d.shape(1, 3)
    if d.flag():
        return call(d.arr(shape), d.int(-7, 7))
    axes = tuple(d.data.draw(st.permutations(range(len(shape)))))[: d.int(1, len(shape))]
    return call(d.arr(shape), tuple(d.int(-5, 5) for _ in axes), tuple(a - len(shape) * d.flag() for a in axes))


def t_roll(T, a, shift, axis=None):
    if axis is None:
        return T.roll(a.reshape(-1), shift).reshape(a.shape)
    return T.roll(a, shift, axis)


case(np.roll, "shift-axis", _roll, t_roll)
case(np.roll, "int-axis", lambda d: call(d.arr((3, 4)), 2, -1), t_roll)


def _diagonal(d):
    shape = d.shape(2, 4, lo=1)
    axis1, axis2 = d.data.draw(st.permutations(range(len(shape))))[:2]
    return call(d.arr(shape), d.int(-2, 2), axis1 - len(shape) * d.flag(), axis2)


case(np.diagonal, "offset-axes", _diagonal, lambda T, a, offset, axis1, axis2: T.diagonal(a, offset, axis1, axis2))
case(np.diag, "vector", lambda d: call(d.arr((d.int(1, 4),)), d.int(-2, 2)), lambda T, v, k: T.diag(v, k))
case(np.diag, "matrix", lambda d: call(d.arr((d.int(1, 4), d.int(1, 4))), d.int(-2, 2)), lambda T, v, k: T.diag(v, k))
case(np.diag, "default", lambda d: call(d.arr((3,))), lambda T, v: T.diag(v))
for _primal, _name in ((np.triu, "triu"), (np.tril, "tril")):
    case(_primal, "matrix", lambda d: call(d.arr(d.shape(2, 3)), d.int(-2, 2)),
         lambda T, m, k, name=_name: getattr(T, name)(m, k))
    case(_primal, "vector", lambda d: call(d.arr((3,)), d.int(-1, 1)),
         lambda T, m, k, name=_name: getattr(T, name)(m.expand(m.shape[0], m.shape[0]), k))


def _tile(d):
    shape = d.shape(0, 3, hi=3)
    reps = d.pick(["int", "tuple"])
    reps = d.int(1, 3) if reps == "int" else tuple(d.int(1, 3) for _ in range(d.int(1, 4)))
    return call(d.arr(shape), reps)


case(np.tile, "reps", _tile, lambda T, a, reps: T.tile(a, (reps,) if isinstance(reps, int) else reps))


def _repeat(d):
    shape = d.shape(1, 3)
    axis = d.pick([None] + list(range(-len(shape), len(shape))))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    repeats = d.int(0, 3) if d.flag() else d.ints((n,), 0, 4)
    return call(d.arr(shape), repeats, axis)


def t_repeat(T, a, repeats, axis=None):
    if axis is None:
        a, axis = a.reshape(-1), 0
    return T.repeat_interleave(a, repeats, dim=axis)


case(np.repeat, "repeats-axis", _repeat, t_repeat)


def _repeat_int_along_axis(d):
    shape = d.shape(1, 3)
    return call(d.arr(shape), d.int(1, 3), d.int(-len(shape), len(shape) - 1))


case(np.repeat, "int-along-axis", _repeat_int_along_axis, t_repeat)


def _flip(d):
    shape = d.shape(1, 3)
    return call(d.arr(shape), d.axis(len(shape)))


case(np.flip, "axis", _flip, t_flip)


def _pieces(d, axis_choices: Callable[[int], list], same_ndim: bool = True):
    nd = d.int(1, 3)
    base = [d.int(1, 3) for _ in range(nd)]
    axis = d.pick(axis_choices(nd))
    pieces = []
    for _ in range(d.int(1, 3)):
        shape = list(base)
        if axis is not None:
            shape[axis] = d.int(1, 3)
        pieces.append(d.arr(tuple(shape)))
    return pieces, axis


case(np.concatenate, "axis", lambda d: call(*_pieces(d, lambda nd: list(range(-nd, nd)))), t_concatenate)
case(np.concatenate, "axis-none", lambda d: call([d.arr((2, 3)), d.arr((4,)), d.arr((1, 1, 2))], None),
     t_concatenate)
case(np.concatenate, "tuple", lambda d: call((d.arr((2,)), d.arr((3,))), axis=0), t_concatenate)


def _stack(d):
    shape = d.shape(0, 2)
    return call([d.arr(shape) for _ in range(d.int(1, 3))], d.int(-len(shape) - 1, len(shape)))


case(np.stack, "axis", _stack, lambda T, arrays, axis: T.stack(list(arrays), dim=axis))
case(np.hstack, "1d", lambda d: call([d.arr((2,)), d.arr((3,))]), lambda T, tup: T.hstack(list(tup)))
case(np.hstack, "2d", lambda d: call([d.arr((2, 1)), d.arr((2, 3))]), lambda T, tup: T.hstack(list(tup)))
case(np.hstack, "scalars", lambda d: call([d.arr(()), d.arr(()), d.arr((2,))]), lambda T, tup: T.hstack(list(tup)))
case(np.vstack, "1d", lambda d: call([d.arr((3,)), d.arr((3,))]), lambda T, tup: T.vstack(list(tup)))
case(np.vstack, "2d", lambda d: call((d.arr((1, 3)), d.arr((2, 3)), d.arr((3,)))),
     lambda T, tup: T.vstack(list(tup)))

case(np.array, "array", lambda d: call(d.arr(d.shape())), t_array)
case(np.array, "list", lambda d: call([d.flt() for _ in range(d.int(1, 4))]), t_array)
case(np.array, "list-of-arrays", lambda d: call([d.arr((2,)), d.arr((2,))]), t_array)
case(np.array, "ndmin", lambda d: call(d.arr((3,)), ndmin=3),
     lambda T, obj, ndmin: obj.reshape((1,) * (ndmin - obj.ndim) + tuple(obj.shape)))
case(np.array, "float32", lambda d: call(d.arr((3,)), dtype=np.float32), None, smooth=False,
     expected=lambda g, obj, dtype: (g,))
case(np.asarray, "array", lambda d: call(d.arr(d.shape())), t_array)
case(np.asarray, "list", lambda d: call([d.flt(), d.flt()]), t_array)
case(np.asarray, "copy-kwarg", lambda d: call(d.arr((2,)), copy=True), lambda T, a, copy: a * 1)


def _take(d):
    shape = d.shape(1, 3, lo=2)
    axis = d.pick([None] + list(range(-len(shape), len(shape))))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    indices = d.pick(["scalar", "array"])
    indices = int(d.int(-n, n - 1)) if indices == "scalar" else d.ints(d.shape(1, 2), -n, n)
    return call(d.arr(shape), indices, axis)


case(np.take, "indices", _take, t_take)
case(np.take, "repeated", lambda d: call(d.arr((3, 4)), np.array([1, 1, 3, 1]), 1), t_take)
case(np.take, "mode", lambda d: call(d.arr((2, 3)), np.array([-4, 7, 2, 2]), d.pick([None, 1]),
                                     mode=d.pick(["wrap", "clip"])), t_take)

# --- getitem ----------------------------------------------------------------------------------------------

_INDEX = {
    "int": ((4,), lambda d: 2), "negative-int": ((3, 4), lambda d: -1),
    "slice": ((5,), lambda d: slice(1, 4)), "step-slice": ((4, 5), lambda d: (slice(None, None, 2), 1)),
    "negative-step": ((5,), lambda d: slice(None, None, -2)),
    "ellipsis-newaxis": ((2, 3, 4), lambda d: (Ellipsis, None, 0)),
    "int-array-repeats": ((4,), lambda d: np.array([0, 0, 2, 0])),
    "list-repeats": ((3, 2), lambda d: [1, 1, 0]),
    "array-columns": ((3, 4), lambda d: (slice(None), np.array([3, 1, 3]))),
    "two-arrays": ((3, 4), lambda d: (np.array([0, 2, 0]), np.array([1, 1, 1]))),
    "mask": ((3, 4), lambda d: d.rng.random((3, 4)) > 0.4),
    "row-mask": ((3, 4), lambda d: np.array([True, False, True])),
    "random-ints": ((5, 3), lambda d: d.ints(d.shape(1, 2), -5, 5)),
}


# torch has no negative slice steps: x[::-2] of 5 items is x.flip(0)[::2].
_TORCH_INDEX = {"negative-step": lambda T, x, index: x.flip(0)[::2]}
for _label, (_shape, _index) in _INDEX.items():
    case(operator.getitem, _label, lambda d, shape=_shape, index=_index: call(d.arr(shape), index(d)),
         _TORCH_INDEX.get(_label, lambda T, x, index: x[index]))
case(operator.getitem, "list", lambda d: call([d.flt(), d.flt(), d.flt()], d.int(-3, 2)), None)
case(operator.getitem, "tuple", lambda d: call((d.flt(), d.arr((2,))), 1), None)

# --- constructors whose values depend on their arguments ----------------------------------------------------
# (np.linspace, np.full and np.arange are not differentiable in torch: no torch oracle.)


def _linspace(d):
    s_start, s_stop = d.broadcast_shapes()
    start, stop = d.arr(s_start), d.arr(s_stop)
    ndim = len(np.broadcast_shapes(*(() if s is None else s for s in (s_start, s_stop)))) + 1
    return call(start, stop, d.int(1, 5), endpoint=d.flag(), axis=d.int(-ndim, ndim - 1))


case(np.linspace, "broadcast-axis", _linspace)
case(np.linspace, "floats", lambda d: call(d.flt(), d.flt(), d.int(1, 6)))
case(np.linspace, "default-num", lambda d: call(d.flt(), d.arr((2,))))
case(np.linspace, "positional", lambda d: call(d.arr((3,)), d.flt(), 4, False, False, None, 1))
case(np.full, "float", lambda d: call(d.shape(0, 3), d.flt()))
case(np.full, "broadcast", lambda d: call((2, 3), d.arr(d.pick([(3,), (2, 1), (), (1, 3)]))))
case(np.full_like, "float", lambda d: call(d.arr(d.shape()), d.flt()))
case(np.full_like, "broadcast", lambda d: call(d.arr((2, 3)), d.arr(d.pick([(3,), (2, 1), ()]))))
case(np.full_like, "shape", lambda d: call(d.arr((4,)), d.arr((3,)), shape=(2, 3)))


def _arange(d, first_is_stop=False):
    # The stop is half a step away from a change of the length, which the finite-difference steps (a few
    # thousandths) cannot reach. The cases pass all three arguments: the tests index the differentiable ones.
    start, n, step = d.flt(), d.int(1, 5), d.flt(NONZERO)
    if first_is_stop:  # np.arange(stop, None, step) starts at 0
        return call((n - 0.5) * abs(step), None, abs(step))
    return call(start, start + (n - 0.5) * step, step)


case(np.arange, "start-stop-step", _arange)
case(np.arange, "stop-step", lambda d: _arange(d, first_is_stop=True))
def _arange_array_start(d):
    start = d.arr(())  # a 0-d array; the stop half a step from a change of the length, as above
    return call(start, float(start) + d.int(1, 5) - 0.5, 1.0)


case(np.arange, "array-start", _arange_array_start)

# --- math module and builtins on Python floats ------------------------------------------------------------

MATH = [
    (math.sin, REAL, lambda T, x: T.sin(x)), (math.cos, REAL, lambda T, x: T.cos(x)),
    (math.tan, TAN, lambda T, x: T.tan(x)), (math.asin, UNIT, lambda T, x: T.asin(x)),
    (math.acos, UNIT, lambda T, x: T.acos(x)), (math.atan, REAL, lambda T, x: T.atan(x)),
    (math.sinh, REAL, lambda T, x: T.sinh(x)), (math.cosh, REAL, lambda T, x: T.cosh(x)),
    (math.tanh, REAL, lambda T, x: T.tanh(x)), (math.exp, REAL, lambda T, x: T.exp(x)),
    (math.expm1, REAL, lambda T, x: T.expm1(x)), (math.log, POS, lambda T, x: T.log(x)),
    (math.log2, POS, lambda T, x: T.log2(x)), (math.log10, POS, lambda T, x: T.log10(x)),
    (math.log1p, LOG1P, lambda T, x: T.log1p(x)), (math.sqrt, POS, lambda T, x: T.sqrt(x)),
    (math.fabs, NONZERO, lambda T, x: T.abs(x)), (math.erf, REAL, lambda T, x: T.erf(x)),
    (math.erfc, REAL, lambda T, x: T.erfc(x)), (builtins.abs, NONZERO, lambda T, x: T.abs(x)),
    (builtins.float, REAL, lambda T, x: x * 1), (math.asinh, REAL, lambda T, x: T.asinh(x)),
    (math.acosh, ABOVE_ONE, lambda T, x: T.acosh(x)), (math.atanh, UNIT, lambda T, x: T.atanh(x)),
    (math.degrees, REAL, lambda T, x: T.rad2deg(x)), (math.radians, REAL, lambda T, x: T.deg2rad(x)),
]
if hasattr(math, "exp2"):
    MATH.append((math.exp2, REAL, lambda T, x: T.exp2(x)))
if hasattr(math, "cbrt"):
    MATH.append((math.cbrt, NONZERO, t_cbrt))

for _primal, _dom, _torch in MATH:
    case(_primal, "float", lambda d, dom=_dom: call(d.flt(dom)), _torch, python_floats=True)

MATH2 = [
    (math.atan2, NONZERO, NONZERO, lambda T, y, x: T.atan2(y, x)),
    (math.pow, POS, REAL, t_pow),
    (math.hypot, NONZERO, NONZERO, lambda T, x, y: T.hypot(x, y)),
    (builtins.max, EVEN, ODD, lambda T, x, y: T.maximum(x, y)),
    (builtins.min, EVEN, ODD, lambda T, x, y: T.minimum(x, y)),
]
for _primal, _dx, _dy, _torch in MATH2:
    case(_primal, "floats", lambda d, dx=_dx, dy=_dy: call(d.flt(dx), d.flt(dy)), _torch, python_floats=True)

case(math.log, "base", lambda d: call(d.flt(POS), d.pick([2.0, 10.0, 0.5])),
     lambda T, x, base: T.log(x) / math.log(base), python_floats=True)
case(math.pow, "negative-base", lambda d: call(d.flt(NONZERO), d.pick([2.0, 3.0, -1.0])), t_pow, check=(0,),
     python_floats=True)
case(math.pow, "zero-base", lambda d: call(0.0, d.pick([0.0, 1.0, 2.0])), t_pow, smooth=False,
     python_floats=True, expected=lambda g, x, y: (g if y == 1.0 else 0.0, 0.0))
case(math.sqrt, "zero", lambda d: call(0.0), None, smooth=False, python_floats=True,
     expected=lambda g, x: (math.copysign(math.inf, g),))
case(math.asin, "edge", lambda d: call(1.0), None, smooth=False, python_floats=True,
     expected=lambda g, x: (math.copysign(math.inf, g),))
case(math.acos, "edge", lambda d: call(-1.0), None, smooth=False, python_floats=True,
     expected=lambda g, x: (-math.copysign(math.inf, g),))
case(math.hypot, "origin", lambda d: call(0.0, 0.0), None, smooth=False, python_floats=True,
     expected=lambda g, x, y: (0.0, 0.0))
case(math.fabs, "zero", lambda d: call(0.0), lambda T, x: T.abs(x), smooth=False, python_floats=True,
     expected=lambda g, x: (0.0,))
case(builtins.abs, "zero", lambda d: call(0.0), lambda T, x: T.abs(x), smooth=False, python_floats=True,
     expected=lambda g, x: (0.0,))
case(builtins.abs, "array", lambda d: call(d.arr(d.shape(), NONZERO)), lambda T, x: T.abs(x))
case(builtins.max, "tie", lambda d: call(1.5, 1.5), lambda T, x, y: T.maximum(x, y), smooth=False,
     python_floats=True, expected=lambda g, x, y: (0.5 * g, 0.5 * g))
case(builtins.min, "tie", lambda d: call(-0.5, -0.5), lambda T, x, y: T.minimum(x, y), smooth=False,
     python_floats=True, expected=lambda g, x, y: (0.5 * g, 0.5 * g))
case(math.fmod, "floats", lambda d: call(_dividends(d, None), _divisors(d, None)), lambda T, x, y: T.fmod(x, y),
     python_floats=True)
case(math.copysign, "floats", lambda d: call(d.flt(NONZERO), d.flt(NONZERO)), lambda T, x, y: T.copysign(x, y),
     python_floats=True)
case(math.copysign, "zero", lambda d: call(d.pick([0.0, -0.0]), d.pick([2.0, -2.0])), None, smooth=False,
     python_floats=True, expected=lambda g, x, y: (0.0, 0.0))

# --- srcgrad.runtime: the pure functions generated code calls for element writes and list building ------

try:
    from srcgrad import runtime as _runtime
except ImportError:  # pragma: no cover - an older tree without the runtime module
    _runtime = None

if _runtime is not None and vjp_rule(getattr(_runtime, "assign_index", None)) is not None:
    case(_runtime.assign_index, "int", lambda d: call(d.arr((4,)), d.int(-4, 3), d.flt()))
    case(_runtime.assign_index, "slice-broadcast", lambda d: call(d.arr((3, 4)), slice(1, 3), d.arr((4,))))
    case(_runtime.assign_index, "row", lambda d: call(d.arr((3, 4)), d.int(0, 2), d.arr((4,))))
    case(_runtime.assign_index, "distinct-indices", lambda d: call(d.arr((5,)), np.array([3, 0]), d.arr((2,))))
    case(_runtime.assign_index, "list", lambda d: call([d.flt(), d.flt(), d.flt()], d.int(0, 2), d.flt()))
if _runtime is not None and vjp_rule(getattr(_runtime, "list_append", None)) is not None:
    case(_runtime.list_append, "floats", lambda d: call([d.flt() for _ in range(d.int(0, 3))], d.flt()))
    case(_runtime.list_append, "arrays", lambda d: call([d.arr((2,)), d.arr((2,))], d.arr((2,))))
    case(_runtime.list_extend, "arrays", lambda d: call([d.arr((2,)), d.arr((2,))], (d.arr((2,)), d.arr((2,)))))
    case(_runtime.list_extend, "empty", lambda d: call([], [d.flt(), d.flt()]))
    case(_runtime.list_insert, "front", lambda d: call([d.arr((2,)), d.arr((2,))], 0, d.arr((2,))))
    case(_runtime.list_insert, "negative", lambda d: call([d.flt(), d.flt(), d.flt()], -1, d.flt()))
    case(_runtime.list_insert, "past-the-end", lambda d: call([d.arr((3,))], 7, d.arr((3,))))
    case(_runtime.list_delete, "last", lambda d: call([d.arr((2,)), d.arr((2,)), d.arr((2,))], -1))
    case(_runtime.list_delete, "first", lambda d: call([d.flt(), d.flt()], 0))
    _dicts = __import__("srcgrad.dicts", fromlist=["dict_display"])
    case(_dicts.iteration_sequence, "list", lambda d: call([d.arr((2,)), d.arr((2,))]))
    case(_dicts.iteration_sequence, "rows", lambda d: call(d.arr((3, 2))), lambda T, v: v * 1)
    case(_dicts.iteration_cotangent, "list", lambda d: call([d.flt(), d.flt()], [d.flt(), d.flt()]))
    case(_dicts.iteration_tangent, "rows", lambda d: call(d.arr((3, 2)), d.arr((3, 2))))
    case(_dicts.copy_value, "array", lambda d: call(d.arr((2, 3))), lambda T, v: v.clone())
    case(_dicts.copy_value, "list", lambda d: call([d.arr((2,)), d.arr((2,))]))
    case(_runtime.call_star, "rule-table-callee", lambda d: call(np.multiply, (d.arr((2, 3)),), [d.arr((2, 3))], ()))
    case(_runtime.call_star, "around-the-star", lambda d: call(np.add, (d.arr((3,)),), (), (d.arr((3,)),)))
    _sequence_rules = __import__("srcgrad.rules.sequence_rules", fromlist=["in_container_of"])
    case(list, "tuple-of-arrays", lambda d: call((d.arr((2,)), d.arr((2,)))))
    case(list, "rows", lambda d: call(d.arr((3, 2))))
    case(tuple, "list-of-floats", lambda d: call([d.flt(), d.flt(), d.flt()]))
    case(_sequence_rules.in_container_of, "to-tuple", lambda d: call([d.arr((2,)), d.arr((2,))],
                                                                     (d.arr((2,)) + 0.0, d.arr((2,)) + 0.0)))
    case(_runtime.zip_lists, "lists", lambda d: call([d.arr((2,)), d.arr((2,)), d.arr((2,))],
                                                      [d.arr((2,)), d.arr((2,)), d.arr((2,))]))
    case(_runtime.zip_lists, "unequal-lengths", lambda d: call((d.flt(), d.flt(), d.flt()), [d.flt(), d.flt()]))
    case(_runtime.inexact_only, "floats", lambda d: call(d.arr((2, 3))), lambda T, v: v * 1)
    case(_runtime.inexact_only, "python-float", lambda d: call(d.flt()))
    case(_runtime.inexact_part, "floats", lambda d: call(d.arr((2, 3)), d.arr((2, 3))))
    case(_runtime.inexact_part, "integers", lambda d: call(d.arr((3,)), d.ints((3,), -4, 4)))
if _runtime is not None and vjp_rule(getattr(_runtime, "add_grads", None)) is not None:
    case(_runtime.add_grads, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 3))))
    case(_runtime.add_grads, "floats", lambda d: call(d.flt(), d.flt()), python_floats=True)
    case(_runtime.add_grads, "lists", lambda d: call([d.flt(), d.flt()], [d.flt(), d.flt()]))
if vjp_rule(builtins.sum) is not None:
    case(builtins.sum, "floats", lambda d: call([d.flt() for _ in range(d.int(1, 4))]), lambda T, items: sum(items))
    case(builtins.sum, "arrays-broadcast", lambda d: call([d.arr((3,)), d.arr((2, 3)), d.arr((2, 1))]),
         lambda T, items: sum(items))
    case(builtins.sum, "start", lambda d: call([d.arr((2,)), d.arr((2,))], d.flt()),
         lambda T, items, start: sum(items, start))

# --- srcgrad.rules.shim_rules: forward functions of the Tensor shim -------------------------------------

try:
    from srcgrad.rules import shim_rules as _shim
except ImportError:  # pragma: no cover - an older tree without the shim's rules
    _shim = None


def _shim_case(name: str, label: str, make: Callable, torch: Callable | None = None, **options: Any) -> None:
    primal = getattr(_shim, name, None)
    if primal is not None and vjp_rule(primal) is not None:
        case(primal, label, make, torch, **options)


_shim_case("relu", "array", lambda d: call(d.arr(d.shape(), NONZERO)), lambda T, x: T.relu(x))
_shim_case("relu", "zero", lambda d: call(np.array([-1.0, 0.0, 2.0])), lambda T, x: T.relu(x), smooth=False,
           expected=lambda g, x: (g * np.array([0.0, 0.0, 1.0]),))
_shim_case("sigmoid", "array", lambda d: call(d.arr(d.shape(), (-8.0, 8.0, False))), lambda T, x: T.sigmoid(x))


def _take_along_dim(d):
    shape = d.shape(1, 3, lo=2)
    dim = d.int(-len(shape), len(shape) - 1)
    reduced = tuple(n for i, n in enumerate(shape) if i != dim % len(shape))
    return call(d.arr(shape), d.ints(reduced, 0, shape[dim]), dim, keepdim=d.flag())


_shim_case("take_along_dim", "indices", _take_along_dim,
           lambda T, a, indices, dim, keepdim: (T.take_along_dim(a, indices.unsqueeze(dim), dim) if keepdim
                                               else T.take_along_dim(a, indices.unsqueeze(dim), dim).squeeze(dim)))


def _shim_vector_norm(d):
    shape = d.shape(1, 3)
    order = d.pick([2, 1, 3, np.inf, -np.inf, 0])
    dim = d.pick([None] + list(range(-len(shape), len(shape))))
    return call(d.arr(shape, DISTINCT_NZ if order in (np.inf, -np.inf) else NONZERO), order, dim, d.flag())


# shim_rules.vector_norm_grad divides by an int64 tie count, so float32 inputs get float64 partials for
# ord=inf/-inf (test_known_bug_shim_inf_norm_float32 tracks it).
_VECTOR_NORM_FLOAT32 = "shim_rules.vector_norm_grad: inf-norm partial is float64 for float32 input"
_shim_case("vector_norm", "ord-dim", _shim_vector_norm,
           lambda T, x, ord, dim, keepdim: T.linalg.vector_norm(x, ord, dim, keepdim),
           float32_bug=_VECTOR_NORM_FLOAT32)
_shim_case("vector_norm", "zero", lambda d: call(np.zeros(3)), lambda T, x: T.linalg.vector_norm(x),
           smooth=False, expected=lambda g, x: (np.zeros(3),))
_shim_case("vector_norm", "inf-ties", lambda d: call(np.array([2.0, -2.0, 1.0]), np.inf),
           lambda T, x, ord: T.linalg.vector_norm(x, ord), smooth=False,
           expected=lambda g, x, ord: (g * np.array([0.5, -0.5, 0.0]),), float32_bug=_VECTOR_NORM_FLOAT32)


def _clamp_tensor(d):
    shape = d.shape()
    lo = d.grid(shape[d.int(0, len(shape)):], -15, -2)
    hi = d.grid(shape[d.int(0, len(shape)):], 2, 15)
    return call(d.arr(shape, ODD), lo, hi)


_shim_case("clamp_tensor", "bounds", _clamp_tensor, t_clip)
_shim_case("clamp_tensor", "float32-bounds", lambda d: call(d.arr((2, 3), ODD), d.grid((3,), -15, -2), d.grid((), 2, 15)),
           t_clip)
_shim_case("clamp_tensor", "boundary", lambda d: call(np.array([-1.0, -0.5, 0.0, 0.7, 1.0]), np.array(-0.5),
                                                      np.array(0.7)), t_clip, smooth=False,
           expected=lambda g, x, lo, hi: (g * np.array([0.0, 1.0, 1.0, 1.0, 0.0]), g[0], g[4]))
_shim_case("index_put", "slice", lambda d: call(d.arr((3, 4)), (slice(1, 3), 2), d.arr((2,))))
_shim_case("index_put", "broadcast", lambda d: call(d.arr((3, 4)), 1, d.flt()))
_shim_case("index_accumulate", "repeated", lambda d: call(d.arr((4,)), np.array([0, 2, 0, 0]), d.arr((4,))),
           lambda T, a, index, value: a.clone().index_put_((T.tensor(index),), value, accumulate=True))
_shim_case("index_accumulate", "rows", lambda d: call(d.arr((3, 2)), (np.array([1, 1]), slice(None)), d.arr((2,))))
_shim_case("add_scaled", "broadcast", lambda d: call(d.arr((2, 3)), d.arr((3,)), d.flt()),
           lambda T, x, y, alpha: T.add(x, y, alpha=alpha))
def _ravel_items(ans):
    return np.concatenate([np.ravel(np.asarray(item, dtype=np.float64)) for item in ans])


def _cut_even(count: int, shape: tuple) -> Callable:
    """The cotangent of ``count`` outputs of one ``shape`` from a flat vector (the projection's)."""
    size = int(np.prod(shape))
    return lambda g: tuple(np.reshape(g[k * size:(k + 1) * size], shape) for k in range(count))


_shim_case("unbind", "rows", lambda d: call(d.arr((3, 4)), 0),
           lambda T, a, axis: T.stack(T.unbind(a, axis)),
           project=_ravel_items, cotangent=_cut_even(3, (4,)))
_shim_case("unbind", "columns", lambda d: call(d.arr((3, 4)), -1),
           lambda T, a, axis: T.stack(T.unbind(a, axis)),
           project=_ravel_items, cotangent=_cut_even(4, (3,)))
_shim_case("cast", "float64", lambda d: call(d.arr(d.shape()), np.float64), lambda T, a, dtype: a * 1)
_shim_case("cast", "float32", lambda d: call(d.arr((3,)), np.float32), None, smooth=False,
           expected=lambda g, a, dtype: (g,))
_shim_case("sign", "array", lambda d: call(d.arr(d.shape(), NONZERO)), lambda T, x: T.sign(x))
_shim_case("fill", "array", lambda d: call(d.arr(d.shape()), 1.5))
_shim_case("view_of", "getitem-transpose",
           lambda d: call(d.arr((3, 4, 2)), ((operator.getitem, ((slice(None), 1),), {}), (np.transpose, (), {}))),
           lambda T, a, steps: a[:, 1].T)
_shim_case("view_of", "slices", lambda d: call(d.arr((5, 3)), ((operator.getitem, ((slice(1, None, 2),),), {}),
                                                            (np.swapaxes, (0, 1), {}))),
           lambda T, a, steps: a[1::2].swapaxes(0, 1))


# --- srcgrad.runtime: calls into the user's own functions ---------------------------------------------


def _callee(x, y):
    return np.sin(x) * y + x


def _pair_output(ans):
    return ans[0]


def _pair_cotangent(g):
    return (g, None)


if _runtime is not None and vjp_rule(getattr(_runtime, "call_with_vjp", None)) is not None:
    case(_runtime.call_with_vjp, "rule", lambda d: call(np.multiply, d.arr((2, 3)), d.arr((3,))),
         project=_pair_output, cotangent=_pair_cotangent)
    case(_runtime.call_with_vjp, "python-function", lambda d: call(_callee, d.arr((2, 3)), d.arr((2, 1))),
         project=_pair_output, cotangent=_pair_cotangent)
if _runtime is not None and vjp_rule(getattr(_runtime, "call_output", None)) is not None:
    case(_runtime.call_output, "pair", lambda d: call((d.arr(d.shape()), _pair_cotangent)))


def _remainder(d, y_shape=None):
    # x / y stays at least 0.1 away from an integer, where the remainder jumps.
    shape = d.shape()
    y = d.arr(shape if y_shape is None else None, NONZERO)
    x = np.asarray(y) * (d.ints(shape, -3, 3) + d.values(shape, (0.1, 0.9, False)))
    return call(x, y)


_shim_case("remainder", "same-shape", _remainder, lambda T, x, y: T.remainder(x, y))
_shim_case("remainder", "float-divisor", lambda d: _remainder(d, y_shape="float"), lambda T, x, y: T.remainder(x, y))

# --- rule helpers that forward rules call (differentiated again by higher-order derivatives) -------------

from srcgrad.rules.helpers import ieee_divide, power_base_grad, power_exponent_grad, ratio_or_zero  # noqa: E402


def _power_base_case(exponent):
    def make(d):
        shape = d.shape(1, 2)
        return call(d.arr(shape), d.arr(shape, POS), exponent)
    return make


def _pair(dom):
    def make(d):
        shape = d.shape(0, 2)
        return call(d.arr(shape), d.arr(shape, dom))
    return make


case(power_base_grad, "array", _power_base_case(3), None, check=(0, 1))
case(power_base_grad, "fractional", _power_base_case(2.5), None, check=(0, 1))


def _power_base_array_exponent(d):
    shape = d.shape(1, 2)
    return call(d.arr(shape), d.arr(shape, POS), d.arr(shape, POS) + 0.5)


def _power_exponent_case(d):
    shape = d.shape(0, 2)
    x = d.arr(shape, POS)
    return call(d.arr(shape), np.power(x, 1.7), x)


case(power_base_grad, "array-exponent", _power_base_array_exponent, None)
case(power_base_grad, "floats", lambda d: call(d.flt(), d.flt(POS), d.flt(POS) + 0.5), None)
# Exponents 0 and 1 at a zero base: the second derivatives (the helper's partial in x) are exactly 0, not
# 0 * inf (the coefficient g * y of the next power vanishes for y == 0). The partial in y, g x ** (y - 1)
# (1 + y log x), is infinite at a zero base for y == 0.
_BASES = np.array([0.0, 1.5])  # one zero base: a sum of infinities of both signs would be NaN


def _exponent_partial(ct, g, x, y):
    log_x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), 0.0)
    with np.errstate(divide="ignore"):
        return ct * g * np.power(x, y - 1) * (1 + y * log_x)


case(power_base_grad, "exponent-zero-at-zero", lambda d: call(d.arr((2,)), _BASES, np.zeros(2)), None,
     smooth=False, expected=lambda ct, g, x, y: (np.zeros(2), np.zeros(2), _exponent_partial(ct, g, x, y)))
case(power_base_grad, "exponent-one-at-zero", lambda d: call(d.arr((2,)), _BASES, np.ones(2)), None,
     smooth=False, expected=lambda ct, g, x, y: (ct, np.zeros(2), _exponent_partial(ct, g, x, y)))
case(power_exponent_grad, "array", _power_exponent_case, None)
case(power_exponent_grad, "floats", lambda d: call(d.flt(), d.flt(POS), d.flt(POS)), None)
case(ieee_divide, "array", _pair(NONZERO), None)
case(ratio_or_zero, "array", _pair(NONZERO), None)


def _pair_sum(ans):
    return ans[0] + ans[1]


def _pair_of(g):
    return (g, g)


if _runtime is not None and vjp_rule(getattr(_runtime, "call_with_jvp", None)) is not None:
    # Reverse mode over forward mode through a call: the output pair (out, tangent) is checked through
    # out + tangent, whose cotangent is (g, g).
    case(_runtime.call_with_jvp, "python-function",
         lambda d: call(_callee, (d.arr((2, 3)), d.arr((2, 1))), (d.arr((2, 3)), d.arr((2, 1)))),
         project=_pair_sum, cotangent=_pair_of)

if _runtime is not None and vjp_rule(getattr(_runtime, "call_star", None)) is not None:
    from srcgrad.rules.star_calls import star_call_tangent

    # Reverse mode over the forward rule of a star call: the tangent ``t`` of one part and every primal.
    case(star_call_tangent, "spread", lambda d: call([d.arr((2, 3))], 1, np.multiply, (d.arr((2, 3)),),
                                                     [d.arr((2, 3))], ()))
    case(star_call_tangent, "before", lambda d: call((d.arr((3,)),), 0, _callee, (d.arr((3,)),), (),
                                                     (d.arr((3,)),)))

try:
    from srcgrad import function_values as _function_values
except ImportError:  # pragma: no cover - a tree without function values
    _function_values = None

if _function_values is not None:
    # A function value that is a plain function (no bound values): the calls of a partial or a closure are
    # checked end to end (tests/transform/test_function_values.py; test_rule_coverage.FUNCTION_VALUE_RULES).
    case(_function_values.call_value_with_vjp, "python-function",
         lambda d: call(_callee, d.arr((2, 3)), d.arr((2, 1))), project=_pair_output, cotangent=_pair_cotangent)
    case(_function_values.call_value_with_jvp, "python-function",
         lambda d: call(_callee, None, (d.arr((2, 3)), d.arr((2, 1))), (d.arr((2, 3)), d.arr((2, 1)))),
         project=_pair_sum, cotangent=_pair_of)

from srcgrad.rules import order_rules  # noqa: E402


def _distinct_floats(d, n=4):
    return [float(v) for v in d.arr((n,), DISTINCT)]


def _cubed(v):  # a key that keeps distinct items distinct
    return v ** 3


# Python's max/min over an iterable and sorted: the items are distinct, away from the ties where the order
# (and so the derivative) jumps.
case(order_rules.max_item, "list", lambda d: call(_distinct_floats(d)), lambda T, items: T.stack(items).max())
case(order_rules.min_item, "array", lambda d: call(d.arr((5,), DISTINCT)), lambda T, items: items.min())
case(order_rules.max_item, "key", lambda d: call(_distinct_floats(d), _cubed))
case(order_rules.max_item_or, "empty", lambda d: call([], None, d.flt()), check=(1,))
case(order_rules.max_item_or, "default-unused", lambda d: call(_distinct_floats(d), _cubed, d.flt()))
case(order_rules.min_item_or, "default-unused", lambda d: call(_distinct_floats(d), None, d.flt()))
case(order_rules.default_grad, "empty", lambda d: call(d.flt(), 0))
case(builtins.sorted, "list", lambda d: call(_distinct_floats(d)))
case(builtins.sorted, "reverse-key", lambda d: call(_distinct_floats(d), key=_cubed, reverse=True))
case(order_rules.item_grad, "list", lambda d: call(d.flt(), [d.flt(), d.flt(), d.flt()], d.int(0, 2)))
case(order_rules.item_grad, "array", lambda d: call(d.flt(), d.arr((4,)), d.int(0, 3)))
case(order_rules.item_tangent, "list", lambda d: call([d.flt(), d.flt(), d.flt()], d.int(0, 2)))
case(order_rules.sorted_grad, "list", lambda d: call([d.flt() for _ in range(4)], _distinct_floats(d), None, False))
case(order_rules.sorted_tangent, "list", lambda d: call([d.flt() for _ in range(4)], _distinct_floats(d), _cubed, True))

from srcgrad.rules.helpers import det_grad  # noqa: E402
from srcgrad.rules.jvp_helpers import einsum_operand_tangent  # noqa: E402


def _det_grad_case(batch):
    def make(d):
        a = d.matrix(batch + (3, 3))
        return call(d.arr(batch), np.linalg.det(a), a)
    return make


case(det_grad, "2d", _det_grad_case(()), None)
case(det_grad, "batched", _det_grad_case((2,)), None)


def _einsum_tangent_case(spec, shapes, k):
    """``einsum_operand_tangent(t, k, operands)``: ``operands`` are einsum's positional arguments, the
    subscripts first, and ``k`` counts them."""
    def make(d):
        operands = [spec, *(d.arr(s) for s in shapes)]
        return call(d.arr(shapes[k]), k + 1, operands)
    return make


def _einsum_tangent_sublists(d):
    """The sublist form: operands at even positions, label lists between them, the output list last."""
    return call(d.arr((3, 4)), 2, [d.arr((2, 3)), [0, 1], d.arr((3, 4)), [1, 2], [0, 2]])


case(einsum_operand_tangent, "matmul-first", _einsum_tangent_case("ij,jk->ik", [(2, 3), (3, 4)], 0), None)
case(einsum_operand_tangent, "three-operands", _einsum_tangent_case("i,ij,j->", [(3,), (3, 2), (2,)], 1), None)
case(einsum_operand_tangent, "sublists", _einsum_tangent_sublists, None)

from srcgrad.rules.jvp_helpers import array_tangent  # noqa: E402

case(array_tangent, "array", lambda d: call(d.arr(d.shape())), None)
case(array_tangent, "list", lambda d: call([d.flt(), d.flt(), d.flt()]), None)

from srcgrad.rules.jvp_helpers import broadcast_tangent  # noqa: E402

case(broadcast_tangent, "scalar-to-array", lambda d: call(d.flt(), d.arr((2, 3))),
     lambda T, t, like: t.expand(like.shape))
case(broadcast_tangent, "row-to-matrix", lambda d: call(d.arr((1, 3)), d.arr((4, 3))),
     lambda T, t, like: t.expand(like.shape))
case(broadcast_tangent, "same-shape", lambda d: call(d.arr((3,)), d.arr((3,))), lambda T, t, like: t * 1)


# --- srcgrad.rules.concat_helpers: np.r_[...] and np.c_[...] as calls -------------------------------------

from srcgrad.rules.concat_helpers import c_concat, concat_tangent, r_concat  # noqa: E402


# torch: the items promoted as the index tricks promote them (at least 1-D; for np.c_ at least 2-D, a 1-D
# item as a column), then torch.cat along the first (last) axis.
def _torch_r(T, *items):
    return T.cat([T.atleast_1d(i) for i in items])


def _torch_c(T, *items):
    return T.cat([i if i.ndim >= 2 else i.reshape(-1, 1) for i in items], dim=-1)


case(r_concat, "1d", lambda d: call(d.arr((2,)), d.arr((3,))), _torch_r)
case(r_concat, "scalars-and-arrays", lambda d: call(d.flt(), d.arr((3,)), d.arr(()), d.flt()), _torch_r)
case(r_concat, "2d", lambda d: call(d.arr((2, 3)), d.arr((1, 3)), d.arr((3, 3))), _torch_r)
case(r_concat, "one", lambda d: call(d.arr((2, 2))), _torch_r)
# A list item (np.r_[[x, y], a]) gets one cotangent per element, as np.array's list argument does.
case(r_concat, "list-item", lambda d: call([d.flt(), d.flt()], d.arr((2,)), d.flt()))
case(c_concat, "1d-columns", lambda d: call(d.arr((3,)), d.arr((3,))), _torch_c)
case(c_concat, "2d-and-1d", lambda d: call(d.arr((3, 2)), d.arr((3,)), d.arr((3, 1))), _torch_c)
case(c_concat, "scalars", lambda d: call(d.flt(), d.arr(()), d.flt()), _torch_c)
case(c_concat, "3d", lambda d: call(d.arr((2, 2, 1)), d.arr((2, 2, 3))), _torch_c)
case(concat_tangent, "rows", lambda d: call(d.arr((3,)), 1, [d.flt(), d.arr((3,)), d.arr((2,))]))
case(concat_tangent, "columns", lambda d: call(d.arr((3,)), 0, (d.arr((3,)), d.arr((3, 2))), True))

# ``+`` and ``*`` over values that may be lists or tuples (rules/sequence_rules.py), and their helpers.
_sequences = __import__("srcgrad.rules.sequence_rules", fromlist=["plus_grad"])
case(_runtime.plus, "arrays", lambda d: call(d.arr((2, 3)), d.arr((3,))), torch=lambda T, a, b: a + b)
case(_runtime.plus, "lists", lambda d: call([d.arr((2,)), d.arr((2,))], [d.arr((2,))]))
case(_runtime.plus, "tuples", lambda d: call((d.flt(),), (d.flt(), d.flt())))
case(_runtime.times, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 1))), torch=lambda T, a, b: a * b)
case(_sequences.plus_grad, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), d.int(0, 1)))
case(_sequences.plus_tangent, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), d.int(0, 1)))
case(_sequences.times_grad, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), 0))
case(_sequences.times_tangent, "arrays", lambda d: call(d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), 1))
case(_sequences.times_partner_tangent, "arrays",
     lambda d: call(d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), d.arr((2, 3)), 0, 1, None))


# --- cases kept in files of their own, registered into this table -----------------------------------------

def _load_extra_cases(filename: str) -> None:
    """Run ``filename``, which registers its cases into this module (whatever name it was imported under:
    the extra file finds it as ``sys.modules["srcgrad_rule_test_cases"]`` while it runs)."""
    import importlib.util
    import sys
    from pathlib import Path

    key = "srcgrad_rule_test_cases"
    previous = sys.modules.get(key)
    sys.modules[key] = sys.modules[__name__]
    try:
        name = f"srcgrad_rule_test_{Path(filename).stem}"
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            del sys.modules[key]
        else:
            sys.modules[key] = previous


_load_extra_cases("cases_numpy_extra.py")
_load_extra_cases("cases_scipy.py")
_load_extra_cases("cases_linalg.py")
_load_extra_cases("cases_fft.py")
_load_extra_cases("cases_nn.py")
