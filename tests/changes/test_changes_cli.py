"""The ``sora-contract`` command line: exit codes 0/1/2, formats, files, and ``python -m``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from changes_docs import REPO, base_document, dump, request_schema

from contract_tests.changes.rules import CATALOG, markdown_table
from contract_tests.cli import build_parser, main, subcommand_names


def _write(path: Path, doc: dict[str, object]) -> str:
    path.write_text(dump(doc), encoding="utf-8")
    return str(path)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str, str]:
    """(old, compatible new, breaking new) documents on disk."""
    old = _write(tmp_path / "old.yaml", base_document())
    compatible = base_document()
    compatible["paths"]["/v1/videos"]["post"]["summary"] = "renamed"
    breaking = base_document()
    request_schema(breaking)["required"].append("size")
    return old, _write(tmp_path / "compatible.yaml", compatible), _write(tmp_path / "breaking.yaml", breaking)


def test_subcommands_are_registered() -> None:
    assert {"diff", "lint", "adopt", "check-upstream", "rules"} <= subcommand_names(build_parser())


def test_diff_exit_codes_follow_fail_on(pair: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    old, compatible, breaking = pair
    assert main(["diff", old, breaking]) == 0  # no --fail-on: report only
    assert "request-property-became-required" in capsys.readouterr().out
    assert main(["diff", old, breaking, "--fail-on", "error"]) == 1
    assert main(["diff", old, compatible, "--fail-on", "error"]) == 0
    assert main(["diff", old, compatible, "--fail-on", "warning"]) == 0
    assert main(["diff", old, compatible, "--fail-on", "info"]) == 1


@pytest.mark.parametrize("bad", ["missing.yaml", "notes.md"])
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, pair: tuple[str, str, str], bad: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.md").write_text("# just notes\n\nno spec here\n", encoding="utf-8")
    assert main(["diff", pair[0], str(tmp_path / bad), "--fail-on", "error"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"sora-contract: error: {tmp_path / bad}: ")
    assert "Traceback" not in err


def test_output_and_summary_files(pair: tuple[str, str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Job\n", encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["diff", pair[0], pair[2], "-f", "json", "-o", str(out), "--summary", str(summary)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["error"] == 1
    assert summary.read_text(encoding="utf-8").startswith("# Job\n## ")
    assert "request-property-became-required" in summary.read_text(encoding="utf-8")


def test_lint_defaults_to_every_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "specs", specs, ignore=shutil.ignore_patterns("*.json"))
    monkeypatch.setenv("SORA_SPECS_DIR", str(specs))
    assert main(["lint", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {Path(f["source"]).name for f in data["findings"]} == {
        "chainhub.yaml", "jxincm-private.yaml", "jxincm-character.yaml"}
    assert main(["lint", "--fail-on", "warning"]) == 1
    capsys.readouterr()
    # one document by id: siblings still inform it (chainhub's sizes flag 16x9), only its findings print
    assert main(["lint", "jxincm-private", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {Path(f["source"]).name for f in data["findings"]} == {"jxincm-private.yaml"}
    assert "example-contradicts-sibling-document" in {f["rule"] for f in data["findings"]}
    assert main(["lint", "no-such-doc"]) == 2
    assert "no-such-doc: no such file, URL or document id" in capsys.readouterr().err


def test_rules_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(CATALOG)


def test_docs_rules_table_is_up_to_date() -> None:
    """``docs/rules.md`` is generated from the catalog; regenerate it when a rule changes."""
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == markdown_table()


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: sora-contract" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_cli(pair: tuple[str, str, str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "contract_tests", "diff", pair[0], pair[2], "--fail-on", "error",
                           "-f", "github"], capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::error file=")
