"""The package re-exports the public API; the test side's names load only when used."""

from __future__ import annotations

import subprocess
import sys

import contract_tests


def test_every_public_name_resolves() -> None:
    assert set(contract_tests.__all__) >= contract_tests.TESTING_NAMES
    for name in contract_tests.__all__:
        assert getattr(contract_tests, name) is not None


def test_importing_the_package_does_not_load_test_side_libraries() -> None:
    code = "import sys, contract_tests; print(sorted(m for m in ('hypothesis', 'respx', 'pytest') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
