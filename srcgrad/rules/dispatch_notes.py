"""Which reverse rules are not dispatch-safe, and why (``registry.note_dispatch``).

A rule without a note here runs on Dask and CuPy arrays through NumPy's dispatch protocols, and on Dask it
stays lazy: tests/dispatch checks every case of the rule case table with Dask inputs against NumPy. The
notes say what stops the others: a helper that needs NumPy itself, a primal that Dask lacks (the rule may
still work on CuPy), or a rule that is not about arrays at all. docs/rules.md shows them per rule.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..runtime import call_with_jvp
from . import (
    concat_helpers,
    function_value_rules,
    helper_rules,
    helpers,
    math_rules,
    nn_rules,
    order_rules,
    record_rules,
    shim_rules,
)
from .registry import note_dispatch, registered_vjp_rules

note_dispatch("NumPy only: the rule fixes up the lines holding zeros in a loop over the data", np.cumprod)
note_dispatch("the Tensor shim's losses and GELU: computed with NumPy (`math.erf` per element, reductions into "
              "NumPy scalars, indexing by class)", nn_rules.gelu, nn_rules.mse_loss, nn_rules.nll_loss,
              nn_rules.binary_cross_entropy, nn_rules.binary_cross_entropy_with_logits)
note_dispatch("the primal converts to NumPy (computes a Dask array, refuses a CuPy one)", np.array, np.asarray)
note_dispatch("Dask has no `np.copy` (`x.copy()` is lowered to it)", np.copy)
note_dispatch("Dask has no `np.sort`", np.sort)
note_dispatch("Dask has no `np.inner`", np.inner)
note_dispatch("Dask has no `np.linalg.det`", np.linalg.det)
note_dispatch("Dask: 2-D only, one chunk per matrix", np.linalg.inv, np.linalg.solve)
note_dispatch("Python floats: iterates over an array's rows (use `np.sum`)", builtins.sum)
note_dispatch("forward mode: not checked on other array libraries", call_with_jvp)
note_dispatch("Python sequences: the items are compared one by one in Python, and an array's cotangent is built "
              "in NumPy", *order_rules.PRIMALS)
note_dispatch("structure, not arrays: a function value's or an object's (the values it holds go through their "
              "own rules); checked end to end with NumPy", *function_value_rules.STRUCTURE, *record_rules.STRUCTURE)
note_dispatch("second derivatives: Dask's SVD needs a matrix chunked along one axis", helpers.det_grad)
note_dispatch("refuses: it has no derivative (see the rule)", *helper_rules.REFUSING)
note_dispatch("the primal converts to NumPy (`np.r_` and `np.c_` build NumPy arrays)", concat_helpers.r_concat,
              concat_helpers.c_concat, concat_helpers.concat_tangent)

for _rule in registered_vjp_rules():
    _module = _rule.function.__module__
    if _module == math_rules.__name__:
        note_dispatch("Python floats", _rule.primal)
    elif _module == shim_rules.__name__:
        note_dispatch("`Tensor` shim: NumPy only", _rule.primal)
