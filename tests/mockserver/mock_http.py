"""What the mock server's tests share besides fixtures: the token, a create call, a CLI server.

A helper module (not a test module, not conftest): tests import it by name, as pytest puts this
directory on ``sys.path``; fixtures stay in conftest.py.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

TOKEN = "sk-test-secret-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PYTHON = sys.executable
Serve = Callable[[Settings], BackgroundServer]  # the ``serve`` fixture: a server of its own


def create(http: httpx.Client, example: GeneratedRequest, **headers: str) -> httpx.Response:
    return http.post("/v1/videos", content=example.body, headers={**example.headers, **headers})


def until(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Poll until ``condition`` holds; fail loudly when it never does (no fixed sleep to guess)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout} s: {what}")
        time.sleep(0.01)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``sora-mock ARGS`` in a subprocess on a free loopback port; stopped with Ctrl-C at the end."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "mockserver", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.communicate()[0]) from None
                time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
