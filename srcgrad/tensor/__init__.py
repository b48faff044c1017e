"""The define-by-run ``Tensor`` shim with PyTorch's autograd semantics."""

__all__: list[str] = []
