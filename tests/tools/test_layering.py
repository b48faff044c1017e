"""The import layering stays visible: module-level imports in srcgrad/ form no cycle (importing ``a.b.c``
runs ``a.b``'s ``__init__`` first, which counts), and an import inside a function is one of the few named,
commented exceptions (``# noqa: PLC0415  (why)``), no more of them than the 14 there are now."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "srcgrad"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The srcgrad modules an import statement runs, its packages' ``__init__`` included."""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    if isinstance(node, ast.ImportFrom):
        base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
        stem = ".".join([*base, *([node.module] if node.module else [])])
        names = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem for alias in node.names]
    else:
        names = [alias.name for alias in node.names]
    targets = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if not name:
            continue
        parts = name.split(".")
        for k in range(2, len(parts) + 1):   # every package on the way (the top one is srcgrad itself)
            target = ".".join(parts[:k])
            if target in MODULES and target != module and not module.startswith(target + "."):
                targets.append(target)
    return targets


def _module_level_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges[module].update(_targets(module, node))
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_module_level_imports_form_no_cycle():
    assert _cycle(_module_level_edges()) is None, " -> ".join(_cycle(_module_level_edges()) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _imports_in_functions() -> list[tuple[Path, int, str]]:
    found = []
    for path in MODULES.values():
        text = path.read_text()
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        found.append((path, node.lineno, lines[node.lineno - 1]))
    return found


def test_imports_inside_functions_are_the_named_exceptions():
    found = _imports_in_functions()
    unexplained = [f"{path.relative_to(ROOT)}:{line}" for path, line, text in found
                   if "noqa" not in text or "PLC0415" not in text or "(" not in text.partition("PLC0415")[2]]
    assert not unexplained, "imports inside functions without a reason: " + ", ".join(unexplained)
    assert len(found) <= 14, [f"{p.relative_to(ROOT)}:{n}" for p, n, _ in found]
