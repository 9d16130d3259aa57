"""The respx door: intercept httpx and httpx2 traffic to the documented servers, answer by contract.

Each server named in a document's ``servers`` gets a route; its requests go through the shared
:class:`VideoService` (the same checker and engine as the mock server), so a test of client code
sees exactly what the mock server would answer, without a network.

One router serves both HTTP stacks: respx's own mocker patches httpcore (httpx), and
:class:`HTTPCore2Mocker` patches httpcore2 (httpx2, which the official openai SDK 3.x is built on).
Both hand their requests to the same router, so ``calls`` and the journal see every client.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
import respx

from contract_tests.core.checker import RequestChecker
from contract_tests.core.engine import VideoEngine
from contract_tests.core.http import RawRequest
from contract_tests.core.journal import Entry, Journal
from contract_tests.core.service import VideoService
from contract_tests.core.specs import SpecRegistry, load_registry
from contract_tests.testing.respx_httpcore2 import HTTPCore2Mocker


class SoraMock:
    """A respx router for every documented server; use as a context manager or via the fixture.

    While started it answers httpx and httpx2 clients alike, sync and async. ``assert_all_mocked``
    (the default) makes any request to an undocumented host fail loudly in either stack, so an
    offline test can never reach the network by accident.
    """

    def __init__(
        self,
        registry: SpecRegistry | None = None,
        *,
        engine: VideoEngine | None = None,
        assert_all_mocked: bool = True,
    ) -> None:
        self.registry = registry or load_registry()
        self.engine = engine or VideoEngine()
        self.journal = Journal()
        checker = RequestChecker(self.registry)
        self.router = respx.MockRouter(assert_all_mocked=assert_all_mocked, assert_all_called=False)
        self.services: dict[str, VideoService] = {}
        for server in self.registry.servers.values():
            service = VideoService(
                self.registry, server.id, checker=checker, engine=self.engine, journal=self.journal
            )
            self.services[server.id] = service
            url = urlsplit(server.base_url)
            self.router.route(scheme=url.scheme, host=url.hostname).mock(side_effect=self._responder(service))

    @staticmethod
    def _responder(service: VideoService) -> Any:
        def respond(request: httpx.Request) -> httpx.Response:
            raw = RawRequest(request.method, str(request.url), dict(request.headers), request.read())
            answer = service.handle(raw)
            return httpx.Response(answer.status, headers=dict(answer.headers), content=answer.body)

        return respond

    def transport(self) -> httpx.MockTransport:
        """A transport for one client: answers by contract without patching httpx globally.

        Other code in the same process (or the same pytest-xdist worker) keeps real HTTP.
        """
        return httpx.MockTransport(self.router.handler)

    def httpx2_transport(self) -> httpx2.MockTransport:
        """The same for an httpx2 client, e.g. ``OpenAI(http_client=httpx2.Client(transport=...))``.

        respx routes match ``httpx.Request`` objects, so each request is rebuilt as one and the
        answer converted back; bytes and raw headers pass unchanged.
        """

        def handle(request: httpx2.Request) -> httpx2.Response:
            answer = self.router.handler(
                httpx.Request(request.method, str(request.url), headers=request.headers.raw, content=request.content)
            )
            return httpx2.Response(answer.status_code, headers=answer.headers.raw, content=answer.content)

        return httpx2.MockTransport(handle)

    @property
    def calls(self) -> respx.models.CallList:
        """respx's record of every intercepted call (request and response)."""
        return self.router.calls

    def requests(self) -> Iterator[Entry]:
        """The journal: every request with its verdict and problems, tokens redacted."""
        return iter(self.journal.entries())

    def start(self) -> SoraMock:
        self.router.start()
        HTTPCore2Mocker.register(self.router)
        HTTPCore2Mocker.start()
        return self

    def stop(self) -> None:
        # Patches stay while another started router still uses the mocker (respx's own rule).
        HTTPCore2Mocker.unregister(self.router)
        HTTPCore2Mocker.stop()
        self.router.stop(clear=False, reset=False, quiet=True)

    def __enter__(self) -> SoraMock:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
