"""From a generated syntax tree to a live Python function whose source people can read.

The source is unparsed with ``gast.unparse`` (``ast.unparse`` underneath), comment markers become real
``#`` comments, and the text is registered in ``linecache`` under a descriptive filename, so that
``inspect.getsource``, tracebacks and pdb all show the generated lines."""

from __future__ import annotations

import ast
import hashlib
import linecache
import re
from collections.abc import Callable
from typing import Any

import gast

from .analysis.walk import locate_statements
from .transform.builders import COMMENT

_COMMENT_LINE = re.compile(r"^(\s*)('''|\"\"\"|'|\")" + COMMENT + r"(.*)\2$")


def to_source(fn: gast.FunctionDef) -> str:
    """Unparse a function, turning comment markers into comments."""
    text = gast.unparse(gast.Module([locate_statements(fn)], []))
    lines = []
    for line in text.splitlines():
        match = _COMMENT_LINE.match(line)
        if match:
            comment = match.group(3)
            if "\\" in comment:   # an escape in the literal: let Python read it (else it is the text itself)
                comment = ast.literal_eval(match.group(2) + comment + match.group(2))
            lines.append(match.group(1) + "#" + comment)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def compile_function(source: str, name: str, filename: str, namespace: dict[str, Any]) -> Callable:
    """Compile ``source`` (one ``def name``) into ``namespace`` and register it for ``inspect``.

    Code specialized to another argument signature of the same function may already be registered under
    ``filename``; then the name gets a digest of the source, so that each function's lines stay its own
    (``inspect.getsource`` of generated code is what a higher-order transformation parses)."""
    lines = source.splitlines(True)
    registered = linecache.cache.get(filename)
    if registered is not None and registered[2] != lines:
        digest = hashlib.sha1(source.encode()).hexdigest()[:10]
        filename = f"{filename[:-1]} {digest}>" if filename.endswith(">") else f"{filename} {digest}"
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(source, filename, "exec")
    exec(code, namespace)  # running generated code is the point
    return namespace[name]


_PRIMITIVE_TRAMPOLINES: dict[tuple[int, int], Callable] = {}


def primitive_trampoline(primitive: Callable, arity: int) -> Callable:
    """``def apply(a0, ..., a_{n-1}): return primitive(a0, ...)`` with source: a primitive with rules that
    reached forward-mode code as a value (``apply(np.exp, x)``), written as a Python function so that reverse
    mode over forward mode can transform the forward code of the call."""
    key = (id(primitive), arity)
    if key not in _PRIMITIVE_TRAMPOLINES:
        params = ", ".join(f"a{i}" for i in range(arity))
        name = getattr(primitive, "__name__", "primitive")
        source = f"def apply_{name}({params}):\n    return primitive({params})\n"
        _PRIMITIVE_TRAMPOLINES[key] = compile_function(source, f"apply_{name}",
                                                       f"<srcgrad call of {name} with {arity} arguments>",
                                                       {"primitive": primitive})
    return _PRIMITIVE_TRAMPOLINES[key]
