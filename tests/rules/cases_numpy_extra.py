"""Rule-test cases for srcgrad/rules/numpy_extra*_rules.py, registered into cases.py's table (which loads this file
at its end): the same ``case(primal, label, make, torch)`` form as there.

The split functions return lists of arrays. Where the pieces have one shape, the list is compared as it is
(and with PyTorch through the stacked pieces); where they do not, finite differences see all pieces raveled
into one vector (``project``) and ``cotangent`` cuts a cotangent of that vector back into pieces, so those
cases fix the shapes they draw. ``np.gradient`` returns one array per axis, all of ``f``'s shape.

``np.float32`` rounds its output, which finite differences cannot resolve: its case compares with the
reference cotangent (the unrounded ``g``) instead. ``np.partition`` is checked at ties against a reference
that matches tied values in order of appearance, written without the rule's helpers."""

import sys

import numpy as np

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call
REAL, DISTINCT, POS = _cases.REAL, _cases.DISTINCT, _cases.POS


# --- lists of pieces ----------------------------------------------------------------------------------------


def _ravel_all(pieces):
    return np.concatenate([np.ravel(np.asarray(p, dtype=np.float64)) for p in pieces])


def _cut_like(shapes):
    def cotangent(g):
        pieces, start = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            pieces.append(np.reshape(g[start:start + size], shape))
            start += size
        return pieces
    return cotangent


def ragged_case(primal, label, make, shapes):
    """A case whose list output has pieces of different shapes (fixed by ``make``)."""
    case(primal, label, make, None, project=_ravel_all, cotangent=_cut_like(shapes))


def _stacked(split):
    """A torch equivalent of a split into equal pieces: the pieces stacked, as NumPy stacks the list."""
    def run(T, *args, **kwargs):
        return T.stack(list(split(T, *args, **kwargs)))
    return run


def _equal_split(d):
    shape = d.shape(1, 3)
    axis = d.int(-len(shape), len(shape) - 1)
    n = shape[axis]
    sections = d.pick([k for k in range(1, n + 1) if n % k == 0])
    return call(d.arr(shape), sections, axis)


def t_split(T, ary, sections, axis=0):
    return T.split(ary, ary.shape[axis] // sections, dim=axis)


case(np.split, "sections", _equal_split, _stacked(t_split))
ragged_case(np.split, "indices", lambda d: call(d.arr((2, 7)), [2, 3, 5, 9], 1), [(2, 2), (2, 1), (2, 2), (2, 2), (2, 0)])
ragged_case(np.split, "repeated-indices", lambda d: call(d.arr((5,)), [1, 1, -2]), [(1,), (0,), (2,), (2,)])
case(np.array_split, "even", _equal_split, _stacked(lambda T, a, s, axis=0: T.tensor_split(a, s, dim=axis)))
ragged_case(np.array_split, "uneven", lambda d: call(d.arr((3, 8)), 3, -1), [(3, 3), (3, 3), (3, 2)])
ragged_case(np.array_split, "more-pieces-than-rows", lambda d: call(d.arr((2, 2)), 3), [(1, 2), (1, 2), (0, 2)])
case(np.hsplit, "1d", lambda d: call(d.arr((6,)), d.pick([1, 2, 3])), _stacked(lambda T, a, s: T.hsplit(a, s)))
case(np.hsplit, "2d", lambda d: call(d.arr((2, 4, 2)), 2), _stacked(lambda T, a, s: T.hsplit(a, s)))
ragged_case(np.hsplit, "indices", lambda d: call(d.arr((3, 4)), [1]), [(3, 1), (3, 3)])
case(np.vsplit, "2d", lambda d: call(d.arr((4, 3)), d.pick([1, 2, 4])), _stacked(lambda T, a, s: T.vsplit(a, s)))
case(np.dsplit, "3d", lambda d: call(d.arr((2, 1, 4)), 2), _stacked(lambda T, a, s: T.dsplit(a, s)))
ragged_case(np.dsplit, "indices", lambda d: call(d.arr((1, 2, 3)), [2]), [(1, 2, 2), (1, 2, 1)])

# The helper that joins the pieces' cotangents (the split rules' reverse), with rules of its own.
_joins = __import__("srcgrad.rules.numpy_extra_helpers", fromlist=["joined_pieces"])
case(_joins.joined_pieces, "axis-1", lambda d: call([d.arr((2, 1)), d.arr((2, 3))], [d.arr((2, 1)), d.arr((2, 3))], 1),
     lambda T, g, pieces, axis: T.cat(list(g), dim=axis))
case(_joins.joined_pieces, "1d", lambda d: call([d.arr((2,)), d.arr((0,)), d.arr((3,))],
                                                [d.arr((2,)), d.arr((0,)), d.arr((3,))]))

# --- joining ------------------------------------------------------------------------------------------------


def _append_axis(d):
    shape = d.shape(1, 3)
    axis = d.int(-len(shape), len(shape) - 1)
    other = list(shape)
    other[axis] = d.int(1, 3)
    return call(d.arr(shape), d.arr(tuple(other)), axis)


def t_append(T, arr, values, axis=None):
    def flat(v):
        return T.stack(list(v)) if isinstance(v, list) else v.reshape(-1)
    return T.cat([flat(arr), flat(values)]) if axis is None else T.cat([arr, values], dim=axis)


case(np.append, "axis", _append_axis, t_append)
case(np.append, "flattened", lambda d: call(d.arr(d.shape(0, 3)), d.arr(d.shape(0, 2))), t_append)
case(np.append, "float-value", lambda d: call(d.arr((2, 2)), d.flt()), t_append)
case(np.append, "list-values", lambda d: call(d.arr((3,)), [d.flt(), d.flt()]), t_append)

case(np.column_stack, "1d", lambda d: call([d.arr((3,)), d.arr((3,))]), lambda T, tup: T.column_stack(list(tup)))
case(np.column_stack, "2d-and-1d", lambda d: call((d.arr((3, 2)), d.arr((3,)), d.arr((3, 1)))),
     lambda T, tup: T.column_stack(list(tup)))
case(np.column_stack, "scalars", lambda d: call([d.arr(()), d.flt()]), lambda T, tup: T.column_stack(list(tup)))

# np.row_stack (NumPy 2's deprecated name for np.vstack) warns on every call.
if hasattr(np, "row_stack"):
    case(np.row_stack, "1d-and-2d", lambda d: call([d.arr((3,)), d.arr((2, 3))]), lambda T, tup: T.vstack(list(tup)))

# --- products -----------------------------------------------------------------------------------------------


def t_cross(T, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = T.movedim(a, axisa, -1), T.movedim(b, axisb, -1)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a3 = T.nn.functional.pad(a, (0, 3 - a.shape[-1]))
    b3 = T.nn.functional.pad(b, (0, 3 - b.shape[-1]))
    a3, b3 = T.broadcast_tensors(a3, b3)
    return T.movedim(T.linalg.cross(a3, b3, dim=-1), -1, axisc)


def _cross_broadcast(d):
    batch = d.shape(0, 2)
    return call(d.arr(batch + (3,)), d.arr(batch[d.int(0, len(batch)):] + (3,)))


case(np.cross, "broadcast", _cross_broadcast, t_cross)
case(np.cross, "axes", lambda d: call(d.arr((3, 2)), d.arr((2, 3)), axisa=0, axisb=1, axisc=0), t_cross)
case(np.cross, "axis", lambda d: call(d.arr((2, 3, 4)), d.arr((2, 3, 1)), axis=1), t_cross)
try:  # NumPy 2.5 refuses 2-vectors in np.cross
    np.cross(np.ones(2), np.ones(2))
    _TWO_VECTORS = True
except ValueError:
    _TWO_VECTORS = False
if _TWO_VECTORS:
    case(np.cross, "2d-vectors", lambda d: call(d.arr((4, 2)), d.arr((2,))), t_cross)
    case(np.cross, "2d-and-3d", lambda d: call(d.arr((2,)), d.arr((2, 3))), t_cross)


def _kron(d):
    return call(d.arr(d.shape(0, 3, hi=3)), d.arr(d.shape(0, 3, hi=3)))


case(np.kron, "shapes", _kron, lambda T, a, b: T.kron(a, b))
case(np.kron, "float-left", lambda d: call(d.flt(), d.arr((2, 3))), lambda T, a, b: a * b)

# --- moving elements ----------------------------------------------------------------------------------------


def _rollaxis(d):
    shape = d.shape(1, 4)
    nd = len(shape)
    return call(d.arr(shape), d.int(-nd, nd - 1), d.int(-nd, nd))


def t_rollaxis(T, a, axis, start=0):
    """The permutation read off NumPy's rollaxis of an array whose axis lengths name the axes."""
    named = np.rollaxis(np.empty(tuple(range(2, a.ndim + 2))), axis, start)
    return a.permute([n - 2 for n in named.shape])


case(np.rollaxis, "axis-start", _rollaxis, t_rollaxis)


def _rot90(d):
    shape = d.shape(2, 3)
    first, second = d.data.draw(_cases.st.permutations(range(len(shape))))[:2]
    return call(d.arr(shape), d.int(-3, 5), (first - len(shape) * d.flag(), second))


case(np.rot90, "k-axes", _rot90, lambda T, m, k=1, axes=(0, 1): T.rot90(m, k, list(axes)))
case(np.rot90, "default", lambda d: call(d.arr((2, 3))), lambda T, m: T.rot90(m))


def _partition(d):
    shape = d.shape(1, 3)
    axis = d.pick([None] + list(range(-len(shape), len(shape))))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    kth = d.int(-n, n - 1) if d.flag() else sorted({d.int(0, n - 1) for _ in range(2)})
    return call(d.arr(shape, DISTINCT), kth, axis)


def _partition_ties(d):
    shape = d.shape(1, 3)
    return call(d.ties(shape), d.int(0, shape[-1] - 1))


def _partition_reference(g, a, kth, axis=-1):
    """Each output element's cotangent to the input element with its value, tied values matched in order of
    appearance along the axis."""
    ans = np.partition(a, kth, axis)
    out = np.zeros_like(a)
    for line in np.ndindex(*a.shape[:-1]):
        used = set()
        for position in range(a.shape[-1]):
            value = ans[line + (position,)]
            source = next(j for j in range(a.shape[-1]) if a[line + (j,)] == value and j not in used)
            used.add(source)
            out[line + (source,)] += g[line + (position,)]
    return (out,)


case(np.partition, "distinct", _partition)
case(np.partition, "ties", _partition_ties, smooth=False, expected=_partition_reference)


def _take_along(d):
    shape = d.shape(1, 3)
    axis = d.int(-len(shape), len(shape) - 1)
    n = shape[axis]
    index_shape = tuple(d.int(0, 3) if k == axis % len(shape) else d.pick([1, s]) for k, s in enumerate(shape))
    return call(d.arr(shape), d.ints(index_shape, -n, n), axis)


def t_take_along(T, arr, indices, axis=-1):
    n = arr.numel() if axis is None else arr.shape[axis]
    return T.take_along_dim(arr, indices % n, dim=axis)


case(np.take_along_axis, "repeats-negative", _take_along, t_take_along)
def _take_along_sorted(d):
    x = d.arr((3, 4))
    return call(x, np.argsort(x, axis=0), 0)


case(np.take_along_axis, "argsort", _take_along_sorted, t_take_along)
case(np.take_along_axis, "axis-none", lambda d: call(d.arr((2, 3)), d.ints((5,), -6, 6), None), t_take_along)
case(np.take_along_axis, "broadcast-arr", lambda d: call(d.arr((1, 3)), d.ints((4, 2), 0, 3), 1), t_take_along)

# --- np.pad -------------------------------------------------------------------------------------------------


def _widths(d, nd, most=3):
    """A ``pad_width`` in one of its forms: one width for every side, one pair for every axis, a pair per
    axis. (The dict form, which Dask's pad does not take, is tested in tests/transform.)"""
    form = d.pick(["int", "pair", "per-axis"])
    if form == "int":
        return d.int(0, most)
    if form == "pair":
        return (d.int(0, most), d.int(0, most))
    return tuple((d.int(0, most), d.int(0, most)) for _ in range(nd))


def _pad(mode, most):
    def make(d):
        shape = d.shape(1, 3)
        return call(d.arr(shape), _widths(d, len(shape), most), mode)
    return make


def t_pad(T, array, pad_width, mode="constant", constant_values=0):
    """Constant: torch's own pad. The others: every output element read from the input element NumPy's pad
    of the positions puts there (torch differentiates the gather)."""
    shape = tuple(array.shape)
    if mode == "constant":
        pairs = _pairs(pad_width, len(shape))
        flat = [w for pair in reversed(pairs) for w in pair]
        return T.nn.functional.pad(array, flat, value=float(constant_values))
    sources = np.pad(np.arange(int(np.prod(shape))).reshape(shape), pad_width, mode=mode)
    return array.reshape(-1)[T.as_tensor(sources)]


def _pairs(pad_width, nd):
    """The forms ``_widths`` draws, as one (before, after) pair per axis."""
    if isinstance(pad_width, int):
        return [(pad_width, pad_width)] * nd
    if isinstance(pad_width[0], int):
        return [tuple(pad_width)] * nd
    return [tuple(pair) for pair in pad_width]


case(np.pad, "constant", _pad("constant", 3), t_pad)
case(np.pad, "constant-values", lambda d: call(d.arr((2, 3)), ((1, 0), (2, 1)), constant_values=d.flt()), t_pad)
case(np.pad, "default-mode", lambda d: call(d.arr((3,)), 2), t_pad)
for _mode in ("edge", "reflect", "symmetric", "wrap"):
    case(np.pad, _mode, _pad(_mode, 7), t_pad)

# --- selection and replacement ------------------------------------------------------------------------------


def _select(d):
    """Conditions and choices of one shape (Dask's select broadcasts neither; tests/transform checks
    broadcast ones), the default a number or an array broadcast along axes of length one."""
    shape = d.shape(0, 3)
    conditions = [d.rng.random(shape) > 0.5 for _ in range(d.int(1, 3))]
    choices = [d.arr(shape) for _ in conditions]
    default = d.arr(tuple(1 if d.flag() else n for n in shape)) if d.flag() else d.flt()
    return call(conditions, choices, default)


def t_select(T, condlist, choicelist, default=0):
    out = default
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        out = T.where(T.as_tensor(np.asarray(condition)), choice, out)
    return out


case(np.select, "conditions", _select, t_select)

_NAN = np.array([[np.nan, 0.5, 0.0], [0.0, np.nan, 2.5]])
_INF = np.array([[np.nan, 0.5, -np.inf], [np.inf, -1.5, 2.5]])


def t_nan_to_num(T, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return T.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


case(np.nan_to_num, "finite", lambda d: call(d.arr(d.shape())), t_nan_to_num)
case(np.nan_to_num, "nan", lambda d: call(_NAN + d.arr((2, 3))), t_nan_to_num)
# The infinities become the largest floats, beyond finite differences: compared with the reference instead.
case(np.nan_to_num, "infinities", lambda d: call(_INF + d.arr((2, 3))), t_nan_to_num, smooth=False,
     expected=lambda g, x: (np.where(np.isfinite(x), g, 0.0),))
case(np.nan_to_num, "float", lambda d: call(d.flt()), t_nan_to_num)

# --- units, casts, stencils ---------------------------------------------------------------------------------

for _primal, _torch in ((np.degrees, lambda T, x: T.rad2deg(x)), (np.radians, lambda T, x: T.deg2rad(x))):
    case(_primal, "array", lambda d: call(d.arr(d.shape())), _torch)
    case(_primal, "float", lambda d: call(d.flt()), _torch)

case(np.float64, "0d-array", lambda d: call(d.arr(())), lambda T, x: x * 1)
case(np.float64, "float", lambda d: call(d.flt()), lambda T, x: x * 1)
case(np.float64, "numpy-scalar", lambda d: call(np.float64(d.flt())), lambda T, x: x * 1)
case(np.float32, "0d-array", lambda d: call(d.arr(())), smooth=False,
     expected=lambda g, x: (np.asarray(g, dtype=np.float64).reshape(np.shape(x)),))
case(np.float32, "float", lambda d: call(d.flt()), smooth=False, expected=lambda g, x: (float(g),))


def t_gradient(T, f, *varargs, axis=None, edge_order=1):
    dims = list(range(f.ndim)) if axis is None else ([axis] if isinstance(axis, int) else list(axis))
    if not varargs:
        spacing = 1.0
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacing = float(varargs[0])
    elif all(np.ndim(v) == 0 for v in varargs):
        spacing = [float(v) for v in varargs]
    else:  # coordinates for every axis, a scalar spacing h as the coordinates h * (0, 1, 2, ...)
        spacing = [v if isinstance(v, T.Tensor) else float(v) * T.arange(f.shape[dim], dtype=f.dtype)
                   for v, dim in zip(varargs, dims)]
    out = T.gradient(f, spacing=spacing, dim=dims, edge_order=edge_order)
    return out[0] if len(dims) == 1 else T.stack(list(out))


def _gradient(d):
    shape = d.shape(1, 3, lo=3)
    edge_order = d.pick([1, 2])
    spacing = () if d.flag() else (d.flt(POS),)
    return call(d.arr(shape), *spacing, edge_order=edge_order)


def _coordinates(d, n):
    return np.cumsum(d.values((n,), POS))


case(np.gradient, "spacing", _gradient, t_gradient)
case(np.gradient, "axis", lambda d: call(d.arr((3, 4)), d.flt(POS), axis=d.pick([0, 1, -1])), t_gradient)
case(np.gradient, "two-points", lambda d: call(d.arr((2, 3)), axis=0), t_gradient)
case(np.gradient, "coordinates", lambda d: call(d.arr((4, 5)), _coordinates(d, 4), _coordinates(d, 5),
                                                edge_order=d.pick([1, 2])), t_gradient)
case(np.gradient, "axes-mixed-spacing", lambda d: call(d.arr((3, 2, 5)), 0.5, _coordinates(d, 5), axis=(0, 2)),
     t_gradient)
