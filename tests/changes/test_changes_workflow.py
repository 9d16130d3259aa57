"""The CI workflow: valid YAML with the right triggers, and every command it runs exists.

``tox -e X`` / ``tox exec -e X`` must name an environment of tox.ini, and every ``sora-contract``
invocation must parse with the real argument parser, so renaming a subcommand or an option
without updating the workflow fails here instead of in a scheduled run nobody watches.
"""

from __future__ import annotations

import configparser
import itertools
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from changes_docs import REPO

from contract_tests.changes.sources import upstream_variable
from contract_tests.cli import build_parser, subcommand_names

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CONTRACT = REPO / ".github" / "workflows" / "contract.yml"


def _workflow(path: Path = CONTRACT) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(data: dict[Any, Any]) -> dict[str, Any]:
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as the boolean true
    assert isinstance(on, dict)
    return on


def _runs(data: dict[Any, Any]) -> list[str]:
    return [str(step["run"]) for job in data["jobs"].values() for step in job["steps"] if "run" in step]


def _tox_envs() -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(REPO / "tox.ini", encoding="utf-8")
    envs = {section.split(":", 1)[1] for section in parser.sections() if section.startswith("testenv:")}
    listed = parser.get("tox", "envlist", fallback=parser.get("tox", "env_list", fallback=""))
    envs |= {e.strip() for e in re.split(r"[,\s]+", listed) if e.strip()}
    return envs | {"py"}  # `[testenv]` defines the default `py` environment


_SHELL_OPERATORS = frozenset({"|", "||", ">", ">>", "&&", ";"})


def _sora_invocations(command: str) -> list[list[str]]:
    """The argument lists after each ``sora-contract`` in a shell command (one line per command)."""
    found = []
    for line in command.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line.replace("$GITHUB_STEP_SUMMARY", "summary.md"), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(itertools.takewhile(lambda w: w not in _SHELL_OPERATORS, lexer))  # not where output goes
        found += [words[i + 1:] for i, word in enumerate(words) if word == "sora-contract"]
    return found


def test_there_is_a_workflow_and_every_workflow_parses() -> None:
    assert CONTRACT in WORKFLOWS
    for path in WORKFLOWS:
        data = _workflow(path)
        assert data["jobs"], path
        for name, job in data["jobs"].items():
            assert job.get("runs-on") and job.get("steps"), f"{path.name}: job {name}"
            for step in job["steps"]:
                assert ("run" in step) != ("uses" in step), f"{path.name}: {name}: {step}"
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@v?\d+", step["uses"]), step["uses"]


def test_triggers_pull_requests_and_a_schedule() -> None:
    on = _triggers(_workflow())
    assert "pull_request" in on
    [cron] = [entry["cron"] for entry in on["schedule"]]
    assert len(cron.split()) == 5


def test_pull_requests_run_the_offline_suite_and_lint_through_tox() -> None:
    offline = _workflow()["jobs"]["offline"]
    runs = " ".join(str(s.get("run", "")) for s in offline["steps"])
    assert "tox -e py" in runs and "tox -e lint" in runs and "sora-contract lint" in runs
    assert "schedule" in offline["if"] and "!=" in offline["if"]


def test_pull_requests_and_the_schedule_run_the_suite_on_the_newest_dependencies() -> None:
    newest = _workflow()["jobs"]["newest"]
    assert "tox -e newest" in " ".join(_runs({"jobs": {"newest": newest}}))
    assert "if" not in newest  # every trigger: a release can break the suite on a night without a pull request


def test_the_schedule_runs_live_mode_and_the_upstream_diff() -> None:
    jobs = _workflow()["jobs"]
    assert "tox -e live" in " ".join(_runs({"jobs": {"live": jobs["live"]}}))
    assert "secrets.SORA_JXINCM_API_KEY" in jobs["live"]["env"]["SORA_JXINCM_API_KEY"]
    assert any("sora-contract check-upstream" in run for run in _runs({"jobs": {"u": jobs["upstream"]}}))
    for job in ("live", "upstream"):
        assert "schedule" in jobs[job]["if"]


def test_upstream_variables_cover_every_committed_document() -> None:
    env = _workflow()["jobs"]["upstream"]["env"]
    for spec in sorted((REPO / "specs").glob("*.yaml")):
        variable = upstream_variable(spec.stem)
        assert variable in env, f"the upstream job does not pass {variable} for specs/{spec.name}"
        assert f"vars.{variable}" in env[variable]


def test_every_tox_environment_used_exists() -> None:
    used = {m.group(1) for run in _runs(_workflow()) for m in re.finditer(r"\btox(?:\s+exec)?\s+-e\s+([\w,-]+)", run)}
    assert used >= {"py", "lint", "live", "newest"}
    for env in used:
        assert set(env.split(",")) <= _tox_envs(), f"tox.ini has no environment {env}"


def test_every_sora_contract_command_parses() -> None:
    parser = build_parser()
    invocations = [args for run in _runs(_workflow()) for args in _sora_invocations(run)]
    assert {args[0] for args in invocations} == {"lint", "check-upstream", "observe", "drift"}
    for args in invocations:
        assert args[0] in subcommand_names(parser)
        try:
            parser.parse_args(args)
        except SystemExit:  # argparse exits on an unknown option
            pytest.fail(f"the workflow runs an invalid command: sora-contract {' '.join(args)}")


def test_the_schedule_records_the_relays_and_reports_drift_since_the_previous_recording() -> None:
    """Issue 14: the live run is recorded, the recording kept for the next run, the previous one
    downloaded; drift is annotated and the behaviour profile lands in the job summary."""
    live = _workflow()["jobs"]["live"]
    steps = live["steps"]
    runs = " ".join(str(s.get("run", "")) for s in steps)
    assert "--live-record artifacts/relays.har" in runs and "--live-known previous/relays.har" in runs
    assert "gh run download" in runs and "--name live-recording" in runs and live["permissions"]["actions"] == "read"
    [kept] = [s for s in steps if s.get("with", {}).get("name") == "live-recording"]
    assert kept["uses"].startswith("actions/upload-artifact@") and kept["with"]["path"] == "artifacts/relays.har"
    assert "always()" in kept["if"]
    assert "!inputs.fresh" in runs  # a manual run can re-check the leniencies on record
    assert "sora-contract drift previous/relays.har artifacts/relays.har --format github --fail-on error" in runs
    assert 'sora-contract observe artifacts/relays.har --format markdown >> "$GITHUB_STEP_SUMMARY"' in runs
