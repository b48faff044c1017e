"""docs/rules.md is generated from the rule table; CI fails when a rule changes and the page does not."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

import srcgrad  # noqa: F401  (registers the built-in rules)
from srcgrad.rules.registry import registered_vjp_rules


@pytest.mark.skipif(sys.version_info[:2] != (3, 11),
                    reason="docs/rules.md is generated on Python 3.11; the math module differs by version "
                           "(math.cbrt and math.exp2 exist from 3.11 on)")
def test_rules_doc_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_rules_doc.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        "docs/rules.md is out of date; run python scripts/generate_rules_doc.py\n" + result.stdout)


def test_every_built_in_rule_is_listed_with_its_argnums():
    text = (ROOT / "docs" / "rules.md").read_text()
    for rule in registered_vjp_rules():
        if rule.function.__module__.startswith("srcgrad."):
            assert f"| `{rule.name}` |" in text
    assert "| `numpy.multiply` | 0, 1 (" in text
