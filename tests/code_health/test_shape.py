"""The shape STYLE.md asks for, checked on the source: no import cycle in the package
(including imports hidden inside functions), the layers import only downward, and one page
render or API call builds the scenario once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "loan401k"

#: Which layer may import which (STYLE.md: law -> engine -> one service -> thin faces).
LOWER = {
    "money": set(),
    "dates": set(),
    "params": {"money"},
    "data": {"engine"},  # the returns table reuses the one definition of the portfolio mix
    "models": set(),
    "rules": {"money", "params", "models"},
    "engine": {"money", "params", "rules", "data", "models"},
    "service": {"money", "params", "rules", "engine", "data", "models"},
}
FACES = {"api", "app", "cli", "render", "web", "batch", "store"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every loan401k module this file imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("loan401k")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("loan401k"):
                continue
            for alias in node.names:  # `from . import service` imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if MODULES.get(candidate) else target)
    return {module for module in found if module in MODULES and module != name}


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "loan401k"


def find_cycle() -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH[node]):
            # a package's __init__ re-exports its modules: importing it is not a cycle back
            if target in stack and not (
                node.startswith(target + ".") and MODULES[target].name == "__init__.py"
            ):
                return stack[stack.index(target) :] + [target]
            if state.get(target) is None and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(GRAPH):
        if state.get(module) is None and (found := visit(module)):
            return found
    return None


def test_the_walk_sees_imports_inside_functions():
    assert "loan401k.service" in GRAPH["loan401k.cli"]  # `from . import render, service` in a command
    assert "loan401k.service.scenario" in GRAPH["loan401k.service.analysis"]


def test_no_import_cycle():
    assert find_cycle() is None, " -> ".join(find_cycle() or [])


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if layer(m) in LOWER))
def test_lower_layers_never_import_a_face_or_a_higher_layer(module):
    allowed = LOWER[layer(module)] | {layer(module), "dates"}
    bad = sorted(target for target in GRAPH[module] if layer(target) not in allowed and target != "loan401k")
    assert not bad, f"{module} imports {bad}"


def test_faces_call_the_service_not_the_engine():
    """A face renders what the service computed: no face imports engine arithmetic."""
    for module, targets in GRAPH.items():
        if layer(module) in FACES:
            engine = sorted(t for t in targets if layer(t) == "engine")
            assert not engine, f"{module} imports {engine}"


def test_one_page_render_builds_the_scenario_once():
    from loan401k.app import create_app
    from loan401k.service.scenario import BUILDS

    client = TestClient(create_app())
    for path in ("/", "/?amount=20000&vested_balance=90000&age=40", "/fragment?amount=9000&part=core"):
        before = BUILDS["count"]
        assert client.get(path).status_code == 200
        assert BUILDS["count"] - before == 1, path
    before = BUILDS["count"]
    body = {
        "age": 35,
        "vested_balance": 60000,
        "amount": 15000,
        "alternatives": [{"kind": "heloc", "apr_pct": 8}],
    }
    assert client.post("/api/v1/analysis", json=body).status_code == 200
    assert BUILDS["count"] - before == 1
