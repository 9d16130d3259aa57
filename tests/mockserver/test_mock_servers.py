"""`sora-mock --server granian|uvicorn`: the same app on either ASGI server answers the same way."""

from __future__ import annotations

import json
import signal
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from mock_http import AUTH, create, running
from raw_http import answer, exchange, request

from contract_tests.core.conformance import check_response
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.specs import load_registry
from contract_tests.testing.content_types import ContentTypeCase, content_type_cases
from contract_tests.testing.strategies import GeneratedRequest, create_operation, invalid_requests

DOCUMENT = load_registry().document("jxincm-private")


def journaled(url: str, text: str, within: float = 10.0) -> bool:
    """Whether a journal entry's problems mention ``text`` (polled: the door journals after the client left)."""
    deadline = time.monotonic() + within
    while True:
        entries = httpx.get(f"{url}/__admin/requests", timeout=5).json()["data"]
        if any(text in str(entry["problems"]) for entry in entries):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


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
            big = (Part("input_reference", b"\x89PNG\r\n\x1a\n" + b"x" * 3_000_000, "a.png", "image/png"),)
            too_large = http.post(
                "/v1/videos", content=encode_multipart(big, "B"), headers={"Content-Type": content_type("B")}
            )
            assert (too_large.status_code, too_large.json()["error"]["code"]) == (413, "request_too_large")
            host, port = url.removeprefix("http://").split(":")
            cut_short = (
                b"POST /v1/videos HTTP/1.1\r\nAuthorization: Bearer k\r\n"
                b"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 50\r\n\r\n--B"
            )
            status, _ = answer(exchange(host, int(port), b"\x00\xff" * 64, half_close=True), "junk")
            assert status == 400  # a broken request line is answered, never hung up on
            reply = exchange(host, int(port), cut_short, half_close=True)
            if server == "granian":  # the body cut short is answered 400
                status, body = answer(reply, "cut short")
                assert (status, json.loads(body)["error"]["code"]) == (400, "invalid_multipart")
            else:  # uvicorn drops answers to a client that half-closed: the journal shows the verdict
                assert not reply or answer(reply)[0] == 400, reply[:200]
                assert journaled(url, "before the whole request body")
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
    reply = exchange(host, int(port), head.encode() + partial, half_close=True)
    assert not reply or answer(reply)[0] == 400, reply[:200]  # uvicorn drops it: the client half-closed
    assert journaled(url, "before the whole request body")


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_fuzzed_content_type_parameters_on_each_server(server: str, example: GeneratedRequest) -> None:
    """The boundary fuzz of test_mock_fuzz on each real server: never a 5xx, never a hang-up, legal ones 200."""
    with running("--server", server) as (url, _):
        host, port = url.removeprefix("http://").split(":")

        @settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=content_type_cases(example.parts))
        def answered_by_contract(case: ContentTypeCase) -> None:
            headers = [(b"Authorization", b"Bearer sk"), (b"Content-Type", case.header)]
            sent = request("POST", "/v1/videos", headers, case.body)
            case.check_answer(*answer(exchange(host, int(port), sent), case.describe()))

        answered_by_contract()
