"""The terminal highlighter: colors are added around tokens only, so stripping them gives the source back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad.cli import colors as hl

SRCGRAD = Path(srcgrad.__file__).resolve().parent

TRICKY = [
    'x = f"a{b!r:>{w}}c"  # é\r\ny = 1\n',
    "s = '''multi\nline''' + r'\\d' + b'\\x00'\n",
    "x = 1 + \\\n    2\n",
    "\tif x:\n\t\tpass\n",
    "lambda: 0x1F + 1e-3j + 1_000\n",
    "no_final_newline = 1",
    "",
    "def broken(:\n",  # the tokenizer gives up: returned plain
    'a = """unterminated\n',
]


def test_round_trip_on_srcgrad_sources():
    for path in sorted(SRCGRAD.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert hl.strip_ansi(hl.highlight(source)) == source, path


@pytest.mark.parametrize("source", TRICKY)
def test_round_trip_on_tricky_text(source):
    assert hl.strip_ansi(hl.highlight(source)) == source


def test_round_trip_on_generated_code():
    def f(x):
        return np.sum(np.tanh(x) ** 2)

    source = srcgrad.show(f, np.ones(3))
    assert hl.strip_ansi(hl.highlight(source)) == source


def test_colors():
    out = hl.highlight("def f(x):\n    # line 3: y = 2\n    return len(x) + 1.5 if True else 'a'\n")
    assert f"{hl.KEYWORD}def{hl.RESET} {hl.DEFINITION}f{hl.RESET}(x):" in out
    assert f"{hl.COMMENT}# line 3: y = 2{hl.RESET}" in out
    assert f"{hl.KEYWORD}return{hl.RESET} {hl.CONSTANT}len{hl.RESET}(x) + {hl.NUMBER}1.5{hl.RESET}" in out
    assert f"{hl.CONSTANT}True{hl.RESET}" in out
    assert f"{hl.STRING}'a'{hl.RESET}" in out


def test_attribute_named_like_a_builtin_is_not_colored():
    assert hl.highlight("x.sum\n") == "x.sum\n"
    assert hl.highlight("np.abs\n") == "np.abs\n"


def test_invalid_source_is_returned_plain():
    assert hl.highlight("def broken(:\n") == "def broken(:\n"
