"""``sora-mock --proxy/--record/--replay`` from the command line: refuses what cannot work, and proxies
under the default server (granian) with a recording another sora-mock then replays."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from mock_http import AUTH, create, running

from contract_tests.core import har
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.cli import main
from mockserver.settings import Settings


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--record", "x.har"], "--record needs --proxy URL"),
        (["--proxy", "http://127.0.0.1:9", "--replay", "x.har"], "exclude each other"),
        (["--proxy", "ftp://relay"], "expected an http:// or https:// base URL"),
        (["--proxy", "http://127.0.0.1:9", "--proxy-token-env", "SORA_TEST_SURELY_UNSET"], "is not set"),
        (["--replay", "missing-file.har"], "missing-file.har: No such file"),
    ],
)
def test_refuses_flags_that_cannot_work(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_proxies_under_granian_and_the_recording_replays(tmp_path: Path, example: GeneratedRequest) -> None:
    recording = tmp_path / "relay.har"
    recording.write_text("left over from an earlier run")  # a run starts a new recording
    with BackgroundServer(Settings(seed=5)) as relay:
        with running("--proxy", relay.url, "--record", str(recording)) as (url, _), httpx.Client(
            base_url=url, headers=AUTH
        ) as http:
            created = create(http, example)
            refused = http.post("/v1/videos", content=b"{}", headers={"Content-Type": "application/json"})
        assert created.status_code == 200 and "sora-violations" not in created.headers
        assert refused.status_code == 415 and "sora-violations" in refused.headers
        assert [e.method for e in relay.service.journal.entries()] == ["POST", "POST"]
    entries = har.read_entries(recording)
    assert [har.annotation(e)["verdict"] for e in entries] == ["passed", "passed"]
    assert har.annotation(entries[1])["probe"]["class"] == "json_body"
    with running("--replay", str(recording)) as (url, _), httpx.Client(base_url=url, headers=AUTH) as http:
        replayed = http.post("/v1/videos", content=b"{}", headers={"Content-Type": "application/json"})
        assert replayed.json() == json.loads(entries[1]["response"]["content"]["text"])
        assert http.get("/__admin/requests").json()["data"][0]["replayed"] is True
