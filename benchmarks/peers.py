"""The candidates timed against the hand-written gradient: srcgrad and each peer that is installed.

Every candidate is a zero-argument callable taking NumPy arrays in and giving NumPy arrays (or floats)
out, so that each one's result can be checked against the hand-written gradient the same way. A peer that
is not installed, or cannot run a workload at all, is left out with a note saying why.

HIPS autograd and JAX run the same source as srcgrad: the function's code is executed again with ``np``
bound to ``autograd.numpy`` or ``jax.numpy``. tangent-ad transforms the NumPy source itself."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import io
import textwrap
import warnings
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any

import numpy as np
import workloads

import srcgrad

Candidate = Callable[[], Any]
PEERS = ("autograd", "torch", "tangent", "jax", "jax.jit")


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


autograd = _import("autograd")
anp = _import("autograd.numpy") if autograd is not None else None
torch = _import("torch")
tangent = _import("tangent")
jax = _import("jax")
jnp = _import("jax.numpy") if jax is not None else None
if jax is not None:
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed() -> dict[str, str | None]:
    """Each peer's version, or None when it is not importable."""
    return {"autograd": version("autograd") if autograd is not None else None,
            "torch": torch.__version__ if torch is not None else None,
            "tangent": version("tangent-ad") if tangent is not None else None,
            "jax": jax.__version__ if jax is not None else None,
            "jax.jit": jax.__version__ if jax is not None else None}


def same_source(fn: Callable, module: Any, helpers: tuple[Any, ...] = ()) -> Callable:
    """``fn`` re-created from its own source with ``np`` bound to ``module``, beside the module-level
    functions and classes it calls (``helpers``), re-created the same way."""
    namespace: dict[str, Any] = {"np": module}
    for obj in (*helpers, fn):
        exec(compile(textwrap.dedent(inspect.getsource(obj)), f"<{obj.__name__} on {module.__name__}>", "exec"),
             namespace)
    return namespace[fn.__name__]


def _numpy(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return tuple(_numpy(v) for v in value)
    if hasattr(value, "detach"):
        value = value.detach()
    return np.asarray(value) if np.ndim(value) else float(value)


# ---------------------------------------------------------------------------------------------------------
# One builder per candidate: (spec, args) -> callable, or a string saying why there is none.
# ---------------------------------------------------------------------------------------------------------


def srcgrad_candidate(spec: workloads.Spec, args: tuple) -> Candidate | str:
    if spec.mode == "vjp":
        x, cotangent = args

        def run_vjp():
            out, vjp_fn = srcgrad.vjp(spec.fn, x)
            return out, vjp_fn(cotangent)[0]
        return run_vjp
    fn = srcgrad.grad(spec.fn, argnums=spec.argnums)
    return lambda: fn(*args)


def autograd_candidate(spec: workloads.Spec, args: tuple) -> Candidate | str:
    fn = same_source(spec.fn, anp, spec.helpers)
    if spec.mode == "vjp":
        x, cotangent = args
        make_vjp = autograd.make_vjp(fn)

        def run_vjp():
            vjp_fn, out = make_vjp(x)
            return out, vjp_fn(cotangent)
        return run_vjp
    grad_fn = autograd.grad(fn, argnum=spec.argnums)
    return lambda: grad_fn(*args)


def torch_candidate(spec: workloads.Spec, args: tuple) -> Candidate | str:
    fn = workloads.torch_versions(torch).get(spec.key)
    if fn is None:
        return "no PyTorch version of this workload"

    def tensor(a: Any, leaf: bool) -> Any:
        t = torch.from_numpy(a) if isinstance(a, np.ndarray) else torch.tensor(a, dtype=torch.float64)
        return t.requires_grad_() if leaf else t

    if spec.mode == "vjp":
        x, cotangent = args
        ct = torch.from_numpy(cotangent)

        def run_vjp():
            xt = tensor(x, True)
            out = fn(xt)
            (g,) = torch.autograd.grad(out, [xt], grad_outputs=ct)
            return out.detach().numpy(), g.numpy()
        return run_vjp

    def run():
        inputs = [tensor(a, i in spec.argnums) for i, a in enumerate(args)]
        grads = torch.autograd.grad(fn(*inputs), [inputs[i] for i in spec.argnums])
        return tuple(g.numpy() if g.ndim else g.item() for g in grads)
    return run


def tangent_candidate(spec: workloads.Spec, args: tuple) -> Candidate | str:
    # tangent prints warnings about integer temporaries (the loop counter), while building and on the first
    # calls; they are not errors, and the table is easier to read without them.
    for counter in ("init_zero_int_warnings_left", "upcasting_int_warnings_left"):
        if hasattr(tangent.utils, counter):
            setattr(tangent.utils, counter, 0)
    with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        if spec.mode == "vjp":
            x, cotangent = args
            grad_fn = tangent.grad(spec.fn, wrt=(0,), preserve_result=True, verbose=0)

            def run_vjp():
                g, out = grad_fn(x, cotangent)
                return out, g
            return run_vjp
        grad_fn = tangent.grad(spec.fn, wrt=spec.argnums, verbose=0)
    if len(spec.argnums) == 1:
        return lambda: (grad_fn(*args),)
    return lambda: grad_fn(*args)


def _jax_candidate(spec: workloads.Spec, args: tuple, jit: bool) -> Candidate | str:
    fn = same_source(spec.fn, jnp, spec.helpers)
    if spec.mode == "vjp":
        if jit:
            return ("a `while` on a traced value cannot be traced by `jit`, and JAX has no reverse mode "
                    "through `lax.while_loop`")
        x, cotangent = args
        ct = jnp.asarray(cotangent)

        def run_vjp():
            out, vjp_fn = jax.vjp(fn, x)
            (g,) = vjp_fn(ct)
            return np.asarray(out), np.asarray(g)
        return run_vjp
    grad_fn = jax.grad(fn, argnums=spec.argnums)
    if jit:
        grad_fn = jax.jit(grad_fn)
        inputs = tuple(jnp.asarray(a) for a in args)   # device arrays, so no copy is timed

        def run_jit():
            grads = grad_fn(*inputs)
            jax.block_until_ready(grads)
            return tuple(np.asarray(g) for g in grads)
        return run_jit

    def run():
        return tuple(np.asarray(g) for g in grad_fn(*args))
    return run


BUILDERS: dict[str, Callable[[workloads.Spec, tuple], Candidate | str]] = {
    "srcgrad": srcgrad_candidate,
    "autograd": autograd_candidate,
    "torch": torch_candidate,
    "tangent": tangent_candidate,
    "jax": lambda spec, args: _jax_candidate(spec, args, jit=False),
    "jax.jit": lambda spec, args: _jax_candidate(spec, args, jit=True),
}


def candidates(spec: workloads.Spec, args: tuple, skip: set[str]) -> tuple[dict[str, Candidate], dict[str, str]]:
    """The hand-written gradient first, then srcgrad, then every installed peer not in ``skip``; and a note
    for each peer left out."""
    found: dict[str, Candidate] = {"hand": lambda: spec.hand(*args)}
    notes: dict[str, str] = {}
    versions = installed()
    for name, build in BUILDERS.items():
        if name != "srcgrad" and versions[name] is None:
            notes[name] = "not installed"
            continue
        if name in skip:
            notes[name] = "left out (--skip)"
            continue
        if name in spec.cannot:
            notes[name] = spec.cannot[name]
            continue
        try:
            made = build(spec, args)
        except Exception as error:    # a peer that cannot take this code at all: noted, not fatal
            if name == "srcgrad":
                raise
            made = f"cannot transform it ({failure(error)})"
        if isinstance(made, str):
            notes[name] = made
        else:
            found[name] = made
    return found, notes


def failure(error: BaseException) -> str:
    """An exception as one short line for a note: its type and first two lines that are not rules."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip().strip("=-*")]
    return f"{type(error).__name__}: {' '.join(lines[:2])[:120]}" if lines else type(error).__name__


def normalise(result: Any) -> Any:
    """A candidate's result as NumPy values, for the comparison with the hand-written gradient."""
    return _numpy(result)
