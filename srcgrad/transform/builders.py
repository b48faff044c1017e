"""Builders of the small pieces of syntax every transformation emits (names, assignments, the comments
that quote the user's lines) and the ``CallSite`` record: the vocabulary the passes share, kept apart from
any one pass so that codegen and the forward transform need not import the reverse one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gast

from ..rules.registry import Rule

# A statement ``"__srcgrad_comment__ text"`` becomes the line comment ``# text`` in the generated source.
COMMENT = "__srcgrad_comment__"


def name(id_: str, store: bool = False) -> gast.Name:
    return gast.Name(id_, gast.Store() if store else gast.Load(), None, None)


def assign(target: str, value: gast.expr) -> gast.Assign:
    return gast.Assign([name(target, store=True)], value, None)


def comment(text: str) -> gast.Expr:
    return gast.Expr(gast.Constant(f"{COMMENT}{text}", None))


def annotate_lines(stmts: list[gast.stmt], source_line: Callable[[int], str | None],
                   where: Callable[[int], str] = "line {}".format) -> list[gast.stmt]:
    """Head each run of statements that came from one user line with a comment quoting that line
    (``where`` names it: ``line 12``)."""
    out: list[gast.stmt] = []
    last = None
    for stmt in stmts:
        for field_name in ("body", "orelse"):
            if getattr(stmt, field_name, None):
                setattr(stmt, field_name, annotate_lines(getattr(stmt, field_name), source_line, where))
        line = getattr(stmt, "lineno", None)
        compound = isinstance(stmt, (gast.If, gast.For, gast.While))
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) \
                and str(stmt.value.value).startswith(COMMENT):
            last = None  # a section heading: the next statement gets its line comment again
        if line is not None and line != last and not compound and source_line(line):
            out.append(comment(f" {where(line)}: {source_line(line).strip()}"))
        if not compound and line is not None:
            last = line
        out.append(stmt)
    return out


@dataclass
class CallSite:
    """What the reverse transform needs to know about one primitive operation."""

    rule: Rule
    args: list[gast.expr]
    keywords: dict[str, gast.expr]
