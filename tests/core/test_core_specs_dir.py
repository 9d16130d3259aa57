"""Which documents are in use: the contract suite follows ``SORA_SPECS_DIR``, these tests pin the bundled ones."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from contract_tests.core.bundled import SPECS_ENV, bundled_specs_dir, specs_dir

ROOT = Path(__file__).resolve().parents[2]
# The inner run: a toolkit test about chainhub's bundled document, the suite's chainhub tests that
# the extra property changes, and the test of issue 10 (sora-mock --upstream chainhub), in an order
# where the suite runs between toolkit tests in one process, as under pytest-xdist.
INNER = [
    "tests/core/test_core_specs.py::test_registry_loads_the_three_documents_with_their_ids",
    "contract_tests/suite",
    "tests/mockserver/test_mock_cli.py::test_chainhub_upstream_enforces_chainhub_documents",
]


def test_in_a_checkout_the_bundled_documents_are_its_specs_folder() -> None:
    assert bundled_specs_dir() == ROOT / "specs"


def test_the_toolkit_tests_see_the_bundled_documents() -> None:
    """Pinned by tests/conftest.py, visible to subprocesses too (so sora-mock started here agrees)."""
    assert os.environ[SPECS_ENV] == str(bundled_specs_dir())
    assert specs_dir() == bundled_specs_dir()


def _chainhub_requires_region(directory: Path) -> None:
    """A copy of specs/ where chainhub requires one more property, as a new upstream version might."""
    shutil.copytree(bundled_specs_dir(), directory)
    document = directory / "chainhub.yaml"
    text = document.read_text(encoding="utf-8")
    properties = "                private:\n"
    required = "              required:\n                - model\n"
    assert properties in text and required in text
    region = "".join(" " * 16 + line + "\n" for line in ("region:", "  type: string", "  enum: [eu]", "  example: eu"))
    text = text.replace(properties, region + properties).replace(required, required + "                - region\n")
    document.write_text(text, encoding="utf-8")


def test_under_an_edited_specs_dir_the_suite_follows_it_and_the_toolkit_tests_still_pass(tmp_path: Path) -> None:
    edited = tmp_path / "specs"
    _chainhub_requires_region(edited)
    env = {**os.environ, SPECS_ENV: str(edited)}
    selection = "chainhub and (region or example or accepted or enforces) or three_documents"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", "--hypothesis-profile", "dev",
         "-k", selection, *INNER],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = re.findall(r"^PASSED (\S+)", run.stdout, re.MULTILINE)
    assert INNER[0] in passed and INNER[2] in passed  # the toolkit's tests ran, on the bundled documents
    # The suite ran on the edited copy: it generated requests missing the new property.
    assert any("chainhub-missing_required:region" in test for test in passed), passed
    assert "region='eu'" in run.stdout  # chainhub's own example, as the suite sent it
