"""No input gives a 5xx, and the server keeps serving: contract-invalid requests and raw random bytes."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mock_http import AUTH
from raw_http import answer, exchange, request

from contract_tests import example_request, invalid_requests, load_registry
from contract_tests.core.media_type import TOKEN_BYTES
from contract_tests.testing.content_types import ContentTypeCase, content_type_cases
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DOCUMENTS = ("jxincm-private", "jxincm-character")  # the shared server enforces jxincm


def alive(server: BackgroundServer) -> None:
    assert httpx.get(f"{server.url}/v1/videos", headers=AUTH, timeout=5).status_code == 200


def raw_exchange(server: BackgroundServer, data: bytes) -> bytes:
    """Send bytes, half-close, and read everything that comes back."""
    return exchange(server.host, server.port, data, half_close=True)


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


def owes_an_answer(data: bytes) -> bool:
    """Whether these bytes are a broken request line, which HTTP answers 400, and not a prefix of a good one.

    A request line starts with a method (token characters) and a space; a byte that is neither
    where it stands is an error any server sees at once. Bytes that are all token characters, or
    reach a space or a line end, could still be (or precede) a valid request: no answer is owed.
    """
    method = len(data) - len(data.lstrip(TOKEN_BYTES))
    return method < len(data) and data[method : method + 1] not in (b" ", b"\r", b"\n")


@FUZZ
@given(st.binary(max_size=4096))
def test_raw_random_bytes_are_answered_4xx(server: BackgroundServer, data: bytes) -> None:
    assume(owes_an_answer(data))
    status, _ = answer(raw_exchange(server, data), data[:40])
    assert 400 <= status < 500


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
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer sk\r\n"
    head += f"Content-Length: {len(body)}\r\n"
    head += (f"Content-Type: {content_type}\r\n" if content_type else "") + (f"Prefer: {prefer}\r\n" if prefer else "")
    status, _ = answer(exchange(server.host, server.port, head.encode() + b"\r\n" + body))
    assert status < 500


# Surrogates (category Cs) cannot be sent as UTF-8 at all, so they are no boundary a client could send.
_BOUNDARY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=70)


@FUZZ
@given(st.binary(min_size=1, max_size=2048), _BOUNDARY_TEXT)
def test_random_multipart_bodies_never_5xx(server: BackgroundServer, body: bytes, boundary: str) -> None:
    """Any boundary text (sent raw: httpx refuses some header values) over noise: a 4xx, always answered."""
    encoded = boundary.encode("utf-8")
    headers = [(b"Authorization", b"Bearer sk"), (b"Content-Type", b"multipart/form-data; boundary=" + encoded)]
    sent = request("POST", "/v1/videos", headers, b"--" + encoded + b"\r\n" + body)
    status, reply = answer(exchange(server.host, server.port, sent), boundary)
    assert 400 <= status < 500, reply[:300]


def test_still_serving_after_the_fuzz(server: BackgroundServer) -> None:
    for data in (b"\x00" * 100, b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n", b"POST /v1/videos HTTP/1.1\r\n" * 50):
        raw_exchange(server, data)
    alive(server)


@FUZZ
@given(case=content_type_cases(example_request(load_registry().document("jxincm-private")).parts))
def test_fuzzed_content_type_parameters_get_their_answer(server: BackgroundServer, case: ContentTypeCase) -> None:
    """Boundary lengths 0-400, characters outside RFC 2046's, quoting, repeats, charset, odd case and spacing."""
    sent = request("POST", "/v1/videos", [(b"Authorization", b"Bearer sk"), (b"Content-Type", case.header)], case.body)
    case.check_answer(*answer(exchange(server.host, server.port, sent), case.describe()))


def test_a_server_that_hangs_up_fails_these_checks() -> None:
    """The checks above fail, not pass, on a server that closes every connection without answering."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        host, port = listener.getsockname()[:2]

        def hang_up() -> None:
            for _ in range(2):
                connection, _ = listener.accept()
                connection.recv(65536)
                connection.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        for data in (b"\x00junk", request("POST", "/v1/videos", [], b"")):
            with pytest.raises(AssertionError, match="no HTTP answer"):
                answer(exchange(host, port, data, half_close=data.startswith(b"\x00")))
        thread.join(timeout=10)
