"""Real HTTP with timeouts and bounded retries that never risk a second paid video.

A create (any POST) that may have reached the server is never retried: only errors that prove
it did not (the connection was never made) or an explicit refusal (429) are retried for it.
Idempotent requests are also retried on 502/503/504 and on read-side transport errors.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# 429 means the server declined to process the request, so even a create may be sent again.
SAFE_FOR_CREATE_STATUSES = frozenset({429})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Errors raised before a single byte of the request left: the server cannot have accepted it.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx2.ConnectError, httpx2.ConnectTimeout)


class UpstreamUnreachable(Exception):
    """Every allowed attempt failed at the transport level; the message says how.

    ``may_have_reached`` is False only when the last attempt never connected, so a caller can
    tell "no video can have started" (refund the budget) from "maybe it did".
    """

    def __init__(self, message: str, may_have_reached: bool = True) -> None:
        super().__init__(message)
        self.may_have_reached = may_have_reached


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff; ``Retry-After`` is honoured up to ``max_delay`` seconds."""

    attempts: int = 3
    backoff: float = 0.5
    max_delay: float = 10.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def may_retry_status(self, method: str, status: int) -> bool:
        if status not in self.statuses:
            return False
        return method.upper() in IDEMPOTENT or status in SAFE_FOR_CREATE_STATUSES

    def may_retry_error(self, method: str, error: Exception) -> bool:
        if isinstance(error, NOT_SENT_ERRORS):
            return True
        return method.upper() in IDEMPOTENT and isinstance(error, httpx2.TransportError)

    def delay(self, attempt: int, response: httpx2.Response | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempts count from 1)."""
        wanted = self.backoff * (2 ** (attempt - 1))
        if response is not None:
            after = retry_after(response.headers.get("retry-after"))
            if after is not None:
                wanted = after
        return max(0.0, min(wanted, self.max_delay))


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Call:
    """One logical request as the report shows it: where, what, the answer and how long it took."""

    server: str
    test: str
    label: str
    param: str | None
    method: str
    url: str
    status: int | None
    attempts: int
    latency_ms: float
    total_ms: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Exchange:
    """What :meth:`Transport.send` returns: the final response and how it was obtained."""

    response: httpx2.Response
    attempts: int
    latency_ms: float
    total_ms: float


class Transport:
    """Send one request with the retry policy; measure the answering attempt's latency."""

    def __init__(
        self,
        client: httpx2.Client,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    def send(self, method: str, url: str, headers: Mapping[str, str], content: bytes) -> Exchange:
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            begun = self._clock()
            try:
                response = self.client.request(method, url, headers=dict(headers), content=content)
            except httpx2.TransportError as exc:
                if attempt < self.policy.attempts and self.policy.may_retry_error(method, exc):
                    self._sleep(self.policy.delay(attempt))
                    continue
                why = "not retried: a create that may have reached the server" if attempt < self.policy.attempts else (
                    f"after {attempt} attempt(s)"
                )
                raise UpstreamUnreachable(
                    f"{method} {url}: {type(exc).__name__}: {exc} ({why})", not isinstance(exc, NOT_SENT_ERRORS)
                ) from None
            latency = (self._clock() - begun) * 1000
            if attempt < self.policy.attempts and self.policy.may_retry_status(method, response.status_code):
                response.close()
                self._sleep(self.policy.delay(attempt, response))
                continue
            return Exchange(response, attempt, round(latency, 3), round((self._clock() - started) * 1000, 3))
