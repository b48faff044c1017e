"""The derivative-rule table and its built-in rules (importing this package registers them)."""

import contextlib

from . import (  # noqa: F401  (registration side effects)
    dict_rules,
    fft_rules,
    function_value_rules,
    linalg_rules,
    math_rules,
    numpy_extra_rules,
    numpy_rules,
    operator_rules,
    order_rules,
    record_rules,
    runtime_rules,
    sequence_rules,
)
from .derive import elementwise, linear
from .registry import (
    Primitive,
    Rule,
    TorchOp,
    defjvp,
    defnondiff,
    defvjp,
    is_nondifferentiable,
    jvp_rules,
    load_when_imported,
    registered_jvp_rules,
    registered_primitives,
    registered_vjp_rules,
    vjp_rule,
)

__all__ = ["Primitive", "Rule", "TorchOp", "defjvp", "defnondiff", "defvjp", "elementwise", "is_nondifferentiable",
           "jvp_rules", "linear", "registered_jvp_rules", "registered_primitives", "registered_vjp_rules", "vjp_rule"]

# Forward rules, one per differentiable argument of each reverse rule above (registration side effects).
# Rules for the helpers forward rules call, so forward-mode code can be differentiated again.
# concat_helpers: the np.r_ / np.c_ helper primals, with both kinds of rules.
from . import (  # noqa: F401
    concat_helpers,
    dispatch_notes,
    fft_jvp_rules,
    helper_rules,
    linalg_jvp_rules,
    math_jvp_rules,
    numpy_extra_jvp_rules,
    numpy_jvp_rules,
    operator_jvp_rules,
    runtime_jvp_rules,
    shim_jvp_rules,
)


def _load_scipy_rules() -> None:
    """SciPy's rules (the optional extra ``srcgrad[scipy]``), registered once the program has imported
    SciPy: importing its special, stats and linalg modules takes over a second that a program without
    SciPy should not pay."""
    with contextlib.suppress(ImportError):  # SciPy is optional
        from . import scipy_jvp_rules, scipy_rules  # noqa: F401


load_when_imported("scipy", _load_scipy_rules)
