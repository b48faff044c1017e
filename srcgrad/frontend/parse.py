"""Read a function's source and the scope its names resolve in."""

from __future__ import annotations

import builtins
import contextlib
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast

from ..errors import SourceUnavailableError, SrcgradSyntaxError

_MISSING = object()


@dataclass
class Scope:
    """Where the names of a user function resolve: its closure cells, its module globals, the builtins.

    Resolution happens at transform time so that the transformer can look a called name up in the rule
    table; the generated code is later bound to the same objects."""

    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, fn: Callable) -> Scope:
        code = fn.__code__
        cells = fn.__closure__ or ()
        closure = {}
        for name, cell in zip(code.co_freevars, cells):
            with contextlib.suppress(ValueError):  # an empty cell: assigned later in the enclosing function
                closure[name] = cell.cell_contents
        return cls(fn.__globals__, closure)

    def lookup(self, name: str, default: Any = _MISSING) -> Any:
        for table in (self.closure, self.globals, vars(builtins)):
            if name in table:
                return table[name]
        if default is _MISSING:
            raise KeyError(name)
        return default

    def has(self, name: str) -> bool:
        absent = object()
        return self.lookup(name, absent) is not absent


@dataclass
class ParsedFunction:
    """A user function's syntax tree with line numbers that match its file, plus what errors need."""

    fn: Callable
    node: gast.FunctionDef
    filename: str
    lines: dict[int, str]
    scope: Scope

    def line(self, lineno: int | None) -> str | None:
        return self.lines.get(lineno) if lineno is not None else None

    def error(self, node: Any, message: str, hint: str | None = None,
              cls: type[SrcgradSyntaxError] = SrcgradSyntaxError) -> SrcgradSyntaxError:
        lineno = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        return cls(message, self.filename, lineno, col, self.line(lineno), hint)


def parse_function(fn: Callable) -> ParsedFunction:
    """Parse ``fn``'s source with gast, strip its decorators and shift line numbers to the file's."""
    target = fn  # a decorated function is transformed as its wrapper: the wrapper may change the result
    if not inspect.isfunction(target):
        kind = "a builtin or C function" if inspect.isbuiltin(target) else type(target).__name__
        raise SourceUnavailableError(
            f"srcgrad can only transform Python functions; {getattr(fn, '__name__', fn)!r} is {kind}. "
            "Register a rule for it with srcgrad.defvjp instead.")
    try:
        # The code object, not the function: inspect would follow __wrapped__ to the undecorated function.
        lines, start = inspect.getsourcelines(target.__code__)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"the source of {target.__qualname__} is not available ({exc}); srcgrad reads a function's "
            "source to transform it. Define it in a file (not an exec string or the bare REPL), "
            "or register a rule for it with srcgrad.defvjp.") from None
    filename = inspect.getsourcefile(target) or target.__code__.co_filename
    source = textwrap.dedent("".join(lines))
    if target.__name__ == "<lambda>":
        node = _lambda_as_def(source, target)
    else:
        node = gast.parse(source).body[0]
    if isinstance(node, gast.AsyncFunctionDef):
        raise SrcgradSyntaxError("async functions cannot be differentiated", filename, start,
                                 None, lines[0], "differentiate a plain def instead")
    if not isinstance(node, gast.FunctionDef):
        raise SourceUnavailableError(
            f"{target.__qualname__} was not defined by a def statement or a lambda that srcgrad can find in "
            "its source line")
    line_offset = start - 1
    col_offset = len(lines[0]) - len(lines[0].lstrip())
    for sub in gast.walk(node):
        if getattr(sub, "lineno", None) is not None:
            sub.lineno += line_offset
            sub.col_offset += col_offset
            if getattr(sub, "end_lineno", None) is not None:
                sub.end_lineno += line_offset
    node.decorator_list = []
    numbered = {start + i: text.rstrip("\n") for i, text in enumerate(lines)}
    return ParsedFunction(target, node, filename, numbered, Scope.of(target))


def _lambda_as_def(source: str, target: Callable) -> gast.FunctionDef | None:
    """The lambda ``target`` as ``def <lambda>(params): return body``, found in its source lines by its
    parameter names; ``None`` when the lines hold no such lambda or several that match."""
    try:
        tree = gast.parse(source)
    except SyntaxError:
        try:
            tree = gast.parse("(" + source.strip().rstrip(",") + ")")
        except SyntaxError:
            return None
    params = list(inspect.signature(target, follow_wrapped=False).parameters)
    found = [n for n in gast.walk(tree) if isinstance(n, gast.Lambda) and parameter_names(n.args) == params]
    if len(found) != 1:
        return None
    lam = found[0]
    body = [gast.copy_location(gast.Return(lam.body), lam.body)]
    node = gast.FunctionDef("<lambda>", lam.args, body, [], None, None)
    return gast.copy_location(node, lam)


def parameter_names(args: gast.arguments) -> list[str]:
    """Parameter names in the order of ``inspect.Signature.parameters``."""
    star = [args.vararg] if args.vararg is not None else []
    double_star = [args.kwarg] if args.kwarg is not None else []
    return [a.id for a in [*args.posonlyargs, *args.args, *star, *args.kwonlyargs, *double_star]]
