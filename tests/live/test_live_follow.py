"""Following a paid video: the lifecycle checks (stable ids), the bounded poll, the content probe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2

from contract_tests.live.follow import FOLLOW_CHECKS, Follower, lifecycle_failures
from contract_tests.live.transport import RetryPolicy, Transport

VIDEO = "video_1"


def video(status: str, progress: int, **extra: Any) -> dict[str, Any]:
    return {"id": VIDEO, "object": "video", "status": status, "progress": progress, **extra}


def checks(snapshots: list[dict[str, Any]]) -> list[str]:
    return [f.check for f in lifecycle_failures(VIDEO, snapshots)]


def test_a_clean_lifecycle_has_no_failures() -> None:
    assert checks([video("queued", 0), video("in_progress", 40), video("completed", 100, completed_at=1)]) == []
    assert checks([video("queued", 0), video("failed", 10, error={"code": "x", "message": "y"})]) == []


def test_each_broken_promise_is_named_once() -> None:
    assert checks([video("in_progress", 50), video("queued", 0), video("queued", 0)]) == [
        "follow_status_order", "follow_progress_monotonic",
    ]
    assert checks([video("completed", 90)]) == ["follow_completed_progress_100", "follow_completed_at_set"]
    assert checks([video("failed", 0)]) == ["follow_failed_error"]
    assert checks([{**video("queued", 0), "id": "video_2"}]) == ["follow_same_id"]
    assert checks([video("processing", 0)]) == ["follow_status_known"]
    assert checks([video("completed", 100, completed_at=1), video("failed", 100, error={})]) == [
        "follow_status_order"
    ]
    assert {"follow_status_order", "follow_content_video", "follow_poll_200"} <= set(FOLLOW_CHECKS)


class Clock:
    """A fake clock that only moves when the follower sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def follower(handler: Callable[[httpx2.Request], httpx2.Response], seconds: float) -> tuple[Follower, Clock]:
    clock = Clock()
    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    transport = Transport(client, RetryPolicy(attempts=1))
    return Follower(transport, seconds, clock=clock, sleep=clock.sleep), clock


def test_polls_until_completed_then_probes_the_content_with_a_range() -> None:
    states = iter([video("queued", 0), video("in_progress", 50), video("completed", 100, completed_at=5)])
    probes: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/content"):
            probes.append(request)
            return httpx2.Response(206, headers={"content-type": "video/mp4"}, content=b"\0" * 1024)
        return httpx2.Response(200, json=next(states), headers={"openai-poll-after-ms": "200"})

    found, clock = follower(handler, 30)
    result = found.follow("http://relay.test", VIDEO, {"Authorization": "Bearer sk-x"})
    assert result.statuses == ["queued", "in_progress", "completed"] and result.finished
    assert result.failures == [] and result.content is not None and result.content["status"] == 206
    assert clock.slept == [0.2, 0.2]  # the server's poll-after hint
    assert probes[0].headers["range"] == "bytes=0-1023"


def test_stops_when_the_time_runs_out_without_calling_it_a_failure() -> None:
    found, clock = follower(lambda request: httpx2.Response(200, json=video("in_progress", 10)), 3)
    result = found.follow("http://relay.test", VIDEO, {})
    assert not result.finished and result.failures == [] and clock.now <= 3
    assert result.as_dict()["final"] == "in_progress"


def test_a_poll_that_is_not_a_video_and_content_that_is_not_one_are_failures() -> None:
    found, _ = follower(lambda request: httpx2.Response(404, json={"error": {}}), 3)
    assert [f.check for f in found.follow("http://relay.test", VIDEO, {}).failures] == ["follow_poll_200"]

    def html_content(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/content"):
            return httpx2.Response(200, headers={"content-type": "text/html"}, content=b"<html>")
        return httpx2.Response(200, json=video("completed", 100, completed_at=5))

    found, _ = follower(html_content, 3)
    assert [f.check for f in found.follow("http://relay.test", VIDEO, {}).failures] == ["follow_content_video"]
