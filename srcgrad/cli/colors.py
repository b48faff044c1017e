"""ANSI colors for Python source, from the stdlib tokenizer (no dependency for a nicety).

Only tokens get colors; the text between tokens (spaces, line continuations) is copied unchanged, so
removing the escape sequences gives back the source exactly. Source the tokenizer rejects is returned
plain rather than half-colored.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize

RESET = "\x1b[0m"
KEYWORD = "\x1b[1;35m"  # bold magenta
CONSTANT = "\x1b[36m"  # cyan: True, False, None and builtins
DEFINITION = "\x1b[1;34m"  # bold blue: the name after def or class
NUMBER = "\x1b[33m"  # yellow
STRING = "\x1b[32m"  # green
COMMENT = "\x1b[2;37m"  # dim: srcgrad's "# line N: <your line>" markers read as annotations

_CONSTANTS = {"True", "False", "None"}
_BUILTINS = {name for name in dir(builtins) if not name.startswith("_")}
_STRING_TYPES = {tokenize.STRING} | {getattr(tokenize, name) for name in
                                     ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text: str) -> str:
    """``text`` without color escape sequences."""
    return _ANSI.sub("", text)


def highlight(source: str) -> str:
    """``source`` with ANSI color codes around keywords, names being defined, numbers, strings, comments."""
    starts = [0] + [match.end() for match in re.finditer("\n", source)]  # the tokenizer's lines end at \n

    def offset(position: tuple[int, int]) -> int:
        row, col = position
        return min(starts[row - 1] + col, len(source)) if row - 1 < len(starts) else len(source)

    pieces: list[str] = []
    done = 0
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            color = _color(token, previous)
            if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                previous = token.string
            if color is None:
                continue
            begin, end = offset(token.start), offset(token.end)
            if begin < done:  # never copy text twice, whatever positions a tokenizer reports
                continue
            pieces.append(source[done:begin])
            pieces.append(f"{color}{source[begin:end]}{RESET}")
            done = end
    except (tokenize.TokenError, SyntaxError):
        return source
    pieces.append(source[done:])
    return "".join(pieces)


def _color(token: tokenize.TokenInfo, previous: str) -> str | None:
    kind, text = token.type, token.string
    if kind == tokenize.COMMENT:
        return COMMENT
    if kind in _STRING_TYPES:
        return STRING
    if kind == tokenize.NUMBER:
        return NUMBER
    if kind != tokenize.NAME:
        return None
    if previous in ("def", "class"):
        return DEFINITION
    if text in _CONSTANTS:
        return CONSTANT
    if keyword.iskeyword(text):
        return KEYWORD
    if text in _BUILTINS and previous != ".":
        return CONSTANT
    return None
