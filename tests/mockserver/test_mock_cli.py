"""The command: starts on its defaults, prints what to paste, stops cleanly, refuses what it cannot do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import AUTH, create

from contract_tests.specs import specs_dir
from contract_tests.strategies import GeneratedRequest
from mockserver.cli import _spec, main

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "mockserver", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.communicate()[0]) from None
                time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
        made = []
        for _ in range(8):  # a new connection each time, so requests land on both workers
            with httpx.Client(base_url=url, headers=AUTH) as http:
                made.append(create(http, example).json()["id"])
        for _ in range(8):
            with httpx.Client(base_url=url, headers=AUTH) as http:
                listed = [v["id"] for v in http.get("/v1/videos", params={"limit": 100}).json()["data"]]
                assert sorted(listed) == sorted(made)
        journal = httpx.get(f"{url}/__admin/requests").json()["data"]
        assert len(journal) == 16


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
