"""Gradient checking for your own tests: srcgrad's reverse-mode gradient against central finite differences.

``check_grads(f, args)`` differentiates ``f`` with ``srcgrad.grad`` and compares every entry of every
gradient with a central difference of ``f``, computed in the argument's own precision. A finite difference
is an independent witness: it needs nothing from srcgrad but ``f`` itself, so agreement means the
generated code computes the derivative of the function you wrote.

Steps and tolerances depend on the dtype, because the best step of a central difference balances
truncation error (which grows with the step) against rounding error (which grows as the step shrinks and
with the machine epsilon): about ``1e-6`` for float64 and ``1e-3`` for float32, scaled by the magnitude of
the perturbed entry. The absolute tolerance is scaled by ``max(1, |f(args)|)``, since the rounding error of
a difference quotient grows with the size of ``f``. A NaN or infinity on either side is a failure, never an
agreement.

``order=2`` also checks second derivatives without any higher-order transform: the finite difference of
srcgrad's gradient (the Hessian, row by row) is compared with second differences of ``f``. That catches
gradients that are right at ``args`` but wrong nearby.

``modes`` chooses reverse mode (``"rev"``), forward mode (``"fwd"``) or both; each is compared with the same
finite differences.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import srcgrad

from .cache import forward_generated

__all__ = ["GradCheckSummary", "check_grads"]


@dataclass(frozen=True)
class _Precision:
    """Finite-difference steps (relative to ``max(1, |x|)``) and tolerances of one floating dtype."""

    step: float
    rtol: float
    atol: float
    step2: float  # second derivatives need a larger step: their rounding error goes as eps / step**2
    rtol2: float
    atol2: float


_PRECISION = {
    np.dtype(np.float64): _Precision(1e-6, 1e-5, 1e-7, 1e-4, 1e-4, 1e-6),
    np.dtype(np.float32): _Precision(1e-3, 1e-2, 1e-3, 3e-2, 5e-2, 5e-2),
    np.dtype(np.float16): _Precision(3e-2, 5e-2, 5e-2, 1e-1, 2e-1, 2e-1),
}
_MAX_REPORTED = 10


@dataclass(frozen=True)
class GradCheckSummary:
    """What a passing ``check_grads`` compared: ``checked`` derivative entries (all orders), the largest
    absolute difference, and the largest difference as a fraction of what its tolerance allowed."""

    order: int
    checked: int
    max_abs_error: float
    max_tolerance_fraction: float


def _forward_derivative(f: Callable[..., Any], args: tuple, positions: tuple[int, ...]) -> Callable[[Any], float]:
    """The derivative along one coordinate by forward mode: a unit tangent there, zero elsewhere."""
    generated = forward_generated(f, positions, args)

    def along(c: _Coordinate) -> float:
        tangents = []
        for p in positions:
            unit = _shifted(args, c, 1.0)[p] if p == c.position else args[p]
            tangents.append(_difference_tree(unit, args[p]))
        generated.refresh()
        return _scalar(generated.function(*args, *tangents)[1])

    return along


def _difference_tree(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        return {k: _difference_tree(a[k], b[k]) for k in a}
    if isinstance(a, (list, tuple)):
        return type(a)(_difference_tree(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return float(a - b)
    return np.asarray(a) - np.asarray(b)


@dataclass(frozen=True)
class _Coordinate:
    """One scalar entry of the arguments: argument ``position``, a path into dicts/lists/tuples, an index."""

    position: int
    path: tuple
    index: tuple

    def label(self) -> str:
        keys = "".join(f"[{key!r}]" for key in self.path)
        index = f"[{', '.join(str(i) for i in self.index)}]" if self.index else ""
        return f"args[{self.position}]{keys}{index}"


def check_grads(f: Callable[..., Any], args: Sequence[Any], order: int = 1, modes: Sequence[str] = ("rev",),
                rtol: float | None = None, atol: float | None = None,
                argnums: int | Sequence[int] | None = None) -> GradCheckSummary:
    """Check srcgrad's gradient of the scalar function ``f`` at ``args`` against finite differences.

    ``args`` is the tuple of positional arguments. Every floating-point argument (a float, a float array,
    or a dict/list/tuple of them) is checked, or only those in ``argnums``. ``order=2`` checks second
    derivatives too. ``rtol``/``atol`` replace the per-dtype tolerances. Raises ``AssertionError`` naming
    the argument and index that disagree, both values, and the generated adjoint code; returns a summary
    when everything agrees."""
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    for mode in modes:
        if mode not in ("rev", "fwd"):
            raise ValueError(f"unknown mode {mode!r}: use 'rev' (reverse mode) or 'fwd' (forward mode)")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, not {order!r}")
    args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    positions = _positions(args, argnums)
    coordinates = [c for p in positions for c in _coordinates(p, args[p])]
    before = copy.deepcopy(args)

    gradient_fn = srcgrad.grad(f, argnums=positions)
    gradients = dict(zip(positions, gradient_fn(*args)))
    scale = max(1.0, abs(_scalar(f(*args))))
    checker = _Comparison(f, args, positions, scale, rtol, atol)
    forward = _forward_derivative(f, args, positions) if "fwd" in modes else None
    for c in coordinates:
        h = _step(args, c, order=1)
        plus, minus = _shifted(args, c, h), _shifted(args, c, -h)
        fd = (_scalar(f(*plus)) - _scalar(f(*minus))) / _actual_step(h, _value(plus, c), _value(minus, c))
        if "rev" in modes:
            checker.compare(f"d/d {c.label()}", _lookup(gradients[c.position], c), fd, _dtype(args, c), order=1)
        if forward is not None:
            checker.compare(f"forward-mode d/d {c.label()}", forward(c), fd, _dtype(args, c), order=1)
    checker.raise_if_failed(order=1)

    if order == 2:
        def flat_gradient(point: tuple) -> np.ndarray:
            found = dict(zip(positions, gradient_fn(*point)))
            return np.array([float(np.real(_lookup(found[c.position], c))) for c in coordinates])

        for ci in coordinates:
            hi = _step(args, ci, order=2)
            row = (flat_gradient(_shifted(args, ci, hi)) - flat_gradient(_shifted(args, ci, -hi))) / (2 * hi)
            for j, cj in enumerate(coordinates):
                hj = _step(args, cj, order=2)
                second = _second_difference(f, args, ci, hi, cj, hj)
                dtype = max(_dtype(args, ci), _dtype(args, cj), key=lambda d: _PRECISION[d].rtol2)
                checker.compare(f"d/d {ci.label()} of the gradient entry {cj.label()}", row[j], second, dtype,
                                order=2)
        checker.raise_if_failed(order=2)

    for i, (old, new) in enumerate(zip(before, args)):
        if not _same(old, new):
            raise AssertionError(f"check_grads: argument {i} was modified while computing the gradient")
    return GradCheckSummary(order, checker.total, checker.max_abs_error, checker.max_ratio)


class _Comparison:
    """Collects the comparisons of one check and writes the failure message."""

    def __init__(self, f: Callable, args: tuple, positions: tuple[int, ...], scale: float,
                 rtol: float | None, atol: float | None):
        self.f, self.args, self.positions, self.scale = f, args, positions, scale
        self.rtol, self.atol = rtol, atol
        self.failures: list[str] = []
        self.tolerances: dict[str, None] = {}  # of the failing entries, in order, without repeats
        self.count, self.total, self.max_abs_error, self.max_ratio = 0, 0, 0.0, 0.0

    def compare(self, what: str, actual: Any, expected: float, dtype: np.dtype, order: int) -> None:
        precision = _PRECISION[dtype]
        rtol = self.rtol if self.rtol is not None else (precision.rtol if order == 1 else precision.rtol2)
        atol = self.atol if self.atol is not None else (precision.atol if order == 1 else precision.atol2)
        actual = float(np.real(actual))
        allowed = atol * self.scale + rtol * abs(expected)
        difference = abs(actual - expected)
        self.count += 1
        self.total += 1
        if np.isfinite(actual) and np.isfinite(expected) and difference <= allowed:
            self.max_abs_error = max(self.max_abs_error, difference)
            self.max_ratio = max(self.max_ratio, difference / allowed if allowed else 0.0)
            return
        why = (f"difference {difference:.3g}, allowed {allowed:.3g}" if np.isfinite(difference)
               else "not finite: NaN and infinity never agree")
        ours, theirs = (("srcgrad", "finite differences") if order == 1 else
                        ("difference of srcgrad's gradient", "second difference of f"))
        self.failures.append(f"  {what}: {ours} {actual!r}, {theirs} {expected!r} ({why})")
        self.tolerances[f"{dtype}: rtol={rtol:g}, atol={atol:g} x max(1, |f|) = {self.scale:.3g}"] = None

    def raise_if_failed(self, order: int) -> None:
        checked, self.count = self.count, 0
        if not self.failures:
            return
        name = getattr(self.f, "__name__", "f")
        kind = "gradient disagrees" if order == 1 else "second derivatives disagree"
        shown = self.failures[:_MAX_REPORTED]
        lines = [f"check_grads({name}): srcgrad's {kind} with central finite differences in "
                 f"{len(self.failures)} of {checked} entries ({'; '.join(self.tolerances)}):", *shown]
        if len(self.failures) > len(shown):
            lines.append(f"  ... and {len(self.failures) - len(shown)} more")
        lines.append(f"The generated adjoint, srcgrad.show({name}, *args, argnums={self.positions}):")
        lines.append(_adjoint_source(self.f, self.args, self.positions))
        raise AssertionError("\n".join(lines))


def _adjoint_source(f: Callable, args: tuple, positions: tuple[int, ...]) -> str:
    """The code srcgrad ran, with the user's lines as comments, or why it cannot be shown."""
    try:
        if hasattr(f, "__self__") and hasattr(f, "__func__"):  # a bound method: self is argument 0
            return srcgrad.show(f.__func__, f.__self__, *args, argnums=tuple(p + 1 for p in positions))
        return srcgrad.show(f, *args, argnums=positions)
    except Exception as error:  # the message must still report the mismatch
        return f"(the generated code could not be shown: {type(error).__name__}: {error})"


def _positions(args: tuple, argnums: int | Sequence[int] | None) -> tuple[int, ...]:
    if argnums is None:
        positions = tuple(i for i, a in enumerate(args) if _differentiable(a))
        if not positions:
            raise ValueError("check_grads: no floating-point argument to check (pass argnums= to choose)")
        return positions
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for p in positions:
        if not -len(args) <= p < len(args):
            raise ValueError(f"check_grads: argnums {p} is out of range for {len(args)} arguments")
        if not any(True for _ in _leaves(args[p], ())):
            raise ValueError(f"check_grads: argument {p} has no floating-point entries to check")
    return tuple(p % len(args) for p in positions)


def _is_float_leaf(value: Any) -> bool:
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype in _PRECISION
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral))


def _differentiable(value: Any) -> bool:
    """What srcgrad.grad accepts: a float leaf, or a non-empty container holding only such values."""
    if isinstance(value, dict):
        return bool(value) and all(_differentiable(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_differentiable(v) for v in value)
    return _is_float_leaf(value)


def _leaves(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """``(path, leaf)`` for every floating-point leaf of a (possibly nested) argument."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for key, item in enumerate(value):
            yield from _leaves(item, (*path, key))
    elif _is_float_leaf(value):
        yield path, value


def _coordinates(position: int, value: Any) -> Iterator[_Coordinate]:
    for path, leaf in _leaves(value, ()):
        for index in np.ndindex(np.shape(leaf)):
            yield _Coordinate(position, path, index)


def _lookup(tree: Any, c: _Coordinate) -> Any:
    for key in c.path:
        tree = tree[key]
    return np.asarray(tree)[c.index]


def _value(args: tuple, c: _Coordinate) -> float:
    return float(_lookup(args[c.position], c))


def _dtype(args: tuple, c: _Coordinate) -> np.dtype:
    leaf = args[c.position]
    for key in c.path:
        leaf = leaf[key]
    return leaf.dtype if isinstance(leaf, (np.ndarray, np.generic)) else np.dtype(np.float64)


def _step(args: tuple, c: _Coordinate, order: int) -> float:
    precision = _PRECISION[_dtype(args, c)]
    return (precision.step if order == 1 else precision.step2) * max(1.0, abs(_value(args, c)))


def _actual_step(h: float, plus: float, minus: float) -> float:
    """The step the arguments really moved by: ``x + h`` is rounded to the argument's dtype."""
    moved = plus - minus
    return moved if moved != 0 else 2 * h


def _with(tree: Any, path: tuple, index: tuple, delta: float) -> Any:
    """A copy of ``tree`` with one entry moved by ``delta``; containers are rebuilt, never modified."""
    if path:
        key, rest = path[0], path[1:]
        if isinstance(tree, dict):
            return {k: (_with(v, rest, index, delta) if k == key else v) for k, v in tree.items()}
        items = [(_with(v, rest, index, delta) if k == key else v) for k, v in enumerate(tree)]
        return type(tree)(items) if isinstance(tree, tuple) else items
    if isinstance(tree, np.ndarray):
        moved = tree.copy()
        moved[index] = moved[index] + delta
        return moved
    if isinstance(tree, np.generic):
        return type(tree)(tree + delta)
    return float(tree) + delta


def _shifted(args: tuple, c: _Coordinate, delta: float) -> tuple:
    return tuple(_with(a, c.path, c.index, delta) if i == c.position else a for i, a in enumerate(args))


def _second_difference(f: Callable, args: tuple, ci: _Coordinate, hi: float, cj: _Coordinate, hj: float) -> float:
    """d²f / dx_i dx_j from four evaluations of ``f``: (f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)."""
    def at(si: float, sj: float) -> float:
        return _scalar(f(*_shifted(_shifted(args, ci, si * hi), cj, sj * hj)))

    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * hi * hj)


def _scalar(value: Any) -> float:
    out = np.asarray(value)
    if out.shape != ():
        raise TypeError(f"check_grads needs a function with a scalar output; it returned shape {out.shape}")
    return float(np.real(out))


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dict):
        return isinstance(new, dict) and old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, (list, tuple)):
        return type(old) is type(new) and len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    if isinstance(old, np.ndarray):
        return isinstance(new, np.ndarray) and old.dtype == new.dtype and np.array_equal(old, new, equal_nan=True)
    try:
        return bool(old == new) or (old != old and new != new)
    except Exception:  # objects without a usable ==: identity is all that can be said
        return old is new
