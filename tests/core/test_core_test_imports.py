"""Test modules share helpers through fixtures or helper modules, never by importing a conftest or
another test module (which runs that module's tests' import side effects twice under another name,
and hides which helpers are shared)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def test_no_test_module_imports_a_conftest_or_another_test_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in (ROOT / "tests", ROOT / "contract_tests")
        for path in sorted(folder.rglob("*.py"))
        for name in _imported_modules(path)
        if _is_test_module(name)
    ]
    assert offenders == []
