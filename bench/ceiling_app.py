"""The ceiling server of the benchmark (issue 12): the least an ASGI app can do for a create call.

It reads the whole request body, as sora-mock must, and answers one fixed small JSON: no
parsing, no checking, no state. Served by granian with the very command line sora-mock execs
(see :func:`ceiling_argv`), its req/s is the most this stack (granian, one worker, the event loop,
the ASGI messages) can do on this machine, so sora-mock's share of it says how much of its time
is its own work rather than the transport's.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from starlette.types import Receive, Scope, Send

BENCH = Path(__file__).resolve().parent
ANSWER = b'{"id":"video_ceiling","object":"video","status":"queued"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]
SORA_TARGET = "mockserver.app:app_from_env"
CEILING_TARGET = "ceiling_app:create_app"


async def ceiling(scope: Scope, receive: Receive, send: Send) -> None:
    """Drains the body (every byte is received), then sends the fixed answer."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    # As sora-mock's door does: a body whole by its Content-Length (no Transfer-Encoding) is not
    # followed by a wait for the server's empty last message.
    headers = dict(scope["headers"])
    framed = b"content-length" in headers and b"transfer-encoding" not in headers
    length = int(headers[b"content-length"]) if framed else None
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        received += len(message.get("body", b""))
        if not message.get("more_body", False) or received == length:
            break
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})


def create_app() -> Any:
    """The factory granian calls (sora-mock's command line passes ``--factory``)."""
    return ceiling


def sora_granian_argv() -> list[str]:
    """The command line ``sora-mock`` execs into on its defaults, captured rather than copied, so
    the ceiling keeps sora-mock's granian settings (workers, threads, flags) when they change."""
    from mockserver import cli
    from mockserver.settings import Settings

    captured: list[list[str]] = []
    with mock.patch("os.execv", lambda _path, argv: captured.append(list(argv))):
        cli.serve_with_granian(dataclasses.replace(Settings(), port=0))
    if not captured:
        raise RuntimeError("sora-mock's serve_with_granian did not exec granian: update bench/ceiling_app.py")
    return captured[0]


def ceiling_argv() -> list[str]:
    """sora-mock's granian command line with the ceiling app in place of sora-mock's, and the
    ``{host}``/``{port}`` placeholders bench/servers.py fills."""
    argv = sora_granian_argv()
    if argv[-1] != SORA_TARGET:
        raise RuntimeError(f"sora-mock's granian command no longer ends with {SORA_TARGET}: {argv}")
    out = [sys.executable, *argv[1:-1], "--working-dir", str(BENCH), CEILING_TARGET]
    for flag, placeholder in (("--host", "{host}"), ("--port", "{port}")):
        out[out.index(flag) + 1] = placeholder
    return out
