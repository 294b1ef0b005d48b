"""The house rules a newcomer relies on, checked rather than remembered."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARON = ROOT / "sharon"


def _public_functions_without_docstrings() -> list[str]:
    missing = []
    for path in sorted(SHARON.rglob("*.py")):
        tree = ast.parse(path.read_text())

        def visit(node: ast.AST, prefix: str, path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    if not child.name.startswith("_") and ast.get_docstring(child) is None:
                        missing.append(f"{path.relative_to(ROOT)}:{child.lineno} "
                                       f"{prefix}{child.name}")
                elif isinstance(child, ast.ClassDef) and not child.name.startswith("_"):
                    visit(child, f"{prefix}{child.name}.")

        visit(tree, "")
    return missing


def test_every_public_function_says_why_it_exists():
    assert _public_functions_without_docstrings() == []


def test_infrastructure_knows_no_area():
    areas = ("forums", "wall", "library", "moderation", "admin", "invitations", "account",
             "auth", "pages")
    for path in (SHARON / "infra").glob("*.py"):
        imported = {node.module for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.ImportFrom) and node.module}
        for area in areas:
            assert not any(m == f"sharon.{area}" or m.startswith(f"sharon.{area}.")
                           for m in imported), (path.name, area)


def test_no_area_imports_another_areas_views():
    """Views are an area's own pages; what two areas share lives in a module of its own."""
    found = []
    for path in SHARON.rglob("*.py"):
        area = path.relative_to(SHARON).parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.endswith(".views") and node.module.startswith("sharon.") and \
                    node.module != f"sharon.{area}.views" and path.name != "__init__.py":
                found.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert found == []


def test_test_files_are_named_for_behaviour_not_history():
    for path in (ROOT / "tests").rglob("test_*.py"):
        assert not any(word in path.stem for word in ("fixes", "regression", "misc",
                                                       "new_", "second_")), path
