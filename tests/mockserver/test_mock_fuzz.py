"""No input gives a 5xx, and the server keeps serving: contract-invalid requests and raw random bytes."""

from __future__ import annotations

import socket

import httpx
import pytest
from conftest import AUTH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import invalid_requests, load_registry
from contract_tests.strategies import GeneratedRequest
from mockserver.background import BackgroundServer

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DOCUMENTS = ("jxincm-private", "jxincm-character")  # the shared server enforces jxincm


def alive(server: BackgroundServer) -> None:
    assert httpx.get(f"{server.url}/v1/videos", headers=AUTH, timeout=5).status_code == 200


def raw_exchange(server: BackgroundServer, data: bytes) -> bytes:
    """Send bytes, half-close, and read whatever comes back (bounded in time and size)."""
    with socket.create_connection((server.host, server.port), timeout=3) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            received = b""
            while len(received) < 65536:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            return b""
    return received


def status_of(reply: bytes) -> int | None:
    if not reply.startswith(b"HTTP/1.1 "):
        return None
    return int(reply[9:12])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_invalid_requests_get_the_contracts_status_never_5xx(server: BackgroundServer, document: str) -> None:
    @FUZZ
    @given(invalid_requests(load_registry().document(document)))
    def check(request: GeneratedRequest) -> None:
        response = bare.request(request.method, request.path, content=request.body, headers=dict(request.headers))
        assert response.status_code < 500, response.text
        if request.label != "unknown_field" or document == "jxincm-character":
            # an unknown field for one jxincm document may be known to the other, which accepts it
            assert response.status_code == request.expected_status, (request.describe(), response.text)
            assert response.json()["error"]["code"] == request.expected_code, request.describe()

    with httpx.Client(base_url=server.url, timeout=10) as bare:  # the request carries its own auth, or none
        check()
    alive(server)


@FUZZ
@given(st.binary(max_size=4096))
def test_raw_random_bytes_never_5xx(server: BackgroundServer, data: bytes) -> None:
    status = status_of(raw_exchange(server, data))
    assert status is None or status < 500


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"]),
    path=st.sampled_from(["/v1/videos", "/v1/videos/", "/v1/videos/x/remix", "/v1/videos/x/content", "/__admin/reset"]),
    content_type=st.sampled_from(
        ["multipart/form-data; boundary=b", "multipart/form-data", "application/json", "text/plain", ""]
    ),
    prefer=st.sampled_from(["", "latency=0", "video=failed", "code=", "render-seconds=1e309", ";;,,", "x=\"y"]),
    body=st.binary(max_size=2048),
)
def test_random_bodies_on_every_route_never_5xx(
    server: BackgroundServer, method: str, path: str, content_type: str, prefer: str, body: bytes
) -> None:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk\r\nContent-Length: {len(body)}\r\n"
    head += (f"Content-Type: {content_type}\r\n" if content_type else "") + (f"Prefer: {prefer}\r\n" if prefer else "")
    status = status_of(raw_exchange(server, head.encode() + b"\r\n" + body))
    assert status is not None and status < 500


@FUZZ
@given(st.binary(min_size=1, max_size=2048), st.text(min_size=1, max_size=70))
def test_random_multipart_bodies_never_5xx(server: BackgroundServer, body: bytes, boundary: str) -> None:
    headers = [
        (b"Authorization", b"Bearer sk"),
        (b"Content-Type", b"multipart/form-data; boundary=" + boundary.encode("utf-8")),
    ]
    try:
        response = httpx.post(f"{server.url}/v1/videos", content=b"--" + boundary.encode() + b"\r\n" + body,
                              headers=headers, timeout=5)
    except httpx.LocalProtocolError:
        return  # httpx refuses to send that header value; nothing reached the server
    assert 400 <= response.status_code < 500, response.text


def test_still_serving_after_the_fuzz(server: BackgroundServer) -> None:
    for data in (b"\x00" * 100, b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n", b"POST /v1/videos HTTP/1.1\r\n" * 50):
        raw_exchange(server, data)
    alive(server)
