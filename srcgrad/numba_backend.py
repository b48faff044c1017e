"""Generated gradients compiled with Numba (``grad(f, compile="numba")``).

The code ``grad`` generates for one argument signature is lowered into Numba's subset
(``numba_lowering``), the rule helpers it calls are given Numba implementations (``@overload``s of the
same names, chosen by the argument types at compile time), and the result is compiled with ``numba.njit``
on the first call of that signature. Before the compiled function is used, its result on that first call
is compared with the uncompiled code's: a compiled gradient that is not the same gradient is never used.

When Numba is missing, or cannot compile the code (a construct outside its subset, a helper with no Numba
version, a container argument), or the two results differ, ``compile="numba"`` warns once for that
signature with the reason and the user's line, and runs the uncompiled code; ``compile="numba!"`` raises
``CompileError`` instead.

Numba takes the user's globals (and closure values) the code reads as constants when it compiles. So a
signature's compiled code remembers which objects they were, and is compiled again when one was rebound;
code that reads a global array, list or dict (which could change in place, unseen) is not compiled."""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import gast
import numpy as np

from .codegen import compile_function, to_source
from .errors import SrcgradError
from .numba_lowering import lower_for_numba
from .numba_split import TYPED_LIST, split_closure
from .transform.builders import COMMENT

COMPILERS = (None, "numba", "numba!")


class CompileError(SrcgradError):
    """``compile="numba!"``: the generated gradient could not be compiled, or compiled to other values."""


class CompileWarning(UserWarning):
    """``compile="numba"`` runs the uncompiled gradient: Numba is missing or could not compile it."""


def checked_compiler(compile: str | None) -> str | None:
    if compile not in COMPILERS:
        raise ValueError(f"compile must be one of {', '.join(map(repr, COMPILERS))}, not {compile!r}")
    return compile


def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def numba_overloads() -> ModuleType:
    """``numba_overloads``, which imports Numba (slow to import, and optional) and registers the helpers'
    Numba versions: imported on the first compilation, not with srcgrad."""
    from . import numba_overloads  # noqa: PLC0415  (Numba is optional and slow to import: only when used)

    return numba_overloads


def _parsed(source: str) -> gast.FunctionDef:
    """Generated ``source`` parsed with its comments kept as markers (they name the user's lines)."""
    marked = "\n".join(re.sub(r"^(\s*)#(.*)$", lambda m: m.group(1) + repr(COMMENT + m.group(2)), line)
                       for line in source.splitlines())
    return gast.parse(marked).body[0]


def lowered_source(source: str, numpy_name: str = "np", vectorised: bool = True) -> str:
    """The source Numba compiles for generated ``source``, its comments kept."""
    return to_source(lower_for_numba(_parsed(source), numpy_name, vectorised))


def lowered_vjp_sources(source: str, numpy_name: str = "np") -> tuple[str, str] | None:
    """The forward and backward functions Numba compiles for a ``vjp``'s generated ``source``
    (``numba_split``), or None when it has no closure to take apart."""
    split = split_closure(_parsed(source))
    if split is None:
        return None
    forward, backward = split
    return (to_source(lower_for_numba(forward, numpy_name, True, split_stack=False)),
            to_source(lower_for_numba(backward, numpy_name, True, split_stack=False)))


def numpy_name_in(namespace: dict[str, Any]) -> str:
    """The name generated code has NumPy under (``np`` unless the user's module binds that otherwise)."""
    return next((key for key, value in namespace.items() if value is np), "numpy")


def compile_generated(source: str, name: str, namespace: dict[str, Any], filename: str) -> Callable:
    """``njit`` of ``source`` (already lowered), with the helpers it names replaced by their Numba versions.
    Numba compiles on the first call, so errors outside its subset show then."""
    numba = numba_overloads()
    scope = {key: numba.VERSIONS.get(id(value), value) for key, value in namespace.items()}
    scope.update(numba.UFUNC_STUBS)
    scope[TYPED_LIST] = numba.TypedList
    function = compile_function(source, name, f"{filename[:-1]} numba>", scope)
    return numba.njit(function)


class Compiled:
    """A signature's gradient function: compiled when that worked and agreed, else the uncompiled one."""

    def __init__(self, plain: Callable | None, source: str, name: str, namespace: dict[str, Any], filename: str,
                 strict: bool, where: str, lowered: str | None = None, user_names: Sequence[str] = ()):
        self.plain, self.strict, self.where = plain, strict, where
        self.function: Callable | None = None
        self.reason: str | None = None
        # the user's globals and closure values the code reads: Numba keeps the values they have now
        self.frozen = {user_name: namespace.get(user_name) for user_name in user_names}
        if not numba_available():
            self._give_up("Numba is not installed (pip install 'srcgrad[numba]')")
            return
        mutable = next((n for n, v in self.frozen.items() if isinstance(v, (np.ndarray, list, dict, set))), None)
        if mutable is not None:
            self._give_up(f"the code reads the global {mutable!r} ({type(self.frozen[mutable]).__name__}), which "
                          "Numba would copy once and not see change: pass it as an argument")
            return
        numpy_name = numpy_name_in(namespace)
        namespace = {**namespace, numpy_name: np}
        self.source = lowered if lowered is not None else lowered_source(source, numpy_name)
        try:
            self.candidate = compile_generated(self.source, name, namespace, filename)
        except Exception as error:   # a rewrite Numba's front end rejects
            self._give_up(_first_line(error))

    def first_call(self, args: tuple, expected: Any, keep: list | None = None) -> None:
        """Compile by calling, and keep the compiled function only if it gives ``expected``; a function
        returning ``(value, state)`` is compared on its value, and the state appended to ``keep``."""
        if self.reason is not None:
            return
        try:
            got = numba_overloads().call_quietly(self.candidate, args)
            if keep is not None:
                got, state = got
                keep.append(state)
        except Exception as error:   # numba's TypingError, UnsupportedError, LoweringError...
            self._give_up(_numba_reason(error, self.source))
            return
        mismatch = _mismatch(got, expected)
        if mismatch:
            self._give_up(f"the compiled gradient differs from the uncompiled one ({mismatch})")
            return
        self.function = self.candidate

    @classmethod
    def of(cls, generated: Any, strict: bool, where: str) -> Compiled:
        """For a ``pipeline.Generated``."""
        code = generated.function.__code__
        return cls(generated.function, generated.source, generated.function.__name__, generated.namespace,
                   code.co_filename, strict, where, user_names=generated.user_names)

    def current(self, namespace: dict[str, Any]) -> bool:
        """Whether the user's globals the code reads are still the objects it was compiled with (a global
        rebound since needs the code compiled again)."""
        return all(namespace.get(name) is value for name, value in self.frozen.items())

    def __call__(self, *args: Any) -> Any:
        return (self.function or self.plain)(*args)

    def _give_up(self, reason: str) -> None:
        self.reason = reason
        message = f"compile='numba': {self.where}: {reason}"
        if self.strict:
            raise CompileError(message)
        warnings.warn(f"{message}; running the uncompiled gradient", CompileWarning, stacklevel=5)


class CompiledVjp:
    """A ``vjp``'s forward sweep and backward function compiled as two functions (``numba_split``). Each
    is used once its first result equals the uncompiled closure's; until the backward function has been
    checked so, ``vjp`` also runs the uncompiled code, and gives its results."""

    def __init__(self, generated: Any, strict: bool, where: str):
        self.forward_ok = self.backward_ok = None
        source, namespace = generated.source, generated.namespace
        filename, user_names = generated.function.__code__.co_filename, generated.user_names
        numpy_name = numpy_name_in(namespace) if numba_available() else "np"
        sources = lowered_vjp_sources(source, numpy_name)
        if sources is None:
            sources = ("", "")
        names = [re.search(r"def (\w+)\(", text).group(1) if text else "f" for text in sources]
        self.forward = Compiled(None, source, names[0], namespace, filename, strict, where, sources[0], user_names)
        self.backward = Compiled(None, source, names[1], namespace, filename, strict, where, sources[1], user_names)
        if not sources[0] and self.forward.reason is None:
            self.forward._give_up("the vjp's code has no backward function to compile")

    def current(self, namespace: dict[str, Any]) -> bool:
        return self.forward.current(namespace)

    def first_forward(self, primals: tuple, expected_out: Any) -> tuple | None:
        """Compile and check the forward sweep; its state for the backward function, or None."""
        state = []
        self.forward.first_call(primals, expected_out, keep=state)
        self.forward_ok = self.forward.function is not None
        return state[0] if self.forward_ok else None

    def check_backward(self, cotangent: Any, state: tuple, plain_backward: Callable) -> Any:
        """The uncompiled backward function's result, the compiled one checked against it."""
        expected = plain_backward(cotangent)
        self.backward.first_call((cotangent, *state), expected)
        self.backward_ok = self.backward.function is not None
        return expected


def where_of(fn: Callable, name: str | None = None) -> str:
    """``loss (model.py:12)``, for what ``compile="numba"`` says about a function."""
    name = name or getattr(fn, "__name__", "f")
    code = getattr(fn, "__code__", None)
    return f"{name} ({code.co_filename}:{code.co_firstlineno})" if code is not None else name


def run_compiled(generated: Any, compile: str, where: str, call: tuple) -> Any:
    """Call the Numba-compiled version of a cached generated function (``numba_backend``): made, compared
    with the uncompiled code on this first call and kept with the function, or its uncompiled code."""
    compiled = generated.compiled.get(compile)
    if compiled is not None and compiled.current(generated.namespace):
        return compiled(*call)
    compiled = Compiled.of(generated, compile == "numba!", where)
    expected = generated.function(*call)
    compiled.first_call(call, expected)
    generated.compiled[compile] = compiled
    return expected


def compiled_vjp(generated: Any, compile: str, where: str, primals: tuple) -> tuple[Any, Callable]:
    """``(out, backward)`` from the Numba-compiled forward sweep and backward function (``CompiledVjp``),
    or from the uncompiled code until the compiled functions have been checked against it (and for good
    where they could not be compiled or differ)."""
    pair = generated.compiled.get(compile)
    if pair is None or not pair.current(generated.namespace):
        pair = CompiledVjp(generated, compile == "numba!", where)
        generated.compiled[compile] = pair
        out, plain_backward = generated.function(*primals)
        state = pair.first_forward(primals, out)
        if state is None:
            return out, plain_backward
        return out, lambda cotangent: pair.check_backward(cotangent, state, plain_backward)
    if not pair.forward_ok or pair.backward_ok is False:
        return generated.function(*primals)
    out, state = pair.forward.function(*primals)
    if pair.backward_ok is None:   # the first backward call of an earlier vjp is still to come: check here
        plain_out, plain_backward = generated.function(*primals)
        return plain_out, lambda cotangent: pair.check_backward(cotangent, state, plain_backward)
    backward = pair.backward.function
    return out, lambda cotangent: backward(cotangent, *state)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def _numba_reason(error: BaseException, source: str) -> str:
    """Numba's message, cut to its first line, and the user's line the failing generated line comes from
    (the ``# line N: ...`` comment above it in ``source``, the code Numba compiled)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    what = next((line for line in lines if not line.startswith(("Failed in", "During:", "File "))),
                lines[0] if lines else type(error).__name__)
    found = re.findall(r'File "<srcgrad [^"]*numba[^"]*>", line (\d+)', text)
    if found:
        generated = source.splitlines()
        for line in reversed(generated[:int(found[-1])]):
            user = re.match(r"\s*#\s*(line \d+(?:, in \w+)?): (.*)", line)
            if user:
                what += f" (at {user.group(1)}: {user.group(2).strip()})"
                break
    return what


def _mismatch(got: Any, expected: Any) -> str | None:
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return "a different structure"
        for a, b in zip(got, expected):
            found = _mismatch(a, b)
            if found:
                return found
        return None
    a, b = np.asarray(got), np.asarray(expected)
    if a.shape != b.shape:
        return f"shape {a.shape} instead of {b.shape}"
    if a.dtype != b.dtype and not (a.dtype.kind == b.dtype.kind == "f"):
        return f"dtype {a.dtype} instead of {b.dtype}"
    if a.dtype.kind in "fc" and not np.allclose(a, b, rtol=1e-9, atol=1e-12 * max(1.0, float(np.max(np.abs(b)))
                                                                                  if b.size else 1.0),
                                                 equal_nan=True):
        return f"largest difference {float(np.max(np.abs(a - b)))}"
    return None
