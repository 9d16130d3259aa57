"""The layers (README, "Architecture"): what may import what, kept by reading every import.

- ``contract_tests.core`` imports the standard library, openapi-core and its validators, PyYAML,
  python-multipart, and itself: no test or server framework, nothing of a layer above it.
- ``contract_tests.testing`` (strategies, respx door, plugin), the suite, live mode, the change gate
  and the CLIs sit over the core; ``mockserver`` too, and it never imports the test side, so the
  server loads neither Hypothesis, respx nor pytest.

The check reads each module's ``import`` statements (functions' bodies included, so a lazy import
cannot slip by) and, for the server, what a fresh interpreter has loaded after importing it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_ALLOWED_THIRD_PARTY = {
    "yaml", "openapi_core", "openapi_schema_validator", "openapi_spec_validator", "jsonschema_path", "python_multipart",
}
# (openapi-core itself loads werkzeug, so it is not listed; the core never imports it, the static check says so.)
FRAMEWORKS = ("pytest", "hypothesis", "respx", "starlette", "granian", "uvicorn", "httpx", "httpx2")
ABOVE_CORE = ("contract_tests.testing", "contract_tests.suite", "contract_tests.live", "contract_tests.changes",
              "contract_tests.cli", "mockserver")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def _under(name: str, prefixes: tuple[str, ...] | set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", _modules("contract_tests.core"), ids=lambda p: p.name)
def test_the_core_imports_only_the_standard_library_its_libraries_and_itself(path: Path) -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    wrong = sorted(
        name for name in _imports(path)
        if not _under(name.split(".")[0], stdlib)
        and not _under(name, ("contract_tests.core",))
        and name.split(".")[0] not in CORE_ALLOWED_THIRD_PARTY
    )
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


@pytest.mark.parametrize("path", _modules("mockserver"), ids=lambda p: p.name)
def test_the_server_never_imports_the_test_side(path: Path) -> None:
    wrong = sorted(
        name for name in _imports(path) if _under(name, ("contract_tests.testing", "hypothesis", "respx", "pytest"))
    )
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return result.stdout.split()


def test_importing_the_core_loads_no_framework_and_no_upper_layer() -> None:
    loaded = _loaded_after("import contract_tests.core, contract_tests.core.routing, contract_tests.core.service")
    assert [m for m in loaded if _under(m, FRAMEWORKS) or _under(m, ABOVE_CORE)] == []


def test_the_mock_server_loads_no_test_side_library() -> None:
    loaded = _loaded_after("import mockserver.app, mockserver.cli")
    assert [m for m in loaded if _under(m, ("hypothesis", "respx", "pytest", "contract_tests.testing"))] == []


@pytest.mark.parametrize(
    "path", [*_modules("contract_tests.changes"), ROOT / "contract_tests" / "cli.py"], ids=lambda p: p.name
)
def test_the_change_gate_uses_the_core_not_the_test_side(path: Path) -> None:
    wrong = sorted(
        name for name in _imports(path) if _under(name, ("contract_tests.testing", "hypothesis", "respx", "pytest"))
    )
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"
