"""The shape of the package: imports flow one way, and ``import tthc_flow`` stays light.

The import graph is read from the source (every ``import`` statement, inside functions too;
imports under ``if TYPE_CHECKING:`` are for the type checker only and are left out), so a
cycle hidden by a function-level import is a failure as well (issue 16).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS: dict[str, int] = {
    "tthc_flow.errors": 0,
    "tthc_flow._time": 0,
    "tthc_flow._located": 0,
    "tthc_flow._yaml": 0,
    "tthc_flow._numbers": 0,
    "tthc_flow._safe_text": 0,
    "tthc_flow._choices": 0,
    "tthc_flow._labels": 0,
    "tthc_flow.calendar": 1,
    "tthc_flow.procedure": 1,
    "tthc_flow.engine": 2,
    "tthc_flow.store": 3,
    "tthc_flow.reports": 4,
    "tthc_flow.portal": 4,
    "tthc_flow.notify": 4,
    "tthc_flow.audit": 4,
    "tthc_flow.simulation": 5,
    "tthc_flow.forecast": 6,
    "tthc_flow.testing": 6,
    "tthc_flow.cli": 6,
}
"""Each part of the package and its layer: a part imports only parts of its own or lower
layers, without cycles (the
engine never imports a store, a store never a report; docs/concepts.md, "Layers")."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """The tthc_flow modules that ``name`` imports when it runs."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _part(module: str) -> str | None:
    """The entry of LAYERS a module belongs to (the CLI's helper modules belong to the CLI)."""
    if module.startswith("tthc_flow._cli"):
        return "tthc_flow.cli"
    for part in sorted(LAYERS, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    return None


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            connect(v)
    return found


def test_the_graph_is_read_from_the_source() -> None:
    # the walker itself: known edges are found, including a function-level import
    assert "tthc_flow.engine._store_port" in GRAPH["tthc_flow.engine._engine"]
    assert "tthc_flow._yaml" in GRAPH["tthc_flow.procedure._loader"]  # inside a function
    assert "tthc_flow.engine._dossier" not in GRAPH["tthc_flow.engine._store_port"]  # TYPE_CHECKING


def test_no_import_cycle_in_the_package() -> None:
    assert _cycles() == []


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if m != "tthc_flow" and _part(m) is None] == []


def test_imports_flow_from_higher_layers_to_lower_ones() -> None:
    upward = []
    for module, imported in GRAPH.items():
        here = _part(module)
        if here is None:  # the package's own __init__: a facade over the layers
            continue
        for other in imported:
            there = _part(other)
            if there is not None and there != here and LAYERS[there] > LAYERS[here]:
                upward.append(f"{module} -> {other}")
    assert sorted(upward) == []


HEAVY = ("sqlalchemy", "numpy", "rich", "lxml", "click", "yaml", "matplotlib", "openpyxl")


@pytest.mark.parametrize(
    "statement",
    [
        "import tthc_flow",
        "import tthc_flow.engine",
        "from tthc_flow.store import MemoryStore",
        "from tthc_flow import Engine, MemoryStore, WorkCalendar",
    ],
)
def test_the_core_loads_no_optional_or_heavy_package(statement: str) -> None:
    probe = f"import sys\n{statement}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_sql_store_is_there_when_asked_for() -> None:
    probe = "import sys, tthc_flow\nstore = tthc_flow.SqlStore\nprint('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
