"""Imports point downwards: `domain/` uses no framework and no other layer; `formats/`
uses no web, database or CLI framework and no layer above it (STYLE.md, "The house")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "evsenet"
FRAMEWORKS = {"sqlalchemy", "alembic", "fastapi", "starlette", "pydantic", "typer", "uvicorn"}
FORBIDDEN = {
    "domain": FRAMEWORKS
    | {f"evsenet.{layer}" for layer in ("services", "store", "formats", "api", "web", "cli")},
    "formats": (FRAMEWORKS - {"pydantic"})
    | {f"evsenet.{layer}" for layer in ("services", "store", "api", "web", "cli")},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_imports_no_framework_and_no_upper_layer(layer: str) -> None:
    offending = {
        f"{path.relative_to(SOURCE)}: {name}"
        for path in (SOURCE / layer).rglob("*.py")
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    }
    assert not offending, sorted(offending)


def test_the_check_sees_imports() -> None:
    assert "evsenet.domain.errors" in _imports(SOURCE / "domain" / "tariff.py")
