"""Timeouts and bounded retries that never send a create twice once it may have been accepted."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx2
import pytest

from contract_tests.live.transport import RetryPolicy, Transport, UpstreamUnreachable, retry_after

URL = "http://127.0.0.1:9/v1/videos"
Answer = Callable[[httpx2.Request], httpx2.Response]


def transport_for(answers: list[Answer | Exception], policy: RetryPolicy | None = None) -> tuple[
    Transport, list[httpx2.Request], list[float]
]:
    seen: list[httpx2.Request] = []
    slept: list[float] = []
    queue: Iterator[Answer | Exception] = iter(answers)

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        answer = next(queue)
        if isinstance(answer, Exception):
            raise answer
        return answer(request)

    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    return Transport(client, policy or RetryPolicy(backoff=0.25), sleep=slept.append), seen, slept


def status(code: int, **headers: str) -> Answer:
    return lambda request: httpx2.Response(code, headers=headers, json={})


@pytest.mark.parametrize("code", [502, 503, 504])
def test_a_create_is_never_retried_on_a_gateway_error(code: int) -> None:
    transport, seen, _ = transport_for([status(code), status(200)])
    exchange = transport.send("POST", URL, {}, b"x")
    assert exchange.response.status_code == code
    assert len(seen) == 1 and exchange.attempts == 1


def test_a_create_is_never_retried_after_a_read_timeout() -> None:
    transport, seen, _ = transport_for([httpx2.ReadTimeout("slow"), status(200)])
    with pytest.raises(UpstreamUnreachable, match=r"ReadTimeout.*not retried"):
        transport.send("POST", URL, {}, b"x")
    assert len(seen) == 1


def test_a_create_is_retried_when_the_connection_was_never_made() -> None:
    transport, seen, slept = transport_for([httpx2.ConnectError("refused"), status(200)])
    exchange = transport.send("POST", URL, {}, b"x")
    assert exchange.response.status_code == 200 and exchange.attempts == 2 and len(seen) == 2
    assert slept == [0.25]


def test_a_create_is_retried_on_429_honouring_retry_after() -> None:
    transport, _, slept = transport_for([status(429, **{"Retry-After": "2"}), status(200)])
    assert transport.send("POST", URL, {}, b"x").attempts == 2
    assert slept == [2.0]


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_an_idempotent_request_is_retried_with_exponential_backoff(code: int) -> None:
    transport, _, slept = transport_for([status(code), status(code), status(200)])
    exchange = transport.send("GET", URL, {}, b"")
    assert exchange.response.status_code == 200 and exchange.attempts == 3
    assert slept == [0.25, 0.5]


def test_retries_are_bounded_and_the_last_answer_is_returned() -> None:
    transport, seen, _ = transport_for([status(503)] * 5, RetryPolicy(attempts=3, backoff=0))
    exchange = transport.send("GET", URL, {}, b"")
    assert exchange.response.status_code == 503 and len(seen) == 3


def test_connection_errors_give_up_after_the_last_attempt() -> None:
    transport, seen, _ = transport_for([httpx2.ConnectError("refused")] * 3, RetryPolicy(attempts=3, backoff=0))
    with pytest.raises(UpstreamUnreachable, match=r"ConnectError.*after 3 attempt"):
        transport.send("POST", URL, {}, b"x")
    assert len(seen) == 3


def test_other_statuses_are_answers_not_reasons_to_retry() -> None:
    transport, seen, _ = transport_for([status(500), status(200)])
    assert transport.send("GET", URL, {}, b"").response.status_code == 500
    assert len(seen) == 1


def test_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_delay=3)
    assert policy.delay(1, httpx2.Response(429, headers={"Retry-After": "3600"})) == 3
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10
    assert retry_after("soon") is None


def test_latency_is_measured_on_the_answering_attempt() -> None:
    ticks = iter([0.0, 0.0, 0.010, 0.040, 0.050, 0.050])
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(503 if len(seen) == 1 else 200)

    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    transport = Transport(client, RetryPolicy(backoff=0), sleep=lambda _: None, clock=lambda: next(ticks))
    exchange = transport.send("GET", URL, {}, b"")
    assert exchange.latency_ms == 10.0 and exchange.total_ms == 50.0
