"""Edge cases on demand: the Prefer header per request, failure/error rates and latency globally."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

import httpx
import pytest
from mock_http import AUTH, Serve, create, until

from contract_tests import SoraMock, example_request, load_registry
from contract_tests.core.controls import Controls, parse_latency, parse_prefer
from contract_tests.core.problems import Problem
from contract_tests.testing.strategies import GeneratedRequest
from mockserver import door
from mockserver.background import BackgroundServer
from mockserver.settings import Settings


def test_prefer_code_forces_the_status_without_creating(client: httpx.Client, example: GeneratedRequest) -> None:
    before = len(client.get("/v1/videos", params={"limit": 100}).json()["data"])
    response = create(client, example, Prefer="code=503")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "server_error"
    assert response.headers["preference-applied"] == "code=503"
    assert len(client.get("/v1/videos", params={"limit": 100}).json()["data"]) == before
    assert client.get("/v1/videos", headers={"Prefer": "code=429"}).json()["error"]["code"] == "rate_limit_exceeded"
    assert client.get("/v1/videos/x", headers={"Prefer": "code=404"}).status_code == 404


def test_prefer_video_failed_ends_failed_with_an_error(client: httpx.Client, example: GeneratedRequest) -> None:
    video = create(client, example, Prefer="video=failed, render-seconds=0").json()
    failed = client.get(f"/v1/videos/{video['id']}").json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "video_generation_failed" and failed["error"]["message"]
    content = client.get(f"/v1/videos/{video['id']}/content")
    assert content.status_code == 400 and content.json()["error"]["code"] == "video_not_ready"


def test_prefer_render_seconds_sets_this_videos_duration(client: httpx.Client, example: GeneratedRequest) -> None:
    instant = create(client, example, Prefer="render-seconds=0").json()
    assert client.get(f"/v1/videos/{instant['id']}").json()["status"] == "completed"
    slow = create(client, example, Prefer="render-seconds=600").json()
    assert client.get(f"/v1/videos/{slow['id']}").json()["status"] in {"queued", "in_progress"}


class HeldDelays:
    """Stands in for the door's ``asyncio``: records each delay it awaits and holds it until released.

    The test decides when a delayed answer may go, so "answered while the other still waits"
    is a fact, not a race against a clock.
    """

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.released = threading.Event()
        self._sleep = asyncio.sleep

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        while not self.released.is_set():
            await self._sleep(0.005)  # awaited, as the door awaits: the loop serves others meanwhile


def _delays_while_the_first_is_held(
    running: BackgroundServer, monkeypatch: pytest.MonkeyPatch, first: dict[str, str], second: dict[str, str]
) -> list[float]:
    """Send ``first`` (delayed by the controls) and hold its delay; ``second`` must then be answered
    while ``first`` still waits. Returns the delays the door awaited, in seconds."""
    held = HeldDelays()
    monkeypatch.setattr(door, "asyncio", held)
    url = f"{running.url}/v1/videos"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(httpx.get, url, headers={**AUTH, **first}, timeout=30)
        try:
            until(lambda: held.delays, "the door awaited the first request's delay")
            answered = httpx.get(url, headers={**AUTH, **second}, timeout=10)
            assert answered.status_code == 200
            assert not waiting.done(), "the first request was answered while its delay was held"
        finally:
            held.released.set()
        assert waiting.result(timeout=30).status_code == 200
    return held.delays


def test_prefer_latency_delays_without_blocking_others(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    delays = _delays_while_the_first_is_held(serve(Settings()), monkeypatch, {"Prefer": "latency=800"}, {})
    assert delays == [0.8]  # the first one's, awaited; the second had none to wait


def test_bad_prefer_values_are_400_but_unknown_preferences_are_ignored(client: httpx.Client) -> None:
    bad = client.get("/v1/videos", headers={"Prefer": "code=abc"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "Prefer"
    assert client.get("/v1/videos", headers={"Prefer": "code=200"}).status_code == 400
    assert client.get("/v1/videos", headers={"Prefer": "latency=-1"}).status_code == 400
    ignored = client.get("/v1/videos", headers={"Prefer": "respond-async, wait=10"})
    assert ignored.status_code == 200 and "preference-applied" not in ignored.headers


def _pattern(server: BackgroundServer, example: GeneratedRequest, n: int = 12) -> list[str]:
    with httpx.Client(base_url=server.url, headers=AUTH) as http:
        results = []
        for _ in range(n):
            response = create(http, example)
            if response.status_code != 200:
                results.append(str(response.status_code))
                continue
            video = http.get(f"/v1/videos/{response.json()['id']}")
            results.append(video.json()["status"] if video.status_code == 200 else str(video.status_code))
        return results


@pytest.mark.parametrize("knob", ["failure_rate", "error_rate"])
def test_global_rates_are_reproducible_with_the_seed(serve: Serve, example: GeneratedRequest, knob: str) -> None:
    settings = Settings(render_seconds=0, seed=11, **{knob: 0.5})  # type: ignore[arg-type]
    first, second = (_pattern(serve(settings), example) for _ in range(2))
    assert first == second
    assert len(set(first)) > 1, first  # some fail, some do not
    other = _pattern(serve(Settings(render_seconds=0, seed=12, **{knob: 0.5})), example)  # type: ignore[arg-type]
    assert other != first


def test_global_failure_rate_one_fails_every_video(serve: Serve, example: GeneratedRequest) -> None:
    assert set(_pattern(serve(Settings(render_seconds=0, failure_rate=1.0)), example, 3)) == {"failed"}


def test_global_latency(serve: Serve) -> None:
    running = serve(Settings(latency_ms=(300, 300)))
    started = time.monotonic()
    assert httpx.get(f"{running.url}/v1/videos", headers=AUTH).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_prefer_latency_zero_overrides_the_global_latency(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    running = serve(Settings(latency_ms=(800, 800)))
    delays = _delays_while_the_first_is_held(running, monkeypatch, {}, {"Prefer": "latency=0"})
    assert delays == [0.8]  # the global latency, for the first only: latency=0 awaited nothing


def test_controls_work_through_the_respx_door_too() -> None:
    example = example_request(load_registry().document("chainhub"))
    with SoraMock() as mock, httpx.Client() as http:
        url = "https://api.chainhub.tech/v1/videos"
        forced = http.post(url, content=example.body, headers={**example.headers, "Prefer": "code=500"})
        assert forced.status_code == 500
        started = time.monotonic()
        made = http.post(url, content=example.body, headers={**example.headers, "Prefer": "video=failed,latency=200"})
        assert time.monotonic() - started >= 0.2
        assert made.status_code == 200
        record = mock.engine.store.get(made.json()["id"])
        assert record is not None and record.fail is not None


def test_parsers() -> None:
    prefs = parse_prefer('code=404; latency="50"')
    assert not isinstance(prefs, Problem) and prefs.code == 404 and prefs.latency_ms == 50
    assert isinstance(parse_prefer("code"), Problem)
    assert isinstance(parse_prefer("video=maybe"), Problem)
    assert parse_latency("100-400") == (100.0, 400.0) and parse_latency("5") == (5.0, 5.0)
    with pytest.raises(ValueError):
        parse_latency("400-100")
    with pytest.raises(ValueError):
        Controls(failure_rate=2)
    draws = [Controls(latency_ms=(0, 100), seed=1).decide(None, creates=True).delay for _ in range(2)]
    assert draws[0] == draws[1]
