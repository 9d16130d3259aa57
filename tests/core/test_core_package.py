"""The package re-exports the public API, and loads a name's module only when it is used."""

from __future__ import annotations

import subprocess
import sys

import contract_tests


def test_every_public_name_resolves() -> None:
    assert sorted(contract_tests.__all__) == sorted(contract_tests._EXPORTS)
    for name in contract_tests.__all__:
        assert getattr(contract_tests, name) is not None


def test_the_mock_server_does_not_load_test_side_libraries() -> None:
    code = "import sys, mockserver.app; print(sorted(m for m in ('hypothesis', 'respx') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
