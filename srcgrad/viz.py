"""Draw a tensor's autograd graph: ``to_dot(t)`` returns Graphviz DOT text, in the style of torchviz's
``make_dot``, so the picture of a srcgrad graph and of the same PyTorch graph look alike.

Boxes are the ``grad_fn`` nodes (by class name); a leaf's ``AccumulateGrad`` gets a light blue box for the
leaf tensor itself, labelled with its name (from ``params``) and shape; the tensor drawn from is the green
box at the bottom. Edges point the way the forward computation went. Render with ``dot -Tsvg`` or
``graphviz.Source(text)``; srcgrad itself needs no Graphviz.
"""

from __future__ import annotations

from typing import Any

__all__ = ["to_dot"]

_HEADER = ('\tgraph [size="12,12"]\n'
           "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]\n")


def _shape(t: Any) -> str:
    return "(" + ", ".join(str(n) for n in t.shape) + ")"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(t: Any, params: dict[str, Any] | None = None) -> str:
    """The graph that produced ``t`` as DOT text. ``params`` names leaves: ``{"w": w, "x": x}``."""
    names = {id(v): k for k, v in (params or {}).items()}
    lines: list[str] = []
    seen: set[int] = set()

    def leaf_label(v: Any) -> str:
        name = names.get(id(v), "")
        return _quote(f"{name}\n {_shape(v)}")

    def visit(root: Any) -> None:  # depth first, with a stack: graphs of long loops are deep
        stack = [root]
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            lines.append(f"\t{id(fn)} [label={type(fn).__name__}]")
            variable = getattr(fn, "variable", None)
            if variable is not None:
                lines.append(f"\t{id(variable)} [label={leaf_label(variable)} fillcolor=lightblue]")
                lines.append(f"\t{id(variable)} -> {id(fn)}")
            for child, _ in reversed(fn.next_functions):
                if child is not None:
                    lines.append(f"\t{id(child)} -> {id(fn)}")
                    stack.append(child)

    lines.append(f"\t{id(t)} [label={_quote(_shape(t))} fillcolor=darkolivegreen1]")
    if t.grad_fn is not None:
        visit(t.grad_fn)
        lines.append(f"\t{id(t.grad_fn)} -> {id(t)}")
    elif t.requires_grad:
        lines[0] = f"\t{id(t)} [label={leaf_label(t)} fillcolor=lightblue]"
    return "digraph {\n" + _HEADER + "\n".join(lines) + "\n}\n"
