"""The suite's live door: real tokens, the budget, one paid request per test, and a call record.

Hypothesis draws several examples per test and replays a failing one at the end. Live, a test
therefore sends at most one request expected to be accepted (the first drawn); any replay of an
already-sent request is answered from this test's cache instead of starting another paid video.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from contract_tests.live.budget import Budget
from contract_tests.live.config import LiveConfig
from contract_tests.live.transport import Call, Transport, UpstreamUnreachable
from contract_tests.strategies import GeneratedRequest
from contract_tests.target import Target

CALL_PROPERTY = "sora_live_call"
SERVER_PROPERTY = "sora_live_server"

_Key = tuple[str, str, str, bytes, tuple[tuple[str, str], ...]]


def _key(request: GeneratedRequest) -> _Key:
    return (request.server_id, request.method, request.path, request.body, tuple(sorted(request.headers.items())))


def authorize(headers: Mapping[str, str], token: str) -> dict[str, str]:
    """Swap the generated fake Bearer token for the real one; keep no-auth and other schemes as sent.

    The invalid classes ``no_auth`` and ``basic_auth`` must reach the server exactly as generated.
    """
    out = {}
    for name, value in headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            value = f"Bearer {token}"
        out[name] = value
    return out


class LiveTarget(Target):
    """Real HTTP to each server's configured base URL, within the run's budget."""

    live = True

    def __init__(self, client: httpx.Client, config: LiveConfig, budget: Budget, transport: Transport) -> None:
        super().__init__(client, {sid: s.base_url for sid, s in config.servers.items()})
        self.config = config
        self.budget = budget
        self.transport = transport
        self._cache: dict[_Key, httpx.Response | UpstreamUnreachable] = {}
        self._paid: _Key | None = None
        self._unreachable: dict[str, str] = {}

    def begin(self, item: pytest.Item, server_id: str | None) -> None:
        super().begin(item, server_id)
        self._cache.clear()
        self._paid = None
        if server_id is None:
            return
        item.user_properties.append((SERVER_PROPERTY, server_id))
        server = self.config.server(server_id)
        if server.token is None:
            if self.config.require:
                pytest.fail(f"{server.missing_token_reason} (--live-require)", pytrace=False)
            pytest.skip(server.missing_token_reason)
        if server_id in self._unreachable:  # fail fast: retrying a dead server in every test is slow, not news
            pytest.fail(f"server {server_id} was unreachable earlier in this run: {self._unreachable[server_id]}",
                        pytrace=False)

    def admits(self, request: GeneratedRequest) -> bool:
        """One request expected to be accepted per test; requests expected to be rejected all go."""
        if not request.valid:
            return True
        return self._paid is None or self._paid == _key(request)

    def send(self, request: GeneratedRequest) -> httpx.Response:
        key = _key(request)
        if key in self._cache:  # Hypothesis replaying an example: never send it twice
            cached = self._cache[key]
            if isinstance(cached, UpstreamUnreachable):
                raise cached
            return cached
        server = self.config.server(request.server_id)
        if server.token is None:  # begin() skips such tests; a test without a server id lands here
            pytest.skip(server.missing_token_reason)
        if request.valid:
            if self._paid is not None and self._paid != key:
                raise RuntimeError("live mode sends one accepted-expected request per test; call admits() first")
            if not self.budget.try_spend(server.id):
                pytest.skip(self.budget.skip_reason(server.id))
            self._paid = key
        url = self.url_for(request)
        headers = authorize(request.headers, server.token.reveal())
        try:
            exchange = self.transport.send(request.method, url, headers, request.body)
        except UpstreamUnreachable as exc:
            self._unreachable[server.id] = str(exc)
            self._cache[key] = exc
            if request.valid and not exc.may_have_reached:
                self.budget.refund(server.id)
            self._record(request, url, None, 0, 0.0, 0.0, str(exc))
            raise
        response = exchange.response
        response.read()
        self._record(request, url, response.status_code, exchange.attempts, exchange.latency_ms, exchange.total_ms)
        self._cache[key] = response
        return response

    def _record(
        self,
        request: GeneratedRequest,
        url: str,
        status: int | None,
        attempts: int,
        latency_ms: float,
        total_ms: float,
        error: str | None = None,
    ) -> None:
        test = self.item.nodeid if self.item is not None else ""
        call = Call(
            request.server_id, test, request.label, request.param, request.method, url, status,
            attempts, latency_ms, total_ms, error,
        )
        if self.item is not None:
            self.item.user_properties.append((CALL_PROPERTY, call.as_dict()))
