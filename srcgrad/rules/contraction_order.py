"""The order in which an einsum the rules compute contracts its operands.

Without ``optimize``, ``np.einsum`` runs one loop over every index of every operand at once: for the
cotangent of ``np.einsum("ni,kij,nj->nk", x, W, z)`` with respect to ``W`` that is a 256·8·16·16 loop in C,
about ten times slower than contracting ``g`` with ``x`` first and handing the rest to BLAS. NumPy's own
path search (``optimize=True``) counts operations, not BLAS, so for such a contraction it keeps the single
loop. ``pairwise_path`` instead contracts, at each step, the two operands whose result is smallest; given
that path, ``np.einsum`` uses ``tensordot`` (BLAS) for each step it can. A contraction too small to gain
the path's overhead (a few microseconds of Python in NumPy), or whose operands broadcast an axis of length
one against a longer one (which ``tensordot`` does not), keeps the single loop."""

from __future__ import annotations

import math
from collections.abc import Sequence

# Index-space size (the product of every index's length) from which a path pays for its overhead.
_WORTH_A_PATH = 1 << 15


def pairwise_path(inputs: Sequence[str], output: str, shapes: Sequence[tuple[int, ...]]) -> list | None:
    """``["einsum_path", (a, b), ...]`` for ``np.einsum``'s ``optimize`` argument, or None for the single
    loop. ``inputs`` are the operands' explicit subscripts (no ``...``), ``shapes`` their shapes."""
    if len(inputs) < 2:
        return None
    sizes: dict[str, int] = {}
    for subscripts, shape in zip(inputs, shapes):
        if len(subscripts) != len(shape):
            return None
        for letter, length in zip(subscripts, shape):
            if sizes.setdefault(letter, length) != length:
                return None   # broadcast (or mismatched) lengths: the single loop handles them
    if math.prod(sizes.values()) < _WORTH_A_PATH:
        return None
    remaining = list(inputs)
    path: list = ["einsum_path"]
    while len(remaining) > 1:
        best: tuple[int, int, int, str] | None = None
        for a in range(len(remaining)):
            for b in range(a + 1, len(remaining)):
                needed = set(output).union(*(s for k, s in enumerate(remaining) if k not in (a, b)))
                kept = "".join(c for c in dict.fromkeys(remaining[a] + remaining[b]) if c in needed)
                size = math.prod(sizes[c] for c in kept)
                if best is None or size < best[0]:
                    best = (size, a, b, kept)
        _, a, b, kept = best   # type: ignore[misc]
        path.append((a, b))   # NumPy removes the pair and appends their result, as here
        remaining = [s for k, s in enumerate(remaining) if k not in (a, b)] + [kept]
    return path
