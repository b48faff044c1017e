"""Check one program four ways: reverse mode (``srcgrad.grad``), forward mode (``srcgrad.jvp``), central finite
differences, and the ``Tensor`` shim running the same program written with tensors.

srcgrad's rule is that a gradient is right or a located ``SrcgradError``, never silently wrong: a refusal
passes when it names the program's file and a line of one of its functions (the forward-mode and shim checks
then compare with finite differences), any other exception fails, and so does a wrong or NaN value.

The NumPy rendering gets a source file of its own in ``linecache`` (a ``<...>`` name made from its text, no
file on disk), which is where ``inspect`` and so srcgrad read a function's source; the entry is removed
afterwards."""

from __future__ import annotations

import hashlib
import linecache
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import srcgrad


class NotSmooth(Exception):
    """The program has a kink (a branch or ``np.where`` flips) within a finite-difference step of the point, or
    its values are too large for finite differences to mean anything; the example is discarded, not failed."""


def load(source: str, name: str = "f", tag: str = "program") -> tuple[Callable, str]:
    """Compile ``source`` as if it were a file, register it with ``linecache`` and return ``name`` from it.

    The file is named after the text, so that a program hypothesis replays fails in the same file (an error
    from another file name would count as a different failure, and hypothesis would report a flaky test
    instead of shrinking the program)."""
    filename = f"<srcgrad-{tag}-{hashlib.sha1(source.encode()).hexdigest()[:16]}>"
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


@dataclass
class Outcome:
    """How srcgrad answered one program: ``reverse``/``forward`` are ``"correct"`` or ``"refused"`` (a located
    ``SrcgradError``, at ``refused_line`` for reverse mode); ``shim`` is ``"correct"`` (against reverse mode),
    ``"against finite differences"`` (reverse mode refused) or ``"skipped"`` (PyTorch refused an in-place update
    of a value saved for backward, as it must)."""

    reverse: str = "correct"
    forward: str = "correct"
    shim: str = "correct"
    refused_line: int | None = None
    refusal: str = ""


def check_program(np_source: str, shim_source: str, shapes: list[tuple], seed: int,
                  tol: Tolerance = Tolerance(), shim_in_place: bool = False) -> Outcome:
    """Raise ``AssertionError`` naming the disagreement, ``NotSmooth`` to discard the example. A
    ``SrcgradError`` passes only when it is located in the program (its file, a line of a function), and then
    the other checks compare with finite differences instead of the reverse-mode gradient. ``shim_in_place``:
    the shim rendering updates tensors in place, and PyTorch's refusal to backpropagate through a modified
    saved value skips the shim check instead of failing it."""
    f, filename = load(np_source, tag="numpy")
    try:
        return _check(f, filename, np_source, shim_source, shapes, seed, tol, shim_in_place)
    finally:
        linecache.cache.pop(filename, None)


def _fresh(args: list) -> list:
    """Copies for a plain call: the program may update its arrays in place, arguments included."""
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _located(error: srcgrad.SrcgradError, filename: str, source: str, what: str) -> int:
    """Assert that ``error`` points into the program: its file, and a line of one of its functions."""
    where = (getattr(error, "filename", None), getattr(error, "lineno", None))
    assert where[0] == filename, f"{what} refused without the program's file ({where}): " \
                                 f"{type(error).__name__}: {error}\n{source}"
    lines = source.splitlines()
    assert isinstance(where[1], int) and 0 < where[1] <= len(lines) \
        and lines[where[1] - 1].startswith(("def ", " ")), \
        f"{what} refused at line {where[1]}, not a line of a function: {type(error).__name__}: {error}\n{source}"
    return where[1]


_MODIFIED_SAVED = "one of the variables needed for gradient computation has been modified by an inplace operation"


def _run(what: str, source: str, call: Callable, allowed: type[BaseException] = srcgrad.SrcgradError):
    """``(call(), None)``, or ``(None, error)`` for an ``allowed`` error. Any other exception fails as an
    ``AssertionError`` raised here, with the original traceback in its message: hypothesis tells failures
    apart by where they were raised (and by what they were raised while handling), and every program has a
    file of its own, so a crash raised as it is would count as a new failure for every program it shrinks
    to, and each would be shrunk in turn."""
    try:
        return call(), None
    except allowed as error:
        return None, error
    except Exception as error:
        report = "".join(traceback.format_exception(error)[-8:])
    raise AssertionError(f"{what} raised\n{report}\n{source}")  # outside the handler: no __context__


def _check(f, filename, np_source, shim_source, shapes, seed, tol, shim_in_place) -> Outcome:
    outcome = Outcome()
    args = inputs(shapes, seed)
    before = [np.copy(a) for a in args]
    value, _ = _run("the NumPy program", np_source, lambda: f(*_fresh(args)), ())
    if not np.isfinite(value) or abs(value) > 1e4:
        raise NotSmooth("value out of range")
    scale = max(1.0, abs(float(value)))
    argnums = tuple(range(len(args)))

    # reverse mode: the inputs are handed over as they are, and must come back unchanged
    result, error = _run("reverse mode", np_source, lambda: srcgrad.value_and_grad(f, argnums=argnums)(*args))
    grads = None
    if error is not None:
        outcome.reverse = "refused"
        outcome.refused_line = _located(error, filename, np_source, "reverse mode")
        outcome.refusal = f"{type(error).__name__}: {error}"
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)  # inputs untouched
    if result is not None:
        got_value, grads = result
        _close(got_value, value, tol.exact_rtol, scale, "value_and_grad value", np_source)
        for a, g in zip(args, grads):
            if isinstance(a, float):
                assert isinstance(g, float), f"gradient of a float is {type(g)}\n{np_source}"
            else:
                assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == a.shape, (g, np_source)

    # central finite differences of the plain function (on fresh copies), at two steps: disagreeing steps
    # mean a kink, not a bug
    fd = finite_differences(f, args, 1e-6)
    if not all(np.allclose(a, b, rtol=tol.fd_rtol, atol=tol.fd_rtol * scale)
               for a, b in zip(fd, finite_differences(f, args, 1e-5))):
        raise NotSmooth("finite differences depend on the step")
    if grads is not None:
        for i, (g, d) in enumerate(zip(grads, fd)):
            _close(g, d, tol.fd_rtol, scale, f"reverse mode vs finite differences, argument {i}", np_source)
    reference, rtol, against = (grads, 1e-8, "reverse mode") if grads is not None \
        else (fd, tol.fd_rtol, "finite differences")

    # forward mode along a random direction
    rng = np.random.default_rng(seed + 1)
    tangents = [float(rng.normal()) if isinstance(a, float) else rng.normal(size=np.shape(a)) for a in args]
    result, error = _run("forward mode", np_source, lambda: srcgrad.jvp(f, tuple(args), tuple(tangents)))
    if error is not None:
        outcome.forward = "refused"
        _located(error, filename, np_source, "forward mode")
    else:
        primal_out, tangent_out = result
        _close(primal_out, value, tol.exact_rtol, scale, "jvp primal", np_source)
        directional = sum(float(np.sum(g * t)) for g, t in zip(reference, tangents))
        _close(tangent_out, directional, rtol, scale, f"jvp tangent vs {against}", np_source)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)

    # the Tensor shim on the same program written with tensors
    shim_f, shim_file = load(shim_source, tag="shim")
    try:
        leaves = [srcgrad.tensor(a, dtype=srcgrad.float64, requires_grad=True) for a in args]
        out, _ = _run("the shim program", shim_source, lambda: shim_f(*leaves), ())
        _close(out.item(), value, tol.exact_rtol, scale, "shim value", shim_source)
        if out.requires_grad:  # else no input reaches the output (np.zeros_like): every gradient is zero
            _, error = _run("the shim's backward", shim_source, out.backward, RuntimeError)
            if error is not None:
                assert shim_in_place and str(error).startswith(_MODIFIED_SAVED), \
                    f"the shim's backward raised RuntimeError: {error}\n{shim_source}"
                outcome.shim = "skipped"
                return outcome
        for i, (leaf, g) in enumerate(zip(leaves, reference)):
            got = np.zeros(np.shape(g)) if leaf.grad is None else leaf.grad.numpy()
            assert leaf.grad is None or leaf.grad.dtype == srcgrad.float64
            _close(got, g, rtol, scale, f"shim gradient vs {against}, argument {i}", shim_source)
        if grads is None:
            outcome.shim = "against finite differences"
    finally:
        linecache.cache.pop(shim_file, None)
    return outcome
