"""Importing this module registers srcgrad's built-in rules (``srcgrad/__init__.py`` does, first thing)."""

import contextlib

# Reverse rules.
# Forward rules, one per differentiable argument of each reverse rule above (registration side effects).
# Rules for the helpers forward rules call, so forward-mode code can be differentiated again.
# concat_helpers: the np.r_ / np.c_ helper primals, with both kinds of rules.
from . import (  # noqa: F401  (registration side effects)  # noqa: F401
    concat_helpers,
    dict_rules,
    dispatch_notes,
    fft_jvp_rules,
    fft_rules,
    function_value_rules,
    helper_rules,
    linalg_jvp_rules,
    linalg_rules,
    math_jvp_rules,
    math_rules,
    nn_rules,
    numpy_extra_jvp_rules,
    numpy_extra_rules,
    numpy_jvp_rules,
    numpy_rules,
    operator_jvp_rules,
    operator_rules,
    order_rules,
    record_rules,
    runtime_jvp_rules,
    runtime_rules,
    sequence_rules,
    shim_jvp_rules,
)
from .registry import load_when_imported


def _load_scipy_rules() -> None:
    """SciPy's rules (the optional extra ``srcgrad[scipy]``), registered once the program has imported
    SciPy: importing its special, stats and linalg modules takes over a second that a program without
    SciPy should not pay."""
    with contextlib.suppress(ImportError):  # SciPy is optional
        from . import scipy_jvp_rules, scipy_rules  # noqa: F401, PLC0415  (an optional extra, loaded late)


load_when_imported("scipy", _load_scipy_rules)
