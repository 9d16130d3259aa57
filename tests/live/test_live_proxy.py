"""``sora-mock --proxy`` in front of a stand-in relay with its own error convention, end to end on loopback.

The stand-in (``coded_errors``) answers a missing field with HTTP 200 and ``{"code": 40001, "msg"}`` and
malformed multipart with a 400 ``text/plain``: the proxy must forward both untouched, flag them in the
``sora-violations`` header and the journal, and record them as HAR 1.2 with no secret and no upload
bytes, which ``observe`` reads and ``sora-mock --replay`` answers from, offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from live_upstreams import Upstream, serve

from contract_tests.cli import main as sora_contract
from contract_tests.core import har
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import GeneratedRequest, example_request
from mockserver.background import BackgroundServer
from mockserver.proxy import VIOLATIONS_HEADER
from mockserver.settings import Settings

TOKEN = "sk-PROXYCANARY-7c2e9b41d0"
SCHEMA = json.loads(Path(__file__).with_name("har-1.2.schema.json").read_text("utf-8"))
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def example() -> GeneratedRequest:
    return example_request(load_registry().document("chainhub"))


def without(request: GeneratedRequest, name: str) -> GeneratedRequest:
    """The example with one field left out (re-encoded by the strategies' own encoder)."""
    from contract_tests.core.multipart import encode_multipart

    parts = tuple(p for p in request.parts if p.name != name)
    return replace(request, parts=parts, body=encode_multipart(parts, request.boundary))


def post(client: httpx.Client, request: GeneratedRequest, **headers: str) -> httpx.Response:
    return client.post("/v1/videos", content=request.body, headers={**request.headers, **AUTH, **headers})


@pytest.fixture(scope="module")
def relay() -> Iterator[Upstream]:
    with serve("chainhub", "coded_errors", render_seconds=1) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def proxied(relay: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One proxy run: a valid create, a missing field, malformed multipart, a poll; its recording."""
    path = tmp_path_factory.mktemp("proxy") / "coded.har"
    settings = Settings(upstream="chainhub", proxy=relay.base_url, record=str(path), proxy_timeout=10)
    with BackgroundServer(settings) as server, httpx.Client(base_url=server.url, timeout=20) as client:
        valid = post(client, example())
        missing = post(client, without(example(), "prompt"))
        garbled = client.post("/v1/videos", content=b"--nope\r\n\r\nbroken",
                              headers={**AUTH, "Content-Type": "multipart/form-data; boundary=zzz"})
        poll = client.get(f"/v1/videos/{valid.json()['id']}", headers=AUTH)
        journal = client.get("/__admin/requests").json()["data"]
    yield {"valid": valid, "missing": missing, "garbled": garbled, "poll": poll, "journal": journal, "har": path,
           "relay": relay}


def violations(response: httpx.Response) -> list[dict[str, Any]]:
    value = response.headers.get(VIOLATIONS_HEADER)
    return json.loads(value) if value else []


def test_the_relays_answers_pass_through_untouched(proxied: dict[str, Any]) -> None:
    assert proxied["valid"].status_code == 200 and proxied["valid"].json()["object"] == "video"
    assert proxied["missing"].status_code == 200
    assert proxied["missing"].json() == {"code": 40001, "msg": "Missing required parameter: 'prompt'."}
    assert proxied["garbled"].status_code == 400 and proxied["garbled"].text == "bad multipart body"
    assert proxied["poll"].status_code == 200
    # The client's own token reached the relay.
    assert all(seen.get("authorization") == AUTH["Authorization"] for seen in proxied["relay"].seen)


def test_the_violations_header_names_what_each_side_broke(proxied: dict[str, Any]) -> None:
    assert VIOLATIONS_HEADER not in proxied["valid"].headers
    missing = violations(proxied["missing"])
    assert {"location": "request", "check": "missing_required_parameter"}.items() <= missing[0].items()
    checks = {v["check"] for v in missing if v["location"] == "response"}
    assert {"invalid_request_rejected", "video_object", "video_id_present"} <= checks
    garbled = violations(proxied["garbled"])
    assert [v["check"] for v in garbled if v["location"] == "response"] == ["error_format"]
    assert len(proxied["missing"].headers[VIOLATIONS_HEADER]) <= 2048


def test_the_journal_shows_the_response_verdict_beside_the_request_verdict(proxied: dict[str, Any]) -> None:
    by_status = [(e["verdict"], e["response_verdict"], e["status"]) for e in proxied["journal"]]
    assert by_status == [("accepted", "conformant", 200), ("rejected", "nonconformant", 200),
                         ("rejected", "nonconformant", 400), ("-", "conformant", 200)]
    assert all(e["proxied"] == proxied["relay"].base_url for e in proxied["journal"])
    assert "invalid_request_rejected" in {v["check"] for v in proxied["journal"][1]["violations"]}
    assert TOKEN not in json.dumps(proxied["journal"])


def test_the_recording_is_valid_har_without_secrets_or_upload_bytes(proxied: dict[str, Any]) -> None:
    document = json.loads(proxied["har"].read_text("utf-8"))
    jsonschema.validate(document, SCHEMA)
    text = proxied["har"].read_text("utf-8")
    assert TOKEN not in text
    upload = next(p for p in example().parts if p.is_file)
    assert len(upload.data) >= 64
    assert upload.data[16:48].decode("latin-1") not in text and upload.data[16:48].hex() not in text
    entries = document["log"]["entries"]
    assert [har.annotation(e)["operation"] for e in entries] == [
        "POST /v1/videos", "POST /v1/videos", "POST /v1/videos", "GET /v1/videos/{id}"]
    files = [p for p in entries[0]["request"]["postData"]["params"] if "_sora_file" in p]
    assert files[0]["_sora_file"]["size"] == len(upload.data) and len(files[0]["_sora_file"]["sha256"]) == 64
    missing = har.annotation(entries[1])
    assert missing["probe"] == {"class": "missing_required", "field": "prompt", "basis": "document"}
    assert missing["verdict"] == "failed" and "invalid_request_rejected" in missing["failed_checks"]


def test_observe_shows_the_relays_error_shapes(proxied: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert sora_contract(["observe", str(proxied["har"])]) == 0
    out = capsys.readouterr().out
    assert "missing_required:prompt (document): rejected, status 200" in out
    assert "error 200 application/json {$.code: integer, $.msg: string}" in out
    assert "error 400 text/plain (no JSON body)" in out


def test_replay_answers_a_missing_field_as_the_relay_did_offline(proxied: dict[str, Any]) -> None:
    settings = Settings(upstream="chainhub", replay=str(proxied["har"]), render_seconds=1)
    with BackgroundServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        missing = post(client, without(example(), "prompt"))
        other_field = post(client, without(example(), "model"))
        garbled = client.post("/v1/videos", content=b"--nope\r\n\r\nbroken",
                              headers={**AUTH, "Content-Type": "multipart/form-data; boundary=zzz"})
        valid = post(client, example())
        journal = client.get("/__admin/requests").json()["data"]
    assert missing.status_code == 200
    assert missing.json() == {"code": 40001, "msg": "Missing required parameter: 'prompt'."}
    # Another field of the same class: the relay's answer, the field's name substituted.
    assert other_field.json() == {"code": 40001, "msg": "Missing required parameter: 'model'."}
    assert (garbled.status_code, garbled.headers["content-type"], garbled.text) == (
        400, "text/plain; charset=utf-8", "bad multipart body")
    assert valid.status_code == 200 and valid.json()["status"] == "queued"
    assert [e.get("replayed", False) for e in journal] == [True, True, True, False]


def test_lifecycle_answers_are_checked_by_the_family_document(tmp_path: Path) -> None:
    """A relay whose videos say ``status: processing`` breaks the create's checks and, on a poll, the
    family document's Video schema (its status enum)."""
    path = tmp_path / "processing.har"
    with serve("chainhub", "processing") as relay, BackgroundServer(
        Settings(upstream="chainhub", proxy=relay.base_url, record=str(path))
    ) as server, httpx.Client(base_url=server.url, timeout=20) as client:
        created = post(client, example())
        polled = client.get(f"/v1/videos/{created.json()['id']}", headers=AUTH)
    assert "video_status_queued" in {v["check"] for v in violations(created)}
    poll_checks = violations(polled)
    assert [v["check"] for v in poll_checks] == ["response_schema"]
    assert "processing" in poll_checks[0]["message"] and "family document" in poll_checks[0]["message"]
    assert har.annotation(har.read_entries(path)[1])["failed_checks"] == ["response_schema"]


def test_replay_adds_the_recorded_relays_video_fields(tmp_path: Path) -> None:
    path = tmp_path / "extra.har"
    with serve("chainhub", "extra_fields") as relay, BackgroundServer(
        Settings(upstream="chainhub", proxy=relay.base_url, record=str(path))
    ) as server, httpx.Client(base_url=server.url, timeout=20) as client:
        assert post(client, example()).json()["usage"] == {"seconds": int(example().fields["seconds"])}
    with BackgroundServer(Settings(upstream="chainhub", replay=str(path), render_seconds=1)) as server, httpx.Client(
        base_url=server.url, timeout=10
    ) as client:
        created = post(client, example())
        polled = client.get(f"/v1/videos/{created.json()['id']}", headers=AUTH)
        listed = client.get("/v1/videos", headers=AUTH)
    assert created.json()["status"] == "queued"
    assert {"usage", "remixed_from_video_id"} <= created.json().keys()
    assert polled.json()["id"] == created.json()["id"] and "usage" in polled.json()
    assert "usage" not in json.dumps(listed.json())  # only video answers take the recorded fields


def test_a_page_on_another_origin_can_read_the_violations(relay: Upstream) -> None:
    with BackgroundServer(Settings(upstream="chainhub", proxy=relay.base_url)) as server:
        answer = httpx.post(f"{server.url}/v1/videos", content=without(example(), "prompt").body,
                            headers={**example().headers, **AUTH, "Origin": "http://localhost:5173"})
    assert violations(answer)[0]["check"] == "missing_required_parameter"
    assert VIOLATIONS_HEADER in answer.headers["access-control-expose-headers"].replace(" ", "").split(",")
