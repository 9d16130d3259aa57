"""The suite's live door: real tokens, the budget and cap, one paid request per test, a call record.

Hypothesis draws several examples per test and replays a failing one at the end. Live, a test
therefore sends at most one request that is (or turned out to be) accepted: the first valid one
drawn, or the first invalid one a relay answered 2xx; any replay of an already-sent request is
answered from this test's cache instead of starting another paid video.

Every POST could start a video, so each one takes a slot from the shared ledger before it is sent
(:mod:`.budget`); a 2xx answer to a request expected to be rejected is an *unexpected acceptance*:
recorded, and its video deleted at once where the relay allows it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx2
import pytest

from contract_tests.core.routing import family_url
from contract_tests.live.budget import Budget
from contract_tests.live.config import LiveConfig, ServerSettings
from contract_tests.live.follow import Followed, Follower
from contract_tests.live.known import KnownLeniencies
from contract_tests.live.recording import LiveRecorder
from contract_tests.live.transport import Call, Transport, UpstreamUnreachable
from contract_tests.testing.strategies import INVALID_CLASSES, GeneratedRequest, InvalidClass
from contract_tests.testing.target import Answer, Target

log = logging.getLogger(__name__)

CALL_PROPERTY = "sora_live_call"
SERVER_PROPERTY = "sora_live_server"
OBSERVATION_PROPERTY = "sora_live_observation"
ACCEPTANCE_PROPERTY = "sora_live_unexpected_acceptance"
FOLLOW_PROPERTY = "sora_live_follow"
KNOWN_PROPERTY = "sora_live_known"
EXCERPT_CHARS = 200

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

    def __init__(
        self,
        client: httpx2.Client,
        config: LiveConfig,
        budget: Budget,
        transport: Transport,
        *,
        recorder: LiveRecorder | None = None,
        known: KnownLeniencies | None = None,
    ) -> None:
        super().__init__(client, {sid: s.base_url for sid, s in config.servers.items()})  # type: ignore[arg-type]
        self.config = config
        self.budget = budget
        self.transport = transport
        self.recorder = recorder
        self.known = known
        self._cache: dict[_Key, httpx2.Response | UpstreamUnreachable] = {}
        self._paid: _Key | None = None
        self._unreachable: dict[str, str] = {}
        self._followed: dict[str, Followed] = {}

    def begin(self, item: pytest.Item, server_id: str | None) -> None:
        super().begin(item, server_id)
        self._cache.clear()
        self._followed.clear()
        self._paid = None
        if self.recorder is not None:
            self.recorder.server, self.recorder.test = server_id, item.nodeid
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
        """One request per test that is expected to be, or was, accepted; rejected ones all go."""
        return self._paid is None or self._paid == _key(request)

    def send(self, request: GeneratedRequest) -> httpx2.Response:
        key = _key(request)
        if key in self._cache:  # Hypothesis replaying an example: never send it twice
            cached = self._cache[key]
            if isinstance(cached, UpstreamUnreachable):
                raise cached
            return cached
        server = self.config.server(request.server_id)
        if server.token is None:  # begin() skips such tests; a test without a server id lands here
            pytest.skip(server.missing_token_reason)
        may_pay = request.method.upper() == "POST"  # any POST could start a video
        if request.valid and self._paid is not None and self._paid != key:
            raise RuntimeError("live mode sends one accepted-expected request per test; call admits() first")
        if may_pay:
            invalid = INVALID_CLASSES.get(request.label)
            practice = invalid is not None and not invalid.document_backed
            if practice:
                self._skip_if_known(server.id, request)
            refused = self.budget.grant(server.id, expected=request.valid, practice=practice)
            if refused is not None:
                pytest.skip(refused)
        if request.valid:
            self._paid = key
        url = self.url_for(request)
        headers = authorize(request.headers, server.token.reveal())
        try:
            exchange = self.transport.send(request.method, url, headers, request.body)
        except UpstreamUnreachable as exc:
            self._annotate(request)
            self._unreachable[server.id] = str(exc)
            self._cache[key] = exc
            if may_pay:
                self.budget.settle(server.id, request.valid, accepted=False, reached=exc.may_have_reached)
            self._record(request, url, None, 0, 0.0, 0.0, str(exc))
            raise
        except BaseException:  # interrupted mid-request: free the slot (a 2xx is what counts as paid)
            if may_pay:
                self.budget.settle(server.id, request.valid, accepted=False)
            raise
        self._annotate(request)
        response = exchange.response
        response.read()
        accepted = 200 <= response.status_code < 300
        if may_pay:
            self.budget.settle(server.id, request.valid, accepted=accepted)
        self._record(request, url, response.status_code, exchange.attempts, exchange.latency_ms, exchange.total_ms)
        self._cache[key] = response
        if accepted and may_pay and not request.valid:
            self._paid = key  # the test sends nothing else that could be accepted
            self._unexpected_acceptance(server, request, response)
        return response

    def tolerates(self, invalid: InvalidClass) -> bool:
        return not self.config.strict and not invalid.document_backed

    def observe(self, request: GeneratedRequest, check: str, response: Answer, message: str) -> None:
        if self.recorder is not None:
            self.recorder.mark_observed()
        self._property(OBSERVATION_PROPERTY, {
            "check": check,
            "class": request.label,
            "field": request.param,
            "status": response.status_code,
            "body": response.text[:EXCERPT_CHARS],
            "message": message.splitlines()[0],
        })

    def follow(self, request: GeneratedRequest, response: Answer) -> None:
        """``--live-follow``: poll the paid video; what breaks is an observation unless strict."""
        video_id = _video_id(response)
        if not self.config.follow or video_id is None:
            return
        followed = self._followed.get(video_id)
        if followed is None:  # else a Hypothesis replay of the same answer: judge it again, never re-poll
            server = self.config.server(request.server_id)
            assert server.token is not None  # send() skipped the test otherwise
            headers = {"Authorization": f"Bearer {server.token.reveal()}"}
            followed = Follower(self.transport, self.config.follow).follow(server.base_url, video_id, headers)
            self._followed[video_id] = followed
            self._property(FOLLOW_PROPERTY, followed.as_dict())
            if not self.config.strict:
                for failure in followed.failures:
                    self._property(OBSERVATION_PROPERTY, {
                        "check": failure.check,
                        "class": "follow",
                        "field": None,
                        "status": None,
                        "body": failure.message[:EXCERPT_CHARS],
                        "message": f"video {video_id}: {failure}",
                    })
        if followed.failures and self.config.strict:
            raise AssertionError(
                f"{request.describe()}: following video {video_id}: " + "; ".join(map(str, followed.failures))
            )

    def _annotate(self, request: GeneratedRequest) -> None:
        if self.recorder is not None:
            self.recorder.annotate(request)

    def _skip_if_known(self, server_id: str, request: GeneratedRequest) -> None:
        """``--live-known``: a practice probe a recording shows this relay accepts is not paid for twice."""
        status = self.known.status(server_id, request.label, request.param) if self.known is not None else None
        if self.known is None or status is None:
            return
        reason = self.known.reason(server_id, request.label, request.param)
        if self.recorder is not None:
            test = self.item.nodeid if self.item is not None else ""
            self.recorder.carry(self.known.entries[(server_id, request.label, request.param)], self.known.source, test)
        self._property(KNOWN_PROPERTY, {"class": request.label, "field": request.param, "status": status,
                                        "source": self.known.source, "message": reason})
        pytest.skip(reason)

    def _unexpected_acceptance(self, server: ServerSettings, request: GeneratedRequest, response: Answer) -> None:
        """A create expected to be rejected was answered 2xx: a paid video. Record it, try to delete it."""
        invalid = INVALID_CLASSES.get(request.label)
        video_id = _video_id(response)
        self._property(ACCEPTANCE_PROPERTY, {
            "class": request.label,
            "field": request.param,
            "basis": invalid.basis if invalid is not None else None,
            "failure": invalid is None or not self.tolerates(invalid),
            "status": response.status_code,
            "video_id": video_id,
            "delete": self._delete(server, video_id),
        })

    def _delete(self, server: ServerSettings, video_id: str | None) -> dict[str, Any]:
        """``DELETE /v1/videos/{id}`` (OpenAI's format has it; a relay may not): did it work?"""
        if video_id is None:
            return {"attempted": False, "deleted": False, "detail": "the answer carries no video id"}
        assert server.token is not None
        url = family_url(server.base_url, "DeleteVideo", video_id=video_id)
        try:
            answer = self.transport.send("DELETE", url, {"Authorization": f"Bearer {server.token.reveal()}"}, b"")
        except UpstreamUnreachable as exc:
            log.warning("could not delete unexpectedly accepted video %s: %s", video_id, exc)
            return {"attempted": True, "deleted": False, "status": None, "detail": str(exc)[:EXCERPT_CHARS]}
        response = answer.response
        response.read()
        deleted = 200 <= response.status_code < 300
        return {"attempted": True, "deleted": deleted, "status": response.status_code,
                "detail": "" if deleted else response.text[:EXCERPT_CHARS]}

    def _property(self, name: str, value: dict[str, Any]) -> None:
        if self.item is not None:
            self.item.user_properties.append((name, {"test": self.item.nodeid, **value}))

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


def _video_id(response: Answer) -> str | None:
    """The ``id`` of the video a create answer describes, if it is one."""
    try:
        payload = json.loads(response.content) if response.content else None
    except ValueError:
        return None
    value = payload.get("id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) and value.strip() else None
