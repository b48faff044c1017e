"""Code generation: comment markers become ``#`` comments that say exactly what the user wrote."""

from __future__ import annotations

import gast
import numpy as np
import pytest

import srcgrad
from srcgrad.codegen import to_source
from srcgrad.transform.builders import assign, comment, name

TEXTS = [
    " line 3: y = x * 2",
    " line 4: s = 'it' + \"s\"",
    " line 5: path = 'a\\\\b'  # a backslash",
    " line 6: t = \"tab\\t\" + 'quote \\' in'",
    " line 7: u = '''triple''' + \"\"\"and\"\"\"",
    " line 8: é = 'ünïcode'",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_comment_is_written_as_the_text_it_holds(text):
    fn = gast.FunctionDef("f", gast.arguments([], [], None, [], [], None, []),
                          [comment(text), assign("y", name("x")), gast.Return(name("y"))], [], None, None)
    source = to_source(fn)
    assert source.splitlines()[1] == "    #" + text
    assert source.splitlines()[2] == "    y = x"


def quoting(x):
    label = 'a "quoted" \\ label'
    return np.sum(x * x) * len(label)


def test_generated_code_shows_a_line_with_quotes_and_backslashes_verbatim():
    x = np.array([1.0, 2.0])
    shown = srcgrad.show(srcgrad.grad(quoting), x)
    assert "    # line 33: label = 'a \"quoted\" \\\\ label'" in shown.splitlines()
    np.testing.assert_array_equal(srcgrad.grad(quoting)(x), 2 * x * 18)
