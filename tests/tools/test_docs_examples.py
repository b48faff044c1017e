"""The code in the docs runs, and the output the docs show is what srcgrad prints today.

For each page below, the fenced ``python`` blocks run in order in one namespace, each from a file of its
own (srcgrad reads your functions' source, so it must exist on disk; line 1 of a block is line 1 of its
file, which is what ``# line N`` in generated code then counts). The line before a block can say what to
do with it instead of running it:

- ``<!-- no-test -->``: a fragment, not run;
- ``<!-- listing: EXPR -->``: the block must equal the string ``EXPR`` evaluates to, in the namespace of the
  blocks above (e.g. ``srcgrad.show(loss, w, x)``);
- ``<!-- output: ARGS -->``: the block (any language) must equal what ``python -m srcgrad ARGS`` prints,
  run from the repository root.

``SRCGRAD_UPDATE_DOCS=1 python -m pytest tests/tools/test_docs_examples.py`` rewrites the listings and
outputs from what srcgrad generates now.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, run_srcgrad

from srcgrad.rules import registry

DOCS = ["README.md", "quickstart.md", "how-it-works.md", "custom-rules.md", "tensor-shim.md", "testing.md",
        "cli.md", "higher-order.md", "export.md"]
MARKER = re.compile(r"<!--\s*(no-test|listing:|output:)\s*(.*?)\s*-->")
UPDATE = os.environ.get("SRCGRAD_UPDATE_DOCS") == "1"


@dataclass
class Block:
    language: str
    code: str
    first_line: int  # the line of the page where the code starts (after the opening fence)
    last_line: int  # the closing fence's line
    marker: str | None
    argument: str


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown page with the marker on the line before each (if any)."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = re.match(r"^```(\w*)\s*$", lines[i])
        if not opening:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.fullmatch(before.strip())
        found.append(Block(opening.group(1), "\n".join(lines[i + 1:end]) + "\n", i + 2, end + 1,
                           marker.group(1).rstrip(":") if marker else None, marker.group(2) if marker else ""))
        i = end + 1
    return found


def test_every_page_is_indexed():
    index = (ROOT / "docs" / "README.md").read_text()
    for page in [*DOCS[1:], "rules.md"]:
        assert f"]({page})" in index, page


@pytest.fixture
def rule_table():
    """Rules a page registers (custom-rules.md teaches defvjp) are gone again after it, so no other test
    sees them."""
    saved = registry.snapshot()
    yield
    registry.restore(saved)


@pytest.mark.parametrize("page", DOCS)
def test_page(page, tmp_path, rule_table):
    path = ROOT / "docs" / page
    text = path.read_text()
    namespace: dict = {"__name__": f"docs_{Path(page).stem.replace('-', '_')}"}
    replacements: list[tuple[Block, str]] = []
    for block in blocks(text):
        where = f"docs/{page}:{block.first_line}"
        if block.marker == "no-test":
            continue
        if block.marker == "listing":
            shown = eval(block.argument, namespace)
            if not shown.endswith("\n"):
                shown += "\n"
        elif block.marker == "output":
            result = run_srcgrad(*shlex.split(block.argument))
            assert result.returncode in (0, 1), f"{where}: {result.stderr}"
            shown = result.stdout
        elif block.language == "python":
            source_file = tmp_path / f"{namespace['__name__']}_line{block.first_line}.py"
            source_file.write_text(block.code)
            try:
                exec(compile(block.code, str(source_file), "exec"), namespace)
            except Exception as error:
                raise AssertionError(f"{where}: the example raised {type(error).__name__}: {error}") from error
            continue
        else:
            continue
        if shown != block.code:
            if UPDATE:
                replacements.append((block, shown))
            else:
                assert shown == block.code, f"{where} is out of date (SRCGRAD_UPDATE_DOCS=1 regenerates it)"
    if replacements:
        lines = text.splitlines()
        for block, shown in sorted(replacements, key=lambda r: -r[0].first_line):
            lines[block.first_line - 1:block.last_line - 1] = shown.rstrip("\n").split("\n")
        path.write_text("\n".join(lines) + "\n")


def test_blocks_parser():
    page = "text\n<!-- no-test -->\n```python\nx = (\n```\n\n<!-- listing: f() -->\n```python\nabc\n```\n```bash\nls\n```\n"
    parsed = blocks(page)
    assert [(b.language, b.marker, b.argument, b.first_line, b.last_line) for b in parsed] == [
        ("python", "no-test", "", 4, 5), ("python", "listing", "f()", 9, 10), ("bash", None, "", 12, 13)]
    assert parsed[1].code == "abc\n"
