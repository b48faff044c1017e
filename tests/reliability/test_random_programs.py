"""Random NumPy programs, each differentiated four ways that must agree: reverse mode, forward mode, central
finite differences and the Tensor shim (see ``programs.py`` for what is generated, ``differential.py`` for the
checks).

How many programs: ``SRCGRAD_PROGRAMS`` when set (e.g. ``SRCGRAD_PROGRAMS=20000`` for a long local run, with
``SRCGRAD_HYPOTHESIS_PROFILE=explore`` for fresh programs each run); otherwise 1,000 on Python 3.11, the
interpreter CI runs the full suite with, and 200 on the other supported versions, which CI runs in turn."""

import os
import sys

from differential import NotSmooth, check_program
from hypothesis import HealthCheck, assume, given, settings
from programs import Tally, programs

DEFAULT = 1000 if sys.version_info[:2] == (3, 11) else 200
COUNT = int(os.environ.get("SRCGRAD_PROGRAMS", DEFAULT))


@settings(max_examples=COUNT, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much])
@given(programs())
def test_reverse_forward_finite_differences_and_shim_agree(program):
    try:
        check_program(program.render("np"), program.render("torch"), program.shapes, program.seed)
    except NotSmooth:
        Tally.rejected += 1
        assume(False)
    Tally.programs += 1
    Tally.constructs.update(program.constructs)
