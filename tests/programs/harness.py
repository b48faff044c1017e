"""A corpus of realistic NumPy programs, differentiated by srcgrad and checked three ways.

Each ``prog_*.py`` module in this directory is one program written the way people write models for HIPS
autograd or JAX: plain NumPy (and SciPy) at module level, parameters in arrays, tuples, lists of ``(W, b)``
pairs or dicts, helper functions, loops, closures, ``functools.partial``, ``*args``, seeded noise drawn
inside the loss. None of them is written around what srcgrad supports today: a program srcgrad refuses is
still in the corpus, as an expected failure that names the construct and srcgrad's located error.

``test_program_corpus.py`` holds the table of programs (which function, example arguments, and the
expected refusal where there is one) and checks, for every program:

- that HIPS autograd's gradient of the *same source* agrees with central finite differences, which
  validates the program and its arguments independently of srcgrad;
- srcgrad's reverse mode (``value_and_grad``): the value against NumPy's, the gradient's structure, shapes
  and dtypes against the parameters', and its entries against finite differences and against autograd;
- srcgrad's forward mode (``jvp``) along a random direction against the reverse-mode gradient dotted
  with that direction.

The autograd variant of a program is its module's source executed again in a fresh namespace whose
``__import__`` hands out ``autograd.numpy`` for ``numpy`` and ``autograd.scipy`` for ``scipy`` (see
``load_autograd_variant``), so the two runs differentiate literally the same text.

A program srcgrad differentiates wrongly without raising anything is left as a plain failing test; the
table in the test module says which ones those are and what goes wrong.

To add a program: write ``prog_<name>.py`` with ``import numpy as np`` (and SciPy imports if needed), with
the differentiated function taking the parameters first and the data after them; keep the sizes small
(every parameter element costs two evaluations for the finite differences); then add a ``Case`` with a
function building example arguments. If srcgrad refuses the program, add a ``Blocker`` naming the construct,
the error class and a fragment of the first line of the message.

This module holds the shared machinery: loading both variants, walking parameter trees (arrays, Python
floats and tuples, lists and dicts of them), finite differences, random tangents and the comparisons.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

PROGRAM_DIR = Path(__file__).resolve().parent

# Finite differences: central, absolute step; the error allowed is relative to the gradient's overall size
# (the largest entry of any parameter), so entries near zero are judged on the same scale as the rest.
FD_STEP = 1e-6
FD_RTOL = 1e-5
FD_ATOL = 1e-6

# Two exact derivatives of the same program (srcgrad and autograd, reverse and forward mode) differ only by
# the order of floating-point operations.
EXACT_RTOL = 1e-9
EXACT_ATOL = 1e-11


# --- loading the two variants of a program -----------------------------------------------------------------

def load_numpy_variant(name: str) -> types.ModuleType:
    """The program module ``name`` (``prog_...``) imported from this directory, as srcgrad sees it."""
    if name in sys.modules and Path(getattr(sys.modules[name], "__file__", "")).parent == PROGRAM_DIR:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROGRAM_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_REDIRECTS = {"numpy": "autograd.numpy", "scipy": "autograd.scipy"}


def _autograd_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``__import__`` that maps numpy and scipy (and their submodules) to autograd's wrappers."""
    top, _, rest = name.partition(".")
    if level == 0 and top in _REDIRECTS:
        target = _REDIRECTS[top] + ("." + rest if rest else "")
        module = importlib.import_module(target)
        if fromlist:
            return module
        return importlib.import_module(_REDIRECTS[top])
    return builtins.__import__(name, globals, locals, fromlist, level)


_autograd_variants: dict[str, types.ModuleType] = {}


def load_autograd_variant(name: str) -> types.ModuleType:
    """The program's source executed again with ``numpy`` bound to ``autograd.numpy`` and ``scipy`` to
    ``autograd.scipy``: the module's ``import`` statements go through ``_autograd_import``."""
    if name not in _autograd_variants:
        path = PROGRAM_DIR / f"{name}.py"
        code = compile(path.read_text(), str(path), "exec")
        module = types.ModuleType(f"{name}__autograd")
        module.__file__ = str(path)
        module_builtins = {**vars(builtins), "__import__": _autograd_import}
        module.__dict__["__builtins__"] = module_builtins
        sys.modules[module.__name__] = module  # a dataclass looks its module up while the class is made
        exec(code, module.__dict__)
        # Only the module's own import statements are redirected: imports NumPy makes from C while the
        # program runs (they use the calling frame's builtins) must get the real modules.
        module_builtins["__import__"] = builtins.__import__
        _autograd_variants[name] = module
    return _autograd_variants[name]


# --- parameter trees -----------------------------------------------------------------------------------------

def leaves(tree: Any) -> list:
    """The leaves (arrays and floats) of a tree of tuples, lists and dicts, depth first, dicts in key order."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def rebuild(tree: Any, new_leaves: list) -> Any:
    """``tree`` with its leaves replaced, in the order ``leaves`` lists them."""
    iterator = iter(new_leaves)

    def build(node):
        if isinstance(node, dict):
            return {key: build(node[key]) for key in node}
        if isinstance(node, (list, tuple)):
            return type(node)(build(item) for item in node)
        return next(iterator)

    result = build(tree)
    assert next(iterator, None) is None, "more leaves than the tree holds"
    return result


def paths(tree: Any, prefix: str = "params") -> list[str]:
    """A readable name for every leaf, in ``leaves`` order (``params[0][1]``, ``params['W1']``)."""
    if isinstance(tree, dict):
        return [p for key in tree for p in paths(tree[key], f"{prefix}[{key!r}]")]
    if isinstance(tree, (list, tuple)):
        return [p for i, item in enumerate(tree) for p in paths(item, f"{prefix}[{i}]")]
    return [prefix]


def random_tangent(tree: Any, rng: np.random.Generator) -> Any:
    """A standard-normal direction with the tree's structure, leaf types, shapes and dtypes."""
    new = []
    for leaf in leaves(tree):
        if isinstance(leaf, np.ndarray):
            new.append(rng.standard_normal(leaf.shape).astype(leaf.dtype))
        else:
            new.append(float(rng.standard_normal()))
    return rebuild(tree, new)


def zero_tangent(value: Any) -> Any:
    """A zero of the value's structure and leaf types (the tangent of an argument held fixed)."""
    return rebuild(value, [np.zeros_like(leaf) if isinstance(leaf, np.ndarray) else 0.0
                           for leaf in leaves(value)])


def tree_vdot(a: Any, b: Any) -> float:
    """The inner product of two trees of the same structure."""
    return float(sum(np.sum(np.asarray(x) * np.asarray(y)) for x, y in zip(leaves(a), leaves(b))))


def tree_abs_vdot(a: Any, b: Any) -> float:
    """The inner product of the magnitudes: the size of the terms ``tree_vdot`` adds up."""
    return float(sum(np.sum(np.abs(np.asarray(x) * np.asarray(y))) for x, y in zip(leaves(a), leaves(b))))


# --- finite differences ----------------------------------------------------------------------------------------

def finite_difference_gradient(fn: Callable, params: Any, rest: tuple, step: float = FD_STEP) -> Any:
    """Central differences of ``fn(params, *rest)`` with respect to every element of every leaf."""
    flat = leaves(params)
    grads = []
    for index, leaf in enumerate(flat):
        if isinstance(leaf, np.ndarray):
            grad = np.zeros(leaf.shape, dtype=np.float64)
            for position in np.ndindex(*leaf.shape):
                values = []
                for sign in (1.0, -1.0):
                    bumped = leaf.copy()
                    bumped[position] += sign * step
                    values.append(float(fn(rebuild(params, [*flat[:index], bumped, *flat[index + 1:]]), *rest)))
                grad[position] = (values[0] - values[1]) / (2 * step)
            grads.append(grad)
        else:
            values = [float(fn(rebuild(params, [*flat[:index], leaf + sign * step, *flat[index + 1:]]), *rest))
                      for sign in (1.0, -1.0)]
            grads.append((values[0] - values[1]) / (2 * step))
    return rebuild(params, grads)


# --- comparisons -----------------------------------------------------------------------------------------------

def assert_same_structure(actual: Any, expected: Any, where: str = "params") -> None:
    """Same containers (type, dict keys, lengths) and, at the leaves, the same kind of value: an array of the
    same shape and dtype, or a Python float for a Python float."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a dict, got {type(actual).__name__}"
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same_structure(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected), \
            f"{where}: expected a {type(expected).__name__}, got {type(actual).__name__}"
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_structure(a, e, f"{where}[{i}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{where}: expected an ndarray, got {type(actual).__name__}"
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
    else:
        assert isinstance(actual, float) or (isinstance(actual, np.ndarray) and actual.shape == ()), \
            f"{where}: expected a float, got {type(actual).__name__}"


def assert_trees_close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    """Every leaf finite and ``|actual - expected| <= atol * scale + rtol * |expected|`` elementwise, where
    ``scale`` is the largest magnitude in ``expected`` (at least 1). NaN never agrees with anything."""
    actual_leaves, expected_leaves = leaves(actual), leaves(expected)
    assert len(actual_leaves) == len(expected_leaves), f"{what}: {len(actual_leaves)} != {len(expected_leaves)} leaves"
    scale = max([1.0] + [float(np.max(np.abs(e))) for e in expected_leaves if np.size(e)])
    for name, a, e in zip(paths(expected), actual_leaves, expected_leaves):
        a, e = np.asarray(a, dtype=np.float64), np.asarray(e, dtype=np.float64)
        assert np.all(np.isfinite(e)), f"{what}: reference {name} is not finite: {e}"
        assert np.all(np.isfinite(a)), f"{what}: {name} is not finite: {a}"
        bad = np.abs(a - e) > atol * scale + rtol * np.abs(e)
        if np.any(bad):
            worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(a - e)), a.shape)) if a.shape else ()
            raise AssertionError(
                f"{what}: {name} differs at {int(np.sum(bad))} of {a.size} entries; worst at {worst}: "
                f"{float(a[worst])!r} vs {float(e[worst])!r}\nactual:\n{a}\nexpected:\n{e}")


def assert_scalars_close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    a, e = float(actual), float(expected)
    assert np.isfinite(a) and np.isfinite(e), f"{what}: not finite: {a} vs {e}"
    assert abs(a - e) <= atol + rtol * abs(e), f"{what}: {a!r} vs {e!r}"


def is_float_leafed(value: Any) -> bool:
    """Whether every leaf of ``value`` is a floating-point array or a float (a valid primal for ``jvp``)."""
    return all((isinstance(leaf, np.ndarray) and np.issubdtype(leaf.dtype, np.floating))
               or isinstance(leaf, float) for leaf in leaves(value))
