"""Run a snippet of PyTorch-style code with ``torch`` bound to a module and capture what it prints.

Shared by the differential tests: the same snippet runs once with real PyTorch and once with srcgrad, and
the two transcripts must be identical. Exceptions and warnings become lines of the transcript (type and
message), object addresses are normalized, and PyTorch's "(Triggered internally at <C++ file>)" warning
suffix is dropped: it names a file of PyTorch's build, not part of the message.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import warnings
from types import ModuleType

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\.\)")


def graph(fn, depth: int = 0) -> str:
    """A one-line picture of a grad_fn graph: ``MulBackward0(AccumulateGrad, None)``."""
    if fn is None:
        return "None"
    name = type(fn).__name__
    if not fn.next_functions or depth > 12:
        return name
    return f"{name}({', '.join(graph(f, depth + 1) for f, _ in fn.next_functions)})"


def transcript(module: ModuleType, code: str) -> str:
    """Everything ``code`` prints with ``torch`` bound to ``module``; a raised exception ends it with
    ``TypeName: message``."""
    out = io.StringIO()
    namespace = {"torch": module, "graph": graph, "__name__": "__snippet__"}

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{category.__name__}: {message}", file=out)

    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        try:
            exec(compile(textwrap.dedent(code), "<snippet>", "exec"), namespace)
        except Exception as error:
            print(f"{type(error).__name__}: {error}")
    return TRIGGERED.sub("", ADDRESS.sub("0x...", out.getvalue()))
