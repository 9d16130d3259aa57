"""Local upstreams for live-mode tests: conformant stand-in relays, and ones broken one way each.

Each is a tiny ASGI app served by uvicorn on a free 127.0.0.1 port in a background thread, so
live mode can be run against it as if it were a relay. A broken upstream is the honest one with
exactly one promise broken, so the run that fails must name that one check. The conformant ones
differ from sora-mock where the documents leave room (lenient parsing, other error wording,
extra video fields), so live mode must pass them all.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from contract_tests.core.engine import VideoEngine
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.problems import Code
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import create_operation, multipart_body

Breakage = Callable[[VideoService, RawRequest], RawResponse]


def honest(service: VideoService, request: RawRequest) -> RawResponse:
    return service.handle(request)


def _patched_video(change: Callable[[dict[str, Any]], None]) -> Breakage:
    def answer(service: VideoService, request: RawRequest) -> RawResponse:
        response = service.handle(request)
        payload = response.payload() if response.status == 200 else None
        if not isinstance(payload, dict):
            return response
        change(payload)
        return RawResponse.json(200, payload)

    return answer


def _set_processing(video: dict[str, Any]) -> None:
    video["status"] = "processing"


def _drop_created_at(video: dict[str, Any]) -> None:
    video.pop("created_at", None)


def accepts_without_auth(service: VideoService, request: RawRequest) -> RawResponse:
    """Lets a request without a Bearer token in, as if it had sent a valid one."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    headers["authorization"] = "Bearer sk-let-in-anyway"
    return service.handle(RawRequest(request.method, request.url, headers, request.body))


def accepts_missing_required(service: VideoService, request: RawRequest) -> RawResponse:
    """Creates a video although a required field is missing (its only lapse)."""
    verdict = service.checker.check(request, service.server)
    codes = {p.code for p in verdict.problems}
    if codes == {"missing_required_parameter"}:
        return RawResponse.json(200, service.engine.create(dict(verdict.fields)))
    return service.handle(request)


def error_500(service: VideoService, request: RawRequest) -> RawResponse:
    return RawResponse.json(500, {"error": {"message": "upstream exploded", "type": "server_error"}})


def echoes_token(service: VideoService, request: RawRequest) -> RawResponse:
    """Broken (status 'processing') and indiscreet: quotes the Authorization header back."""
    response = _patched_video(_set_processing)(service, request)
    payload = response.payload()
    if isinstance(payload, dict):
        payload["echo"] = request.headers.get("authorization", "")
    return RawResponse.json(response.status, payload)


# A key the relay itself holds (not the client's): no run knows it, its shape gives it away.
RELAY_KEY = "sk-relayownedkey-4f8e2b7c"


def echoes_token_in_error(service: VideoService, request: RawRequest) -> RawResponse:
    """Refuses every request with a 401 whose message quotes the caller's token and the relay's own key."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    message = f"Incorrect API key provided: {token}. Upstream refused relay key {RELAY_KEY}."
    return RawResponse.json(401, {"error": {"message": message, "type": "invalid_request_error",
                                            "param": None, "code": "invalid_api_key"}})


# -- conformant stand-ins: the documents allow all of this ----------------------------------------

_LENIENT_CODES = {Code.UNKNOWN_PARAMETER, Code.DUPLICATE_PARAMETER}


def lenient(service: VideoService, request: RawRequest) -> RawResponse:
    """Ignores unlisted fields, takes the last of duplicates, accepts a URL string where the image
    is documented as binary, and also accepts a JSON body; still rejects what the documents require
    (required properties, a Bearer token)."""
    verdict = service.checker.check(request, service.server)
    problems = verdict.problems
    if any(p.code == Code.INVALID_API_KEY for p in problems):
        return service.handle(request)
    if [p.code for p in problems] == [Code.UNSUPPORTED_MEDIA_TYPE] and "json" in request.headers.get(
        "content-type", ""
    ):
        return _create_if_complete(service, _json_object(request.body))
    file_properties = {"input_reference"}
    tolerated = all(
        p.code in _LENIENT_CODES or (p.code == Code.INVALID_TYPE and p.param in file_properties) for p in problems
    )
    if problems and tolerated:
        return _create_if_complete(service, dict(verdict.fields))
    return service.handle(request)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _create_if_complete(service: VideoService, fields: dict[str, Any]) -> RawResponse:
    required = [set(doc_required) for doc_required in _required_sets(service)]
    present = {name for name, value in fields.items() if value not in (None, "")}
    if not any(names <= present for names in required):
        return RawResponse.json(400, {"error": {"message": "missing fields", "type": "invalid_request_error"}})
    return RawResponse.json(200, service.engine.create(fields))


def _required_sets(service: VideoService) -> list[tuple[str, ...]]:
    documents = service.registry.server(str(service.server)).documents
    return [multipart_body(create_operation(doc)).required for doc in documents]


def openai_strict(service: VideoService, request: RawRequest) -> RawResponse:
    """Rejects everything OpenAI's API rejects, in its own words (the wording is not checked live)."""
    response = service.handle(request)
    if response.status < 400:
        return response
    return RawResponse.json(response.status, {"error": {"message": f"Request refused ({response.status})."}})


def _extra_fields(video: dict[str, Any]) -> None:
    video.update({"prompt": video.get("prompt") or "a prompt", "remixed_from_video_id": None, "error": None,
                  "character_id": None, "usage": {"seconds": int(video.get("seconds") or 0)}})


# -- a relay with its own error convention (not OpenAI's), and the same relay changed -------------

_CODED = {Code.MISSING_REQUIRED_PARAMETER: 40001, Code.INVALID_VALUE: 40002, Code.INVALID_TYPE: 40003,
          Code.INVALID_API_KEY: 40100}


def coded_errors(changed: bool = False) -> Breakage:
    """Errors as some relays word them: HTTP 200 with ``{"code": 40001, "msg": ...}`` for a missing
    field, 400 ``text/plain`` for malformed multipart, ``{"code", "msg"}`` with a 4xx otherwise;
    unknown fields are ignored (a practice leniency). ``changed``: the same relay a month later, its
    videos without ``size`` and duplicated fields now accepted."""

    def video(response: RawResponse) -> RawResponse:
        payload = response.payload() if response.status == 200 else None
        if changed and isinstance(payload, dict):
            payload.pop("size", None)
            return RawResponse.json(200, payload)
        return response

    def answer(service: VideoService, request: RawRequest) -> RawResponse:
        if request.method != "POST":
            return video(service.handle(request))
        verdict = service.checker.check(request, service.server)
        codes = {p.code for p in verdict.problems}
        if not verdict.problems:
            return video(service.handle(request))
        if codes <= {Code.UNKNOWN_PARAMETER} or (changed and codes == {Code.DUPLICATE_PARAMETER}):
            return video(RawResponse.json(200, service.engine.create(dict(verdict.fields))))
        if codes & {Code.INVALID_MULTIPART, Code.EMPTY_BODY}:
            return RawResponse(400, b"bad multipart body", {"content-type": "text/plain; charset=utf-8"})
        first = verdict.problems[0]
        status = 200 if first.code == Code.MISSING_REQUIRED_PARAMETER else min(first.status, 499)
        return RawResponse.json(status, {"code": _CODED.get(first.code, 40000), "msg": first.message})

    return answer


# -- the cost guard's adversary, and a lifecycle that runs backwards ------------------------------


def accept_everything(service: VideoService, request: RawRequest) -> RawResponse:
    """A queued video for every POST, whatever it carries; DELETE works; nothing else exists."""
    if request.method == "POST":
        return RawResponse.json(200, service.engine.queued_video({"prompt": "anything"}))
    if request.method == "DELETE":
        video_id = request.url.rstrip("/").rsplit("/", 1)[-1]
        return RawResponse.json(200, {"id": video_id, "object": "video.deleted", "deleted": True})
    return RawResponse.json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})


_VIDEO_PATH = re.compile(r"/v1/videos/(?P<id>[^/?]+)(?P<content>/content)?")


def status_backwards() -> Breakage:
    """Honest creates; polling then answers in_progress 50, queued 0 (backwards), then completed."""
    polls: dict[str, itertools.count[int]] = {}

    def answer(service: VideoService, request: RawRequest) -> RawResponse:
        match = _VIDEO_PATH.search(request.url)
        if request.method != "GET" or match is None:
            return service.handle(request)
        if match["content"]:
            return RawResponse(200, b"\x00" * 64, {"content-type": "video/mp4"})
        video_id = match["id"]
        step = next(polls.setdefault(video_id, itertools.count()))
        status, progress = [("in_progress", 50), ("queued", 0)][step] if step < 2 else ("completed", 100)
        video = {"id": video_id, "object": "video", "model": "sora-2", "status": status, "progress": progress,
                 "created_at": int(time.time()), "completed_at": int(time.time()) if status == "completed" else None,
                 "seconds": "10", "size": "720x1280"}
        return RawResponse.json(200, video, {"openai-poll-after-ms": "50"})

    return answer


BREAKAGES: dict[str, Breakage] = {
    "honest": honest,
    "lenient": lenient,
    "openai_strict": openai_strict,
    "extra_fields": _patched_video(_extra_fields),
    "accept_everything": accept_everything,
    "processing": _patched_video(_set_processing),
    "no_created_at": _patched_video(_drop_created_at),
    "accepts_without_auth": accepts_without_auth,
    "accepts_missing_required": accepts_missing_required,
    "error_500": error_500,
    "echoes_token": echoes_token,
    "echoes_token_in_error": echoes_token_in_error,
}


FACTORIES: dict[str, Callable[[], Breakage]] = {
    "status_backwards": status_backwards,
    "coded_errors": coded_errors,
    "coded_errors_changed": lambda: coded_errors(changed=True),
}


@dataclass
class Upstream:
    """A running local upstream and what it received (headers) and answered (method, path, status)."""

    base_url: str
    server_id: str
    seen: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    answered: list[tuple[str, str, int]] = field(default_factory=list)

    def accepted_posts(self) -> int:
        return sum(1 for method, _, status in self.answered if method == "POST" and 200 <= status < 300)


def app_for(
    server_id: str, breakage: str, upstream: Upstream, render_seconds: float | None = None
) -> Callable[..., Any]:
    engine = VideoEngine() if render_seconds is None else VideoEngine(render_seconds=render_seconds)
    service = VideoService(load_registry(), server_id, engine=engine)
    answer = FACTORIES[breakage]() if breakage in FACTORIES else BREAKAGES[breakage]
    seen = upstream.seen

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        headers = dict(request.headers)
        seen.append(headers)
        upstream.bodies.append(body)
        raw = RawRequest(request.method, str(request.url), headers, body)
        result = answer(service, raw)
        upstream.answered.append((request.method, request.url.path, result.status))
        await Response(result.body, result.status, dict(result.headers))(scope, receive, send)

    return app


@contextmanager
def serve(server_id: str, breakage: str = "honest", render_seconds: float | None = None) -> Iterator[Upstream]:
    """Serve a local upstream on a free loopback port for the duration of the block (its videos
    render in ``render_seconds``, the engine's default if None)."""
    upstream = Upstream("", server_id)
    with serve_app(app_for(server_id, breakage, upstream, render_seconds), breakage) as base_url:
        upstream.base_url = base_url
        yield upstream


@contextmanager
def serve_app(app: Callable[..., Any], name: str = "app") -> Iterator[str]:
    """Serve any ASGI ``app`` on a free loopback port for the duration of the block; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"local upstream {name} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
