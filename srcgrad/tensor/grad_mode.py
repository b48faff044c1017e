"""Whether operations record the graph: a per-thread switch, and the context managers that flip it.

Per thread, because PyTorch's is: a data loader thread running under ``no_grad`` must not switch recording
off for the training thread. Operations read ``state.enabled`` directly (one attribute lookup), so the
switch costs nothing measurable per operation.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    enabled = True  # the class attribute is every new thread's starting value


state = _State()


def is_grad_enabled() -> bool:
    """Whether operations on tensors that require grad are being recorded for ``backward``."""
    return state.enabled


class _GradMode:
    """Context manager and function decorator that runs a block with recording set to ``self.mode``.

    Like PyTorch's, the class itself also works as a bare decorator: ``@no_grad`` as well as ``@no_grad()``.
    """

    mode = True

    def __new__(cls, func: Callable | None = None, *args: Any, **kwargs: Any):
        self = super().__new__(cls)
        if callable(func) and not args and not kwargs and cls is not set_grad_enabled:
            self.__init__()
            return self(func)
        return self

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        state.enabled = self._previous

    def clone(self) -> _GradMode:
        return type(self)()

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def run_in_mode(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)
        return run_in_mode


class no_grad(_GradMode):
    """Run a block (or function) without recording: results do not require grad."""

    mode = False


class enable_grad(_GradMode):
    """Record again inside a ``no_grad`` block (or function)."""

    mode = True


class set_grad_enabled(_GradMode):
    """Switch recording on or off: immediately when called, or only for a ``with`` block or decorated
    function (PyTorch's semantics: ``torch.set_grad_enabled(False)`` alone switches it off for good)."""

    def __init__(self, mode: bool) -> None:
        self._previous = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        state.enabled = self._previous

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self.mode)

    def __call__(self, func: Callable) -> Callable:
        state.enabled = self._previous  # decorating must not switch the mode for the caller
        return super().__call__(func)
