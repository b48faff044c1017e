"""The derivative-rule table: declaring rules (``defvjp``, ``elementwise``, ...) and looking them up. The
built-in rules are registered by ``builtin.py``, which ``import srcgrad`` runs: this package itself stays
light, so that the runtime and the rule modules can import the table without importing each other."""

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
    registered_jvp_rules,
    registered_primitives,
    registered_vjp_rules,
    vjp_rule,
)

__all__ = ["Primitive", "Rule", "TorchOp", "defjvp", "defnondiff", "defvjp", "elementwise", "is_nondifferentiable",
           "jvp_rules", "linear", "registered_jvp_rules", "registered_primitives", "registered_vjp_rules", "vjp_rule"]
