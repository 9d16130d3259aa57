"""Each response check, by its stable id: one passing and one failing case apiece."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from contract_tests.core.conformance import CHECKS, check_response
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import create_operation

OPERATION = create_operation(load_registry().document("jxincm-private"))
NOW = time.time()
GOOD: dict[str, Any] = {
    "id": "video_3fbdeb24-27db-422b-8bf3-5feb8acbc6a1",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": int(NOW),
    "seconds": "10",
    "size": "1280x720",
}
JSON = {"content-type": "application/json"}

# check id -> how to break a good response for it (status, headers, body)
BREAKS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "status_code_200": (201, JSON, json.dumps(GOOD).encode()),
    "content_type_json": (200, {"content-type": "text/html"}, json.dumps(GOOD).encode()),
    "json_object_body": (200, JSON, b"[1, 2]"),
    "response_schema": (200, JSON, json.dumps({**GOOD, "progress": "0%"}).encode()),
    "video_object": (200, JSON, json.dumps({**GOOD, "object": "job"}).encode()),
    "video_status_queued": (200, JSON, json.dumps({**GOOD, "status": "processing"}).encode()),
    "video_progress_zero": (200, JSON, json.dumps({**GOOD, "progress": 5}).encode()),
    "video_id_present": (200, JSON, json.dumps({**GOOD, "id": " "}).encode()),
    "video_created_at_plausible": (200, JSON, json.dumps({**GOOD, "created_at": int(NOW) + 86400}).encode()),
    "video_size_wxh": (200, JSON, json.dumps({**GOOD, "size": "16x9:hd"}).encode()),
    "video_seconds_echo": (200, JSON, json.dumps({**GOOD, "seconds": "4"}).encode()),
}


def test_every_check_has_a_breaking_case() -> None:
    assert set(BREAKS) == set(CHECKS)


def test_a_good_queued_video_passes_every_check() -> None:
    assert check_response(200, JSON, json.dumps(GOOD).encode(), {"seconds": "10"}, OPERATION, now=NOW) == []


@pytest.mark.parametrize("check_id", sorted(BREAKS))
def test_check_fails_on_its_own_breakage(check_id: str) -> None:
    status, headers, body = BREAKS[check_id]
    failures = check_response(status, headers, body, {"seconds": "10"}, OPERATION, only=[check_id], now=NOW)
    assert [f.check for f in failures] == [check_id]
    assert check_id in str(failures[0])


def test_missing_created_at_fails_schema_and_plausibility() -> None:
    body = json.dumps({k: v for k, v in GOOD.items() if k != "created_at"}).encode()
    failed = {f.check for f in check_response(200, JSON, body, {}, OPERATION, now=NOW)}
    assert failed == {"response_schema", "video_created_at_plausible"}


def test_seconds_echo_only_applies_when_the_request_sent_seconds() -> None:
    body = json.dumps({**GOOD, "seconds": "4"}).encode()
    assert check_response(200, JSON, body, {}, OPERATION, only=["video_seconds_echo"], now=NOW) == []
