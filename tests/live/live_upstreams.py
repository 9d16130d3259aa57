"""Local upstreams for live-mode tests: the contract's own VideoService, honest or broken one way.

Each is a tiny ASGI app served by uvicorn on a free 127.0.0.1 port in a background thread, so
live mode can be run against it as if it were a relay. A broken upstream is the honest one with
exactly one promise broken, so the run that fails must name that one check.
"""

from __future__ import annotations

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

from contract_tests.checker import RawRequest
from contract_tests.engine import VideoEngine
from contract_tests.service import RawResponse, VideoService
from contract_tests.specs import load_registry

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


BREAKAGES: dict[str, Breakage] = {
    "honest": honest,
    "processing": _patched_video(_set_processing),
    "no_created_at": _patched_video(_drop_created_at),
    "accepts_without_auth": accepts_without_auth,
    "accepts_missing_required": accepts_missing_required,
    "error_500": error_500,
    "echoes_token": echoes_token,
    "echoes_token_in_error": echoes_token_in_error,
}


@dataclass
class Upstream:
    """A running local upstream and what it received."""

    base_url: str
    server_id: str
    seen: list[dict[str, str]] = field(default_factory=list)


def app_for(server_id: str, breakage: str, seen: list[dict[str, str]]) -> Callable[..., Any]:
    service = VideoService(load_registry(), server_id, engine=VideoEngine())
    answer = BREAKAGES[breakage]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        headers = dict(request.headers)
        seen.append(headers)
        raw = RawRequest(request.method, str(request.url), headers, body)
        result = answer(service, raw)
        await Response(result.body, result.status, dict(result.headers))(scope, receive, send)

    return app


@contextmanager
def serve(server_id: str, breakage: str = "honest") -> Iterator[Upstream]:
    """Serve a local upstream on a free loopback port for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    upstream = Upstream(f"http://127.0.0.1:{port}", server_id)
    config = uvicorn.Config(app_for(server_id, breakage, upstream.seen), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"local upstream {breakage} did not start")
        time.sleep(0.02)
    try:
        yield upstream
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
