"""Check one program four ways: reverse mode (``srcgrad.grad``), forward mode (``srcgrad.jvp``), central finite
differences, and the ``Tensor`` shim running the same program written with tensors.

The NumPy rendering gets a source file of its own in ``linecache`` (a unique ``<...>`` name, no file on
disk), which is where ``inspect`` and so srcgrad read a function's source; the entry is removed afterwards."""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import srcgrad

_COUNTER = itertools.count()


class NotSmooth(Exception):
    """The program has a kink (a branch or ``np.where`` flips) within a finite-difference step of the point, or
    its values are too large for finite differences to mean anything; the example is discarded, not failed."""


def load(source: str, name: str = "f", tag: str = "program") -> tuple[Callable, str]:
    """Compile ``source`` as if it were a file, register it with ``linecache`` and return ``name`` from it."""
    filename = f"<srcgrad-{tag}-{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict = {"__name__": filename}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name], filename


def inputs(shapes: list[tuple], seed: int) -> list:
    """Inputs away from zero and from each other (values drawn from a seed, not shrunk by hypothesis, so that
    a shrunk program is not evaluated exactly on a kink); a scalar is a Python float."""
    rng = np.random.default_rng(seed)
    values = []
    for shape in shapes:
        v = rng.uniform(0.2, 1.3, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        values.append(float(v) if shape == () else v)
    return values


def _perturbed(args: list, i: int, flat: int, h: float) -> list:
    out = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    if isinstance(out[i], np.ndarray):
        out[i].reshape(-1)[flat] += h
    else:
        out[i] = out[i] + h
    return out


def finite_differences(f: Callable, args: list, h: float) -> list:
    grads = []
    for i, a in enumerate(args):
        g = np.zeros(np.shape(a))
        for flat in range(g.size):
            up, down = f(*_perturbed(args, i, flat, h)), f(*_perturbed(args, i, flat, -h))
            g.reshape(-1)[flat] = (up - down) / (2 * h)
        grads.append(g)
    return grads


@dataclass
class Tolerance:
    fd_rtol: float = 1e-5
    exact_rtol: float = 1e-9  # between reverse, forward and the shim: the same arithmetic, reordered


def _close(got, want, rtol: float, scale: float, what: str, source: str) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}\n{source}"
    assert np.all(np.isfinite(got)), f"{what}: not finite: {got}\n{source}"
    bound = rtol * (np.abs(want) + scale)
    assert np.all(np.abs(got - want) <= bound), f"{what}:\n got  {got}\n want {want}\n{source}"


def check_program(np_source: str, shim_source: str, shapes: list[tuple], seed: int,
                  tol: Tolerance = Tolerance()) -> None:
    """Raise ``AssertionError`` naming the disagreement, ``NotSmooth`` to discard the example."""
    f, filename = load(np_source, tag="numpy")
    try:
        _check(f, np_source, shim_source, shapes, seed, tol)
    finally:
        linecache.cache.pop(filename, None)


def _check(f, np_source, shim_source, shapes, seed, tol) -> None:
    args = inputs(shapes, seed)
    before = [np.copy(a) for a in args]
    value = f(*args)
    if not np.isfinite(value) or abs(value) > 1e4:
        raise NotSmooth("value out of range")
    scale = max(1.0, abs(float(value)))
    argnums = tuple(range(len(args)))

    # reverse mode
    got_value, grads = srcgrad.value_and_grad(f, argnums=argnums)(*args)
    _close(got_value, value, tol.exact_rtol, scale, "value_and_grad value", np_source)
    for a, g, b in zip(args, grads, before):
        np.testing.assert_array_equal(a, b)  # inputs untouched
        if isinstance(a, float):
            assert isinstance(g, float), f"gradient of a float is {type(g)}\n{np_source}"
        else:
            assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == a.shape, (g, np_source)

    # central finite differences, at two steps: disagreeing steps mean a kink, not a bug
    fd = finite_differences(f, args, 1e-6)
    if not all(np.allclose(a, b, rtol=tol.fd_rtol, atol=tol.fd_rtol * scale)
               for a, b in zip(fd, finite_differences(f, args, 1e-5))):
        raise NotSmooth("finite differences depend on the step")
    for i, (g, d) in enumerate(zip(grads, fd)):
        _close(g, d, tol.fd_rtol, scale, f"reverse mode vs finite differences, argument {i}", np_source)

    # forward mode along a random direction
    rng = np.random.default_rng(seed + 1)
    tangents = [float(rng.normal()) if isinstance(a, float) else rng.normal(size=np.shape(a)) for a in args]
    primal_out, tangent_out = srcgrad.jvp(f, tuple(args), tuple(tangents))
    _close(primal_out, value, tol.exact_rtol, scale, "jvp primal", np_source)
    directional = sum(float(np.sum(g * t)) for g, t in zip(grads, tangents))
    _close(tangent_out, directional, 1e-8, scale, "jvp tangent vs reverse mode", np_source)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)

    # the Tensor shim on the same program written with tensors
    shim_f, shim_file = load(shim_source, tag="shim")
    try:
        leaves = [srcgrad.tensor(a, dtype=srcgrad.float64, requires_grad=True) for a in args]
        out = shim_f(*leaves)
        _close(out.item(), value, tol.exact_rtol, scale, "shim value", shim_source)
        out.backward()
        for i, (leaf, g) in enumerate(zip(leaves, grads)):
            got = np.zeros(np.shape(g)) if leaf.grad is None else leaf.grad.numpy()
            assert leaf.grad is None or leaf.grad.dtype == srcgrad.float64
            _close(got, g, 1e-8, scale, f"shim gradient vs reverse mode, argument {i}", shim_source)
    finally:
        linecache.cache.pop(shim_file, None)
