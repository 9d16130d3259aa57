"""Schemathesis against the running mock: /openapi.json says exactly what the mock accepts and answers.

Schemathesis reads the served document, generates requests that the document calls valid and sends
them to a real sora-mock. ``positive_data_acceptance`` fails when a schema-valid request is refused
(the document promises more than the checker accepts), ``response_schema_conformance`` when an
answer is not documented with its schema, ``not_a_server_error`` on any 5xx.

Schemathesis runs in a subprocess (its CLI), so its Hypothesis settings and profiles never touch
this suite's (tests/conftest.py loads the suite's profile; pyproject disables Schemathesis' pytest
plugin with ``-p no:schemathesis``). The run is bounded: a fixed seed, a few examples per operation.
Videos render at once (``render_seconds=0``), so content and remix of a created video are ready;
schemathesis_hooks.py drops the ``Prefer`` values that ask for a failure on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mock_http import TOKEN

from mockserver.background import BackgroundServer
from mockserver.settings import Settings

CHECKS = "positive_data_acceptance,not_a_server_error,response_schema_conformance"
MAX_EXAMPLES = 25
HERE = Path(__file__).parent


def _st() -> str:
    """The ``st`` script of this interpreter's environment."""
    found = Path(sys.executable).with_name("st")
    if found.exists():
        return str(found)
    return shutil.which("st") or pytest.fail("schemathesis is not installed (pip install -e '.[dev]')")


def run_schemathesis(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _st(), "run", f"{url}/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", "12",
            "--workers", "1",
            "--phases", "examples,coverage,fuzzing",
            "--header", f"Authorization: Bearer {TOKEN}",
            "--request-timeout", "10",
            "--report-dir", str(tmp_path),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no schemathesis.toml of anyone else's is picked up
        env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(HERE)},
    )


def test_schemathesis_finds_nothing_against_the_served_document(tmp_path: Path) -> None:
    with BackgroundServer(Settings(render_seconds=0.0, seed=3)) as server:
        result = run_schemathesis(server.url, tmp_path)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout or "passed" in result.stdout, report
