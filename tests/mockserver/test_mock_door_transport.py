"""The door's transport helpers (issue 12 made them cheaper): what they build from an ASGI scope,
and what they send, stays what the rest of the mock relies on.

Request headers come out with lower-case names, a repeated header joined with commas (also once
the header-name lookup is warm, and for names past its bound); the URL is the mock's base with the
raw path (a leading slash added) and the query; an answer goes out with lower-case header names,
its own Content-Length (the service's for HEAD, none for 204/304), and ``connection: close`` when
asked.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from contract_tests.core.http import RawRequest
from mockserver import door


def _scope(headers: list[tuple[bytes, bytes]], **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/v1/videos", "headers": headers, **extra}


@pytest.mark.parametrize("rounds", [1, 2])  # the second round reads names from the warm lookup
def test_request_headers_are_lower_case_and_a_repeated_one_is_joined(rounds: int) -> None:
    raw = [(b"Content-Type", b"multipart/form-data; boundary=x"), (b"X-Tag", b"a"), (b"x-tag", b"b"),
           (b"AUTHORIZATION", b"Bearer \xe9")]
    for _ in range(rounds):
        headers = door._headers(_scope(raw))
    assert headers == {"content-type": "multipart/form-data; boundary=x", "x-tag": "a, b",
                       "authorization": "Bearer \xe9"}


def test_header_names_past_the_lookups_bound_are_still_read() -> None:
    raw = [(f"X-Name-{i}".encode(), str(i).encode()) for i in range(door._KNOWN_NAMES + 50)]
    headers = door._headers(_scope(raw))
    assert headers == {f"x-name-{i}": str(i) for i in range(door._KNOWN_NAMES + 50)}
    assert len(door._HEADER_NAMES) <= door._KNOWN_NAMES


@pytest.mark.parametrize(
    ("extra", "url"),
    [
        ({"raw_path": b"/v1/videos", "query_string": b""}, "http://sora-mock/v1/videos"),
        ({"raw_path": b"/v1/videos/a%2Fb", "query_string": b"limit=2&after=x"},
         "http://sora-mock/v1/videos/a%2Fb?limit=2&after=x"),
        ({"raw_path": b"v1/videos"}, "http://sora-mock/v1/videos"),
        ({"raw_path": None, "path": "/v1/\xe9"}, "http://sora-mock/v1/\xc3\xa9"),  # path: UTF-8 bytes as latin-1
        ({}, "http://sora-mock/v1/videos"),
        ({"method": "post"}, "http://sora-mock/v1/videos"),  # the method is upper-cased, as before
        ({"raw_path": b"/v1/videos#frag", "query_string": b"a=1"}, "http://sora-mock/v1/videos#frag?a=1"),
        ({"raw_path": b"/v1/vid\teos\n"}, "http://sora-mock/v1/vid\teos\n"),  # what a URL parser drops
    ],
)
def test_the_url_is_the_base_with_the_raw_path_and_query(extra: dict[str, Any], url: str) -> None:
    """The door's request is the one ``RawRequest`` makes of the same URL, path, host and query included."""
    headers = [(b"Content-Type", b"text/plain"), (b"X-Tag", b"a")]
    request = door.arrived(_scope(headers, **extra))
    from_url = RawRequest("post", url, {"CONTENT-TYPE": "text/plain", "x-tag": "a"})
    assert request == from_url
    assert (request.path, request.host, request.query) == (from_url.path, from_url.host, from_url.query)


def _sent(status: int, headers: dict[str, str], body: bytes, close: bool = False, head: bool = False) -> list[Any]:
    messages: list[Any] = []

    async def send(message: Any) -> None:
        messages.append(message)

    asyncio.run(door.send_answer(send, status, headers, body, close, head=head))
    return messages


def test_an_answer_carries_lower_case_names_and_its_own_length() -> None:
    start, body = _sent(200, {"Content-Type": "application/json", "Content-Length": "999", "X-Id": "1"}, b"{}")
    assert start == {"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"x-id", b"1"), (b"content-length", b"2")]}
    assert body == {"type": "http.response.body", "body": b"{}"}


def test_head_names_the_services_length_and_sends_no_body() -> None:
    start, body = _sent(200, {"content-length": "1234"}, b"", head=True)
    assert start["headers"] == [(b"content-length", b"1234")]
    assert body["body"] == b""


@pytest.mark.parametrize("status", [101, 204, 304])
def test_no_length_where_http_allows_no_body(status: int) -> None:
    start, _ = _sent(status, {}, b"")
    assert start["headers"] == []


def test_close_is_said() -> None:
    start, _ = _sent(413, {}, b"x", close=True)
    assert start["headers"] == [(b"content-length", b"1"), (b"connection", b"close")]
