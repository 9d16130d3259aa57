"""Fixtures: a real sora-mock (uvicorn on a free 127.0.0.1 port) per test session, and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from mock_http import AUTH

from contract_tests import example_request, load_registry
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.settings import Settings


@pytest.fixture(scope="session")
def server() -> Iterator[BackgroundServer]:
    """The shared server: jxincm documents, 1 s renders, seeded."""
    with BackgroundServer(Settings(render_seconds=1.0, seed=7)) as running:
        yield running


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Settings], BackgroundServer]]:
    """Start extra servers with other settings; all are stopped at the end of the session."""
    started: list[BackgroundServer] = []

    def start(settings: Settings) -> BackgroundServer:
        running = BackgroundServer(settings).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="session")
def client(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def example() -> GeneratedRequest:
    """jxincm-private's own example request (multipart, with an image)."""
    return example_request(load_registry().document("jxincm-private"))
