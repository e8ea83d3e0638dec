"""The project's own guards (issue 16): one version source, declared dependencies that the
package uses, and CI, `make lint` and pre-commit running the same checks."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import yaml

import loan401k

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SOURCE = ROOT / "src" / "loan401k"

#: distribution name -> the module it is imported as
IMPORT_NAMES = {"pyyaml": "yaml", "python-multipart": "multipart", "psycopg": "psycopg"}
#: dependencies the package uses through another library, with the text in src/ that needs them
USED_THROUGH = {
    "python-multipart": ("request.form()", "Starlette parses a form post with it"),
    "psycopg": ("postgresql+psycopg", "SQLAlchemy's PostgreSQL driver for LOAN401K_DATABASE_URL"),
    "jinja2": ("Jinja2Templates", "FastAPI's templates are Jinja2"),
}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_one_version_source():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "loan401k.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", loan401k.__version__)


def unused_dependencies(requirements: list[str], imported: set[str], text: str) -> list[str]:
    unused = []
    for requirement in requirements:
        name = _name(requirement)
        if name in USED_THROUGH:
            needle, why = USED_THROUGH[name]
            if needle not in text:
                unused.append(f"{name} ({why}: no {needle!r} left)")
        elif IMPORT_NAMES.get(name, name.replace("-", "_")) not in imported:
            unused.append(name)
    return unused


def test_every_declared_dependency_is_used():
    text = "\n".join(path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py"))
    unused = unused_dependencies(PYPROJECT["project"]["dependencies"], _imported_modules(), text)
    assert not unused, f"declared in pyproject.toml but not used by src/loan401k: {unused}"


def test_the_check_finds_an_unused_dependency():
    """typer was declared and never imported (issue 16); a driver nobody names is unused too."""
    imported = {"numpy", "yaml"}
    found = unused_dependencies(
        ["typer>=0.12", "numpy>=1.26", "pyyaml>=6", "psycopg[binary]>=3.1"], imported, ""
    )
    assert found == [
        "typer",
        "psycopg (SQLAlchemy's PostgreSQL driver for LOAN401K_DATABASE_URL: no 'postgresql+psycopg' left)",
    ]


def _make_recipe(target: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert block, f"no {target} target"
    return [line.strip() for line in block.group(1).splitlines()]


def test_lint_runs_ruff_formatting_and_mypy():
    recipe = _make_recipe("lint")
    assert "$(BIN)/ruff check src tests bench" in recipe
    assert "$(BIN)/ruff format --check src tests bench" in recipe
    assert "$(BIN)/mypy" in recipe
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True and mypy["files"] == ["src/loan401k"]


def test_ci_runs_lint_then_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line.startswith("make ")]
    assert commands == ["make lint", "make test"]
    assert "set -euo pipefail" in lines  # a failing lint stops the run


def test_pre_commit_runs_the_same_checks_locally():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to fetch
    entries = {hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    assert entries == {".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy"}
    lint = " ".join(_make_recipe("lint"))
    for entry in entries:
        assert entry.replace(".venv/bin/", "$(BIN)/") in lint
