"""``show`` for second and higher derivatives: all the code a ``hessian``, ``hvp``, ``jacfwd``, ``jacrev``,
``derivative`` or ``grad(grad(f))`` call runs, as one listing.

Higher derivatives compose the two transformations, and the pieces are generated lazily (a callee, or a
forward rule's helper, is transformed when the code first calls it). So the listing is made by running the
derivative once on the example arguments while recording every piece generated code calls into, then
printing them grouped by mode:

- ``hessian``/``hvp`` (reverse over forward): the forward code of ``f`` and of its callees, then the reverse
  code over each, then the reverse code of the forward rules' helpers it reaches;
- ``derivative(f, n)``/``grad(grad(f))`` (forward over forward): the forward code of each level;
- ``jacfwd``/``jacrev``: the forward or the reverse code, as ``show(..., mode=...)``.

Reverse code over generated forward code is commented by the generated lines it comes from; the listing
replaces those comments by the user's lines the forward code quotes, so every piece reads against the
user's source."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import api, cache, higher
from .higher import hvp_at
from .pipeline import Generated

_LINE_COMMENT = re.compile(r"^(\s*)# line (\d+)(?:, in [\w.]+)?: (.*)$")


def show_higher(fun: Any, example_args: Sequence[Any]) -> str:
    """The listing for a higher-order derivative object (see the module docstring)."""
    if fun is higher.hvp:
        if len(example_args) < 2:
            raise ValueError("show(srcgrad.hvp, f, x) needs the function and an example argument")
        target, *examples = example_args
        return _reverse_over_forward(target, tuple(examples), 0, "hvp")
    if not example_args:
        raise ValueError(f"show of {type(fun).__name__} needs example arguments: the pieces it runs are "
                         "generated for their types and shapes (show(srcgrad.hessian(f), x))")
    if isinstance(fun, higher.HessianFunction):
        return _reverse_over_forward(fun.fn, tuple(example_args), fun.argnums, "hessian")
    if isinstance(fun, higher.JacobianFunction):
        return _jacobian(fun, tuple(example_args))
    if isinstance(fun, api.NthDerivative):
        return _nth_derivative(fun.fn, fun.order, tuple(example_args))
    raise TypeError(f"not a higher-order derivative: {fun!r}")


def is_higher_order(fun: Any) -> bool:
    return fun is higher.hvp or isinstance(fun, (higher.HessianFunction, higher.JacobianFunction,
                                                 api.NthDerivative))


def _record(run: Callable[[], Any]) -> list[Generated]:
    """Every generated piece ``run`` calls into (callees and helpers, both modes), in order of first call."""
    cache.recording.callees = []
    try:
        run()
        return list(cache.recording.callees)
    finally:
        cache.recording.callees = None


def _forward_pieces() -> set[int]:
    return {id(g) for key, g in cache.CACHE.items() if key[:1] == ("forward",)}


def _reverse_over_forward(fn: Callable, args: tuple, argnums: int, what: str) -> str:
    name = getattr(fn, "__name__", "f")
    top = cache.forward_generated(fn, (argnums,), args)
    pieces = _record(lambda: hvp_at(fn, args, argnums, _ones_like(args[argnums])))
    forward_ids = _forward_pieces()
    forward = [top] + [p for p in pieces if id(p) in forward_ids and p is not top]
    by_name = {p.function.__name__: p for p in forward}
    reverse_of_forward = [p for p in pieces if id(p) not in forward_ids and _stem(p) in by_name]
    helpers = [p for p in pieces if id(p) not in forward_ids and _stem(p) not in by_name]
    sections = [
        f"# {what} of {name}: reverse mode over forward mode. H v = grad_x <grad {name}(x), v>: the forward "
        f"code computes\n# the tangent <grad {name}(x), v>, and the reverse code over it its gradient in x.\n",
        f"# 1. forward mode: {name} and its tangent\n",
        _join(forward),
        f"\n# 2. reverse mode over the forward code (each line commented with the line of {name} it comes "
        "from)\n",
        _join([_with_user_lines(p.source, by_name[_stem(p)].source) for p in reverse_of_forward]),
    ]
    if helpers:
        sections += ["\n# 3. reverse mode over the helpers the forward rules call (srcgrad/rules/jvp_helpers.py)\n",
                     _join(helpers)]
    return "".join(sections)


def _jacobian(fun: Any, args: tuple) -> str:
    name = getattr(fun.fn, "__name__", "f")
    if fun.mode == "forward":
        header = f"# jacfwd of {name}: one forward-mode call per input element\n"
        top = cache.forward_generated(fun.fn, (fun.argnums,), args)
        x = args[fun.argnums]
        pieces = _record(lambda: top.function(*args, _ones_like(x)))
        return header + _join([top] + [p for p in pieces if p is not top])
    header = f"# jacrev of {name}: one reverse-mode call per output element\n"
    return header + api.show(fun.fn, *args, argnums=fun.argnums)


def _nth_derivative(fn: Callable, order: int, args: tuple) -> str:
    name = getattr(fn, "__name__", "f")
    sections = [f"# derivative {order} of {name}: forward mode applied {order} times, each level to the "
                "forward code of the level below\n"]
    function, level_args, seen = fn, args, set()
    for level in range(1, order + 1):
        generated = cache.forward_generated(function, (0,), level_args)
        final_args = (*level_args, 1.0)
        pieces = _record(lambda g=generated, a=final_args: g.function(*a))
        sections.append(f"\n# level {level}: the tangent of {function.__name__}\n")
        fresh = [p for p in [generated] + pieces if id(p) not in seen]
        seen.update(id(p) for p in fresh)
        sections.append(_join(fresh))
        function, level_args = generated.function, final_args
    return "".join(sections)


def _ones_like(x: Any) -> Any:
    return 1.0 if isinstance(x, float) else np.ones(np.shape(x), dtype=np.result_type(x, np.float32))


def _stem(piece: Generated) -> str:
    """``f_jvp`` for the reverse code ``f_jvp_grad`` of the forward code ``f_jvp``."""
    name = piece.function.__name__
    return name[: -len("_grad")] if name.endswith("_grad") else name


def _join(pieces: Sequence[Any]) -> str:
    texts = [p if isinstance(p, str) else p.source for p in pieces]
    return "\n".join(texts)


def _with_user_lines(source: str, forward_source: str) -> str:
    """Rewrite the ``# line L: ...`` comments of reverse code over the forward code (``L`` a line of the
    forward code) into the comment of the user's line that forward line comes from, dropping repeats."""
    forward_lines = forward_source.splitlines()
    out: list[str] = []
    last: tuple[str, str] | None = None
    for line in source.splitlines():
        match = _LINE_COMMENT.match(line)
        if match is None:
            stripped = line.lstrip()
            if last is not None and stripped and len(line) - len(stripped) < len(last[0]):
                last = None  # the block the comment headed has ended
            out.append(line)
            continue
        indent, number = match.group(1), int(match.group(2))
        user = _user_comment(forward_lines, number)
        if user is None:
            out.append(line)
            continue
        if last == (indent, user):
            continue
        out.append(f"{indent}{user}")
        last = (indent, user)
    return "\n".join(out) + "\n"


def _user_comment(forward_lines: list[str], number: int) -> str | None:
    """The ``# line N: <user line>`` comment heading line ``number`` (1-based) of the forward code."""
    for index in range(min(number, len(forward_lines)) - 1, -1, -1):
        match = _LINE_COMMENT.match(forward_lines[index])
        if match is not None:
            return forward_lines[index].strip()
        if forward_lines[index].lstrip().startswith("def "):
            return None
    return None
