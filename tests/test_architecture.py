"""The app graph of docs/ARCHITECTURE.md: dependencies point one way, and no import hides in a
function to dodge a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("live", "responders", "triage", "calls", "exchange")
# Which apps each app may import (besides itself and the project package acs_dispatch).
ALLOWED = {
    "live": set(),
    "responders": {"live"},
    "triage": {"live"},
    "calls": {"live", "responders", "triage"},
    "exchange": {"calls", "live", "responders", "triage"},
}


def _modules(app: str):
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text())


def _imported_app(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return node.module.split(".")[0]
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    return None


def test_it_points_every_app_dependency_one_way():
    wrong = []
    for app in APPS:
        for path, tree in _modules(app):
            for node in ast.walk(tree):
                other = _imported_app(node)
                if other in APPS and other != app and other not in ALLOWED[app]:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {other}")
    assert wrong == []


def test_it_keeps_live_free_of_the_project_package_too():
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _modules("live")
        for node in ast.walk(tree)
        if _imported_app(node) == "acs_dispatch"
    ]
    assert wrong == []


def test_it_places_no_app_import_inside_a_function():
    # AppConfig.ready is the one place Django wants app code imported late (the registry is not ready
    # before it): calls registers what it hands triage there.
    wrong = []
    for app in APPS:
        for path, tree in _modules(app):
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name == "ready":
                    continue
                for node in ast.walk(func):
                    if _imported_app(node) in (*APPS, "acs_dispatch"):
                        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} in {func.name}()")
    assert wrong == []
