"""The proxy's transport promises: a dead or silent relay answers 502/504 naming it, never a hang; an
injected token replaces the client's; uploads stream through in both directions without being held."""

from __future__ import annotations

import hashlib
import json
import socket
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from live_upstreams import serve, serve_app

from contract_tests.core.multipart import encode_part
from contract_tests.core.parts import Part
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

AUTH = {"Authorization": "Bearer sk-client-own-token-123"}


@contextmanager
def proxy(upstream: str, **changes: Any) -> Iterator[httpx.Client]:
    settings = Settings(upstream="chainhub", proxy=upstream, **changes)
    with BackgroundServer(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_an_unreachable_upstream_answers_502_naming_it_quickly() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with proxy(dead) as client:
        started = time.monotonic()
        answer = client.get("/v1/videos/video_1", headers=AUTH)
        took = time.monotonic() - started
        journal = client.get("/__admin/requests").json()["data"]
    assert answer.status_code == 502 and took < 5
    error = answer.json()["error"]
    assert error["code"] == "upstream_unreachable" and dead in error["message"] and error["type"] == "server_error"
    assert journal[0]["status"] == 502 and journal[0]["proxied"] == dead


def test_a_silent_upstream_answers_504_within_the_timeout() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing is ever answered
    try:
        with proxy(f"http://127.0.0.1:{silent.getsockname()[1]}", proxy_timeout=0.5) as client:
            started = time.monotonic()
            answer = client.get("/v1/videos/video_1", headers=AUTH)
            took = time.monotonic() - started
    finally:
        silent.close()
    assert answer.status_code == 504 and 0.4 < took < 5
    assert answer.json()["error"]["code"] == "upstream_timeout"
    assert "0.5 s" in answer.json()["error"]["message"]


def test_an_injected_token_replaces_the_clients(monkeypatch: Any) -> None:
    monkeypatch.setenv("RELAY_TOKEN_FOR_TEST", "sk-injected-relay-token-42")
    with serve("chainhub", "honest") as relay, proxy(relay.base_url, proxy_token_env="RELAY_TOKEN_FOR_TEST") as client:
        answer = client.get("/v1/videos", headers=AUTH)
        journal = client.get("/__admin/requests").json()["data"]
    assert answer.status_code == 200
    assert relay.seen[0]["authorization"] == "Bearer sk-injected-relay-token-42"
    assert "sk-injected-relay-token-42" not in json.dumps(journal)


def counting_relay() -> tuple[Any, dict[str, Any]]:
    """A relay that reads the upload chunk by chunk, keeping only its size and digest."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        digest, size = hashlib.sha256(), 0
        while True:
            message = await receive()
            digest.update(message.get("body", b""))
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        seen.update(size=size, sha256=digest.hexdigest())
        body = json.dumps({"received": size}).encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app, seen


MIB = 1024 * 1024


def upload(size: int, boundary: str = "sorabigupload") -> Iterator[bytes]:
    """A multipart body whose one file part is ``size`` bytes, produced in 256 KiB chunks."""
    head = b"--" + boundary.encode() + b"\r\n" + encode_part(Part("model", b"sora-2")) + b"\r\n"
    head += b"--" + boundary.encode() + b"\r\n" + encode_part(Part("input_reference", b"", "big.png", "image/png"))
    yield head
    chunk = b"\x89PNG\r\n\x1a\n" + bytes(256 * 1024 - 8)
    for start in range(0, size, len(chunk)):
        yield chunk[: min(len(chunk), size - start)]
    yield b"\r\n--" + boundary.encode() + b"--\r\n"


def test_a_30_mb_upload_streams_through_without_being_held() -> None:
    app, seen = counting_relay()
    size = 30 * MIB
    expected = hashlib.sha256(b"".join(upload(size))).hexdigest()
    with serve_app(app, "counting") as relay, proxy(relay) as client:
        tracemalloc.start()
        try:
            answer = client.post("/v1/videos", content=upload(size), headers={
                **AUTH, "Content-Type": "multipart/form-data; boundary=sorabigupload"})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        journal = client.get("/__admin/requests").json()["data"]
    assert answer.status_code == 400 and answer.json()["received"] == seen["size"]
    assert seen["sha256"] == expected  # every byte arrived, in order
    assert peak < 8 * MIB, f"the proxy held {peak / MIB:.1f} MiB for a 30 MiB upload"
    assert journal[0]["files"][0]["size"] == size


def test_content_streams_back_and_head_keeps_the_relays_length() -> None:
    from contract_tests.core.specs import load_registry
    from contract_tests.testing.strategies import example_request

    example = example_request(load_registry().document("chainhub"))
    with serve("chainhub", "honest", render_seconds=0) as relay, proxy(relay.base_url) as client:
        video = client.post("/v1/videos", content=example.body, headers={**example.headers, **AUTH}).json()
        content = client.get(f"/v1/videos/{video['id']}/content", headers=AUTH)
        head = client.head(f"/v1/videos/{video['id']}/content", headers=AUTH)
        polled = client.get(f"/v1/videos/{video['id']}", headers=AUTH)
        head_json = client.head(f"/v1/videos/{video['id']}", headers=AUTH)
        journal = client.get("/__admin/requests").json()["data"]
    assert content.status_code == 200 and content.content[4:8] == b"ftyp"
    assert content.headers["content-type"] == "video/mp4"
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(content.content)
    assert head.content == b""
    assert int(head_json.headers["content-length"]) == len(polled.content) and head_json.content == b""
    assert [e["response_verdict"] for e in journal] == ["conformant"] * 5
