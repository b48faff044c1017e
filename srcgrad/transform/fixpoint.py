"""Iterations that must converge, bounded by the size of what changes, and loud when they do not."""

from __future__ import annotations

from collections.abc import Callable


class FixpointError(RuntimeError):
    """An iteration that must converge did not: a bug in srcgrad, reported instead of generating code from a
    half-finished analysis."""


def iterate_to_fixpoint(step: Callable[[], bool], bound: int | Callable[[], int], what: str) -> int:
    """Call ``step`` until it reports no change; it must stop within ``bound`` calls (a bound the caller
    derives from the size of what changes, so that reaching it means a bug; a function giving it is called
    only when a second call is needed: most iterations stop at the first). Returns the calls made."""
    if not step():
        return 1
    if callable(bound):
        bound = bound()
    for count in range(2, bound + 1):
        if not step():
            return count
    raise FixpointError(f"srcgrad internal error: {what} did not converge in {bound} rounds; please report "
                        "this function")
