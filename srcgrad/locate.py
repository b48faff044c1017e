"""Point the run-time refusals of higher-order derivatives at the user's line.

Some second derivatives are refused only when the code runs (a ``custom_vjp`` function reached by forward
mode, ``det`` at a singular matrix, a matrix 2-norm): the rule that refuses knows what, not where. The
traceback knows where: generated code is registered in ``linecache`` under a name that ends with the file
and line of the function it was generated from, and each statement is headed by a ``# line N: <text>``
comment quoting the line it comes from. Reverse code over forward code quotes lines of the forward code,
whose own comments quote the user's, so the mapping is followed down to a file that is not generated."""

from __future__ import annotations

import functools
import linecache
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import LocatedError, SrcgradError

_COMMENT = re.compile(r"^\s*# line (\d+): (.*)$")
_PACKAGE = str(Path(__file__).resolve().parent)


def user_location(filename: str, lineno: int) -> tuple[str, int, str] | None:
    """``(file, line, text)`` of the user's line that line ``lineno`` of the generated file ``filename``
    comes from, or None when ``filename`` is not generated code or the line has no comment above it."""
    if not filename.startswith("<srcgrad ") or not filename.endswith(")>"):
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
    """The file a generated file was generated from: ``<srcgrad f forward argnums=(0,) (SOURCE:LINE)>``."""
    prefix = filename[: -len(")>")].rsplit(":", 1)[0]
    if " (<srcgrad " in prefix:
        return prefix[prefix.index(" (<srcgrad ") + 2:]
    return prefix[prefix.rindex(" (") + 2:]


def located(error: SrcgradError) -> SrcgradError:
    """``error`` pointed at the innermost user line (outside srcgrad's own files) its traceback passes
    through in generated code; ``error`` itself when it is located already or no such line is found."""
    if isinstance(error, LocatedError) and error.filename is not None:
        return error
    if type(error) is not SrcgradError and not isinstance(error, LocatedError):
        return error  # errors about the call itself (input types, output shapes), not about a line
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    for filename, lineno in reversed(frames):
        where = user_location(filename, lineno)
        if where is None or str(Path(where[0]).resolve()).startswith(_PACKAGE):
            continue
        path, line, text = where
        if isinstance(error, LocatedError):
            return type(error)(error.message, path, line, None, text, error.hint)
        return LocatedError(str(error), path, line, None, text)
    return error


def locating(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its srcgrad errors pointed at the user's line (``located``)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except SrcgradError as error:
            better = located(error)
            if better is error:
                raise
            raise better.with_traceback(error.__traceback__) from None

    return wrapper
