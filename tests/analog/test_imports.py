"""The analog package's modules import each other without cycles (top-level and
function-level imports alike), and the numba kernels live only in *_kernels.py files."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "src" / "edapipe" / "analog"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    mods = {_module(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import mod` is an arrow to mod (the package's __init__ runs
                # first either way); `from mod import name` an arrow to mod
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    names.append(sub if sub in mods else node.module)
            for name in names:
                if name in mods and name != mod:
                    graph[mod].add(name)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        colour[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if colour.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in colour:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        colour[m] = 2
        return None

    for m in sorted(graph):
        if m not in colour:
            found = visit(m)
            if found:
                return found
    return None


# function-level arrows that close a cycle and are accepted (none)
KNOWN: set = set()


def test_no_import_cycle_in_analog():
    graph = _graph()
    for a, b in KNOWN:
        graph[a].discard(b)
    assert "edapipe.analog.newton_kernels" in graph     # the walk sees the package
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_numba_only_in_kernel_modules():
    """The rest of analog imports no numba (fastload patches it only when asked to)."""
    for path in ROOT.rglob("*.py"):
        if path.name.endswith("_kernels.py") or path.name == "fastload.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(m.split(".")[0] == "numba" for m in mods), path
