"""sora-mock's ASGI app driven in-process, with no HTTP server: its own Python cost per request.

The app is built from sora-mock's command line (``mockserver.cli``), so it runs with the same
settings as the server compare_servers.py starts, and called directly with a fake ``receive``
(the whole body in one message, as granian delivers a small one) and ``send``, request after
request on one event loop. Timed without a profiler, the loop gives the app's microseconds per
request (1e6 / that is what one core could answer if the transport cost nothing); under
cProfile it gives each part's share (bench/stacks.py's parts), a builtin's time going to the
part of the function that called it.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from stacks import OTHER, part_of
from workload import TOKEN, content_type

App = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[Any], Awaitable[None]]], Any]


def build_app(spec: Path, upstream: str, render_seconds: float = 1.0) -> App:
    """sora-mock's app with the settings its command line would give it."""
    from mockserver import cli
    from mockserver.app import create_app

    args = cli.parser().parse_args(
        ["--upstream", upstream, "--spec", str(spec), "--render-seconds", str(render_seconds)]
    )
    app: App = create_app(cli.settings_from(args))
    return app


def scope_for(path: str, body: bytes) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", content_type().encode()),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {TOKEN}".encode()),
    ]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010),
    }  # fmt: skip


async def drive(app: App, path: str, body: bytes, requests: int) -> Counter[int]:
    """``requests`` create calls, one after the other; the statuses answered, counted."""
    statuses: Counter[int] = Counter()
    for _ in range(requests):
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] += 1

        await app(scope_for(path, body), receive, send)
    return statuses


def time_requests(app: App, path: str, body: bytes, requests: int) -> tuple[float, Counter[int]]:
    """CPU microseconds per request of the app alone (no profiler), and the statuses. CPU time,
    not wall time: on a shared machine the wall clock also counts other processes' turns."""
    loop = asyncio.new_event_loop()
    try:
        started = time.process_time()
        statuses = loop.run_until_complete(drive(app, path, body, requests))
        elapsed = time.process_time() - started
    finally:
        loop.close()
    return elapsed / requests * 1e6, statuses


def profile_requests(app: App, path: str, body: bytes, requests: int) -> pstats.Stats:
    loop = asyncio.new_event_loop()
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        loop.run_until_complete(drive(app, path, body, requests))
        profiler.disable()
    finally:
        loop.close()
    return pstats.Stats(profiler)


def _frame_name(func: tuple[str, int, str]) -> str:
    """A pstats key as a py-spy-like frame: 'name (file:line)'."""
    filename, line, name = func
    return f"{name} ({filename}:{line})"


def _owners(table: dict[Any, Any], func: Any, seen: frozenset[Any] = frozenset()) -> dict[str, float]:
    """Which parts a function's self time belongs to: its own part, or, for a builtin or a
    standard-library function (no part), its callers' parts in proportion to what each call
    site spent in it, as py-spy's innermost-known-frame rule does for sampled stacks."""
    part = None if func[0] == "~" else part_of(_frame_name(func))
    if part is not None:
        return {part: 1.0}
    callers = table.get(func, (0, 0, 0, 0, {}))[4]
    spent = {caller: entry[2] for caller, entry in callers.items() if caller not in seen}
    total = sum(spent.values())
    if not total or len(seen) > 20:
        return {OTHER: 1.0}
    shares: Counter[str] = Counter()
    for caller, tt in spent.items():
        for name, share in _owners(table, caller, seen | {func}).items():
            shares[name] += share * tt / total
    return dict(shares)


def parts_of_stats(stats: pstats.Stats) -> Counter[str]:
    """Self seconds per part, over every profiled function."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    seconds: Counter[str] = Counter()
    for func, entry in table.items():
        for name, share in _owners(table, func).items():
            seconds[name] += entry[2] * share
    return seconds


def hottest(stats: pstats.Stats, top: int) -> list[tuple[str, float]]:
    """The functions with the most self time, as (frame, seconds)."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return [(_frame_name(func), entry[2]) for func, entry in ranked]
