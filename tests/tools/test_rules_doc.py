"""docs/rules.md is generated from the rule table; CI fails when a rule changes and the page does not."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import ROOT

import srcgrad  # noqa: F401  (registers the built-in rules)
from srcgrad.rules.registry import registered_vjp_rules


def _version_dependent() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("generate_rules_doc", ROOT / "scripts" / "generate_rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VERSION_DEPENDENT


def test_rules_doc_is_current():
    """On every supported Python and NumPy: functions only some versions have are listed apart, in a note."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_rules_doc.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        "docs/rules.md is out of date; run python scripts/generate_rules_doc.py\n" + result.stdout)


def test_every_built_in_rule_is_listed_with_its_argnums():
    text = (ROOT / "docs" / "rules.md").read_text()
    version_dependent = _version_dependent()
    for rule in registered_vjp_rules():
        if rule.function.__module__.startswith("srcgrad."):
            if rule.name in version_dependent:
                assert f"`{rule.name}` ({version_dependent[rule.name]})" in text
            else:
                assert f"| `{rule.name}` |" in text
    assert "| `numpy.multiply` | 0, 1 (" in text
