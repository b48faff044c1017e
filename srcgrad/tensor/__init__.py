"""The define-by-run ``Tensor`` shim with PyTorch's autograd semantics.

``import srcgrad as torch`` gives the names below: tensors, their constructors, dtypes, grad mode and the
function forms of the operations. Module map: ``tensor`` (the class), ``ops``/``views``/``copies``/
``inplace`` (operations, installed here as methods), ``nodes`` (grad_fn classes), ``engine`` (backward),
``grad_mode``, ``factories``, ``functional``, ``dtypes``, ``messages`` (PyTorch's texts), ``printing``,
``registered`` (functions with a user's rule: ``defvjp``, ``custom_vjp``).

Like ``torch.__all__``, the exports include the dtypes ``float``, ``int`` and ``bool``: ``import srcgrad as
torch`` needs ``torch.float``; ``from srcgrad import *`` hides the builtins of those names, as
``from torch import *`` does.
"""

from types import SimpleNamespace

from . import (
    autograd,
    autograd_functional,
    copies,
    inplace,
    masks,
    nn_functional,
    ops,
    pointwise,
    products,
    reductions,
    saved_hooks,
    statistics,
    views,
)
from .devices import cuda, device
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    short,
    uint8,
)
from .factories import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    Generator,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .functional import *  # noqa: F403  (torch.exp, torch.sum, torch.cat, ...)
from .functional import __all__ as _functional_all
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .registered import on_tensors
from .size import Size
from .tensor import Tensor

autograd.functional = autograd_functional  # torch.autograd.functional (it builds on autograd.grad)
autograd.graph = saved_hooks  # torch.autograd.graph: saved_tensors_hooks, save_on_cpu
nn = SimpleNamespace(functional=nn_functional)  # torch.nn.functional: activations and losses (no modules)
softmax, log_softmax = nn_functional.softmax, nn_functional.log_softmax

for _module in (ops, pointwise, reductions, statistics, products, views, copies, masks, inplace, nn_functional):
    for _name, _method in _module.METHODS.items():
        setattr(Tensor, _name, _method)

__all__ = [
    "Tensor", "Size", "dtype", "device", "cuda", "autograd", "nn", "softmax", "log_softmax", "tensor", "as_tensor",
    "from_numpy", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace", "eye", "rand", "randn",
    "rand_like", "randn_like", "randint", "manual_seed", "initial_seed", "Generator", "FloatTensor",
    "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
    "BoolTensor", "float16", "float32", "float64", "half", "double", "float", "uint8", "int8", "int16",
    "int32", "int64", "short", "long", "int", "bool", "promote_types", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
    "is_grad_enabled", "on_tensors",
] + list(_functional_all)
