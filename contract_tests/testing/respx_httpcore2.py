"""A respx mocker for httpcore2, the transport layer of httpx2 (and so of the openai SDK 3.x).

respx patches httpcore's connection classes only; a client built on httpx2 goes through httpcore2's
and would pass a respx router by, straight to the network. This mocker patches httpcore2's six
connection classes exactly as respx's own ``HTTPCoreMocker`` patches httpcore's, and reuses its
conversion of a transport request into the ``httpx.Request`` respx routes match on. Only the
answer differs: httpx2 expects an ``httpcore2.Response`` back.

Registered under its own name (not ``"httpcore2"``), so installing pytest-httpx2, which registers
that name, does not make respx refuse the second registration.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpcore2
import httpx
from respx.mocks import HTTPCoreMocker


class HTTPCore2Mocker(HTTPCoreMocker):
    """Patches httpcore2's connections; any respx router registered with it sees httpx2 traffic."""

    name: ClassVar[str] = "sora-contract-httpcore2"
    targets: ClassVar[list[str]] = [
        "httpcore2._sync.connection.HTTPConnection",
        "httpcore2._sync.connection_pool.ConnectionPool",
        "httpcore2._sync.http_proxy.HTTPProxy",
        "httpcore2._async.connection.AsyncHTTPConnection",
        "httpcore2._async.connection_pool.AsyncConnectionPool",
        "httpcore2._async.http_proxy.AsyncHTTPProxy",
    ]

    @classmethod
    def from_sync_httpx_response(cls, httpx_response: httpx.Response, target: Any, **kwargs: Any) -> Any:
        """The router's ``httpx.Response`` as the ``httpcore2.Response`` httpx2's transport reads."""
        return httpcore2.Response(
            status=httpx_response.status_code,
            headers=httpx_response.headers.raw,
            content=httpx_response.stream,
            extensions=httpx_response.extensions,
        )
