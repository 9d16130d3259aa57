"""Edits, extensions and characters in the service, whatever the body: never a 5xx, always ``param``.

The SDK tests (tests/mockserver/test_mock_sdk_strict.py, tests/node/) send what clients send; this
sends anything: random fields of the calls' names and others, as text or file parts, or as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core import assets
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry

AUTH = {"Authorization": "Bearer sk-test"}
SERVICE = VideoService(load_registry(), "chainhub", sleep=None)
MP4, _ = assets.content("video", "1280x720", "4")
NAMES = st.sampled_from(["prompt", "video", "video[id]", "seconds", "name", "video[name]", "model"])
VALUES = st.one_of(
    st.text(max_size=12).map(str.encode), st.sampled_from([MP4, b"\x89PNG\r\n\x1a\n", b"4", b"video_x", b""])
)
PATHS = st.sampled_from(["/v1/videos/edits", "/v1/videos/extensions", "/v1/videos/characters"])
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.dictionaries(NAMES, inner, max_size=3))


def answer(path: str, body: bytes, media_type: str) -> tuple[int, Any]:
    headers = {**AUTH, "content-type": media_type}
    response = SERVICE.handle(RawRequest("POST", f"https://api.chainhub.tech{path}", headers, body))
    return response.status, json.loads(response.body)


@settings(max_examples=150, deadline=None)
@given(PATHS, st.lists(st.tuples(NAMES, VALUES, st.booleans()), max_size=5))
def test_any_form_is_answered_without_a_5xx(path: str, fields: list[tuple[str, bytes, bool]]) -> None:
    parts = [Part(name, value, "f.mp4" if is_file else None, "video/mp4") for name, value, is_file in fields]
    status, payload = answer(path, encode_multipart(parts, "b0undary"), content_type("b0undary"))
    assert status < 500, payload
    if status >= 400:
        assert payload["error"]["code"] and "param" in payload["error"]
    elif path.endswith("characters"):
        assert payload["object"] == "character"
    else:
        assert payload["object"] == "video" and payload["status"] == "queued"


@settings(max_examples=150, deadline=None)
@given(PATHS, st.dictionaries(NAMES, JSON_VALUES, max_size=4))
def test_any_json_is_answered_without_a_5xx(path: str, body: dict[str, Any]) -> None:
    status, payload = answer(path, json.dumps(body).encode(), "application/json")
    assert status < 500, payload
    assert status != 200 or payload["object"] == "video"  # a JSON character is a 415: its video is a file


def test_a_text_part_named_video_is_refused_with_param_video() -> None:
    for path, other in (("/v1/videos/edits", "prompt"), ("/v1/videos/characters", "name")):
        parts = [Part(other, b"x"), Part("video", b"video_123")]
        status, payload = answer(path, encode_multipart(parts, "b"), content_type("b"))
        assert (status, payload["error"]["param"]) == (400, "video"), payload
