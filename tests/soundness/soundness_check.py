"""The soundness harness: a gradient is right or it is a located error, never silently wrong.

Each adversarial case is a plain top-level ``def`` in one of the ``adversarial_*.py`` modules of this directory,
registered with ``case(...)`` (or ``add(...)`` for callables that are not plain functions). ``check(case, mode)``
runs srcgrad on it in one mode (``"reverse"``: ``grad``, ``"forward"``: ``jvp`` along a random tangent,
``"hessian"``: ``hessian``) and either returns the outcome (``"correct"`` or ``"refused"``, with the message) or
raises ``SoundnessFailure`` whose ``kind`` is one of

* ``SILENTLY WRONG``: srcgrad returned a value (or a type, shape or dtype) that disagrees with central finite
  differences of the plain Python function, a NaN, or a value where none exists (a string output);
* ``CRASH``: srcgrad raised something that is not a ``SrcgradError`` (or ran past the time limit);
* ``UNLOCATED``: a ``SrcgradError`` that does not say where: a ``LocatedError`` whose file and line are not the
  case's own source lines, or another ``SrcgradError`` whose message names neither the function nor an argument;
* ``MUTATED INPUT``: srcgrad's call changed the arguments the user passed.

A case whose plain evaluation fails, or whose finite differences depend on the step (a kink within a few steps
of the point), raises ``BrokenCase``: the case is wrong, not srcgrad.

The reference is always computed from the plain function on fresh deep copies of the inputs (the function may
mutate them: that is part of what is tested), in float64 (float32 inputs are widened), with a fourth-order
central stencil; the Hessian by the fourth-order second-difference stencil along e_i and e_i +- e_j."""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import inspect
import numbers
import os
import re
import signal
import sys
import threading
import traceback
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import srcgrad
from srcgrad import SrcgradError
from srcgrad.errors import LocatedError

SILENTLY_WRONG = "SILENTLY WRONG"
CRASH = "CRASH"
UNLOCATED = "UNLOCATED"
MUTATED = "MUTATED INPUT"
KINDS = (SILENTLY_WRONG, CRASH, UNLOCATED, MUTATED)
MODES = ("reverse", "forward", "hessian")

CALL_SECONDS = 5.0          # one srcgrad call; a hang (a loop srcgrad runs differently) is a crash
TIGHT = (1e-6, 1e-7)        # (rtol, atol per unit of the reference's magnitude) for float64 inputs
LOOSE = (2e-3, 2e-4)        # float32 inputs: srcgrad computes in float32, the reference in float64
HESSIAN_TOL = (1e-5, 1e-6)
STEP = 1e-4                 # first derivatives: fourth-order stencil, checked against twice the step
STEP2 = 1e-3                # second derivatives
LOOSE_STEP = 3e-3           # float32 cases: the output itself may be rounded to float32


# --------------------------------------------------------------------------------------------------------------
# cases and their registry


@dataclass(eq=False)
class Case:
    fn: Callable
    args: tuple
    argnums: int | tuple[int, ...]
    category: str
    name: str
    smooth: bool = False             # check the Hessian too (one array or float argument)
    expect: str = "either"           # "either": a right value or a located error; "refuse": only an error
    locations: tuple = ()            # functions whose source lines a located error may point at
    loose: bool = False              # float32: compare with loose tolerances
    mentions: tuple[str, ...] = ()   # names an unlocated SrcgradError may mention instead of the function's
    record: bool = True              # count the outcomes in RESULTS (the harness's own tests do not)
    facts: Any = None                # the plain function's output and the references, computed once (Info)

    @property
    def id(self) -> str:
        return f"{self.category}/{self.name}"

    def fresh_args(self) -> list:
        return copy.deepcopy(list(self.args))


CASES: list[Case] = []


def _underlying(fn: Callable) -> Callable:
    """The Python function whose source srcgrad reads for ``fn`` (a bound method, a partial, an instance)."""
    if isinstance(fn, functools.partial):
        return _underlying(fn.func)
    if inspect.ismethod(fn):
        return fn.__func__
    if inspect.isfunction(fn):
        return fn
    call = getattr(type(fn), "__call__", None)
    return call if inspect.isfunction(call) else fn


def build(fn: Callable, *, args: tuple, category: str, argnums: int | tuple[int, ...] | None = None,
          smooth: bool = False, expect: str = "either", helpers: tuple = (), name: str | None = None,
          loose: bool = False, record: bool = True) -> Case:
    """A case for ``fn`` (any callable), not registered; ``helpers``: user functions it calls, whose lines a
    located error may name as well as ``fn``'s own; ``record``: count its outcomes in the summary."""
    if expect not in ("either", "refuse"):
        raise ValueError(f"expect must be 'either' or 'refuse', not {expect!r}")
    if not isinstance(args, tuple):
        raise TypeError("args must be a tuple of the function's arguments")
    if argnums is None:
        argnums = 0 if len(args) == 1 else tuple(range(len(args)))
    base = _underlying(fn)
    name = name or getattr(fn, "__name__", None) or getattr(base, "__name__", "f")
    mentions = tuple(sorted({name, getattr(base, "__name__", name), type(fn).__name__} - {"function", "method"}))
    return Case(fn, copy.deepcopy(args), argnums, category, name, smooth, expect,
                (base, *(_underlying(h) for h in helpers)), loose, mentions, record)


def add(fn: Callable, **options: Any) -> Case:
    """Register ``fn`` as a case of the suite (options as for ``build``)."""
    item = build(fn, **options)
    if any(c.id == item.id for c in CASES):
        raise ValueError(f"duplicate case id {item.id}")
    CASES.append(item)
    return item


def case(*, category: str, **options: Any) -> Callable[[Callable], Callable]:
    """Decorator form of ``add`` for plain top-level functions; returns the function unchanged."""

    def register(fn: Callable) -> Callable:
        add(fn, category=category, **options)
        return fn

    return register


def registry(category: str) -> tuple[Callable, Callable]:
    """``case, add`` with the category filled in, for one adversarial module."""
    return functools.partial(case, category=category), functools.partial(add, category=category)


def load_cases() -> list[Case]:
    """Import every ``adversarial_*.py`` module of this directory; the cases they registered, in order."""
    here = Path(__file__).resolve().parent
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    for path in sorted(here.glob("adversarial_*.py")):
        importlib.import_module(path.stem)
    return list(CASES)


# --------------------------------------------------------------------------------------------------------------
# outcomes


class SoundnessFailure(AssertionError):
    def __init__(self, kind: str, message: str):
        self.kind, self.message = kind, message
        super().__init__(f"{kind}: {message}")


class BrokenCase(Exception):
    """The case itself is unusable (the plain call fails, finite differences depend on the step)."""


class CallTimeout(BaseException):
    """A srcgrad call ran past ``CALL_SECONDS`` (a BaseException so that no ``except Exception`` eats it)."""


@dataclass
class Outcome:
    status: str          # "correct" or "refused"
    message: str = ""


RESULTS: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)   # case id -> mode -> (status, message)


def _record(c: Case, mode: str, status: str, message: str) -> None:
    if c.record:
        RESULTS[c.id][mode] = (status, message)


def first_line(text: str) -> str:
    return str(text).strip().split("\n", 1)[0] if str(text).strip() else ""


@contextlib.contextmanager
def time_limit(seconds: float):
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise CallTimeout(f"ran past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------------------------------------------
# trees of arguments


def leaves(tree: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(tree, dict):
        return [item for key in tree for item in leaves(tree[key], (*path, key))]
    if isinstance(tree, (list, tuple)):
        return [item for i, value in enumerate(tree) for item in leaves(value, (*path, i))]
    return [(path, tree)]


def get_at(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def replace_at(tree: Any, path: tuple, value: Any) -> Any:
    """``tree`` with the leaf at ``path`` replaced (tuples rebuilt, lists and dicts copied shallowly)."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(tree, dict):
        new = dict(tree)
        new[key] = replace_at(tree[key], rest, value)
        return type(tree)(new) if type(tree) is not dict else new
    items = list(tree)
    items[key] = replace_at(tree[key], rest, value)
    return type(tree)(items) if type(tree) is not list else items


def is_integer_leaf(leaf: Any) -> bool:
    if isinstance(leaf, (bool, np.bool_, numbers.Integral)):
        return True
    dtype = getattr(leaf, "dtype", None)
    return dtype is not None and dtype.kind in "biu"


def is_complex_leaf(leaf: Any) -> bool:
    return np.iscomplexobj(leaf) if isinstance(leaf, (np.ndarray, np.generic, complex)) else False


def widened(tree: Any) -> Any:
    """A deep copy with float32/float16 leaves widened to float64 (complex64 to complex128) for the reference."""
    tree = copy.deepcopy(tree)
    for path, leaf in leaves(tree):
        dtype = getattr(leaf, "dtype", None)
        if dtype is not None and dtype.kind in "fc" and dtype.itemsize < (8 if dtype.kind == "f" else 16):
            wide = np.float64 if dtype.kind == "f" else np.complex128
            tree = replace_at(tree, path, leaf.astype(wide) if isinstance(leaf, np.ndarray) else wide(leaf))
    return tree


def shifted(args: list, deltas: dict[tuple, Any], s: float) -> list:
    """A deep copy of ``args`` with ``s * delta`` added to the leaf at each path (path[0]: the argument)."""
    new = copy.deepcopy(args)
    for path, delta in deltas.items():
        leaf = get_at(new, path)
        if isinstance(leaf, np.ndarray):
            leaf.view(np.ndarray)[...] += s * delta
        else:
            leaf = type(leaf)(leaf + s * delta)
            new = replace_at(new, path, leaf)
    return new


def same_tree(a: Any, b: Any) -> str | None:
    """``None`` when ``a`` holds exactly what ``b`` holds (types, shapes, dtypes, bits, masks), else where not."""
    if type(a) is not type(b):
        return f"{type(b).__name__} became {type(a).__name__}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"keys {list(b)} became {list(a)}"
        for key in a:
            problem = same_tree(a[key], b[key])
            if problem:
                return f"[{key!r}] {problem}"
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"length {len(b)} became {len(a)}"
        for i, (x, y) in enumerate(zip(a, b)):
            problem = same_tree(x, y)
            if problem:
                return f"[{i}] {problem}"
        return None
    if isinstance(a, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype:
            return f"{b.dtype}{list(b.shape)} became {a.dtype}{list(a.shape)}"
        if not np.array_equal(a.view(np.ndarray), b.view(np.ndarray), equal_nan=a.dtype.kind in "fc"):
            return f"{np.asarray(b).tolist()} became {np.asarray(a).tolist()}"
        if np.ma.isMaskedArray(a) and not np.array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b)):
            return "the mask changed"
        return None
    if a is b or a == b or (isinstance(a, float) and np.isnan(a) and np.isnan(b)):
        return None
    return f"{b!r} became {a!r}"


# --------------------------------------------------------------------------------------------------------------
# the reference


class NoValue(Exception):
    """The output is not made of numbers (a string, None, an object): no derivative exists."""


def _number_leaf(value: Any) -> np.ndarray | None:
    """A number or a numeric array as an array (bool and int: their derivative is zero); None otherwise."""
    if isinstance(value, (bool, np.bool_, numbers.Number, np.generic)) and not isinstance(value, (str, bytes)):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        if np.ma.isMaskedArray(value):
            value = np.ma.filled(value.astype(np.result_type(value.dtype, np.float64)), np.nan)
        return np.asarray(value)
    return None


def output_leaves(out: Any, path: tuple = ()) -> list[tuple[tuple, np.ndarray, bool]]:
    """``(path, values, scalar)`` for every number or array of an output tree (tuples, lists, dicts)."""
    if isinstance(out, (tuple, list)):
        if not out:
            raise NoValue(f"the output is an empty {type(out).__name__}")
        return [leaf for i, item in enumerate(out) for leaf in output_leaves(item, (*path, i))]
    if isinstance(out, dict):
        if not out:
            raise NoValue("the output is an empty dict")
        return [leaf for key, item in out.items() for leaf in output_leaves(item, (*path, key))]
    values = _number_leaf(out)
    if values is None:
        raise NoValue(f"the output is {describe(out)}, not a number")
    return [(path, values, not isinstance(out, np.ndarray))]


def output_vector(out: Any) -> np.ndarray:
    """Every number of the output, in order, as one float64 (or complex128) vector."""
    parts = [values.ravel() for _, values, _ in output_leaves(out)]
    kind = np.complex128 if any(p.dtype.kind == "c" for p in parts) else np.float64
    return np.concatenate([p.astype(kind) for p in parts])


def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{type(value).__name__} {value.dtype}{list(value.shape)}"
    if isinstance(value, (list, tuple, dict)):
        return f"{type(value).__name__} of {len(value)}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 40 else text[:37] + '...'}"


@dataclass
class Info:
    """What the plain function does on the case's inputs."""
    output: Any
    vector: np.ndarray | None          # every number of the output; None: not made of numbers
    scalar: bool                       # a single number (or 0-d array), what hessian needs
    why_none: str = ""
    integer_inputs: tuple = ()
    cache: dict = field(default_factory=dict)
    one_element: bool = False          # a single number in an array of any shape: what grad needs

    @property
    def complex(self) -> bool:
        return self.vector is not None and self.vector.dtype.kind == "c"


def info(c: Case) -> Info:
    if c.facts is None:
        try:
            out = c.fn(*c.fresh_args())
        except Exception as err:
            raise BrokenCase(f"{c.id}: the plain function raises {type(err).__name__}: {err}") from err
        try:
            vector, why = output_vector(out), ""
            found = output_leaves(out)
            scalar = len(found) == 1 and found[0][0] == () and found[0][1].shape == ()
            one = len(found) == 1 and found[0][0] == () and found[0][1].size == 1
        except NoValue as err:
            vector, why, scalar, one = None, str(err), False, False
        integers = tuple(i for i, a in enumerate(c.args) if any(is_integer_leaf(v) for _, v in leaves(a)))
        c.facts = Info(out, vector, scalar, why, integers, one_element=one)
    return c.facts


def _argnums(c: Case) -> tuple[int, ...]:
    return (c.argnums,) if isinstance(c.argnums, int) else tuple(c.argnums)


def must_refuse(c: Case, mode: str) -> str | None:
    """Why only an error is a sound answer in ``mode``, or ``None`` when a right value is fine too."""
    if c.expect == "refuse":
        return "the case is declared to have no derivative"
    i = info(c)
    used = range(len(c.args)) if mode == "forward" else _argnums(c)
    if any(k in i.integer_inputs for k in used):
        return "an input to differentiate holds integers"
    if i.vector is None:
        return i.why_none
    if mode != "forward" and not (i.one_element if mode == "reverse" else i.scalar):
        return f"the output is {describe(i.output)}, not a scalar"
    if mode != "forward" and i.complex:
        return "the output is complex: a gradient of it is not defined"
    return None


def _evaluate(c: Case, args: list) -> np.ndarray:
    try:
        return output_vector(c.fn(*args))
    except Exception as err:
        raise BrokenCase(f"{c.id}: the plain function raises {type(err).__name__}: {err} at a perturbed point") \
            from err


def first_derivative(c: Case, base: list, deltas: dict) -> np.ndarray:
    """d/ds f(base + s * deltas) at 0, fourth-order central stencil, checked against the stencil at 2h and
    against one-sided second-order stencils (which see a kink at the point itself, where |s| has a central
    difference of 0 at every step)."""
    h, agree, one_sided = (LOOSE_STEP, 1e-4, 1e-3) if c.loose else (STEP, 1e-7, 1e-5)
    F = {k: _evaluate(c, shifted(base, deltas, k * h)) for k in (-4, -2, -1, 0, 1, 2, 4)}
    d = (F[-2] - 8 * F[-1] + 8 * F[1] - F[2]) / (12 * h)
    d2 = (F[-4] - 8 * F[-2] + 8 * F[2] - F[4]) / (24 * h)
    forward = (-3 * F[0] + 4 * F[1] - F[2]) / (2 * h)
    backward = (3 * F[0] - 4 * F[-1] + F[-2]) / (2 * h)
    scale = 1.0 + np.abs(d) + 1e-4 * np.abs(F[0])
    if not np.all(np.isfinite(d)) or np.any(np.abs(d - d2) > agree * scale) \
            or np.any(np.maximum(np.abs(forward - d), np.abs(backward - d)) > one_sided * scale):
        raise BrokenCase(f"{c.id}: finite differences depend on the step ({d} at {h:g}, {d2} at {2 * h:g}, "
                         f"one-sided {forward}, {backward}): choose a point away from kinks")
    return d


def second_derivative(c: Case, base: list, deltas: dict) -> float:
    """d²/ds² f(base + s * deltas) at 0, fourth-order stencil, checked against the stencil at 2h."""
    h = LOOSE_STEP * 3 if c.loose else STEP2

    def estimate(step: float) -> np.ndarray:
        f = [_evaluate(c, shifted(base, deltas, k * step)) for k in (-2, -1, 0, 1, 2)]
        return (-f[0] + 16 * f[1] - 30 * f[2] + 16 * f[3] - f[4]) / (12 * step * step)

    d, d2 = estimate(h)[0], estimate(2 * h)[0]
    scale = 1.0 + abs(d) + 1e-3 * abs(_evaluate(c, copy.deepcopy(base))[0])
    if not np.isfinite(d) or abs(d - d2) > (1e-2 if c.loose else 1e-5) * scale:
        raise BrokenCase(f"{c.id}: second differences depend on the step ({d} at {h:g}, {d2} at {2 * h:g})")
    return float(np.real(d))


@dataclass
class Want:
    """The expected value at one leaf: its reference value and the type srcgrad must hand back."""
    value: np.ndarray            # float64 or complex128
    dtype: np.dtype | None       # None: any numeric dtype (the tangent of an integer output)
    scalar: bool                 # a Python/NumPy scalar, not an array
    conjugate_ok: bool = False   # a complex input: either convention (df/dx ± i df/dy)


def _unit(leaf: Any, k: int, imaginary: bool = False) -> Any:
    if isinstance(leaf, np.ndarray):
        d = np.zeros(leaf.shape, dtype=np.complex128 if imaginary else np.float64)
        d.reshape(-1)[k] = 1j if imaginary else 1.0
        return d if imaginary else d.astype(leaf.dtype if leaf.dtype.kind == "f" else np.float64)
    return 1j if imaginary else 1.0


def reference_gradient(c: Case) -> Any:
    """Finite-difference gradient with respect to ``c.argnums``, shaped like srcgrad's answer."""
    cache = info(c).cache
    if "gradient" not in cache:
        base = widened(c.fresh_args())
        grads = []
        for i in _argnums(c):
            tree: Any = c.args[i]
            for path, leaf in leaves(c.args[i]):
                full = (i, *path)
                wide = get_at(base, full)
                size = int(np.size(leaf))
                values = np.zeros(size, dtype=np.complex128 if is_complex_leaf(leaf) else np.float64)
                for k in range(size):
                    values[k] = np.real(first_derivative(c, base, {full: _unit(wide, k)})[0])
                    if is_complex_leaf(leaf):
                        values[k] += 1j * np.real(first_derivative(c, base, {full: _unit(wide, k, True)})[0])
                dtype = leaf.dtype if isinstance(leaf, (np.ndarray, np.generic)) else np.dtype(np.float64)
                want = Want(values.reshape(np.shape(leaf)), dtype, not isinstance(leaf, np.ndarray),
                            is_complex_leaf(leaf))
                tree = replace_at(tree, path, want)
            grads.append(tree)
        cache["gradient"] = grads[0] if isinstance(c.argnums, int) else tuple(grads)
    return cache["gradient"]


def tangents(c: Case) -> list:
    """A random tangent shaped like the arguments (same types and dtypes), the same on every run."""
    rng = np.random.default_rng(zlib.crc32(c.id.encode()))
    out = []
    for a in c.args:
        tree = a
        for path, leaf in leaves(a):
            if isinstance(leaf, np.ndarray):
                t = rng.uniform(0.5, 1.5, leaf.shape) * rng.choice([-1.0, 1.0], leaf.shape)
                if leaf.dtype.kind == "c":
                    t = t + 1j * rng.uniform(-1.0, 1.0, leaf.shape)
                t = t.astype(leaf.dtype if leaf.dtype.kind in "fc" else np.float64)
                if type(leaf) is not np.ndarray:
                    t = np.ma.masked_array(t) if np.ma.isMaskedArray(leaf) else t.view(type(leaf))
            elif is_integer_leaf(leaf):
                t = 0.0
            else:
                t = type(leaf)(rng.uniform(0.5, 1.5) * rng.choice([-1.0, 1.0]))
            tree = replace_at(tree, path, t)
        out.append(tree)
    return out


def reference_directional(c: Case, ts: list) -> Any:
    """Finite-difference derivative along the tangent ``ts``, as a tree of ``Want``s shaped like the output."""
    cache = info(c).cache
    if "directional" not in cache:
        base = widened(c.fresh_args())
        deltas = {}
        for i, t in enumerate(ts):
            for path, leaf in leaves(t):
                deltas[(i, *path)] = leaf.view(np.ndarray) if isinstance(leaf, np.ndarray) else leaf
        d = first_derivative(c, base, deltas)
        position = [0]

        def tree(out: Any) -> Any:
            if isinstance(out, (tuple, list)):
                return type(out)(tree(item) for item in out) if type(out) in (tuple, list) else \
                    [tree(item) for item in out]
            if isinstance(out, dict):
                return {key: tree(item) for key, item in out.items()}
            values = _number_leaf(out)
            part = d[position[0]:position[0] + values.size].reshape(values.shape)
            position[0] += values.size
            part = part if values.dtype.kind == "c" else np.real(part).astype(np.float64)
            scalar = not isinstance(out, np.ndarray)
            return Want(part, values.dtype if values.dtype.kind in "fc" else None, scalar)

        cache["directional"] = tree(info(c).output)
    return cache["directional"]


def reference_hessian(c: Case, argnum: int) -> Want:
    cache = info(c).cache
    if "hessian" not in cache:
        base = widened(c.fresh_args())
        x = c.args[argnum]
        wide = base[argnum]
        n = int(np.size(x))
        H = np.zeros((n, n))
        path = (argnum,)
        for i in range(n):
            H[i, i] = second_derivative(c, base, {path: _unit(wide, i)})
        for i in range(n):
            for j in range(i + 1, n):
                plus = second_derivative(c, base, {path: _unit(wide, i) + _unit(wide, j)})
                minus = second_derivative(c, base, {path: _unit(wide, i) - _unit(wide, j)})
                H[i, j] = H[j, i] = (plus - minus) / 4
        shape = np.shape(x)
        dtype = x.dtype if isinstance(x, (np.ndarray, np.generic)) else np.dtype(np.float64)
        cache["hessian"] = Want(H.reshape(shape + shape), dtype, not isinstance(x, np.ndarray))
    return cache["hessian"]


# --------------------------------------------------------------------------------------------------------------
# comparison


def mismatch(got: Any, want: Any, rtol: float = TIGHT[0], atol: float = TIGHT[1], where: str = "") -> str | None:
    """``None`` when ``got`` matches the tree of ``Want``s (structure, types, shapes, dtypes, finite values
    within tolerance), else what differs. NaN and infinity never match."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return f"{where or 'result'}: expected a dict with keys {list(want)}, got {describe(got)}"
        for key in want:
            problem = mismatch(got[key], want[key], rtol, atol, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return f"{where or 'result'}: expected a {type(want).__name__} of {len(want)}, got {describe(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            problem = mismatch(g, w, rtol, atol, f"{where}[{i}]")
            if problem:
                return problem
        return None
    return _leaf_mismatch(got, want, rtol, atol, where or "result")


def _leaf_mismatch(got: Any, want: Want, rtol: float, atol: float, where: str) -> str | None:
    if got is None or isinstance(got, (bool, np.bool_, str, bytes, list, tuple, dict)):
        return f"{where}: got {describe(got)}, expected {'a number' if want.scalar else 'an array'}"
    if want.scalar:
        if not isinstance(got, (numbers.Number, np.generic, np.ndarray)) or np.shape(got) != ():
            return f"{where}: got {describe(got)}, expected a scalar"
    else:
        if not isinstance(got, (np.ndarray, np.generic)):
            return f"{where}: got {describe(got)}, expected an array {want.dtype}{list(want.value.shape)}"
        if np.shape(got) != want.value.shape:
            return f"{where}: shape {list(np.shape(got))}, expected {list(want.value.shape)}"
    dtype = np.asarray(got).dtype
    if want.value.dtype.kind != "c" and dtype.kind == "c":
        return f"{where}: a complex {describe(got)} for a real derivative"
    if dtype.kind not in "fciu":
        return f"{where}: dtype {dtype}, expected {want.dtype}"
    if not want.scalar and want.dtype is not None and dtype != want.dtype:
        return f"{where}: dtype {dtype}, expected {want.dtype}"
    if np.ma.isMaskedArray(got):
        got = np.ma.filled(got.astype(np.result_type(dtype, np.float64)), np.nan)  # a masked entry is no value
    values = np.asarray(got, dtype=np.complex128 if dtype.kind == "c" else np.float64)
    if not np.all(np.isfinite(values)):
        return f"{where}: not finite: {_short(values)} (finite differences give {_short(want.value)})"
    if not np.all(np.isfinite(want.value)):
        raise BrokenCase(f"{where}: the reference is not finite: {want.value}")
    tol = atol * max(1.0, float(np.max(np.abs(want.value), initial=0.0))) + rtol * np.abs(want.value)
    candidates = [want.value, np.conj(want.value)] if want.conjugate_ok else [want.value]
    if any(np.all(np.abs(values - w) <= tol) for w in candidates):
        return None
    error = float(np.max(np.abs(values - want.value)))
    shown = np.where(np.abs(want.value) < 1e-8 * max(1.0, float(np.max(np.abs(want.value)))), 0.0, want.value)
    return f"{where}: {_short(values)} but finite differences give {_short(shown)} (max abs error {error:.3g})"


def _short(a: np.ndarray) -> str:
    text = np.array2string(np.asarray(a), precision=6, max_line_width=10_000, threshold=20)
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------------------------
# location of errors


@functools.cache
def source_range(fn: Callable) -> tuple[str, int, int] | None:
    """(file, def line, last line) of a Python function, or None when it has no source."""
    try:
        lines, start = inspect.getsourcelines(fn)
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (TypeError, OSError):
        return None
    offset = next((k for k, line in enumerate(lines) if line.lstrip().startswith(("def ", "async def "))), 0)
    return os.path.realpath(filename), start + offset, start + len(lines) - 1


def location_problem(c: Case, err: SrcgradError) -> str | None:
    """``None`` when ``err`` says where the problem is in the case's code, else why it does not."""
    if isinstance(err, LocatedError):
        if err.filename is None or err.lineno is None:
            return f"{type(err).__name__} without a file and line"
        ranges = [r for r in (source_range(fn) for fn in c.locations) if r is not None]
        for filename, first, last in ranges:
            if os.path.realpath(err.filename) == filename and first <= err.lineno <= last:
                return None
        where = ", ".join(f"{os.path.basename(f)}:{a}-{b}" for f, a, b in ranges)
        return f"{type(err).__name__} points at {err.filename}:{err.lineno}, not at the case's lines ({where})"
    message = str(err)
    if any(name and re.search(rf"\b{re.escape(name)}\b", message) for name in c.mentions):
        return None
    if re.search(r"\bargument\b", message):
        return None
    return f"{type(err).__name__} names neither the function ({', '.join(c.mentions)}) nor an argument"


# --------------------------------------------------------------------------------------------------------------
# the checks


def _run(c: Case, mode: str, call: Callable[[list], Any]) -> tuple[Any, BaseException | None, str | None]:
    """Call srcgrad on fresh copies of the case's arguments: (result, exception, mutation)."""
    args = c.fresh_args()
    pristine = c.fresh_args()
    result, error = None, None
    try:
        with time_limit(CALL_SECONDS):
            result = call(args)
    except CallTimeout as err:
        error = err
    except Exception as err:
        error = err
    mutation = same_tree(args, pristine)
    return result, error, mutation


def _crash_text(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno} in {frames[-1].name})" \
        if frames else ""
    return f"{type(err).__name__}: {first_line(err)}{where}"


def _conclude(c: Case, mode: str, result: Any, error: BaseException | None, mutation: str | None,
              compare: Callable[[Any], str | None]) -> Outcome:
    label = f"{mode} of {c.id}"
    mutated = f"; it also changed the caller's argument: {mutation}" if mutation else ""
    if isinstance(error, CallTimeout):
        _fail(c, mode, CRASH, f"{label}: timed out, {error}{mutated}")
    if error is not None and not isinstance(error, SrcgradError):
        _fail(c, mode, CRASH, f"{label}: {_crash_text(error)}{mutated}")
    if error is not None:
        problem = location_problem(c, error)
        if problem:
            _fail(c, mode, UNLOCATED, f"{label}: {problem}: {first_line(error)}{mutated}")
        if mutation:
            _fail(c, mode, MUTATED, f"{label} (refused) changed the caller's argument: {mutation}")
        _record(c, mode, "refused", str(error))
        return Outcome("refused", str(error))
    refusal = must_refuse(c, mode)
    if refusal:
        _fail(c, mode, SILENTLY_WRONG, f"{label}: returned {describe(result)} but {refusal}{mutated}")
    problem = compare(result)
    if problem:
        _fail(c, mode, SILENTLY_WRONG, f"{label}: {problem}{mutated}")
    if mutation:
        _fail(c, mode, MUTATED, f"{label} changed the caller's argument: {mutation}")
    _record(c, mode, "correct", "")
    return Outcome("correct")


def _fail(c: Case, mode: str, kind: str, message: str):
    _record(c, mode, kind, message)
    raise SoundnessFailure(kind, message)


def _tolerance(c: Case) -> tuple[float, float]:
    return LOOSE if c.loose else TIGHT


def check_reverse(c: Case, grad: Callable = srcgrad.grad) -> Outcome:
    info(c)
    result, error, mutation = _run(c, "reverse", lambda args: grad(c.fn, argnums=c.argnums)(*args))
    rtol, atol = _tolerance(c)
    return _conclude(c, "reverse", result, error, mutation,
                     lambda got: mismatch(got, reference_gradient(c), rtol, atol, "gradient"))


def check_forward(c: Case, jvp: Callable = srcgrad.jvp) -> Outcome:
    i = info(c)
    ts = tangents(c)
    result, error, mutation = _run(c, "forward", lambda args: jvp(c.fn, tuple(args), tuple(copy.deepcopy(ts))))
    rtol, atol = _tolerance(c)

    def compare(got: Any) -> str | None:
        if not isinstance(got, tuple) or len(got) != 2:
            return f"jvp returned {describe(got)}, not (output, tangent)"
        out, tangent = got
        try:
            shapes = [values.shape for _, values, _ in output_leaves(out)]
            value = output_vector(out)
        except NoValue:
            return f"primal output: {describe(out)}, but the function returns {describe(i.output)}"
        if shapes != [values.shape for _, values, _ in output_leaves(i.output)]:
            return f"primal output: {describe(out)}, but the function returns {describe(i.output)}"
        bound = atol * max(1.0, float(np.max(np.abs(i.vector), initial=0.0))) + rtol * np.abs(i.vector)
        if not np.all(np.isfinite(value)) or np.any(np.abs(value - i.vector) > bound):
            return f"primal output: {_short(value)}, but the function returns {_short(i.vector)}"
        return mismatch(tangent, reference_directional(c, ts), rtol, atol, "tangent output")

    return _conclude(c, "forward", result, error, mutation, compare)


def check_hessian(c: Case, hessian: Callable = srcgrad.hessian) -> Outcome:
    info(c)
    argnum = _argnums(c)[0]
    result, error, mutation = _run(c, "hessian", lambda args: hessian(c.fn, argnum)(*args))
    rtol, atol = HESSIAN_TOL if not c.loose else LOOSE
    return _conclude(c, "hessian", result, error, mutation,
                     lambda got: mismatch(got, reference_hessian(c, argnum), rtol, atol, "hessian"))


CHECKS = {"reverse": check_reverse, "forward": check_forward, "hessian": check_hessian}


def check(c: Case, mode: str) -> Outcome:
    return CHECKS[mode](c)


def modes(c: Case) -> tuple[str, ...]:
    return MODES if c.smooth else MODES[:2]


# --------------------------------------------------------------------------------------------------------------
# summary


def summary(results: dict[str, dict[str, tuple[str, str]]] | None = None, refusals: bool = True,
            width: int | None = None) -> str:
    """Per-category counts of correct / refused / failed outcomes, the failures by kind, and (with
    ``refusals``) the first line of every refusal; ``width``: cut longer lines there."""
    results = RESULTS if results is None else results
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case_id, by_mode in results.items():
        category = case_id.split("/", 1)[0]
        table[category]["cases"] += 1
        for status, _ in by_mode.values():
            table[category][status if status in ("correct", "refused") else "failed"] += 1
    lines = ["soundness suite: outcomes per category (over reverse, forward and hessian checks)",
             f"  {'category':<14}{'cases':>6}{'correct':>9}{'refused':>9}{'failed':>8}"]
    total: dict[str, int] = defaultdict(int)
    for category in sorted(table):
        row = table[category]
        for key in ("cases", "correct", "refused", "failed"):
            total[key] += row[key]
        lines.append(f"  {category:<14}{row['cases']:>6}{row['correct']:>9}{row['refused']:>9}{row['failed']:>8}")
    lines.append(f"  {'total':<14}{total['cases']:>6}{total['correct']:>9}{total['refused']:>9}{total['failed']:>8}")
    lines.append(f"{total['correct']} correct, {total['refused']} refused, {total['failed']} failed")
    for kind in (*KINDS, "BROKEN CASE"):
        found = [(cid, mode, msg) for cid, by_mode in results.items() for mode, (status, msg) in by_mode.items()
                 if status == kind]
        if found:
            lines.append(f"{kind} ({len(found)}):")
            lines += [f"  {cid} [{mode}]: {_brief(cid, mode, msg)}" for cid, mode, msg in sorted(found)]
    if refusals:
        found = [(cid, mode, msg) for cid, by_mode in results.items() for mode, (status, msg) in by_mode.items()
                 if status == "refused"]
        lines.append(f"refusals ({len(found)}):")
        lines += [f"  {cid} [{mode}]: {_brief(cid, mode, msg)}" for cid, mode, msg in sorted(found)]
    if width:
        lines = [line if len(line) <= width else line[:width - 3] + "..." for line in lines]
    return "\n".join(lines)


def _brief(case_id: str, mode: str, message: str) -> str:
    """The first line of a message, without the ``mode of case:`` label and this directory's path."""
    line = first_line(message)
    label = f"{mode} of {case_id}: "
    if line.startswith(label):
        line = line[len(label):]
    return line.replace(str(Path(__file__).resolve().parent) + os.sep, "")


def run_all(cases: list[Case] | None = None) -> dict[str, dict[str, tuple[str, str]]]:
    """Every check of every case, failures recorded rather than raised."""
    for c in load_cases() if cases is None else cases:
        for mode in modes(c):
            try:
                check(c, mode)
            except SoundnessFailure:
                pass
            except BrokenCase as err:
                _record(c, mode, "BROKEN CASE", str(err))
    return RESULTS
