"""Random NumPy programs, each differentiated four ways that must agree: reverse mode, forward mode, central
finite differences and the Tensor shim (see ``programs.py`` for what is generated, ``differential.py`` for the
checks). A located ``SrcgradError`` passes and is counted as refused, with the construct at its line.

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
        outcome = check_program(program.render("np"), program.render("torch"), program.shapes, program.seed,
                                shim_in_place=program.shim_in_place)
    except NotSmooth:
        Tally.rejected += 1
        assume(False)
    Tally.programs += 1
    if outcome.reverse == "refused":
        Tally.refused_programs += 1
        Tally.refused.update(program.labels_at(outcome.refused_line)[:1])
    else:
        Tally.constructs.update(program.constructs)
        Tally.forward_refused += outcome.forward == "refused"
    Tally.shim_skipped += outcome.shim == "skipped"
    Tally.shim_against_fd += outcome.shim == "against finite differences"
