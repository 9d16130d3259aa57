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

import json
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
REPORT = "schemathesis.json"
# A 416 answers a well-formed Range the representation is too short for (RFC 9110): like a 404 for an
# unknown id, it depends on the resource, not on the request's shape, so it counts as acceptance on
# the content route (Schemathesis' own list of accepting statuses, plus 416, there only).
# The calls that take an uploaded video (edits, extensions, characters) need an MP4, which no schema
# keyword can state (schemathesis_hooks.py puts one in the generated bodies); Schemathesis' coverage
# phase builds its boundary cases without those hooks (a PNG placeholder, and both forms of a
# body-level oneOf at once), so for these three only the examples and fuzzing phases run.
CONFIG = """
[[operations]]
include-name = "GET /v1/videos/{video_id}/content"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx", "416"]

[[operations]]
include-path-regex = "^/v1/videos/(edits|extensions|characters)$"
phases.coverage.enabled = false
"""


def _st() -> str:
    """The ``st`` script of this interpreter's environment."""
    found = Path(sys.executable).with_name("st")
    if found.exists():
        return str(found)
    return shutil.which("st") or pytest.fail("schemathesis is not installed (pip install -e '.[dev]')")


def run_schemathesis(url: str, tmp_path: Path, seed: int = 12) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    return subprocess.run(
        [
            _st(), "--config-file", str(config), "run", f"{url}/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", str(seed),
            "--workers", "1",
            "--phases", "examples,coverage,fuzzing",
            "--header", f"Authorization: Bearer {TOKEN}",
            "--request-timeout", "10",
            "--report", "json",
            "--report-json-path", str(tmp_path / REPORT),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no schemathesis.toml of anyone else's is picked up
        env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(HERE)},
    )


@pytest.mark.parametrize("upstream", ["jxincm", "chainhub"])  # two documents for one create; one
def test_schemathesis_finds_nothing_against_the_served_document(upstream: str, tmp_path: Path) -> None:
    with BackgroundServer(Settings(upstream=upstream, render_seconds=0.0, seed=3)) as server:
        result = run_schemathesis(server.url, tmp_path)
    output = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, output
    report = json.loads((tmp_path / REPORT).read_text())
    assert report["failures"] == [] and report["errors"] == [], output
    operations = report["operations"]
    assert operations["tested"] == operations["total"] >= 10 and operations["errored"] == 0, operations
    # The run reached the contract: generated creates were accepted (a vacuous schema would not be).
    assert report["valid_rates"]["POST /v1/videos"]["fuzzing"]["accepted"] > 0, report["valid_rates"]


def test_schemathesis_stays_out_of_this_suites_pytest_and_hypothesis(pytestconfig: pytest.Config) -> None:
    """Installed with the dev extras, Schemathesis' pytest plugin would load in every run; addopts keeps it out."""
    assert not pytestconfig.pluginmanager.has_plugin("schemathesis")
    assert "schemathesis" not in sys.modules
