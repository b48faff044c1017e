"""The rule table and the case table stay in step: a new rule without a test case fails here.

Also checks that rule bodies stay templates the source transformer can inline: straight-line
statements ending in exactly one ``return``, with every branch in ``helpers.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
import textwrap
from pathlib import Path

import pytest

from srcgrad.rules import (
    dict_rules,
    function_value_rules,
    helper_rules,
    record_rules,
    registered_vjp_rules,
    vjp_rule,
)


def _load_cases():
    name = "srcgrad_rule_test_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("cases.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = _load_cases()
# srcgrad's own rules: tests elsewhere register rules of their own (srcgrad.defvjp) in the same process.
RULES = [rule for rule in registered_vjp_rules() if rule.function.__module__.startswith("srcgrad.")]
# Rules that refuse to differentiate a rule helper again have no derivative for a case to check; that they
# raise is tested in test_jvp_coverage.py.
# Rules whose primal builds or takes apart a dict: the table's harness compares arrays and lists, so these
# are checked end to end instead (reverse, forward and Hessian against finite differences and HIPS autograd,
# tests/transform/test_dicts.py).
DICT_RULES = (dict_rules.dict_display, dict_rules.values_of)
# Rules about the structure of function values and records (making a partial or an object, reading a field):
# the harness cannot perturb a function or an object, so these are checked end to end (reverse, forward and
# Hessian against finite differences and HIPS autograd, tests/transform/test_function_values.py and
# test_records.py).
STRUCTURE_RULES = (*function_value_rules.STRUCTURE, *record_rules.STRUCTURE)
CHECKABLE = [rule for rule in RULES if rule.primal not in helper_rules.REFUSING and rule.primal not in DICT_RULES
             and rule.primal not in STRUCTURE_RULES
             and id(rule.primal) not in getattr(cases, "UNCOVERABLE", set())]  # (eig on NumPy 2.5)


def test_the_table_has_at_least_80_rules():
    assert len(RULES) >= 80


def test_every_rule_has_a_case():
    covered = {id(c.primal) for c in cases.CASES}
    missing = [rule.name for rule in CHECKABLE if id(rule.primal) not in covered]
    assert not missing, f"rules without a case in tests/rules/cases.py: {missing}"


def test_every_rule_is_checked_numerically():
    """Each rule has a case checked by finite differences or by reference partials, not only by torch."""
    checked = {id(c.primal) for c in cases.CASES if c.smooth or c.expected is not None}
    missing = [rule.name for rule in CHECKABLE if id(rule.primal) not in checked]
    assert not missing, f"rules checked by neither finite differences nor a reference: {missing}"


def test_every_case_has_a_rule():
    orphans = sorted({c.id for c in cases.CASES if vjp_rule(c.primal) is None})
    assert not orphans, f"cases for primals without a reverse rule: {orphans}"


def test_case_ids_are_unique():
    ids = [c.id for c in cases.CASES]
    assert len(ids) == len(set(ids))


_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Raise, ast.Global, ast.Nonlocal)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_body_is_a_template(rule):
    source = textwrap.dedent(inspect.getsource(rule.function))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring
    assert body and isinstance(body[-1], ast.Return) and body[-1].value is not None, \
        f"{rule.name}: the rule must end in one return of its partials"
    for statement in body:
        for node in ast.walk(statement):
            assert not isinstance(node, _BRANCHES), \
                f"{rule.name}: {type(node).__name__} in a rule body; move the logic into a helper"
            assert not isinstance(node, ast.Return) or node is body[-1], f"{rule.name}: more than one return"
