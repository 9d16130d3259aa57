"""The HAR module: entries redacted and without upload bytes, valid HAR 1.2, valid after every append,
one file shared safely by several processes, read back."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from contract_tests.core import har
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.redaction import Redactor

SCHEMA = json.loads((Path(__file__).with_name("har-1.2.schema.json")).read_text("utf-8"))
TOKEN = "sk-HARCANARY-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"UPLOADBYTES" * 20
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)


def validate(document: Any) -> None:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


def multipart_entry(**changes: Any) -> dict[str, Any]:
    parts = (Part("prompt", f"a cat, key {TOKEN}".encode()),
             Part("input_reference", PNG, "cat.png", "image/png"))
    values: dict[str, Any] = {
        "method": "post", "url": f"https://user:pa55word@relay.example/v1/videos?api_key={TOKEN}&x=1",
        "request_headers": {"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type("b0undary")},
        "request_body": encode_multipart(parts, "b0undary"), "status": 401, "reason": "Unauthorized",
        "response_headers": {"content-type": "application/json", "set-cookie": "s=abc123456789"},
        "response_body": json.dumps({"msg": f"bad key Bearer {TOKEN}"}).encode(), "started": NOW,
        "elapsed_ms": 12.5, "redactor": Redactor(), "sora": {"server": "relay", "probe": None, "note": TOKEN},
    }
    values.update(changes)
    return har.entry(**values)


def test_an_entry_is_valid_har_holds_no_secret_and_no_upload_bytes() -> None:
    recorded = multipart_entry()
    text = json.dumps(recorded)
    assert TOKEN not in text and "UPLOADBYTES" not in text and "abc123456789" not in text
    validate({"log": {"version": "1.2", "creator": har.CREATOR, "entries": [recorded]}})
    request = recorded["request"]
    assert request["url"] == "https://user:[REDACTED]@relay.example/v1/videos?api_key=[REDACTED]&x=1"
    assert request["method"] == "POST" and "pa55word" not in text
    assert request["queryString"] == [{"name": "api_key", "value": "[REDACTED]"}, {"name": "x", "value": "1"}]
    assert {"name": "Authorization", "value": "Bearer [REDACTED]"} in request["headers"]
    prompt, upload = request["postData"]["params"]
    assert prompt == {"name": "prompt", "value": "a cat, key [REDACTED]"}
    assert upload["fileName"] == "cat.png" and upload["contentType"] == "image/png" and "value" not in upload
    assert upload["_sora_file"] == {"size": len(PNG), "sha256": har.file_summary(PNG)["sha256"], "type": "image/png"}
    assert recorded["startedDateTime"] == "2026-01-02T03:04:05.678Z" and recorded["time"] == 12.5
    assert recorded["response"]["content"]["size"] == len(b'{"msg": "bad key Bearer ' + TOKEN.encode() + b'"}')
    assert recorded["_sora"]["note"] == "[REDACTED]"


def test_malformed_multipart_and_binary_bodies_keep_no_bytes() -> None:
    body = b"--nope\r\nUPLOADBYTES" + PNG
    recorded = multipart_entry(request_body=body)
    assert "UPLOADBYTES" not in json.dumps(recorded)
    assert recorded["request"]["postData"]["_sora_unparsed"]["size"] == len(body)
    binary = multipart_entry(request_headers={"Content-Type": "image/png"}, request_body=PNG)
    assert binary["request"]["postData"]["_sora_file"]["type"] == "image/png"
    assert "UPLOADBYTES" not in json.dumps(binary)


def test_a_response_that_never_came_is_recorded_as_status_0() -> None:
    recorded = multipart_entry(status=0, reason="", response_headers={}, response_body=b"")
    assert recorded["response"]["status"] == 0 and "text" not in recorded["response"]["content"]
    validate({"log": {"version": "1.2", "creator": har.CREATOR, "entries": [recorded]}})


def test_the_file_is_valid_har_after_every_append(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    writer = har.HarWriter(path)
    writer.start()
    validate(json.loads(path.read_text("utf-8")))
    for n in range(3):
        writer.append(multipart_entry(sora={"n": n}))
        document = json.loads(path.read_text("utf-8"))  # what an interrupted run leaves
        validate(document)
        assert [e["_sora"]["n"] for e in document["log"]["entries"]] == list(range(n + 1))
    assert [har.annotation(e)["n"] for e in har.read_entries(path)] == [0, 1, 2]


def test_appending_to_a_file_this_writer_did_not_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.har"
    path.write_text('{"log": {"entries": []}}', "utf-8")
    with pytest.raises(har.HarError, match="does not end"):
        har.HarWriter(path).append({"x": 1})


def _append_many(path: str, worker: int) -> None:
    writer = har.HarWriter(path)
    for n in range(25):
        writer.append(multipart_entry(sora={"worker": worker, "n": n}))


def test_processes_append_to_one_file_without_losing_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "shared.har"
    har.HarWriter(path).start()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), w)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    seen = sorted((har.annotation(e)["worker"], har.annotation(e)["n"]) for e in har.read_entries(path))
    assert seen == [(w, n) for w in range(2) for n in range(25)]
    validate(json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize(("content", "why"), [("", "not JSON"), ("[]", "no log.entries"), (None, "No such file")])
def test_reading_an_unusable_file_says_why(tmp_path: Path, content: str | None, why: str) -> None:
    path = tmp_path / "bad.har"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(har.HarError, match=why):
        har.read_entries(path)


def test_the_schema_rejects_what_har_forbids() -> None:
    """The schema is not vacuous: an entry without its response, a text status, or posted data with both
    ``params`` and ``text`` fails it."""
    recorded = multipart_entry()
    both = {**recorded["request"]["postData"], "text": "a=1"}  # params and text are mutually exclusive
    for broken in ({k: v for k, v in recorded.items() if k != "response"},
                   {**recorded, "response": {**recorded["response"], "status": "401"}},
                   {**recorded, "request": {**recorded["request"], "postData": both}}):
        with pytest.raises(jsonschema.ValidationError):
            validate({"log": {"version": "1.2", "creator": har.CREATOR, "entries": [broken]}})
