"""PyTorch's autograd tutorial, unchanged, on srcgrad's Tensor shim.

The tutorial script (shipped as ``srcgrad/data/tutorial.py``) begins with ``import torch``. Binding the
name ``torch`` to srcgrad in ``sys.modules`` is all it takes: tensors, ``requires_grad``, ``grad_fn``,
``backward`` and ``no_grad`` behave as PyTorch's do, down to the printed text. In your own code the same
thing is one line: ``import srcgrad as torch``.

Run: python examples/tutorial_shim.py   (or: python -m srcgrad tutorial)
"""

from __future__ import annotations

import runpy
import sys

import srcgrad
from srcgrad.data import tutorial_path


def main(seed: int = 0) -> None:
    real_torch = sys.modules.get("torch")
    sys.modules["torch"] = srcgrad  # what `import torch` inside the script will find
    srcgrad.manual_seed(seed)  # PyTorch's reference output was recorded after torch.manual_seed(0)
    try:
        runpy.run_path(str(tutorial_path()), run_name="__main__")
    finally:
        if real_torch is None:
            del sys.modules["torch"]
        else:
            sys.modules["torch"] = real_torch

    # The same API in a program of our own:
    torch = srcgrad
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    loss = (w * w).sum() + w.prod()
    loss.backward()
    print("d loss / d w =", w.grad)  # 2 w + prod(w) / w


if __name__ == "__main__":
    main()
