"""The door knows a body is whole by its Content-Length: it does not wait for the server's empty
last message (granian sends a small body with ``more_body`` set, then an empty message, one more
trip through the event loop per request). Without a Content-Length, or with chunked framing, it
reads on until the server says the body ended."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest

from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from mockserver.app import create_app
from mockserver.settings import Settings

BOUNDARY = "framing-boundary"
FIELDS = {"model": "sora-2", "prompt": "a cat", "seconds": "4", "size": "16x9", "watermark": "false"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PARTS = [Part(name, value.encode()) for name, value in FIELDS.items()]
BODY = encode_multipart([*PARTS, Part("input_reference", PNG, "f.png", "image/png")], BOUNDARY)


def _call(extra_headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]]) -> tuple[int, int]:
    """(status, messages left unread) for one create whose body arrives as ``messages``; asking
    for more than those fails the test (a server would make the door wait)."""
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer sk-framing-test-0001"),
               (b"content-type", content_type(BOUNDARY).encode()), *extra_headers]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/videos", "raw_path": b"/v1/videos", "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010),
    }  # fmt: skip
    pending = list(messages)
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if not pending:
            raise AssertionError("the door asked for a message after the body had ended")
        return pending.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        statuses.extend([message["status"]] if message["type"] == "http.response.start" else [])

    asyncio.run(create_app(Settings())(scope, receive, send))
    return statuses[0], len(pending)


WHOLE = {"type": "http.request", "body": BODY, "more_body": True}
LAST = {"type": "http.request", "body": b"", "more_body": False}


def test_a_body_whole_by_its_content_length_is_answered_without_the_empty_last_message() -> None:
    status, unread = _call([(b"content-length", str(len(BODY)).encode())], [WHOLE, LAST])
    assert (status, unread) == (200, 1)


@pytest.mark.parametrize(
    "framing",
    [[], [(b"content-length", str(len(BODY)).encode()), (b"transfer-encoding", b"chunked")]],
    ids=["no content-length", "chunked wins over content-length"],
)
def test_without_a_content_length_alone_the_door_reads_until_the_body_ends(framing: list[tuple[bytes, bytes]]) -> None:
    status, unread = _call(framing, [WHOLE, LAST])
    assert (status, unread) == (200, 0)


def test_a_body_shorter_than_its_content_length_is_still_read_to_its_end() -> None:
    """The shortcut only ends a read the framing says is whole: a client that sent less is answered as before."""
    status, unread = _call([(b"content-length", str(len(BODY) + 10).encode())], [WHOLE, LAST])
    assert unread == 0 and status == 200
