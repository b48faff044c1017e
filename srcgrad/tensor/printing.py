"""PyTorch's tensor formatter, reproduced (work in progress)."""

from __future__ import annotations

import numpy as np


def format_tensor(data: np.ndarray, *, dtype_suffix: str | None = None, grad_fn_name: str | None = None,
                  requires_grad: bool = False) -> str:
    """``repr(t)`` of a tensor holding ``data``, exactly as PyTorch 2.13 prints it."""
    raise NotImplementedError
