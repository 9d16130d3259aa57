"""The command: starts on its defaults, prints what to paste, stops cleanly, refuses what it cannot do."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from mock_http import AUTH, PYTHON, create, running

from contract_tests.core.specs import specs_dir
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.cli import _spec, main

# A new connection per request, until both workers have answered (or this many): the kernel
# spreads connections over the workers, it does not alternate them.
MAX_CONNECTIONS = 100


def _journal(url: str) -> list[dict]:
    return list(httpx.get(f"{url}/__admin/requests").json()["data"])


def test_starts_prints_the_banner_and_stops_on_ctrl_c(example: GeneratedRequest) -> None:
    with running("--render-seconds", "1", "--seed", "3") as (url, process):
        with httpx.Client(base_url=url, headers=AUTH) as http:
            assert create(http, example).status_code == 200
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert f"listening on {url}" in output
    assert "upstream:  jxincm" in output and "curl -s" in output
    assert "Traceback" not in output


def test_chainhub_upstream_enforces_chainhub_documents() -> None:
    with running("--upstream", "chainhub") as (url, _):
        fields = {"model": (None, "sora-2"), "prompt": (None, "x")}
        response = httpx.post(f"{url}/v1/videos", headers=AUTH, files=fields)
        assert response.status_code == 200, response.text  # chainhub requires only model and prompt


def test_workers_share_sqlite_state(tmp_path: Path, example: GeneratedRequest) -> None:
    with running("--workers", "2", "--state", str(tmp_path / "s.sqlite"), "--render-seconds", "0") as (url, _):
        made: list[str] = []
        creators: set[int] = set()
        while len(creators) < 2 and len(made) < MAX_CONNECTIONS:
            with httpx.Client(base_url=url, headers=AUTH) as http:
                made.append(create(http, example).json()["id"])
            creators = {e["worker"] for e in _journal(url) if e["method"] == "POST"}
        assert len(creators) == 2, f"{len(made)} creates, all answered by worker {creators}"
        listers: set[int] = set()
        lists = 0
        while len(listers) < 2 and lists < MAX_CONNECTIONS:
            lists += 1
            with httpx.Client(base_url=url, headers=AUTH) as http:
                listed = [v["id"] for v in http.get("/v1/videos", params={"limit": 100}).json()["data"]]
            assert sorted(listed) == sorted(made)  # whichever worker answered sees every video
            listers = {e["worker"] for e in _journal(url) if e["method"] == "GET"}
        assert listers == creators, f"{lists} lists answered by {listers}, creates by {creators}"
        assert len(_journal(url)) == len(made) + lists  # every worker's requests, in the one journal


def test_refuses_workers_without_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--workers", "2"]) == 2
    assert "--state" in capsys.readouterr().err


def test_bad_spec_and_unknown_upstream_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("not: [an, openapi")
    assert main(["--spec", str(broken)]) == 2
    assert "broken.yaml" in capsys.readouterr().err
    assert main(["--upstream", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_spec_replaces_a_document_by_name(tmp_path: Path) -> None:
    data = yaml.safe_load((specs_dir() / "chainhub.yaml").read_text(encoding="utf-8"))
    schema = data["paths"]["/v1/videos"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema["required"] = ["prompt"]  # a "new version" where model became optional
    newer = tmp_path / "chainhub-v2.yaml"
    newer.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _spec(f"chainhub={newer}") == ("chainhub", str(newer.resolve()))
    with running("--spec", f"chainhub={newer}") as (url, process):
        response = httpx.post(f"{url}/v1/videos", headers=AUTH, files={"prompt": (None, "no model")})
        assert response.status_code == 200, response.text
    assert "upstream:  chainhub (documents: chainhub)" in (process.stdout.read() if process.stdout else "")


def test_no_arguments_means_the_documented_defaults() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    help_text = subprocess.run([PYTHON, "-m", "mockserver", "--help"], capture_output=True, text=True, env=env).stdout
    for default in ("default: 127.0.0.1", "default: 4010", "default: jxincm", "default: 30", "default: 50"):
        assert default in help_text, default
