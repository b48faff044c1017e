"""``torch.device`` and ``torch.cuda`` for a shim that computes on the CPU only.

A ``device`` parses and prints as PyTorch's does; asking for the CPU is fine everywhere, and asking for a
CUDA device raises what a CPU-only build of PyTorch raises (``AssertionError: Torch not compiled with CUDA
enabled``), so a program written for either runs its CPU path unchanged."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from . import messages

TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
         "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


_MISSING = object()
builtin_type = type


class device:  # named like the class it stands for
    """``torch.device("cpu")``, ``torch.device("cuda", 1)``, ``torch.device("cuda:1")``."""

    __slots__ = ("index", "type")

    def __init__(self, type: Any = _MISSING, index: Any = None) -> None:
        if type is _MISSING:
            raise TypeError(messages.DEVICE_NO_ARGUMENTS)
        if isinstance(type, device) and index is None:
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, bool) or not isinstance(type, (str, int)):
            raise TypeError(messages.DEVICE_ARGUMENT_TYPE.format(builtin_type(type).__name__))
        if isinstance(type, int):
            raise RuntimeError(messages.NO_ACCELERATOR)
        kind, colon, number = type.partition(":")
        if kind not in TYPES:
            raise RuntimeError(messages.DEVICE_TYPES.format(", ".join(TYPES), type))
        if colon:
            if index is not None or not number.isdigit():
                raise RuntimeError(messages.INVALID_DEVICE_STRING.format(type))
            index = int(number)
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise TypeError(messages.DEVICE_INDEX_TYPE.format(builtin_type(index).__name__))
        if index is not None and index < 0:
            raise RuntimeError(messages.NEGATIVE_DEVICE_INDEX)
        self.type, self.index = kind, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")


def check(requested: Any) -> None:
    """Accept the CPU (or no device); refuse any other as a CPU-only PyTorch does."""
    if requested is None or (builtin_type(requested) is str and requested == "cpu"):
        return
    where = requested if isinstance(requested, device) else device(requested)
    if where.type == "cpu":
        return
    if where.type == "cuda":
        raise AssertionError(messages.NO_CUDA)
    raise RuntimeError(messages.CPU_ONLY.format(where.type))


def is_device(value: Any) -> bool:
    """Whether ``value`` names a device (a ``device``, or a string such as ``"cpu"`` or ``"cuda:0"``)."""
    return isinstance(value, device) or (isinstance(value, str) and value.partition(":")[0] in TYPES)


def _is_available() -> bool:
    return False


def _device_count() -> int:
    return 0


cuda = SimpleNamespace(is_available=_is_available, device_count=_device_count)
