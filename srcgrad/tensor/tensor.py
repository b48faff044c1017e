"""``Tensor``: a NumPy array plus what autograd needs to know about it.

The class holds state and the small protocol methods (attributes, conversions, printing, ``backward``).
The operations live in ``ops``, ``reductions``, ``products``, ``views``, ``copies`` and ``inplace``; the
package's ``__init__`` installs their ``METHODS`` tables on the class. Every slot is a plain attribute so
that an operation costs one NumPy call plus a few attribute stores: that is what lets the shim keep up
with PyTorch's C++ dispatcher on small tensors.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules.shim_rules import view_of
from . import devices, messages, printing
from .dtypes import dtype as _dtype_cls
from .dtypes import float32, from_numpy
from .grad_mode import state as _modes
from .nodes import TENSORS, AccumulateGrad, AsStridedBackward0, RemovableHandle, derivative
from .size import Size

NO_EDGE = (None, 0)


class _Engine:
    """How a tensor runs its backward: ``engine.py``, which walks tensors' graphs and so imports this
    module, registers its entry point here when it is imported (an import statement in ``backward`` costs
    half a microsecond per call)."""

    backward: Callable | None = None


ENGINE = _Engine()
_new = object.__new__


class Tensor:
    """A multi-dimensional array that can record the operations applied to it and differentiate them."""

    __slots__ = (
        "__weakref__",
        "_accum",
        "_base",
        "_data",
        "_grad",
        "_grad_fn",
        "_hooks",
        "_inference",
        "_out",
        "_requires",
        "_vc",
        "_view_no_grad",
        "_view_steps",
        "_view_version",
    )
    __array_ufunc__ = None  # NumPy operators defer to Tensor's reflected methods: np.float32(2) * t is a Tensor

    def __hash__(self) -> int:  # == is elementwise, so hashing is by identity, as in PyTorch
        return id(self)

    # _data: the np.ndarray; _requires: requires_grad (read through _rg); _grad_fn: the node that produced
    # it (None for leaves); _grad: accumulated gradient (Tensor); _vc: version counter [n], shared with views and detach();
    # _accum: weakref to the leaf's AccumulateGrad; _hooks: a leaf's gradient hooks (a non-leaf's live on
    # its grad_fn). Views only: _base, the tensor they view; _view_steps, how to read them off _base;
    # _view_version, the version their grad_fn was made at; _view_no_grad, made under no_grad.

    def __init__(self, *args: Any) -> None:
        """The legacy constructor ``torch.Tensor(2, 3)`` / ``torch.Tensor([1, 2])``: float32."""
        from .factories import legacy_new  # noqa: PLC0415  (factories.py makes Tensors)
        made = wrap(legacy_new(float32, args)._data)
        for slot in Tensor.__slots__:   # (what ``result`` fills in)
            if slot != "__weakref__" and hasattr(made, slot):
                setattr(self, slot, getattr(made, slot))

    # --- autograd state -----------------------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The same storage without history (and, as in PyTorch, with a version counter of its own)."""
        return wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def grad_fn(self) -> Any:
        if self._base is not None and self._vc[0] != self._view_version:
            refresh_view(self)
        return self._grad_fn

    @property
    def _rg(self) -> bool:
        """requires_grad, as every operation reads it. A view of a tensor that did not require grad
        starts to when a value that does is written into the memory they share (``z = v[:2]; v += x``),
        which the view learns on its next read."""
        if self._requires or self._base is None or self._vc[0] == self._view_version:
            return self._requires
        refresh_view(self)
        return self._requires

    @_rg.setter
    def _rg(self, value: bool) -> None:
        self._requires = value

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        _set_requires_grad(self, value, messages.INT_GRAD_SETTER)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        _set_requires_grad(self, requires_grad, messages.INT_GRAD_METHOD)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_inference(self) -> bool:
        """Whether the tensor was made in inference mode (such a tensor is never saved for backward)."""
        return self._inference

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self.retains_grad:
            warnings.warn(messages.NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(messages.GRAD_WRONG_TYPE.format(type(value).__name__))
            if value._data.shape != self._data.shape:
                raise RuntimeError(messages.GRAD_WRONG_SIZE.format(list(value._data.shape),
                                                                   list(self._data.shape)))
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        fn = self._grad_fn
        hooks = fn._hooks if fn is not None else None
        ref = hooks.get(("retain", self._out) if fn.multi else "retain") if hooks else None
        return ref is not None and ref() is self

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` during backward (leaves keep theirs anyway)."""
        if not self._rg:
            raise RuntimeError(messages.RETAIN_NO_GRAD)
        if self._grad_fn is not None:
            # one per output of a node with several (unbind's slices): keyed by the output's place
            key = ("retain", self._out) if self._grad_fn.multi else "retain"
            self._grad_fn._hook_lists()[key] = weakref.ref(self)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; returning a tensor replaces it."""
        if not self._rg:
            raise RuntimeError(messages.HOOK_NO_GRAD)
        if self._grad_fn is not None:
            key = ("tensor", self._out) if self._grad_fn.multi else "tensor"
            hooks = self._grad_fn._hook_lists().setdefault(key, [])
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) · gradient into the ``.grad`` of every leaf that self depends on."""
        if create_graph or inputs is not None:
            from .autograd import tensor_backward  # noqa: PLC0415  (autograd.py runs the engine, as below)

            tensor_backward(self, gradient, retain_graph, create_graph, inputs)
            return
        run = ENGINE.backward
        if run is None:
            from .engine import backward as run  # noqa: PLC0415  (engine.py walks Tensors' graphs)
        run(self, gradient, bool(retain_graph))

    def _accumulator(self) -> AccumulateGrad:
        """The leaf's AccumulateGrad: one per tensor while the graph holds it (PyTorch keeps it weakly)."""
        node = self._accum() if self._accum is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accum = weakref.ref(node)
        return node

    @property
    def _version(self) -> int:
        return self._vc[0]

    def _is_view(self) -> bool:
        return self._base is not None

    def detach(self) -> Tensor:
        """The same storage and version counter, cut from the graph."""
        out = wrap(self._data)
        out._vc = self._vc
        return out

    def detach_(self) -> Tensor:
        self._grad_fn, self._rg = None, False
        return self

    # --- shape and type ------------------------------------------------------------------------------

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[check_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> _dtype_cls:
        return from_numpy(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"torch.{self.dtype.legacy_name}"
        return self.to(dtype)

    @property
    def device(self) -> devices.device:
        return devices.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        raise AssertionError(messages.NO_CUDA)

    # --- conversions ---------------------------------------------------------------------------------

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(messages.ITEM_NOT_ONE.format(self._data.size))
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        if self._rg:
            raise RuntimeError(messages.NUMPY_REQUIRES_GRAD)
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def _scalar(self, convert: Callable) -> Any:
        if self._data.size != 1:
            raise ValueError(messages.SCALAR_NOT_ONE)
        if self._rg and convert is float:   # PyTorch warns (once) for float() and complex(), not for int()
            warn_once(messages.TO_SCALAR_REQUIRES_GRAD, stacklevel=4)
        return convert(self._data.item())

    def __float__(self) -> float:
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int)

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError(messages.BOOL_AMBIGUOUS)
        return bool(self._data.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError(messages.LEN_0D)
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))   # as PyTorch: the rows share one UnbindBackward0

    # --- copying and pickling (PyTorch's rules) ---------------------------------------------------------------

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError(messages.DEEPCOPY_NON_LEAF)
        copied = wrap(self._data.copy())
        copied._rg = self._rg
        copied._grad = None if self._grad is None else self._grad.__deepcopy__(memo)
        memo[id(self)] = copied
        return copied

    def __reduce_ex__(self, protocol: int) -> tuple:
        return _unpickle, (self._data, self._rg)  # data and requires_grad; like PyTorch, not .grad

    # --- printing ------------------------------------------------------------------------------------

    def __repr__(self) -> str:
        fn = self.grad_fn   # (a view whose memory changed in place shows its regenerated node, as PyTorch)
        return printing.format_tensor(self._data, from_numpy(self._data.dtype).name,
                                      grad_fn_name=None if fn is None else type(fn).__name__,
                                      requires_grad=self._rg and fn is None)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats like its Python number (``f"{loss:.3f}"``), as in PyTorch."""
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)


_warned: set = set()


def warn_once(message: str, stacklevel: int = 3) -> None:
    """A UserWarning issued once per process: PyTorch emits these from C++ with TORCH_WARN_ONCE."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel)


def _unpickle(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = wrap(data)
    t._rg = requires_grad
    return t


def result(data: np.ndarray, node: Any) -> Tensor:
    """The output tensor of a recorded operation (``node``), or with None a leaf without history. NumPy
    returns scalars for 0-d results of reductions (and of ufuncs before 2.3); a tensor always holds an
    array, so that it can change in place."""
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    t = _new(Tensor)
    t._data, t._requires, t._grad_fn, t._grad = data, node is not None, node, None
    t._vc, t._base, t._accum, t._hooks = [0], None, None, None
    # made in inference mode: never saved for backward (a recorded operation ran outside it)
    t._inference = False if node is not None else _modes.inference
    return t


def wrap(data: np.ndarray) -> Tensor:
    """A new leaf tensor over ``data`` (no copy), not requiring grad."""
    return result(data, None)


def edge(t: Tensor) -> tuple:
    """The (node, 0) pair through which gradient flows back into ``t``: its grad_fn, its AccumulateGrad,
    or (None, 0) when it does not require grad, or is a view made under no_grad (which PyTorch reports as
    requiring grad, and sends no gradient through)."""
    if t._base is not None and t._vc[0] != t._view_version:
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out) if fn.multi else (fn, 0)   # _out is set only on the outputs of such nodes
    if (t._requires or (t._base is not None and t._rg)) and not (t._base is not None and t._view_no_grad):
        return (t._accumulator(), 0)
    return NO_EDGE   # (a view made under no_grad of a tensor that requires grad: gradient goes nowhere)


_VIEW_OF = derivative(view_of)


def refresh_view(t: Tensor) -> None:
    """A view whose memory changed in place (through its base or another view) since its grad_fn was
    made: its gradient must now flow through the base's current node, as PyTorch's regenerated
    ``AsStridedBackward0`` does."""
    base = t._base
    t._view_version = t._vc[0]
    if base._rg:
        t._grad_fn = AsStridedBackward0((edge(base),), _VIEW_OF, (base._data, t._view_steps), t._data)
        t._rg = True


def as_tensor_data(value: Any) -> np.ndarray:
    """The array behind a tensor, or an array made from a number or sequence."""
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def check_dim(dim: int, ndim: int) -> int:
    """``dim`` made non-negative, or PyTorch's IndexError (0-d tensors accept dims -1 and 0)."""
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(messages.DIM_RANGE.format(-size, size - 1, dim))
    return dim % size if ndim else 0


def _set_requires_grad(t: Tensor, value: bool, int_message: str) -> None:
    if t._grad_fn is not None:
        if not value:
            raise RuntimeError(messages.NON_LEAF_REQUIRES_GRAD)
        return
    if value and t._data.dtype.kind != "f":
        raise RuntimeError(int_message)
    t._rg = bool(value)


TENSORS.wrap, TENSORS.result, TENSORS.data_of = wrap, result, as_tensor_data   # the nodes make tensors through these
