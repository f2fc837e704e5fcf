"""Imports point one way (DESIGN section 8): the ticket domain and the time rules import nothing above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(m for m in imported_modules(path) if m.startswith(forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("hotline/tickets", ("hotline.dispatching", "hotline.knowledge", "hotline.supervision", "hotline.casework",
                         "hotline.web", "hotline.followups", "hotline.reminders", "hotline.notify")),
    ("hotline/deadlines", ("hotline.tickets", "hotline.casework", "hotline.web")),
    ("hotline/dispatching", ("hotline.casework", "hotline.web")),
    ("hotline/knowledge", ("hotline.casework", "hotline.web")),
    ("hotline/supervision", ("hotline.casework", "hotline.web")),
    ("hotline/privacy", ("hotline.casework", "hotline.web", "hotline.supervision", "hotline.dispatching")),
    ("classifier", ("hotline", "knowledge_base", "workers")),
    ("knowledge_base", ("hotline", "classifier", "workers")),
])
def test_imports_point_one_way(folder, forbidden):
    assert offending(folder, forbidden) == {}
