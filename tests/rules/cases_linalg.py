"""Rule-test cases for srcgrad/rules/linalg*_rules.py, registered into cases.py's table (which loads this file
at its end): the same ``case(primal, label, make, torch)`` form as there."""

import sys

import numpy as np  # noqa: F401

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call
