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
    """``grad`` is the grad mode (``is_grad_enabled``); ``inference`` is inference mode, where nothing is
    recorded even with grad mode on; ``enabled`` is what operations read: whether they record."""

    grad = True  # the class attributes are every new thread's starting values
    inference = False
    enabled = True

    def set(self, grad: bool, inference: bool) -> tuple[bool, bool]:
        """Switch the modes; returns the previous ones, for ``set(*previous)``."""
        previous = (self.grad, self.inference)
        self.grad, self.inference = grad, inference
        self.enabled = grad and not inference
        return previous


state = _State()


def is_grad_enabled() -> bool:
    """Whether grad mode is on (operations on tensors that require grad are recorded, outside inference
    mode)."""
    return state.grad


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
        self._previous = state.set(self.mode, state.inference)

    def __exit__(self, *exc_info: object) -> None:
        state.set(*self._previous)

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
        self.mode = bool(mode)
        self._previous = state.set(self.mode, state.inference)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        state.set(*self._previous)

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self.mode)

    def __call__(self, func: Callable) -> Callable:
        state.set(*self._previous)  # decorating must not switch the mode for the caller
        return super().__call__(func)


class inference_mode(_GradMode):
    """``torch.inference_mode()``: grad mode off, and nothing recorded inside even where ``enable_grad``
    turns grad mode back on; ``inference_mode(False)`` turns grad mode on, as in PyTorch. The shim makes no
    separate kind of tensor inside it, so ``Tensor.is_inference()`` is not offered."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self._previous = state.set(not self.mode, self.mode)

    def __exit__(self, *exc_info: object) -> None:
        state.set(*self._previous)

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)


def is_inference_mode_enabled() -> bool:
    return state.inference
