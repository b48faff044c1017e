"""One exception hierarchy, so users can catch everything srcgrad raises with ``except SrcgradError``."""

from __future__ import annotations


class SrcgradError(Exception):
    """Base class of every error srcgrad raises about the user's code."""


class LocatedError(SrcgradError):
    """An error that points at the user's file, line and column the way Python's own ``SyntaxError`` does,
    so editors and people can jump straight to the culprit, and that says what to do instead."""

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None,
                 col: int | None = None, source_line: str | None = None, hint: str | None = None):
        self.message, self.filename, self.lineno, self.col = message, filename, lineno, col
        self.source_line, self.hint = source_line, hint
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.filename or '<unknown>'}:{self.lineno if self.lineno is not None else '?'}"
        if self.col is not None:
            where += f":{self.col + 1}"
        text = f"{where}: {self.message}"
        if self.source_line:
            text += f"\n    {self.source_line.strip()}"
            if self.col is not None:
                indent = len(self.source_line) - len(self.source_line.lstrip())
                text += "\n    " + " " * max(self.col - indent, 0) + "^"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class SrcgradSyntaxError(LocatedError):
    """A construct srcgrad does not differentiate, located in the user's source."""


class MissingRuleError(LocatedError):
    """A call to a function that has no derivative rule and no Python source to transform."""


class RecursionDepthError(LocatedError, RecursionError):
    """Differentiated code recursed past Python's recursion limit: generated code takes more Python frames
    per call of the user's function than the function itself does. Still a ``RecursionError``."""


class SourceUnavailableError(SrcgradError):
    """The function's source cannot be read (defined in a REPL string, a builtin, a C extension)."""


class StaleSourceError(SourceUnavailableError):
    """The function's source file changed after the function was defined: the text on disk is no longer the
    code that runs, so a gradient of the text would be the gradient of another function. Re-import the
    module (``importlib.reload``) or restart."""


class NonScalarOutputError(SrcgradError, TypeError):
    """``grad`` was asked for the gradient of a function whose output is not a scalar."""


class InputTypeError(SrcgradError, TypeError):
    """An input to differentiate has a type srcgrad does not differentiate correctly (integers, booleans,
    strings, complex numbers, masked arrays, ``np.matrix``, object arrays)."""


class OutputTypeError(SrcgradError, TypeError):
    """The differentiated function returned something that is not a real number (a bool, a string, None, a
    complex or an integer array) where ``grad``, ``hessian`` or ``derivative`` need one, or a non-numeric or
    complex output to ``vjp``/``jvp``."""


class UnsupportedTransformError(SrcgradError, NotImplementedError):
    """A combination of transformations srcgrad does not compute (the gradient of a gradient of an array
    function, the Jacobian of several arguments); the message says which transformation does."""
