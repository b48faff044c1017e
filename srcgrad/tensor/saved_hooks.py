"""``torch.autograd.graph.saved_tensors_hooks``: user functions that see every tensor a node keeps for
its backward. ``pack_hook(tensor)`` runs when the node is recorded and returns anything; ``unpack_hook(
packed)`` runs when the backward (or ``grad_fn._saved_*``) needs the tensor again and returns the tensor
that is then used. The hooks in force when a node is recorded are the ones it keeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class _Hooks(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[Callable, Callable]] = []   # (pack, unpack), innermost last
        self.disabled: list[str] = []   # the messages of disable_saved_tensors_hooks in force


HOOKS = _Hooks()
# How many saved_tensors_hooks blocks are open, in all threads together: recording reads this plain number
# (a per-thread attribute costs twice as much to read) and looks at its own thread's stack only when it is
# not zero.
OPEN = [0]
_OPEN_LOCK = threading.Lock()


class saved_tensors_hooks:
    """Context manager: the nodes recorded inside it pack what they keep with ``pack_hook``."""

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if HOOKS.disabled:
            raise RuntimeError(HOOKS.disabled[-1])
        with _OPEN_LOCK:
            OPEN[0] += 1
        HOOKS.stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc: Any) -> None:
        HOOKS.stack.pop()
        with _OPEN_LOCK:
            OPEN[0] -= 1


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept in CPU memory: what the shim does anyway (it has no other device)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda tensor: tensor, lambda tensor: tensor)


class disable_saved_tensors_hooks:
    """Context manager: using ``saved_tensors_hooks`` inside it raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message: str):
        self.error_message = error_message

    def __enter__(self) -> disable_saved_tensors_hooks:
        HOOKS.disabled.append(self.error_message)
        return self

    def __exit__(self, *exc: Any) -> None:
        HOOKS.disabled.pop()
