"""The generated-code listings in docs/ are regenerated and compared, so the docs cannot drift."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import control_flow  # noqa: E402

LISTING = re.compile(r"<!-- listing: (\w+) -->\n```python\n(.*?)```", re.S)


def listings():
    text = (ROOT / "docs" / "control-flow.md").read_text()
    return LISTING.findall(text)


def test_docs_have_listings():
    assert {name for name, _ in listings()} == set(control_flow.EXAMPLES)


@pytest.mark.parametrize(("name", "shown"), listings(), ids=[n for n, _ in listings()])
def test_listing_matches_generated_code(name, shown):
    assert control_flow.listing(name) == shown


def test_readme_listing_matches_generated_code():
    """The README calls ``loss`` and then shows it: the code that call ran, specialized to its arguments."""
    import numpy as np
    import quickstart

    import srcgrad

    rng = np.random.default_rng(0)
    w, x, y = rng.normal(size=3), rng.normal(size=(8, 3)), rng.normal(size=8)
    srcgrad.grad(quickstart.loss)(w, x, y)
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"<!-- listing: quickstart.loss -->\n```python\n(.*?)```", text, re.S).group(1)
    assert shown == srcgrad.show(quickstart.loss)
