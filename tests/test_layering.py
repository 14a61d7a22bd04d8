"""The import graph respects the layers of docs/decisions.md ("Layers").

Every module's imports are read with `ast` (top-level and function-level, absolute and
relative), and so are strings that name an edapipe module ("edapipe.verify.fraig",
"edapipe.aig.warm:warm"): registries that import by name are arrows too. Modules map to
their package (the first name under edapipe/; a top-level module such as errors.py is its own
package). An arrow from a package to one in the same or a higher layer fails, as does any cycle
between packages. A new package must be placed in LAYERS (and in docs/decisions.md).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "edapipe"

LAYERS: list[set[str]] = [
    {"edapipe"},                       # the package root: __version__ only
    {"errors"},                        # the exception hierarchy and diagnostics
    {"util"},                          # files, console, budgets, caches, jit
    {"aig"},                           # the AIG core and its readers/writers
    {"verify", "timing", "analog"},    # peers: none imports another
    {"synth"},                         # RTL frontend, passes (fraig from verify), mapping (timing)
    {"cli"},                           # the program: commands, entry, process environment
    {"warm"},                          # `python -m edapipe.warm`: every subsystem's kernels
]
LAYER = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}

# Folders that are one unit of the graph. batch runs cli's click commands in one process
# (stages parse with the commands' own options) and cli's run/batch/explore commands start
# it: the script runner is part of the program layer, in a folder of its own.
UNITS = {"batch": "cli"}

_MODULE_STRING = re.compile(r"edapipe(\.[A-Za-z_]\w*)+(:[A-Za-z_]\w*)?")


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _package(parts: list[str]) -> str:
    """The package of a dotted name under edapipe (a name in `from edapipe import x` that is
    not a module, such as __version__, belongs to the root)."""
    if len(parts) < 2:
        return "edapipe"
    top = parts[1]
    if (SRC / top).is_dir() or (SRC / f"{top}.py").is_file():
        return UNITS.get(top, top)
    return "edapipe"


def _imports(path: Path) -> list[tuple[list[str], int]]:
    """(dotted target under edapipe, line) for every import and module-naming string."""
    me = _module_name(path)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name.split("."), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                keep = len(me) - node.level + (1 if is_package else 0)
                base = me[:keep]
            else:
                base = []
            base = base + (node.module.split(".") if node.module else [])
            # `from edapipe import x`: x may be a subpackage; `from edapipe.a import b` is in a
            found += [(base + [a.name] if base == ["edapipe"] else base, node.lineno)
                      for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _MODULE_STRING.fullmatch(node.value):
            found.append((node.value.split(":")[0].split("."), node.lineno))
    return [(t, line) for t, line in found if t and t[0] == "edapipe"]


def package_graph() -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> where ("file:line") for every arrow between packages."""
    arrows: dict[tuple[str, str], list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        here = _package(_module_name(path))
        for target, line in _imports(path):
            there = _package(target)
            where = f"{path.relative_to(SRC.parent)}:{line}"
            if there != here and where not in arrows.get((here, there), ()):
                arrows.setdefault((here, there), []).append(where)
    return arrows


def _cycles(arrows) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    succ: dict[str, set[str]] = {}
    for a, b in arrows:
        succ.setdefault(a, set()).add(b)
        succ.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(succ):
        if v not in index:
            visit(v)
    return out


def test_every_package_has_a_layer():
    packages = {_package(["edapipe", p.name if p.is_dir() else p.stem])
                for p in SRC.iterdir() if p.name not in ("__pycache__", "__init__.py")
                and (p.is_dir() and (p / "__init__.py").exists() or p.suffix == ".py")}
    missing = sorted(packages - set(LAYER) - set(UNITS))
    assert not missing, (f"packages without a layer: {missing}; place them in LAYERS here "
                         "and in docs/decisions.md (Layers)")


def test_no_cycle_between_packages():
    arrows = package_graph()
    cycles = _cycles(arrows)
    detail = [f"{a} -> {b}: {', '.join(arrows[a, b][:3])}"
              for comp in cycles for a in comp for b in comp if (a, b) in arrows]
    assert not cycles, f"import cycles between packages {cycles}:\n" + "\n".join(detail)


def test_arrows_point_down_the_layers():
    wrong = [f"{a} -> {b} (layer {LAYER[a]} -> {LAYER[b]}): {', '.join(where[:3])}"
             for (a, b), where in sorted(package_graph().items())
             if a in LAYER and b in LAYER and LAYER[b] >= LAYER[a]]
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def test_the_graph_sees_every_kind_of_import(tmp_path, monkeypatch):
    """The reader itself: absolute, relative, function-level, `from edapipe import x` and
    registry strings all count, and a cycle is found (so the tests above can fail)."""
    pkg = tmp_path / "edapipe"
    for name, text in {
        "__init__.py": "__version__ = '0'\n",
        "errors.py": "",
        "aig/__init__.py": "from ..errors import *\n",
        "aig/io.py": "def f():\n    from edapipe.synth import rtl\n",
        "synth/__init__.py": "from edapipe import aig\nPASS = 'edapipe.verify.fraig:run'\n",
        "verify/__init__.py": "",
        "verify/fraig.py": "from . import sweep\nfrom edapipe.synth import common\n",
        "verify/sweep.py": "import edapipe.errors\n",
    }.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", pkg)
    arrows = package_graph()
    assert set(arrows) == {("aig", "errors"), ("aig", "synth"), ("synth", "aig"),
                           ("synth", "verify"), ("verify", "synth"), ("verify", "errors")}
    assert arrows["aig", "synth"] == ["edapipe/aig/io.py:2"]
    assert _cycles(arrows) == [["aig", "synth", "verify"]]


@pytest.mark.parametrize("kernel", sorted(str(p.relative_to(SRC)) for p in SRC.rglob(
    "*_kernels.py")))
def test_kernels_take_njit_from_util_jit(kernel):
    """A kernel decorated with numba's own njit would cache wherever numba chooses for a
    library user (util/jit.py): every kernel module takes njit from edapipe.util.jit."""
    tree = ast.parse((SRC / kernel).read_text())
    direct = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
              and n.module in ("numba", "numba.core.decorators")
              and any(a.name in ("njit", "jit") for a in n.names)]
    assert not direct, f"{kernel}:{direct[0]}: import njit from edapipe.util.jit"
