"""The forward-rule table and the reverse-rule table stay in step.

Every differentiable argument of every built-in reverse rule has a forward rule (``call_with_vjp`` aside:
forward mode calls the user's functions through ``call_with_jvp``), and every forward rule belongs to
such an argument. Forward rules have their reverse rule's parameters after the tangent and the output
(``t, ans``, or ``t, k, ans`` for a variadic operand), are straight-line templates like reverse rules,
and each is exercised by some case of ``cases.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
import textwrap
from pathlib import Path

import pytest

from srcgrad import SrcgradError, runtime
from srcgrad.function_values import call_value_holding, call_value_with_vjp
from srcgrad.rules import (
    dict_rules,
    function_value_rules,
    helper_rules,
    jvp_rules,
    record_rules,
    registered_jvp_rules,
    registered_vjp_rules,
    vjp_rule,
)
from srcgrad.rules.registry import ARGNUMS_VARIADIC


def _load_cases():
    name = "srcgrad_rule_test_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("cases.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases = _load_cases()
# Only srcgrad's own rules: tests elsewhere in the same process may register rules of their own.
BUILTIN = "srcgrad.rules."
# Forward mode goes through user calls with call_with_jvp and call_value_with_jvp (which has forward rules of its own, for forward
# mode over forward-mode code), never through call_with_vjp, call_value_with_vjp or call_value_holding.
WITHOUT_FORWARD_RULE = {id(runtime.call_with_vjp), id(call_value_with_vjp), id(call_value_holding)}
REVERSE = [r for r in registered_vjp_rules() if r.function.__module__.startswith(BUILTIN)]
FORWARD = [(r, a) for r, a in registered_jvp_rules() if r.function.__module__.startswith(BUILTIN)]


def _arguments(rule) -> list[int | str]:
    return [ARGNUMS_VARIADIC] if rule.argnums == ARGNUMS_VARIADIC else list(rule.argnums)


def _label(rule, argnum) -> str:
    return f"{rule.name}[{argnum}]"


EXPECTED = {(id(r.primal), a): _label(r, a) for r in REVERSE if id(r.primal) not in WITHOUT_FORWARD_RULE
            for a in _arguments(r)}


def test_every_differentiable_argument_has_a_forward_rule():
    got = {(id(r.primal), a) for r, a in FORWARD}
    missing = sorted(label for key, label in EXPECTED.items() if key not in got)
    assert not missing, f"reverse-rule arguments without a forward rule: {missing}"


def test_every_forward_rule_belongs_to_a_differentiable_argument():
    orphans = sorted(_label(r, a) for r, a in FORWARD if (id(r.primal), a) not in EXPECTED)
    assert not orphans, f"forward rules for arguments no reverse rule differentiates: {orphans}"


def test_the_table_has_a_forward_rule_per_argument():
    assert len(FORWARD) == len(EXPECTED) >= 200


# Rule helpers whose rules refuse to differentiate them again (a located error is the tested behaviour,
# in tests/transform/test_higher_order.py); there is no derivative for finite differences to check.
REFUSING = {id(f) for f in helper_rules.REFUSING}
# checked end to end in tests/transform/test_dicts.py (see test_rule_coverage.DICT_RULES)
DICT_RULES = {id(dict_rules.dict_display), id(dict_rules.values_of)}
# checked end to end in tests/transform/test_function_values.py and test_records.py (see
# test_rule_coverage.STRUCTURE_RULES)
STRUCTURE_RULES = {id(f) for f in (*function_value_rules.STRUCTURE, *record_rules.STRUCTURE)}


def test_refusing_rules_raise():
    for helper in helper_rules.REFUSING:
        for rule in [vjp_rule(helper), *jvp_rules(helper).values()]:
            arguments = [None] * len(rule.signature.parameters)
            with pytest.raises(SrcgradError, match="not supported"):
                rule.function(*arguments)


def test_call_with_vjp_has_no_forward_rule():
    assert jvp_rules(runtime.call_with_vjp) == {}


@pytest.mark.parametrize(("rule", "argnum"), FORWARD, ids=[_label(r, a) for r, a in FORWARD])
def test_forward_rule_mirrors_the_reverse_signature(rule, argnum):
    reverse = vjp_rule(rule.primal)
    params = list(rule.signature.parameters.values())
    leading = 3 if argnum == ARGNUMS_VARIADIC else 2  # (t, k, ans) or (t, ans), whatever their names
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:leading])
    assert params[leading:] == reverse.primal_params, \
        f"{_label(rule, argnum)}: parameters differ from the reverse rule's {reverse.signature}"
    assert rule.argnums == (ARGNUMS_VARIADIC if argnum == ARGNUMS_VARIADIC else (argnum,))


_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Raise, ast.Global, ast.Nonlocal,
             ast.Lambda, ast.Yield, ast.YieldFrom)


@pytest.mark.parametrize(("rule", "argnum"), FORWARD, ids=[_label(r, a) for r, a in FORWARD])
def test_forward_rule_body_is_a_template(rule, argnum):
    source = textwrap.dedent(inspect.getsource(rule.function))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring
    assert body and isinstance(body[-1], ast.Return) and body[-1].value is not None, \
        f"{rule.name}: the rule must end in one return of its contribution"
    for statement in body:
        for node in ast.walk(statement):
            assert not isinstance(node, _BRANCHES), \
                f"{rule.name}: {type(node).__name__} in a rule body; move the logic into jvp_helpers.py"
            assert not isinstance(node, ast.Return) or node is body[-1], f"{rule.name}: more than one return"


def test_the_transformer_can_inline_every_forward_rule():
    from srcgrad.transform.inline import template_of

    called = sorted(_label(r, a) for r, a in FORWARD if template_of(r) is None)
    assert not called, f"forward rules the transformer would have to call instead of inlining: {called}"


def test_every_forward_rule_is_exercised_by_a_case():
    exercised = set()
    for case in cases.CASES:
        rule = vjp_rule(case.primal)
        if rule is None:
            continue
        arguments = _arguments(rule)
        checked = arguments if case.check is None or rule.argnums == ARGNUMS_VARIADIC else \
            [arguments[i] for i in case.check]
        exercised.update((id(case.primal), a) for a in checked)
    unexercised = sorted(_label(r, a) for r, a in FORWARD
                         if (id(r.primal), a) not in exercised and id(r.primal) not in REFUSING
                             and id(r.primal) not in DICT_RULES and id(r.primal) not in STRUCTURE_RULES
                             and id(r.primal) not in getattr(cases, "UNCOVERABLE", set()))
    assert not unexercised, f"forward rules no case in tests/rules/cases.py exercises: {unexercised}"
