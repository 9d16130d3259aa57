"""Upload limits: 413 in the error format, decided while streaming, and the server keeps serving."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from mock_http import AUTH, create

from contract_tests import Part, encode_multipart
from contract_tests.core import images
from contract_tests.core.wire import MultipartReader
from contract_tests.testing.strategies import GeneratedRequest
from mockserver import door
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

LIMIT = 64 * 1024
BOUNDARY = "limitboundary"
HEADERS = {**AUTH, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture(scope="module")
def small(serve: Callable[[Settings], BackgroundServer]) -> BackgroundServer:
    return serve(Settings(max_upload_bytes=LIMIT, render_seconds=1))


def big_body(size: int) -> bytes:
    parts = [
        Part("model", b"sora-2"),
        Part("prompt", b"big"),
        Part("seconds", b"4"),
        Part("size", b"16x9"),
        Part("watermark", b"false"),
        Part("input_reference", images.png() + b"\0" * size, "big.png", "image/png"),
    ]
    return encode_multipart(parts, BOUNDARY)


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large" and str(LIMIT) in error["message"]


def test_declared_length_over_the_limit(small: BackgroundServer, example: GeneratedRequest) -> None:
    assert_413(httpx.post(f"{small.url}/v1/videos", content=big_body(4 * LIMIT), headers=HEADERS))
    with httpx.Client(base_url=small.url, headers=AUTH) as http:
        assert create(http, example).status_code == 200  # still serving, same size rules


def test_chunked_upload_is_cut_off_while_streaming(small: BackgroundServer) -> None:
    body = big_body(4 * LIMIT)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 8192):
            yield body[i : i + 8192]

    response = httpx.post(f"{small.url}/v1/videos", content=chunks(), headers=HEADERS)
    assert "content-length" not in response.request.headers
    assert_413(response)


def test_oversized_non_multipart_body_too(small: BackgroundServer) -> None:
    # A remix body is checked like any documented body (family.yaml): sent as its JSON, too large is 413
    # (of another media type it is a 415 first, as for a create).
    json_body = {**AUTH, "Content-Type": "application/json"}
    assert_413(httpx.post(f"{small.url}/v1/videos/x/remix", content=b"{" * (2 * LIMIT), headers=json_body))


def test_expect_100_continue_gets_413_before_sending(small: BackgroundServer) -> None:
    with socket.create_connection((small.host, small.port), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"Content-Length: {10 * LIMIT}\r\n".encode()
            + b"Expect: 100-continue\r\n\r\n"
        )
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head


def test_the_limit_outranks_nothing_before_it(small: BackgroundServer) -> None:
    """Route, auth and media type are reported before size, as the checker orders them."""
    no_auth = {"Content-Type": HEADERS["Content-Type"]}
    assert httpx.post(f"{small.url}/v1/videos", content=big_body(4 * LIMIT), headers=no_auth).status_code == 401


def test_uploads_are_fed_to_the_reader_chunk_by_chunk(
    server: BackgroundServer, example: GeneratedRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds: list[int] = []

    class Counting(MultipartReader):
        def feed(self, chunk: bytes) -> None:
            feeds.append(len(chunk))
            super().feed(chunk)

    monkeypatch.setattr(door, "MultipartReader", Counting)
    body = big_body(2 * 1024 * 1024)
    response = httpx.post(f"{server.url}/v1/videos", content=body, headers=HEADERS)
    assert response.status_code == 200, response.text
    assert len(feeds) > 4 and max(feeds) < len(body) and sum(feeds) == len(body)
