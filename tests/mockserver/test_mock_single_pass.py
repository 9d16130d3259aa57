"""Issue 12: a request enters each module at most once on its way through.

Traced with ``sys.setprofile`` while the ASGI door and the respx door answer a valid create, an
invalid one, and lifecycle calls. A *stop* is control passing from one module of the project to
another (calls inside a module are that module's own business). Two things are not stops:

* reading a value: a method or property of one of the values a request carries through
  (:data:`VALUES`: a ``RawRequest``'s header, a ``Part``'s text, a ``Verdict``'s ``ok``) is the
  value's, whoever owns its class;
* talking to one object in a row: consecutive calls from the same module into the same module
  (the door feeding the multipart reader chunk after chunk, then closing it) are one stop.

What fails the test is the old shape the issue describes: a module climbed back into, such as
the door asking the service for the route and later for the answer, or the service calling the
journal a second time after the redaction module ran.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import pytest

import contract_tests
import mockserver
from contract_tests.core.checker import Verdict
from contract_tests.core.engine import Page
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.media_type import MediaType
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.problems import Problem
from contract_tests.core.routing import Route
from contract_tests.testing.respx_mock import SoraMock
from mockserver.app import create_app
from mockserver.settings import Settings

ROOTS = tuple(str(Path(str(package.__file__)).parent) for package in (contract_tests, mockserver))
TOKEN = "sk-single-pass-0001"
BOUNDARY = "single-pass-boundary"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

Stop = tuple[str, str]  # (from module, into module)
App = Callable[..., Coroutine[Any, Any, None]]


def _module(frame: FrameType | None) -> str | None:
    """The project module a frame runs in, or None for anything else (stdlib, httpx, the test)."""
    if frame is None:
        return None
    filename = frame.f_code.co_filename
    if not filename.startswith(ROOTS):
        return None
    return filename.rsplit("/", 2)[-2] + "/" + filename.rsplit("/", 1)[-1]


# The values a request carries through: reading one (a method or property of one of these) is not a
# stop. Named one by one: a step that happens to be a dataclass (Controls, the reader) still counts.
VALUES: tuple[type, ...] = (RawRequest, RawResponse, Part, Verdict, MediaType, Problem, Route, Page)


def _reads_a_value(frame: FrameType) -> bool:
    owner = frame.f_locals.get("self", frame.f_locals.get("cls"))
    if owner is None:
        return False
    return issubclass(owner, VALUES) if isinstance(owner, type) else isinstance(owner, VALUES)


@contextmanager
def traced() -> Iterator[list[Stop]]:
    """The stops of whatever runs inside, in order, consecutive repeats collapsed."""
    stops: list[Stop] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        into = _module(frame)
        if into is None or _reads_a_value(frame):
            return
        caller = frame.f_back
        while caller is not None and _module(caller) is None:
            caller = caller.f_back
        source = _module(caller) or "<client>"
        if source != into and (not stops or stops[-1] != (source, into)):
            stops.append((source, into))

    sys.setprofile(profile)
    try:
        yield stops
    finally:
        sys.setprofile(None)


def _entered_twice(stops: list[Stop]) -> dict[str, int]:
    counts = Counter(into for _, into in stops)
    return {module: n for module, n in counts.items() if n > 1}


def _path(stops: list[Stop]) -> str:
    return "stops:\n" + "\n".join(f"  {source} -> {into}" for source, into in stops)


def _create_body(**fields: str) -> tuple[bytes, str]:
    parts = [Part(name, value.encode()) for name, value in fields.items()]
    parts.append(Part("input_reference", PNG, "frame.png", "image/png"))
    return encode_multipart(parts, BOUNDARY), content_type(BOUNDARY)


VALID = {"model": "sora-2", "prompt": "a cat", "seconds": "4", "size": "16x9", "watermark": "false"}
INVALID = {"model": "sora-2", "seconds": "4"}  # the prompt is missing


def _asgi_call(app: App, method: str, path: str, body: bytes, ctype: str) -> int:
    """One request through the ASGI app, with a receive that never suspends (so no coroutine is
    resumed mid-trace, which the profiler would report as a second call)."""
    headers = [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {TOKEN}".encode())]
    if body:
        headers += [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010),
    }  # fmt: skip
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop() if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        statuses.extend([message["status"]] if message["type"] == "http.response.start" else [])

    asyncio.run(app(scope, receive, send))
    return statuses[0]


@pytest.fixture(scope="module")
def app() -> App:
    application: App = create_app(Settings())
    body, ctype = _create_body(**VALID)
    _asgi_call(application, "POST", "/v1/videos", body, ctype)  # warm: first-use caches are not a request's path
    return application


@pytest.mark.parametrize(("fields", "status"), [(VALID, 200), (INVALID, 400)], ids=["valid", "invalid"])
def test_asgi_create_enters_each_module_once(app: App, fields: dict[str, str],
                                             status: int) -> None:
    body, ctype = _create_body(**fields)
    with traced() as stops:
        answered = _asgi_call(app, "POST", "/v1/videos", body, ctype)
    assert answered == status
    assert ("mockserver/door.py", "core/checker.py") not in stops  # the door decides nothing itself
    assert {("core/service.py", "core/checker.py"), ("core/service.py", "core/journal.py")} <= set(stops)
    assert _entered_twice(stops) == {}, _path(stops)


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/videos"), ("GET", "/v1/videos/video_unknown")])
def test_asgi_lifecycle_call_enters_each_module_once(app: App, method: str,
                                                     path: str) -> None:
    with traced() as stops:
        _asgi_call(app, method, path, b"", "")
    assert ("core/service.py", "core/journal.py") in stops
    assert _entered_twice(stops) == {}, _path(stops)


def test_respx_create_enters_each_module_once() -> None:
    body, ctype = _create_body(**VALID)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": ctype}
    with SoraMock() as mock, httpx.Client(transport=mock.transport()) as client:
        client.post("https://api.jxincm.cn/v1/videos", content=body, headers=headers)  # warm
        with traced() as stops:
            answer = client.post("https://api.jxincm.cn/v1/videos", content=body, headers=headers)
    assert answer.status_code == 200
    assert ("core/service.py", "core/engine.py") in stops
    assert _entered_twice(stops) == {}, _path(stops)


def test_a_step_that_is_a_dataclass_still_counts() -> None:
    """The controls are a dataclass, but deciding is a step: asked twice, the trace says so."""
    from contract_tests.core.controls import Controls

    controls = Controls()
    with traced() as stops:
        controls.decide(None, creates=True)
        _create_body(**VALID)  # another module in between
        controls.decide(None, creates=True)
    assert _entered_twice(stops).get("core/controls.py") == 2, _path(stops)


def test_the_trace_sees_a_module_entered_twice() -> None:
    """The tracer itself: a module climbed back into is reported (else the tests above prove nothing)."""
    from contract_tests.core import media_type, problems

    def twice() -> None:
        media_type.parse_media_type("text/plain")
        problems.no_api_key()
        media_type.parse_media_type("text/plain")

    with traced() as stops:
        twice()
    assert set(_entered_twice(stops)) == {"core/media_type.py"}
