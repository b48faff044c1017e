"""Point the run-time refusals of higher-order derivatives at the user's line.

Some second derivatives are refused only when the code runs (a ``custom_vjp`` function reached by forward
mode, ``det`` at a singular matrix, a matrix 2-norm): the rule that refuses knows what, not where. The
traceback knows where: generated code is registered in ``linecache`` under a name that ends with the file
and line of the function it was generated from, and each statement is headed by a ``# line N: <text>``
comment quoting the line it comes from. Reverse code over forward code quotes lines of the forward code,
whose own comments quote the user's, so the mapping is followed down to a file that is not generated."""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import LocatedError, RecursionDepthError, SrcgradError

_COMMENT = re.compile(r"^\s*# line (\d+)(?:, in [\w.]+)?: (.*)$")
# the name codegen.compile_function registers generated code under, the part before the last ")" captured
_GENERATED = re.compile(r"^(<srcgrad .*)\)(?: [0-9a-f]+)?>$", re.DOTALL)
_PACKAGE = str(Path(__file__).resolve().parent)
_LIBRARIES = tuple({_PACKAGE, *(str(Path(sysconfig.get_paths()[key]).resolve())
                                for key in ("stdlib", "platstdlib", "purelib", "platlib"))})


def user_location(filename: str, lineno: int) -> tuple[str, int, str] | None:
    """``(file, line, text)`` of the user's line that line ``lineno`` of the generated file ``filename``
    comes from, or None when ``filename`` is not generated code or the line has no comment above it."""
    if _GENERATED.match(filename) is None:
        return None
    lines = linecache.getlines(filename)
    quoted = None
    for index in range(min(lineno, len(lines)) - 1, -1, -1):
        match = _COMMENT.match(lines[index])
        if match is not None:
            quoted = (int(match.group(1)), match.group(2))
            break
        if lines[index].lstrip().startswith("def ") and index < lineno - 1:
            return None  # the first statements of a function, before any line comment
    if quoted is None:
        return None
    source = _source_of(filename)
    if source.startswith("<srcgrad "):
        return user_location(source, quoted[0])
    return source, quoted[0], quoted[1]


def _source_of(filename: str) -> str:
    """The file a generated file was generated from: ``<srcgrad f forward argnums=(0,) (SOURCE:LINE)>``,
    with a digest before the ``>`` when several variants of one function are registered."""
    prefix = _GENERATED.match(filename).group(1).rsplit(":", 1)[0]
    if " (<srcgrad " in prefix:
        return prefix[prefix.index(" (<srcgrad ") + 2:]
    return prefix[prefix.rindex(" (") + 2:]


def located(error: SrcgradError) -> SrcgradError:
    """``error`` pointed at the innermost user line (outside srcgrad's own files) its traceback passes
    through in generated code; ``error`` itself when it is located already or no such line is found."""
    if isinstance(error, LocatedError) and error.filename is not None:
        return _out_of_library(error)
    if type(error) is not SrcgradError and not isinstance(error, LocatedError):
        return error  # errors about the call itself (input types, output shapes), not about a line
    where = _innermost_user_line(error)
    if where is None:
        return error
    path, line, text = where
    if isinstance(error, LocatedError):
        return type(error)(error.message, path, line, None, text, error.hint)
    return LocatedError(str(error), path, line, None, text)


def _library_file(filename: str) -> bool:
    """Code the user did not write: srcgrad's own files, the standard library, installed packages."""
    path = str(Path(filename).resolve())
    return path.startswith(_LIBRARIES)


def _out_of_library(error: LocatedError) -> SrcgradError:
    """A located error pointed at generated code is pointed at the user's line that code comes from; one
    pointed into a library (``statistics.mean``'s source, say) at the user's line that called into it, the
    library's line kept in the message."""
    where = user_location(error.filename, error.lineno or 0)
    if where is not None and not _library_file(where[0]):
        return type(error)(error.message, where[0], where[1], None, where[2], error.hint)
    if where is None and not _library_file(error.filename):
        return error
    caller = _innermost_user_line(error)
    if caller is None:
        return error
    inside = where or (error.filename, error.lineno, error.source_line)
    message = f"in {Path(inside[0]).name}:{inside[1]}, which this line calls: {error.message}"
    hint = ("register a rule for the function this line calls (srcgrad.defvjp), or call a NumPy function "
            "srcgrad has rules for")
    return type(error)(message, caller[0], caller[1], None, caller[2], hint)


def _innermost_user_line(error: SrcgradError) -> tuple[str, int, str] | None:
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    for filename, lineno in reversed(frames):
        where = user_location(filename, lineno)
        if where is not None and not _library_file(where[0]):
            return where
    return None


# Python frames a call of a differentiated user function takes in generated code: the callee's generated
# code and the runtime's dispatch (runtime.py), which calls the next generated function itself.
FRAMES_PER_CALL = 2
_DISPATCH_FRAMES = ("call_with_vjp", "call_with_jvp")


def _recursion_too_deep(error: RecursionError) -> RecursionDepthError | None:
    """The located error for a recursion that generated code took past the limit, or None when the user's
    own code did (a RecursionError without srcgrad's dispatch frames)."""
    calls, innermost = 0, None
    traceback = error.__traceback__
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_name in _DISPATCH_FRAMES and code.co_filename.endswith("runtime.py"):
            calls += 1
        where = user_location(code.co_filename, traceback.tb_lineno)
        if where is not None and not _library_file(where[0]):
            innermost = where
        traceback = traceback.tb_next
    if calls < 2 or innermost is None:
        return None
    limit = sys.getrecursionlimit()
    return RecursionDepthError(
        f"the differentiated code recursed {calls} calls deep, past Python's recursion limit ({limit}): srcgrad's "
        f"generated code takes about {FRAMES_PER_CALL} Python frames for each call of a differentiated function",
        innermost[0], innermost[1], None, innermost[2],
        f"raise the limit before differentiating, to about {FRAMES_PER_CALL} frames per level of recursion "
        f"(sys.setrecursionlimit({FRAMES_PER_CALL} * depth + 200)), or write the recursion as a loop")


def locating(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its srcgrad errors pointed at the user's line (``located``)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except SrcgradError as error:
            better = located(error)
            if better is error:
                raise
            raise better.with_traceback(error.__traceback__) from None
        except RecursionError as error:
            too_deep = _recursion_too_deep(error)
            if too_deep is None:
                raise
            raise too_deep from None   # without the thousand frames of the recursion

    # functools.wraps, minus its generic attribute copying: vjp makes one of these per call
    wrapper.__name__, wrapper.__qualname__ = function.__name__, function.__qualname__
    wrapper.__doc__, wrapper.__module__, wrapper.__wrapped__ = function.__doc__, function.__module__, function
    wrapper.__dict__.update(function.__dict__)
    return wrapper
