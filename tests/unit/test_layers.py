"""The domain stays pure: no module under domain/ imports a framework or the outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "evsenet" / "domain"
FORBIDDEN = (
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "typer",
    "starlette",
    "evsenet.services",
    "evsenet.store",
    "evsenet.formats",
    "evsenet.api",
    "evsenet.cli",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN))
)
def test_a_domain_module_imports_no_framework_and_no_outer_layer(path: Path) -> None:
    bad = {
        name
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
