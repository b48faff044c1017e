"""Syntactically valid functions built around one construct srcgrad's checker rejects, placed alone or nested
inside supported ones (``if``/``else``/``for``/``while`` bodies, a called function, a function called by that).

A construct is a few lines; the one srcgrad must point at ends with ``# <<``. The program around it is
compiled under a unique ``<...>`` file name registered with ``linecache`` (no file on disk), so a located
error can be checked against the exact file and line."""

from __future__ import annotations

import sys
from dataclasses import dataclass

MARK = "  # <<"


@dataclass(frozen=True)
class Construct:
    name: str
    lines: tuple[str, ...]
    closure: bool = False  # needs an enclosing function (nonlocal)


def _c(name: str, text: str, **kw) -> Construct:
    return Construct(name, tuple(text.strip("\n").split("\n")), **kw)


REJECTED = [
    _c("try/except", "try:  # <<\n    y = x * 2.0\nexcept ValueError:\n    y = x"),
    _c("try/finally", "try:  # <<\n    y = x * 2.0\nfinally:\n    pass"),
    _c("with (other than np.errstate)", "with np.printoptions(precision=3):  # <<\n    y = x * 2.0"),
    _c("global", "global COUNTER  # <<\ny = x + COUNTER"),
    _c("nonlocal", "nonlocal c  # <<\nc = 2.0", closure=True),
    # a generator is run to its end as a list (frontend/generators.py): what a list cannot mean is refused
    _c("yield expression (send)", "t = yield np.sum(x)  # <<"),
    _c("yield from expression", "t = yield from [np.sum(x)]  # <<"),
    _c("class definition", "class Local:  # <<\n    scale = 2.0"),
    _c("del", "y = x * 2.0\ndel y  # <<"),
    _c("walrus", "if (t := np.sum(x)) > 0.0:  # <<\n    y = x * t"),
    _c("double-star in a dict display", "d = {**{'a': x}}  # <<"),
    _c("set literal", "s = {1.0, 2.0}  # <<"),
    _c("set comprehension", "s = {float(i) for i in range(2)}  # <<"),
    _c("generator expression kept for later", "g = (v * 2.0 for v in x)  # <<\nt = sum(g)"),
    _c("star-argument with keywords", "parts = [x, x]\ny = np.add(*parts, casting='same_kind')  # <<"),
    _c("double-star argument in a call", "opts = dict(axis=0)\ny = np.sum(x, **opts)  # <<"),
    _c("nested starred assignment target", "(a, *rest), b = (x, x), x  # <<"),
    _c("starred list element", "parts = [*x]  # <<"),
    _c("import", "import math  # <<"),
    _c("from-import", "from math import sin  # <<"),
    _c("chained assignment", "a = b = x * 2.0  # <<"),
    _c("for-else", "for i in range(2):  # <<\n    y = x * i\nelse:\n    y = x"),
    _c("while-else", "k = 0\nwhile k < 2:  # <<\n    k += 1\nelse:\n    y = x"),
    _c("attribute assignment", "x.flags.writeable = True  # <<"),
    _c("annotation without value", "t: float  # <<"),
    _c("subscript loop target", "y = x * 1.0\nfor y[0] in range(2):  # <<\n    pass"),
    _c("lambda used as a value, reading a variable bound again", "w2 = x * 2.0\nfs = [lambda v: v * w2]  # <<\n"
       "w2 = x * 3.0\ny = fs[0](x)"),
    _c("nested def with a default reading a local", "w2 = x * 2.0\ndef scale(v, s=w2):  # <<\n    return v * s\n"
       "y = scale(x)"),
    _c("decorated nested def", "@staticmethod\ndef scale(v):  # <<\n    return v * 2.0\ny = x"),
    _c("match", "match 1:  # <<\n    case 1:\n        y = x"),
]
if sys.version_info >= (3, 11):
    REJECTED.append(_c("except*", "try:  # <<\n    y = x * 2.0\nexcept* ValueError:\n    y = x"))
if sys.version_info >= (3, 12):
    REJECTED.append(_c("type alias", "type Scale = float  # <<"))

# Supported statements each construct is nested in: (name, opening lines, indent of the body). The body is
# always reached, so the result would be wrong if the construct were silently dropped.
WRAPPERS = {
    "if": ["if np.sum(x * x) >= 0.0:"],
    "else": ["if np.sum(x * x) < 0.0:", "    y = x", "else:"],
    "for": ["for i in range(2):"],
    "while": ["k = 0", "while k < 2:", "    k += 1"],
}
CALLEE_DEPTHS = (0, 1, 2)  # the construct in f itself, in a function f calls, in a function that one calls


@dataclass
class Hostile:
    source: str
    line: int  # the line the error must name
    construct: str
    context: str


def build(construct: Construct, wrappers: list[str], callee_depth: int) -> Hostile:
    """The program: ``f`` calls ``g1``, which calls ``g2`` ...; the innermost function holds the construct,
    wrapped (outermost first) in ``wrappers``."""
    body: list[str] = []
    indent = ""
    for name in wrappers:
        lines = WRAPPERS[name]
        body += [indent + line for line in lines]
        indent += "    "
    body += [indent + line for line in construct.lines]
    body = ["y = x"] + body + ["return np.sum(y * y) + np.sum(x)"]
    innermost = f"g{callee_depth}" if callee_depth else "f"
    functions = []
    names = ["f"] + [f"g{d}" for d in range(1, callee_depth + 1)]
    for depth, name in enumerate(names):
        lines = body if name == innermost else [f"return {names[depth + 1]}(x * 1.5) + np.sum(x)"]
        functions.append([f"def {name}(x):"] + ["    " + line for line in lines])
    module = ["import numpy as np", "", "COUNTER = 1.0", ""]
    if construct.closure:
        module += ["def make():", "    c = 1.0"]
        for fn in reversed(functions):
            module += ["    " + line for line in fn] + [""]
        module += ["    return f", "", "f = make()"]
    else:
        for fn in reversed(functions):
            module += fn + [""]
    marked = [i + 1 for i, line in enumerate(module) if line.endswith(MARK.strip()) or MARK in line]
    assert len(marked) == 1, module
    context = " in ".join(wrappers[::-1] + ([f"callee at depth {callee_depth}"] if callee_depth else ["f"]))
    return Hostile("\n".join(module) + "\n", marked[0], construct.name, context)
