"""srcgrad: automatic differentiation of NumPy code by source transformation, plus a PyTorch-style
define-by-run ``Tensor`` shim. Both share one table of derivative rules."""

from . import linking as _linking  # noqa: F401  (hands the compiler to the runtime: linking.py says why)
from .api import generated_function, grad, jvp, show, value_and_grad, vjp
from .cache import CacheInfo, cache_info, clear_cache, set_cache_limit, set_shape_specialization
from .custom import custom_jvp, custom_vjp, stop_gradient
from .errors import (
                     InputTypeError,
                     MissingRuleError,
                     NonScalarOutputError,
                     OutputTypeError,
                     RecursionDepthError,
                     SourceUnavailableError,
                     SrcgradError,
                     SrcgradSyntaxError,
                     StaleSourceError,
                     UnsupportedTransformError,
)
from .export import ExportError, export_module
from .higher import derivative, hessian, hvp, jacfwd, jacrev
from .numba_backend import CompileError, CompileWarning
from .rules import builtin as _builtin_rules  # noqa: F401  (registers the built-in derivative rules)
from .rules.registry import defjvp, defnondiff, defvjp
from .tensor import *  # noqa: F403  (the Tensor shim: tensor, Tensor, no_grad, float32, ...)
from .tensor import __all__ as _tensor_all
from .version import __version__ as __version__  # (re-exported: srcgrad.__version__)

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "hessian", "hvp", "derivative", "show", "generated_function", "custom_vjp", "custom_jvp", "stop_gradient",
    "clear_cache", "cache_info", "set_cache_limit", "CacheInfo", "set_shape_specialization",
    "SrcgradError", "SrcgradSyntaxError", "MissingRuleError", "SourceUnavailableError",
    "NonScalarOutputError", "InputTypeError", "OutputTypeError", "StaleSourceError", "UnsupportedTransformError", "RecursionDepthError", "defvjp", "defjvp", "defnondiff",
    "export_module", "ExportError", "CompileError", "CompileWarning",
] + list(_tensor_all)
