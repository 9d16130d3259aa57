"""`sora-mock --server granian|uvicorn`: the same app on either ASGI server answers the same way."""

from __future__ import annotations

import signal
import socket

import httpx
import pytest
from conftest import AUTH, create
from hypothesis import HealthCheck, given, settings
from test_mock_cli import running

from contract_tests.conformance import check_response
from contract_tests.multipart import FormPart, content_type, encode_multipart
from contract_tests.specs import load_registry
from contract_tests.strategies import GeneratedRequest, create_operation, invalid_requests

DOCUMENT = load_registry().document("jxincm-private")


def send_raw(host: str, port: int, data: bytes) -> bytes:
    """Send bytes, half-close, read the answer; a server that hangs up on junk answers b""."""
    with socket.create_connection((host, port), timeout=5) as raw:
        try:
            raw.sendall(data)
            raw.shutdown(socket.SHUT_WR)
            return raw.recv(4096)
        except OSError:  # closed on us before we finished: no answer, and surely no 5xx
            return b""


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_server_serves_creates_rejections_limits_and_stops_cleanly(server: str, example: GeneratedRequest) -> None:
    with running("--server", server, "--max-upload-mb", "1") as (url, process):
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as http, httpx.Client(base_url=url) as bare:
            accepted = create(http, example)
            assert check_response(
                accepted.status_code, accepted.headers, accepted.content, example.fields,
                create_operation(DOCUMENT),
            ) == []
            assert http.get(f"/v1/videos/{accepted.json()['id']}").json()["status"] in {"queued", "in_progress"}

            @settings(max_examples=30, database=None, deadline=None, suppress_health_check=list(HealthCheck))
            @given(request=invalid_requests(DOCUMENT))
            def rejected_naming_the_field(request: GeneratedRequest) -> None:
                answer = bare.post("/v1/videos", content=request.body, headers=dict(request.headers))
                assert answer.status_code == request.expected_status, request.describe()
                assert answer.json()["error"]["param"] == request.param

            rejected_naming_the_field()
            big = (FormPart("input_reference", b"\x89PNG\r\n\x1a\n" + b"x" * 3_000_000, "a.png", "image/png"),)
            too_large = http.post(
                "/v1/videos", content=encode_multipart(big, "B"), headers={"Content-Type": content_type("B")}
            )
            assert (too_large.status_code, too_large.json()["error"]["code"]) == (413, "request_too_large")
            host, port = url.removeprefix("http://").split(":")
            cut_short = (
                b"POST /v1/videos HTTP/1.1\r\nAuthorization: Bearer k\r\n"
                b"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 50\r\n\r\n--B"
            )
            for junk in (b"\x00\xff" * 64, cut_short):
                answer = send_raw(host, int(port), junk)
                assert not answer.startswith(b"HTTP/1.1 5"), answer[:80]
            if server == "granian":  # uvicorn drops answers to a client that hung up
                assert b"invalid_multipart" in answer  # the body cut short is answered 400
            assert http.get("/openapi.json").status_code == 200  # still serving
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "Traceback" not in output



def test_a_body_cut_short_is_journaled_and_never_a_5xx(server: object) -> None:
    """In-process uvicorn (the tests' BackgroundServer): journaled, and never answered 5xx."""
    url = str(server.url)  # type: ignore[attr-defined]
    host, port = url.removeprefix("http://").split(":")
    head = "POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
    head += f"Content-Type: {content_type('B')}\r\nContent-Length: 500\r\n\r\n"
    partial = b'--B\r\nContent-Disposition: form-data; name="model"\r\n\r\nso'
    answer = send_raw(host, int(port), head.encode() + partial)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    entries = httpx.get(f"{url}/__admin/requests").json()
    assert any("before the whole request body" in str(e["problems"]) for e in entries["data"]), entries
