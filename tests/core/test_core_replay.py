"""The replay library: what a recording says a relay answers, and only that."""

from __future__ import annotations

import datetime as dt
from typing import Any

from contract_tests.core import har
from contract_tests.core import replay as replay_module
from contract_tests.core.http import RawRequest
from contract_tests.core.replay import Replay
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import example_request

REGISTRY = load_registry()
EXAMPLE = example_request(REGISTRY.document("chainhub"))
AUTH = {"authorization": "Bearer sk-local-replay"}


def recorded(status: int, body: str, headers: dict[str, str], sora: dict[str, Any] | None) -> dict[str, Any]:
    return har.entry(method="POST", url="https://api.chainhub.tech/v1/videos", request_headers={},
                     request_body=b"", status=status, reason="", response_headers=headers,
                     response_body=body.encode(), started=dt.datetime.now(dt.timezone.utc), elapsed_ms=1.0,
                     sora=sora)


def service(*entries: dict[str, Any]) -> VideoService:
    return VideoService(REGISTRY, "chainhub", replay=Replay(entries, "test.har"))


def video_request() -> RawRequest:
    return RawRequest("POST", "https://api.chainhub.tech/v1/videos", {**EXAMPLE.headers, **AUTH}, EXAMPLE.body)


def test_recorded_video_headers_and_fields_join_the_engines_videos() -> None:
    video = '{"id": "video_1", "object": "video", "status": "queued", "usage": {"seconds": 4}}'
    entry = recorded(200, video, {"content-type": "application/json", "x-relay-region": "sg", "date": "x"},
                     {"server": "chainhub", "operation": "POST /v1/videos", "probe": None, "kind": "create"})
    answer = service(entry).handle(video_request())
    assert answer.status == 200 and answer.headers["x-relay-region"] == "sg" and "date" not in answer.headers
    payload = answer.payload()
    assert payload["usage"] == {"seconds": 4} and payload["id"] != "video_1"  # the engine's video, its id


def test_what_the_recording_does_not_cover_keeps_the_contracts_answer() -> None:
    no_auth = recorded(401, '{"code": 40100}', {"content-type": "application/json"},
                       {"server": "chainhub", "probe": {"class": "no_auth", "field": None}})
    unannotated = recorded(500, "boom", {"content-type": "text/plain"}, None)
    svc = service(no_auth, unannotated)
    headers = {k: v for k, v in EXAMPLE.headers.items() if k.lower() != "content-type"}
    media = svc.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos",
                                  {**headers, **AUTH, "content-type": "application/json"}, b"{}"))
    assert media.status == 415 and media.payload()["error"]["code"] == "unsupported_media_type"
    assert svc.handle(video_request()).status == 200
    assert [e.extra.get("replayed") for e in svc.journal.entries()] == [None, None]
    unsigned = {k: v for k, v in EXAMPLE.headers.items() if k.lower() != "authorization"}
    anonymous = svc.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos", unsigned, EXAMPLE.body))
    assert (anonymous.status, anonymous.body) == (401, b'{"code": 40100}')
    assert svc.journal.entries()[-1].extra == {"replayed": True}


def test_another_servers_recording_is_not_replayed() -> None:
    entry = recorded(401, '{"code": 1}', {"content-type": "application/json"},
                     {"server": "jxincm", "probe": {"class": "no_auth", "field": None}})
    replay = Replay([entry], "x.har", server="chainhub")
    assert len(replay) == 0


def test_an_entry_another_tool_recorded_is_classified_by_its_request_shape() -> None:
    """No ``_sora`` (a browser's devtools export): the checker names the class from the recorded request."""
    from dataclasses import replace

    from contract_tests.core.checker import RequestChecker
    from contract_tests.core.multipart import encode_multipart

    parts = tuple(p for p in EXAMPLE.parts if p.name != "model")
    missing = replace(EXAMPLE, parts=parts, body=encode_multipart(parts, EXAMPLE.boundary))
    entry = har.entry(method="POST", url="https://api.chainhub.tech/v1/videos",
                      request_headers={**missing.headers, **AUTH}, request_body=missing.body, status=200,
                      reason="OK", response_headers={"content-type": "application/json"},
                      response_body=b'{"code": 40001, "msg": "model is required"}',
                      started=dt.datetime.now(dt.timezone.utc), elapsed_ms=1.0)
    assert "_sora" not in entry
    checker = RequestChecker(REGISTRY)
    svc = VideoService(REGISTRY, "chainhub", checker=checker,
                       replay=Replay([entry], "devtools.har", "chainhub", checker))
    without_prompt = tuple(p for p in EXAMPLE.parts if p.name != "prompt")
    request = replace(EXAMPLE, parts=without_prompt, body=encode_multipart(without_prompt, EXAMPLE.boundary))
    answer = svc.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos", {**request.headers, **AUTH},
                                   request.body))
    assert (answer.status, answer.body) == (200, b'{"code": 40001, "msg": "prompt is required"}')
    assert len(Replay([entry], "devtools.har", "chainhub")) == 0  # without a checker: not classified


def test_a_class_the_recorded_relay_accepted_is_accepted_offline_too() -> None:
    """A lenient relay took an unknown field: the replay takes one as well (a new engine video), while a
    class it rejected (a missing required field) still gets the recorded rejection."""
    lenient = recorded(200, '{"id": "video_9", "object": "video", "status": "queued"}',
                       {"content-type": "application/json"},
                       {"server": "chainhub", "operation": "POST /v1/videos",
                        "probe": {"class": "unknown_field", "field": "x_unknown_field"}})
    strict = recorded(200, '{"code": 40001, "msg": "prompt is required"}', {"content-type": "application/json"},
                      {"server": "chainhub", "operation": "POST /v1/videos",
                       "probe": {"class": "missing_required", "field": "prompt"}})
    svc = service(lenient, strict)
    extra = b"--" + EXAMPLE.boundary.encode() + b'\r\nContent-Disposition: form-data; name="watermrk"\r\n\r\nfalse\r\n'
    with_typo = RawRequest("POST", "https://api.chainhub.tech/v1/videos", {**EXAMPLE.headers, **AUTH},
                           extra + EXAMPLE.body)
    answer = svc.handle(with_typo)
    assert answer.status == 200 and answer.payload()["object"] == "video"
    entry = svc.journal.entries()[-1]
    assert entry.verdict == "rejected" and entry.extra.get("replayed") is True  # the contract still says no
    missing = svc.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos", {**EXAMPLE.headers, **AUTH},
                                    b"--" + EXAMPLE.boundary.encode() + b"--\r\n"))
    # the first missing field is model: the recorded answer, with the field named by this request
    assert missing.status == 200 and missing.payload() == {"code": 40001, "msg": "model is required"}


def test_a_rejected_request_is_classified_once(monkeypatch: Any) -> None:
    """The replay decides a rejected request's invalid class once, and both "did the relay accept
    it?" and "what did it answer?" read that one answer (they used to probe it twice more)."""
    no_auth = recorded(401, '{"code": 40100}', {"content-type": "application/json"},
                       {"server": "chainhub", "probe": {"class": "no_auth", "field": None}})
    svc = service(no_auth)
    calls: list[Any] = []
    original = replay_module.probe

    def counting(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(replay_module, "probe", counting)
    unsigned = {k: v for k, v in EXAMPLE.headers.items() if k.lower() != "authorization"}
    answer = svc.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos", unsigned, EXAMPLE.body))
    assert (answer.status, answer.body) == (401, b'{"code": 40100}')
    assert len(calls) == 1
