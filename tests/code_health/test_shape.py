"""The shape STYLE.md asks for, checked on the source: no import cycle in the package
(including imports hidden inside functions), the layers import only downward, and one page
render or API call builds the scenario once. The checker itself is tried on planted cycles
and breaches (a synthetic package in a temporary directory), so a breach cannot pass."""

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
    "i18n": set(),  # the language, the catalogue, numbers and dates for people (issue 15)
    "params": {"money", "i18n"},  # the citations, in the request's language
    "data": {"engine"},  # the returns table reuses the one definition of the portfolio mix
    # the layers that write sentences a person reads mark them for the catalogue (i18n)
    "models": {"i18n"},
    "rules": {"money", "params", "models", "i18n"},
    "engine": {"money", "params", "rules", "data", "models", "i18n"},
    "service": {"money", "params", "rules", "engine", "data", "models", "i18n"},
}
#: The faces and what serves only them (the API's schema, the server's knobs, its gates
#: and the save counter): they parse, call the service and render.
FACES = {
    "api",
    "app",
    "cli",
    "render",
    "web",
    "batch",
    "store",
    "openapi",
    "settings",
    "gate",
    "throttle",
    "server",
    "answers",
    "cache",
}
#: Issue 16's rules for the faces: they never import the engine or the law (`params`);
#: figures come from the service. (engine never imports service or a face, and rules never
#: import engine: LOWER.)
FACES_NEVER = {"engine", "params"}
#: Breaches found when the rule was added (issue 16), each to be routed through the service;
#: the test fails on any other breach, and on a listed one that is gone (shrink the list).
KNOWN_BREACHES = {
    ("loan401k.batch", "loan401k.params"): "the law's cents for the polars evaluator",
    ("loan401k.openapi", "loan401k.params"): "the term caps and the first date in the schema",
}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: dict[str, Path] | None = None, root: Path = PACKAGE) -> set[str]:
    """Every loan401k module this file imports, at the top or inside a function."""
    modules = MODULES if modules is None else modules
    name = module_name(path, root)
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
                found.add(candidate if modules.get(candidate) else target)
    return {module for module in found if module in modules and module != name}


def import_graph(package: Path) -> tuple[dict[str, Path], dict[str, set[str]]]:
    """The package's modules and, for each, the package modules it imports."""
    modules = {module_name(path, package): path for path in package.rglob("*.py")}
    return modules, {name: imports_of(path, modules, package) for name, path in modules.items()}


MODULES, GRAPH = import_graph(PACKAGE)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "loan401k"


def find_cycle(
    graph: dict[str, set[str]] | None = None, modules: dict[str, Path] | None = None
) -> list[str] | None:
    graph = GRAPH if graph is None else graph
    modules = MODULES if modules is None else modules
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            # a package's __init__ re-exports its modules: importing it is not a cycle back
            if target in stack and not (
                node.startswith(target + ".") and modules[target].name == "__init__.py"
            ):
                return stack[stack.index(target) :] + [target]
            if state.get(target) is None and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if state.get(module) is None and (found := visit(module)):
            return found
    return None


def breaches(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every import that breaks a layer rule: (importer, imported)."""
    found = set()
    for module, targets in graph.items():
        home = layer(module)
        for target in targets:
            there = layer(target)
            if home in LOWER and there not in LOWER[home] | {home, "dates"} and target != "loan401k":
                found.add((module, target))
            elif home in FACES and there in FACES_NEVER:
                found.add((module, target))
    return found


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


def test_every_module_has_a_layer():
    """A new module is placed in a layer (LOWER or FACES) before its imports can be checked."""
    unplaced = sorted(m for m in GRAPH if layer(m) not in LOWER and layer(m) not in FACES and m != "loan401k")
    assert not unplaced, f"place these modules in LOWER or FACES: {unplaced}"


def test_faces_never_import_the_engine_or_the_law():
    found = {(m, t) for m, t in breaches(GRAPH) if layer(m) in FACES}
    assert found <= set(KNOWN_BREACHES), sorted(found - set(KNOWN_BREACHES))
    assert set(KNOWN_BREACHES) <= found, f"fixed, drop from KNOWN_BREACHES: {set(KNOWN_BREACHES) - found}"


def test_no_breach_but_the_known_ones():
    assert breaches(GRAPH) == set(KNOWN_BREACHES)


# --------------------------------------------------------------------------- the checker itself

PLANTED = {
    "__init__.py": "",
    "money.py": "",
    "models.py": "",
    "engine/__init__.py": "",
    "engine/market.py": "from ..money import ZERO\n",
    "rules/__init__.py": "",
    "rules/limits.py": "from ..money import ZERO\n",
    "service/__init__.py": "from .core import limit\n",
    "service/core.py": "from ..rules import limits\nfrom ..engine import market\n",
    "cli.py": "def main():\n    from . import service\n",
}


def planted(tmp_path: Path, **changes: str) -> tuple[dict[str, Path], dict[str, set[str]]]:
    root = tmp_path / "loan401k"
    for name, text in {**PLANTED, **changes}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return import_graph(root)


def test_the_planted_package_is_clean(tmp_path):
    modules, graph = planted(tmp_path)
    assert graph["loan401k.cli"] == {"loan401k.service"}  # an import inside a function
    assert find_cycle(graph, modules) is None and breaches(graph) == set()


@pytest.mark.parametrize(
    "file, text, breach",
    [
        ("cli.py", "from .engine.market import x\n", ("loan401k.cli", "loan401k.engine.market")),
        ("cli.py", "def f():\n    from .params import p\n", ("loan401k.cli", "loan401k.params")),
        (
            "engine/market.py",
            "def f():\n    from ..service import core\n",
            ("loan401k.engine.market", "loan401k.service.core"),
        ),
        ("engine/market.py", "import loan401k.cli\n", ("loan401k.engine.market", "loan401k.cli")),
        (
            "rules/limits.py",
            "from ..engine import market\n",
            ("loan401k.rules.limits", "loan401k.engine.market"),
        ),
    ],
    ids=["face-engine", "face-params-in-a-function", "engine-service", "engine-face", "rules-engine"],
)
def test_a_planted_breach_is_found(tmp_path, file, text, breach):
    extra = {"params.py": ""} if "params" in text else {}
    _, graph = planted(tmp_path, **{file: PLANTED[file] + text}, **extra)
    assert breach in breaches(graph)


def test_a_planted_cycle_hidden_in_a_function_is_found(tmp_path):
    modules, graph = planted(tmp_path, **{"rules/limits.py": "def f():\n    from ..service import core\n"})
    cycle = find_cycle(graph, modules)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert {"loan401k.rules.limits", "loan401k.service.core"} <= set(cycle)
